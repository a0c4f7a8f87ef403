package dev.patron.segments;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.sales.SaleSource;
import dev.patron.sales.SalesFeed;
import dev.patron.sales.SalesFixtures;
import dev.patron.sales.SalesRecorded;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * New SALE tickets applied incrementally ({@link MemberFacts#applySales}) give exactly the facts and
 * RFM rows a full recompute from all tickets gives: several members with a current row receive a
 * seeded-random sequence of sales over the API (today, recent days, about 200 and 400 days ago, the
 * same day twice, three brands, two categories, both stores, amounts that tie), one of them a return
 * in the middle; then the rows (dim_net and max_sale_id included) are compared with a full recompute
 * of the same members, the incremental path is checked to have been taken, and a redelivered event
 * of an incrementally applied sale changes nothing.
 */
@PatronIntegrationTest
class IncrementalFactsIntegrationTests {

    private static final long SEED = 20261127L;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MemberFacts facts;

    @Autowired
    Rfm rfm;

    @Autowired
    FactsListener listener;

    @Autowired
    SalesFeed feed;

    @Autowired
    TransactionTemplate tx;

    ApiClient admin;
    SalesFixtures fx;
    String brandC = TestData.unique("B");
    String category2 = TestData.unique("K");

    static LocalDate today() {
        return MemberFacts.today();
    }

    private record Line(String brand, String category, long amount) {}

    /** A sale on {@code date} at {@code store} with the given lines; returns its transaction id. */
    private String buy(long member, LocalDate date, String store, List<Line> lines) {
        String txn = TestData.unique("I");
        List<Map<String, Object>> body = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            String counter = store.equals(fx.store) ? fx.counterA : fx.otherCounter;
            body.add(with(line("S" + i, counter, l.brand(), 1, l.amount(), 0), "categoryCode", l.category()));
            total += l.amount();
        }
        var res = admin.post(
                "/api/v1/sales",
                with(
                        fx.sale(txn, total, body),
                        "memberId",
                        member,
                        "storeCode",
                        store,
                        "businessDate",
                        date.toString(),
                        "occurredAt",
                        // ten in the morning, but never in the future (between midnight and ten in Shanghai)
                        java.util.Collections.min(List.of(
                                        date.atTime(10, 0, 1).atOffset(java.time.ZoneOffset.ofHours(8)),
                                        java.time.OffsetDateTime.now(java.time.ZoneOffset.ofHours(8))))
                                .toString()));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    private long counted(long member) {
        return jdbc.sql(
                        "select coalesce(max(tickets + return_tickets), -1) from segments.member_fact where member_id = ?")
                .param(member)
                .query(Long.class)
                .single();
    }

    private void awaitFacts(long... members) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(() -> {
                    for (long m : members) {
                        assertThat(counted(m)).as("facts of %d", m).isEqualTo(FactsIntegrationTests.tickets(jdbc, m));
                    }
                    assertThat(feed.drained()).as("sales feed drained").isTrue();
                });
    }

    /** Every column of the members' facts and RFM rows but updated_at. */
    private List<Map<String, Object>> rows(long... members) {
        return jdbc.sql("""
                        select f.member_id, f.first_purchase_date, f.last_purchase_date, f.purchase_days,
                               f.purchase_days_12m, f.tickets, f.tickets_12m, f.spend_fen, f.spend_12m_fen,
                               f.avg_ticket_fen, f.avg_interval_days, f.favourite_brand_id, f.favourite_category_id,
                               f.favourite_store_id, f.return_tickets, f.returned_fen, f.as_of, f.dim_net::text as dim_net,
                               f.max_sale_id, r.last_purchase_date as rfm_last, r.frequency, r.monetary_fen, r.r_band, r.f_band, r.r_score,
                               r.f_score, r.m_score, r.as_of as rfm_as_of, r.max_sale_id as rfm_max_sale_id
                        from segments.member_fact f full join segments.member_rfm r using (member_id)
                        where member_id = any(?) order by member_id""")
                .param(Arrays.stream(members).boxed().toArray(Long[]::new))
                .query()
                .listOfRows();
    }

    private long id(String table, String code) {
        return jdbc.sql("select id from organization." + table + " where code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    @Test
    void newSalesAppliedIncrementallyEqualAFullRecomputeAndARedeliveryChangesNothing() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        assertThat(admin.post("/api/v1/brands", Map.of("code", brandC, "name", "澜"))
                        .status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/categories", Map.of("code", category2, "name", "鞋履"))
                        .status())
                .isEqualTo(201);
        long[] members = new long[5];
        for (int i = 0; i < members.length; i++) {
            members[i] = fx.member("增量" + TestData.unique("")).path("id").asLong();
            // different recency, frequency and spend: the full rebuild below sets five breakpoints each
            buy(
                    members[i],
                    today().minusDays(30 + 40L * i),
                    fx.store,
                    List.of(new Line(fx.brandA, fx.category, 10_000L * (i + 1))));
            for (int k = 0; k < i; k++) {
                buy(members[i], today().minusDays(3 + k), fx.store, List.of(new Line(fx.brandA, fx.category, 1_000)));
            }
        }
        awaitFacts(members);
        // a full rebuild, so that scores are placed by breakpoints (not null) and dim_net is written by it
        tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        for (long m : members) {
            assertThat(rows(m).get(0).get("dim_net"))
                    .as("dim_net written by the full recompute")
                    .isNotNull();
        }

        Random random = new Random(SEED);
        String[] brands = {fx.brandA, fx.brandB, brandC};
        String[] categories = {fx.category, category2};
        long[] amounts = {5_000, 10_000, 10_000, 20_000};
        LocalDate[] days = {
            today(),
            today().minusDays(1),
            today().minusDays(30), // the first sale's day of one member
            today().minusDays(200),
            today().minusDays(364), // the last day inside the 12 months
            today().minusDays(365), // the first day outside
            today().minusDays(400)
        };
        long before = facts.appliedIncrementally();
        Map<Long, List<LocalDate>> bought = new HashMap<>();
        String toReturn = null;
        int steps = 36;
        for (int step = 0; step < steps; step++) {
            long m = members[random.nextInt(members.length)];
            List<LocalDate> own = bought.computeIfAbsent(m, k -> new ArrayList<>());
            LocalDate date = !own.isEmpty() && random.nextInt(4) == 0
                    ? own.get(random.nextInt(own.size())) // the same day again
                    : days[random.nextInt(days.length)];
            own.add(date);
            String store = random.nextInt(3) == 0 ? fx.otherStore : fx.store;
            List<Line> lines = new ArrayList<>();
            for (int l = 1 + random.nextInt(3); l > 0; l--) {
                lines.add(new Line(
                        brands[random.nextInt(brands.length)],
                        categories[random.nextInt(categories.length)],
                        amounts[random.nextInt(amounts.length)]));
            }
            String txn = buy(m, date, store, lines);
            if (m == members[0] && toReturn == null) {
                toReturn = txn;
            }
            if (random.nextInt(6) == 0) {
                awaitFacts(members); // let some sales go in batches of their own
            }
            if (step == steps / 2) {
                // a return goes through the full recompute; later sales are incremental again
                if (toReturn == null) {
                    toReturn = buy(
                            members[0], today().minusDays(3), fx.store, List.of(new Line(brandC, category2, 20_000)));
                }
                var ret = admin.post("/api/v1/returns", fx.fullReturn(toReturn));
                assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
                awaitFacts(members);
            }
        }
        // a same-day pair in quick succession for every member
        for (long m : members) {
            buy(m, today().minusDays(2), fx.store, List.of(new Line(fx.brandB, fx.category, 5_000)));
            buy(m, today().minusDays(2), fx.otherStore, List.of(new Line(brandC, category2, 5_000)));
        }
        awaitFacts(members);
        long applied = facts.appliedIncrementally() - before;
        // every member had at least one batch of new sales after its row was current (the final pairs
        // come after a drained feed); other test classes only add to the counter
        assertThat(applied).as("members applied incrementally").isGreaterThanOrEqualTo(members.length);

        List<Map<String, Object>> incremental = rows(members);
        assertThat(incremental).hasSize(members.length);
        // the breakpoints are not all one score: placing by them is exercised
        for (String dimension : List.of("R", "F", "M")) {
            assertThat(jdbc.sql("select count(*) from segments.rfm_break where dimension = ?")
                            .param(dimension)
                            .query(Long.class)
                            .single())
                    .as("breakpoints of %s", dimension)
                    .isGreaterThan(1);
        }
        for (Map<String, Object> row : incremental) {
            assertThat(row.get("as_of")).isEqualTo(java.sql.Date.valueOf(today()));
            assertThat(row.get("rfm_as_of")).isEqualTo(java.sql.Date.valueOf(today()));
            assertThat(row.get("r_score")).isNotNull();
        }

        // dim_net against an independent sum over the tickets and lines
        for (long m : members) {
            Map<String, Object> expected = jdbc.sql("""
                            select jsonb_build_object(
                              'b', (select coalesce(jsonb_object_agg(b, n), '{}') from (select l.brand_id::text b, sum(l.amount_fen) n
                                    from sales.sale s join sales.sale_line l on l.sale_id = s.id
                                    where s.member_id = ? and s.business_date <= ? and l.brand_id is not null group by 1) x),
                              'c', (select coalesce(jsonb_object_agg(c, n), '{}') from (select l.category_id::text c, sum(l.amount_fen) n
                                    from sales.sale s join sales.sale_line l on l.sale_id = s.id
                                    where s.member_id = ? and s.business_date <= ? and l.category_id is not null group by 1) x),
                              's', (select coalesce(jsonb_object_agg(st, n), '{}') from (select s.store_id::text st, sum(s.total_fen) n
                                    from sales.sale s where s.member_id = ? and s.business_date <= ? group by 1) x)
                            )::text as dim_net""")
                    .params(m, today(), m, today(), m, today())
                    .query()
                    .singleRow();
            assertThat(rows(m).get(0).get("dim_net")).as("dim_net of %d", m).isEqualTo(expected.get("dim_net"));
        }

        // the same members recomputed from all their tickets: identical rows
        List<Long> ids = Arrays.stream(members).boxed().toList();
        tx.executeWithoutResult(t -> {
            TicketSource source = TicketSource.members(ids, today());
            facts.recompute(source, today());
            rfm.rescore(source, today());
        });
        List<Map<String, Object>> full = rows(members);
        assertThat(full).isEqualTo(incremental);

        // the favourites moved and tied on the way: at least one member's favourite brand is not A
        assertThat(full.stream().map(r -> r.get("favourite_brand_id")).distinct())
                .hasSizeGreaterThan(1);
        assertThat(full.stream().map(r -> r.get("favourite_store_id"))).contains(id("v_store", fx.otherStore));

        // the event of the last (incrementally applied) sale of a member delivered again: nothing changes
        long m = members[1];
        Map<String, Object> last = jdbc.sql("""
                        select id, store_id, business_date, total_fen from sales.sale where member_id = ?
                        order by id desc limit 1""").param(m).query().singleRow();
        RecordedSale again = new RecordedSale(
                ((Number) last.get("id")).longValue(),
                SaleKind.SALE,
                ((Number) last.get("store_id")).longValue(),
                m,
                ((java.sql.Date) last.get("business_date")).toLocalDate(),
                OffsetDateTime.now(),
                ((Number) last.get("total_fen")).longValue(),
                SaleSource.POS,
                true,
                null);
        tx.executeWithoutResult(st -> listener.onSales(List.of(new SalesRecorded(List.of(again)))));
        tx.executeWithoutResult(st -> listener.onSales(List.of(new SalesRecorded(List.of(again)))));
        List<Map<String, Object>> redelivered = rows(members);
        assertThat(redelivered).isEqualTo(full);
    }

    /** The member's RFM frequency and monetary, and its facts tickets. */
    private List<Long> counts(long member) {
        return jdbc.sql("""
                        select r.frequency, r.monetary_fen, f.tickets from segments.member_rfm r
                        join segments.member_fact f using (member_id) where member_id = ?""")
                .param(member)
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                .single();
    }

    /**
     * The roll recomputes from tickets only the members whose windows moved and places everybody
     * else by the figures their rows hold: a ticket whose event the facts consumer has not applied
     * yet is counted by neither row until the event comes, then by both, once. And while a roll's
     * transaction is open the facts consumer waits for it, instead of writing rows the roll then
     * overwrites with what it read before.
     */
    @Test
    void aTicketTheRollCountedBeforeItsEventIsCountedOnceAndTheConsumerWaitsForTheRoll() throws Exception {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        long m = fx.member("滚动" + TestData.unique("")).path("id").asLong();
        buy(m, today().minusDays(5), fx.store, List.of(new Line(fx.brandA, fx.category, 10_000)));
        awaitFacts(m);
        // refreshed today: the roll below moves no window, so it leaves this member's facts as they are
        tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        String consumer = "/api/v1/sales/feed/segments.facts/";
        assertThat(admin.post(consumer + "pause", Map.of()).status()).isEqualTo(200);
        try {
            buy(m, today().minusDays(3), fx.store, List.of(new Line(fx.brandB, fx.category, 20_000)));
            tx.executeWithoutResult(t -> rfm.roll(today()));
            assertThat(counts(m)).as("neither row counted the new ticket yet").containsExactly(1L, 10_000L, 1L);
        } finally {
            assertThat(admin.post(consumer + "resume", Map.of()).status()).isEqualTo(200);
        }
        awaitFacts(m);
        assertThat(counts(m)).as("the ticket counted once").containsExactly(2L, 30_000L, 2L);

        // a roll holds its transaction open; a sale arrives meanwhile
        java.util.concurrent.CountDownLatch rolled = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        var roll = java.util.concurrent.CompletableFuture.runAsync(() -> tx.executeWithoutResult(t -> {
            rfm.roll(today());
            rolled.countDown();
            try {
                assertThat(release.await(60, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }));
        try {
            assertThat(rolled.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            buy(m, today().minusDays(1), fx.store, List.of(new Line(fx.brandA, fx.category, 40_000)));
            // the consumer waits for the roll's lock on the facts table (not for a row: a row lock
            // would let it write between the roll's statements)
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(25))
                    .until(() -> jdbc.sql("""
                                    select count(*) from pg_locks where locktype = 'relation' and not granted
                                      and relation = 'segments.member_fact'::regclass""").query(Long.class).single() > 0);
            assertThat(counts(m)).as("nothing written during the roll").containsExactly(2L, 30_000L, 2L);
        } finally {
            release.countDown();
            roll.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        awaitFacts(m);
        assertThat(counts(m)).containsExactly(3L, 70_000L, 3L);
        List<Map<String, Object>> kept = rows(m);
        tx.executeWithoutResult(t -> {
            TicketSource source = TicketSource.members(List.of(m), today());
            facts.recompute(source, today());
            rfm.rescore(source, today());
        });
        assertThat(rows(m)).isEqualTo(kept);
    }

    /**
     * A ticket leaving the window makes the roll update only the member's 12-month figures, from the
     * tickets its row counts: a ticket whose event has not come yet is left to that event, which then
     * counts it once, in the lifetime and the 12-month figures alike.
     */
    @Test
    void theRollsWindowUpdateLeavesATicketOnItsWayToItsEvent() throws Exception {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        long m = fx.member("窗口" + TestData.unique("")).path("id").asLong();
        buy(m, today().minusDays(366), fx.store, List.of(new Line(fx.brandA, fx.category, 10_000)));
        awaitFacts(m);
        // as of two days ago the ticket is inside the 365 days; as of today it is not
        tx.executeWithoutResult(t -> rfm.refreshAll(today().minusDays(2)));
        String consumer = "/api/v1/sales/feed/segments.facts/";
        assertThat(admin.post(consumer + "pause", Map.of()).status()).isEqualTo(200);
        try {
            buy(m, today().minusDays(3), fx.store, List.of(new Line(fx.brandB, fx.category, 20_000)));
            FactsRefresh roll = tx.execute(t -> rfm.roll(today()));
            assertThat(roll.mode()).isEqualTo(FactsRefresh.ROLL);
            assertThat(window(m))
                    .as("the old ticket left the 12 months; the new one is not counted yet")
                    .containsExactly(1L, 0L, 0L, 10_000L);
        } finally {
            assertThat(admin.post(consumer + "resume", Map.of()).status()).isEqualTo(200);
        }
        awaitFacts(m);
        assertThat(window(m)).as("counted once").containsExactly(2L, 1L, 20_000L, 30_000L);
        List<Map<String, Object>> kept = rows(m);
        tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        assertThat(rows(m)).isEqualTo(kept);
    }

    /** The member's lifetime tickets, 12-month tickets, 12-month spend and lifetime spend. */
    private List<Long> window(long member) {
        return jdbc.sql("""
                        select tickets::bigint, tickets_12m::bigint, spend_12m_fen, spend_fen
                        from segments.member_fact where member_id = ?""")
                .param(member)
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .single();
    }
}
