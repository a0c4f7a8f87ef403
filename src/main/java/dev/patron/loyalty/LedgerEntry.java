package dev.patron.loyalty;

import java.time.OffsetDateTime;

/** One points ledger entry as shown to staff and the API. */
public record LedgerEntry(
        long id,
        EntryKind kind,
        long points,
        long debtPoints,
        Long saleId,
        Long originalSaleId,
        Long redemptionId,
        String reason,
        String createdBy,
        OffsetDateTime createdAt) {}
