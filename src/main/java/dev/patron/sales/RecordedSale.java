package dev.patron.sales;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * One ticket as announced in {@link SalesRecorded}: enough for listeners to decide whether they
 * care; lines and payments come from {@link SalesManagement#tickets}. Amounts in fen, negative for
 * returns.
 */
public record RecordedSale(
        long saleId,
        SaleKind kind,
        long storeId,
        Long memberId,
        LocalDate businessDate,
        OffsetDateTime occurredAt,
        long totalFen,
        SaleSource source,
        boolean accruePoints,
        Long originalSaleId) {}
