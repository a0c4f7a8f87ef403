package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
 * MKT-04: the SMS reply keywords and the scope of a STOP are set at run time. With scope SIGNATURE a
 * STOP (matched case- and width-insensitively against the configured words) stops only the
 * signature the member answered — the members' consent stays granted, the next SMS under that
 * signature is suppressed with SIGNATURE_OPT_OUT, an SMS under another signature goes out.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignSmsReplyScopeTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    final CampaignClock clock;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;
    String secret;
    JsonNode originalSettings;

    CampaignSmsReplyScopeTests(
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
    void setUp() {
        dispatcher.enable(false);
        // daytime in Shanghai: no quiet hours
        clock.set(Clock.fixed(
                ZonedDateTime.now(SHANGHAI).withHour(10).withMinute(0).toInstant(), SHANGHAI));
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
        secret = admin.get("/api/v1/campaigns/settings/sms-callback-secret")
                .json()
                .path("secret")
                .asString();
        originalSettings = admin.get("/api/v1/campaigns/settings").json();
        admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());
    }

    @AfterAll
    void tearDown() {
        try {
            jdbc.sql("delete from campaigns.sms_reply_settings").update(); // back to the property defaults
            admin.put("/api/v1/campaigns/settings", originalSettings);
        } finally {
            clock.reset();
            dispatcher.enable(true);
        }
    }

    @Test
    void keywordsAndScopeAreValidatedAndAdminOnly() {
        var read = marketer.get("/api/v1/campaigns/settings/sms-replies");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("stopWords")).isNotEmpty();
        assertThat(marketer.put(
                                "/api/v1/campaigns/settings/sms-replies",
                                Map.of("scope", "SIGNATURE", "stopWords", List.of("T")))
                        .status())
                .isEqualTo(403);
        var bad =
                admin.inLanguage("zh-CN").put("/api/v1/campaigns/settings/sms-replies", Map.of("stopWords", List.of()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("scope")).isNotBlank();
        assertThat(bad.fieldError("stopWords")).isNotBlank();
        var tooLong = admin.put(
                "/api/v1/campaigns/settings/sms-replies",
                Map.of("scope", "GLOBAL", "stopWords", List.of("x".repeat(21))));
        assertThat(tooLong.fieldError("stopWords")).contains("20");
    }

    @Test
    void aStopWithSignatureScopeStopsOnlyThatSignature() throws Exception {
        var set = admin.put(
                "/api/v1/campaigns/settings/sms-replies",
                Map.of("scope", "SIGNATURE", "stopWords", List.of("退订", "ＳＴＯＰ")));
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().path("scope").asString()).isEqualTo("SIGNATURE");
        String signatureA = originalSettings.path("smsSignature").asString();

        JsonNode d = member("签名退订");
        long first = sent(d, "{name}，周末会员日");
        assertThat(status(first, d)).isEqualTo("SENT");
        assertThat(jdbc.sql("select signature from campaigns.message where campaign_id = ?")
                        .param(first)
                        .query(String.class)
                        .single())
                .isEqualTo(signatureA);

        // "TD" is no longer a keyword; a lower-case half-width "stop" matches the full-width ＳＴＯＰ
        assertThat(reply(d, "TD")).isZero();
        assertThat(reply(d, " stop ")).isEqualTo(1);
        long id = d.path("id").asLong();
        assertThat(admin.get("/api/v1/members/" + id + "/consents/check?channel=SMS")
                        .json()
                        .path("allowed")
                        .asBoolean())
                .as("the consent stays: only the signature stopped")
                .isTrue();
        assertThat(jdbc.sql("select count(*) from campaigns.sms_signature_optout where signature = ? and phone = ?")
                        .params(signatureA, d.path("phone").asString())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);

        long second = sent(d, "{name}，新品到店");
        assertThat(status(second, d)).isEqualTo("SUPPRESSED:SIGNATURE_OPT_OUT");

        Map<String, Object> other = JSON.convertValue(originalSettings, Map.class);
        other.put("smsSignature", "阳光影城");
        var changed = admin.put("/api/v1/campaigns/settings", other);
        assertThat(changed.status()).as(changed.raw()).isEqualTo(200);
        long third = sent(d, "{name}，影城会员日");
        assertThat(status(third, d)).isEqualTo("SENT");
    }

    private int reply(JsonNode member, String text) throws Exception {
        byte[] body = ("[{\"phone_number\":\"" + member.path("phone").asString().substring(3) + "\",\"content\":\""
                        + text + "\",\"send_time\":\"2026-11-26 10:01:02\",\"sequence_id\":"
                        + SEQUENCE.incrementAndGet() + ",\"dest_code\":\"1\"}]")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> res = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/t/sms/replies"))
                                .header("Content-Type", "application/json")
                                .header("X-Patron-Signature", Tokens.hmacHex(secret, body))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JSON.readTree(res.body()).path("stops").asInt();
    }

    private long sent(JsonNode member, String text) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "签名 " + TestData.unique("C"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("SMS"));
        c.put("controlPct", 0);
        c.put("templates", List.of(Map.of("channel", "SMS", "lang", "zh", "body", text)));
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        long id = res.json().path("id").asLong();
        assertThat(marketer.put(
                                "/api/v1/campaigns/" + id + "/audience",
                                Map.of(
                                        "kind",
                                        "STATIC_LIST",
                                        "entries",
                                        List.of("M" + member.path("id").asLong())))
                        .status())
                .isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        var approved = approver.post("/api/v1/campaigns/" + id + "/approve", Map.of());
        assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);
        dispatcher.runOnce();
        return id;
    }

    private String status(long campaign, JsonNode member) {
        return jdbc.sql(
                        "select status || coalesce(':' || reason, '') from campaigns.message where campaign_id = ? and member_id = ?")
                .params(campaign, member.path("id").asLong())
                .query(String.class)
                .single();
    }

    private JsonNode member(String name) {
        return WebhookIntegrationTests.smsMember(admin, fx.store, name);
    }
}
