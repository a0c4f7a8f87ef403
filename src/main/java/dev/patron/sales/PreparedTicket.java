package dev.patron.sales;

import dev.patron.members.MemberReference;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/** A validated ticket with its references resolved to ids, ready to be written. Amounts signed. */
record PreparedTicket(
        SaleKind kind,
        long storeId,
        String storeCode,
        String posTerminal,
        String posTxnId,
        Long originalSaleId,
        LocalDate businessDate,
        OffsetDateTime occurredAt,
        String cashier,
        MemberReference memberRef,
        Long memberId,
        long grossFen,
        long discountFen,
        long totalFen,
        BigDecimal quantity,
        SaleSource source,
        boolean accruePoints,
        String fingerprint,
        List<Line> lines,
        List<Payment> payments) {

    record Line(
            int lineNo,
            String sku,
            String name,
            Long brandId,
            String brandCode,
            Long categoryId,
            String categoryCode,
            Long counterId,
            String counterCode,
            BigDecimal quantity,
            long unitPriceFen,
            long discountFen,
            long amountFen,
            Integer originalLineNo) {}

    record Payment(int seq, PaymentMethod method, long amountFen, String reference) {}

    PreparedTicket withMember(Long id) {
        return new PreparedTicket(
                kind,
                storeId,
                storeCode,
                posTerminal,
                posTxnId,
                originalSaleId,
                businessDate,
                occurredAt,
                cashier,
                memberRef,
                id,
                grossFen,
                discountFen,
                totalFen,
                quantity,
                source,
                accruePoints,
                fingerprint,
                lines,
                payments);
    }
}
