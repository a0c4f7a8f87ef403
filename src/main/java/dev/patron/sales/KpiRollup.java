package dev.patron.sales;

import java.time.LocalDate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Maintains the daily KPI tables ({@code sales.daily_kpi}, {@code daily_dim_tickets},
 * {@code daily_store_kpi}) and {@code sales.member_purchase} from {@link SalesRecorded} events,
 * exactly once: applying an event inserts its first sale id into {@code sales.kpi_applied} in the
 * same transaction, and an event whose id is there already (redelivered after a crash) is skipped.
 * The aggregates are read from the stored tickets (committed with the event), so the rollup equals
 * what {@link #rebuild} computes from the raw tables.
 *
 * <p>{@link #rebuild} recomputes a date range from the raw tables. It locks {@code kpi_applied}
 * (waiting for events being applied, holding back new ones) before its REPEATABLE READ snapshot is
 * taken; tickets in that snapshot whose events are still pending in the sales feed are covered by the
 * rebuild, so it marks those events applied (and applies their tickets outside the range itself).
 */
@Component
class KpiRollup implements SalesFeedConsumer {

    private static final Logger log = LoggerFactory.getLogger(KpiRollup.class);
    static final LocalDate NO_DATE = LocalDate.of(1, 1, 1);

    private final JdbcClient jdbc;
    private final SalesFeed feed;

    KpiRollup(JdbcClient jdbc, SalesFeed feed) {
        this.jdbc = jdbc;
        this.feed = feed;
    }

    @Override
    public String feedName() {
        return "sales.kpi";
    }

    /** From the sales feed (in its transaction): the events' tickets in one pass. */
    @Override
    public void onSales(List<SalesRecorded> events) {
        apply(events, NO_DATE, NO_DATE);
    }

    /** Applies the event unless applied before; tickets dated within [skipFrom, skipTo] are left out. */
    boolean apply(SalesRecorded event, LocalDate skipFrom, LocalDate skipTo) {
        return apply(List.of(event), skipFrom, skipTo) > 0;
    }

    /**
     * Applies the events not applied before (one marker per event, keyed by its first sale id) in one
     * set of statements; tickets dated within [skipFrom, skipTo] are left out. Returns how many events
     * were applied now.
     */
    int apply(List<SalesRecorded> events, LocalDate skipFrom, LocalDate skipTo) {
        List<SalesRecorded> nonEmpty =
                events.stream().filter(e -> !e.sales().isEmpty()).toList();
        if (nonEmpty.isEmpty()) {
            return 0;
        }
        Long[] firsts = nonEmpty.stream().map(e -> e.sales().get(0).saleId()).toArray(Long[]::new);
        Integer[] counts = nonEmpty.stream().map(e -> e.sales().size()).toArray(Integer[]::new);
        java.util.Set<Long> marked = new java.util.HashSet<>(
                jdbc.sql("""
                        insert into sales.kpi_applied (first_sale_id, tickets)
                        select f, c from unnest(?::bigint[], ?::int[]) as x(f, c) order by f
                        on conflict do nothing returning first_sale_id""").params(firsts, counts).query(Long.class).list());
        List<SalesRecorded> fresh = nonEmpty.stream()
                .filter(e -> marked.contains(e.sales().get(0).saleId()))
                .toList();
        if (fresh.size() < nonEmpty.size()) {
            log.debug("{} SalesRecorded events were applied before; skipped", nonEmpty.size() - fresh.size());
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        Long[] ids = fresh.stream()
                .flatMap(e -> e.sales().stream())
                .map(RecordedSale::saleId)
                .toArray(Long[]::new);
        String lineWhere = "l.sale_id = any(?) and l.business_date not between ? and ?";
        String saleWhere = "s.id = any(?) and s.business_date not between ? and ?";
        Object[] params = {ids, skipFrom, skipTo};
        jdbc.sql(cells(lineWhere) + CELL_UPSERT).params(params).update();
        jdbc.sql(dimTickets(lineWhere) + DIM_UPSERT).params(params).update();
        jdbc.sql(stores(saleWhere) + STORE_UPSERT).params(params).update();
        jdbc.sql(MEMBER_UPSERT).param(ids).update();
        return fresh.size();
    }

    /**
     * Recomputes the KPI rows of [from, to] from the raw tickets, and the first/last purchase dates of
     * the members who bought in that range. Returns the number of store-days with tickets in the range.
     */
    @Transactional(isolation = Isolation.REPEATABLE_READ)
    public long rebuild(LocalDate from, LocalDate to) {
        // before any query: the snapshot is taken after the lock, when no event is half applied
        jdbc.sql("lock table sales.kpi_applied in exclusive mode").update();
        for (String table : List.of("daily_kpi", "daily_dim_tickets", "daily_store_kpi")) {
            jdbc.sql("delete from sales." + table + " where business_date between ? and ?")
                    .params(from, to)
                    .update();
        }
        String lineWhere = "l.business_date between ? and ?";
        String saleWhere = "s.business_date between ? and ?";
        jdbc.sql(cells(lineWhere) + CELL_UPSERT).params(from, to).update();
        jdbc.sql(dimTickets(lineWhere) + DIM_UPSERT).params(from, to).update();
        long storeDays =
                jdbc.sql(stores(saleWhere) + STORE_UPSERT).params(from, to).update();
        jdbc.sql("""
                insert into sales.member_purchase as m (member_id, first_date, last_date)
                select s.member_id, min(s.business_date), max(s.business_date) from sales.sale s
                where s.kind = 'SALE' and s.member_id in (
                    select member_id from sales.sale
                    where business_date between ? and ? and kind = 'SALE' and member_id is not null)
                group by s.member_id order by s.member_id
                on conflict (member_id) do update set first_date = excluded.first_date, last_date = excluded.last_date""").params(from, to).update();
        // tickets of events still waiting in the feed are in this snapshot: covered by the rebuild
        apply(pendingEvents(), from, to);
        return storeDays;
    }

    private List<SalesRecorded> pendingEvents() {
        return feed.waitingFor(feedName());
    }

    // ------------------------------------------------------------------ SQL (rows sorted by key: no deadlocks)

    private static String cells(String where) {
        return """
                insert into sales.daily_kpi as k (business_date, store_id, counter_id, brand_id, net_fen, gross_fen,
                    returns_fen, discount_fen, quantity, member_net_fen)
                select l.business_date, l.store_id, coalesce(l.counter_id, 0), coalesce(l.brand_id, 0),
                    sum(l.amount_fen),
                    coalesce(sum(l.amount_fen) filter (where s.kind = 'SALE'), 0),
                    coalesce(-sum(l.amount_fen) filter (where s.kind = 'RETURN'), 0),
                    coalesce(sum(l.discount_fen) filter (where s.kind = 'SALE'), 0),
                    sum(l.quantity),
                    coalesce(sum(l.amount_fen) filter (where s.member_id is not null), 0)
                from sales.sale_line l join sales.sale s on s.id = l.sale_id
                where %s
                group by 1, 2, 3, 4 order by 1, 2, 3, 4
                """.formatted(where);
    }

    private static final String CELL_UPSERT = """
            on conflict (business_date, store_id, counter_id, brand_id) do update set
                net_fen = k.net_fen + excluded.net_fen,
                gross_fen = k.gross_fen + excluded.gross_fen,
                returns_fen = k.returns_fen + excluded.returns_fen,
                discount_fen = k.discount_fen + excluded.discount_fen,
                quantity = k.quantity + excluded.quantity,
                member_net_fen = k.member_net_fen + excluded.member_net_fen""";

    private static String dimTickets(String where) {
        // one pass over the lines for both dimensions (grouping sets), rows sorted by key
        return """
                insert into sales.daily_dim_tickets as d (business_date, store_id, dim, dim_id, sale_tickets)
                select * from (
                    select l.business_date, l.store_id,
                        case when grouping(l.counter_id) = 0 then 'C' else 'B' end,
                        coalesce(case when grouping(l.counter_id) = 0 then l.counter_id else l.brand_id end, 0),
                        count(distinct l.sale_id)
                    from sales.sale_line l join sales.sale s on s.id = l.sale_id
                    where s.kind = 'SALE' and %s
                    group by grouping sets ((l.business_date, l.store_id, l.counter_id),
                                            (l.business_date, l.store_id, l.brand_id))
                ) t order by 1, 2, 3, 4
                """.formatted(where);
    }

    private static final String DIM_UPSERT = """
            on conflict (business_date, store_id, dim, dim_id) do update set
                sale_tickets = d.sale_tickets + excluded.sale_tickets""";

    private static String stores(String where) {
        return """
                insert into sales.daily_store_kpi as k (business_date, store_id, net_fen, gross_fen, returns_fen,
                    discount_fen, quantity, sale_tickets, return_tickets, member_net_fen, member_tickets)
                select s.business_date, s.store_id,
                    sum(s.total_fen),
                    coalesce(sum(s.total_fen) filter (where s.kind = 'SALE'), 0),
                    coalesce(-sum(s.total_fen) filter (where s.kind = 'RETURN'), 0),
                    coalesce(sum(s.discount_fen) filter (where s.kind = 'SALE'), 0),
                    sum(s.quantity),
                    count(*) filter (where s.kind = 'SALE'),
                    count(*) filter (where s.kind = 'RETURN'),
                    coalesce(sum(s.total_fen) filter (where s.member_id is not null), 0),
                    count(*) filter (where s.kind = 'SALE' and s.member_id is not null)
                from sales.sale s
                where %s
                group by 1, 2 order by 1, 2
                """.formatted(where);
    }

    private static final String STORE_UPSERT = """
            on conflict (business_date, store_id) do update set
                net_fen = k.net_fen + excluded.net_fen,
                gross_fen = k.gross_fen + excluded.gross_fen,
                returns_fen = k.returns_fen + excluded.returns_fen,
                discount_fen = k.discount_fen + excluded.discount_fen,
                quantity = k.quantity + excluded.quantity,
                sale_tickets = k.sale_tickets + excluded.sale_tickets,
                return_tickets = k.return_tickets + excluded.return_tickets,
                member_net_fen = k.member_net_fen + excluded.member_net_fen,
                member_tickets = k.member_tickets + excluded.member_tickets""";

    private static final String MEMBER_UPSERT = """
            insert into sales.member_purchase as m (member_id, first_date, last_date)
            select s.member_id, min(s.business_date), max(s.business_date) from sales.sale s
            where s.id = any(?) and s.kind = 'SALE' and s.member_id is not null
            group by s.member_id order by s.member_id
            on conflict (member_id) do update set
                first_date = least(m.first_date, excluded.first_date),
                last_date = greatest(m.last_date, excluded.last_date)""";
}
