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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The campaign pages for MKT-09 and MKT-16 over real HTTP: a "service notice" campaign planned in the
 * editor is refused with the reason when its text is marketing and saved when it is a notice; the
 * campaign page of a personal target says how many audience members switched personalisation off
 * and will not receive it.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignPrivacyPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    ApiClient api;
    ApiClient marketerApi;
    SalesFixtures fx;
    String author;

    CampaignPrivacyPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void users() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(api);
        marketerApi = fx.as(Role.MARKETER);
        author = TestData.unique("marketer");
        staff.createAccount(new StaffCommand(author, "通知测试", null, Set.of(Role.MARKETER), true, null, PASSWORD, true));
    }

    private ConsoleSession signedIn(String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        assertThat(s.login(author, PASSWORD).location()).endsWith("/");
        return s;
    }

    private Form noticeForm(String text) {
        return Form.of(
                        "name", "闭店通知 " + TestData.unique("N"),
                        "kind", "NOTICE",
                        "goal", "告知会员",
                        "periodStart", LocalDate.now().toString(),
                        "periodEnd", LocalDate.now().plusDays(10).toString(),
                        "budgetFen", "0",
                        "otherCostFen", "0",
                        "channels", "SMS",
                        "controlPct", "0",
                        "attributionDays", "14",
                        "bonusPoints", "0",
                        "giftCostFen", "0")
                .and("smsBody", text);
    }

    @Test
    void aServiceNoticeIsPlannedInTheEditorAndMarketingTextIsRefused() {
        ConsoleSession s = signedIn("zh-CN");
        assertThat(s.get("/campaigns/new").body()).contains("服务通知");
        Page refused = s.submit("/campaigns", noticeForm("{name}您好，会员日全场满减"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("服务通知不能包含营销内容");
        java.util.regex.Matcher sms = java.util.regex.Pattern.compile("<textarea[^>]*id=\"smsBody\"[^>]*>")
                .matcher(refused.body());
        assertThat(sms.find()).isTrue();
        assertThat(sms.group()).as("the error is shown at the SMS text").contains("is-invalid");
        Page saved = s.submit("/campaigns", noticeForm("{name}您好，本店 12 月 1 日起闭店装修"));
        assertThat(saved.status()).as(saved.body()).isEqualTo(302);
        String path = saved.location().replaceAll("^https?://[^/]+", "");
        assertThat(s.get(path).body()).contains("服务通知");
    }

    @Test
    void theCampaignPageCountsMembersLeftOutOfAPersonalTarget() {
        long off = member("不要推荐");
        long on = member("照常推荐");
        var switched = api.put("/api/v1/members/" + off + "/personalisation", Map.of("switchedOff", true));
        assertThat(switched.status()).isEqualTo(200);
        var list = marketerApi.post(
                "/api/v1/segments/static",
                Map.of(
                        "name",
                        TestData.unique("页面名单"),
                        "identifierKind",
                        "MEMBER_ID",
                        "content",
                        "member_id\n" + off + "\n" + on + "\n"));
        assertThat(list.status()).as(list.raw()).isEqualTo(201);
        long listId = list.json().path("segment").path("id").asLong();
        // first the static list itself (not personal), then a rule segment on gender (personal)
        var personal = marketerApi.post(
                "/api/v1/segments",
                Map.of(
                        "name",
                        TestData.unique("女性会员"),
                        "definition",
                        Map.of(
                                "version",
                                1,
                                "root",
                                Map.of(
                                        "group",
                                        "AND",
                                        "items",
                                        List.of(
                                                Map.of("field", "inList", "operator", "in", "value", List.of(listId)),
                                                Map.of("field", "gender", "operator", "ne", "value", "MALE"))))));
        assertThat(personal.status()).as(personal.raw()).isEqualTo(201);
        long staticSnapshot = snapshot(listId);
        long campaign = campaign();
        var set = marketerApi.put(
                "/api/v1/campaigns/" + campaign + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", staticSnapshot));
        assertThat(set.json().path("personalTarget").asBoolean()).isFalse();
        ConsoleSession s = signedIn("en");
        assertThat(s.get("/campaigns/" + campaign).body())
                .contains(
                        "Non-personal target",
                        "1 member(s) of this audience switched personalisation off; a non-personal target still reaches them.");

        // the personal segment's snapshot: the member who switched off is not in it; a member switching off later is
        // counted
        long personalSnapshot = snapshot(personal.json().path("id").asLong());
        var again = marketerApi.put(
                "/api/v1/campaigns/" + campaign + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", personalSnapshot));
        assertThat(again.json().path("members").asInt()).isEqualTo(1);
        api.put("/api/v1/members/" + on + "/personalisation", Map.of("switchedOff", true));
        ConsoleSession zhSession = signedIn("zh-CN");
        Page zh = zhSession.get("/campaigns/" + campaign);
        assertThat(zh.body()).contains("个性化目标", "本受众中有 1 位会员已关闭个性化推荐，不会收到本活动。");
        // the segment pages say which kind of targeting a segment is
        assertThat(zhSession
                        .get("/segments/" + personal.json().path("id").asLong())
                        .body())
                .contains("data-personal=\"true\"", "个性化：不含已关闭个性化推荐的会员");
        assertThat(zhSession.get("/segments/" + listId).body()).contains("data-personal=\"false\"");
    }

    private long snapshot(long segment) {
        var res = marketerApi.post("/api/v1/segments/" + segment + "/snapshots", Map.of());
        assertThat(res.status()).as(res.raw()).isIn(200, 201);
        return res.json().path("id").asLong();
    }

    private long campaign() {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "页面 " + TestData.unique("C"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now().toString());
        c.put("periodEnd", LocalDate.now().plusDays(14).toString());
        c.put("channels", List.of("PHONE"));
        c.put("controlPct", 0);
        c.put("templates", List.of(Map.of("channel", "PHONE", "lang", "zh", "body", "{name}您好")));
        var res = marketerApi.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private long member(String name) {
        var res = api.post(
                "/api/v1/members",
                Map.of(
                        "name",
                        name,
                        "phone",
                        SalesFixtures.phone(),
                        "preferredStoreCode",
                        fx.store,
                        "gender",
                        "FEMALE"));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }
}
