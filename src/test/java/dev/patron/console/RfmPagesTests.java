package dev.patron.console;

import static dev.patron.console.SalesPagesTests.section;
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

/**
 * The RFM pages over real HTTP: the grid page (heatmap data, the 16 cells, the migration card) and
 * the pyramid in both languages, editing a cell and the settings with inline errors, and the roles
 * (marketers edit, analysts read, store managers are refused).
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RfmPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    SalesFixtures fx;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    RfmPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void users() {
        fx = new SalesFixtures(new ApiClient(port, TestData.BOOTSTRAP_API_KEY));
        for (Role role : List.of(Role.MARKETER, Role.ANALYST, Role.STORE_MANAGER)) {
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            boolean all = role != Role.STORE_MANAGER;
            staff.createAccount(new StaffCommand(
                    username,
                    "分群测试" + role.name(),
                    null,
                    Set.of(role),
                    all,
                    all ? null : List.of(fx.store),
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

    @Test
    void theGridAndThePyramidInBothLanguages() {
        Page zh = signedIn(Role.ANALYST, "zh-CN").get("/segments/rfm");
        assertThat(zh.status()).isEqualTo(200);
        assertThat(zh.body()).contains("RFM 客户生命周期矩阵", "id=\"rfm-heatmap\"", "data-heatmap=");
        String table = section(zh.body(), "rfm-cells");
        assertThat(table).contains("活跃新客户", "维系策略", "每 14 天一次");
        assertThat(zh.body()).contains("流失粉丝客户", "重点挽回");
        assertThat(zh.body()).contains("与上月相比的人群迁移");
        assertThat(zh.body()).doesNotContain("id=\"rfm-refresh\""); // analysts do not refresh
        assertThat(zh.body()).doesNotContain("/segments/rfm/cells/"); // nor edit
        Page en = signedIn(Role.MARKETER, "en").get("/segments/rfm");
        assertThat(en.body())
                .contains("RFM lifecycle grid", "Active new", "Share of sales", "/segments/rfm/cells/ACTIVE/NEW");
        assertThat(en.body()).contains("href=\"/segments/pyramid\"");

        Page pyramid = signedIn(Role.ANALYST, "zh-CN").get("/segments/pyramid");
        assertThat(pyramid.status()).isEqualTo(200);
        assertThat(section(pyramid.body(), "pyramid-layers")).contains("第 1 层：0% 至 1%", "第 5 层：50% 至 100%");
    }

    @Test
    void editingACellAndTheSettingsShowsErrorsNextToTheFields() {
        ConsoleSession marketer = signedIn(Role.MARKETER, "en");
        Page form = marketer.get("/segments/rfm/cells/LOST/OLD");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("流失老客户", "Lost regular");
        Page bad = marketer.submit(
                "/segments/rfm/cells/LOST/OLD",
                Form.of(
                        "nameZh",
                        "",
                        "nameEn",
                        "Lost regular",
                        "strategyZh",
                        "",
                        "strategyEn",
                        "",
                        "contactEveryDays",
                        "x"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("must be a whole number");
        Page bad2 = marketer.submit(
                "/segments/rfm/cells/LOST/OLD",
                Form.of(
                        "nameZh",
                        "",
                        "nameEn",
                        "Lost regular",
                        "strategyZh",
                        "",
                        "strategyEn",
                        "",
                        "contactEveryDays",
                        "0"));
        assertThat(bad2.status()).isEqualTo(400);
        assertThat(bad2.body()).contains("must not be empty", "must be between 1 and 365");
        Page ok = marketer.submit(
                "/segments/rfm/cells/LOST/OLD",
                Form.of(
                        "nameZh", "流失老客户",
                        "nameEn", "Lost regular",
                        "strategyZh", "流失原因调研并赠送挽回礼",
                        "strategyEn", "Survey why they left and send a win-back gift",
                        "contactEveryDays", "90"));
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).endsWith("/segments/rfm");

        Page settings = marketer.get("/segments/rfm/settings");
        assertThat(settings.body()).contains("value=\"90\"", "1, 4, 15, 30");
        Page wrong = marketer.submit(
                "/segments/rfm/settings",
                Form.of(
                        "activeDays", "90",
                        "silentDays", "80",
                        "sleepingDays", "365",
                        "secondMin", "2",
                        "oldMin", "3",
                        "fanMin", "6",
                        "windowMonths", "12",
                        "pyramidPercents", "1, 4, 15, abc"));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body()).contains("must be a percentage");
        Page wrong2 = marketer.submit(
                "/segments/rfm/settings",
                Form.of(
                        "activeDays", "90",
                        "silentDays", "80",
                        "sleepingDays", "365",
                        "secondMin", "2",
                        "oldMin", "3",
                        "fanMin", "6",
                        "windowMonths", "12",
                        "pyramidPercents", "50, 60"));
        assertThat(wrong2.status()).isEqualTo(400);
        assertThat(wrong2.body()).contains("must be greater than 90", "less than 100%");
    }

    @Test
    void theMemberPageShowsTheFactsPanelToHeadOfficeButNotToAStore() {
        ApiClient api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        long member = fx.member("事实面板" + TestData.unique("")).path("id").asLong();
        var sale = api.post(
                "/api/v1/sales",
                SalesFixtures.with(
                        fx.sale(
                                TestData.unique("P"),
                                88_800,
                                List.of(SalesFixtures.line("S", fx.counterA, fx.brandA, 1, 88_800, 0))),
                        "memberId",
                        member));
        assertThat(sale.status()).as(sale.raw()).isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/members/" + member + "/facts")
                                .json()
                                .path("facts")
                                .path("tickets")
                                .asInt()
                        == 1);
        Page zh = signedIn(Role.MARKETER, "zh-CN").get("/members/" + member);
        assertThat(zh.status()).isEqualTo(200);
        String panel = section(zh.body(), "facts-panel");
        assertThat(panel).contains("¥888.00", "雅琳", "阳光百货");
        assertThat(zh.body()).contains("消费特征与 RFM");
        Page store = signedIn(Role.STORE_MANAGER, "zh-CN").get("/members/" + member);
        assertThat(store.status()).isEqualTo(200);
        assertThat(store.body()).doesNotContain("id=\"facts-panel\"");
    }

    @Test
    void storeManagersAndAnalystsCannotChangeAnything() {
        ConsoleSession manager = signedIn(Role.STORE_MANAGER, "en");
        assertThat(manager.get("/segments/rfm").status()).isEqualTo(403);
        assertThat(manager.get("/segments/pyramid").status()).isEqualTo(403);
        assertThat(manager.get("/").body()).doesNotContain("/segments/rfm");
        ConsoleSession analyst = signedIn(Role.ANALYST, "en");
        assertThat(analyst.get("/").body()).contains("href=\"/segments/rfm\"");
        assertThat(analyst.get("/segments/rfm/cells/LOST/OLD").status()).isEqualTo(403);
        assertThat(analyst.get("/segments/rfm/settings").status()).isEqualTo(403);
        assertThat(analyst.submit("/segments/rfm/refresh", Form.of()).status()).isEqualTo(403);
    }
}
