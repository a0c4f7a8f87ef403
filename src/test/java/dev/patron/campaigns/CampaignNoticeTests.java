package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * MKT-09: templates are typed; a service notice cannot carry marketing words or links (configurable
 * lists, width and case insensitive) and names the field; notice templates only in NOTICE campaigns
 * and marketing templates only in marketing ones; a NOTICE campaign is sent on SERVICE consent
 * (also to members without marketing consent or who switched personalisation off), and composed
 * without the advertising marks.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignNoticeTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;

    CampaignNoticeTests(@LocalServerPort int port, @Autowired JdbcClient jdbc, @Autowired Dispatcher dispatcher) {
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
    }

    @BeforeAll
    void setUp() {
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
    }

    @Test
    void aNoticeWithMarketingContentIsRefusedNamingTheField() {
        var promo = marketer.post("/api/v1/campaigns", campaign("NOTICE", template("NOTICE", "{name}您好，本周会员专享折扣")));
        assertThat(promo.status()).as(promo.raw()).isEqualTo(400);
        assertThat(promo.contentType()).contains("problem+json");
        assertThat(promo.fieldError("templates[0].body")).contains("折扣");
        // full-width and upper case are the same word; the answer is in the caller's language
        var wide = marketer.inLanguage("zh-CN")
                .post("/api/v1/campaigns", campaign("NOTICE", template(null, "{name}您好，年终ＳＡＬＥ开始")));
        assertThat(wide.status()).isEqualTo(400);
        assertThat(wide.fieldError("templates[0].body")).contains("服务通知不能包含营销内容", "sale");
        var link = marketer.post(
                "/api/v1/campaigns",
                campaign("NOTICE", template("NOTICE", "{name}您好，详情 {link:https://shop.example.com/x}")));
        assertThat(link.status()).isEqualTo(400);
        assertThat(link.fieldError("templates[0].body")).contains("{link:");
    }

    @Test
    void templateTypesMustFitTheCampaign() {
        var noticeInMarketing =
                marketer.post("/api/v1/campaigns", campaign("MALL_WIDE", template("NOTICE", "{name}您好")));
        assertThat(noticeInMarketing.status()).isEqualTo(400);
        assertThat(noticeInMarketing.fieldError("templates[0].type")).contains("marketing campaign");
        var marketingInNotice =
                marketer.post("/api/v1/campaigns", campaign("NOTICE", template("MARKETING", "{name}您好")));
        assertThat(marketingInNotice.status()).isEqualTo(400);
        assertThat(marketingInNotice.fieldError("templates[0].type")).isNotBlank();
        var verification =
                marketer.post("/api/v1/campaigns", campaign("MALL_WIDE", template("VERIFICATION", "验证码 123456")));
        assertThat(verification.status()).isEqualTo(400);
        assertThat(verification.fieldError("templates[0].type")).isNotBlank();
        // a marketing campaign's template without a type is MARKETING; a notice campaign's is NOTICE
        var ok = marketer.post("/api/v1/campaigns", campaign("NOTICE", template(null, "{name}您好，您的积分余额 {points}")));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(201);
        assertThat(ok.json().path("templates").get(0).path("type").asString()).isEqualTo("NOTICE");
    }

    @Test
    void aNoticeIsSentOnServiceConsentWithoutAdvertisingMarks() {
        long noMarketing = member(false);
        long serviceWithdrawn = member(false);
        long switchedOff = member(true);
        var withdrawn = admin.post(
                "/api/v1/members/" + serviceWithdrawn + "/consents",
                Map.of(
                        "channel", "PHONE",
                        "purpose", "SERVICE",
                        "granted", false,
                        "wordingVersion", "2026-11",
                        "source", "STORE"));
        assertThat(withdrawn.status()).as(withdrawn.raw()).isEqualTo(201);
        assertThat(admin.put(
                                "/api/v1/members/" + switchedOff + "/personalisation",
                                Map.of("switchedOff", true, "source", "STORE"))
                        .status())
                .isEqualTo(200);

        var created =
                marketer.post("/api/v1/campaigns", campaign("NOTICE", template(null, "{name}您好，本店 12 月 1 日起闭店装修")));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        long id = created.json().path("id").asLong();
        var set = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of(
                        "kind",
                        "STATIC_LIST",
                        "entries",
                        List.of("M" + noMarketing, "M" + serviceWithdrawn, "M" + switchedOff)));
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        var approved = approver.post("/api/v1/campaigns/" + id + "/approve", Map.of());
        assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
        dispatcher.enable(false);
        try {
            assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                            .status())
                    .isEqualTo(200);
            dispatcher.runOnce();
        } finally {
            dispatcher.enable(true);
        }
        Map<Long, String> statuses = new HashMap<>();
        jdbc.sql("select member_id, status || coalesce(':' || reason, '') from campaigns.message where campaign_id = ?")
                .param(id)
                .query((rs, n) -> statuses.put(rs.getLong(1), rs.getString(2)))
                .list();
        assertThat(statuses)
                .containsEntry(noMarketing, "SENT")
                .containsEntry(switchedOff, "SENT")
                .containsEntry(serviceWithdrawn, "SUPPRESSED:NO_CONSENT");

        // composed without 广告 / AD and without the SMS opt-out suffix; marketing keeps both
        TemplateText notice = new TemplateText(Channel.SMS, "zh", null, "您的卡余额已变动", null, TemplateType.NOTICE);
        TemplateText promo = new TemplateText(Channel.SMS, "zh", null, "会员日全场八折", null, null);
        TemplateText mail = new TemplateText(Channel.EMAIL, "zh", "闭店通知", "本店闭店装修", null, TemplateType.NOTICE);
        Personalisation.MemberData d = new Personalisation.MemberData(
                1, "王芳", "w@example.com", "+8613900000000", null, "ACTIVE", null, null, 0, 0, null, null);
        assertThat(Composer.compose(1, "k", "x", notice, d, CampaignRulesTests.settings(), Sending.PLAIN)
                        .text())
                .isEqualTo("【阳光百货】您的卡余额已变动");
        assertThat(Composer.compose(1, "k", "x", promo, d, CampaignRulesTests.settings(), Sending.PLAIN)
                        .text())
                .endsWith(Composer.SMS_OPT_OUT);
        assertThat(Composer.compose(1, "k", "x", mail, d, CampaignRulesTests.settings(), Sending.PLAIN)
                        .subject())
                .isEqualTo("闭店通知");
    }

    private Map<String, Object> template(String type, String body) {
        Map<String, Object> t = new HashMap<>();
        t.put("channel", "PHONE");
        t.put("lang", "zh");
        t.put("body", body);
        if (type != null) {
            t.put("type", type);
        }
        return t;
    }

    private Map<String, Object> campaign(String kind, Map<String, Object> template) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "通知 " + TestData.unique("N"));
        c.put("kind", kind);
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("PHONE"));
        c.put("controlPct", 0);
        c.put("templates", List.of(template));
        return c;
    }

    private long member(boolean marketingConsent) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "通知会员");
        body.put("phone", SalesFixtures.phone());
        body.put("preferredStoreCode", fx.store);
        if (marketingConsent) {
            body.put(
                    "consents",
                    List.of(Map.of(
                            "channel", "PHONE",
                            "purpose", "MARKETING",
                            "granted", true,
                            "wordingVersion", "2026-11",
                            "source", "STORE")));
        }
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }
}
