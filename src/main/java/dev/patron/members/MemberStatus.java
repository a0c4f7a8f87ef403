package dev.patron.members;

/** ACTIVE; MERGED into another member (undoable for a while); ERASED on the member's request (anonymised). */
public enum MemberStatus {
    ACTIVE,
    MERGED,
    ERASED
}
