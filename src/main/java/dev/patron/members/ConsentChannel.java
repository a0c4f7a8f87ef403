package dev.patron.members;

/** Channels a member can be contacted on (MKT-01). */
public enum ConsentChannel {
    SMS,
    EMAIL,
    PHONE,
    APP_PUSH
}
