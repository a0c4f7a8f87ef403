package dev.patron.members;

/**
 * Card states. ACTIVE cards identify the member at the till; FROZEN and REPORTED_LOST are
 * blocked but can be re-activated; REPLACED (a new card took over) and CANCELLED are final.
 */
public enum CardStatus {
    ACTIVE,
    FROZEN,
    REPORTED_LOST,
    REPLACED,
    CANCELLED;

    public boolean isFinal() {
        return this == REPLACED || this == CANCELLED;
    }
}
