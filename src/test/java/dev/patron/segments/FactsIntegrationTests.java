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
import dev.patron.sales.SalesFixtures;
import dev.patron.sales.SalesRecorded;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Member facts and RFM over real HTTP and PostgreSQL: facts after sales, returns and merges (and
 * the undo), a redelivered event changing nothing, the 12-month figures and the cells moving as days
 * pass (refresh as of a given day) with the month-end snapshot and migration matrix, the R×F grid
 * and quintile scores with ties on hand-made data, the pyramid against an independent computation,
 * settings and cell editing with validation and audit, and the roles.
 */
@PatronIntegrationTest
class FactsIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    FactsListener listener;

    @Autowired
    FactsChangedProbe probe;

    @Autowired
    Rfm rfm;

    @Autowired
    TransactionTemplate tx;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    static LocalDate today() {
        return MemberFacts.today();
    }

    static void await(BooleanSupplier condition, Supplier<String> state) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(
                        () -> assertThat(condition.getAsBoolean()).as(state).isTrue());
    }

    private long member() {
        return fx.member("事实" + TestData.unique("")).path("id").asLong();
    }

    /** A sale of one line per amount (brand A for even lines, B for odd, all in the category) on {@code date}. */
    private String buy(long member, LocalDate date, String store, long... amounts) {
        String txn = TestData.unique("F");
        List<Map<String, Object>> lines = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < amounts.length; i++) {
            String counter = store.equals(fx.store) ? fx.counterA : fx.otherCounter;
            lines.add(with(
                    line("S" + i, counter, i % 2 == 0 ? fx.brandA : fx.brandB, 1, amounts[i], 0),
                    "categoryCode",
                    fx.category));
            total += amounts[i];
        }
        Map<String, Object> sale = with(
                fx.sale(txn, total, lines),
                "memberId",
                member,
                "storeCode",
                store,
                "businessDate",
                date.toString(),
                "occurredAt",
                date + "T00:00:01+08:00");
        var res = admin.post("/api/v1/sales", sale);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    private JsonNode facts(long member) {
        var res = admin.get("/api/v1/members/" + member + "/facts");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    /** The member's tickets (sales and returns) as recorded. */
    static long tickets(JdbcClient jdbc, long member) {
        return jdbc.sql("select count(*) from sales.sale where member_id = ?")
                .param(member)
                .query(Long.class)
                .single();
    }

    /**
     * Until the facts count every ticket of the member and no event naming the member waits for the
     * facts consumer: a recompute for the first sale may already count the second, whose own event
     * (applied a moment later, as of today) would otherwise land in the middle of a test that
     * refreshes as of another day.
     */
    private void awaitFacts(long member) {
        await(
                () -> facts(member).path("facts").path("tickets").asLong()
                                        + facts(member)
                                                .path("facts")
                                                .path("returnTickets")
                                                .asLong()
                                == tickets(jdbc, member)
                        && !factsPending(jdbc, member),
                () -> facts(member).toString());
    }

    /** Whether an event with a ticket of the member still waits for the facts consumer. */
    static boolean factsPending(JdbcClient jdbc, long member) {
        return jdbc.sql("""
                        select exists (select 1 from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id
                            where d.consumer = 'segments.facts' and exists (
                                select 1 from json_array_elements(e.payload -> 'sales') x
                                where (x ->> 'memberId')::bigint = ?))""").param(member).query(Boolean.class).single();
    }

    private long brandId(String code) {
        return jdbc.sql("select id from organization.v_brand where code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    // ------------------------------------------------------------------ facts kept current

    @Test
    void factsFollowSalesAndReturnsAndARedeliveredEventChangesNothing() {
        long m = member();
        LocalDate old = today().minusDays(400);
        LocalDate recent = today().minusDays(30);
        buy(m, old, fx.store, 10_000); // brand A
        String big = buy(m, recent, fx.store, 20_000, 30_000); // A 200, B 300
        buy(m, recent, fx.otherStore, 5_000); // A 50, the other store
        var ret = admin.post("/api/v1/returns", fx.fullReturn(big));
        assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
        awaitFacts(m);
        JsonNode f = facts(m).path("facts");
        assertThat(f.path("firstPurchaseDate").asString()).isEqualTo(old.toString());
        assertThat(f.path("lastPurchaseDate").asString()).isEqualTo(recent.toString());
        assertThat(f.path("purchaseDays").asInt()).isEqualTo(2);
        assertThat(f.path("purchaseDays12m").asInt()).isEqualTo(1);
        assertThat(f.path("tickets").asInt()).isEqualTo(3);
        assertThat(f.path("tickets12m").asInt()).isEqualTo(2);
        // 100 + 500 + 50 − 500 (the return, on its own day: today)
        assertThat(f.path("spendFen").asLong()).isEqualTo(15_000);
        assertThat(f.path("spend12mFen").asLong()).isEqualTo(5_000);
        assertThat(f.path("avgTicketFen").asLong()).isEqualTo(5_000);
        assertThat(f.path("avgIntervalDays").decimalValue()).isEqualByComparingTo("370");
        assertThat(f.path("returnTickets").asInt()).isEqualTo(1);
        assertThat(f.path("returnedFen").asLong()).isEqualTo(50_000);
        // net by brand: A 100 + 200 − 200 + 50 = 150, B 300 − 300 = 0; by store: S 100, other 50
        assertThat(f.path("favouriteBrand").path("code").asString()).isEqualTo(fx.brandA);
        assertThat(f.path("favouriteCategory").path("code").asString()).isEqualTo(fx.category);
        assertThat(f.path("favouriteStore").path("code").asString()).isEqualTo(fx.store);
        assertThat(f.path("asOf").asString()).isEqualTo(today().toString());
        JsonNode r = facts(m).path("rfm");
        assertThat(r.path("recencyDays").asInt()).isEqualTo(30);
        assertThat(r.path("rBand").asString()).isEqualTo("ACTIVE");
        assertThat(r.path("fBand").asString()).isEqualTo("NEW"); // one purchase day in 12 months
        assertThat(r.path("monetaryFen").asLong()).isEqualTo(5_000);
        await(() -> probe.timesSeen(m) >= 1, () -> "MemberFactsChanged for " + m);

        // the event of the first sale delivered again: nothing changes, the change is announced again
        String before = facts(m).toString();
        long seen = probe.timesSeen(m);
        Long saleId = jdbc.sql("select min(id) from sales.sale where member_id = ?")
                .param(m)
                .query(Long.class)
                .single();
        RecordedSale again = new RecordedSale(
                saleId, SaleKind.SALE, 1L, m, old, OffsetDateTime.now(), 10_000, SaleSource.POS, true, null);
        // as the sales feed delivers it: in a transaction, as a batch
        tx.executeWithoutResult(st -> listener.onSales(List.of(new SalesRecorded(List.of(again)))));
        tx.executeWithoutResult(st -> listener.onSales(List.of(new SalesRecorded(List.of(again)))));
        await(() -> probe.timesSeen(m) >= seen + 2, () -> "announced again");
        assertThat(facts(m).toString()).isEqualTo(before);

        // the 360 view shows the panel; the sales panel no longer computes interval and favourites
        JsonNode member = admin.get("/api/v1/members/" + m).json();
        JsonNode panel = null;
        for (JsonNode p : member.path("panels")) {
            if ("facts".equals(p.path("key").asString())) {
                panel = p;
            }
        }
        assertThat(panel).as(member.toString()).isNotNull();
        assertThat(panel.path("data").path("facts").path("purchaseDays").asInt())
                .isEqualTo(2);
        assertThat(panel.path("data").path("rfm").path("cellNameZh").asString()).isEqualTo("活跃新客户");
    }

    @Test
    void aMergeGivesTheSurvivorBothMembersFactsAndTheUndoGivesThemBack() {
        long survivor = member();
        long merged = member();
        buy(survivor, today().minusDays(10), fx.store, 10_000);
        buy(merged, today().minusDays(20), fx.store, 30_000);
        buy(merged, today().minusDays(40), fx.store, 30_000);
        awaitFacts(survivor);
        awaitFacts(merged);
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        await(
                () -> facts(survivor).path("facts").path("tickets").asInt() == 3,
                () -> facts(survivor).toString());
        JsonNode s = facts(survivor);
        assertThat(s.path("facts").path("spendFen").asLong()).isEqualTo(70_000);
        assertThat(s.path("facts").path("firstPurchaseDate").asString())
                .isEqualTo(today().minusDays(40).toString());
        assertThat(s.path("facts").path("purchaseDays").asInt()).isEqualTo(3);
        assertThat(s.path("rfm").path("fBand").asString()).isEqualTo("OLD");
        await(() -> facts(merged).path("facts").isNull(), () -> facts(merged).toString());
        assertThat(facts(merged).path("rfm").isNull()).isTrue();

        var undo = admin.post(
                "/api/v1/members/" + survivor + "/merges/"
                        + merge.json().path("id").asLong() + "/undo",
                Map.of());
        assertThat(undo.status()).as(undo.raw()).isIn(200, 201);
        await(
                () -> facts(merged).path("facts").path("tickets").asInt() == 2,
                () -> facts(merged).toString());
        await(
                () -> facts(survivor).path("facts").path("tickets").asInt() == 1,
                () -> facts(survivor).toString());
        assertThat(facts(survivor).path("facts").path("spendFen").asLong()).isEqualTo(10_000);
        assertThat(facts(merged).path("facts").path("spendFen").asLong()).isEqualTo(60_000);
        assertThat(facts(merged).path("rfm").path("fBand").asString()).isEqualTo("SECOND");
    }

    // ------------------------------------------------------------------ time passing

    @Test
    void aRefreshAsOfALaterDayMovesTheTwelveMonthFiguresAndCellsAndTheMonthEndSnapshotFeedsTheMigration() {
        long m = member();
        buy(m, today().minusDays(370), fx.store, 10_000);
        buy(m, today().minusDays(10), fx.store, 20_000);
        awaitFacts(m);
        LocalDate lastMonth = today().minusMonths(1);
        try {
            // as of a day last month: only the old sale counts
            tx.executeWithoutResult(t -> rfm.refreshAll(lastMonth));
            JsonNode then = facts(m);
            assertThat(then.path("facts").path("asOf").asString()).isEqualTo(lastMonth.toString());
            assertThat(then.path("facts").path("tickets").asInt()).isEqualTo(1);
            assertThat(then.path("facts").path("spend12mFen").asLong()).isEqualTo(10_000);
            assertThat(then.path("rfm").path("rBand").asString()).isEqualTo("SLEEPING"); // 340 days or so
            assertThat(then.path("rfm").path("fBand").asString()).isEqualTo("NEW");

            // as of today the old sale is out of the 365 days; last month's state is snapshot first
            FactsRefresh now = tx.execute(t -> rfm.refreshAll(today()));
            assertThat(now.facts()).isPositive();
            assertThat(now.snapshotTaken()).isTrue();
            JsonNode f = facts(m);
            assertThat(f.path("facts").path("purchaseDays12m").asInt()).isEqualTo(1);
            assertThat(f.path("facts").path("spend12mFen").asLong()).isEqualTo(20_000);
            assertThat(f.path("facts").path("spendFen").asLong()).isEqualTo(30_000);
            assertThat(f.path("rfm").path("recencyDays").asInt()).isEqualTo(10);
            assertThat(f.path("rfm").path("rBand").asString()).isEqualTo("ACTIVE");

            // last month's end state was snapshot before the first refresh of this month
            Integer cell = jdbc.sql("select cell from segments.rfm_snapshot where month = ? and member_id = ?")
                    .params(lastMonth.withDayOfMonth(1), m)
                    .query(Integer.class)
                    .single();
            assertThat(Rfm.cellName(cell)).isEqualTo("SLEEPING/NEW");
            JsonNode migration = admin.get("/api/v1/rfm/migration").json();
            assertThat(migration.path("fromMonth").asString())
                    .isEqualTo(lastMonth.withDayOfMonth(1).toString());
            long expected = jdbc.sql("""
                            select count(*) from segments.rfm_snapshot s join segments.member_rfm r using (member_id)
                            where s.month = ? and s.cell = 8 and r.r_band = 'ACTIVE' and r.f_band = 'NEW'""")
                    .param(lastMonth.withDayOfMonth(1))
                    .query(Long.class)
                    .single();
            long shown = 0;
            for (JsonNode move : migration.path("moves")) {
                if ("SLEEPING/NEW".equals(move.path("fromCell").asString())
                        && "ACTIVE/NEW".equals(move.path("toCell").asString())) {
                    shown = move.path("members").asLong();
                }
            }
            assertThat(shown).isEqualTo(expected).isPositive();

            // as of 9 days before today the old sale is still inside the 365 days
            tx.executeWithoutResult(t -> rfm.refreshAll(today().minusDays(9)));
            assertThat(facts(m).path("facts").path("purchaseDays12m").asInt()).isEqualTo(2);
            assertThat(facts(m).path("facts").path("spend12mFen").asLong()).isEqualTo(30_000);
        } finally {
            tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        }
    }

    /** The member's facts and RFM rows as the refresh wrote them, without the bookkeeping columns. */
    private List<Map<String, Object>> rows(long... members) {
        return jdbc.sql("""
                        select f.member_id, f.first_purchase_date, f.last_purchase_date, f.purchase_days,
                               f.purchase_days_12m, f.tickets, f.tickets_12m, f.spend_fen, f.spend_12m_fen,
                               f.avg_ticket_fen, f.avg_interval_days, f.favourite_brand_id, f.favourite_category_id,
                               f.favourite_store_id, f.return_tickets, f.returned_fen, r.last_purchase_date as rfm_last, r.frequency,
                               r.monetary_fen, r.r_band, r.f_band, r.r_score, r.f_score, r.m_score
                        from segments.member_fact f full join segments.member_rfm r using (member_id)
                        where member_id = any(?) order by member_id""")
                .param(Arrays.stream(members).boxed().toArray(Long[]::new))
                .query()
                .listOfRows();
    }

    @Test
    void theDailyRollRecomputesOnlyMembersWhoseWindowMovedAndEqualsAFullRebuild() {
        LocalDate from = today().minusDays(5);
        long leaving = member(); // one ticket leaves the 365 days between `from` and today, one stays
        buy(leaving, today().minusDays(368), fx.store, 10_000);
        buy(leaving, today().minusDays(30), fx.store, 5_000);
        long lapsing = member(); // its only ticket leaves the window: 12-month figures drop to zero
        buy(lapsing, today().minusDays(366), fx.store, 7_000);
        long steady = member(); // inside the window all along
        buy(steady, today().minusDays(100), fx.store, 8_000);
        long late = member(); // dated after `from`: a rebuild as of `from` does not see it
        buy(late, today().minusDays(2), fx.store, 9_000);
        long gone = member(); // left the window before `from`
        buy(gone, today().minusDays(400), fx.store, 4_000);
        long[] all = {leaving, lapsing, steady, late, gone};
        for (long m : all) {
            awaitFacts(m);
        }
        try {
            tx.executeWithoutResult(t -> rfm.refreshAll(from));
            assertThat(rows(late)).isEmpty();

            FactsRefresh roll = tx.execute(t -> rfm.roll(today()));
            assertThat(roll.mode()).isEqualTo(FactsRefresh.ROLL);
            assertThat(roll.from()).isEqualTo(from);
            List<Map<String, Object>> rolled = rows(all);
            Map<Long, LocalDate> rowAsOf = new HashMap<>();
            jdbc.sql("select member_id, as_of from segments.member_fact where member_id = any(?)")
                    .param(Arrays.stream(all).boxed().toArray(Long[]::new))
                    .query((rs, n) -> rowAsOf.put(rs.getLong(1), rs.getObject(2, LocalDate.class)))
                    .list();
            // recomputed: the members whose window moved and the late ticket's buyer; the others kept
            assertThat(rowAsOf)
                    .containsEntry(leaving, today())
                    .containsEntry(lapsing, today())
                    .containsEntry(late, today())
                    .containsEntry(steady, from)
                    .containsEntry(gone, from);
            // ... and still read as of the roll's day
            assertThat(facts(steady).path("facts").path("asOf").asString()).isEqualTo(today().toString());
            assertThat(facts(leaving).path("facts").path("spend12mFen").asLong())
                    .isEqualTo(5_000);
            assertThat(facts(lapsing).path("facts").path("purchaseDays12m").asInt())
                    .isZero();
            assertThat(facts(late).path("facts").path("tickets").asInt()).isEqualTo(1);

            FactsRefresh full = tx.execute(t -> rfm.refreshAll(today()));
            assertThat(full.mode()).isEqualTo(FactsRefresh.FULL);
            assertThat(rows(all)).isEqualTo(rolled);

            // an earlier day, or a gap beyond MAX_ROLL_DAYS, cannot roll: it rebuilds
            assertThat(tx.execute(t -> rfm.roll(from)).mode()).isEqualTo(FactsRefresh.FULL);
            LocalDate farBack = today().minusDays(Rfm.MAX_ROLL_DAYS + 1L);
            tx.executeWithoutResult(t -> rfm.refreshAll(farBack));
            assertThat(tx.execute(t -> rfm.roll(today())).mode()).isEqualTo(FactsRefresh.FULL);

            // the API rolls by default and rebuilds with full=true
            var res = admin.post("/api/v1/rfm/refresh", Map.of());
            assertThat(res.status()).as(res.raw()).isEqualTo(200);
            assertThat(res.json().path("mode").asString()).isEqualTo("ROLL");
            res = admin.post("/api/v1/rfm/refresh?full=true", Map.of());
            assertThat(res.json().path("mode").asString()).isEqualTo("FULL");
            assertThat(rows(all)).isEqualTo(rolled);
        } finally {
            tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        }
    }

    @Test
    void theRollFollowsAnRfmWindowOtherThanTheFactsYearAndRewritesOnlyWhatChanged() {
        LocalDate from = today().minusDays(5);
        // the RFM window set to 6 months: a ticket leaves it between `from` and today while it stays
        // inside the facts' 365 days, so no facts window moved for this member
        long halfYear = member();
        buy(halfYear, today().minusMonths(6).minusDays(2), fx.store, 6_000);
        buy(halfYear, today().minusDays(20), fx.store, 3_000);
        long recent = member();
        buy(recent, today().minusDays(40), fx.store, 2_000);
        long[] all = {halfYear, recent};
        for (long m : all) {
            awaitFacts(m);
        }
        try {
            jdbc.sql("update segments.rfm_settings set window_months = 6 where id = 1")
                    .update();
            tx.executeWithoutResult(t -> rfm.refreshAll(from));
            assertThat(rfmFigures(halfYear)).containsExactly(2L, 9_000L);

            FactsRefresh roll = tx.execute(t -> rfm.roll(today()));
            assertThat(roll.mode()).isEqualTo(FactsRefresh.ROLL);
            assertThat(rfmFigures(halfYear)).containsExactly(1L, 3_000L);
            List<Map<String, Object>> rolled = rows(all);

            // rolling again to the same day moves nothing: no row is written
            FactsRefresh again = tx.execute(t -> rfm.roll(today()));
            assertThat(again.mode()).isEqualTo(FactsRefresh.ROLL);
            assertThat(again.rfm()).isZero();
            assertThat(rows(all)).isEqualTo(rolled);

            FactsRefresh full = tx.execute(t -> rfm.refreshAll(today()));
            assertThat(full.mode()).isEqualTo(FactsRefresh.FULL);
            assertThat(rows(all)).isEqualTo(rolled);
            // the 360 view reads recency as of the refresh day from the stored last purchase
            assertThat(facts(recent).path("rfm").path("recencyDays").asInt()).isEqualTo(40);
        } finally {
            jdbc.sql("update segments.rfm_settings set window_months = 12 where id = 1")
                    .update();
            tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        }
    }

    @Test
    void aFullRebuildInMemberRangesEqualsOneStatementOverEveryTicketAndDropsRowsWithoutTickets() {
        // members with several tickets each, so that ranges of a few tickets split between members
        long[] buyers = {member(), member(), member()};
        for (int i = 0; i < buyers.length; i++) {
            for (int d = 0; d <= i; d++) {
                buy(buyers[i], today().minusDays(10 + d), fx.store, 1_000L * (i + 1), 500);
            }
        }
        long idle = member(); // no ticket: a row of theirs is stale
        for (long m : buyers) {
            awaitFacts(m);
        }
        long named = jdbc.sql("select count(*) from sales.v_sale where member_id is not null")
                .query(Long.class)
                .single();
        long size = Math.max(1, named / 8);
        tx.executeWithoutResult(t -> {
            // both rebuilds in one transaction: the first locks out the facts consumer until the end
            FactsRefresh whole = rfm.refreshAll(today(), Long.MAX_VALUE);
            String facts = table("segments.member_fact f", "(to_jsonb(f) - 'updated_at')");
            String rfmRows = table("segments.member_rfm r", "to_jsonb(r)");
            jdbc.sql("""
                    insert into segments.member_fact
                    select * from jsonb_populate_record(null::segments.member_fact,
                        (select to_jsonb(f) || jsonb_build_object('member_id', ?::bigint)
                         from segments.member_fact f where member_id = ?))""").params(idle, buyers[0]).update();
            assertThat(rows(idle)).hasSize(1);

            List<long[]> ranges = rfm.memberRanges(size);
            assertThat(ranges.size()).as("ranges of %d tickets", size).isGreaterThanOrEqualTo(4);
            assertThat(ranges.get(0)[0]).isEqualTo(Long.MIN_VALUE);
            assertThat(ranges.get(ranges.size() - 1)[1]).isEqualTo(Long.MAX_VALUE);
            for (int i = 0; i < ranges.size(); i++) {
                long[] r = ranges.get(i);
                if (i > 0) {
                    assertThat(r[0]).as("range %d follows the previous one", i).isEqualTo(ranges.get(i - 1)[1] + 1);
                }
                long count = jdbc.sql("select count(*) from sales.v_sale where member_id between ? and ?")
                        .params(r[0], r[1])
                        .query(Long.class)
                        .single();
                long members = jdbc.sql(
                                "select count(distinct member_id) from sales.v_sale where member_id between ? and ?")
                        .params(r[0], r[1])
                        .query(Long.class)
                        .single();
                if (i < ranges.size() - 1) {
                    assertThat(count <= size || members == 1)
                            .as("range %d: %d tickets of %d members, over %d", i, count, members, size)
                            .isTrue();
                    assertThat(count).as("range %d", i).isPositive();
                }
            }

            FactsRefresh ranged = rfm.refreshAll(today(), size);
            assertThat(ranged.facts()).isEqualTo(whole.facts());
            assertThat(table("segments.member_fact f", "(to_jsonb(f) - 'updated_at')"))
                    .isEqualTo(facts);
            assertThat(table("segments.member_rfm r", "to_jsonb(r)")).isEqualTo(rfmRows);
            assertThat(rows(idle)).isEmpty();
            t.setRollbackOnly();
        });
    }

    /** Every row of {@code table} as {@code json}, in member order. */
    private String table(String table, String json) {
        return jdbc.sql("select coalesce(string_agg(" + json + "::text, E'\\n' order by member_id), '') from " + table)
                .query(String.class)
                .single();
    }

    /** The member's RFM frequency and monetary. */
    private List<Long> rfmFigures(long member) {
        return jdbc.sql("select frequency::bigint, monetary_fen from segments.member_rfm where member_id = ?")
                .param(member)
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2)))
                .single();
    }

    // ------------------------------------------------------------------ grid and quintiles on hand-made data

    @Test
    void gridBandsAndQuintileScoresWithTiesOnHandMadeData() {
        // eleven members in the fixture's store: purchase days d, monetary M (fen), days since last purchase r
        int[] d = {1, 1, 1, 1, 2, 2, 3, 4, 6, 6, 8};
        long[] money = {10_000, 10_000, 10_000, 20_000, 30_000, 40_000, 50_000, 50_000, 60_000, 70_000, 80_000};
        int[] r = {5, 5, 300, 100, 30, 200, 10, 60, 2, 1, 0};
        long[] ids = new long[11];
        for (int i = 0; i < 11; i++) {
            ids[i] = member();
            for (int k = d[i] - 1; k >= 0; k--) {
                long amount = k == 0 ? money[i] - 100L * (d[i] - 1) : 100;
                buy(ids[i], today().minusDays(r[i] + 3L * k), fx.store, amount);
            }
        }
        // and one whose only purchase is outside the window, in the other store
        long outside = member();
        buy(outside, today().minusDays(400), fx.otherStore, 9_900);

        Map<Long, String[]> rows = export("/api/v1/rfm/export?storeId=" + storeId(fx.store));
        assertThat(rows).hasSize(11);
        // rank with ties at the lowest, score = 1 + ⌊5(rank−1)/10⌋ capped at 5 (worked out by hand)
        int[] rScore = {4, 4, 1, 2, 3, 1, 3, 2, 5, 5, 5};
        int[] fScore = {1, 1, 1, 1, 3, 3, 4, 4, 5, 5, 5};
        int[] mScore = {1, 1, 1, 2, 3, 3, 4, 4, 5, 5, 5};
        String[] rBand = {
            "ACTIVE",
            "ACTIVE",
            "SLEEPING",
            "SILENT",
            "ACTIVE",
            "SLEEPING",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE",
            "ACTIVE"
        };
        String[] fBand = {"NEW", "NEW", "NEW", "NEW", "SECOND", "SECOND", "OLD", "OLD", "FAN", "FAN", "FAN"};
        long[] negR = new long[11];
        long[] fv = new long[11];
        for (int i = 0; i < 11; i++) {
            negR[i] = -r[i];
            fv[i] = d[i];
        }
        assertThat(QuintileRule.scores(negR)).containsExactly(rScore);
        assertThat(QuintileRule.scores(fv)).containsExactly(fScore);
        assertThat(QuintileRule.scores(money)).containsExactly(mScore);
        for (int i = 0; i < 11; i++) {
            String[] v = rows.get(ids[i]);
            assertThat(v).as("member %d", i).isNotNull();
            assertThat(Integer.parseInt(v[2])).as("recency %d", i).isEqualTo(r[i]);
            assertThat(Integer.parseInt(v[3])).as("frequency %d", i).isEqualTo(d[i]);
            assertThat(Long.parseLong(v[4])).as("monetary %d", i).isEqualTo(money[i]);
            assertThat(new int[] {Integer.parseInt(v[5]), Integer.parseInt(v[6]), Integer.parseInt(v[7])})
                    .as("scores %d", i)
                    .containsExactly(rScore[i], fScore[i], mScore[i]);
            assertThat(v[8] + "/" + v[9]).as("cell %d", i).isEqualTo(rBand[i] + "/" + fBand[i]);
            // the member's own RFM row (kept by the events) has the same cell
            int idx = i;
            await(
                    () -> (rBand[idx] + "/" + fBand[idx])
                            .equals(facts(ids[idx]).path("rfm").path("rBand").asString() + "/"
                                    + facts(ids[idx]).path("rfm").path("fBand").asString()),
                    () -> facts(ids[idx]).toString());
        }
        // purchases all outside the window: frequency 0 and monetary 0, F band NEW, recency LOST
        Map<Long, String[]> other = export("/api/v1/rfm/export?storeId=" + storeId(fx.otherStore));
        assertThat(other.get(outside))
                .containsExactly(String.valueOf(outside), "", "400", "0", "0", "1", "1", "1", "LOST", "NEW");
        // as of an earlier day the later sales do not count
        Map<Long, String[]> earlier =
                export("/api/v1/rfm/export?storeId=" + storeId(fx.store) + "&asOf=" + today().minusDays(100));
        assertThat(earlier.keySet()).containsExactlyInAnyOrder(ids[2], ids[3], ids[5]);
        assertThat(earlier.get(ids[3])[2]).isEqualTo("0");
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'rfm.exported' and details ->> 'storeId' = ?")
                        .param(String.valueOf(storeId(fx.store)))
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    private long storeId(String code) {
        return jdbc.sql("select id from organization.v_store where code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    private Map<Long, String[]> export(String path) {
        var res = admin.send("GET", path, null, "text/csv");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        assertThat(res.contentType()).startsWith("text/csv");
        Map<Long, String[]> out = new HashMap<>();
        String[] lines = res.raw().split("\r?\n");
        for (int i = 1; i < lines.length; i++) {
            String[] v = lines[i].split(",", -1);
            out.put(Long.parseLong(v[0]), v);
        }
        return out;
    }

    @Test
    void theGridAndThePyramidAgreeWithIndependentSql() {
        long m = member();
        buy(m, today().minusDays(3), fx.store, 123_400);
        awaitFacts(m);
        // incremental and batch agree: the facts the events computed as of today equal the refresh's
        String rowsSql = """
                select member_id, first_purchase_date, last_purchase_date, purchase_days, purchase_days_12m, tickets,
                       tickets_12m, spend_fen, spend_12m_fen, avg_ticket_fen, avg_interval_days, favourite_brand_id,
                       favourite_category_id, favourite_store_id, return_tickets, returned_fen
                from segments.member_fact where as_of = ? and member_id = any(?) order by member_id""";
        // the members of this test's stores: other classes share the database and may still have
        // events in flight or rows changed behind the API
        Long[] current = jdbc.sql("""
                        select f.member_id from segments.member_fact f where f.as_of = ? and f.member_id in (
                          select s.member_id from sales.sale s join organization.store o on o.id = s.store_id
                          where o.code in (?, ?))""")
                .params(today(), fx.store, fx.otherStore)
                .query(Long.class)
                .list()
                .toArray(Long[]::new);
        List<Map<String, Object>> incremental =
                jdbc.sql(rowsSql).params(today(), current).query().listOfRows();
        tx.executeWithoutResult(t -> rfm.refreshAll(today()));
        List<Map<String, Object>> batch =
                jdbc.sql(rowsSql).params(today(), current).query().listOfRows();
        assertThat(incremental).hasSizeGreaterThan(0);
        assertThat(batch).isEqualTo(incremental);
        JsonNode grid = admin.get("/api/v1/rfm/grid").json();
        assertThat(grid.path("cells")).hasSize(16);
        long total = jdbc.sql("select count(*) from segments.member_rfm")
                .query(Long.class)
                .single();
        assertThat(grid.path("members").asLong()).isEqualTo(total);
        for (JsonNode c : grid.path("cells")) {
            long count = jdbc.sql("select count(*) from segments.member_rfm where r_band = ? and f_band = ?")
                    .params(
                            c.path("cell").path("rBand").asString(),
                            c.path("cell").path("fBand").asString())
                    .query(Long.class)
                    .single();
            assertThat(c.path("members").asLong()).isEqualTo(count);
        }
        // every stored score follows the rule over all stored rows (ties share a score)
        List<long[]> stored = jdbc.sql(
                        "select last_purchase_date - date '2000-01-01', frequency, monetary_fen, r_score, f_score, m_score"
                                + " from segments.member_rfm")
                .query((rs, n) -> new long[] {
                    rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)
                })
                .list();
        long[] negR = stored.stream().mapToLong(x -> x[0]).toArray(); // later last purchase: higher R
        long[] f = stored.stream().mapToLong(x -> x[1]).toArray();
        long[] mon = stored.stream().mapToLong(x -> x[2]).toArray();
        int[] rs = QuintileRule.scores(negR);
        int[] fs = QuintileRule.scores(f);
        int[] ms = QuintileRule.scores(mon);
        for (int i = 0; i < stored.size(); i++) {
            assertThat(new long[] {stored.get(i)[3], stored.get(i)[4], stored.get(i)[5]})
                    .containsExactly(rs[i], fs[i], ms[i]);
        }

        // the pyramid: rank by 12-month spend (ties by member id), layers 1/4/15/30/rest % of members
        List<long[]> spenders = jdbc.sql(
                        "select member_id, spend_12m_fen from segments.member_fact where spend_12m_fen > 0 order by 2 desc, 1")
                .query((rs2, n) -> new long[] {rs2.getLong(1), rs2.getLong(2)})
                .list();
        int n = spenders.size();
        double[] bounds = {1, 5, 20, 50};
        long[] count = new long[5];
        long[] spend = new long[5];
        for (int p = 1; p <= n; p++) {
            int layer = 4;
            for (int i = 0; i < 4; i++) {
                if (p <= Math.ceil(n * bounds[i] / 100.0 - 1e-9)) {
                    layer = i;
                    break;
                }
            }
            count[layer]++;
            spend[layer] += spenders.get(p - 1)[1];
        }
        JsonNode pyramid = admin.get("/api/v1/rfm/pyramid").json();
        assertThat(pyramid.path("members").asLong()).isEqualTo(n);
        for (int i = 0; i < 5; i++) {
            JsonNode l = pyramid.path("layers").get(i);
            assertThat(l.path("members").asLong()).as("layer %d", i + 1).isEqualTo(count[i]);
            assertThat(l.path("spendFen").asLong()).as("layer %d", i + 1).isEqualTo(spend[i]);
        }
        assertThat(pyramid.path("layers").get(0).path("members").asLong()).isPositive();
    }

    // ------------------------------------------------------------------ settings, cells, roles

    @Test
    void settingsAreValidatedAuditedAndReBandMembers() {
        var bad = admin.put(
                "/api/v1/rfm/settings",
                new RfmSettings(90, 60, 365, 2, 3, 6, 12, RfmSettings.DEFAULTS.pyramidPercents()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).contains("problem+json");
        assertThat(bad.fieldError("silentDays")).contains("greater than 90");
        var zh = admin.inLanguage("zh-CN")
                .put(
                        "/api/v1/rfm/settings",
                        new RfmSettings(
                                90,
                                180,
                                365,
                                2,
                                3,
                                6,
                                12,
                                List.of(new java.math.BigDecimal("60"), new java.math.BigDecimal("40"))));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("pyramidPercents")).contains("小于 100%");
        assertThat(admin.put("/api/v1/rfm/settings", Map.of("activeDays", 30)).fieldError("silentDays"))
                .isNotNull();

        long m = member();
        buy(m, today().minusDays(45), fx.store, 10_000);
        awaitFacts(m);
        assertThat(facts(m).path("rfm").path("rBand").asString()).isEqualTo("ACTIVE");
        try {
            var ok = admin.put(
                    "/api/v1/rfm/settings",
                    new RfmSettings(30, 180, 365, 2, 3, 6, 12, RfmSettings.DEFAULTS.pyramidPercents()));
            assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
            assertThat(facts(m).path("rfm").path("rBand").asString()).isEqualTo("SILENT");
            assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'rfm.settings.changed'")
                            .query(Long.class)
                            .single())
                    .isPositive();
        } finally {
            assertThat(admin.put("/api/v1/rfm/settings", RfmSettings.DEFAULTS).status())
                    .isEqualTo(200);
        }
        assertThat(facts(m).path("rfm").path("rBand").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void marketersEditCellsWithInlineErrorsAndAnAuditTrail() {
        ApiClient marketer = fx.as(Role.MARKETER);
        var bad = marketer.put("/api/v1/rfm/cells/SILENT/FAN", new RfmCell(null, null, " ", "Silent fan", "", "", 400));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("nameZh")).isNotNull();
        assertThat(bad.fieldError("contactEveryDays")).contains("between 1 and 365");
        assertThat(marketer.put("/api/v1/rfm/cells/SILENT/NOPE", new RfmCell(null, null, "x", "x", "", "", null))
                        .status())
                .isEqualTo(404);
        RfmCell before = rfm.allCells().get(7);
        assertThat(before.rBand() + before.fBand()).isEqualTo("SILENTFAN");
        try {
            var ok = marketer.put(
                    "/api/v1/rfm/cells/SILENT/FAN", new RfmCell(null, null, "沉默铁粉", "Quiet fan", "导购回访", "Call", 7));
            assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
            JsonNode cells = marketer.get("/api/v1/rfm/cells").json();
            assertThat(cells.get(7).path("nameZh").asString()).isEqualTo("沉默铁粉");
            assertThat(cells.get(7).path("contactEveryDays").asInt()).isEqualTo(7);
            assertThat(jdbc.sql(
                                    "select count(*) from audit.audit_event where action = 'rfm.cell.changed' and entity_id = 'SILENT/FAN'")
                            .query(Long.class)
                            .single())
                    .isPositive();
        } finally {
            admin.put("/api/v1/rfm/cells/SILENT/FAN", before);
        }
    }

    @Test
    void onlyHeadOfficeMarketingRolesSeeRfmAndOnlyAdminsRefresh() {
        long m = member();
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store);
        ApiClient analyst = fx.as(Role.ANALYST);
        ApiClient counter = fx.as(Role.COUNTER_STAFF);
        for (String path : List.of(
                "/api/v1/rfm/grid", "/api/v1/rfm/pyramid", "/api/v1/rfm/settings", "/api/v1/members/" + m + "/facts")) {
            assertThat(manager.get(path).status()).as(path).isEqualTo(403);
        }
        assertThat(manager.send("GET", "/api/v1/rfm/export?storeId=" + storeId(fx.store), null, "text/csv")
                        .status())
                .isEqualTo(403);
        assertThat(counter.send("GET", "/api/v1/rfm/export", null, "text/csv").status())
                .isEqualTo(403);
        assertThat(analyst.get("/api/v1/rfm/grid").status()).isEqualTo(200);
        assertThat(analyst.get("/api/v1/members/" + m + "/facts").status()).isEqualTo(200);
        assertThat(analyst.put("/api/v1/rfm/settings", RfmSettings.DEFAULTS).status())
                .isEqualTo(403);
        assertThat(analyst.post("/api/v1/rfm/refresh", Map.of()).status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/members/999999999/facts").status()).isEqualTo(404);
        var badDay = admin.send("GET", "/api/v1/rfm/export?asOf=2026-02-30", null, "application/problem+json");
        assertThat(badDay.status()).isEqualTo(400);
        assertThat(badDay.fieldError("asOf")).isNotNull();
        assertThat(admin.send("GET", "/api/v1/rfm/export?asOf=" + today().plusDays(1), null, "application/problem+json")
                        .fieldError("asOf"))
                .contains("future");
        // a member the manager's store panel hides: the facts panel is not shown to store-scoped staff
        JsonNode view = manager.get("/api/v1/members/" + m).json();
        for (JsonNode p : view.path("panels")) {
            if ("facts".equals(p.path("key").asString())) {
                assertThat(p.path("status").asString()).isEqualTo("EMPTY");
            }
        }
    }
}
