package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Campaign events to a webhook receiver started by this test (the JDK's HttpServer), which checks
 * every signature: sent, unsubscribed (SMS reply) and responded (a purchase loaded through the CSV
 * sales import) events arrive signed with HMAC-SHA256 over timestamp and body; a receiver that fails
 * gets the same event ids again after the backoff (at least once); only ADMIN configures endpoints and
 * sees the secret once.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIntegrationTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final JsonMapper JSON = JsonMapper.builder().build();

    record Received(String eventId, String timestamp, String signature, String body) {}

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    final WebhookDelivery delivery;
    final CampaignClock clock;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;
    HttpServer receiver;
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile int answer = 500;

    WebhookIntegrationTests(
            @LocalServerPort int port,
            @Autowired JdbcClient jdbc,
            @Autowired Dispatcher dispatcher,
            @Autowired WebhookDelivery delivery,
            @Autowired CampaignClock clock) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
        this.delivery = delivery;
        this.clock = clock;
    }

    /** The campaign settings before this test, restored after it. */
    Map<String, Object> settings;

    @BeforeAll
    void setUp() throws Exception {
        dispatcher.enable(false);
        // no SMS quiet hours while this test runs, whatever the hour in Shanghai (21:00–08:00 held
        // its messages back when the suite ran in the evening)
        settings = QuietHours.off(admin);
        delivery.enable(false);
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(
                    ex.getRequestHeaders().getFirst("X-Patron-Event-Id"),
                    ex.getRequestHeaders().getFirst("X-Patron-Timestamp"),
                    ex.getRequestHeaders().getFirst("X-Patron-Signature"),
                    body));
            ex.sendResponseHeaders(answer, -1);
            ex.close();
        });
        receiver.start();
        admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());
    }

    @AfterAll
    void tearDown() {
        try {
            jdbc.sql("update campaigns.webhook_endpoint set active = false where url like ?")
                    .param("http://127.0.0.1:" + receiver.getAddress().getPort() + "/%")
                    .update();
        } finally {
            QuietHours.restore(admin, settings);
            clock.reset();
            dispatcher.enable(true);
            delivery.enable(true);
            receiver.stop(0);
        }
    }

    @Test
    void signedEventsReachTheReceiverAtLeastOnceWithStableEventIds() throws Exception {
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
        Map<String, Object> cmd = Map.of("url", url, "eventTypes", List.of("SENT", "UNSUBSCRIBED", "RESPONDED"));
        assertThat(marketer.post("/api/v1/campaigns/webhooks", cmd).status()).isEqualTo(403);
        var bad = admin.post("/api/v1/campaigns/webhooks", Map.of("url", "ftp://x", "eventTypes", List.of("SENT")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("url")).isNotNull();
        var badType = admin.post("/api/v1/campaigns/webhooks", Map.of("url", url, "eventTypes", List.of("KISSED")));
        assertThat(badType.fieldError("eventTypes")).isNotNull();
        var created = admin.post("/api/v1/campaigns/webhooks", cmd);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String secret = created.json().path("secret").asString();
        long endpointId = created.json().path("endpoint").path("id").asLong();
        assertThat(secret).startsWith("whsec_");
        assertThat(admin.get("/api/v1/campaigns/webhooks").raw())
                .doesNotContain(secret)
                .contains(url);

        JsonNode a = member("钩子一");
        JsonNode b = member("钩子二");
        long id = approvedAndScheduled(List.of(a, b));
        dispatcher.runOnce();
        assertThat(deliveries(endpointId, "SENT")).isEqualTo(2);

        // the receiver fails: both stay pending, with the answer recorded
        assertThat(delivery.runOnce()).isEqualTo(2);
        assertThat(received).hasSize(2);
        assertThat(jdbc.sql("""
                        select count(*) from campaigns.webhook_delivery
                        where endpoint_id = ? and status = 'PENDING' and attempts = 1 and last_status = 500""").param(endpointId).query(Long.class).single()).isEqualTo(2);
        assertThat(delivery.runOnce()).as("not before the backoff").isZero();
        Set<String> firstIds =
                new HashSet<>(received.stream().map(Received::eventId).toList());

        // after the backoff the receiver is up: the same events, same ids, signed anew
        answer = 204;
        clock.set(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2)));
        try {
            assertThat(delivery.runOnce()).isEqualTo(2);
        } finally {
            clock.reset();
        }
        assertThat(received).hasSize(4);
        assertThat(new HashSet<>(
                        received.subList(2, 4).stream().map(Received::eventId).toList()))
                .isEqualTo(firstIds);
        Set<Long> sentTo = new HashSet<>();
        for (Received r : received) {
            assertSigned(r, secret);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("type").asString()).isEqualTo("campaign.sent");
            assertThat(body.path("id").asString()).isEqualTo(r.eventId());
            assertThat(body.path("data").path("campaignId").asLong()).isEqualTo(id);
            sentTo.add(body.path("data").path("memberId").asLong());
        }
        assertThat(sentTo)
                .containsExactlyInAnyOrder(a.path("id").asLong(), b.path("id").asLong());
        // a wrong secret would not verify
        Received any = received.get(0);
        assertThat(WebhookDelivery.signature(
                        "whsec_wrong",
                        Long.parseLong(any.timestamp()),
                        any.body().getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(any.signature().substring(3));

        // an SMS STOP reply → unsubscribed
        String callbackSecret = admin.get("/api/v1/campaigns/settings/sms-callback-secret")
                .json()
                .path("secret")
                .asString();
        byte[] reply = ("{\"mobile\":\"" + a.path("phone").asString().replace("+86", "") + "\",\"text\":\"退订\","
                        + "\"time\":\"" + System.nanoTime() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> ok = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/t/sms/replies"))
                                .header("Content-Type", "application/json")
                                .header("X-Patron-Signature", Tokens.hmacHex(callbackSecret, reply))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(reply))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        // b buys within the window → responded (the sales module's event, handled after commit)
        importSale(b, 8_800);
        await().atMost(Duration.ofSeconds(60)).until(() -> deliveries(endpointId, "RESPONDED") == 1);
        assertThat(deliveries(endpointId, "UNSUBSCRIBED")).isEqualTo(1);
        assertThat(delivery.runOnce()).isEqualTo(2);
        Map<String, JsonNode> byType = new HashMap<>();
        for (Received r : received.subList(4, received.size())) {
            assertSigned(r, secret);
            JsonNode body = JSON.readTree(r.body());
            byType.put(body.path("type").asString(), body);
        }
        assertThat(byType.get("campaign.unsubscribed")
                        .path("data")
                        .path("memberId")
                        .asLong())
                .isEqualTo(a.path("id").asLong());
        assertThat(byType.get("campaign.responded")
                        .path("data")
                        .path("memberId")
                        .asLong())
                .isEqualTo(b.path("id").asLong());
        assertThat(byType.get("campaign.responded").path("data").path("saleId").asLong())
                .isPositive();

        // switched off: listed as inactive
        assertThat(admin.post("/api/v1/campaigns/webhooks/" + endpointId + "/deactivate", Map.of())
                        .status())
                .isEqualTo(204);
        JsonNode listed = admin.get("/api/v1/campaigns/webhooks").json();
        for (JsonNode e : listed) {
            if (e.path("id").asLong() == endpointId) {
                assertThat(e.path("active").asBoolean()).isFalse();
                assertThat(e.path("delivered").asLong()).isEqualTo(4);
            }
        }
    }

    private static void assertSigned(Received r, String secret) {
        long ts = Long.parseLong(r.timestamp());
        assertThat(r.signature())
                .isEqualTo(
                        "v1=" + WebhookDelivery.signature(secret, ts, r.body().getBytes(StandardCharsets.UTF_8)));
    }

    private long deliveries(long endpointId, String type) {
        return jdbc.sql("select count(*) from campaigns.webhook_delivery where endpoint_id = ? and event_type = ?")
                .params(endpointId, type)
                .query(Long.class)
                .single();
    }

    private JsonNode member(String name) {
        return smsMember(admin, fx.store, name);
    }

    /** A member of {@code storeCode} with SMS marketing consent, created over the API (also for other campaign tests). */
    static JsonNode smsMember(ApiClient admin, String storeCode, String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("phone", SalesFixtures.phone());
        body.put("preferredStoreCode", storeCode);
        body.put(
                "consents",
                List.of(Map.of(
                        "channel", "SMS",
                        "purpose", "MARKETING",
                        "granted", true,
                        "wordingVersion", "2026-11",
                        "source", "STORE")));
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    private long approvedAndScheduled(List<JsonNode> members) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "Webhook " + TestData.unique("W"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("SMS"));
        c.put("controlPct", 0);
        c.put("templates", List.of(Map.of("channel", "SMS", "lang", "zh", "body", "{name}，会员日")));
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        long id = res.json().path("id").asLong();
        var aud = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of(
                        "kind",
                        "STATIC_LIST",
                        "entries",
                        members.stream().map(m -> "M" + m.path("id").asLong()).toList()));
        assertThat(aud.status()).as(aud.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(approver.post("/api/v1/campaigns/" + id + "/approve", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);
        return id;
    }

    private void importSale(JsonNode member, long amountFen) throws Exception {
        OffsetDateTime now = OffsetDateTime.now(SHANGHAI);
        String row = String.join(
                ",",
                fx.store,
                TestData.unique("T"),
                now.toLocalDate().toString(),
                now.toString(),
                "POS-1",
                "C01",
                member.path("cards").get(0).path("number").asString(),
                "SALE",
                "",
                "1",
                "SKU-W",
                "香薰",
                fx.brandA,
                fx.category,
                fx.counterA,
                "1",
                String.valueOf(amountFen),
                "0",
                String.valueOf(amountFen),
                "MOBILE_PAY");
        String csv = CampaignIntegrationTests.HEADER + "\n" + row + "\n";
        HttpResponse<String> up = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + port + "/api/v1/sales-imports?fileName=hooks.csv"))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Content-Type", "text/csv")
                                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        SalesFixtures.runImportToDone(
                admin, JSON.readTree(up.body()).path("jobId").asLong(), Duration.ofSeconds(60));
    }
}
