package dev.patron.members;

public enum CustomFieldType {
    TEXT,
    NUMBER,
    DATE,
    BOOLEAN,
    CHOICE
}
