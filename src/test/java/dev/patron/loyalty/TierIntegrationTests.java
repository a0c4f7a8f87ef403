package dev.patron.loyalty;

import static dev.patron.loyalty.LoyaltyIntegrationTests.await;
import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Tiers over real HTTP and PostgreSQL: upgrades on qualifying sales (several levels at once),
 * returns lowering the figure, no step down before the review date and one level at it, keeping at
 * review, overrides and their end, merges, points-based qualification, settings validation, the
 * lookup extras, and a random concurrent sequence checked against the rules.
 * Default levels: STANDARD 0, THREE_STAR ¥5,000, FOUR_STAR ¥20,000, FIVE_STAR ¥50,000 (spend).
 */
@PatronIntegrationTest
class TierIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TierReview review;

    @Autowired
    Tiers tiers;

    @Autowired
    TierQualification qualification;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    private static LocalDate today() {
        return LoyaltyManagement.today();
    }

    private long member() {
        return fx.member("等级" + TestData.unique("")).path("id").asLong();
    }

    /** A one-line sale of {@code fen} for the member; returns the POS transaction id. */
    private String buy(long member, long fen) {
        String txn = TestData.unique("T");
        var res = admin.post(
                "/api/v1/sales",
                with(fx.sale(txn, fen, List.of(line("S", fx.counterA, fx.brandA, 1, fen, 0))), "memberId", member));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    private ApiClient.Response returnAll(String txn) {
        return admin.post("/api/v1/returns", fx.fullReturn(txn));
    }

    private JsonNode tier(long member) {
        var res = admin.get("/api/v1/members/" + member + "/tier");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private long counted(long member) {
        return jdbc.sql("select count(*) from loyalty.tier_sale where member_id = ?")
                .param(member)
                .query(Long.class)
                .single();
    }

    private long tickets(long member) {
        return jdbc.sql("select count(*) from sales.sale where member_id = ?")
                .param(member)
                .query(Long.class)
                .single();
    }

    /** Waits until every ticket of the member was counted by the tier engine. */
    private void awaitCounted(long member) {
        await(() -> counted(member) == tickets(member), () -> "counted " + counted(member) + " of " + tickets(member));
    }

    private void awaitTier(long member, String code) {
        await(
                () -> tier(member).path("tier").path("code").asString().equals(code),
                () -> tier(member).toString());
    }

    private void reviewDueToday(long member) {
        jdbc.sql("update loyalty.member_tier set review_on = ? where member_id = ?")
                .params(today(), member)
                .update();
    }

    private List<String> causes(long member) {
        List<String> out = new ArrayList<>();
        tier(member).path("history").forEach(h -> out.add(h.path("cause").asString()));
        return out;
    }

    @Test
    void aQualifyingSaleUpgradesAtOnceEvenSeveralLevels() {
        long jump = member();
        buy(jump, 6_000_000); // ¥60,000: from STANDARD straight to FIVE_STAR
        awaitTier(jump, "FIVE_STAR");
        JsonNode t = tier(jump);
        assertThat(t.path("figure").asLong()).isEqualTo(6_000_000);
        assertThat(t.path("reviewOn").asString()).isEqualTo(today().plusYears(1).toString());
        assertThat(t.path("next").isNull()).isTrue();
        assertThat(t.path("tier").path("discountRate").decimalValue()).isEqualByComparingTo("0.9");
        assertThat(t.path("tier").path("freeServices").size()).isEqualTo(3);
        assertThat(t.path("history")).hasSize(1);
        assertThat(t.path("history").get(0).path("cause").asString()).isEqualTo("UPGRADE");
        assertThat(t.path("history").get(0).path("fromCode").asString()).isEqualTo("STANDARD");

        long step = member();
        buy(step, 300_000);
        awaitCounted(step);
        assertThat(tier(step).path("tier").path("code").asString()).isEqualTo("STANDARD");
        assertThat(tier(step).path("stillNeeded").asLong()).isEqualTo(200_000);
        buy(step, 300_000); // ¥6,000 in all
        awaitTier(step, "THREE_STAR");
        t = tier(step);
        assertThat(t.path("next").path("code").asString()).isEqualTo("FOUR_STAR");
        assertThat(t.path("stillNeeded").asLong()).isEqualTo(2_000_000 - 600_000);
        // the oldest counted sale (2026-11-20) leaves the rolling window after a year
        assertThat(t.path("neededBy").asString()).isEqualTo("2027-11-19");
        // the event delivered again (after a crash) counts nothing twice
        List<dev.patron.sales.RecordedSale> again = jdbc.sql(
                        "select id, store_id, business_date, total_fen from sales.sale where member_id = ? order by id")
                .param(step)
                .query((rs, n) -> new dev.patron.sales.RecordedSale(
                        rs.getLong(1),
                        dev.patron.sales.SaleKind.SALE,
                        rs.getLong(2),
                        step,
                        rs.getObject(3, LocalDate.class),
                        java.time.OffsetDateTime.now(),
                        rs.getLong(4),
                        dev.patron.sales.SaleSource.POS,
                        true,
                        null))
                .list();
        // the plain listener (not the async proxy), in a transaction like the event delivery
        Object target = org.springframework.aop.framework.AopProxyUtils.getSingletonTarget(qualification);
        TierQualification listener = target instanceof TierQualification t0 ? t0 : qualification;
        tx.executeWithoutResult(st -> listener.on(new dev.patron.sales.SalesRecorded(again)));
        assertThat(counted(step)).isEqualTo(2);
        assertThat(tier(step).path("figure").asLong()).isEqualTo(600_000);
        assertThat(tier(step).path("history")).hasSize(1);
    }

    @Test
    void returnsLowerTheFigureButTheTierOnlyStepsDownOneLevelAtTheReviewDate() {
        long m = member();
        String big = buy(m, 6_000_000);
        awaitTier(m, "FIVE_STAR");
        assertThat(returnAll(big).status()).isEqualTo(201);
        await(() -> tier(m).path("figure").asLong() == 0, () -> tier(m).toString());
        // before the review date nothing happens
        review.review(today());
        review.review(today().plusMonths(6));
        assertThat(tier(m).path("tier").path("code").asString()).isEqualTo("FIVE_STAR");

        reviewDueToday(m);
        assertThat(review.review(today())).isGreaterThanOrEqualTo(1);
        JsonNode t = tier(m);
        assertThat(t.path("tier").path("code").asString())
                .as("one level, not to STANDARD")
                .isEqualTo("FOUR_STAR");
        assertThat(t.path("reviewOn").asString()).isEqualTo(today().plusYears(1).toString());
        assertThat(t.path("history").get(0).path("cause").asString()).isEqualTo("DOWNGRADE");
        // run again the same day: reviewed already
        review.review(today());
        assertThat(tier(m).path("tier").path("code").asString()).isEqualTo("FOUR_STAR");
        // next year's review: one more level
        assertThat(review.review(today().plusYears(1))).isGreaterThanOrEqualTo(1);
        assertThat(tier(m).path("tier").path("code").asString()).isEqualTo("THREE_STAR");
    }

    @Test
    void aMemberWhoStillQualifiesKeepsTheTierAndTheReviewMovesAYearOn() {
        long m = member();
        buy(m, 600_000);
        awaitTier(m, "THREE_STAR");
        reviewDueToday(m);
        review.review(today());
        JsonNode t = tier(m);
        assertThat(t.path("tier").path("code").asString()).isEqualTo("THREE_STAR");
        assertThat(t.path("reviewOn").asString()).isEqualTo(today().plusYears(1).toString());
        assertThat(causes(m)).containsExactly("REVIEW_KEEP", "UPGRADE");
    }

    @Test
    void anOverrideHoldsTheTierUntilItEndsThenTheRulesApplyAgain() {
        long m = member();
        String until = today().plusDays(10).toString();
        Map<String, Object> body = Map.of("tierCode", "FIVE_STAR", "reason", "VIP 客户", "until", until);

        assertThat(fx.as(Role.COUNTER_STAFF, fx.store)
                        .post("/api/v1/members/" + m + "/tier/override", body)
                        .status())
                .isEqualTo(403);
        assertThat(fx.as(Role.STORE_MANAGER, fx.otherStore)
                        .post("/api/v1/members/" + m + "/tier/override", body)
                        .status())
                .as("a manager of another store")
                .isEqualTo(403);
        var bad = admin.post(
                "/api/v1/members/" + m + "/tier/override",
                Map.of("tierCode", "GOLD", "until", today().minusDays(1).toString()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("tierCode")).isEqualTo("there is no level GOLD");
        assertThat(bad.fieldError("reason")).isEqualTo("must not be empty");
        assertThat(bad.fieldError("until")).startsWith("must be between " + today());
        var zh = admin.inLanguage("zh-CN").post("/api/v1/members/" + m + "/tier/override", Map.of("tierCode", "GOLD"));
        assertThat(zh.fieldError("tierCode")).isEqualTo("没有等级 GOLD");

        var ok = fx.as(Role.STORE_MANAGER, fx.store).post("/api/v1/members/" + m + "/tier/override", body);
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.json().path("tier").path("code").asString()).isEqualTo("FIVE_STAR");
        assertThat(ok.json().path("override").path("until").asString()).isEqualTo(until);
        assertThat(ok.json().path("override").path("baseTierCode").asString()).isEqualTo("STANDARD");

        // a sale that qualifies for FOUR_STAR changes nothing while overridden
        buy(m, 2_500_000);
        awaitCounted(m);
        review.review(today());
        assertThat(tier(m).path("tier").path("code").asString()).isEqualTo("FIVE_STAR");

        // the override ran out: STANDARD comes back and the figure upgrades it to FOUR_STAR
        jdbc.sql("update loyalty.member_tier set override_until = ? where member_id = ?")
                .params(today().minusDays(1), m)
                .update();
        review.review(today());
        JsonNode t = tier(m);
        assertThat(t.path("tier").path("code").asString()).isEqualTo("FOUR_STAR");
        assertThat(t.path("override").isNull()).isTrue();
        assertThat(causes(m)).containsExactly("UPGRADE", "OVERRIDE_END", "OVERRIDE");
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'tier.overridden' and entity_id = ?")
                        .param(String.valueOf(m))
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);

        // ending an override by hand
        assertThat(admin.post("/api/v1/members/" + m + "/tier/override", body).status())
                .isEqualTo(200);
        var end = admin.delete("/api/v1/members/" + m + "/tier/override");
        assertThat(end.status()).as(end.raw()).isEqualTo(200);
        assertThat(end.json().path("tier").path("code").asString()).isEqualTo("FOUR_STAR");
        assertThat(admin.delete("/api/v1/members/" + m + "/tier/override").status())
                .isEqualTo(409);
    }

    @Test
    void aMergeLeavesTheSurvivorWithTheHigherTier() {
        long survivor = member();
        long merged = member();
        buy(survivor, 600_000);
        buy(merged, 5_100_000);
        awaitTier(survivor, "THREE_STAR");
        awaitTier(merged, "FIVE_STAR");
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        awaitTier(survivor, "FIVE_STAR");
        JsonNode t = tier(survivor);
        assertThat(t.path("figure").asLong()).isEqualTo(5_700_000);
        assertThat(t.path("history").get(0).path("cause").asString()).isEqualTo("MERGE");
        assertThat(jdbc.sql("select tier_code from loyalty.member_tier where member_id = ?")
                        .param(merged)
                        .query(String.class)
                        .single())
                .isEqualTo("STANDARD");
        // undone: the merged member's sales go back and qualify them again; the survivor keeps
        // FIVE_STAR until the review, where it steps down one level
        var undo = admin.post(
                "/api/v1/members/" + survivor + "/merges/"
                        + merge.json().path("id").asLong() + "/undo",
                Map.of());
        assertThat(undo.status()).as(undo.raw()).isIn(200, 201);
        awaitTier(merged, "FIVE_STAR");
        await(
                () -> tier(survivor).path("figure").asLong() == 600_000,
                () -> tier(survivor).toString());
        assertThat(tier(survivor).path("tier").path("code").asString()).isEqualTo("FIVE_STAR");
        reviewDueToday(survivor);
        review.review(today());
        assertThat(tier(survivor).path("tier").path("code").asString()).isEqualTo("FOUR_STAR");
    }

    @Test
    void withThePointsBasisEarnedPointsQualifyNotTheBalance() {
        TierSettings before = tiers.settings();
        try {
            List<Map<String, Object>> levels = new ArrayList<>();
            long[] thresholds = {0, 1_000, 5_000, 20_000};
            for (int i = 0; i < before.levels().size(); i++) {
                TierLevel l = before.levels().get(i);
                levels.add(level(l, thresholds[i]));
            }
            var put = admin.put("/api/v1/loyalty/tiers", Map.of("basis", "POINTS", "levels", levels));
            assertThat(put.status()).as(put.raw()).isEqualTo(200);
            long m = member();
            buy(m, 65_600); // 656 points
            awaitCounted(m);
            assertThat(tier(m).path("figure").asLong()).isEqualTo(656);
            assertThat(tier(m).path("tier").path("code").asString()).isEqualTo("STANDARD");
            // points given by staff are balance, not earned by purchases
            assertThat(admin.post(
                                    "/api/v1/points/adjustments",
                                    Map.of(
                                            "idempotencyKey",
                                            TestData.unique("a"),
                                            "memberId",
                                            m,
                                            "points",
                                            50_000,
                                            "reason",
                                            "补偿"))
                            .status())
                    .isEqualTo(201);
            buy(m, 65_600);
            awaitTier(m, "THREE_STAR");
            assertThat(tier(m).path("figure").asLong()).isEqualTo(1_312);
            assertThat(tier(m).path("stillNeeded").asLong()).isEqualTo(5_000 - 1_312);
        } finally {
            List<Map<String, Object>> levels = new ArrayList<>();
            before.levels().forEach(l -> levels.add(level(l, l.threshold())));
            assertThat(admin.put("/api/v1/loyalty/tiers", Map.of("basis", before.basis(), "levels", levels))
                            .status())
                    .isEqualTo(200);
        }
    }

    private static Map<String, Object> level(TierLevel l, long threshold) {
        Map<String, Object> m = new HashMap<>();
        m.put("code", l.code());
        m.put("rank", l.rank());
        m.put("nameZh", l.nameZh());
        m.put("nameEn", l.nameEn());
        m.put("threshold", threshold);
        m.put("pointsMultiplier", l.pointsMultiplier());
        m.put("discountRate", l.discountRate());
        m.put("freeServices", l.freeServices());
        m.put("birthdayGift", l.birthdayGift());
        return m;
    }

    @Test
    void invalidSettingsAreRefusedNamingTheFieldAndOnlyAdminsChangeThem() {
        TierSettings current = tiers.settings();
        List<Map<String, Object>> levels = new ArrayList<>();
        current.levels().forEach(l -> levels.add(level(l, l.threshold())));
        levels.get(0).put("threshold", 100);
        levels.get(2).put("threshold", 1);
        levels.get(3).put("discountRate", 1.5);
        levels.get(1).put("code", "three star");
        var bad = admin.put("/api/v1/loyalty/tiers", Map.of("basis", "VISITS", "levels", levels));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("basis")).isEqualTo("must be SPEND or POINTS");
        assertThat(bad.fieldError("levels[0].threshold")).isEqualTo("must be 0 for the rank 0 level");
        assertThat(bad.fieldError("levels[2].threshold"))
                .isEqualTo("must be higher than 500000, the threshold of three star");
        assertThat(bad.fieldError("levels[3].discountRate")).startsWith("must be more than 0 and at most 1");
        assertThat(bad.fieldError("levels[1].code")).isEqualTo("must be 1-20 capital letters, digits or _");
        var zh = admin.inLanguage("zh-CN").put("/api/v1/loyalty/tiers", Map.of("basis", "VISITS", "levels", levels));
        assertThat(zh.fieldError("basis")).isEqualTo("必须为 SPEND 或 POINTS");

        List<Map<String, Object>> same = new ArrayList<>();
        current.levels().forEach(l -> same.add(level(l, l.threshold())));
        assertThat(fx.as(Role.STORE_MANAGER)
                        .put("/api/v1/loyalty/tiers", Map.of("basis", "SPEND", "levels", same))
                        .status())
                .isEqualTo(403);
        // a level that members hold cannot go
        long m = member();
        buy(m, 6_000_000);
        awaitTier(m, "FIVE_STAR");
        var drop = admin.put("/api/v1/loyalty/tiers", Map.of("basis", "SPEND", "levels", same.subList(0, 3)));
        assertThat(drop.status()).isEqualTo(422);
        assertThat(drop.fieldError("levels")).isEqualTo("level FIVE_STAR cannot be removed: members hold it");
        // a valid change is saved and audited
        same.get(1).put("birthdayGift", "生日蛋糕");
        var ok = admin.put("/api/v1/loyalty/tiers", Map.of("basis", "SPEND", "levels", same));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(admin.get("/api/v1/loyalty/tiers")
                        .json()
                        .path("levels")
                        .get(1)
                        .path("birthdayGift")
                        .asString())
                .isEqualTo("生日蛋糕");
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'loyalty.tiers.changed'")
                        .query(Long.class)
                        .single())
                .isPositive();
        same.get(1).put("birthdayGift", current.levels().get(1).birthdayGift());
        assertThat(admin.put("/api/v1/loyalty/tiers", Map.of("basis", "SPEND", "levels", same))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theLookupCarriesTierBenefitsAndPoints() {
        JsonNode created = fx.member("查询" + TestData.unique(""));
        long m = created.path("id").asLong();
        buy(m, 2_100_000);
        awaitTier(m, "FOUR_STAR");
        await(
                () -> admin.get("/api/v1/members/" + m + "/points")
                                .json()
                                .path("balance")
                                .asLong()
                        == 21_000,
                () -> "points");
        var res = admin.get(
                "/api/v1/members/lookup?phone=" + created.path("phone").asString());
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        JsonNode extras = res.json().path("extras");
        assertThat(extras.path("tier").path("code").asString()).isEqualTo("FOUR_STAR");
        assertThat(extras.path("tier").path("nameZh").asString()).isEqualTo("四星会员");
        assertThat(extras.path("tier").path("discountRate").decimalValue()).isEqualByComparingTo("0.95");
        assertThat(extras.path("tier").path("pointsMultiplier").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(extras.path("points").path("balance").asLong()).isEqualTo(21_000);
        // a member without sales: the entry level
        JsonNode plain = fx.member("查询" + TestData.unique(""));
        JsonNode none = admin.get(
                        "/api/v1/members/lookup?phone=" + plain.path("phone").asString())
                .json()
                .path("extras");
        assertThat(none.path("tier").path("code").asString()).isEqualTo("STANDARD");
        assertThat(none.path("points").path("balance").asLong()).isZero();
        // and the 360 view has the tier panel
        JsonNode view = admin.get("/api/v1/members/" + m).json();
        boolean found = false;
        for (JsonNode panel : view.path("panels")) {
            if (panel.path("key").asString().equals("tier")) {
                found = panel.path("data")
                        .path("tier")
                        .path("tier")
                        .path("code")
                        .asString()
                        .equals("FOUR_STAR");
            }
        }
        assertThat(found).as(view.path("panels").toString()).isTrue();
    }

    /**
     * Three members buy and return at random, concurrently; each member's steps are counted by the
     * tier engine before the next. Afterwards (and after a review) each member's tier is what the
     * rules say for their history: the highest level the running figure reached (upgrades are
     * immediate, nothing goes down before the review), then at the review one level down at most.
     */
    @Test
    void afterRandomConcurrentSalesAndReturnsEachTierIsWhatTheRulesSay() throws Exception {
        Random random = new Random(20261126);
        List<Long> members = List.of(member(), member(), member());
        long[] thresholds = {0, 500_000, 2_000_000, 5_000_000};
        Map<Long, Integer> expectedRank = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Long, Long> expectedFigure = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> work = new ArrayList<>();
        for (long m : members) {
            long seed = random.nextLong();
            work.add(pool.submit(() -> {
                Random r = new Random(seed);
                List<String> open = new ArrayList<>();
                Map<String, Long> amount = new HashMap<>();
                long figure = 0;
                int rank = 0;
                for (int step = 0; step < 12; step++) {
                    if (r.nextInt(3) < 2 || open.isEmpty()) {
                        long fen = 10_000 + r.nextInt(1_500_000);
                        String txn = buy(m, fen);
                        open.add(txn);
                        amount.put(txn, fen);
                        figure += fen;
                    } else {
                        String txn = open.remove(r.nextInt(open.size()));
                        assertThat(returnAll(txn).status()).isEqualTo(201);
                        figure -= amount.get(txn);
                    }
                    awaitCounted(m);
                    for (int k = thresholds.length - 1; k >= 0; k--) {
                        if (figure >= thresholds[k]) {
                            rank = Math.max(rank, k);
                            break;
                        }
                    }
                    assertThat(tier(m).path("tier").path("rank").asInt()).isEqualTo(rank);
                }
                expectedRank.put(m, rank);
                expectedFigure.put(m, figure);
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        for (long m : members) {
            JsonNode t = tier(m);
            assertThat(t.path("figure").asLong()).isEqualTo(expectedFigure.get(m));
            assertThat(t.path("tier").path("rank").asInt()).isEqualTo(expectedRank.get(m));
            int qualified = 0;
            for (int k = 0; k < thresholds.length; k++) {
                if (expectedFigure.get(m) >= thresholds[k]) {
                    qualified = k;
                }
            }
            int rank = expectedRank.get(m);
            if (rank > 0) {
                reviewDueToday(m);
            }
            review.review(today());
            int after = rank > 0 && qualified < rank ? rank - 1 : rank;
            assertThat(tier(m).path("tier").path("rank").asInt()).isEqualTo(after);
        }
    }
}
