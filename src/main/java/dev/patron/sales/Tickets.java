package dev.patron.sales;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** The tickets of {@code byId} in the order of {@code ids}, ids without a ticket left out. */
    static List<Ticket> inOrder(List<Long> ids, Map<Long, Ticket> byId) {
        List<Ticket> out = new ArrayList<>(ids.size());
        for (Long id : ids) {
            Ticket t = byId.get(id);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }
}
