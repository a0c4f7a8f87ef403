package dev.patron.loyalty;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import tools.jackson.databind.JsonNode;

/**
 * Monthly statements over real HTTP (exact from the ledger, months in Asia/Shanghai, validation,
 * roles, the 360-view panel) and expiry warnings (once per member and date, never for spent lots,
 * within the configured window).
 */
@PatronIntegrationTest
@RecordApplicationEvents
class StatementIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    @Autowired
    ExpiryWarnings warnings;

    @Autowired
    ApplicationEvents events;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    private long member() {
        return fx.member("对账" + TestData.unique("")).path("id").asLong();
    }

    private void sale(long member) {
        var res = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", member));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }

    private long balance(long member) {
        return admin.get("/api/v1/members/" + member + "/points")
                .json()
                .path("balance")
                .asLong();
    }

    private void awaitBalance(long member, long expected) {
        LoyaltyIntegrationTests.await(() -> balance(member) == expected, () -> "balance " + balance(member));
        assertThat(loyalty.verify(member)).isEmpty();
    }

    private long adjust(long member, long points) {
        var res = admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", member, "points", points, "reason", "对账测试"));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private void backdate(long entryId, Timestamp at) {
        jdbc.sql("update loyalty.entry set created_at = ? where id = ?")
                .params(at, entryId)
                .update();
    }

    private static Timestamp shanghai(YearMonth month) {
        return Timestamp.from(
                month.atDay(1).atStartOfDay(LoyaltyManagement.ZONE).toInstant());
    }

    private JsonNode statement(long member, String month) {
        var res = admin.get("/api/v1/members/" + member + "/statement" + (month == null ? "" : "?month=" + month));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private static long sumOfMovements(JsonNode s) {
        long sum = 0;
        for (String k :
                List.of("earned", "reversed", "redeemed", "expired", "adjusted", "transferred", "debtSettled")) {
            sum += s.path(k).asLong();
        }
        return sum;
    }

    @Test
    void aStatementAddsUpTheMonthsLedgerEntriesInShanghaiTime() {
        YearMonth thisMonth = YearMonth.from(LoyaltyManagement.today());
        YearMonth lastMonth = thisMonth.minusMonths(1);
        long m = member();
        sale(m);
        awaitBalance(m, 656);
        long earn = jdbc.sql("select id from loyalty.entry where member_id = ? and kind = 'EARN'")
                .param(m)
                .query(Long.class)
                .single();
        // the first instant of last month in Shanghai (still the month before in UTC) and its last second
        backdate(earn, shanghai(lastMonth));
        backdate(adjust(m, 50), new Timestamp(shanghai(thisMonth).getTime() - 1000));
        var spend = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("k"), "memberId", m, "points", 100, "storeCode", fx.store));
        assertThat(spend.status()).as(spend.raw()).isEqualTo(201);
        adjust(m, -20);
        backdate(adjust(m, 7), shanghai(thisMonth)); // the first instant of this month
        awaitBalance(m, 593);
        // the sale's lot now expires next month
        LocalDate nextMonthDay = thisMonth.plusMonths(1).atDay(15);
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = ? and sale_id is not null")
                .params(nextMonthDay, m)
                .update();

        JsonNode last = statement(m, lastMonth.toString());
        assertThat(last.path("month").asString()).isEqualTo(lastMonth.toString());
        assertThat(last.path("from").asString()).isEqualTo(lastMonth.atDay(1).toString());
        assertThat(last.path("to").asString())
                .isEqualTo(lastMonth.atEndOfMonth().toString());
        assertThat(last.path("openingBalance").asLong()).isZero();
        assertThat(last.path("earned").asLong()).isEqualTo(656);
        assertThat(last.path("adjusted").asLong()).isEqualTo(50);
        assertThat(last.path("redeemed").asLong()).isZero();
        assertThat(last.path("closingBalance").asLong()).isEqualTo(706);
        assertThat(last.path("openingBalance").asLong() + sumOfMovements(last))
                .isEqualTo(last.path("closingBalance").asLong());
        // expiring in the three months after the statement month, from today's open lots
        assertThat(last.path("expiringSoon").size()).isEqualTo(3);
        assertThat(last.path("expiringSoon").get(0).path("month").asString()).isEqualTo(thisMonth.toString());
        assertThat(last.path("expiringSoon").get(0).path("points").asLong()).isZero();
        assertThat(last.path("expiringSoon").get(1).path("month").asString())
                .isEqualTo(thisMonth.plusMonths(1).toString());
        assertThat(last.path("expiringSoon").get(1).path("points").asLong()).isEqualTo(536); // 656 − 100 − 20

        JsonNode now = statement(m, thisMonth.toString());
        assertThat(now.path("openingBalance").asLong()).isEqualTo(706);
        assertThat(now.path("earned").asLong()).isZero();
        assertThat(now.path("redeemed").asLong()).isEqualTo(-100);
        assertThat(now.path("adjusted").asLong()).isEqualTo(-13);
        assertThat(now.path("closingBalance").asLong()).isEqualTo(593).isEqualTo(balance(m));
        assertThat(now.path("expiringSoon").get(0).path("points").asLong()).isEqualTo(536);
        assertThat(now.path("pending").asLong()).isZero();
        assertThat(now.path("tier").path("code").asString()).isEqualTo("STANDARD");
        assertThat(now.path("tier").path("nextCode").asString()).isEqualTo("THREE_STAR");
        // "spend ¥X more by DATE to reach 三星": the tier engine's figures
        JsonNode tier = admin.get("/api/v1/members/" + m + "/tier").json();
        assertThat(tier.path("stillNeeded").asLong()).isPositive();
        assertThat(now.path("tier").path("spendNeededFen").asLong())
                .isEqualTo(tier.path("stillNeeded").asLong());
        assertThat(now.path("tier").path("qualifyBy").asString())
                .isEqualTo(tier.path("neededBy").asString());
        assertThat(now.path("tier").path("pointsNeeded").isNull()).isTrue();

        // default: the last full month
        JsonNode byDefault = statement(m, null);
        assertThat(byDefault.path("month").asString()).isEqualTo(lastMonth.toString());
        assertThat(byDefault.path("closingBalance").asLong()).isEqualTo(706);
        // before anything happened
        JsonNode before = statement(m, lastMonth.minusMonths(1).toString());
        assertThat(before.path("openingBalance").asLong()).isZero();
        assertThat(before.path("closingBalance").asLong()).isZero();
        assertThat(loyalty.verify(m)).isEmpty();
    }

    @Test
    void theStatementShowsTheMembersTierAndIsAPanelOfThe360View() {
        long m = member();
        jdbc.sql("insert into loyalty.member_tier (member_id, tier_code, since) values (?, 'FIVE_STAR', ?)")
                .params(m, LocalDate.of(2026, 1, 2))
                .update();
        JsonNode s = statement(m, null);
        assertThat(s.path("tier").path("code").asString()).isEqualTo("FIVE_STAR");
        assertThat(s.path("tier").path("nameZh").asString()).isEqualTo("五星会员");
        assertThat(s.path("tier").path("since").asString()).isEqualTo("2026-01-02");
        assertThat(s.path("tier").path("nextCode").isNull()).isTrue();

        JsonNode view = admin.get("/api/v1/members/" + m).json();
        JsonNode panel = null;
        for (JsonNode p : view.path("panels")) {
            if (p.path("key").asString().equals("statement")) {
                panel = p.path("data");
            }
        }
        assertThat(panel).as(view.path("panels").toString()).isNotNull();
        assertThat(panel.path("month").asString())
                .isEqualTo(Statements.lastFullMonth().toString());
        assertThat(panel.path("memberId").asLong()).isEqualTo(m);
    }

    @Test
    void badMonthsAreRefusedNamingTheFieldInTheCallersLanguage() {
        long m = member();
        YearMonth next = YearMonth.from(LoyaltyManagement.today()).plusMonths(1);
        for (String bad : List.of("2026-13", "abc", "2026-1", "1999-12", "202611")) {
            var res = admin.get("/api/v1/members/" + m + "/statement?month=" + bad);
            assertThat(res.status()).as(bad).isEqualTo(400);
            assertThat(res.fieldError("month")).as(bad).contains("YYYY-MM");
        }
        var future = admin.get("/api/v1/members/" + m + "/statement?month=" + next);
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.fieldError("month")).isEqualTo("must not be in the future (" + next + ")");
        var zh = admin.inLanguage("zh-CN").get("/api/v1/members/" + m + "/statement?month=" + next);
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("month")).contains("将来");
        assertThat(admin.get("/api/v1/members/999999999/statement").status()).isEqualTo(404);
        // any staff role may read a member's statement
        ApiClient counter = fx.as(Role.COUNTER_STAFF, fx.store);
        assertThat(counter.get("/api/v1/members/" + m + "/statement").status()).isEqualTo(200);
        assertThat(new ApiClient(port, "ptk_wrong")
                        .get("/api/v1/members/" + m + "/statement")
                        .status())
                .isEqualTo(401);
    }

    private List<PointsExpiring> warnedTo(long member) {
        return events.stream(PointsExpiring.class)
                .filter(e -> e.memberId() == member)
                .toList();
    }

    @Test
    void membersAreWarnedOncePerExpiryDateWithinTheWindowAndNotForSpentPoints() {
        LocalDate today = LoyaltyManagement.today();
        LocalDate soon = today.plusDays(10);
        long a = member(); // two sales expiring the same day, one expiring later in the window
        long spent = member(); // spends everything before the run
        long later = member(); // expires after the window
        sale(a);
        sale(a);
        sale(spent);
        sale(later);
        awaitBalance(a, 1312);
        awaitBalance(spent, 656);
        awaitBalance(later, 656);
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = any(?)")
                .params(soon, new Long[] {a, spent})
                .update();
        adjust(a, 40);
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = ? and sale_id is null")
                .params(today.plusDays(20), a)
                .update();
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = ?")
                .params(today.plusDays(45), later)
                .update();
        var all = admin.post(
                "/api/v1/points/redeem",
                Map.of(
                        "idempotencyKey",
                        TestData.unique("k"),
                        "memberId",
                        spent,
                        "points",
                        656,
                        "storeCode",
                        fx.store));
        assertThat(all.status()).as(all.raw()).isEqualTo(201);

        try {
            // a window of 5 days: nobody of ours yet
            assertThat(admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 5))
                            .status())
                    .isEqualTo(200);
            warnings.warn(today);
            assertThat(warnedTo(a)).isEmpty();

            assertThat(admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 30))
                            .status())
                    .isEqualTo(200);
            warnings.warn(today);
            assertThat(warnedTo(a))
                    .containsExactlyInAnyOrder(
                            new PointsExpiring(a, 1312, soon), new PointsExpiring(a, 40, today.plusDays(20)));
            assertThat(warnedTo(spent)).isEmpty();
            assertThat(warnedTo(later)).isEmpty();

            // run again (as after a crash or on a second instance): nobody is warned twice
            warnings.warn(today);
            warnings.warn(today.plusDays(1));
            assertThat(warnedTo(a)).hasSize(2);
            assertThat(jdbc.sql("select count(*) from loyalty.expiry_warning where member_id = ?")
                            .param(a)
                            .query(Long.class)
                            .single())
                    .isEqualTo(2L);
            // the later member's lots come into the window as the days pass
            warnings.warn(today.plusDays(16));
            assertThat(warnedTo(later)).containsExactly(new PointsExpiring(later, 656, today.plusDays(45)));
        } finally {
            admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 30));
        }
    }

    @Test
    void theWarningWindowIsAnAdminSettingValidatedAndAudited() {
        var zero = admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 0));
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.fieldError("expiryWarningDays")).isEqualTo("must be between 1 and 365 days");
        var zh = admin.inLanguage("zh-CN").put("/api/v1/loyalty/program/expiry-warnings", Map.of());
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("expiryWarningDays")).isNotBlank();
        ApiClient analyst = fx.as(Role.ANALYST);
        assertThat(analyst.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 10))
                        .status())
                .isEqualTo(403);
        assertThat(analyst.get("/api/v1/loyalty/program/expiry-warnings")
                        .json()
                        .path("expiryWarningDays")
                        .asInt())
                .isEqualTo(30);
        long audits = jdbc.sql(
                        "select count(*) from audit.audit_event where action = 'loyalty.expiryWarningDays.changed'")
                .query(Long.class)
                .single();
        try {
            var ok = admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 14));
            assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
            assertThat(ok.json().path("expiryWarningDays").asInt()).isEqualTo(14);
            assertThat(warnings.warningDays()).isEqualTo(14);
            assertThat(jdbc.sql(
                                    "select count(*) from audit.audit_event where action = 'loyalty.expiryWarningDays.changed'")
                            .query(Long.class)
                            .single())
                    .isEqualTo(audits + 1);
        } finally {
            admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 30));
        }
    }
}
