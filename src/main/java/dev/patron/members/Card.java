package dev.patron.members;

import java.time.Instant;

/** A member card; {@code replacesNumber} is the card it replaced, if any. */
public record Card(
        long id,
        String number,
        CardKind kind,
        CardStatus status,
        Instant issuedAt,
        String issuedStoreCode,
        String replacesNumber,
        Instant statusChangedAt) {}
