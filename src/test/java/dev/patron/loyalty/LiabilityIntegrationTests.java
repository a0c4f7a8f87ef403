package dev.patron.loyalty;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The points liability report over real HTTP: outstanding, spendable and pending points, debt,
 * expected expiry per month, monthly flows and the redemption rate, earning per store, roles. The
 * database is shared with other tests, so figures are checked as the change our own activity makes
 * (and the per-store figure, for a store of our own, exactly).
 */
@PatronIntegrationTest
class LiabilityIntegrationTests {

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

    private JsonNode report() {
        var res = admin.get("/api/v1/loyalty/liability?byStore=true");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private long balance(long member) {
        return admin.get("/api/v1/members/" + member + "/points")
                .json()
                .path("balance")
                .asLong();
    }

    private static JsonNode month(JsonNode list, YearMonth m) {
        for (JsonNode n : list) {
            if (n.path("month").asString().equals(m.toString())) {
                return n;
            }
        }
        throw new AssertionError("no " + m + " in " + list);
    }

    private static long store(JsonNode report, String code) {
        for (JsonNode s : report.path("stores")) {
            if (code.equals(s.path("storeCode").asString())) {
                return s.path("earned").asLong();
            }
        }
        return 0;
    }

    @Test
    void theReportMovesExactlyWithEarningSpendingPendingAndExpectedExpiry() {
        LocalDate today = LoyaltyManagement.today();
        YearMonth thisMonth = YearMonth.from(today);
        YearMonth inThree = thisMonth.plusMonths(3);
        long a = fx.member("负债" + TestData.unique("")).path("id").asLong();
        long b = fx.member("负债" + TestData.unique("")).path("id").asLong();
        JsonNode before = report();

        for (long m : new long[] {a, a, b}) {
            var res = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", m));
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
        }
        LoyaltyIntegrationTests.await(
                () -> balance(a) == 1312 && balance(b) == 656, () -> balance(a) + "/" + balance(b));
        var spend = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("k"), "memberId", a, "points", 312, "storeCode", fx.store));
        assertThat(spend.status()).as(spend.raw()).isEqualTo(201);
        // b's points: pending for a while; a's remaining 1000: expire in three months
        jdbc.sql("update loyalty.lot set available_from = ? where member_id = ?")
                .params(today.plusDays(7), b)
                .update();
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = ? and remaining > 0")
                .params(inThree.atDay(10), a)
                .update();
        JsonNode after = report();

        assertThat(after.path("outstanding").asLong()
                        - before.path("outstanding").asLong())
                .isEqualTo(1000 + 656);
        assertThat(after.path("pending").asLong() - before.path("pending").asLong())
                .isEqualTo(656);
        assertThat(after.path("spendable").asLong() - before.path("spendable").asLong())
                .isEqualTo(1000);
        assertThat(after.path("spendable").asLong() + after.path("pending").asLong())
                .isEqualTo(after.path("positiveBalances").asLong());
        assertThat(after.path("members").asLong() - before.path("members").asLong())
                .isEqualTo(2);
        assertThat(month(after.path("expiring"), inThree).path("points").asLong()
                        - month(before.path("expiring"), inThree).path("points").asLong())
                .isEqualTo(1000);
        assertThat(after.path("expiring").size()).isEqualTo(12);
        assertThat(after.path("expiring").get(0).path("month").asString()).isEqualTo(thisMonth.toString());
        assertThat(after.path("months").size()).isEqualTo(12);
        assertThat(after.path("months").get(11).path("month").asString()).isEqualTo(thisMonth.toString());
        JsonNode now = month(after.path("months"), thisMonth);
        JsonNode was = month(before.path("months"), thisMonth);
        assertThat(now.path("earned").asLong() - was.path("earned").asLong()).isEqualTo(3 * 656);
        assertThat(now.path("redeemed").asLong() - was.path("redeemed").asLong())
                .isEqualTo(312);
        assertThat(after.path("earned12").asLong() - before.path("earned12").asLong())
                .isEqualTo(3 * 656);
        // the rate is redeemed ÷ earned, exact to 4 decimals
        BigDecimal rate = new BigDecimal(after.path("redemptionRate").asString());
        assertThat(rate)
                .isEqualByComparingTo(BigDecimal.valueOf(
                                after.path("redeemed12").asLong())
                        .divide(
                                BigDecimal.valueOf(after.path("earned12").asLong()),
                                4,
                                java.math.RoundingMode.HALF_UP));
        // our store earned exactly our three sales
        assertThat(store(after, fx.store)).isEqualTo(3 * 656);
        assertThat(store(before, fx.store)).isZero();
        assertThat(loyalty.verify(a)).isEmpty();
    }

    @Test
    void onlyHeadOfficeRolesWithAllStoresReadTheReport() {
        assertThat(fx.as(Role.FINANCE).get("/api/v1/loyalty/liability").status())
                .isEqualTo(200);
        assertThat(fx.as(Role.ANALYST).get("/api/v1/loyalty/liability").status())
                .isEqualTo(200);
        assertThat(fx.as(Role.COUNTER_STAFF).get("/api/v1/loyalty/liability").status())
                .isEqualTo(403);
        assertThat(fx.as(Role.MARKETER).get("/api/v1/loyalty/liability").status())
                .isEqualTo(403);
        assertThat(fx.as(Role.ADMIN, fx.store).get("/api/v1/loyalty/liability").status())
                .isEqualTo(403);
        JsonNode withoutStores = admin.get("/api/v1/loyalty/liability").json();
        assertThat(withoutStores.path("stores").size()).isZero();
        var bad = admin.get("/api/v1/loyalty/liability?byStore=maybe");
        assertThat(bad.status()).isEqualTo(400);
    }
}
