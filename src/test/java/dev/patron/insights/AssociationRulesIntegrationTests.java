package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Cross-sell over real HTTP and the real database: the Groceries data imported through the sales
 * import gives arules' rule counts; hand-made members get the next best categories and up-sell
 * offers the rules imply; roles, store scope and bad input.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssociationRulesIntegrationTests {

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final AssociationRules rules;
    GroceriesData groceries;
    CrossSellFixtures fx;

    AssociationRulesIntegrationTests(
            @LocalServerPort int port, @Autowired JdbcClient jdbc, @Autowired AssociationRules rules) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.rules = rules;
    }

    @BeforeAll
    void data() throws Exception {
        groceries = GroceriesData.load(admin, port);
        fx = new CrossSellFixtures(admin);
    }

    /** Starts a run (202) and polls it until it is no longer RUNNING. */
    static JsonNode mineAndWait(ApiClient client, Map<String, Object> body) {
        var started = client.post("/api/v1/insights/association-rules/mine", body);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        assertThat(started.json().path("status").asString()).isIn("RUNNING", "DONE");
        long id = started.json().path("id").asLong();
        JsonNode run = org.awaitility.Awaitility.await("run " + id + " finishes")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> client.get("/api/v1/insights/association-rule-runs/" + id)
                                .json(),
                        r -> !"RUNNING".equals(r.path("status").asString()));
        assertThat(run.path("status").asString()).as(run.toString()).isEqualTo("DONE");
        return run;
    }

    JsonNode mineGroceries(String support) {
        return mineAndWait(
                admin,
                Map.of(
                        "level",
                        "category",
                        "minSupport",
                        new BigDecimal(support),
                        "minConfidence",
                        new BigDecimal("0.5"),
                        "from",
                        GroceriesData.BUSINESS_DATE,
                        "to",
                        GroceriesData.BUSINESS_DATE,
                        "storeCodes",
                        List.of(groceries.store)));
    }

    static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("name").asString()));
        return out;
    }

    @Test
    void groceriesImportedAsTicketsGiveArulesRuleCounts() {
        assertThat(groceries.baskets).isEqualTo(9_835);
        assertThat(groceries.categories).hasSize(169);

        JsonNode low = mineGroceries("0.001");
        assertThat(low.path("baskets").asLong()).isEqualTo(9_835);
        assertThat(low.path("minSupportCount").asLong()).isEqualTo(10); // ceil(9.835)
        assertThat(low.path("rules").asLong()).isEqualTo(5_668);
        var listed = admin.get(
                "/api/v1/insights/association-rules?runId=" + low.path("id").asLong() + "&size=1");
        assertThat(listed.status()).as(listed.raw()).isEqualTo(200);
        assertThat(listed.json().path("totalItems").asLong()).isEqualTo(5_668);
        // the exact threshold filter on stored rules agrees with mining at the higher support
        var filtered = admin.get("/api/v1/insights/association-rules?runId="
                + low.path("id").asLong() + "&minSupport=0.01&minConfidence=0.5&size=50");
        assertThat(filtered.json().path("totalItems").asLong()).isEqualTo(15);

        JsonNode high = mineGroceries("0.01");
        assertThat(high.path("minSupportCount").asLong()).isEqualTo(99);
        assertThat(high.path("rules").asLong()).isEqualTo(15);
        var page = admin.get(
                "/api/v1/insights/association-rules?runId=" + high.path("id").asLong() + "&size=50&sort=-confidence");
        assertThat(page.json().path("items")).hasSize(15);
        JsonNode citrus = null;
        BigDecimal previous = BigDecimal.ONE;
        for (JsonNode r : page.json().path("items")) {
            BigDecimal confidence = r.path("confidence").decimalValue();
            assertThat(confidence).isLessThanOrEqualTo(previous).isGreaterThanOrEqualTo(new BigDecimal("0.5"));
            previous = confidence;
            if (names(r.path("antecedent")).equals(List.of("citrus fruit", "root vegetables"))
                    || names(r.path("antecedent")).equals(List.of("root vegetables", "citrus fruit"))) {
                if (names(r.path("consequent")).equals(List.of("other vegetables"))) {
                    citrus = r;
                }
            }
        }
        assertThat(citrus)
                .as("{citrus fruit, root vegetables} => {other vegetables}")
                .isNotNull();
        assertThat(citrus.path("confidence").decimalValue().setScale(3, RoundingMode.HALF_UP))
                .isEqualByComparingTo("0.586");
        assertThat(citrus.path("lift").decimalValue().setScale(2, RoundingMode.HALF_UP))
                .isEqualByComparingTo("3.03");
        assertThat(citrus.path("baskets").asLong()).isEqualTo(9_835);
        // the counts behind the ratios are the arules ones: 102 of 174 baskets
        assertThat(citrus.path("bothCount").asLong()).isEqualTo(102);
        assertThat(citrus.path("antecedentCount").asLong()).isEqualTo(174);

        // filters on an item of either side, by code
        String whole = groceries.categories.get("whole milk");
        var toMilk = admin.get("/api/v1/insights/association-rules?runId="
                + high.path("id").asLong() + "&consequent=" + whole + "&size=50");
        assertThat(toMilk.json().path("items"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(names(r.path("consequent"))).containsExactly("whole milk"));
        var fromCitrus = admin.get("/api/v1/insights/association-rules?runId="
                + high.path("id").asLong() + "&antecedent=" + groceries.categories.get("citrus fruit") + "&size=50");
        assertThat(fromCitrus.json().path("items"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(names(r.path("antecedent"))).contains("citrus fruit"));
    }

    @Test
    void membersGetTheNextBestCategoriesTheRulesImplyAndTheNextPriceBand() {
        JsonNode run = fx.mine("0.1", "0.5");
        // 39 baskets: the fully returned sale is none; 4 rules (see CrossSellFixtures)
        assertThat(run.path("baskets").asLong()).isEqualTo(39);
        assertThat(run.path("rules").asLong()).isEqualTo(4);
        long runId = run.path("id").asLong();
        var listed = admin.get("/api/v1/insights/association-rules?runId=" + runId + "&sort=-confidence");
        JsonNode top = listed.json().path("items").get(0);
        assertThat(names(top.path("antecedent"))).containsExactly("皮带");
        assertThat(names(top.path("consequent"))).containsExactly("手袋");
        assertThat(top.path("confidence").decimalValue()).isEqualByComparingTo("1");

        // bought a bag only: a belt (6 of 8 bag baskets also have one; lift 6 × 39 / (8 × 6) = 4.875)
        JsonNode bagOnly =
                admin.get("/api/v1/members/" + fx.bagOnly + "/next-best").json();
        assertThat(bagOnly.path("runId").asLong()).isEqualTo(runId);
        assertThat(bagOnly.path("nextBest")).hasSize(1);
        JsonNode belt = bagOnly.path("nextBest").get(0);
        assertThat(belt.path("item").path("name").asString()).isEqualTo("皮带");
        assertThat(names(belt.path("because"))).containsExactly("手袋");
        assertThat(belt.path("confidence").decimalValue()).isEqualByComparingTo("0.75");
        assertThat(belt.path("lift").decimalValue()).isEqualByComparingTo("4.875");
        assertThat(belt.path("score").decimalValue()).isEqualByComparingTo("3.65625");
        // up-sell: shoes at ¥10 are band 1 of 4 (quartiles ¥60 / ¥120 / ¥180); band 2 is ¥70-¥120, middle brand
        assertThat(bagOnly.path("upSell")).hasSize(1);
        JsonNode offer = bagOnly.path("upSell").get(0);
        assertThat(offer.path("category").path("name").asString()).isEqualTo("女鞋");
        assertThat(offer.path("typicalPrice").decimalValue()).isEqualByComparingTo("10.00");
        assertThat(offer.path("currentBand").asInt()).isEqualTo(1);
        assertThat(offer.path("nextBand").asInt()).isEqualTo(2);
        assertThat(offer.path("nextBandFrom").decimalValue()).isEqualByComparingTo("70.00");
        assertThat(offer.path("nextBandTo").decimalValue()).isEqualByComparingTo("120.00");
        assertThat(names(offer.path("brands"))).containsExactly("中档鞋");

        // bought both: nothing left to suggest; a scarf buyer gets kids' wear; no purchases, nothing
        assertThat(admin.get("/api/v1/members/" + fx.bagBelt + "/next-best")
                        .json()
                        .path("nextBest"))
                .isEmpty();
        JsonNode scarf =
                admin.get("/api/v1/members/" + fx.scarfOnly + "/next-best").json();
        assertThat(scarf.path("nextBest").get(0).path("item").path("name").asString())
                .isEqualTo("童装");
        assertThat(scarf.path("nextBest").get(0).path("lift").decimalValue()).isEqualByComparingTo("6.24");
        JsonNode none =
                admin.get("/api/v1/members/" + fx.nothing + "/next-best").json();
        assertThat(none.path("nextBest")).isEmpty();
        assertThat(none.path("upSell")).isEmpty();

        // the set-based table for segments agrees with the live answer
        long beltId =
                admin.get("/api/v1/categories/" + fx.belt).json().path("id").asLong();
        var set = rules.membersLikelyToBuy(RuleLevel.CATEGORY, beltId, new BigDecimal("0.75"));
        List<Long> likely =
                jdbc.sql(set.sql()).params(set.params()).query(Long.class).list();
        assertThat(likely).containsExactly(fx.bagOnly);
        var stricter = rules.membersLikelyToBuy(RuleLevel.CATEGORY, beltId, new BigDecimal("0.76"));
        assertThat(jdbc.sql(stricter.sql())
                        .params(stricter.params())
                        .query(Long.class)
                        .list())
                .isEmpty();
        Integer rank = jdbc.sql("select rank from insights.member_next_best where member_id = ? and item_id = ?")
                .params(fx.bagOnly, beltId)
                .query(Integer.class)
                .single();
        assertThat(rank).isEqualTo(1);
        // the 360 view carries the panel
        JsonNode member = admin.get("/api/v1/members/" + fx.bagOnly).json();
        boolean panel = false;
        for (JsonNode p : member.path("panels")) {
            if ("recommended".equals(p.path("key").asString())) {
                panel = p.path("data")
                        .path("nextBest")
                        .get(0)
                        .path("item")
                        .path("name")
                        .asString()
                        .equals("皮带");
            }
        }
        assertThat(panel).as(member.path("panels").toString()).isTrue();

        // brand level: only the 25 shoe tickets have brands, one each, so baskets but no rules
        JsonNode brands = mineAndWait(
                admin,
                Map.of(
                        "level",
                        "brand",
                        "minSupport",
                        new BigDecimal("0.01"),
                        "from",
                        CrossSellFixtures.DATE,
                        "to",
                        CrossSellFixtures.DATE,
                        "storeCodes",
                        List.of(fx.org.store)));
        assertThat(brands.path("baskets").asLong()).isEqualTo(25);
        assertThat(brands.path("rules").asLong()).isZero();
        JsonNode byBrand = admin.get("/api/v1/members/" + fx.bagOnly + "/next-best?level=brand")
                .json();
        assertThat(byBrand.path("level").asString()).isEqualTo("BRAND");
        assertThat(byBrand.path("runId").asLong()).isEqualTo(brands.path("id").asLong());
        assertThat(byBrand.path("nextBest")).isEmpty();
        // the category table is the category run's still
        assertThat(jdbc.sql(set.sql()).params(set.params()).query(Long.class).list())
                .containsExactly(fx.bagOnly);
    }

    @Test
    void rolesAndStoreScope() {
        var manager = fx.org.as(Role.STORE_MANAGER, fx.org.store);
        var otherManager = fx.org.as(Role.STORE_MANAGER, fx.org.otherStore);
        var analyst = fx.org.as(Role.ANALYST);
        var finance = fx.org.as(Role.FINANCE);
        assertThat(manager.get("/api/v1/members/" + fx.bagOnly + "/next-best").status())
                .isEqualTo(200);
        assertThat(otherManager
                        .get("/api/v1/members/" + fx.bagOnly + "/next-best")
                        .status())
                .isEqualTo(403);
        assertThat(finance.get("/api/v1/members/" + fx.bagOnly + "/next-best").status())
                .isEqualTo(403);
        assertThat(admin.get("/api/v1/members/999999999/next-best").status()).isEqualTo(404);
        assertThat(analyst.get("/api/v1/insights/association-rules").status()).isEqualTo(200);
        assertThat(manager.get("/api/v1/insights/association-rules").status()).isEqualTo(403);
        assertThat(fx.org
                        .as(Role.ANALYST, fx.org.store)
                        .get("/api/v1/insights/association-rules")
                        .status())
                .isEqualTo(403);
        assertThat(manager.post("/api/v1/insights/association-rules/mine", Map.of())
                        .status())
                .isEqualTo(403);
        assertThat(finance.get("/api/v1/insights/association-rule-runs").status())
                .isEqualTo(403);
        Long reads = jdbc.sql("select count(*) from audit.audit_event where action = 'xsell.recommendations.read'"
                        + " and entity_id = ?")
                .param(Long.toString(fx.bagOnly))
                .query(Long.class)
                .single();
        assertThat(reads).isPositive();
    }

    @Test
    void badThresholdsAre400NamingTheFieldInTheCallersLanguage() {
        for (String bad : List.of("0", "-0.1", "1.0001", "abc")) {
            var res = admin.get("/api/v1/insights/association-rules?minSupport=" + bad);
            assertThat(res.status()).as(bad).isEqualTo(400);
            assertThat(res.contentType()).startsWith("application/problem+json");
            assertThat(res.fieldError("minSupport")).as(res.raw()).isNotBlank();
        }
        assertThat(admin.get("/api/v1/insights/association-rules?minSupport=1").status())
                .isEqualTo(200);
        assertThat(admin.get("/api/v1/insights/association-rules?minConfidence=0")
                        .fieldError("minConfidence"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/insights/association-rules?level=sku").fieldError("level"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/insights/association-rules?sort=name").fieldError("sort"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/insights/association-rules?antecedent=NO-SUCH")
                        .fieldError("antecedent"))
                .isNotBlank();

        var zh = admin.inLanguage("zh-CN")
                .post("/api/v1/insights/association-rules/mine", Map.of("minSupport", new BigDecimal("1.5")));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("minSupport")).contains("大于 0");
        var en = admin.post("/api/v1/insights/association-rules/mine", Map.of("minConfidence", 0));
        assertThat(en.fieldError("minConfidence")).contains("greater than 0");
        assertThat(admin.post("/api/v1/insights/association-rules/mine", Map.of("maxItems", 11))
                        .fieldError("maxItems"))
                .isNotBlank();
        assertThat(admin.post(
                                "/api/v1/insights/association-rules/mine",
                                Map.of("from", "2026-11-20", "to", "2026-11-01"))
                        .fieldError("from"))
                .isNotBlank();
        assertThat(admin.post("/api/v1/insights/association-rules/mine", Map.of("storeCodes", List.of("NOPE")))
                        .fieldError("storeCodes[0]"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/members/" + fx.bagOnly + "/next-best?limit=0")
                        .fieldError("limit"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/insights/association-rule-runs/999999999").status())
                .isEqualTo(404);
    }
}
