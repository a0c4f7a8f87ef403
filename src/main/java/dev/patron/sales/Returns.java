package dev.patron.sales;

import dev.patron.organization.Codes;
import dev.patron.organization.OrganizationCodes;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Records returns. The original sale's lines are locked ({@code FOR UPDATE}) while the return is
 * checked and written, and each line keeps how much of it was returned and refunded, so concurrent
 * returns of the same sale can never together exceed what was bought.
 */
final class Returns {

    private record OriginalLine(
            int lineNo,
            String sku,
            String name,
            Long brandId,
            Long categoryId,
            Long counterId,
            BigDecimal quantity,
            long unitPriceFen,
            long amountFen,
            BigDecimal returnedQuantity,
            long returnedFen) {

        BigDecimal remaining() {
            return quantity.subtract(returnedQuantity);
        }

        long refundable() {
            return amountFen - returnedFen;
        }
    }

    private record Original(long id, long storeId, Long memberId, LocalDate businessDate) {}

    private final JdbcClient jdbc;
    private final SaleWriter writer;
    private final ReferenceCache cache;

    Returns(JdbcClient jdbc, SaleWriter writer, ReferenceCache cache) {
        this.jdbc = jdbc;
        this.writer = writer;
        this.cache = cache;
    }

    SaleOutcome record(ReturnCommand c) {
        TicketProblems p = new TicketProblems();
        if (c == null) {
            p.invalid("return", "validation.required");
            throw p.exception();
        }
        SalePreparer.Header h = SalePreparer.header(
                c.storeCode(),
                c.posTransactionId(),
                c.posTerminal(),
                c.cashier(),
                c.businessDate(),
                c.occurredAt(),
                false,
                cache,
                p);
        OrganizationCodes codes = h.codes();
        OrganizationCodes.StoreRef store = h.store();
        String storeCode = h.storeCode();
        String txn = h.txn();
        LocalDate businessDate = h.businessDate();
        boolean byId = c.originalSaleId() != null;
        boolean byKey = SalePreparer.trimToNull(c.originalPosTransactionId()) != null;
        if (!byId && !byKey) {
            p.invalid("originalPosTransactionId", "sales.validation.originalRequired");
        } else if (byId && byKey) {
            p.invalid("originalSaleId", "sales.validation.originalOneWay");
        }
        List<SaleCommand.Payment> givenPayments = c.payments();
        TicketProblems paymentProblems = new TicketProblems();
        List<PreparedTicket.Payment> refunds = SalePreparer.payments(givenPayments, paymentProblems, true);
        if (paymentProblems.any()) {
            paymentProblems.exception().fieldErrors().forEach(e -> p.invalid(e.field(), e.messageKey(), e.args()));
        }
        p.throwIfAny();
        if (!CurrentStaff.scope().allows(store.id())) {
            throw new PatronException(HttpStatus.FORBIDDEN, "error.store.outOfScope");
        }
        String fingerprint = fingerprint(c, storeCode);
        SaleWriter.Key key = new SaleWriter.Key(store.id(), txn);
        Optional<SaleOutcome> replay = replay(key, fingerprint);
        if (replay.isPresent()) {
            return replay.get();
        }
        Original original = original(c, codes);
        if (original.businessDate().isAfter(businessDate)) {
            throw SalePreparer.unprocessable(
                    "businessDate", "sales.validation.returnBeforeSale", original.businessDate());
        }
        Map<Integer, OriginalLine> lines = lockLines(original.id());
        List<PreparedTicket.Line> returnLines = returnLines(c.lines(), lines, p);
        p.throwIfAny();
        long gross = 0;
        long discount = 0;
        long total = 0;
        BigDecimal quantity = BigDecimal.ZERO;
        for (PreparedTicket.Line l : returnLines) {
            long lineGross = l.quantity()
                    .negate()
                    .multiply(BigDecimal.valueOf(l.unitPriceFen()))
                    .setScale(0, RoundingMode.HALF_UP)
                    .longValueExact();
            gross -= lineGross;
            discount += l.discountFen();
            total += l.amountFen();
            quantity = quantity.add(l.quantity());
        }
        if (refunds.isEmpty()) {
            PaymentMethod method = firstPaymentMethod(original.id());
            refunds = total == 0 ? List.of() : List.of(new PreparedTicket.Payment(1, method, total, ""));
        } else {
            long refunded = refunds.stream()
                    .mapToLong(PreparedTicket.Payment::amountFen)
                    .sum();
            if (refunded != total) {
                throw SalePreparer.unprocessable("payments", "sales.validation.paymentsMismatch", -refunded, -total);
            }
        }
        PreparedTicket ticket = new PreparedTicket(
                SaleKind.RETURN,
                store.id(),
                storeCode,
                h.terminal(),
                txn,
                original.id(),
                businessDate,
                h.occurredAt(),
                h.cashier(),
                null,
                original.memberId(),
                gross,
                discount,
                total,
                quantity,
                SaleSource.POS,
                true,
                fingerprint,
                returnLines,
                refunds);
        Map<Integer, SaleWriter.Inserted> created = writer.insert(List.of(ticket));
        if (created.isEmpty()) {
            // a concurrent identical request won the race while we waited for the lines
            return replay(key, fingerprint).orElseThrow();
        }
        applyToOriginal(original.id(), returnLines);
        SaleWriter.Inserted inserted = created.get(0);
        return SaleOutcome.created(Tickets.of(inserted.id(), ticket, inserted.recordedAt()));
    }

    private Optional<SaleOutcome> replay(SaleWriter.Key key, String fingerprint) {
        SaleWriter.Existing existing = writer.existing(List.of(key)).get(key);
        if (existing == null) {
            return Optional.empty();
        }
        if (!existing.fingerprint().equals(fingerprint)) {
            throw PatronException.conflict("posTransactionId", "sales.conflict.differentContent", key.posTxnId());
        }
        return Optional.of(SaleOutcome.replayed(
                writer.tickets(List.of(existing.id()), cache.names(n -> true)).get(0)));
    }

    private Original original(ReturnCommand c, OrganizationCodes codes) {
        Optional<Original> found;
        String field;
        if (c.originalSaleId() != null) {
            field = "originalSaleId";
            found = jdbc.sql(
                            "select id, store_id, member_id, business_date from sales.sale where id = ? and kind = 'SALE'")
                    .param(c.originalSaleId())
                    .query((rs, n) -> new Original(
                            rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3), rs.getObject(4, LocalDate.class)))
                    .optional();
        } else {
            field = "originalPosTransactionId";
            String originalStore = Codes.normalize(SalePreparer.trimToNull(c.originalStoreCode()));
            OrganizationCodes.StoreRef s = originalStore == null
                    ? codes.stores().get(Codes.normalize(c.storeCode()))
                    : codes.stores().get(originalStore);
            if (s == null) {
                throw SalePreparer.unprocessable("originalStoreCode", "sales.validation.unknownStore", originalStore);
            }
            found = jdbc.sql("""
                    select id, store_id, member_id, business_date from sales.sale
                    where store_id = ? and pos_txn_id = ? and kind = 'SALE'""")
                    .params(s.id(), c.originalPosTransactionId().strip())
                    .query((rs, n) -> new Original(
                            rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3), rs.getObject(4, LocalDate.class)))
                    .optional();
        }
        return found.orElseThrow(() -> SalePreparer.unprocessable(field, "sales.validation.unknownOriginal"));
    }

    private Map<Integer, OriginalLine> lockLines(long saleId) {
        Map<Integer, OriginalLine> lines = new LinkedHashMap<>();
        jdbc.sql("""
                select line_no, sku, name, brand_id, category_id, counter_id, quantity, unit_price_fen, amount_fen,
                       returned_quantity, returned_fen
                from sales.sale_line where sale_id = ? order by line_no for update""").param(saleId).query(rs -> {
            lines.put(
                    rs.getInt(1),
                    new OriginalLine(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getString(3),
                            (Long) rs.getObject(4),
                            (Long) rs.getObject(5),
                            (Long) rs.getObject(6),
                            rs.getBigDecimal(7),
                            rs.getLong(8),
                            rs.getLong(9),
                            rs.getBigDecimal(10),
                            rs.getLong(11)));
        });
        return lines;
    }

    private List<PreparedTicket.Line> returnLines(
            List<ReturnCommand.Line> given, Map<Integer, OriginalLine> original, TicketProblems p) {
        ReferenceCache.Names names = cache.names(n -> true);
        List<PreparedTicket.Line> out = new ArrayList<>();
        if (given == null || given.isEmpty()) {
            for (OriginalLine o : original.values()) {
                if (o.remaining().signum() > 0) {
                    out.add(line(out.size() + 1, o, o.remaining(), o.refundable(), names));
                }
            }
            if (out.isEmpty()) {
                p.unprocessable("lines", "sales.validation.nothingToReturn");
            }
            return out;
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            ReturnCommand.Line l = given.get(i);
            String f = "lines[" + i + "].";
            if (l == null || l.lineNo() == null) {
                p.invalid(f + "lineNo", "validation.required");
                continue;
            }
            if (!seen.add(l.lineNo())) {
                p.invalid(f + "lineNo", "sales.validation.lineTwice");
                continue;
            }
            OriginalLine o = original.get(l.lineNo());
            if (o == null) {
                p.unprocessable(f + "lineNo", "sales.validation.unknownLine", l.lineNo());
                continue;
            }
            BigDecimal q = l.quantity() == null ? o.remaining() : l.quantity();
            if (q.signum() <= 0 && l.quantity() != null) {
                p.invalid(f + "quantity", "sales.validation.quantityPositive");
                continue;
            }
            if (q.stripTrailingZeros().scale() > 3) {
                p.invalid(f + "quantity", "sales.validation.quantityFormat");
                continue;
            }
            if (q.compareTo(o.remaining()) > 0 || o.remaining().signum() <= 0) {
                p.unprocessable(
                        f + "quantity",
                        "sales.validation.returnExceeds",
                        o.remaining().stripTrailingZeros().toPlainString());
                continue;
            }
            long defaultRefund = q.compareTo(o.remaining()) == 0
                    ? o.refundable()
                    : Math.min(
                            o.refundable(),
                            BigDecimal.valueOf(o.amountFen())
                                    .multiply(q)
                                    .divide(o.quantity(), 0, RoundingMode.HALF_UP)
                                    .longValueExact());
            long refund = defaultRefund;
            if (l.amountFen() != null) {
                long maxForQuantity = Math.min(
                        o.refundable(),
                        q.multiply(BigDecimal.valueOf(o.unitPriceFen()))
                                .setScale(0, RoundingMode.HALF_UP)
                                .longValueExact());
                if (l.amountFen() < 0 || l.amountFen() > maxForQuantity) {
                    p.unprocessable(f + "amountFen", "sales.validation.refundExceeds", maxForQuantity);
                    continue;
                }
                refund = l.amountFen();
            }
            out.add(line(out.size() + 1, o, q, refund, names));
        }
        return out;
    }

    private static PreparedTicket.Line line(
            int lineNo, OriginalLine o, BigDecimal q, long refund, ReferenceCache.Names names) {
        long lineGross = q.multiply(BigDecimal.valueOf(o.unitPriceFen()))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        BigDecimal nq = q.stripTrailingZeros();
        if (nq.scale() < 0) {
            nq = nq.setScale(0);
        }
        return new PreparedTicket.Line(
                lineNo,
                o.sku(),
                o.name(),
                o.brandId(),
                o.brandId() == null ? null : names.brands().get(o.brandId()),
                o.categoryId(),
                o.categoryId() == null ? null : names.categories().get(o.categoryId()),
                o.counterId(),
                o.counterId() == null ? null : names.counters().get(o.counterId()),
                nq.negate(),
                o.unitPriceFen(),
                -(lineGross - refund),
                -refund,
                o.lineNo());
    }

    private void applyToOriginal(long saleId, List<PreparedTicket.Line> lines) {
        Integer[] lineNos =
                lines.stream().map(PreparedTicket.Line::originalLineNo).toArray(Integer[]::new);
        String[] quantities =
                lines.stream().map(l -> l.quantity().negate().toPlainString()).toArray(String[]::new);
        Long[] refunds = lines.stream().map(l -> -l.amountFen()).toArray(Long[]::new);
        int updated = jdbc.sql("""
                update sales.sale_line o
                set returned_quantity = o.returned_quantity + r.q, returned_fen = o.returned_fen + r.f
                from unnest(?::int[], ?::numeric[], ?::bigint[]) as r(line_no, q, f)
                where o.sale_id = ? and o.line_no = r.line_no
                  and o.returned_quantity + r.q <= o.quantity and o.returned_fen + r.f <= o.amount_fen""").params(lineNos, quantities, refunds, saleId).update();
        if (updated != lines.size()) {
            // cannot happen while the lines are locked; refuse rather than over-return
            throw SalePreparer.unprocessable("lines", "sales.validation.returnExceeds", "0");
        }
    }

    private PaymentMethod firstPaymentMethod(long saleId) {
        return jdbc.sql("select method from sales.sale_payment where sale_id = ? order by seq limit 1")
                .param(saleId)
                .query(String.class)
                .optional()
                .map(PaymentMethod::valueOf)
                .orElse(PaymentMethod.CASH);
    }

    static String fingerprint(ReturnCommand c, String storeCode) {
        StringBuilder b = new StringBuilder(128)
                .append("RETURN|")
                .append(storeCode)
                .append('|')
                .append(SalePreparer.trimToNull(c.posTransactionId()))
                .append('|')
                .append(SalePreparer.trimToNull(c.posTerminal()))
                .append('|')
                .append(c.businessDate())
                .append('|')
                .append(c.occurredAt() == null ? null : c.occurredAt().toInstant())
                .append('|')
                .append(SalePreparer.trimToNull(c.cashier()))
                .append('|')
                .append(c.originalSaleId())
                .append('|')
                .append(Codes.normalize(SalePreparer.trimToNull(c.originalStoreCode())))
                .append('|')
                .append(SalePreparer.trimToNull(c.originalPosTransactionId()));
        if (c.lines() != null) {
            for (ReturnCommand.Line l : c.lines()) {
                b.append("|L:")
                        .append(l == null ? null : l.lineNo())
                        .append(',')
                        .append(
                                l == null || l.quantity() == null
                                        ? null
                                        : l.quantity().stripTrailingZeros().toPlainString())
                        .append(',')
                        .append(l == null ? null : l.amountFen());
            }
        }
        if (c.payments() != null) {
            for (SaleCommand.Payment pay : c.payments()) {
                b.append("|P:")
                        .append(pay == null ? null : pay.method())
                        .append(',')
                        .append(pay == null ? null : pay.amountFen());
            }
        }
        return SalePreparer.sha256(b.toString());
    }
}
