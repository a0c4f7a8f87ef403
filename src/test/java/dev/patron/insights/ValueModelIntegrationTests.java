package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The member value model over real HTTP and PostgreSQL, on the CDNOW sample imported through
 * Patron's own member and sales imports (CdnowSample): the published BG/NBD and Gamma-Gamma
 * figures, the calibration/holdout chart against the sales, a member's value checked against the
 * formulas applied to the member's own history, refusals that keep the model in use, roles and
 * store scope, and the churn warning list with its reasons.
 */
@PatronIntegrationTest
class ValueModelIntegrationTests {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static JsonNode cdnowFit;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    CdnowSample sample;
    ApiClient analyst;

    @BeforeEach
    void setUp() throws Exception {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        sample = CdnowSample.load(port);
        analyst = sample.fx.as(Role.ANALYST);
        synchronized (ValueModelIntegrationTests.class) {
            if (cdnowFit == null) {
                // the first fit of the run is the paper's window (pages tests may have made it already)
                cdnowFit = CdnowSample.ensureFitted(port);
                assertThat(cdnowFit.path("calibrationStart").asString())
                        .isEqualTo(CdnowSample.CALIBRATION_START.toString());
            }
        }
    }

    @Test
    void fitsTheCdnowSampleLikeFaderHardieLee() {
        JsonNode f = cdnowFit;
        assertThat(f.path("status").asString()).isEqualTo("OK");
        assertThat(f.path("members").asLong()).isEqualTo(2357);
        assertThat(f.path("repeatBuyers").asLong()).isEqualTo(946);
        assertThat(f.path("r").asDouble()).isCloseTo(0.243, Percentage.withPercentage(1));
        assertThat(f.path("alpha").asDouble()).isCloseTo(4.414, Percentage.withPercentage(1));
        assertThat(f.path("a").asDouble()).isCloseTo(0.793, Percentage.withPercentage(1));
        assertThat(f.path("b").asDouble()).isCloseTo(2.426, Percentage.withPercentage(1));
        assertThat(f.path("logLikelihood").asDouble()).isCloseTo(-9582.4, within(0.1));
        assertThat(f.path("p").asDouble()).isCloseTo(6.25, Percentage.withPercentage(1));
        assertThat(f.path("q").asDouble()).isCloseTo(3.74, Percentage.withPercentage(1));
        assertThat(f.path("gamma").asDouble()).isCloseTo(15.44, Percentage.withPercentage(1));
        var params = params(f);
        assertThat(BgNbd.expectedPurchases(params, 2, 30.43, 38.86, 39)).isCloseTo(1.226, within(0.001));
        assertThat(f.path("fittedBy").asString()).isNotBlank();

        // the model in use is this fit
        var current = analyst.get("/api/v1/insights/value-model");
        assertThat(current.status()).as(current.raw()).isEqualTo(200);
        assertThat(current.json().path("id").asLong()).isEqualTo(f.path("id").asLong());
        assertThat(current.json().path("current").asBoolean()).isTrue();
    }

    @Test
    void chartCountsTheRepeatPurchasesOfTheSalesAndTheModelTracksTheHoldout() {
        JsonNode chart = cdnowFit.path("chart");
        assertThat(chart.path("calibrationWeeks").asInt()).isEqualTo(39);
        assertThat(chart.path("weeks").size()).isEqualTo(78);
        // independent count from the file: repeat purchase days (same-day lines merged) up to each week's end
        Map<String, TreeMap<LocalDate, Boolean>> days = new java.util.HashMap<>();
        for (String[] l : sample.lines) {
            days.computeIfAbsent(l[1], k -> new TreeMap<>())
                    .put(LocalDate.parse(l[2], DateTimeFormatter.BASIC_ISO_DATE), true);
        }
        LocalDate start = CdnowSample.ORIGINAL_START;
        for (int week : new int[] {10, 39, 78}) {
            LocalDate end = start.plusDays(week * 7L - 1);
            long repeats = days.values().stream()
                    .mapToLong(d -> Math.max(0, d.headMap(end, true).size() - 1L))
                    .sum();
            assertThat(chart.path("actual").get(week - 1).asLong())
                    .as("week %d", week)
                    .isEqualTo(repeats);
        }
        // FHL 2005 fig. 2: the model follows the cumulative repeat purchases closely in the holdout too
        double actual78 = chart.path("actual").get(77).asDouble();
        assertThat(chart.path("predicted").get(77).asDouble()).isCloseTo(actual78, Percentage.withPercentage(5));
    }

    @Test
    void aMembersValueIsTheModelAppliedToTheirOwnHistory() {
        long id = sample.memberId("0001");
        // customer 0001 bought on 1997-01-01, 01-18, 08-02 and 12-12 (29.33, 29.73, 14.96, 26.48 dollars)
        LocalDate first = CdnowSample.shift(LocalDate.of(1997, 1, 1));
        LocalDate last = CdnowSample.shift(LocalDate.of(1997, 12, 12));
        var res = sample.fx.as(Role.AGENT).get("/api/v1/members/" + id + "/value?horizonWeeks=26");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        JsonNode v = res.json();
        JsonNode model = admin.get("/api/v1/insights/value-model").json();
        var bg = params(model);
        LocalDate asOf = LocalDate.parse(v.path("asOf").asString());
        double tx = ChronoUnit.DAYS.between(first, last) / 7.0;
        double t = ChronoUnit.DAYS.between(first, asOf) / 7.0;
        assertThat(v.path("scored").asBoolean()).isTrue();
        assertThat(v.path("purchaseDays").asInt()).isEqualTo(4);
        assertThat(v.path("lastPurchaseOn").asString()).isEqualTo(last.toString());
        assertThat(v.path("pAlive").asDouble()).isCloseTo(BgNbd.pAlive(bg, 3, tx, t), within(1e-9));
        assertThat(v.path("expectedPurchases").asDouble())
                .isCloseTo(BgNbd.expectedPurchases(bg, 3, tx, t, 26), within(1e-9));
        // Gamma-Gamma on the three repeat days: (gamma + mean * x) p / (p x + q - 1), in fen, rounded once
        double p = model.path("p").asDouble(),
                q = model.path("q").asDouble(),
                g = model.path("gamma").asDouble();
        double spendFen = (g * 100 + 2973 + 1496 + 2648) * p / (p * 3 + q - 1);
        assertThat(v.path("expectedAverageSpendFen").asLong()).isEqualTo(Math.round(spendFen));
        assertThat(v.path("value12mFen").asLong())
                .isEqualTo(Math.round(BgNbd.expectedPurchases(bg, 3, tx, t, 52) * spendFen));
        assertThat(v.path("clvFen").asLong())
                .isGreaterThanOrEqualTo(v.path("value12mFen").asLong());
        // the 360 view carries the same numbers in its Value panel
        JsonNode panels = admin.get("/api/v1/members/" + id).json().path("panels");
        JsonNode panel = null;
        for (JsonNode pn : panels) {
            if ("value".equals(pn.path("key").asString())) {
                panel = pn;
            }
        }
        assertThat(panel).as(panels.toString()).isNotNull();
        assertThat(panel.path("data").path("clvFen").asLong())
                .isEqualTo(v.path("clvFen").asLong());
    }

    @Test
    void refusesBadWindowsAndTooLittleHistoryAndKeepsTheModelInUse() {
        long inUse =
                analyst.get("/api/v1/insights/value-model").json().path("id").asLong();
        LocalDate today = LocalDate.now(ZONE);
        var future = analyst.post(
                "/api/v1/insights/value-model/fit",
                Map.of("calibrationEnd", today.plusDays(3).toString()));
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.fieldError("calibrationEnd")).contains("after today");
        var shortWindow = analyst.inLanguage("zh-CN")
                .post(
                        "/api/v1/insights/value-model/fit",
                        Map.of("calibrationStart", "2010-01-01", "calibrationEnd", "2010-01-10"));
        assertThat(shortWindow.status()).isEqualTo(400);
        assertThat(shortWindow.fieldError("calibrationStart")).contains("至少需要 4 周");
        var badDate = analyst.post("/api/v1/insights/value-model/fit", "{\"calibrationStart\":\"2010-02-30\"}");
        assertThat(badDate.status()).isEqualTo(400);

        // no sales in 2010: a clear refusal, stored in the history, and the model in use stays
        var empty = analyst.post(
                "/api/v1/insights/value-model/fit",
                Map.of("calibrationStart", "2010-01-01", "calibrationEnd", "2010-12-31"));
        assertThat(empty.status()).as(empty.raw()).isEqualTo(422);
        assertThat(empty.detail()).contains("Too little history", "at least 100");
        assertThat(analyst.get("/api/v1/insights/value-model").json().path("id").asLong())
                .isEqualTo(inUse);
        JsonNode latest = analyst.get("/api/v1/insights/value-model/fits?size=1")
                .json()
                .path("items")
                .get(0);
        assertThat(latest.path("status").asString()).isEqualTo("FAILED");
        assertThat(latest.path("failure").asString()).contains("Too little history");
        assertThat(latest.path("current").asBoolean()).isFalse();
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'insights.valueModel.fitFailed'")
                        .query(Long.class)
                        .single())
                .isPositive();
    }

    @Test
    void rolesAndStoreScope() {
        long id = sample.memberId("0002");
        assertThat(sample.fx
                        .as(Role.MARKETER)
                        .post("/api/v1/insights/value-model/fit", Map.of())
                        .status())
                .isEqualTo(403);
        assertThat(sample.fx
                        .as(Role.ANALYST, sample.fx.store)
                        .post("/api/v1/insights/value-model/fit", Map.of())
                        .status())
                .isEqualTo(403);
        assertThat(sample.fx
                        .as(Role.COUNTER_STAFF)
                        .get("/api/v1/insights/value-model")
                        .status())
                .isEqualTo(403);
        assertThat(sample.fx
                        .as(Role.MARKETER)
                        .get("/api/v1/insights/value-model")
                        .status())
                .isEqualTo(200);
        assertThat(sample.fx
                        .as(Role.STORE_MANAGER, sample.fx.store)
                        .get("/api/v1/members/" + id + "/value")
                        .status())
                .isEqualTo(200);
        assertThat(sample.fx
                        .as(Role.STORE_MANAGER, sample.fx.otherStore)
                        .get("/api/v1/members/" + id + "/value")
                        .status())
                .isEqualTo(403);
        assertThat(sample.fx
                        .as(Role.COUNTER_STAFF)
                        .get("/api/v1/members/" + id + "/value")
                        .status())
                .isEqualTo(403);
        var horizon = analyst.get("/api/v1/members/" + id + "/value?horizonWeeks=0");
        assertThat(horizon.status()).isEqualTo(400);
        assertThat(horizon.fieldError("horizonWeeks")).contains("between 1 and 520");
        assertThat(analyst.get("/api/v1/members/999999999/value").status()).isEqualTo(404);
    }

    @Test
    void churnWarningsListValuableMembersWhoseChanceFellSinceLastMonthWithTheReason() throws Exception {
        SalesFixtures fx = sample.fx;
        LocalDate today = LocalDate.now(ZONE);
        // weekly buyers of ¥500: one stopped 45 days ago (slipped this month), one bought 5 days ago
        // (alive), one stopped 200 days ago (already low a month ago)
        JsonNode slipped = fx.member("流失" + TestData.unique(""));
        JsonNode regular = fx.member("常客" + TestData.unique(""));
        JsonNode gone = fx.member("久别" + TestData.unique(""));
        StringBuilder csv = new StringBuilder(
                "store_code,pos_transaction_id,business_date,member_id,sku,quantity,unit_price_fen\n");
        Object[][] buyers = {{slipped, 45}, {regular, 5}, {gone, 200}};
        for (Object[] b : buyers) {
            long member = ((JsonNode) b[0]).path("id").asLong();
            int lastAgo = (Integer) b[1];
            for (int k = 0; k <= 20; k++) {
                csv.append(fx.store)
                        .append(',')
                        .append(TestData.unique("CH"))
                        .append(',')
                        .append(today.minusDays(lastAgo + 7L * k))
                        .append(',')
                        .append(member)
                        .append(",BAG,1,50000\n");
            }
        }
        // and a newcomer whose only purchase day was three days ago (no history a month ago)
        JsonNode newcomer = fx.member("新客" + TestData.unique(""));
        csv.append(fx.store)
                .append(',')
                .append(TestData.unique("CH"))
                .append(',')
                .append(today.minusDays(3))
                .append(',')
                .append(newcomer.path("id").asLong())
                .append(",BAG,1,50000\n");
        CdnowSample.importSales(port, admin, "churn.csv", csv.toString());
        var rescored = analyst.post("/api/v1/insights/value-model/rescore", Map.of());
        assertThat(rescored.status()).as(rescored.raw()).isEqualTo(200);

        ApiClient agent = fx.as(Role.AGENT, fx.store);
        var res = agent.get("/api/v1/insights/churn-warnings?threshold=0.5&minClvFen=100000&size=200");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        Map<Long, JsonNode> listed = new java.util.HashMap<>();
        for (JsonNode w : res.json().path("page").path("items")) {
            listed.put(w.path("memberId").asLong(), w);
        }
        JsonNode w = listed.get(slipped.path("id").asLong());
        assertThat(w).as(res.raw()).isNotNull();
        assertThat(w.path("pAlive").asDouble()).isLessThan(0.5);
        assertThat(w.path("pAliveBefore").asDouble()).isGreaterThanOrEqualTo(0.5);
        // "valuable" is the value before the drop: the CLV a month ago, above today's (the drop cut it)
        assertThat(w.path("clvBeforeFen").asLong()).isGreaterThanOrEqualTo(100000);
        assertThat(w.path("clvBeforeFen").asLong())
                .isGreaterThan(w.path("clvFen").asLong());
        long cut = w.path("clvFen").asLong() + 1;
        var beforeOnly = agent.get("/api/v1/insights/churn-warnings?threshold=0.5&size=200&minClvFen=" + cut);
        assertThat(beforeOnly.raw())
                .contains("\"memberId\":" + slipped.path("id").asLong() + ",");
        for (JsonNode b : beforeOnly.json().path("page").path("items")) {
            assertThat(b.path("clvBeforeFen").asLong()).isGreaterThanOrEqualTo(cut);
        }
        assertThat(beforeOnly.json().path("minClvFen").asLong()).isEqualTo(cut);
        assertThat(w.path("reason").asString())
                .isEqualTo("No purchase for 45 days; usually every 7 days (21 purchase days).");
        assertThat(w.path("phone").asString()).matches("1\\d\\d\\*{4}\\d{4}");
        assertThat(listed)
                .doesNotContainKeys(
                        regular.path("id").asLong(),
                        gone.path("id").asLong(),
                        newcomer.path("id").asLong());
        JsonNode fresh = agent.get("/api/v1/members/" + newcomer.path("id").asLong() + "/value")
                .json();
        assertThat(fresh.path("scored").asBoolean()).isTrue();
        assertThat(fresh.path("purchaseDays").asInt()).isEqualTo(1);
        assertThat(fresh.path("pAlive").asDouble()).isEqualTo(1.0);
        assertThat(fresh.path("usualIntervalDays").isNull()
                        || fresh.path("usualIntervalDays").isMissingNode())
                .isTrue();

        // last month's snapshot wins over the recomputed value: "gone" was above the threshold then
        LocalDate lastMonth = today.withDayOfMonth(1).minusMonths(1);
        jdbc.sql("insert into insights.member_value_month (month, member_id, p_alive, clv_fen) values (?, ?, 0.9, 0)")
                .params(lastMonth, gone.path("id").asLong())
                .update();
        var zh = agent.inLanguage("zh-CN").get("/api/v1/insights/churn-warnings?minClvFen=0&sort=-drop&size=200");
        boolean found = false;
        for (JsonNode x : zh.json().path("page").path("items")) {
            if (x.path("memberId").asLong() == gone.path("id").asLong()) {
                found = true;
                assertThat(x.path("pAliveBefore").asDouble()).isEqualTo(0.9);
                assertThat(x.path("reason").asString()).isEqualTo("200 天未消费；平时约每 7 天消费一次（共 21 个消费日）。");
            }
        }
        assertThat(found).as(zh.raw()).isTrue();

        // store scope and roles
        var other =
                fx.as(Role.STORE_MANAGER, fx.otherStore).get("/api/v1/insights/churn-warnings?minClvFen=0&size=200");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.raw())
                .doesNotContain("\"memberId\":" + slipped.path("id").asLong() + ",");
        assertThat(fx.as(Role.COUNTER_STAFF)
                        .get("/api/v1/insights/churn-warnings")
                        .status())
                .isEqualTo(403);
        var bad = agent.get("/api/v1/insights/churn-warnings?threshold=1.5");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("threshold")).contains("between 0 and 1");
    }

    static BgNbd.Params params(JsonNode f) {
        return new BgNbd.Params(
                f.path("r").asDouble(),
                f.path("alpha").asDouble(),
                f.path("a").asDouble(),
                f.path("b").asDouble());
    }
}
