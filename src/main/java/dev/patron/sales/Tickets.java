package dev.patron.sales;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/** Builds the answer for a ticket just written (without reading it back) and its event entry. */
final class Tickets {

    private Tickets() {}

    static Ticket of(long id, PreparedTicket t, OffsetDateTime recordedAt) {
        return new Ticket(
                id,
                t.kind(),
                t.storeId(),
                t.storeCode(),
                t.posTerminal(),
                t.posTxnId(),
                t.originalSaleId(),
                t.businessDate(),
                t.occurredAt(),
                t.cashier(),
                t.memberId(),
                "CNY",
                t.grossFen(),
                t.discountFen(),
                t.totalFen(),
                t.quantity(),
                t.source(),
                t.accruePoints(),
                recordedAt,
                t.lines().stream()
                        .map(l -> new Ticket.Line(
                                l.lineNo(),
                                l.sku(),
                                l.name(),
                                l.brandCode(),
                                l.categoryCode(),
                                l.counterCode(),
                                l.quantity(),
                                l.unitPriceFen(),
                                l.discountFen(),
                                l.amountFen(),
                                l.originalLineNo(),
                                BigDecimal.ZERO,
                                0))
                        .toList(),
                t.payments().stream()
                        .map(p -> new Ticket.Payment(p.seq(), p.method(), p.amountFen(), p.reference()))
                        .toList());
    }

    static RecordedSale announce(Ticket t) {
        return new RecordedSale(
                t.id(),
                t.kind(),
                t.storeId(),
                t.memberId(),
                t.businessDate(),
                t.occurredAt(),
                t.totalFen(),
                t.source(),
                t.accruePoints(),
                t.originalSaleId());
    }
}
