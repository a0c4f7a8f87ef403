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
import java.time.LocalDate;
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
 * The campaign pages over real HTTP: the editor with inline validation, the list, the campaign page
 * with its lifecycle buttons (a second marketer approves; the submitter cannot), the row report and
 * the refusal reasons, the results page, both languages, and roles.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    ApiClient api;
    SalesFixtures fx;
    String author;
    String approver;
    String clerk;
    String agent;

    CampaignPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void users() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(api);
        author = account(Role.MARKETER, true);
        approver = account(Role.MARKETER, true);
        clerk = account(Role.COUNTER_STAFF, false);
        agent = account(Role.AGENT, true);
    }

    private String account(Role role, boolean allStores) {
        String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
        staff.createAccount(new StaffCommand(
                username,
                "活动测试" + role.name(),
                null,
                Set.of(role),
                allStores,
                allStores ? null : List.of(fx.store),
                PASSWORD,
                true));
        return username;
    }

    private ConsoleSession signedIn(String user, String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        assertThat(s.login(user, PASSWORD).location()).endsWith("/");
        return s;
    }

    private Form campaignForm(String name) {
        return campaignForm(name, LocalDate.now().plusDays(10));
    }

    private Form campaignForm(String name, LocalDate periodEnd) {
        return Form.of(
                        "name", name,
                        "kind", "MALL_WIDE",
                        "goal", "唤醒沉睡会员",
                        "periodStart", LocalDate.now().toString(),
                        "periodEnd", periodEnd.toString(),
                        "budgetFen", "100000",
                        "otherCostFen", "0",
                        "channels", "SMS",
                        "controlPct", "0",
                        "attributionDays", "14",
                        "bonusPoints", "0",
                        "giftCostFen", "0")
                .and("smsBody", "{name}您好，本周末会员日积分翻倍");
    }

    @Test
    void aMarketerPlansAndSubmitsAndASecondMarketerApprovesOnThePages() {
        ConsoleSession a = signedIn(author, "zh-CN");
        Page form = a.get("/campaigns/new");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("新建活动", "对照组比例", "回T退订");

        Page invalid = a.submit("/campaigns", campaignForm("", LocalDate.of(2000, 1, 1)));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("不能为空").contains("不能早于开始日期");

        String name = "会员日短信 " + TestData.unique("P");
        Page created = a.submit("/campaigns", campaignForm(name));
        assertThat(created.status()).as(created.body()).isEqualTo(302);
        String path = created.location().replaceAll("^https?://[^/]+", "");
        assertThat(path).matches("/campaigns/\\d+");
        assertThat(a.get(path).body()).contains("已保存");

        JsonNode m = api.post(
                        "/api/v1/members",
                        Map.of(
                                "name",
                                "页面会员",
                                "phone",
                                SalesFixtures.phone(),
                                "consents",
                                List.of(Map.of(
                                        "channel",
                                        "SMS",
                                        "purpose",
                                        "MARKETING",
                                        "granted",
                                        true,
                                        "wordingVersion",
                                        "2026-11",
                                        "source",
                                        "STORE"))))
                .json();
        Page listed = a.submit(
                path + "/audience", Form.of("entries", "M" + m.path("id").asLong() + "\nabc!!\n"));
        assertThat(listed.status()).isEqualTo(302);
        Page detail = a.get(listed.location().replaceAll("^https?://[^/]+", ""));
        assertThat(detail.body())
                .contains(name)
                .contains("共 2 行：匹配到 1 位会员，1 行有问题")
                .contains("【阳光百货】");

        assertThat(a.get(relative(a.submit(path + "/submit", Form.of("comment", "请审批"))))
                        .body())
                .contains("已提交审批");
        a.submit(path + "/approve", Form.of("comment", "自己批"));
        assertThat(a.get(path).body()).contains("活动须由提交人以外的另一人审批").contains("待审批");

        ConsoleSession b = signedIn(approver, "en");
        Page approved = b.get(relative(b.submit(path + "/approve", Form.of("comment", "OK"))));
        assertThat(approved.body())
                .contains("Approved")
                .contains("Schedule sending")
                .contains("OK");
        assertThat(b.get("/campaigns?q=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8))
                        .body())
                .contains(name);
        Page results = b.get(path + "/results");
        assertThat(results.status()).isEqualTo(200);
        assertThat(results.body()).contains("Recipients vs control group", "Sending has not started");

        String copy = relative(b.submit(path + "/copy", Form.of()));
        assertThat(copy).matches("/campaigns/\\d+/edit");
        assertThat(b.get(copy).body()).contains(name + " (copy)");
        String copyPath = copy.replace("/edit", "");
        Page copyPage = b.get(copyPath);
        assertThat(copyPage.body()).contains("Compare with source").contains("Draft");
        long source = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
        long target = Long.parseLong(copyPath.substring(copyPath.lastIndexOf('/') + 1));
        Page compared = b.get("/campaigns/compare?ids=" + source + "&ids=" + target);
        assertThat(compared.status()).isEqualTo(200);
        assertThat(compared.body()).contains("Campaigns compared", "#" + source + " ", "#" + target + " ");
    }

    private static String relative(Page redirect) {
        assertThat(redirect.status()).isEqualTo(302);
        return redirect.location().replaceAll("^https?://[^/]+", "");
    }

    @Test
    void staffWithoutAMarketingRoleCannotOpenCampaigns() {
        ConsoleSession c = signedIn(clerk, "en");
        assertThat(c.get("/campaigns").status()).isEqualTo(403);
        assertThat(c.get("/").body()).doesNotContain("href=\"/campaigns\"");
        assertThat(signedIn(author, "en").get("/").body()).contains("href=\"/campaigns\"");
    }

    @Test
    void agentsSeeTheCallListInTheNavigationButNotTheCampaigns() {
        ConsoleSession s = signedIn(agent, "zh-CN");
        Page calls = s.get("/campaigns/calls");
        assertThat(calls.status()).isEqualTo(200);
        assertThat(calls.body()).contains("外呼名单").contains("href=\"/campaigns/calls\"");
        assertThat(s.get("/campaigns").status()).isEqualTo(403);
        assertThat(s.submit("/campaigns/calls/999999999", Form.of("outcome", "REACHED"))
                        .status())
                .isEqualTo(302);
        assertThat(s.get("/campaigns/calls").body()).contains("消息 999999999 不存在");
    }

    @Test
    void anUnknownUnsubscribeLinkSaysSoInBothLanguages() {
        ConsoleSession anonymous = new ConsoleSession(port, "zh-CN");
        Page zh = anonymous.get("/t/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        assertThat(zh.status()).isEqualTo(404);
        assertThat(zh.body()).contains("此链接无效");
        assertThat(new ConsoleSession(port, "en").get("/t/u/nonsense").body()).contains("This link is not valid");
    }
}
