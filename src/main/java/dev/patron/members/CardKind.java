package dev.patron.members;

public enum CardKind {
    PHYSICAL,
    ELECTRONIC
}
