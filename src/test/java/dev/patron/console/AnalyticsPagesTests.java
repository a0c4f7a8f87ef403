package dev.patron.console;

import static dev.patron.console.SalesPagesTests.section;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Page;
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
import tools.jackson.databind.JsonNode;

/**
 * The analytics pages over real HTTP: the index and the four dashboards in both languages with the
 * figures of the API, the CSV link of a chart, bad filters shown inline, roles and store scope.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    AnalyticsData data;
    ApiClient api;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    AnalyticsPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void data() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        data = AnalyticsData.create(api);
        for (Role role : List.of(Role.ANALYST, Role.STORE_MANAGER, Role.COUNTER_STAFF)) {
            boolean limited = role != Role.ANALYST;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "分析测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(data.fx.store) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    private ConsoleSession signedIn(Role role, String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        assertThat(s.login(users.get(role), PASSWORD).location()).endsWith("/");
        return s;
    }

    @Test
    void theDashboardsShowTheFiguresOfTheApiInBothLanguages() {
        String store = "storeCode=" + data.fx.store;
        ConsoleSession en = signedIn(Role.ANALYST, "en");
        Page index = en.get("/analytics");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body())
                .contains(
                        "href=\"/analytics/structure\"",
                        "href=\"/analytics/cohorts\"",
                        "href=\"/segments/rfm\"",
                        "href=\"/segments/pyramid\"");

        JsonNode s = api.get("/api/v1/analytics/structure?" + store).json();
        Page structure = en.get("/analytics/structure?" + store);
        assertThat(structure.status()).isEqualTo(200);
        assertThat(section(structure.body(), "members-total"))
                .contains(s.path("members").asString() + " members");
        assertThat(structure.body()).contains("id=\"chart-ageBands\"", "id=\"chart-tiers\"", "data-option=");

        JsonNode b = api.get("/api/v1/analytics/behaviour?" + store).json();
        Page behaviour = en.get("/analytics/behaviour?" + store);
        assertThat(behaviour.status()).isEqualTo(200);
        assertThat(section(behaviour.body(), "kpi-buyers"))
                .contains(b.path("buyers").asString());
        assertThat(section(behaviour.body(), "counters")).contains(data.fx.counterA);

        JsonNode n = api.get("/api/v1/analytics/customers?" + store).json();
        Page customers = en.get("/analytics/customers?" + store);
        assertThat(section(customers.body(), "total-new"))
                .contains(n.path("total").path("newMembers").asString());

        ConsoleSession zh = signedIn(Role.ANALYST, "zh-CN");
        assertThat(zh.get("/analytics/behaviour?" + store).body()).contains("复购率", "回柜率", "客单价", "购买间隔天数分布");
        assertThat(zh.get("/analytics/cohorts?" + store).body()).contains("留存分析", "入会月份");
        assertThat(zh.get("/analytics/structure?" + store).body()).contains("年龄段", "入会渠道", "会员等级");
    }

    @Test
    void aChartsCsvLinkDownloadsItsTable() {
        ConsoleSession en = signedIn(Role.ANALYST, "en");
        Page page = en.get("/analytics/structure?storeCode=" + data.fx.store);
        var m = java.util.regex.Pattern.compile("<a href=\"([^\"]+)\"[^>]*id=\"csv-genders\"")
                .matcher(page.body());
        assertThat(m.find()).as("the CSV link of the gender chart").isTrue();
        String href = m.group(1).replace("&amp;", "&");
        assertThat(href).contains("format=csv", "chart=genders");
        Page csv = en.get(href);
        assertThat(csv.status()).isEqualTo(200);
        List<String> lines = csv.body().replace("\uFEFF", "").lines().toList();
        assertThat(lines.get(0)).isEqualTo("gender,label,members,share");
        assertThat(lines).hasSize(4).anyMatch(l -> l.startsWith("FEMALE,Female,"));
    }

    @Test
    void badFiltersAreShownNextToTheFields() {
        ConsoleSession en = signedIn(Role.ANALYST, "en");
        Page bad = en.get("/analytics/behaviour?from=2026-05-01&to=2026-04-01&windowDays=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(section(bad.body(), "filter-problem")).contains("From", "must not be after", "Return window");
        Page unknown = en.get("/analytics/cohorts?storeCode=NO-SUCH-STORE");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(section(unknown.body(), "filter-problem")).contains("NO-SUCH-STORE");
    }

    @Test
    void rolesAndStoreScope() {
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        assertThat(counter.get("/analytics").status()).isEqualTo(403);
        assertThat(counter.get("/analytics/structure").status()).isEqualTo(403);
        assertThat(counter.get("/").body()).doesNotContain("href=\"/analytics\"");

        ConsoleSession manager = signedIn(Role.STORE_MANAGER, "en");
        assertThat(manager.get("/").body()).contains("href=\"/analytics\"");
        Page page = manager.get("/analytics/behaviour");
        assertThat(page.status()).isEqualTo(200);
        // the picker offers the manager's store only, and the figures are that store's
        assertThat(section(page.body(), "storeCode")).contains(data.fx.store).doesNotContain(data.fx.otherStore);
        JsonNode own = api.get("/api/v1/analytics/behaviour?storeCode=" + data.fx.store)
                .json();
        assertThat(section(page.body(), "kpi-buyers"))
                .contains(own.path("buyers").asString());
        assertThat(manager.get("/analytics/behaviour?storeCode=" + data.fx.otherStore)
                        .status())
                .isEqualTo(403);
    }
}
