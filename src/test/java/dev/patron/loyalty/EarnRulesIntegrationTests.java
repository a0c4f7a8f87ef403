package dev.patron.loyalty;

import static dev.patron.loyalty.LoyaltyIntegrationTests.await;
import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.payment;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Earn rules over real HTTP and real PostgreSQL: each kind of rule, how they combine, exclusions,
 * stored-value payments, caps per sale and per day, the simulator (whose answer must equal what
 * accrual then awards), validation, roles, and institutional pooling. Every rule is limited to the
 * test's own store, so that other tests' sales are not affected.
 */
@PatronIntegrationTest
class EarnRulesIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> rule(String kind, Object... kv) {
        Map<String, Object> r = new HashMap<>();
        r.put("code", TestData.unique("R").replace('-', '_'));
        r.put("name", "规则 " + kind);
        r.put("kind", kind);
        r.put("storeCodes", List.of(fx.store));
        for (int i = 0; i < kv.length; i += 2) {
            r.put((String) kv[i], kv[i + 1]);
        }
        return r;
    }

    private String create(Map<String, Object> rule) {
        var res = admin.post("/api/v1/loyalty/rules", rule);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("code").asString();
    }

    private long member(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of(
                "name", "规则" + TestData.unique(""), "phone", SalesFixtures.phone(), "preferredStoreCode", fx.store));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        var res = admin.post("/api/v1/members", m);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private void tier(long member, String tier) {
        jdbc.sql("insert into loyalty.member_tier (member_id, tier_code, since) values (?, ?, current_date)")
                .params(member, tier)
                .update();
    }

    /** Two lines: brand A in the fixture's category, 458.00; brand B without category, 2 × 99.00. */
    private Map<String, Object> ticket(long member, String date, String time, List<Map<String, Object>> payments) {
        Map<String, Object> l1 = new HashMap<>(line("SKU-1", fx.counterA, fx.brandA, 1, 49_800, 4_000));
        l1.put("categoryCode", fx.category);
        Map<String, Object> s =
                fx.sale(TestData.unique("T"), 65_600, List.of(l1, line("SKU-2", fx.counterB, fx.brandB, 2, 9_900, 0)));
        s.put("memberId", member);
        s.put("businessDate", date);
        s.put("occurredAt", date + "T" + time + "+08:00");
        if (payments != null) {
            s.put("payments", payments);
        }
        return s;
    }

    private Map<String, Object> ticket(long member, String date) {
        return ticket(member, date, "14:03:11", null);
    }

    private JsonNode simulate(Map<String, Object> sale) {
        var res = admin.post("/api/v1/loyalty/rules/simulate", sale);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private long record(Map<String, Object> sale) {
        var res = admin.post("/api/v1/sales", sale);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    /** Records the sale and waits for its EARN entry; returns the points awarded. */
    private long earned(Map<String, Object> sale) {
        long id = record(sale);
        return earnedBy(id);
    }

    private long earnedBy(long saleId) {
        await(
                () -> jdbc.sql("select count(*) from loyalty.entry where kind = 'EARN' and sale_id = ?")
                                .param(saleId)
                                .query(Long.class)
                                .single()
                        == 1,
                () -> "no EARN entry for sale " + saleId);
        return jdbc.sql("select points from loyalty.entry where kind = 'EARN' and sale_id = ?")
                .param(saleId)
                .query(Long.class)
                .single();
    }

    private JsonNode points(long member) {
        var res = admin.get("/api/v1/members/" + member + "/points");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field == null ? n.asString() : n.path(field).asString()));
        return out;
    }

    // ------------------------------------------------------------------ rules

    @Test
    void tierAndBrandMultipliersMultiplyAndTheSimulatorExplainsWhatAccrualAwards() {
        String tierRule = create(rule("TIER_MULTIPLIER", "tierCodes", List.of("FIVE_STAR"), "multiplier", 1.5));
        String brandRule = create(rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 2));
        long star = member();
        tier(star, "FIVE_STAR");
        long standard = member();

        // 458 × 1.5 × 2 + 198 × 1.5 = 1374 + 297
        Map<String, Object> sale = ticket(star, "2026-11-20");
        JsonNode sim = simulate(sale);
        assertThat(sim.path("points").asLong()).isEqualTo(1671);
        assertThat(sim.path("tierCode").asString()).isEqualTo("FIVE_STAR");
        assertThat(texts(sim.path("rulesApplied"), null)).containsExactlyInAnyOrder(tierRule, brandRule);
        JsonNode line1 = sim.path("lines").get(0);
        assertThat(new BigDecimal(line1.path("multiplier").asString())).isEqualByComparingTo("3");
        assertThat(new BigDecimal(line1.path("basePoints").asString())).isEqualByComparingTo("458");
        assertThat(texts(line1.path("applied"), "code")).containsExactlyInAnyOrder(tierRule, brandRule);
        assertThat(sim.path("explanation").asString()).contains("1671", tierRule, brandRule);
        assertThat(sim.path("combination").asString()).contains("product");
        assertThat(earned(sale)).isEqualTo(1671);

        // the rank-0 tier: only the brand multiplier
        Map<String, Object> other = ticket(standard, "2026-11-20");
        assertThat(simulate(other).path("points").asLong()).isEqualTo(1114);
        assertThat(earned(other)).isEqualTo(1114);
        assertThat(loyalty.verify(star)).isEmpty();

        // the explanation speaks the caller's language
        JsonNode zh = admin.inLanguage("zh-CN")
                .post("/api/v1/loyalty/rules/simulate", other)
                .json();
        assertThat(zh.path("explanation").asString()).contains("因规则", brandRule);
    }

    @Test
    void exclusionsWinAndStoredValueIsAllocatedOverTheLines() {
        String exclusion = create(rule("CATEGORY_EXCLUSION", "categoryCodes", List.of(fx.category)));
        String brandRule = create(rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 2));
        create(rule("STORE_EXCLUSION", "storeCodes", List.of(fx.otherStore)));
        long m = member();
        // 100.00 of 656.00 paid with stored value: line 1 carries 69.82 (excluded anyway), line 2 30.18
        Map<String, Object> sale = ticket(
                m, "2026-11-20", "10:00:00", List.of(payment("STORED_VALUE", 10_000), payment("MOBILE_PAY", 55_600)));
        JsonNode sim = simulate(sale);
        JsonNode l1 = sim.path("lines").get(0);
        JsonNode l2 = sim.path("lines").get(1);
        assertThat(l1.path("excludedPaymentFen").asLong()).isEqualTo(6_982);
        assertThat(l2.path("excludedPaymentFen").asLong()).isEqualTo(3_018);
        assertThat(l2.path("baseFen").asLong()).isEqualTo(16_782);
        assertThat(texts(l1.path("exclusions"), "code")).containsExactly(exclusion);
        assertThat(texts(l1.path("notApplied"), "code")).containsExactly(brandRule);
        assertThat(new BigDecimal(l1.path("points").asString())).isZero();
        assertThat(sim.path("points").asLong()).isEqualTo(167); // 167.82 rounded down once
        assertThat(texts(sim.path("warnings"), "type")).containsExactly("exclusionOverMultiplier");
        assertThat(sim.path("warnings").get(0).path("lineNo").asInt()).isEqualTo(1);
        assertThat(earned(sale)).isEqualTo(167);

        // everything paid with stored value: nothing
        Map<String, Object> allStored = ticket(m, "2026-11-20", "10:05:00", List.of(payment("STORED_VALUE", 65_600)));
        assertThat(simulate(allStored).path("points").asLong()).isZero();
        assertThat(earned(allStored)).isZero();

        // an excluded store earns nothing at all
        Map<String, Object> there =
                fx.sale(TestData.unique("T"), 10_000, List.of(line("SKU-9", fx.otherCounter, fx.brandA, 1, 10_000, 0)));
        there.put("storeCode", fx.otherStore);
        there.put("memberId", m);
        JsonNode simThere = simulate(there);
        assertThat(simThere.path("points").asLong()).isZero();
        assertThat(earned(there)).isZero();
        assertThat(loyalty.verify(m)).isEmpty();
    }

    @Test
    void promotionsAreTimeBoxedTheHigherPriorityWinsAndBonusesAdd() {
        String doubleDay = create(rule(
                "PROMOTION_MULTIPLIER",
                "multiplier",
                2,
                "validFrom",
                "2026-11-11T00:00:00",
                "validTo",
                "2026-11-11T23:59:00"));
        String tripleB = create(rule(
                "PROMOTION_MULTIPLIER",
                "multiplier",
                3,
                "priority",
                5,
                "brandCodes",
                List.of(fx.brandB),
                "validFrom",
                "2026-11-11T00:00:00",
                "validTo",
                "2026-11-11T23:59:00"));
        String bonus = create(rule(
                "PROMOTION_BONUS",
                "bonusPoints",
                100,
                "validFrom",
                "2026-11-11T00:00:00",
                "validTo",
                "2026-11-11T23:59:00"));
        long m = member();
        // the last minute is included: 458 × 2 + 198 × 3 + 100
        Map<String, Object> late = ticket(m, "2026-11-11", "23:59:30", null);
        JsonNode sim = simulate(late);
        assertThat(sim.path("points").asLong()).isEqualTo(1610);
        assertThat(texts(sim.path("bonuses"), "code")).containsExactly(bonus);
        JsonNode l2 = sim.path("lines").get(1);
        assertThat(texts(l2.path("applied"), "code")).containsExactly(tripleB);
        assertThat(texts(l2.path("notApplied"), "code")).containsExactly(doubleDay);
        assertThat(texts(sim.path("warnings"), "type")).containsExactly("sameGroup");
        assertThat(earned(late)).isEqualTo(1610);
        // the next day: the base rate
        Map<String, Object> next = ticket(m, "2026-11-12", "00:00:10", null);
        assertThat(simulate(next).path("rulesApplied").size()).isZero();
        assertThat(earned(next)).isEqualTo(656);

        // birthday month
        create(rule("BIRTHDAY_MULTIPLIER", "multiplier", 2));
        long november = member("birthday", "1990-11-03");
        long may = member("birthday", "1990-05-03");
        Map<String, Object> b1 = ticket(november, "2026-11-20");
        JsonNode simB = simulate(b1);
        assertThat(simB.path("birthdayMonth").asBoolean()).isTrue();
        assertThat(simB.path("points").asLong()).isEqualTo(1312);
        assertThat(earned(b1)).isEqualTo(1312);
        assertThat(earned(ticket(may, "2026-11-20"))).isEqualTo(656);
    }

    @Test
    void capsLimitEachSaleAndEachMembersDayAcrossSales() {
        String saleCap = create(rule("SALE_CAP", "capPoints", 500));
        String dayCap = create(rule("DAILY_CAP", "capPoints", 800));
        long m = member();
        Map<String, Object> first = ticket(m, "2026-11-20");
        JsonNode sim = simulate(first);
        assertThat(sim.path("pointsBeforeCaps").asLong()).isEqualTo(656);
        assertThat(sim.path("points").asLong()).isEqualTo(500);
        assertThat(texts(sim.path("rulesApplied"), null)).containsExactly(saleCap);
        String txn = (String) first.get("posTransactionId");
        assertThat(earned(first)).isEqualTo(500);

        // spend most, return everything: the account owes a debt, so the next sale takes the one-by-one path
        var redeem = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("k"), "memberId", m, "points", 450, "storeCode", fx.store));
        assertThat(redeem.status()).as(redeem.raw()).isEqualTo(201);
        var ret = admin.post("/api/v1/returns", fx.fullReturn(txn));
        assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
        await(() -> points(m).path("debt").asLong() == 450, () -> points(m).toString());

        // second sale of the day: 800 − 500 earned already = 300 (returns do not give back cap room)
        Map<String, Object> second = ticket(m, "2026-11-20", "16:00:00", null);
        JsonNode sim2 = simulate(second);
        assertThat(sim2.path("earnedTodayBefore").asLong()).isEqualTo(500);
        assertThat(sim2.path("points").asLong()).isEqualTo(300);
        assertThat(texts(sim2.path("caps"), "code")).containsExactly(saleCap, dayCap);
        assertThat(earned(second)).isEqualTo(300);
        assertThat(points(m).path("debt").asLong()).isEqualTo(150);
        assertThat(loyalty.verify(m)).isEmpty();

        // the set-based path: three sales of one member in one batch, two on the same day
        long b = member();
        List<Map<String, Object>> batch =
                List.of(ticket(b, "2026-11-21"), ticket(b, "2026-11-21", "18:00:00", null), ticket(b, "2026-11-22"));
        var res = admin.post("/api/v1/sales/batch", Map.of("sales", batch));
        assertThat(res.status()).as(res.raw()).isIn(200, 201);
        await(() -> points(b).path("balance").asLong() == 1300, () -> points(b).toString());
        assertThat(jdbc.sql("select points from loyalty.entry where member_id = ? and kind = 'EARN' order by sale_id")
                        .param(b)
                        .query(Long.class)
                        .list())
                .containsExactly(500L, 300L, 500L);
        assertThat(loyalty.verify(b)).isEmpty();
    }

    // ------------------------------------------------------------------ management

    @Test
    void invalidRulesAreRefusedNamingTheFieldInTheCallersLanguage() {
        var zero = admin.post(
                "/api/v1/loyalty/rules", rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 0));
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.fieldError("multiplier")).isNotNull();
        var big = admin.post(
                "/api/v1/loyalty/rules", rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 101));
        assertThat(big.fieldError("multiplier")).contains("100");
        var period = admin.post(
                "/api/v1/loyalty/rules",
                rule(
                        "PROMOTION_MULTIPLIER",
                        "multiplier",
                        2,
                        "validFrom",
                        "2026-11-12T00:00:00",
                        "validTo",
                        "2026-11-11T00:00:00"));
        assertThat(period.status()).isEqualTo(400);
        assertThat(period.fieldError("validTo")).isNotNull();
        var noPeriod = admin.post("/api/v1/loyalty/rules", rule("PROMOTION_BONUS", "bonusPoints", 5));
        assertThat(noPeriod.fieldError("validFrom")).isNotNull();
        var cap = admin.post("/api/v1/loyalty/rules", rule("SALE_CAP", "capPoints", -1));
        assertThat(cap.fieldError("capPoints")).isNotNull();
        var noKind = admin.post("/api/v1/loyalty/rules", rule(null));
        assertThat(noKind.fieldError("kind")).isNotNull();
        var tier = admin.inLanguage("zh-CN")
                .post(
                        "/api/v1/loyalty/rules",
                        rule("TIER_MULTIPLIER", "tierCodes", List.of("NO_SUCH_TIER"), "multiplier", 2));
        assertThat(tier.status()).isEqualTo(422);
        assertThat(tier.fieldError("tierCodes")).contains("未知代码", "NO_SUCH_TIER");
        var store = admin.post("/api/v1/loyalty/rules", rule("STORE_EXCLUSION", "storeCodes", List.of("NOPE-STORE")));
        assertThat(store.status()).isEqualTo(422);
        assertThat(store.fieldError("storeCodes")).contains("NOPE-STORE");
        var brand = admin.post("/api/v1/loyalty/rules", rule("BRAND_EXCLUSION", "brandCodes", List.of("NOPE-BRAND")));
        assertThat(brand.fieldError("brandCodes")).contains("NOPE-BRAND");
        var lineFilter =
                admin.post("/api/v1/loyalty/rules", rule("SALE_CAP", "capPoints", 1, "brandCodes", List.of(fx.brandA)));
        assertThat(lineFilter.fieldError("brandCodes")).isNotNull();
        assertThat(jdbc.sql("select count(*) from loyalty.earn_rule where ? = any(store_codes)")
                        .param(fx.store)
                        .query(Long.class)
                        .single())
                .isZero();

        Map<String, Object> ok = rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 2);
        String code = create(ok);
        assertThat(admin.post("/api/v1/loyalty/rules", ok).status()).isEqualTo(409);
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'loyalty.rule.created' and entity_id = ?")
                        .param(code)
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);
        var bad = admin.put("/api/v1/loyalty/rules/" + code, with(ok, "multiplier", -2));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/loyalty/rules/" + code)
                        .json()
                        .path("multiplier")
                        .asString())
                .isEqualTo("2");
        assertThat(admin.get("/api/v1/loyalty/rules/NO_SUCH_RULE").status()).isEqualTo(404);
        var hundred = admin.put("/api/v1/loyalty/rules/" + code, with(ok, "multiplier", 100));
        assertThat(hundred.status()).as(hundred.raw()).isEqualTo(200);
        assertThat(hundred.json().path("multiplier").asString()).isEqualTo("100");
    }

    @Test
    void everyRoleReadsAndSimulatesOnlyHeadOfficeAdminsChangeRules() {
        String prefix = TestData.unique("LIST").replace('-', '_');
        for (int i = 0; i < 3; i++) {
            Map<String, Object> r =
                    rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 1 + i, "priority", i);
            r.put("code", prefix + "_" + i);
            create(r);
        }
        var page = admin.get("/api/v1/loyalty/rules?q=" + prefix + "&sort=-priority&size=2")
                .json();
        assertThat(page.path("totalItems").asLong()).isEqualTo(3);
        assertThat(texts(page.path("items"), "code")).containsExactly(prefix + "_2", prefix + "_1");
        assertThat(admin.get("/api/v1/loyalty/rules?sort=nope").status()).isEqualTo(400);

        ApiClient analyst = fx.as(Role.ANALYST);
        assertThat(analyst.get("/api/v1/loyalty/rules?q=" + prefix)
                        .json()
                        .path("totalItems")
                        .asLong())
                .isEqualTo(3);
        long m = member();
        assertThat(analyst.post("/api/v1/loyalty/rules/simulate", ticket(m, "2026-11-20"))
                        .status())
                .isEqualTo(200);
        Map<String, Object> another = rule("BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 2);
        assertThat(analyst.post("/api/v1/loyalty/rules", another).status()).isEqualTo(403);
        assertThat(analyst.put("/api/v1/loyalty/rules/" + prefix + "_0", another)
                        .status())
                .isEqualTo(403);
        ApiClient limitedAdmin = fx.as(Role.ADMIN, fx.store);
        assertThat(limitedAdmin.post("/api/v1/loyalty/rules", another).status()).isEqualTo(403);
        ApiClient otherManager = fx.as(Role.STORE_MANAGER, fx.otherStore);
        assertThat(otherManager
                        .post("/api/v1/loyalty/rules/simulate", ticket(m, "2026-11-20"))
                        .status())
                .isEqualTo(403);

        // deactivating: the rule no longer applies (2 × 3 winner gone → the ×2 rule of priority 1 wins)
        Map<String, Object> top = rule(
                "BRAND_MULTIPLIER", "brandCodes", List.of(fx.brandA), "multiplier", 3, "priority", 2, "active", false);
        var off = admin.put("/api/v1/loyalty/rules/" + prefix + "_2", top);
        assertThat(off.status()).as(off.raw()).isEqualTo(200);
        assertThat(off.json().path("active").asBoolean()).isFalse();
        JsonNode sim = simulate(ticket(m, "2026-11-20"));
        assertThat(texts(sim.path("lines").get(0).path("applied"), "code")).containsExactly(prefix + "_1");
        assertThat(sim.path("points").asLong()).isEqualTo(458 * 2 + 198);

        var badSim = admin.post("/api/v1/loyalty/rules/simulate", Map.of("storeCode", fx.store, "lines", List.of()));
        assertThat(badSim.status()).isEqualTo(400);
        assertThat(badSim.fieldError("lines")).isNotNull();
    }

    // ------------------------------------------------------------------ pooling

    /**
     * The daily cap is the buyer's, wherever their points went: a pooling institution's account
     * holds the entries, the cap still counts what this buyer earned that business day — and not
     * what another member of the institution earned, nor the buyer's points of another day.
     */
    /** A new institutional member (company name made unique); returns its id. */
    private long institution(String companyName) {
        var inst = admin.post(
                "/api/v1/members",
                Map.of(
                        "kind",
                        "INSTITUTION",
                        "companyName",
                        companyName + TestData.unique(""),
                        "phone",
                        SalesFixtures.phone()));
        assertThat(inst.status()).as(inst.raw()).isEqualTo(201);
        return inst.json().path("id").asLong();
    }

    @Test
    void aDailyCapCountsTheBuyersPointsInTheAccountTheyWentTo() {
        create(rule("DAILY_CAP", "capPoints", 800));
        long institution = institution("上海某百货有限公司");
        assertThat(admin.put("/api/v1/members/" + institution + "/points/pooling", Map.of("enabled", true))
                        .status())
                .isEqualTo(200);
        long person = member("institutionId", institution);
        long colleague = member("institutionId", institution);

        assertThat(earned(ticket(person, "2026-11-20"))).isEqualTo(656);
        Map<String, Object> second = ticket(person, "2026-11-20", "16:00:00", null);
        assertThat(simulate(second).path("earnedTodayBefore").asLong()).isEqualTo(656);
        assertThat(earned(second)).isEqualTo(144);
        assertThat(earned(ticket(colleague, "2026-11-20"))).isEqualTo(656);
        assertThat(earned(ticket(person, "2026-11-19"))).isEqualTo(656);
        assertThat(points(institution).path("balance").asLong()).isEqualTo(656 + 144 + 656 + 656);
        assertThat(points(person).path("balance").asLong()).isZero();
        assertThat(loyalty.verify(institution)).isEmpty();
    }

    @Test
    void anInstitutionThatPoolsReceivesItsMembersPointsAndReturnsReverseFromIt() {
        long institution = institution("上海某贸易有限公司");
        long person = member("institutionId", institution);

        var individual = admin.put("/api/v1/members/" + person + "/points/pooling", Map.of("enabled", true));
        assertThat(individual.status()).isEqualTo(422);
        assertThat(individual.fieldError("enabled")).isNotNull();
        assertThat(admin.put("/api/v1/members/" + institution + "/points/pooling", Map.of())
                        .fieldError("enabled"))
                .isNotNull();
        assertThat(fx.as(Role.STORE_MANAGER)
                        .put("/api/v1/members/" + institution + "/points/pooling", Map.of("enabled", true))
                        .status())
                .isEqualTo(403);
        var on = admin.put("/api/v1/members/" + institution + "/points/pooling", Map.of("enabled", true));
        assertThat(on.status()).as(on.raw()).isEqualTo(200);
        assertThat(on.json().path("enabled").asBoolean()).isTrue();
        assertThat(points(institution).path("pooling").path("enabled").asBoolean())
                .isTrue();
        assertThat(points(person).path("pooling").path("poolsInto").asLong()).isEqualTo(institution);

        Map<String, Object> sale = ticket(person, "2026-11-20");
        assertThat(simulate(sale).path("creditedMemberId").asLong()).isEqualTo(institution);
        long saleId = record(sale);
        assertThat(earnedBy(saleId)).isEqualTo(656);
        var entry = jdbc.sql(
                        "select member_id, earned_by_member_id from loyalty.entry where kind = 'EARN' and sale_id = ?")
                .param(saleId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .single();
        assertThat(entry).containsExactly(institution, person);
        assertThat(points(institution).path("balance").asLong()).isEqualTo(656);
        assertThat(points(person).path("balance").asLong()).isZero();

        var ret = admin.post(
                "/api/v1/returns",
                Map.of(
                        "storeCode",
                        fx.store,
                        "posTransactionId",
                        TestData.unique("R"),
                        "originalPosTransactionId",
                        sale.get("posTransactionId"),
                        "lines",
                        List.of(Map.of("lineNo", 2, "quantity", 1))));
        assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
        await(
                () -> points(institution).path("balance").asLong() == 557,
                () -> points(institution).toString());
        assertThat(points(person).path("balance").asLong()).isZero();
        assertThat(loyalty.verify(institution)).isEmpty();
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'points.pooling.changed' and entity_id = ?")
                        .param(String.valueOf(institution))
                        .query(Long.class)
                        .single())
                .isEqualTo(1L);

        // off again: later sales stay with the member
        assertThat(admin.put("/api/v1/members/" + institution + "/points/pooling", Map.of("enabled", false))
                        .json()
                        .path("enabled")
                        .asBoolean())
                .isFalse();
        long later = record(ticket(person, "2026-11-21"));
        assertThat(earnedBy(later)).isEqualTo(656);
        assertThat(points(person).path("balance").asLong()).isEqualTo(656);
        assertThat(points(institution).path("balance").asLong()).isEqualTo(557);
    }

    @Test
    void aReturnAfterAMergeReversesFromTheSurvivor() {
        long survivor = member();
        long merged = member();
        Map<String, Object> sale = ticket(merged, "2026-11-20");
        long saleId = record(sale);
        assertThat(earnedBy(saleId)).isEqualTo(656);
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        await(
                () -> points(survivor).path("balance").asLong() == 656,
                () -> points(survivor).toString());
        await(
                () -> jdbc.sql("select member_id from sales.sale where id = ?")
                                .param(saleId)
                                .query(Long.class)
                                .single()
                        == survivor,
                () -> "ticket not moved yet");
        var ret = admin.post(
                "/api/v1/returns",
                Map.of(
                        "storeCode",
                        fx.store,
                        "posTransactionId",
                        TestData.unique("R"),
                        "originalPosTransactionId",
                        sale.get("posTransactionId"),
                        "lines",
                        List.of(Map.of("lineNo", 2, "quantity", 1))));
        assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
        await(
                () -> points(survivor).path("balance").asLong() == 557,
                () -> points(survivor).toString());
        assertThat(jdbc.sql("select debt from loyalty.account where member_id = ?")
                        .param(merged)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(loyalty.verify(survivor)).isEmpty();
        assertThat(loyalty.verify(merged)).isEmpty();
    }
}
