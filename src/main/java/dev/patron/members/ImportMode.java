package dev.patron.members;

/** ALL_OR_NOTHING imports nothing when any row is bad; SKIP_BAD_ROWS imports the good rows and reports the rest. */
public enum ImportMode {
    ALL_OR_NOTHING,
    SKIP_BAD_ROWS
}
