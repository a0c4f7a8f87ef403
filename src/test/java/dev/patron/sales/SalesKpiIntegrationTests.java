package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Sales KPIs on a hand-made data set, over real HTTP and the real outbox: two stores, three counters,
 * two brands, a category, two members (one of them buying for the first time in the period), an
 * anonymous ticket, a partial return and store traffic. Every expected number is worked out by hand
 * in the comments. Also: the rollup equals a rebuild from the raw tickets, a redelivered event changes
 * nothing, store scope and roles, bad parameters, and the member 360 purchase panel.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesKpiIntegrationTests {

    static final LocalDate D0 = LocalDate.of(2025, 2, 10); // M1's first purchase, before the period
    static final LocalDate D1 = LocalDate.of(2025, 3, 5);
    static final LocalDate D2 = LocalDate.of(2025, 3, 6);
    static final String PERIOD = "from=2025-03-05&to=2025-03-06";
    private static final AtomicLong PHONE = new AtomicLong(30_000_000L + (System.nanoTime() / 1000) % 60_000_000L);

    final int port;
    final JdbcClient jdbc;
    final KpiRollup rollup;
    final SalesFeed feed;
    final TransactionTemplate tx;
    ApiClient admin;

    final String region = TestData.unique("KR");
    final String s1 = TestData.unique("KS");
    final String s2 = TestData.unique("KS");
    final String c1 = TestData.unique("KC");
    final String c2 = TestData.unique("KC");
    final String c3 = TestData.unique("KC");
    final String ba = TestData.unique("KB");
    final String bb = TestData.unique("KB");
    final String k1 = TestData.unique("KK");
    long s1Id;
    long s2Id;
    long m1;
    long m2;
    final Map<String, JsonNode> tickets = new HashMap<>();

    SalesKpiIntegrationTests(
            @LocalServerPort int port,
            @Autowired JdbcClient jdbc,
            @Autowired KpiRollup rollup,
            @Autowired SalesFeed feed,
            @Autowired TransactionTemplate tx) {
        this.port = port;
        this.jdbc = jdbc;
        this.rollup = rollup;
        this.feed = feed;
        this.tx = tx;
    }

    @BeforeAll
    void handMadeDataSet() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        created(admin.post("/api/v1/regions", Map.of("code", region, "name", "华北区")));
        created(admin.post("/api/v1/stores", Map.of("code", s1, "name", "指标百货一店", "regionCode", region)));
        created(admin.post("/api/v1/stores", Map.of("code", s2, "name", "指标百货二店", "regionCode", region)));
        created(admin.post("/api/v1/brands", Map.of("code", ba, "name", "雅琳")));
        created(admin.post("/api/v1/brands", Map.of("code", bb, "name", "君度")));
        created(admin.post("/api/v1/categories", Map.of("code", k1, "name", "女装")));
        for (String[] c : new String[][] {{c1, s1}, {c2, s1}, {c3, s2}}) {
            created(admin.post(
                    "/api/v1/counters",
                    Map.of("code", c[0], "name", "专柜" + c[0], "storeCode", c[1], "supplierName", "北京某服饰有限公司")));
        }
        s1Id = storeId(s1);
        s2Id = storeId(s2);
        m1 = member("周一", s1);
        m2 = member("吴二", s2); // enrolled at S2, first bought at S1

        // T0  S1 D0 M1: C1/BA 1 × 100.00                                        = 100.00
        sale("T0", s1, D0, m1, line("A0", c1, ba, null, 1, 10_000, 0));
        // T1  S1 D1 M1: C1/BA 1 × 500.00 − 50.00 = 450.00; C2/BB 2 × 99.00 = 198.00 → 648.00, 3 items
        sale("T1", s1, D1, m1, line("A1", c1, ba, k1, 1, 50_000, 5_000), line("B1", c2, bb, k1, 2, 9_900, 0));
        // T2  S1 D1 anonymous: C1/BA 1 × 300.00                                 = 300.00
        sale("T2", s1, D1, null, line("A2", c1, ba, null, 1, 30_000, 0));
        // T3  S1 D2 M2 (first purchase ever): C2/BB 3 × 50.00 − 10.00 = 140.00; C2/BA 1 × 200.00 → 340.00, 4 items
        sale("T3", s1, D2, m2, line("B3", c2, bb, null, 3, 5_000, 1_000), line("A3", c2, ba, null, 1, 20_000, 0));
        // T4  S2 D2 M2: C3/BB 1 × 80.00                                        = 80.00
        sale("T4", s2, D2, m2, line("B4", c3, bb, null, 1, 8_000, 0));
        // R1  S1 D2: one of the two B1 of T1 back → refund 198.00 × 1/2 = 99.00
        Map<String, Object> ret = new HashMap<>();
        ret.put("storeCode", s1);
        ret.put("posTransactionId", TestData.unique("R1"));
        ret.put("businessDate", D2.toString());
        ret.put("occurredAt", D2 + "T16:00:00+08:00");
        ret.put("originalSaleId", tickets.get("T1").path("id").asLong());
        ret.put("lines", List.of(Map.of("lineNo", 2, "quantity", 1)));
        var r = admin.post("/api/v1/returns", ret);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.json().path("totalFen").asLong()).isEqualTo(-9_900);
        tickets.put("R1", r.json());
        // traffic: S1 40 visitors on D1, 50 on D2; none recorded for S2
        traffic(s1Id, D1, 40);
        traffic(s1Id, D2, 50);
        awaitRollup();
    }

    // ------------------------------------------------------------------ KPI arithmetic

    @Test
    void totalsOfThePeriodAreTheHandComputedOnes() {
        ApiClient analyst = as(Role.ANALYST, s1, s2);
        JsonNode t = kpis(analyst, PERIOD + "&groupBy=store").path("total");
        // gross = 648 + 300 + 340 + 80 = 1368.00; returns 99.00; net 1269.00
        assertThat(t.path("grossSalesFen").asLong()).isEqualTo(136_800);
        assertThat(t.path("returnsFen").asLong()).isEqualTo(9_900);
        assertThat(t.path("netSalesFen").asLong()).isEqualTo(126_900);
        assertThat(t.path("discountFen").asLong()).isEqualTo(6_000);
        // tickets T1, T2, T3, T4 (the return is not a ticket); items 3 + 1 + 4 + 1 − 1 = 8
        assertThat(t.path("tickets").asLong()).isEqualTo(4);
        assertThat(t.path("items").decimalValue()).isEqualByComparingTo("8");
        assertThat(t.path("averageTicketFen").asLong()).isEqualTo(31_725); // 126900 / 4
        assertThat(t.path("itemsPerTicket").decimalValue()).isEqualByComparingTo("2.00");
        // members: T1 648 + T3 340 + T4 80 − R1 99 = 969.00 of 1269.00
        assertThat(t.path("memberSalesFen").asLong()).isEqualTo(96_900);
        assertThat(t.path("memberShare").decimalValue()).isEqualByComparingTo("0.7636");
        // new: M2's first purchase day is D2 (T3 340 + T4 80); M1 bought first on D0: returning 648 − 99
        assertThat(t.path("newMemberSalesFen").asLong()).isEqualTo(42_000);
        assertThat(t.path("returningMemberSalesFen").asLong()).isEqualTo(54_900);
        assertThat(t.path("returnRate").decimalValue()).isEqualByComparingTo("0.0724"); // 99 / 1368
        // traffic only at S1: 90 visitors; S1 tickets on those days T1, T2, T3 → 3 / 90
        assertThat(t.path("visitors").asLong()).isEqualTo(90);
        assertThat(t.path("conversion").decimalValue()).isEqualByComparingTo("0.0333");
    }

    @Test
    void perStore() {
        JsonNode rows = kpis(admin, PERIOD + "&groupBy=store").path("rows");
        JsonNode one = row(rows, s1);
        assertThat(one.path("name").asString()).isEqualTo("指标百货一店");
        JsonNode f = one.path("figures");
        assertThat(f.path("netSalesFen").asLong()).isEqualTo(118_900); // 648 + 300 + 340 − 99
        assertThat(f.path("grossSalesFen").asLong()).isEqualTo(128_800);
        assertThat(f.path("tickets").asLong()).isEqualTo(3);
        assertThat(f.path("averageTicketFen").asLong()).isEqualTo(39_633); // 118900 / 3 = 39633.3
        assertThat(f.path("itemsPerTicket").decimalValue()).isEqualByComparingTo("2.33"); // 7 / 3
        assertThat(f.path("memberSalesFen").asLong()).isEqualTo(88_900); // 648 + 340 − 99
        assertThat(f.path("memberShare").decimalValue()).isEqualByComparingTo("0.7477");
        assertThat(f.path("newMemberSalesFen").asLong()).isEqualTo(34_000);
        assertThat(f.path("returnRate").decimalValue()).isEqualByComparingTo("0.0769"); // 99 / 1288
        assertThat(f.path("conversion").decimalValue()).isEqualByComparingTo("0.0333");

        JsonNode two = row(rows, s2).path("figures");
        assertThat(two.path("netSalesFen").asLong()).isEqualTo(8_000);
        assertThat(two.path("tickets").asLong()).isEqualTo(1);
        assertThat(two.path("memberShare").decimalValue()).isEqualByComparingTo("1");
        assertThat(two.path("newMemberSalesFen").asLong()).isEqualTo(8_000);
        assertThat(two.path("returnRate").decimalValue()).isEqualByComparingTo("0");
        assertThat(two.path("visitors").isNull()).isTrue();
        assertThat(two.path("conversion").isNull()).isTrue();

        // one store only
        JsonNode only = kpis(admin, PERIOD + "&storeCode=" + s2.toLowerCase());
        assertThat(only.path("storeCode").asString()).isEqualTo(s2);
        assertThat(only.path("total").path("netSalesFen").asLong()).isEqualTo(8_000);
        assertThat(only.path("rows")).hasSize(1);
    }

    @Test
    void perCounterATicketCountsOncePerCounter() {
        JsonNode byCounter = kpis(as(Role.ANALYST, s1, s2), PERIOD + "&groupBy=counter");
        // the total is the same whatever the grouping, conversion included
        assertThat(byCounter.path("total").path("tickets").asLong()).isEqualTo(4);
        assertThat(byCounter.path("total").path("conversion").decimalValue()).isEqualByComparingTo("0.0333");
        JsonNode rows = kpis(admin, PERIOD + "&groupBy=counter").path("rows");
        JsonNode one = row(rows, c1).path("figures"); // T1 450 + T2 300
        assertThat(one.path("netSalesFen").asLong()).isEqualTo(75_000);
        assertThat(one.path("tickets").asLong()).isEqualTo(2);
        assertThat(one.path("memberSalesFen").asLong()).isEqualTo(45_000);
        assertThat(one.path("newMemberSalesFen").asLong()).isZero();
        assertThat(one.path("visitors").isNull()).isTrue();
        // C2: T1 198 + T3 (140 + 200, two brands, one ticket) − R1 99
        JsonNode two = row(rows, c2).path("figures");
        assertThat(row(rows, c2).path("storeCode").asString()).isEqualTo(s1);
        assertThat(two.path("netSalesFen").asLong()).isEqualTo(43_900);
        assertThat(two.path("grossSalesFen").asLong()).isEqualTo(53_800);
        assertThat(two.path("returnsFen").asLong()).isEqualTo(9_900);
        assertThat(two.path("tickets").asLong()).isEqualTo(2);
        assertThat(two.path("items").decimalValue()).isEqualByComparingTo("5"); // 2 + 3 + 1 − 1
        assertThat(two.path("itemsPerTicket").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(two.path("newMemberSalesFen").asLong()).isEqualTo(34_000);
        assertThat(two.path("returnRate").decimalValue()).isEqualByComparingTo("0.1840"); // 99 / 538
        assertThat(row(rows, c3).path("figures").path("netSalesFen").asLong()).isEqualTo(8_000);
    }

    @Test
    void perBrand() {
        JsonNode rows = kpis(admin, PERIOD + "&groupBy=brand").path("rows");
        JsonNode a = row(rows, ba); // T1 450 + T2 300 + T3 200
        assertThat(a.path("name").asString()).isEqualTo("雅琳");
        assertThat(a.path("figures").path("netSalesFen").asLong()).isEqualTo(95_000);
        assertThat(a.path("figures").path("tickets").asLong()).isEqualTo(3);
        assertThat(a.path("figures").path("newMemberSalesFen").asLong()).isEqualTo(20_000);
        JsonNode b = row(rows, bb).path("figures"); // T1 198 + T3 140 + T4 80 − 99, in both stores
        assertThat(b.path("netSalesFen").asLong()).isEqualTo(31_900);
        assertThat(b.path("tickets").asLong()).isEqualTo(3);
        assertThat(b.path("newMemberSalesFen").asLong()).isEqualTo(22_000);
    }

    @Test
    void perDayWeekAndMonth() {
        ApiClient analyst = as(Role.ANALYST, s1, s2);
        JsonNode days = kpis(analyst, PERIOD + "&groupBy=day").path("rows");
        assertThat(days).hasSize(2);
        JsonNode d1 = row(days, D1.toString()).path("figures");
        assertThat(d1.path("netSalesFen").asLong()).isEqualTo(94_800); // 648 + 300
        assertThat(d1.path("tickets").asLong()).isEqualTo(2);
        assertThat(d1.path("conversion").decimalValue()).isEqualByComparingTo("0.05"); // 2 / 40
        JsonNode d2 = row(days, D2.toString()).path("figures");
        assertThat(d2.path("netSalesFen").asLong()).isEqualTo(32_100); // 340 − 99 + 80
        assertThat(d2.path("tickets").asLong()).isEqualTo(2);
        assertThat(d2.path("conversion").decimalValue()).isEqualByComparingTo("0.02"); // S1's 1 ticket / 50
        // D0 to D2: February and March; ISO weeks start on Monday (2025-03-03)
        JsonNode months =
                kpis(analyst, "from=2025-02-01&to=2025-03-31&groupBy=month").path("rows");
        assertThat(row(months, "2025-02-01").path("figures").path("netSalesFen").asLong())
                .isEqualTo(10_000);
        assertThat(row(months, "2025-03-01").path("figures").path("netSalesFen").asLong())
                .isEqualTo(126_900);
        JsonNode weeks =
                kpis(analyst, "from=2025-02-01&to=2025-03-31&groupBy=week").path("rows");
        assertThat(row(weeks, "2025-03-03").path("figures").path("tickets").asLong())
                .isEqualTo(4);
        assertThat(row(weeks, "2025-02-10").path("figures").path("tickets").asLong())
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------ rollup

    @Test
    void theRollupEqualsARebuildFromTheRawTickets() {
        List<Map<String, Object>> before = rollupRows();
        assertThat(before).isNotEmpty();
        Map<String, Object> purchaseBefore = memberPurchase();
        // wipe our rows, as if the rollup had been lost, then rebuild the range from the tickets
        jdbc.sql("delete from sales.daily_store_kpi where store_id in (?, ?)")
                .params(s1Id, s2Id)
                .update();
        jdbc.sql("delete from sales.daily_kpi where store_id in (?, ?)")
                .params(s1Id, s2Id)
                .update();
        jdbc.sql("delete from sales.daily_dim_tickets where store_id in (?, ?)")
                .params(s1Id, s2Id)
                .update();
        jdbc.sql("delete from sales.member_purchase where member_id in (?, ?)")
                .params(m1, m2)
                .update();
        rollup.rebuild(D0, D2);
        assertThat(rollupRows()).isEqualTo(before);
        assertThat(memberPurchase()).isEqualTo(purchaseBefore);
        assertThat(purchaseBefore).containsEntry(m1 + "", D0 + ".." + D1).containsEntry(m2 + "", D2 + ".." + D2);
        // and a rebuild over live rows changes nothing; operators start it over the API
        assertThat(as(Role.ANALYST)
                        .post("/api/v1/sales/kpis/rebuild?from=" + D0 + "&to=" + D2, Map.of())
                        .status())
                .isEqualTo(403);
        var rebuilt = admin.post("/api/v1/sales/kpis/rebuild?from=" + D0 + "&to=" + D2, Map.of());
        assertThat(rebuilt.status()).as(rebuilt.raw()).isEqualTo(200);
        assertThat(rebuilt.json().path("storeDays").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(rollupRows()).isEqualTo(before);
        totalsOfThePeriodAreTheHandComputedOnes();
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        List<Map<String, Object>> before = rollupRows();
        JsonNode t1 = tickets.get("T1");
        RecordedSale again = new RecordedSale(
                t1.path("id").asLong(),
                SaleKind.SALE,
                s1Id,
                m1,
                D1,
                java.time.OffsetDateTime.parse(t1.path("occurredAt").asString()),
                t1.path("totalFen").asLong(),
                SaleSource.POS,
                true,
                null);
        // straight into the listener's work, as after a crash between commit and completion
        assertThat(rollup.apply(new SalesRecorded(List.of(again)), KpiRollup.NO_DATE, KpiRollup.NO_DATE))
                .isFalse();
        // and through the sales feed: published again, delivered to the rollup, no change
        tx.executeWithoutResult(s -> feed.publish(new SalesRecorded(List.of(again))));
        await(() -> feed.pending().get("sales.kpi") == 0, "the redelivered event was applied");
        assertThat(rollupRows()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ roles, scope, bad input

    @Test
    void storeScopeFiltersAndAStoreOutsideItIsForbidden() {
        ApiClient manager = as(Role.STORE_MANAGER, s2);
        JsonNode r = kpis(manager, PERIOD + "&groupBy=store");
        assertThat(r.path("total").path("netSalesFen").asLong()).isEqualTo(8_000);
        assertThat(r.path("rows")).hasSize(1);
        assertThat(r.path("rows").get(0).path("code").asString()).isEqualTo(s2);
        assertThat(kpis(manager, PERIOD + "&groupBy=counter").path("rows").findValuesAsString("code"))
                .containsExactly(c3);
        assertThat(manager.get("/api/v1/sales/kpis?" + PERIOD + "&storeCode=" + s1)
                        .status())
                .isEqualTo(403);
    }

    @Test
    void onlyKpiRolesMayRead() {
        for (Role role : Set.of(Role.ADMIN, Role.ANALYST, Role.STORE_MANAGER, Role.FINANCE, Role.MARKETER)) {
            assertThat(as(role, s1).get("/api/v1/sales/kpis?" + PERIOD).status())
                    .as(role.name())
                    .isEqualTo(200);
        }
        for (Role role : Set.of(Role.COUNTER_STAFF, Role.AGENT)) {
            var res = as(role, s1).get("/api/v1/sales/kpis?" + PERIOD);
            assertThat(res.status()).as(role.name()).isEqualTo(403);
            assertThat(res.contentType()).contains("problem+json");
        }
        assertThat(admin.as(null).get("/api/v1/sales/kpis").status()).isEqualTo(401);
    }

    @Test
    void badParametersAreNamed() {
        assertField(admin.get("/api/v1/sales/kpis?from=2025-03-07&to=2025-03-01"), "from");
        assertField(admin.get("/api/v1/sales/kpis?from=2022-01-01&to=2025-03-01"), "to");
        assertField(admin.get("/api/v1/sales/kpis?from=2025-13-01&to=2025-03-01"), "from");
        assertField(admin.get("/api/v1/sales/kpis?from=2025-03-01&to=yesterday"), "to");
        assertField(admin.get("/api/v1/sales/kpis?" + PERIOD + "&groupBy=region"), "groupBy");
        var unknown = admin.get("/api/v1/sales/kpis?" + PERIOD + "&storeCode=NOPE-" + s1);
        assertField(unknown, "storeCode");
        assertThat(unknown.fieldError("storeCode")).contains("does not exist");
        // exactly two years is fine; without dates: the last 30 days
        assertThat(admin.get("/api/v1/sales/kpis?from=2023-03-01&to=2025-03-01").status())
                .isEqualTo(200);
        JsonNode dflt = kpis(admin, "");
        assertThat(LocalDate.parse(dflt.path("to").asString()))
                .isEqualTo(LocalDate.parse(dflt.path("from").asString()).plusDays(29));
        assertThat(admin.inLanguage("zh-CN")
                        .get("/api/v1/sales/kpis?from=2025-03-07&to=2025-03-01")
                        .fieldError("from"))
                .contains("不能晚于");
    }

    @Test
    void theOpenApiDescriptionDocumentsTheEndpoint() {
        JsonNode api = admin.get("/api/openapi.json").json();
        JsonNode op = api.path("paths").path("/api/v1/sales/kpis").path("get");
        assertThat(op.path("summary").asString()).contains("KPIs");
        assertThat(op.path("parameters").findValuesAsString("name")).contains("from", "to", "groupBy", "storeCode");
    }

    // ------------------------------------------------------------------ member 360 panel

    @Test
    void theMemberPanelShowsPurchasesAndReturnsButLeavesIntervalAndFavouritesToMemberFacts() {
        JsonNode p = panel(admin, m1);
        assertThat(p.path("status").asString()).isEqualTo("OK");
        assertThat(p.path("titleKey").asString()).isEqualTo("sales.panel.title");
        JsonNode d = p.path("data");
        assertThat(d.path("purchases").asLong()).isEqualTo(2); // T0, T1
        assertThat(d.path("returns").asLong()).isEqualTo(1);
        assertThat(d.path("netSpendFen").asLong()).isEqualTo(64_900); // 100 + 648 − 99
        assertThat(d.path("returnedFen").asLong()).isEqualTo(9_900);
        assertThat(d.path("firstPurchase").asString()).isEqualTo(D0.toString());
        assertThat(d.path("lastPurchase").asString()).isEqualTo(D1.toString());
        // interval and favourites are member facts (segments' "Facts & RFM" panel), computed in one place
        assertThat(d.has("averageIntervalDays")).isFalse();
        assertThat(d.has("favouriteBrands")).isFalse();
        // newest first: the return, T1, T0; what, where, price, discount and what came back
        JsonNode recent = d.path("recent");
        assertThat(recent).hasSize(3);
        assertThat(recent.get(0).path("kind").asString()).isEqualTo("RETURN");
        assertThat(recent.get(0).path("originalSaleId").asLong())
                .isEqualTo(tickets.get("T1").path("id").asLong());
        JsonNode t1 = recent.get(1);
        assertThat(t1.path("storeName").asString()).isEqualTo("指标百货一店");
        JsonNode first = t1.path("items").get(0);
        assertThat(first.path("brandName").asString()).isEqualTo("雅琳");
        assertThat(first.path("counterCode").asString()).isEqualTo(c1);
        assertThat(first.path("counterName").asString()).isEqualTo("专柜" + c1);
        assertThat(first.path("unitPriceFen").asLong()).isEqualTo(50_000);
        assertThat(first.path("discountFen").asLong()).isEqualTo(5_000);
        JsonNode second = t1.path("items").get(1);
        assertThat(second.path("returnedQuantity").decimalValue()).isEqualByComparingTo("1");
        assertThat(second.path("returnedFen").asLong()).isEqualTo(9_900);

        JsonNode p2 = panel(admin, m2).path("data");
        assertThat(p2.path("purchases").asLong()).isEqualTo(2);
        // a manager of S2 (M2's store) sees only what M2 bought there
        JsonNode scoped = panel(as(Role.STORE_MANAGER, s2), m2).path("data");
        assertThat(scoped.path("purchases").asLong()).isEqualTo(1);
        assertThat(scoped.path("netSpendFen").asLong()).isEqualTo(8_000);
        assertThat(scoped.path("recent")).hasSize(1);
    }

    @Test
    void aMergeGivesTheSurvivorTheEarlierFirstPurchaseAndAnUndoTakesItBack() {
        // outside the period of the other tests: April 2025
        LocalDate early = LocalDate.of(2025, 4, 1);
        LocalDate late = LocalDate.of(2025, 4, 20);
        long survivor = member("郑五", s1);
        long merged = member("王六", s1);
        sale("MS", s1, late, survivor, line("M1", c1, ba, null, 1, 1_000, 0));
        sale("MM", s1, early, merged, line("M2", c1, ba, null, 1, 2_000, 0));
        awaitRollup();
        assertThat(purchaseDates(survivor)).isEqualTo(late + ".." + late);
        String april = "from=2025-04-01&to=2025-04-30&storeCode=" + s1;
        assertThat(kpis(admin, april).path("total").path("newMemberSalesFen").asLong())
                .isEqualTo(3_000); // both bought for the first time
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isEqualTo(200);
        long mergeId = merge.json().path("id").asLong();
        await(() -> (early + ".." + late).equals(purchaseDates(survivor)), "the survivor's first purchase moved");
        // one person now: the later ticket is a returning purchase
        await(
                () -> kpis(admin, april).path("total").path("newMemberSalesFen").asLong() == 2_000,
                "new member sales after the merge");

        var undo = admin.post("/api/v1/members/" + survivor + "/merges/" + mergeId + "/undo", Map.of());
        assertThat(undo.status()).as(undo.raw()).isEqualTo(200);
        await(() -> (late + ".." + late).equals(purchaseDates(survivor)), "the survivor's own dates are back");
        await(() -> (early + ".." + early).equals(purchaseDates(merged)), "the merged member's dates are back");
        await(
                () -> kpis(admin, april).path("total").path("newMemberSalesFen").asLong() == 3_000,
                "new member sales after the undo");
    }

    private String purchaseDates(long memberId) {
        return jdbc.sql("select first_date || '..' || last_date from sales.member_purchase where member_id = ?")
                .param(memberId)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    // ------------------------------------------------------------------ helpers

    private JsonNode panel(ApiClient client, long memberId) {
        var res = client.get("/api/v1/members/" + memberId);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        for (JsonNode p : res.json().path("panels")) {
            if (p.path("key").asString().equals("purchases")) {
                return p;
            }
        }
        throw new AssertionError("no purchases panel in " + res.raw());
    }

    private List<Map<String, Object>> rollupRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.addAll(jdbc.sql("""
                select * from sales.daily_kpi where store_id in (?, ?)
                order by business_date, store_id, counter_id, brand_id""").params(s1Id, s2Id).query().listOfRows());
        rows.addAll(jdbc.sql("""
                select * from sales.daily_dim_tickets where store_id in (?, ?)
                order by business_date, store_id, dim, dim_id""").params(s1Id, s2Id).query().listOfRows());
        rows.addAll(jdbc.sql("""
                select * from sales.daily_store_kpi where store_id in (?, ?)
                order by business_date, store_id""").params(s1Id, s2Id).query().listOfRows());
        return rows;
    }

    private Map<String, Object> memberPurchase() {
        Map<String, Object> out = new HashMap<>();
        jdbc.sql("select member_id, first_date, last_date from sales.member_purchase where member_id in (?, ?)")
                .params(m1, m2)
                .query(rs -> {
                    out.put(rs.getString(1), rs.getString(2) + ".." + rs.getString(3));
                });
        return out;
    }

    private void awaitRollup() {
        Long[] ids = tickets.values().stream().map(t -> t.path("id").asLong()).toArray(Long[]::new);
        await(
                () -> jdbc.sql("select count(*) from sales.kpi_applied where first_sale_id = any(?)")
                                .param(ids)
                                .query(Long.class)
                                .single()
                        == ids.length,
                "every ticket's SalesRecorded applied to the rollup");
    }

    static void await(BooleanSupplier condition, String what) {
        org.awaitility.Awaitility.await(what)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    private static void assertField(ApiClient.Response res, String field) {
        assertThat(res.status()).as(res.raw()).isEqualTo(400);
        assertThat(res.fieldError(field)).as(res.raw()).isNotBlank();
    }

    private static JsonNode kpis(ApiClient client, String query) {
        var res = client.get("/api/v1/sales/kpis?" + query);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private static JsonNode row(JsonNode rows, String key) {
        for (JsonNode r : rows) {
            if (r.path("key").asString().equals(key)) {
                return r;
            }
        }
        throw new AssertionError("no row " + key + " in " + rows);
    }

    private ApiClient as(Role role, String... stores) {
        var res = admin.post(
                "/api/v1/api-keys",
                Map.of(
                        "name",
                        TestData.unique("kpi"),
                        "roles",
                        Set.of(role),
                        "allStores",
                        stores.length == 0,
                        "storeCodes",
                        List.of(stores)));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return admin.as(res.json().path("secret").asString());
    }

    private long storeId(String code) {
        return jdbc.sql("select id from organization.store where code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    private long member(String name, String store) {
        String phone = "136" + String.format("%08d", PHONE.incrementAndGet() % 100_000_000L);
        var res = admin.post("/api/v1/members", Map.of("name", name, "phone", phone, "preferredStoreCode", store));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private void traffic(long storeId, LocalDate date, int visitors) {
        jdbc.sql("""
                insert into sales.store_traffic (store_id, business_date, visitors, source, updated_by)
                values (?, ?, ?, 'ENTERED', 'test')
                on conflict (store_id, business_date) do update set visitors = excluded.visitors""").params(storeId, date, visitors).update();
    }

    static Map<String, Object> line(
            String sku, String counter, String brand, String category, int quantity, long price, long discount) {
        Map<String, Object> l = new HashMap<>();
        l.put("sku", sku);
        l.put("name", "商品" + sku);
        l.put("counterCode", counter);
        l.put("brandCode", brand);
        if (category != null) {
            l.put("categoryCode", category);
        }
        l.put("quantity", quantity);
        l.put("unitPriceFen", price);
        l.put("discountFen", discount);
        return l;
    }

    @SafeVarargs
    private void sale(String name, String store, LocalDate date, Long memberId, Map<String, Object>... lines) {
        long total = 0;
        for (Map<String, Object> l : lines) {
            total += (int) l.get("quantity") * (long) l.get("unitPriceFen") - (long) l.get("discountFen");
        }
        Map<String, Object> s = new HashMap<>();
        s.put("storeCode", store);
        s.put("posTerminal", "POS-01");
        s.put("posTransactionId", TestData.unique(name));
        s.put("businessDate", date.toString());
        s.put("occurredAt", date + "T14:00:00+08:00");
        if (memberId != null) {
            s.put("memberId", memberId);
        }
        s.put("lines", List.of(lines));
        s.put("payments", List.of(Map.of("method", "MOBILE_PAY", "amountFen", total)));
        var res = admin.post("/api/v1/sales", s);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        tickets.put(name, res.json());
    }

    private static void created(ApiClient.Response res) {
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }
}
