package dev.patron.loyalty;

import java.time.OffsetDateTime;

/** Points used as payment (or for a gift): confirmed, or cancelled (points given back). */
public record Redemption(
        long id,
        long memberId,
        long points,
        String storeCode,
        String reference,
        String status,
        long balanceAfter,
        OffsetDateTime createdAt,
        OffsetDateTime cancelledAt) {}
