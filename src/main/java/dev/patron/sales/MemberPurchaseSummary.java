package dev.patron.sales;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A member's purchase history as the 360 view's panel shows it (in the caller's stores): how often
 * and how much, first and last purchase, and the latest tickets with what, where, price, discount
 * and returns. Money in fen. (Interval and favourites: segments' member facts.)
 */
public record MemberPurchaseSummary(
        long purchases,
        long returns,
        long netSpendFen,
        long returnedFen,
        LocalDate firstPurchase,
        LocalDate lastPurchase,
        List<Purchase> recent) {

    /** A ticket (sale or return) with its lines. */
    public record Purchase(
            long saleId,
            SaleKind kind,
            LocalDate businessDate,
            OffsetDateTime occurredAt,
            String storeCode,
            String storeName,
            long totalFen,
            long discountFen,
            Long originalSaleId,
            List<Item> items) {}

    /** A line: what, at which counter, price, discount, amount, and how much of it was returned. */
    public record Item(
            int lineNo,
            String sku,
            String name,
            String brandCode,
            String brandName,
            String counterCode,
            String counterName,
            BigDecimal quantity,
            long unitPriceFen,
            long discountFen,
            long amountFen,
            BigDecimal returnedQuantity,
            long returnedFen) {}
}
