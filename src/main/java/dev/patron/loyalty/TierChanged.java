package dev.patron.loyalty;

/**
 * A member's tier changed (upgrade, review, override, merge), published in the changing transaction
 * through the outbox; listeners must be idempotent. {@code fromCode} is the previous tier.
 */
public record TierChanged(long memberId, String fromCode, String toCode) {}
