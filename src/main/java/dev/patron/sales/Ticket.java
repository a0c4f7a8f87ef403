package dev.patron.sales;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A recorded ticket (sale or return) with its lines and payments, as stored. Amounts are integer
 * fen; quantities and amounts of a return are negative.
 */
public record Ticket(
        long id,
        SaleKind kind,
        long storeId,
        String storeCode,
        String posTerminal,
        String posTransactionId,
        Long originalSaleId,
        LocalDate businessDate,
        OffsetDateTime occurredAt,
        String cashier,
        Long memberId,
        String currency,
        long grossFen,
        long discountFen,
        long totalFen,
        BigDecimal quantity,
        SaleSource source,
        boolean accruePoints,
        OffsetDateTime recordedAt,
        List<Line> lines,
        List<Payment> payments) {

    public record Line(
            int lineNo,
            String sku,
            String name,
            String brandCode,
            String categoryCode,
            String counterCode,
            BigDecimal quantity,
            long unitPriceFen,
            long discountFen,
            long amountFen,
            Integer originalLineNo,
            BigDecimal returnedQuantity,
            long returnedFen) {}

    public record Payment(int seq, PaymentMethod method, long amountFen, String reference) {}
}
