package dev.patron.members;

public enum Gender {
    MALE,
    FEMALE,
    UNKNOWN
}
