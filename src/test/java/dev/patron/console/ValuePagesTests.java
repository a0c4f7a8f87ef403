package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.insights.CdnowSample;
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
 * The value model pages over real HTTP: the model page in both languages with parameters, chart
 * data and history; the refit form with inline errors and a refused fit; the churn warning list
 * with its filter errors; the Value panel on the member 360 page; roles.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValuePagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    CdnowSample sample;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    ValuePagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void setUp() throws Exception {
        CdnowSample.ensureFitted(port);
        sample = CdnowSample.load(port);
        for (Role role : List.of(Role.ANALYST, Role.AGENT, Role.COUNTER_STAFF)) {
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            boolean all = role != Role.COUNTER_STAFF;
            staff.createAccount(new StaffCommand(
                    username,
                    "价值测试" + role.name(),
                    null,
                    Set.of(role),
                    all,
                    all ? null : List.of(sample.fx.store),
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
    void theModelPageShowsParametersChartAndHistoryInBothLanguages() {
        Page en = signedIn(Role.ANALYST, "en").get("/insights/value");
        assertThat(en.status()).isEqualTo(200);
        assertThat(en.body())
                .contains(
                        "Member value model", "Purchases (BG/NBD)", "Log-likelihood", "Fit history", "Refit the model")
                .contains("id=\"value-chart\"", "calibrationWeeks", "href=\"/insights/churn\"")
                .contains("2,357");
        Page zh = signedIn(Role.ANALYST, "zh-CN").get("/insights/value");
        assertThat(zh.body()).contains("会员价值模型", "对数似然", "拟合记录", "流失预警");
        // agents see the churn list in the menu but not the model page
        ConsoleSession agent = signedIn(Role.AGENT, "en");
        assertThat(agent.get("/").body())
                .contains("href=\"/insights/churn\"")
                .doesNotContain("href=\"/insights/value\"");
        assertThat(agent.get("/insights/value").status()).isEqualTo(403);
        assertThat(signedIn(Role.COUNTER_STAFF, "en").get("/insights/churn").status())
                .isEqualTo(403);
    }

    @Test
    void theRefitFormShowsErrorsInlineAndARefusedFitAboveIt() {
        ConsoleSession s = signedIn(Role.ANALYST, "en");
        Page bad = s.submit("/insights/value/fit", Form.of("calibrationStart", "2010-02-30", "calibrationEnd", ""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("is-invalid", "Enter a date like 2026-01-31.");
        Page tooShort = s.submit(
                "/insights/value/fit", Form.of("calibrationStart", "2010-01-01", "calibrationEnd", "2010-01-05"));
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.body()).contains("at least 4 weeks long");
        Page refused = s.submit(
                "/insights/value/fit", Form.of("calibrationStart", "2010-01-01", "calibrationEnd", "2010-12-31"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("id=\"fit-error\"", "Too little history", "refused");
        Page ok = s.submit(
                "/insights/value/fit",
                Form.of(
                        "calibrationStart",
                        CdnowSample.CALIBRATION_START.toString(),
                        "calibrationEnd",
                        CdnowSample.CALIBRATION_END.toString()));
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.location()).endsWith("/insights/value");
        assertThat(s.get("/insights/value").body()).contains("The model was fitted and");
    }

    @Test
    void theChurnListFiltersAndSaysWhatIsWrong() {
        ConsoleSession s = signedIn(Role.AGENT, "zh-CN");
        Page page = s.get("/insights/churn?minClv=0");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("流失预警", "id=\"churn-table\"", "原因");
        Page bad = s.get("/insights/churn?threshold=abc&minClv=-5");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("is-invalid");
        Page badThreshold = signedIn(Role.AGENT, "en").get("/insights/churn?threshold=2");
        assertThat(badThreshold.status()).isEqualTo(400);
        assertThat(badThreshold.body()).contains("The threshold must be a number between 0 and 1");
    }

    @Test
    void theMemberPageHasTheValuePanel() {
        long id = sample.memberId("0001");
        Page p = signedIn(Role.AGENT, "en").get("/members/" + id);
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.body()).contains("id=\"value-panel\"", "Still a customer", "Customer lifetime value (CLV)");
    }
}
