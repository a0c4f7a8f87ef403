package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SMS through the generic HTTP gateway adapter against a real HTTP gateway started by this test (the
 * JDK's HttpServer): the processor must be registered before the gateway can be configured
 * (MKT-15), the gateway's BizId becomes the provider id, delivery receipts pushed over real HTTP to
 * {@code /t/sms/receipts} (HMAC-signed) mark delivered / hard / soft (resent with a new idempotency
 * key), repeated pushes change nothing (MKT-11), a "ＴＤ" reply withdraws SMS consent once with its
 * source and time, a gateway failure pauses the channel; members read the template of their language;
 * only approved template texts are sent and they stay verbatim (MKT-06).
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmsGatewayIntegrationTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final JsonMapper JSON = JsonMapper.builder().build();

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    final CampaignClock clock;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;
    HttpServer gateway;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final AtomicInteger bizIds = new AtomicInteger();
    volatile int gatewayStatus = 200;
    ZonedDateTime now;
    String secret;

    SmsGatewayIntegrationTests(
            @LocalServerPort int port,
            @Autowired JdbcClient jdbc,
            @Autowired Dispatcher dispatcher,
            @Autowired CampaignClock clock) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    @BeforeAll
    void setUp() throws Exception {
        dispatcher.enable(false);
        // daytime in Shanghai, so no quiet hours get in the way
        now = ZonedDateTime.now(SHANGHAI).withHour(10).withMinute(0);
        clock.set(Clock.fixed(now.toInstant(), SHANGHAI));
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/sms/send", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String answer;
            int status = gatewayStatus;
            if (status == 200) {
                received.add(JSON.readTree(in));
                answer = "{\"Code\":\"OK\",\"Message\":\"OK\",\"BizId\":\"biz-" + bizIds.incrementAndGet() + "\"}";
            } else {
                answer = "{\"Code\":\"isp.SYSTEM_ERROR\"}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        gateway.start();
        secret = admin.get("/api/v1/campaigns/settings/sms-callback-secret")
                .json()
                .path("secret")
                .asString();
        admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());

        // MKT-15 / PRV-15: no gateway for an unregistered processor
        jdbc.sql("delete from campaigns.processor where channel = 'SMS'").update();
        var refused = admin.put("/api/v1/campaigns/settings/sms-gateway", gatewayConfig(gatewayUrl()));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        assertThat(refused.fieldError("url")).isNotNull();
        Map<String, Object> processor = Map.of(
                "channel", "SMS",
                "vendor", "测试短信网关",
                "contractRef", "DPA-TEST-1",
                "dataCategories", "手机号, 短信内容",
                "region", "CN");
        assertThat(marketer.post("/api/v1/campaigns/processors", processor).status())
                .isEqualTo(403);
        var missing = admin.post("/api/v1/campaigns/processors", Map.of("channel", "SMS", "vendor", "x"));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.fieldError("contractRef")).isNotNull();
        var registered = admin.post("/api/v1/campaigns/processors", processor);
        assertThat(registered.status()).as(registered.raw()).isEqualTo(200);
        assertThat(registered.json().path("contractRef").asString()).isEqualTo("DPA-TEST-1");
        var configured = admin.put("/api/v1/campaigns/settings/sms-gateway", gatewayConfig(gatewayUrl()));
        assertThat(configured.status()).as(configured.raw()).isEqualTo(200);
        assertThat(configured.json().path("url").asString()).isEqualTo(gatewayUrl());
        assertThat(marketer.get("/api/v1/campaigns/settings/sms-gateway").status())
                .isEqualTo(403);
    }

    @AfterAll
    void tearDown() {
        try {
            admin.put("/api/v1/campaigns/settings/sms-gateway", gatewayConfig(""));
            admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());
        } finally {
            clock.reset();
            dispatcher.enable(true);
            if (gateway != null) {
                gateway.stop(0);
            }
        }
    }

    private String gatewayUrl() {
        return "http://127.0.0.1:" + (gateway == null ? 1 : gateway.getAddress().getPort()) + "/sms/send";
    }

    private static Map<String, Object> gatewayConfig(String url) {
        Map<String, Object> m = new HashMap<>();
        m.put("url", url);
        m.put("bodyTemplate", "{\"PhoneNumbers\":\"${phone}\",\"Text\":\"${text}\",\"OutId\":\"${key}\"}");
        m.put("successMarker", "\"Code\":\"OK\"");
        m.put("idField", "BizId");
        m.put("hardCodes", "MOBILE_NOT_ON_SERVICE,EMPTY_NUMBER");
        return m;
    }

    // ------------------------------------------------------------------ receipts

    @Test
    void deliveryReceiptsMarkDeliveredHardAndSoftOnceAndASoftFailureIsResentWithANewKey() throws Exception {
        JsonNode a = member("送达", true);
        JsonNode b = member("空号", true);
        JsonNode c = member("暂时", true);
        long id = approvedAndScheduled(List.of(a, b, c), List.of(smsTemplate("zh", "{name}您好，积分{points}")));
        dispatcher.runOnce();
        Map<String, JsonNode> byPhone = sentTo(List.of(a, b, c));
        assertThat(byPhone).hasSize(3);
        JsonNode toA = byPhone.get(phone(a));
        assertThat(toA.path("Text").asString()).startsWith("【").contains("送达您好").endsWith("回T退订");
        assertThat(toA.path("OutId").asString()).isEqualTo("cm-" + id + "-" + messageId(id, a));
        for (JsonNode m : List.of(a, b, c)) {
            assertThat(status(id, m)).isEqualTo("SENT|");
            assertThat(providerId(id, m)).startsWith("biz-");
        }

        String push = "[" + aliyunReceipt(a, providerId(id, a), true, "DELIVERED") + ","
                + aliyunReceipt(b, providerId(id, b), false, "MOBILE_NOT_ON_SERVICE") + ","
                + aliyunReceipt(c, providerId(id, c), false, "UNDELIV") + "]";
        byte[] body = push.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> wrong = post(
                "/t/sms/receipts", body, "00" + Tokens.hmacHex(secret, body).substring(2));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(status(id, b)).isEqualTo("SENT|");

        HttpResponse<String> ok = post("/t/sms/receipts", body, Tokens.hmacHex(secret, body));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode ack = JSON.readTree(ok.body());
        assertThat(ack.path("code").asInt()).isZero();
        assertThat(ack.path("result").asInt()).isZero();
        assertThat(ack.path("taken").asInt()).isEqualTo(3);

        assertThat(status(id, a)).isEqualTo("SENT|");
        assertThat(events(id, a, "DELIVERED")).isEqualTo(1);
        assertThat(status(id, b)).isEqualTo("FAILED|BOUNCE_HARD");
        assertThat(jdbc.sql("select count(*) from campaigns.invalid_address where channel = 'SMS' and address = ?")
                        .param(phone(b))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(status(id, c)).isEqualTo("PENDING|BOUNCE_SOFT");

        // the gateway pushes the same receipts again: acknowledged, nothing counted twice
        HttpResponse<String> again = post("/t/sms/receipts", body, Tokens.hmacHex(secret, body));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("duplicates").asInt()).isEqualTo(3);
        assertThat(events(id, a, "DELIVERED")).isEqualTo(1);
        assertThat(events(id, c, "BOUNCE_SOFT")).isEqualTo(1);
        assertThat(status(id, c)).isEqualTo("PENDING|BOUNCE_SOFT");

        // after the backoff the soft failure is sent again, with a new idempotency key (a new send)
        clock.set(Clock.fixed(now.plusMinutes(5).toInstant(), SHANGHAI));
        dispatcher.runOnce();
        List<JsonNode> toC = received.stream()
                .filter(r -> r.path("PhoneNumbers").asString().equals(phone(c)))
                .toList();
        assertThat(toC).hasSize(2);
        assertThat(toC.get(1).path("OutId").asString()).isEqualTo("cm-" + id + "-" + messageId(id, c) + "-r1");
        assertThat(status(id, c)).isEqualTo("SENT|");
        assertThat(received.stream()
                        .filter(r -> r.path("PhoneNumbers").asString().equals(phone(b)))
                        .count())
                .as("the dead number is not sent again")
                .isEqualTo(1);

        // a Tencent-shaped receipt of the resend
        byte[] tencent = ("[{\"user_receive_time\":\"2026-11-26 10:05:10\",\"nationcode\":\"86\",\"mobile\":\""
                        + national(c)
                        + "\",\"report_status\":\"SUCCESS\",\"errmsg\":\"DELIVRD\",\"description\":\"用户短信送达成功\","
                        + "\"sid\":\"" + providerId(id, c) + "\"}]")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> t = post("/t/sms/receipts", tencent, Tokens.hmacHex(secret, tencent));
        assertThat(JSON.readTree(t.body()).path("taken").asInt()).isEqualTo(1);
        assertThat(events(id, c, "DELIVERED")).isEqualTo(1);
        clock.set(Clock.fixed(now.toInstant(), SHANGHAI));
    }

    @Test
    void aFullWidthTdReplyWithdrawsSmsConsentOnceWithItsSourceAndTimeAndLaterSmsIsSuppressed() throws Exception {
        JsonNode d = member("退订者", true);
        long first = approvedAndScheduled(List.of(d), List.of(smsTemplate("zh", "{name}，周末会员日")));
        dispatcher.runOnce();
        assertThat(status(first, d)).isEqualTo("SENT|");
        byte[] reply = ("[{\"phone_number\":\"" + national(d) + "\",\"content\":\" ｔＤ \",\"send_time\":"
                        + "\"2026-11-26 10:01:02\",\"sequence_id\":"
                        + d.path("id").asLong() + ",\"dest_code\":\"1\"}]")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> ok = post("/t/sms/replies", reply, Tokens.hmacHex(secret, reply));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).path("stops").asInt()).isEqualTo(1);
        JsonNode consents = admin.get("/api/v1/members/" + d.path("id").asLong() + "/consents")
                .json();
        assertThat(consents.toString())
                .contains("UNSUBSCRIBE")
                .contains("SMS reply TD")
                .contains("2026-11-26 10:01:02");
        assertThat(events(first, d, "REPLY_STOP")).isEqualTo(1);
        // the same push again: idempotent on the gateway's sequence id
        HttpResponse<String> again = post("/t/sms/replies", reply, Tokens.hmacHex(secret, reply));
        assertThat(JSON.readTree(again.body()).path("stops").asInt()).isZero();
        assertThat(events(first, d, "REPLY_STOP")).isEqualTo(1);
        // MKT-03: the next SMS campaign does not reach the member
        long second = approvedAndScheduled(List.of(d, member("仍同意", true)), List.of(smsTemplate("zh", "{name}，新品")));
        dispatcher.runOnce();
        assertThat(status(second, d)).isEqualTo("SUPPRESSED|NO_CONSENT");
    }

    @Test
    void aGatewayFailurePausesTheSmsChannelAndNothingCountsAsSent() {
        JsonNode e = member("网关故障", true);
        long id = approvedAndScheduled(List.of(e), List.of(smsTemplate("zh", "{name}，网关测试")));
        gatewayStatus = 503;
        try {
            dispatcher.runOnce();
            assertThat(status(id, e)).startsWith("PENDING|");
            JsonNode progress =
                    admin.get("/api/v1/campaigns/" + id + "/progress").json();
            assertThat(progress.path("channels").get(0).path("paused").asBoolean())
                    .isTrue();
            assertThat(progress.path("channels").get(0).path("sent").asLong()).isZero();
        } finally {
            gatewayStatus = 200;
            admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());
        }
        dispatcher.runOnce();
        assertThat(status(id, e)).isEqualTo("SENT|");
    }

    // ------------------------------------------------------------------ language and template approval

    @Test
    void membersReadTheTemplateOfTheirLanguageInPreviewAndInTheSms() throws Exception {
        JsonNode english = member("Emily Carter", true);
        JsonNode chinese = member("李雷", true);
        long english_id = english.path("id").asLong();
        JsonNode lang =
                marketer.get("/api/v1/campaigns/member-languages/" + english_id).json();
        assertThat(lang.path("lang").asString()).isEqualTo("en");
        assertThat(lang.path("source").asString()).isEqualTo("NAME_RULE");
        long id = approvedAndScheduledDraft(
                List.of(english, chinese),
                List.of(smsTemplate("zh", "{name}您好，会员日"), smsTemplate("en", "Hi {name}, member day")));
        JsonNode preview = marketer.get("/api/v1/campaigns/" + id + "/preview?channel=SMS&memberId=" + english_id)
                .json();
        assertThat(preview.path("lang").asString()).isEqualTo("en");
        assertThat(preview.path("text").asString()).contains("Hi Emily Carter, member day");
        var bad = marketer.put("/api/v1/campaigns/member-languages/" + english_id, Map.of("lang", "fr"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("lang")).isNotNull();
        long chineseId = chinese.path("id").asLong();
        var set = marketer.put("/api/v1/campaigns/member-languages/" + chineseId, Map.of("lang", "en"));
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().path("source").asString()).isEqualTo("SET");
        assertThat(marketer.get("/api/v1/campaigns/" + id + "/preview?channel=SMS&memberId=" + chineseId)
                        .json()
                        .path("text")
                        .asString())
                .contains("Hi 李雷");
        marketer.put("/api/v1/campaigns/member-languages/" + chineseId, Map.of("lang", ""));
        assertThat(marketer.get("/api/v1/campaigns/member-languages/" + chineseId)
                        .json()
                        .path("lang")
                        .asString())
                .isEqualTo("zh");

        // MKT-06: submitted with the campaign, approved by the second person, then sent verbatim
        assertThat(templateStatuses(id)).containsOnly("DRAFT");
        approve(id);
        assertThat(templateStatuses(id)).containsOnly("APPROVED");
        assertThatThrownBy(() -> jdbc.sql("update campaigns.template set body = 'changed' where campaign_id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("verbatim");
        dispatcher.runOnce();
        Map<String, JsonNode> sent = sentTo(List.of(english, chinese));
        assertThat(sent.get(phone(english)).path("Text").asString()).contains("Hi Emily Carter, member day");
        assertThat(sent.get(phone(chinese)).path("Text").asString()).contains("李雷您好，会员日");
    }

    @Test
    void aRejectedCampaignsTemplatesAreRejectedAndEditingMakesThemDraftsAgain() {
        JsonNode m = member("驳回", true);
        long id = campaign(List.of(smsTemplate("zh", "{name}，驳回测试")));
        audience(id, List.of(m));
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(templateStatuses(id)).containsOnly("SUBMITTED");
        assertThat(approver.post("/api/v1/campaigns/" + id + "/reject", Map.of("comment", "措辞需修改"))
                        .status())
                .isEqualTo(200);
        assertThat(templateStatuses(id)).containsOnly("REJECTED");
    }

    // ------------------------------------------------------------------ complaints (MKT-17)

    @Test
    void aComplaintForwardedBy12321IsLoggedWithItsDueDateAndLinkedToTheLastSms() {
        assertThat(Complaints.addWorkingDays(LocalDate.of(2026, 11, 26), 15)).isEqualTo(LocalDate.of(2026, 12, 17));
        assertThat(Complaints.addWorkingDays(LocalDate.of(2026, 11, 28), 1)).isEqualTo(LocalDate.of(2026, 11, 30));
        JsonNode m = member("投诉人", true);
        long id = approvedAndScheduled(List.of(m), List.of(smsTemplate("zh", "{name}，周年庆")));
        dispatcher.runOnce();
        assertThat(status(id, m)).isEqualTo("SENT|");
        var noSource = marketer.post("/api/v1/campaigns/complaints", Map.of("phone", national(m), "text", "骚扰"));
        assertThat(noSource.status()).isEqualTo(400);
        assertThat(noSource.fieldError("source")).isNotNull();
        var noWhom = marketer.post("/api/v1/campaigns/complaints", Map.of("source", "DIRECT", "text", "骚扰"));
        assertThat(noWhom.fieldError("phone")).isNotNull();
        var logged = marketer.post(
                "/api/v1/campaigns/complaints",
                Map.of("source", "REGULATOR_12321", "phone", national(m), "text", "12321 转来：未经同意发送营销短信"));
        assertThat(logged.status()).as(logged.raw()).isEqualTo(201);
        assertThat(logged.json().path("messageId").asLong()).isEqualTo(messageId(id, m));
        assertThat(logged.json().path("campaignId").asLong()).isEqualTo(id);
        assertThat(logged.json().path("dueOn").asString())
                .isEqualTo(Complaints.addWorkingDays(now.toLocalDate(), 15).toString());
        assertThat(logged.json().path("status").asString()).isEqualTo("OPEN");

        long complaint = logged.json().path("id").asLong();
        var noResolution = marketer.post("/api/v1/campaigns/complaints/" + complaint + "/close", Map.of());
        assertThat(noResolution.status()).isEqualTo(400);
        assertThat(noResolution.fieldError("resolution")).isNotNull();
        assertThat(marketer.post("/api/v1/campaigns/complaints/999999999/close", Map.of("resolution", "x"))
                        .status())
                .isEqualTo(404);
        var closed = marketer.post(
                "/api/v1/campaigns/complaints/" + complaint + "/close", Map.of("resolution", "会员已退订，已致电道歉"));
        assertThat(closed.status()).as(closed.raw()).isEqualTo(200);
        assertThat(closed.json().path("status").asString()).isEqualTo("CLOSED");
        assertThat(closed.json().path("resolution").asString()).isEqualTo("会员已退订，已致电道歉");
        assertThat(closed.json().path("closedAt").isNull()).isFalse();
        var again = marketer.post("/api/v1/campaigns/complaints/" + complaint + "/close", Map.of("resolution", "再次结案"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'campaign.complaintClosed' and entity_id = ?")
                        .param(String.valueOf(complaint))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------ triggered campaigns

    @Test
    void aBirthdayTriggerCreatesAnApprovedCampaignThroughTheSameEngineOncePerOccasion() {
        LocalDate today = now.toLocalDate();
        JsonNode celebrant = member("寿星", true, today.plusDays(3).minusYears(30));
        JsonNode other = member("非寿星", true, today.plusDays(4).minusYears(30));
        JsonNode someone = member("来源活动会员", true);
        long draft = campaign(List.of(smsTemplate("zh", "{name}生日快乐，到店领礼")));
        Map<String, Object> rule = new HashMap<>();
        rule.put("name", "生日关怀");
        rule.put("kind", "BIRTHDAY");
        rule.put("daysAhead", 3);
        rule.put("sourceCampaignId", draft);
        var refused = marketer.post("/api/v1/campaigns/triggers", rule);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.fieldError("sourceCampaignId")).isNotNull();
        var badKind = marketer.post(
                "/api/v1/campaigns/triggers",
                Map.of("name", "x", "kind", "ANNIVERSARY", "daysAhead", 3, "sourceCampaignId", draft));
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(badKind.fieldError("kind")).isNotNull();

        long source = approvedAndScheduled(List.of(someone), List.of(smsTemplate("zh", "{name}生日快乐，到店领礼")));
        rule.put("sourceCampaignId", source);
        var created = marketer.post("/api/v1/campaigns/triggers", rule);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        long ruleId = created.json().path("id").asLong();
        var run = marketer.post("/api/v1/campaigns/triggers/" + ruleId + "/run", Map.of());
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        long triggered = run.json().path("campaignId").asLong();
        assertThat(triggered).isPositive();
        JsonNode c = marketer.get("/api/v1/campaigns/" + triggered).json();
        assertThat(c.path("status").asString()).isEqualTo("SCHEDULED");
        assertThat(c.path("sourceCampaignId").asLong()).isEqualTo(source);
        assertThat(templateStatuses(triggered)).containsOnly("APPROVED");
        List<Long> audience = jdbc.sql("select member_id from campaigns.audience_member where campaign_id = ?")
                .param(triggered)
                .query(Long.class)
                .list();
        assertThat(audience)
                .contains(celebrant.path("id").asLong())
                .doesNotContain(other.path("id").asLong());

        dispatcher.runOnce();
        assertThat(status(triggered, celebrant)).isEqualTo("SENT|");
        assertThat(sentTo(List.of(celebrant)).get(phone(celebrant)).path("Text").asString())
                .contains("寿星生日快乐");
        // tracking and results work as for any campaign
        assertThat(marketer.get("/api/v1/campaigns/" + triggered + "/results").status())
                .isEqualTo(200);

        // run again the same day: nobody is picked twice for this birthday
        var again = marketer.post("/api/v1/campaigns/triggers/" + ruleId + "/run", Map.of());
        assertThat(again.status()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from campaigns.trigger_fire where rule_id = ? and member_id = ?")
                        .params(ruleId, celebrant.path("id").asLong())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(again.json().path("members").asInt()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private List<String> templateStatuses(long id) {
        return jdbc.sql("select status from campaigns.template where campaign_id = ?")
                .param(id)
                .query(String.class)
                .list();
    }

    private Map<String, JsonNode> sentTo(List<JsonNode> members) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode m : members) {
            received.stream()
                    .filter(r -> r.path("PhoneNumbers").asString().equals(phone(m)))
                    .findFirst()
                    .ifPresent(r -> out.put(phone(m), r));
        }
        return out;
    }

    private static String phone(JsonNode m) {
        return m.path("phone").asString();
    }

    private static String national(JsonNode m) {
        return phone(m).replace("+86", "");
    }

    private static String aliyunReceipt(JsonNode m, String bizId, boolean success, String code) {
        return "{\"phone_number\":\"" + national(m) + "\",\"send_time\":\"2026-11-26 10:00:01\",\"report_time\":"
                + "\"2026-11-26 10:00:09\",\"success\":" + success + ",\"err_code\":\"" + code
                + "\",\"err_msg\":\"状态\",\"sms_size\":\"1\",\"biz_id\":\"" + bizId + "\",\"out_id\":\"x\"}";
    }

    private long messageId(long campaignId, JsonNode m) {
        return jdbc.sql("select id from campaigns.message where campaign_id = ? and member_id = ?")
                .params(campaignId, m.path("id").asLong())
                .query(Long.class)
                .single();
    }

    private String providerId(long campaignId, JsonNode m) {
        return jdbc.sql("select provider_id from campaigns.message where campaign_id = ? and member_id = ?")
                .params(campaignId, m.path("id").asLong())
                .query(String.class)
                .single();
    }

    private long events(long campaignId, JsonNode m, String kind) {
        return jdbc.sql("""
                select count(*) from campaigns.tracking_event e join campaigns.message g on g.id = e.message_id
                where g.campaign_id = ? and g.member_id = ? and e.kind = ?""")
                .params(campaignId, m.path("id").asLong(), kind)
                .query(Long.class)
                .single();
    }

    private String status(long campaignId, JsonNode member) {
        return jdbc.sql(
                        "select status || '|' || coalesce(reason, '') from campaigns.message where campaign_id = ? and member_id = ?")
                .params(campaignId, member.path("id").asLong())
                .query(String.class)
                .single();
    }

    private JsonNode member(String name, boolean sms) {
        return member(name, sms, null);
    }

    private JsonNode member(String name, boolean sms, LocalDate birthday) {
        String phone = SalesFixtures.phone();
        List<Map<String, Object>> consents = new ArrayList<>();
        if (sms) {
            consents.add(Map.of(
                    "channel", "SMS",
                    "purpose", "MARKETING",
                    "granted", true,
                    "wordingVersion", "2026-11",
                    "source", "STORE"));
        }
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("phone", phone);
        body.put("preferredStoreCode", fx.store);
        body.put("consents", consents);
        if (birthday != null) {
            body.put("birthday", birthday.toString());
        }
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    private static Map<String, Object> smsTemplate(String lang, String body) {
        return Map.of("channel", "SMS", "lang", lang, "body", body);
    }

    private long campaign(List<Map<String, Object>> templates) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "短信网关 " + TestData.unique("S"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("SMS"));
        c.put("controlPct", 0);
        c.put("templates", templates);
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private void audience(long id, List<JsonNode> members) {
        var res = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of(
                        "kind",
                        "STATIC_LIST",
                        "entries",
                        members.stream().map(m -> "M" + m.path("id").asLong()).toList()));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
    }

    /** A draft with its audience, not yet submitted. */
    private long approvedAndScheduledDraft(List<JsonNode> members, List<Map<String, Object>> templates) {
        long id = campaign(templates);
        audience(id, members);
        return id;
    }

    private void approve(long id) {
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        var approved = approver.post("/api/v1/campaigns/" + id + "/approve", Map.of());
        assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);
    }

    private long approvedAndScheduled(List<JsonNode> members, List<Map<String, Object>> templates) {
        long id = approvedAndScheduledDraft(members, templates);
        approve(id);
        return id;
    }

    private HttpResponse<String> post(String path, byte[] body, String signature) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .header("Content-Type", "application/json")
                                .header("X-Patron-Signature", signature)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
