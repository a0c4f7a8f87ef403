package dev.patron.console;

import static dev.patron.console.SalesPagesTests.section;
import static dev.patron.sales.SalesFixtures.line;
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
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
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
 * The tier pages over real HTTP: the settings page in both languages, the level form with inline
 * validation, adding and deleting a level, roles; the tier panel on the member 360 page with the
 * progress to the next level and the override form.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TierPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    ApiClient api;
    SalesFixtures fx;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    TierPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void users() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(api);
        for (Role role : List.of(Role.ADMIN, Role.COUNTER_STAFF)) {
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "等级测试" + role.name(),
                    null,
                    Set.of(role),
                    role == Role.ADMIN,
                    role == Role.ADMIN ? null : List.of(fx.store),
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
    void theSettingsPageListsTheLevelsInBothLanguages() {
        Page en = signedIn(Role.ADMIN, "en").get("/loyalty/tiers");
        assertThat(en.status()).isEqualTo(200);
        assertThat(section(en.body(), "levels"))
                .contains("FIVE_STAR", "Five-star", "¥50,000.00", "×2", "0.9", "免费停车", "Edit");
        assertThat(en.body()).contains("href=\"/loyalty/tiers\"", "Loyalty");
        Page zh = signedIn(Role.ADMIN, "zh-CN").get("/loyalty/tiers");
        assertThat(zh.body()).contains("会员等级", "五星会员", "晋级依据", "会员忠诚度");

        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        Page read = counter.get("/loyalty/tiers");
        assertThat(read.status()).isEqualTo(200);
        assertThat(section(read.body(), "levels")).doesNotContain("/loyalty/tiers/FIVE_STAR/edit");
        assertThat(counter.get("/loyalty/tiers/new").status()).isEqualTo(403);
        assertThat(counter.submit("/loyalty/tiers/FIVE_STAR/delete", Form.of()).status())
                .isEqualTo(403);
    }

    @Test
    void theLevelFormShowsErrorsNextToTheFieldsAndSavesAValidLevel() {
        ConsoleSession admin = signedIn(Role.ADMIN, "en");
        assertThat(admin.get("/loyalty/tiers/new").status()).isEqualTo(200);
        String code = "P" + (System.nanoTime() % 1_000_000_000L);
        Page bad = admin.submit(
                "/loyalty/tiers",
                Form.of(
                        "code",
                        code,
                        "rank",
                        "9",
                        "nameZh",
                        "钻石",
                        "nameEn",
                        "Diamond",
                        "threshold",
                        "abc",
                        "pointsMultiplier",
                        "3",
                        "discountRate",
                        "0.8"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("must be a number");
        Page lower = admin.submit(
                "/loyalty/tiers",
                Form.of(
                        "code",
                        code,
                        "rank",
                        "9",
                        "nameZh",
                        "钻石",
                        "nameEn",
                        "Diamond",
                        "threshold",
                        "100",
                        "pointsMultiplier",
                        "3",
                        "discountRate",
                        "1.2"));
        assertThat(lower.status()).isEqualTo(400);
        assertThat(lower.body())
                .contains("must be higher than 5000000, the threshold of FIVE_STAR")
                .contains("must be more than 0 and at most 1");
        Page ok = admin.submit(
                "/loyalty/tiers",
                Form.of(
                        "code",
                        code,
                        "rank",
                        "9",
                        "nameZh",
                        "钻石",
                        "nameEn",
                        "Diamond",
                        "threshold",
                        "9000000.50",
                        "pointsMultiplier",
                        "3",
                        "discountRate",
                        "0.8",
                        "freeServices",
                        "贵宾室\n代客泊车"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(302);
        Page list = admin.get("/loyalty/tiers");
        assertThat(list.body()).contains("Level " + code + " saved.");
        assertThat(section(list.body(), "levels")).contains(code, "Diamond", "¥9,000,000.50", "贵宾室", "代客泊车");
        assertThat(api.get("/api/v1/loyalty/tiers").json().toString()).contains("900000050");

        Page edit = admin.get("/loyalty/tiers/" + code + "/edit");
        assertThat(edit.body()).contains("9000000.50", "Diamond");
        assertThat(admin.submit("/loyalty/tiers/" + code + "/delete", Form.of()).status())
                .isEqualTo(302);
        assertThat(api.get("/api/v1/loyalty/tiers").json().toString()).doesNotContain(code);
    }

    @Test
    void theMemberPageShowsTheTierPanelAndTheOverrideForm() {
        long m = fx.member("面板" + TestData.unique("")).path("id").asLong();
        String txn = TestData.unique("T");
        assertThat(api.post(
                                "/api/v1/sales",
                                with(
                                        fx.sale(
                                                txn,
                                                600_000,
                                                List.of(line("S", fx.counterA, fx.brandA, 1, 600_000, 0))),
                                        "memberId",
                                        m))
                        .status())
                .isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/members/" + m + "/tier")
                        .json()
                        .path("tier")
                        .path("code")
                        .asString()
                        .equals("THREE_STAR"));
        ConsoleSession admin = signedIn(Role.ADMIN, "zh-CN");
        Page page = admin.get("/members/" + m);
        assertThat(page.status()).isEqualTo(200);
        String panel = section(page.body(), "tier-panel");
        assertThat(panel).contains("三星会员", "¥6,000.00", "在 2027-11-19 前再消费 ¥14,000.00 即可升至四星会员", "升级");
        assertThat(panel).contains("tier-override-form");

        Page bad = admin.submit(
                "/loyalty/members/" + m + "/tier/override",
                Form.of("tierCode", "FIVE_STAR", "until", "", "reason", ""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(section(bad.body(), "override-form")).contains("不能为空");
        String until = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(30).toString();
        Page ok = admin.submit(
                "/loyalty/members/" + m + "/tier/override",
                Form.of("tierCode", "FIVE_STAR", "until", until, "reason", "大客户"));
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).endsWith("/members/" + m);
        String after = section(admin.get("/members/" + m).body(), "tier-panel");
        assertThat(after).contains("五星会员", "指定等级至 " + until + "：大客户", "人工指定");

        // counter staff see the panel without the form
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        String seen = section(counter.get("/members/" + m).body(), "tier-panel");
        assertThat(seen).contains("Five-star").doesNotContain("tier-override-form");
        assertThat(counter.submit(
                                "/loyalty/members/" + m + "/tier/override",
                                Form.of("tierCode", "STANDARD", "until", until, "reason", "x"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void anAdminTurnsInstitutionalPoolingOnAndOffFromThePointsPanel() {
        var inst = api.post(
                "/api/v1/members",
                Map.of(
                        "kind",
                        "INSTITUTION",
                        "companyName",
                        "杭州某文化有限公司" + TestData.unique(""),
                        "phone",
                        SalesFixtures.phone()));
        assertThat(inst.status()).as(inst.raw()).isEqualTo(201);
        long institution = inst.json().path("id").asLong();

        ConsoleSession admin = signedIn(Role.ADMIN, "zh-CN");
        Page page = admin.get("/members/" + institution);
        assertThat(page.status()).isEqualTo(200);
        String panel = section(page.body(), "points-pooling");
        assertThat(panel).contains("成员积分归入本机构").contains("未开启").contains("id=\"points-pooling-form\"");

        Page on = admin.submit("/loyalty/members/" + institution + "/pooling", Form.of("enabled", "true"));
        assertThat(on.status()).isEqualTo(302);
        assertThat(on.location()).endsWith("/members/" + institution);
        assertThat(api.get("/api/v1/members/" + institution + "/points")
                        .json()
                        .path("pooling")
                        .path("enabled")
                        .asBoolean())
                .isTrue();
        assertThat(section(admin.get("/members/" + institution).body(), "points-pooling"))
                .contains("已开启");

        // only a head-office admin may switch it; nothing changes for anyone else
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        assertThat(counter.submit("/loyalty/members/" + institution + "/pooling", Form.of("enabled", "false"))
                        .status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/members/" + institution + "/points")
                        .json()
                        .path("pooling")
                        .path("enabled")
                        .asBoolean())
                .isTrue();

        // an individual member has no switch, and switching one is refused
        long person = api.post("/api/v1/members", Map.of("name", "池化测试", "phone", SalesFixtures.phone()))
                .json()
                .path("id")
                .asLong();
        assertThat(admin.get("/members/" + person).body()).doesNotContain("id=\"points-pooling\"");
        assertThat(admin.submit("/loyalty/members/" + person + "/pooling", Form.of("enabled", "true"))
                        .status())
                .isEqualTo(422);

        assertThat(admin.submit("/loyalty/members/" + institution + "/pooling", Form.of("enabled", "false"))
                        .status())
                .isEqualTo(302);
        assertThat(api.get("/api/v1/members/" + institution + "/points")
                        .json()
                        .path("pooling")
                        .path("enabled")
                        .asBoolean())
                .isFalse();
    }
}
