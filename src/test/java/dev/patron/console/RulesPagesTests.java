package dev.patron.console;

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
 * The earn rules page over real HTTP: list with search and sort, the form with inline validation in
 * both languages, deactivating, the simulator with its explained result, and roles.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RulesPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    ApiClient admin;
    SalesFixtures fx;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    RulesPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        for (Role role : List.of(Role.ADMIN, Role.ANALYST, Role.STORE_MANAGER)) {
            boolean limited = role == Role.STORE_MANAGER;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "规则测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(fx.otherStore) : null,
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

    private Form ruleForm(String code, String multiplier) {
        return ruleForm(code, multiplier, "", "");
    }

    private Form ruleForm(String code, String multiplier, String from, String to) {
        return Form.of(
                "code",
                code,
                "name",
                "品牌双倍",
                "kind",
                "BRAND_MULTIPLIER",
                "multiplier",
                multiplier,
                "priority",
                "0",
                "active",
                "true",
                "brandCodes",
                fx.brandA,
                "storeCodes",
                fx.store,
                "tierCodes",
                "",
                "categoryCodes",
                "",
                "validFrom",
                from,
                "validTo",
                to);
    }

    @Test
    void adminsCreateEditAndDeactivateRulesWithInlineValidation() {
        ConsoleSession s = signedIn(Role.ADMIN, "en");
        Page list = s.get("/loyalty/rules");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("href=\"/loyalty/rules\"", "id=\"new-rule\"", "Earn rules");
        assertThat(s.get("/loyalty/rules/new").status()).isEqualTo(200);

        String code = TestData.unique("PAGE").replace('-', '_');
        Page bad = s.submit("/loyalty/rules", ruleForm(code, "0"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("must be greater than 0 and at most 100", "is-invalid");
        Page badTime = s.submit("/loyalty/rules", ruleForm(code, "2", "2026-11-12T00:00", "2026-11-11T00:00"));
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.body()).contains("must not be before the start");
        Page zh = s.submit("/loyalty/rules?lang=zh-CN", ruleForm(code, "101"));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.body()).contains("须大于 0 且不超过 100");

        Page ok = s.submit("/loyalty/rules?lang=en", ruleForm(code, "2"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(302);
        assertThat(ok.location()).endsWith("/loyalty/rules");
        Page found = s.get("/loyalty/rules?q=" + code + "&sort=-priority");
        assertThat(found.body()).contains("id=\"rule-" + code + "\"", "Brand multiplier", "×2", "Showing 1–1 of 1");

        Page edit = s.get("/loyalty/rules/" + code + "/edit");
        assertThat(edit.status()).isEqualTo(200);
        assertThat(edit.body()).contains("value=\"" + fx.brandA + "\"");
        Page changed = s.submit("/loyalty/rules/" + code, ruleForm(code, "2.5"));
        assertThat(changed.status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/loyalty/rules/" + code)
                        .json()
                        .path("multiplier")
                        .asString())
                .isEqualTo("2.5");

        Page off = s.submit("/loyalty/rules/" + code + "/active", Form.of("active", "false"));
        assertThat(off.status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/loyalty/rules/" + code)
                        .json()
                        .path("active")
                        .asBoolean())
                .isFalse();
        assertThat(s.get("/loyalty/rules?q=" + code).body()).contains("Inactive", "Activate");
    }

    @Test
    void theSimulatorExplainsTheResultAndEveryRoleMayUseIt() {
        String code = TestData.unique("SIM").replace('-', '_');
        var created = admin.post(
                "/api/v1/loyalty/rules",
                Map.of(
                        "code",
                        code,
                        "name",
                        "品牌双倍",
                        "kind",
                        "BRAND_MULTIPLIER",
                        "multiplier",
                        2,
                        "brandCodes",
                        List.of(fx.brandA),
                        "storeCodes",
                        List.of(fx.store)));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);

        ConsoleSession analyst = signedIn(Role.ANALYST, "en");
        Page list = analyst.get("/loyalty/rules?q=" + code);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains(code).doesNotContain("id=\"new-rule\"");
        assertThat(analyst.get("/loyalty/rules/new").status()).isEqualTo(403);
        assertThat(analyst.submit(
                                "/loyalty/rules", ruleForm(TestData.unique("X").replace('-', '_'), "2"))
                        .status())
                .isEqualTo(403);

        assertThat(analyst.get("/loyalty/rules/simulate").status()).isEqualTo(200);
        Form sale = Form.of(
                "storeCode", fx.store,
                "memberId", "",
                "businessDate", "2026-11-20",
                "time", "14:00",
                "lines", fx.brandA + ",,45800\n" + fx.brandB + ",,19800",
                "storedValueFen", "");
        Page result = analyst.submit("/loyalty/rules/simulate", sale);
        assertThat(result.status()).isEqualTo(200);
        int at = result.body().indexOf("id=\"simulation-points\"");
        assertThat(at).isPositive();
        assertThat(result.body().substring(at, at + 300)).contains("1114 points because of rules " + code);
        assertThat(result.body()).contains("id=\"simulation-lines\"", "×2");

        Page zh = analyst.submit("/loyalty/rules/simulate?lang=zh-CN", sale);
        assertThat(zh.body()).contains("因规则 " + code + " 得 1114 积分");

        Page bad = analyst.submit(
                "/loyalty/rules/simulate?lang=en",
                Form.of("storeCode", fx.store, "businessDate", "2026-11-20", "time", "14:00", "lines", "abc,x,y"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("cannot read", "abc,x,y");

        // a store manager of another store cannot simulate this store's sales
        assertThat(signedIn(Role.STORE_MANAGER, "en")
                        .submit("/loyalty/rules/simulate", sale)
                        .status())
                .isEqualTo(403);
    }
}
