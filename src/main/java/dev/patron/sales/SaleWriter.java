package dev.patron.sales;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The SQL of tickets. {@link #insert} writes any number of tickets with their lines and payments in
 * ONE statement (arrays unnested into data-modifying CTEs), skipping tickets whose
 * (store, POS transaction id) exists already; the caller then treats those as replays or conflicts.
 */
@Component
class SaleWriter {

    /** (store id, POS transaction id): the idempotency key. */
    record Key(long storeId, String posTxnId) {}

    /** An existing ticket's id and fingerprint (hex). */
    record Existing(long id, String fingerprint) {}

    private static final String INSERT = """
            with s(idx, kind, store_id, pos_terminal, pos_txn_id, original_sale_id, business_date, occurred_at,
                   cashier, member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source,
                   accrue_points, fingerprint) as (
                select * from unnest(?::int[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::date[],
                    ?::timestamptz[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::numeric[],
                    ?::int[], ?::text[], ?::boolean[], ?::text[])
            ),
            ins as (
                insert into sales.sale (kind, store_id, pos_terminal, pos_txn_id, original_sale_id, business_date,
                    occurred_at, cashier, member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source,
                    accrue_points, fingerprint)
                select kind, store_id, pos_terminal, pos_txn_id, original_sale_id, business_date, occurred_at, cashier,
                    member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source, accrue_points,
                    decode(fingerprint, 'hex')
                from s order by idx
                on conflict (store_id, pos_txn_id) do nothing
                returning id, store_id, pos_txn_id, recorded_at
            ),
            new_sale as (
                select s.idx, s.store_id, s.business_date, ins.id, ins.recorded_at from ins
                join s on s.store_id = ins.store_id and s.pos_txn_id = ins.pos_txn_id
            ),
            l(idx, line_no, sku, name, brand_id, category_id, counter_id, quantity, unit_price_fen, discount_fen,
              amount_fen, original_line_no) as (
                select * from unnest(?::int[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],
                    ?::numeric[], ?::bigint[], ?::bigint[], ?::bigint[], ?::int[])
            ),
            line_ins as (
                insert into sales.sale_line (sale_id, line_no, store_id, business_date, sku, name, brand_id, category_id,
                    counter_id, quantity, unit_price_fen, discount_fen, amount_fen, original_line_no)
                select n.id, l.line_no, n.store_id, n.business_date, l.sku, l.name, l.brand_id, l.category_id,
                    l.counter_id, l.quantity, l.unit_price_fen, l.discount_fen, l.amount_fen, l.original_line_no
                from l join new_sale n on n.idx = l.idx
            ),
            p(idx, seq, method, amount_fen, reference) as (
                select * from unnest(?::int[], ?::int[], ?::text[], ?::bigint[], ?::text[])
            ),
            pay_ins as (
                insert into sales.sale_payment (sale_id, seq, method, amount_fen, reference)
                select n.id, p.seq, p.method, p.amount_fen, p.reference from p join new_sale n on n.idx = p.idx
            )
            select idx, id, recorded_at from new_sale""";

    private final JdbcClient jdbc;

    SaleWriter(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A ticket just inserted: its id and the transaction's time. */
    record Inserted(long id, OffsetDateTime recordedAt) {}

    /** Inserts the tickets; returns the new ticket by position in {@code tickets} (absent: key existed). */
    Map<Integer, Inserted> insert(List<PreparedTicket> tickets) {
        int n = tickets.size();
        Integer[] idx = new Integer[n];
        String[] kind = new String[n];
        Long[] store = new Long[n];
        String[] terminal = new String[n];
        String[] txn = new String[n];
        Long[] original = new Long[n];
        String[] date = new String[n];
        String[] occurred = new String[n];
        String[] cashier = new String[n];
        Long[] member = new Long[n];
        Long[] gross = new Long[n];
        Long[] discount = new Long[n];
        Long[] total = new Long[n];
        String[] quantity = new String[n];
        Integer[] lineCount = new Integer[n];
        String[] source = new String[n];
        Boolean[] accrue = new Boolean[n];
        String[] fingerprint = new String[n];
        List<Object[]> lines = new ArrayList<>();
        List<Object[]> payments = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PreparedTicket t = tickets.get(i);
            idx[i] = i;
            kind[i] = t.kind().name();
            store[i] = t.storeId();
            terminal[i] = t.posTerminal();
            txn[i] = t.posTxnId();
            original[i] = t.originalSaleId();
            date[i] = t.businessDate().toString();
            occurred[i] = t.occurredAt().toString();
            cashier[i] = t.cashier();
            member[i] = t.memberId();
            gross[i] = t.grossFen();
            discount[i] = t.discountFen();
            total[i] = t.totalFen();
            quantity[i] = t.quantity().toPlainString();
            lineCount[i] = t.lines().size();
            source[i] = t.source().name();
            accrue[i] = t.accruePoints();
            fingerprint[i] = t.fingerprint();
            for (PreparedTicket.Line l : t.lines()) {
                lines.add(new Object[] {
                    i,
                    l.lineNo(),
                    l.sku(),
                    l.name(),
                    l.brandId(),
                    l.categoryId(),
                    l.counterId(),
                    l.quantity().toPlainString(),
                    l.unitPriceFen(),
                    l.discountFen(),
                    l.amountFen(),
                    l.originalLineNo()
                });
            }
            for (PreparedTicket.Payment p : t.payments()) {
                payments.add(new Object[] {i, p.seq(), p.method().name(), p.amountFen(), p.reference()});
            }
        }
        Map<Integer, Inserted> ids = new HashMap<>();
        jdbc.sql(INSERT)
                .params(
                        idx,
                        kind,
                        store,
                        terminal,
                        txn,
                        original,
                        date,
                        occurred,
                        cashier,
                        member,
                        gross,
                        discount,
                        total,
                        quantity,
                        lineCount,
                        source,
                        accrue,
                        fingerprint,
                        column(lines, 0, Integer[]::new),
                        column(lines, 1, Integer[]::new),
                        column(lines, 2, String[]::new),
                        column(lines, 3, String[]::new),
                        column(lines, 4, Long[]::new),
                        column(lines, 5, Long[]::new),
                        column(lines, 6, Long[]::new),
                        column(lines, 7, String[]::new),
                        column(lines, 8, Long[]::new),
                        column(lines, 9, Long[]::new),
                        column(lines, 10, Long[]::new),
                        column(lines, 11, Integer[]::new),
                        column(payments, 0, Integer[]::new),
                        column(payments, 1, Integer[]::new),
                        column(payments, 2, String[]::new),
                        column(payments, 3, Long[]::new),
                        column(payments, 4, String[]::new))
                .query(rs -> {
                    ids.put(rs.getInt(1), new Inserted(rs.getLong(2), rs.getObject(3, OffsetDateTime.class)));
                });
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] column(List<Object[]> rows, int col, java.util.function.IntFunction<T[]> array) {
        T[] out = array.apply(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out[i] = (T) rows.get(i)[col];
        }
        return out;
    }

    /** Existing tickets with these keys. */
    Map<Key, Existing> existing(Collection<Key> keys) {
        Map<Key, Existing> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        Long[] stores = keys.stream().map(Key::storeId).toArray(Long[]::new);
        String[] txns = keys.stream().map(Key::posTxnId).toArray(String[]::new);
        jdbc.sql("""
                select s.id, s.store_id, s.pos_txn_id, encode(s.fingerprint, 'hex') from sales.sale s
                join unnest(?::bigint[], ?::text[]) as k(store_id, pos_txn_id)
                  on s.store_id = k.store_id and s.pos_txn_id = k.pos_txn_id""").params(stores, txns).query(rs -> {
            out.put(new Key(rs.getLong(2), rs.getString(3)), new Existing(rs.getLong(1), rs.getString(4)));
        });
        return out;
    }

    /** Tickets by id with lines and payments, in the order of {@code ids}; unknown ids are skipped. */
    List<Ticket> tickets(List<Long> ids, ReferenceCache.Names names) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Long[] arr = ids.toArray(Long[]::new);
        Map<Long, List<Ticket.Line>> lines = new HashMap<>();
        jdbc.sql("""
                select sale_id, line_no, sku, name, brand_id, category_id, counter_id, quantity, unit_price_fen,
                       discount_fen, amount_fen, original_line_no, returned_quantity, returned_fen
                from sales.sale_line where sale_id = any(?) order by sale_id, line_no""").param(arr).query(rs -> {
            lines.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                    .add(new Ticket.Line(
                            rs.getInt(2),
                            rs.getString(3),
                            rs.getString(4),
                            code(names.brands(), rs, 5),
                            code(names.categories(), rs, 6),
                            code(names.counters(), rs, 7),
                            rs.getBigDecimal(8),
                            rs.getLong(9),
                            rs.getLong(10),
                            rs.getLong(11),
                            (Integer) rs.getObject(12),
                            rs.getBigDecimal(13),
                            rs.getLong(14)));
        });
        Map<Long, List<Ticket.Payment>> payments = new HashMap<>();
        jdbc.sql(
                        "select sale_id, seq, method, amount_fen, reference from sales.sale_payment where sale_id = any(?) order by sale_id, seq")
                .param(arr)
                .query(rs -> {
                    payments.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Ticket.Payment(
                                    rs.getInt(2),
                                    PaymentMethod.valueOf(rs.getString(3)),
                                    rs.getLong(4),
                                    rs.getString(5)));
                });
        Map<Long, Ticket> byId = new LinkedHashMap<>();
        jdbc.sql("""
                select id, kind, store_id, pos_terminal, pos_txn_id, original_sale_id, business_date, occurred_at,
                       cashier, member_id, currency, gross_fen, discount_fen, total_fen, quantity, source,
                       accrue_points, recorded_at
                from sales.sale where id = any(?)""").param(arr).query(rs -> {
            long id = rs.getLong(1);
            byId.put(id, ticket(rs, names, lines.getOrDefault(id, List.of()), payments.getOrDefault(id, List.of())));
        });
        return Tickets.inOrder(ids, byId);
    }

    private static Ticket ticket(
            ResultSet rs, ReferenceCache.Names names, List<Ticket.Line> lines, List<Ticket.Payment> payments)
            throws SQLException {
        return new Ticket(
                rs.getLong(1),
                SaleKind.valueOf(rs.getString(2)),
                rs.getLong(3),
                names.stores().get(rs.getLong(3)),
                rs.getString(4),
                rs.getString(5),
                (Long) rs.getObject(6),
                rs.getObject(7, java.time.LocalDate.class),
                rs.getObject(8, OffsetDateTime.class),
                rs.getString(9),
                (Long) rs.getObject(10),
                rs.getString(11),
                rs.getLong(12),
                rs.getLong(13),
                rs.getLong(14),
                rs.getBigDecimal(15),
                SaleSource.valueOf(rs.getString(16)),
                rs.getBoolean(17),
                rs.getObject(18, OffsetDateTime.class),
                List.copyOf(lines),
                List.copyOf(payments));
    }

    private static String code(Map<Long, String> names, ResultSet rs, int col) throws SQLException {
        long id = rs.getLong(col);
        return rs.wasNull() ? null : names.get(id);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static BigDecimal zeroIfNull(BigDecimal b) {
        return b == null ? BigDecimal.ZERO : b;
    }
}
