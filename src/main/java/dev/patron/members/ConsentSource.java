package dev.patron.members;

/** Where a consent was given or withdrawn (MKT-01). */
public enum ConsentSource {
    STORE,
    POS,
    WEB,
    APP,
    CALL_CENTER,
    IMPORT,
    API,
    UNSUBSCRIBE
}
