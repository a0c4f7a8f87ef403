package dev.patron.members;

/** Where a member signed up (seed 000 §1: club desk, POS, website; plus e-commerce and imports). */
public enum JoinChannel {
    STORE_DESK,
    POS,
    WEBSITE,
    ECOMMERCE,
    IMPORT,
    CALL_CENTER,
    API
}
