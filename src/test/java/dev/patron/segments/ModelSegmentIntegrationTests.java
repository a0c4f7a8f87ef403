package dev.patron.segments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.insights.CdnowSample;
import dev.patron.insights.CrossSellFixtures;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The insights models' outputs as rule segment conditions, over real HTTP and PostgreSQL: P(alive)
 * and CLV on the CDNOW sample's fitted model (preview and full refresh select exactly the members
 * the published view says, and two members checked by hand against their value), a rescoring
 * refreshing the segments that use model values (event from insights, full refresh in segments),
 * "likely to buy a category" after a mining run, and validation naming the condition in both
 * languages.
 */
@PatronIntegrationTest
class ModelSegmentIntegrationTests {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    private static Map<String, Object> cond(String field, String operator, Object value) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("field", field);
        c.put("operator", operator);
        c.put("value", value);
        return c;
    }

    private static Map<String, Object> and(Object... items) {
        return Map.of("version", 1, "root", Map.of("group", "AND", "items", List.of(items)));
    }

    private long create(ApiClient client, Map<String, Object> definition) {
        var res = client.post("/api/v1/segments", Map.of("name", TestData.unique("模型分群"), "definition", definition));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private Set<Long> members(long segment) {
        return new TreeSet<>(jdbc.sql("select member_id from segments.segment_member where segment_id = ?")
                .param(segment)
                .query(Long.class)
                .list());
    }

    private long staticList(ApiClient admin, List<Long> ids) {
        StringBuilder content = new StringBuilder("member_id\n");
        ids.forEach(m -> content.append(m).append('\n'));
        var res = admin.post(
                "/api/v1/segments/static",
                Map.of("name", TestData.unique("名单"), "identifierKind", "MEMBER_ID", "content", content.toString()));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("segment").path("id").asLong();
    }

    @Test
    void pAliveAndClvSelectExactlyTheMembersTheModelScoredSoAndFollowARescoring() throws Exception {
        CdnowSample sample = CdnowSample.load(port);
        CdnowSample.ensureFitted(port);
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        ApiClient marketer = sample.fx.as(Role.MARKETER);
        SalesFixtures fx = sample.fx;

        // two weekly buyers not scored yet: one stopped 200 days ago, one bought 5 days ago
        long gone = fx.member("久别" + TestData.unique("")).path("id").asLong();
        long regular = fx.member("常客" + TestData.unique("")).path("id").asLong();
        long slipping = fx.member("渐远" + TestData.unique("")).path("id").asLong();
        LocalDate today = LocalDate.now(ZONE);
        StringBuilder csv = new StringBuilder(
                "store_code,pos_transaction_id,business_date,member_id,sku,quantity,unit_price_fen\n");
        for (Object[] b : new Object[][] {{gone, 200}, {regular, 5}, {slipping, 40}}) {
            for (int k = 0; k <= 20; k++) {
                csv.append(fx.store)
                        .append(',')
                        .append(TestData.unique("MS"))
                        .append(',')
                        .append(today.minusDays((Integer) b[1] + 7L * k))
                        .append(',')
                        .append(b[0])
                        .append(",BAG,1,50000\n");
            }
        }
        long watch = create(
                marketer,
                and(
                        cond("inList", "in", List.of(staticList(admin, List.of(gone, regular)))),
                        cond("pAlive", "lt", 0.3)));
        assertThat(members(watch)).isEmpty();
        CdnowSample.importSales(port, admin, "model-segments.csv", csv.toString());
        // the sales alone change nothing (no value yet); the rescoring publishes new values and the
        // segments that use them are refreshed in full
        var rescored = fx.as(Role.ANALYST).post("/api/v1/insights/value-model/rescore", Map.of());
        assertThat(rescored.status()).as(rescored.raw()).isEqualTo(200);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(members(watch)).containsExactly(gone));

        // pAlive < 0.3 and CLV >= the median of the positive CLVs of the members below 0.3
        long x = jdbc.sql("""
                select percentile_disc(0.5) within group (order by clv_fen) from insights.v_member_value
                where p_alive < 0.3 and clv_fen > 0""").query(Long.class).single();
        assertThat(x).isPositive();
        // both conditions bite: members below 0.3 with less CLV, members with CLV >= x above 0.3
        assertThat(jdbc.sql("select count(*) from insights.v_member_value where p_alive < 0.3 and clv_fen < ?")
                        .param(x)
                        .query(Long.class)
                        .single())
                .isPositive();
        assertThat(jdbc.sql("select count(*) from insights.v_member_value where p_alive >= 0.3 and clv_fen >= ?")
                        .param(x)
                        .query(Long.class)
                        .single())
                .isPositive();
        var definition = and(cond("pAlive", "lt", 0.3), cond("clvFen", "gte", x));
        Set<Long> expected =
                new TreeSet<>(jdbc.sql("""
                select v.member_id from insights.v_member_value v join members.v_member m on m.id = v.member_id
                where m.status = 'ACTIVE' and v.p_alive < 0.3 and v.clv_fen >= ?""").param(x).query(Long.class).list());
        assertThat(expected).isNotEmpty();
        var preview = marketer.post("/api/v1/segments/preview", definition);
        assertThat(preview.status()).as(preview.raw()).isEqualTo(200);
        assertThat(preview.json().path("count").asLong()).isEqualTo(expected.size());
        long segment = create(marketer, definition);
        var refreshed = marketer.post("/api/v1/segments/" + segment + "/refresh", Map.of());
        assertThat(refreshed.status()).as(refreshed.raw()).isEqualTo(200);
        assertThat(refreshed.json().path("memberCount").asLong()).isEqualTo(expected.size());
        assertThat(members(segment)).isEqualTo(expected);

        // by hand: CDNOW customer 0001 (bought 4 times in 1997) and the three weekly buyers
        for (long id : List.of(sample.memberId("0001"), gone, slipping, regular)) {
            JsonNode v =
                    fx.as(Role.ANALYST).get("/api/v1/members/" + id + "/value").json();
            boolean in = v.path("pAlive").asDouble() < 0.3 && v.path("clvFen").asLong() >= x;
            assertThat(members(segment).contains(id)).as(v.toString()).isEqualTo(in);
        }
        JsonNode goneValue =
                fx.as(Role.ANALYST).get("/api/v1/members/" + gone + "/value").json();
        assertThat(goneValue.path("pAlive").asDouble()).isLessThan(0.3);

        // between on P(alive), expected purchases and 12-month value
        var ranged = marketer.post(
                "/api/v1/segments/preview",
                and(
                        cond("pAlive", "between", List.of(0.5, 1)),
                        cond("expectedPurchases", "gte", 1.5),
                        cond("value12mFen", "gt", 10_000)));
        assertThat(ranged.status()).as(ranged.raw()).isEqualTo(200);
        assertThat(ranged.json().path("count").asLong())
                .isEqualTo(jdbc.sql("""
                select count(*) from insights.v_member_value v join members.v_member m on m.id = v.member_id
                where m.status = 'ACTIVE' and v.p_alive between 0.5 and 1 and v.expected_purchases_12m >= 1.5
                  and v.value_12m_fen > 10000""").query(Long.class).single());
    }

    @Test
    void likelyToBuyACategoryFollowsTheMiningRun() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        CrossSellFixtures fx = new CrossSellFixtures(admin);
        long list = staticList(admin, List.of(fx.bagBelt, fx.bagOnly, fx.scarfOnly, fx.nothing));
        long belts = create(admin, and(cond("inList", "in", List.of(list)), cond("likelyCategory", "eq", fx.belt)));
        long notBelts = create(
                admin, and(cond("inList", "in", List.of(list)), cond("likelyCategory", "notIn", List.of(fx.belt))));
        assertThat(members(belts)).isEmpty();
        fx.mine("0.1", "0.5");
        // bag => belt (the bag-only buyer has not bought a belt); the run's event refreshes the segments
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertThat(members(belts)).containsExactly(fx.bagOnly);
                    assertThat(members(notBelts)).containsExactlyInAnyOrder(fx.bagBelt, fx.scarfOnly, fx.nothing);
                });
        var kids = admin.post(
                "/api/v1/segments/preview",
                and(cond("inList", "in", List.of(list)), cond("likelyCategory", "in", List.of(fx.kids, fx.shoes))));
        assertThat(kids.status()).as(kids.raw()).isEqualTo(200);
        assertThat(kids.json().path("count").asLong()).isEqualTo(1);
        assertThat(kids.json().path("sample").get(0).path("memberId").asLong()).isEqualTo(fx.scarfOnly);
    }

    @Test
    void badModelConditionsAreNamedInTheCallersLanguage() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        var bad = and(
                cond("pAlive", "lt", 1.5),
                cond("expectedPurchases", "between", List.of(3, 1)),
                cond("clvFen", "gte", 12.5),
                cond("likelyBrand", "eq", "NO-SUCH-BRAND"),
                cond("pAlive", "eq", 0.5));
        var res = admin.post("/api/v1/segments", Map.of("name", TestData.unique("坏"), "definition", bad));
        assertThat(res.status()).as(res.raw()).isEqualTo(400);
        assertThat(res.fieldError("definition.root.items[0].value"))
                .isEqualTo("Condition 1: the value must be a number between 0 and 1.");
        assertThat(res.fieldError("definition.root.items[1].value"))
                .isEqualTo("Condition 2: the value must be two numbers between 0 and 10000, the smaller first.");
        assertThat(res.fieldError("definition.root.items[2].value"))
                .isEqualTo("Condition 3: the value must be a whole number.");
        assertThat(res.fieldError("definition.root.items[3].value"))
                .isEqualTo("Condition 4: there is no brand \"NO-SUCH-BRAND\".");
        assertThat(res.fieldError("definition.root.items[4].operator")).startsWith("Condition 5: \"eq\" is not");
        var zh = admin.inLanguage("zh-CN").post("/api/v1/segments/preview", bad);
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("definition.root.items[0].value")).isEqualTo("条件 1：取值须为 0 到 1 之间的数字。");
    }
}
