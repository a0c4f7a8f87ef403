package dev.patron.console;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The loyalty pages over real HTTP: program settings (edited by head-office admins with the API's
 * validation inline in both languages, read-only for others), the liability report (figures, per-store
 * table with search, sort and paging, roles), the navigation section and the statement panel of the
 * member 360 page with its month picker.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoyaltyPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    final JdbcClient jdbc;
    ApiClient admin;
    SalesFixtures fx;
    long member;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    LoyaltyPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff, @Autowired JdbcClient jdbc) {
        this.port = port;
        this.staff = staff;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void data() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        member = fx.member("积分页" + TestData.unique("")).path("id").asLong();
        var sale = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", member));
        assertThat(sale.status()).as(sale.raw()).isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> admin.get("/api/v1/members/" + member + "/points")
                                .json()
                                .path("balance")
                                .asLong()
                        == 656);
        for (Role role : List.of(Role.ADMIN, Role.ANALYST, Role.COUNTER_STAFF)) {
            boolean limited = role == Role.COUNTER_STAFF;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "积分测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(fx.store) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    private ConsoleSession signedIn(Role role, String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    private static Form program(String rate, String pendingDays, String warningDays) {
        return Form.of(
                "pointsPerYuan", rate,
                "rounding", "DOWN",
                "pendingDays", pendingDays,
                "expiryPolicy", "END_OF_NEXT_YEAR",
                "expiryMonths", "24",
                "maxNegativeBalance", "0",
                "expiryWarningDays", warningDays);
    }

    @Test
    void headOfficeAdminsEditTheProgramWithInlineErrorsInBothLanguages() {
        JsonNode original = admin.get("/api/v1/loyalty/program").json();
        ConsoleSession en = signedIn(Role.ADMIN, "en");
        Page page = en.get("/loyalty/program");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"program-form\"", "Points per yuan", "Warn days ahead", "Loyalty");

        Page bad = en.submit("/loyalty/program", program("-1", "200", "0"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body())
                .contains("must be between 0 and 1000 with at most 4 decimals")
                .contains("must be between 0 and 90 days")
                .contains("must be between 1 and 365 days")
                .contains("is-invalid");
        Page typo = en.submit("/loyalty/program", program("1", "abc", "30"));
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.body()).contains("has a value in the wrong format");
        ConsoleSession zh = signedIn(Role.ADMIN, "zh-CN");
        Page badZh = zh.submit("/loyalty/program", program("1.23456", "5", "400"));
        assertThat(badZh.status()).isEqualTo(400);
        assertThat(badZh.body()).contains("最多 4 位小数", "必须在 1 到 365 天之间", "积分方案");
        // nothing was half-written
        assertThat(admin.get("/api/v1/loyalty/program").json()).isEqualTo(original);

        long audits = jdbc.sql("select count(*) from audit.audit_event where action = 'loyalty.program.changed'")
                .query(Long.class)
                .single();
        try {
            Page ok = en.submit("/loyalty/program", program("1.5", "3", "21"));
            assertThat(ok.status()).as(ok.body()).isEqualTo(302);
            assertThat(ok.location()).endsWith("/loyalty/program");
            JsonNode saved = admin.get("/api/v1/loyalty/program").json();
            assertThat(saved.path("pointsPerYuan").decimalValue()).isEqualByComparingTo("1.5");
            assertThat(saved.path("pendingDays").asInt()).isEqualTo(3);
            assertThat(admin.get("/api/v1/loyalty/program/expiry-warnings")
                            .json()
                            .path("expiryWarningDays")
                            .asInt())
                    .isEqualTo(21);
            assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'loyalty.program.changed'")
                            .query(Long.class)
                            .single())
                    .isEqualTo(audits + 1);
            assertThat(en.get("/loyalty/program").body())
                    .contains("The points program has been saved.", "value=\"21\"");
        } finally {
            assertThat(admin.put("/api/v1/loyalty/program", original).status()).isEqualTo(200);
            admin.put("/api/v1/loyalty/program/expiry-warnings", Map.of("expiryWarningDays", 30));
        }
    }

    @Test
    void otherRolesSeeTheProgramReadOnlyAndCannotPost() {
        ConsoleSession analyst = signedIn(Role.ANALYST, "en");
        Page page = analyst.get("/loyalty/program");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"program-view\"").doesNotContain("id=\"program-form\"");
        assertThat(page.body()).contains("Only head-office administrators can change the points program.");
        assertThat(analyst.submit("/loyalty/program", program("2", "0", "30")).status())
                .isEqualTo(403);
        assertThat(admin.get("/api/v1/loyalty/program")
                        .json()
                        .path("pointsPerYuan")
                        .decimalValue())
                .isNotEqualByComparingTo("2");
    }

    @Test
    void theLiabilityPageShowsTheReportToHeadOfficeOnly() {
        JsonNode api = admin.get("/api/v1/loyalty/liability").json();
        ConsoleSession en = signedIn(Role.ADMIN, "en");
        Page page = en.get("/loyalty/liability");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("Points liability", "id=\"liability-chart\"", "data-flows=", "href=\"/loyalty/liability\"")
                .contains(String.format("%,d", api.path("debt").asLong()));
        // (the per-store table is paged: in a shared database this test's store need not be on page 1)
        // search, sort and paging of the per-store table; HTMX gets the table only
        Page found = en.get("/loyalty/liability?q=" + fx.store + "&sort=-earned");
        assertThat(found.body()).contains("data-store=\"" + fx.store + "\"").contains("656");
        Page none = en.get("/loyalty/liability?q=NO-SUCH-STORE");
        assertThat(none.body()).doesNotContain("data-store=\"" + fx.store + "\"");
        Page fragment = en.get("/loyalty/liability?q=" + fx.store, Map.of("HX-Request", "true"));
        assertThat(fragment.body()).contains("data-store=\"" + fx.store + "\"").doesNotContain("<html");
        assertThat(en.get("/loyalty/liability?sort=store&size=1").status()).isEqualTo(200);
        assertThat(en.get("/loyalty/liability?sort=bogus").status()).isEqualTo(400);

        Page zh = signedIn(Role.ANALYST, "zh-CN").get("/loyalty/liability");
        assertThat(zh.status()).isEqualTo(200);
        assertThat(zh.body()).contains("积分负债", "预计过期", "兑换率");

        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        assertThat(counter.get("/loyalty/liability").status()).isEqualTo(403);
        Page home = counter.get("/loyalty/program");
        assertThat(home.body()).contains("href=\"/loyalty/program\"").doesNotContain("href=\"/loyalty/liability\"");
    }

    @Test
    void theMemberPageShowsTheStatementAndTheMonthPickerReloadsIt() {
        ConsoleSession en = signedIn(Role.ADMIN, "en");
        Page page = en.get("/members/" + member);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"statement-panel\"", "Points statement", "statement-month");
        // the points panel renders its figures, not the record's toString
        assertThat(page.body()).contains("id=\"points-panel\"").doesNotContain("PointsBalance[");
        assertThat(cell(page.body(), "points-balance")).isEqualTo("656");

        String thisMonth =
                java.time.YearMonth.now(java.time.ZoneId.of("Asia/Shanghai")).toString();
        Page now = en.get("/loyalty/members/" + member + "/statement?month=" + thisMonth, Map.of("HX-Request", "true"));
        assertThat(now.status()).isEqualTo(200);
        assertThat(now.body()).doesNotContain("<html").contains("id=\"statement-panel\"");
        assertThat(cell(now.body(), "statement-closing")).isEqualTo("656");
        assertThat(cell(now.body(), "statement-earned")).isEqualTo("656");

        Page bad = en.get("/loyalty/members/" + member + "/statement?month=2026-13");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("statement-month-problem", "YYYY-MM");
        Page badHx = signedIn(Role.ADMIN, "zh-CN")
                .get("/loyalty/members/" + member + "/statement?month=2999-01", Map.of("HX-Request", "true"));
        assertThat(badHx.status()).isEqualTo(200);
        assertThat(badHx.body()).contains("不能是将来的月份");
        assertThat(en.get("/loyalty/members/999999999/statement").status()).isEqualTo(404);
    }

    /** The text of the element with this id. */
    static String cell(String html, String id) {
        var m = java.util.regex.Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<")
                .matcher(html);
        assertThat(m.find()).as(id).isTrue();
        return m.group(1).strip();
    }
}
