package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import jakarta.mail.internet.MimeMessage;
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
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The campaign engine end to end over real HTTP, the real database and a real SMTP server
 * (GreenMail, started by this test): planning, second-person approval, control group, personalised
 * mail, tracked click, one-click unsubscribe, response and lift; caps, quiet hours, resumable sending
 * after a kill, SMS replies and approval refusals. The background dispatcher is switched off here;
 * the tests run it themselves, exactly as the scheduler does.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignIntegrationTests {

    @RegisterExtension
    static final GreenMailExtension SMTP =
            new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(false);

    static final String HEADER = "store_code,pos_transaction_id,business_date,occurred_at,pos_terminal,cashier,"
            + "card_number,kind,original_pos_transaction_id,line_no,sku,name,brand_code,category_code,counter_code,"
            + "quantity,unit_price_fen,discount_fen,amount_fen,payment_method";
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    final Sending sending;
    final CampaignClock clock;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;

    CampaignIntegrationTests(
            @LocalServerPort int port,
            @Autowired JdbcClient jdbc,
            @Autowired Dispatcher dispatcher,
            @Autowired Sending sending,
            @Autowired CampaignClock clock) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
        this.sending = sending;
        this.clock = clock;
    }

    @BeforeAll
    void setUp() {
        dispatcher.enable(false);
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
        JsonNode s = admin.get("/api/v1/campaigns/settings").json();
        Map<String, Object> settings = settingsWith(
                s,
                "smtpHost",
                "localhost",
                "smtpPort",
                SMTP.getSmtp().getPort(),
                "publicBaseUrl",
                "http://localhost:" + port,
                "frequencyCap",
                3);
        var res = admin.put("/api/v1/campaigns/settings", settings);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        admin.post("/api/v1/campaigns/channels/EMAIL/resume", Map.of());
        admin.post("/api/v1/campaigns/channels/SMS/resume", Map.of());
    }

    @AfterAll
    void tearDown() {
        clock.reset();
        sending.afterAccepted = id -> {};
        sending.claimChunk = Sending.CLAIM_CHUNK;
        dispatcher.enable(true);
    }

    // ------------------------------------------------------------------ the "done when"

    @Test
    void aCampaignReachesConsentingMembersByMailTracksClicksHonoursUnsubscribeAndMeasuresLiftAgainstControl()
            throws Exception {
        List<JsonNode> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            members.add(member("会员" + i, true, false));
        }
        JsonNode noConsent = member("未同意", false, false);
        long id = campaign("双十二会员回馈", List.of("EMAIL"), 20, emailTemplate("{name}，{tier}会员专享"));
        List<String> entries = new ArrayList<>();
        members.forEach(m -> entries.add(m.path("phone").asString()));
        entries.add("M" + noConsent.path("id").asLong());
        entries.add("no such thing!");
        entries.add("13000000000");
        JsonNode report = audience(id, entries);
        assertThat(report.path("rows").asInt()).isEqualTo(23);
        assertThat(report.path("members").asInt()).isEqualTo(21);
        assertThat(report.path("problems").asInt()).isEqualTo(2);

        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of("comment", "请审批"))
                        .status())
                .isEqualTo(200);
        var self = marketer.post("/api/v1/campaigns/" + id + "/approve", Map.of());
        assertThat(self.status()).as(self.raw()).isEqualTo(403);
        var approved = approver.post("/api/v1/campaigns/" + id + "/approve", Map.of("comment", "同意"));
        assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
        assertThat(approved.json().path("controlSize").asInt()).isEqualTo(4); // round(21 × 20%)
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);

        dispatcher.runOnce();

        Set<Long> control = new HashSet<>(
                jdbc.sql("select member_id from campaigns.audience_member where campaign_id = ? and control")
                        .param(id)
                        .query(Long.class)
                        .list());
        Map<String, JsonNode> byEmail = new HashMap<>();
        for (JsonNode m : members) {
            byEmail.put(m.path("email").asString(), m);
        }
        List<MimeMessage> mails = mailsTo(byEmail.keySet());
        long expected = members.stream()
                .filter(m -> !control.contains(m.path("id").asLong()))
                .count();
        assertThat(mails).hasSize((int) expected);
        Set<String> receivers = new HashSet<>();
        for (MimeMessage mail : mails) {
            String to = mail.getAllRecipients()[0].toString();
            JsonNode m = byEmail.get(to);
            assertThat(control).doesNotContain(m.path("id").asLong());
            assertThat(receivers.add(to)).as("one mail per member").isTrue();
            assertThat(mail.getSubject())
                    .startsWith("广告")
                    .contains(m.path("name").asString() + "，");
            assertThat(mail.getHeader("List-Unsubscribe")[0]).contains("/t/u/");
            assertThat(mail.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
            String body = GreenMailUtil.getBody(mail);
            assertThat(body).doesNotContain("member_id").doesNotContain("{name}");
        }
        var progress = admin.get("/api/v1/campaigns/" + id + "/progress").json();
        assertThat(progress.path("channels").get(0).path("sent").asLong()).isEqualTo(expected);
        assertThat(progress.path("suppressedByReason").path("NO_CONSENT").asLong())
                .isEqualTo(control.contains(noConsent.path("id").asLong()) ? 0 : 1);
        assertThat(admin.get("/api/v1/campaigns/" + id).json().path("status").asString())
                .isEqualTo("FINISHED");

        // the mail is personalised and its tracked link leads to the shop
        MimeMessage first = mails.get(0);
        JsonNode reader = byEmail.get(first.getAllRecipients()[0].toString());
        String text = textOf(first);
        assertThat(text).contains("亲爱的" + reader.path("name").asString()).contains("积分");
        String click = link(text, "/t/c/");
        HttpResponse<String> redirect = get(click);
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).contains("https://shop.example.com/gifts");
        assertThat(get(click.substring(0, click.length() - 3) + "AAA").statusCode())
                .isEqualTo(404);

        // one click on the unsubscribe link withdraws e-mail marketing consent at once
        long readerId = reader.path("id").asLong();
        assertThat(mayContact(readerId, "EMAIL")).isTrue();
        HttpResponse<String> unsubscribed = get(link(text, "/t/u/"));
        assertThat(unsubscribed.statusCode()).isEqualTo(200);
        assertThat(mayContact(readerId, "EMAIL")).isFalse();
        JsonNode history =
                admin.get("/api/v1/members/" + readerId + "/consents").json().path("history");
        assertThat(history.get(history.size() - 1).path("source").asString()).isEqualTo("UNSUBSCRIBE");

        // the reader buys 300.00 within the window; one control member buys 100.00
        // the control group counts only members who could have been sent the mail (not the one without consent)
        long controlEligible =
                control.size() - (control.contains(noConsent.path("id").asLong()) ? 1 : 0);
        JsonNode controlMember = members.stream()
                .filter(m -> control.contains(m.path("id").asLong()))
                .findFirst()
                .orElseThrow();
        long controlBuyer = controlMember.path("id").asLong();
        importSales(List.of(
                saleRow(reader, TestData.unique("CT"), 30_000), saleRow(controlMember, TestData.unique("CT"), 10_000)));

        JsonNode results = admin.get("/api/v1/campaigns/" + id + "/results").json();
        JsonNode lift = results.path("lift");
        assertThat(lift.path("treatmentMembers").asLong()).isEqualTo(expected);
        assertThat(lift.path("controlMembers").asLong()).isEqualTo(controlEligible);
        assertThat(lift.path("treatmentResponseRate").asDouble()).isEqualTo(1.0 / expected);
        assertThat(lift.path("controlResponseRate").asDouble()).isEqualTo(1.0 / controlEligible);
        assertThat(lift.path("liftPerMemberFen").asDouble())
                .isCloseTo(30_000.0 / expected - 10_000.0 / controlEligible, within());
        assertThat(lift.path("lowFen").asDouble())
                .isLessThan(lift.path("liftPerMemberFen").asDouble());
        assertThat(results.path("funnel").path("sent").asLong()).isEqualTo(expected);
        assertThat(results.path("funnel").path("clicked").asLong()).isEqualTo(1);
        assertThat(results.path("funnel").path("unsubscribed").asLong()).isEqualTo(1);
        assertThat(results.path("links").get(0).path("clicks").asLong()).isEqualTo(1);
        assertThat(results.path("cost").path("pointsFen").asLong()).isEqualTo(200 * expected);

        // bonus points were credited once per recipient through the loyalty ledger
        assertThat(admin.get("/api/v1/members/" + readerId + "/points")
                        .json()
                        .path("balance")
                        .asLong())
                .isEqualTo(200);
        assertThat(admin.get("/api/v1/members/" + controlBuyer + "/points")
                        .json()
                        .path("balance")
                        .asLong())
                .isZero();

        // running the dispatcher again sends nothing more
        dispatcher.runOnce();
        assertThat(mailsTo(byEmail.keySet())).hasSize((int) expected);

        // copy as new keeps the link to its source and the list
        JsonNode copy =
                marketer.post("/api/v1/campaigns/" + id + "/copy", Map.of()).json();
        assertThat(copy.path("sourceCampaignId").asLong()).isEqualTo(id);
        assertThat(copy.path("status").asString()).isEqualTo("DRAFT");
        assertThat(copy.path("audienceSize").asInt()).isEqualTo(21);
    }

    // ------------------------------------------------------------------ caps and quiet hours

    @Test
    void theFrequencyCapSuppressesMembersWhoAlreadyGotEnoughMarketingThisWeek() throws Exception {
        JsonNode busy = member("常客", true, false);
        JsonNode fresh = member("新客", true, false);
        setCap(1);
        try {
            long first = approvedAndScheduled(List.of(busy), List.of("EMAIL"), emailTemplate("第一封"));
            dispatcher.runOnce();
            long second = approvedAndScheduled(List.of(busy, fresh), List.of("EMAIL"), emailTemplate("第二封"));
            dispatcher.runOnce();
            assertThat(status(first, busy)).isEqualTo("SENT|");
            assertThat(status(second, busy)).isEqualTo("SUPPRESSED|FREQUENCY_CAP");
            assertThat(status(second, fresh)).isEqualTo("SENT|");
            assertThat(mailsTo(Set.of(busy.path("email").asString()))).hasSize(1);
            assertThat(mailsTo(Set.of(fresh.path("email").asString()))).hasSize(1);
        } finally {
            setCap(3);
        }
    }

    @Test
    void theCapCountsTheMessagesClaimedTogetherInOneChunk() {
        // one member on two channels with a cap of one: both messages are claimed in the same chunk,
        // and only the first may pass
        JsonNode both = member("双渠道", true, true);
        setCap(1);
        clock.set(Clock.fixed(ZonedDateTime.now(SHANGHAI).withHour(12).toInstant(), SHANGHAI)); // no quiet hours
        try {
            long id = approvedAndScheduled(
                    List.of(both), List.of("EMAIL", "SMS"), List.of(emailTemplate("双渠道"), smsTemplate("{name}您好")));
            dispatcher.runOnce();
            assertThat(jdbc.sql(
                                    "select status || '|' || coalesce(reason, '') from campaigns.message where campaign_id = ?"
                                            + " order by id")
                            .param(id)
                            .query(String.class)
                            .list())
                    .containsExactly("SENT|", "SUPPRESSED|FREQUENCY_CAP");
        } finally {
            clock.reset();
            setCap(3);
        }
    }

    @Test
    void smsIsDeferredDuringQuietHoursInStoreLocalTimeAndSentWhenTheyEnd() {
        JsonNode a = member("晚间一", false, true);
        JsonNode b = member("晚间二", false, true);
        ZonedDateTime night = ZonedDateTime.now(SHANGHAI).withHour(22).withMinute(30);
        clock.set(Clock.fixed(night.toInstant(), SHANGHAI));
        try {
            long id = approvedAndScheduled(List.of(a, b), List.of("SMS"), smsTemplate("{name}您好，{points}积分待兑换"));
            dispatcher.runOnce();
            assertThat(status(id, a)).isEqualTo("PENDING|QUIET_HOURS");
            Object notBefore = jdbc.sql(
                            "select not_before from campaigns.message where campaign_id = ? and member_id = ?")
                    .params(id, a.path("id").asLong())
                    .query(java.sql.Timestamp.class)
                    .single()
                    .toInstant();
            assertThat(notBefore)
                    .isEqualTo(night.plusDays(1)
                            .withHour(8)
                            .withMinute(0)
                            .withSecond(0)
                            .withNano(0)
                            .toInstant());
            assertThat(admin.get("/api/v1/campaigns/" + id)
                            .json()
                            .path("status")
                            .asString())
                    .isEqualTo("RUNNING");

            clock.set(Clock.fixed(night.plusDays(1).withHour(8).withMinute(1).toInstant(), SHANGHAI));
            dispatcher.runOnce();
            assertThat(status(id, a)).isEqualTo("SENT|");
            assertThat(status(id, b)).isEqualTo("SENT|");
            assertThat(jdbc.sql("select segments from campaigns.message where campaign_id = ? and member_id = ?")
                            .params(id, a.path("id").asLong())
                            .query(Integer.class)
                            .single())
                    .isEqualTo(1);
        } finally {
            clock.reset();
        }
    }

    // ------------------------------------------------------------------ crash and resume

    @Test
    void aSenderKilledMidBatchResumesWithoutSendingAnyoneTwice() throws Exception {
        List<JsonNode> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(member("续发" + i, true, false));
        }
        Set<String> emails = new HashSet<>();
        members.forEach(m -> emails.add(m.path("email").asString()));
        long id = approvedAndScheduled(members, List.of("EMAIL"), emailTemplate("续发测试"));
        // claims of two messages a transaction: messages 1-2, 3-4, 5-6
        sending.claimChunk = 2;
        AtomicInteger accepted = new AtomicInteger();
        sending.afterAccepted = msg -> {
            if (accepted.incrementAndGet() == 3) {
                throw new SimulatedKill();
            }
        };
        try {
            assertThatThrownBy(dispatcher::runOnce).isInstanceOf(SimulatedKill.class);
        } finally {
            sending.afterAccepted = msg -> {};
        }
        assertThat(mailsTo(emails)).hasSize(3);
        // the second chunk: message 3 accepted by SMTP without its outcome recorded, 4 claimed, not sent
        assertThat(count(id, "SENDING")).isEqualTo(2);
        assertThat(count(id, "SENT")).isEqualTo(2);

        // restart: before the lease runs out the claimed messages are left alone, the rest go out
        dispatcher.runOnce();
        assertThat(count(id, "SENDING")).isEqualTo(2);
        assertThat(mailsTo(emails)).hasSize(5);

        // after the lease they are UNKNOWN and never sent (again)
        clock.set(Clock.offset(Clock.systemUTC(), Dispatcher.LEASE.plusMinutes(1)));
        try {
            dispatcher.runOnce();
            dispatcher.runOnce();
        } finally {
            clock.reset();
            sending.claimChunk = Sending.CLAIM_CHUNK;
        }
        assertThat(count(id, "UNKNOWN")).isEqualTo(2);
        assertThat(count(id, "SENT")).isEqualTo(4);
        List<MimeMessage> mails = mailsTo(emails);
        assertThat(mails).hasSize(5);
        Set<String> to = new HashSet<>();
        for (MimeMessage m : mails) {
            to.add(m.getAllRecipients()[0].toString());
        }
        assertThat(to).hasSize(5).isSubsetOf(emails);
        assertThat(admin.get("/api/v1/campaigns/" + id).json().path("status").asString())
                .isEqualTo("FINISHED");
    }

    @Test
    void aCampaignIsNeverDeletedBecauseItsMessagesReferToIt() {
        long id = approvedAndScheduled(List.of(member("留存", true, false)), List.of("EMAIL"), emailTemplate("留存"));
        dispatcher.runOnce();
        // messages carry no foreign key (the start inserts up to millions of them): the database
        // refuses the delete instead
        assertThatThrownBy(() -> jdbc.sql("delete from campaigns.campaign where id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("campaigns are never deleted");
        assertThat(count(id, "SENT")).isEqualTo(1);
    }

    static final class SimulatedKill extends Error {}

    @Test
    void anUnreachableSmtpServerPausesTheChannelAndNothingCountsAsSent() {
        JsonNode m = member("暂停", true, false);
        JsonNode s = admin.get("/api/v1/campaigns/settings").json();
        admin.put("/api/v1/campaigns/settings", settingsWith(s, "smtpPort", freePort()));
        try {
            long id = approvedAndScheduled(List.of(m), List.of("EMAIL"), emailTemplate("暂停测试"));
            dispatcher.runOnce();
            assertThat(status(id, m)).startsWith("PENDING");
            JsonNode email = admin.get("/api/v1/campaigns/" + id + "/progress")
                    .json()
                    .path("channels")
                    .get(0);
            assertThat(email.path("paused").asBoolean()).isTrue();
            assertThat(email.path("error").asString()).contains("unreachable");
            assertThat(email.path("sent").asLong()).isZero();
            admin.put(
                    "/api/v1/campaigns/settings",
                    settingsWith(s, "smtpPort", SMTP.getSmtp().getPort()));
            dispatcher.runOnce();
            assertThat(status(id, m)).startsWith("PENDING"); // still paused until someone resumes
            assertThat(admin.post("/api/v1/campaigns/channels/EMAIL/resume", Map.of())
                            .status())
                    .isEqualTo(204);
            dispatcher.runOnce();
            assertThat(status(id, m)).isEqualTo("SENT|");
        } finally {
            admin.put(
                    "/api/v1/campaigns/settings",
                    settingsWith(s, "smtpPort", SMTP.getSmtp().getPort()));
            admin.post("/api/v1/campaigns/channels/EMAIL/resume", Map.of());
        }
    }

    // ------------------------------------------------------------------ SMS replies and bounces

    @Test
    void aSignedTdReplyWithdrawsSmsConsentAndAWrongSignatureIsRefused() throws Exception {
        JsonNode m = member("回复", false, true);
        long memberId = m.path("id").asLong();
        String secret = admin.get("/api/v1/campaigns/settings/sms-callback-secret")
                .json()
                .path("secret")
                .asString();
        String national = m.path("phone").asString().replace("+86", "");
        byte[] body = ("[{\"phone_number\":\"" + national
                        + "\",\"content\":\" ｔｄ \",\"send_time\":\"2026-11-26 10:00:00\"}]")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(post(
                                "/t/sms/replies",
                                body,
                                "00" + Tokens.hmacHex(secret, body).substring(2))
                        .statusCode())
                .isEqualTo(403);
        assertThat(mayContact(memberId, "SMS")).isTrue();
        HttpResponse<String> ok = post("/t/sms/replies", body, Tokens.hmacHex(secret, body));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"code\":0");
        assertThat(mayContact(memberId, "SMS")).isFalse();
    }

    @Test
    void aHardBounceMarksTheAddressInvalidForLaterCampaigns() throws Exception {
        JsonNode m = member("退信", true, false);
        long first = approvedAndScheduled(List.of(m), List.of("EMAIL"), emailTemplate("退信一"));
        dispatcher.runOnce();
        long messageId = jdbc.sql("select id from campaigns.message where campaign_id = ?")
                .param(first)
                .query(Long.class)
                .single();
        var res = marketer.post(
                "/api/v1/campaigns/bounces",
                Map.of("messageId", messageId, "kind", "HARD", "reason", "550 no such user"));
        assertThat(res.status()).as(res.raw()).isEqualTo(204);
        assertThat(status(first, m)).isEqualTo("FAILED|BOUNCE_HARD");
        assertThat(marketer.post("/api/v1/campaigns/bounces", Map.of("messageId", messageId, "kind", "MAYBE"))
                        .fieldError("kind"))
                .isNotNull();
        long second = approvedAndScheduled(List.of(m), List.of("EMAIL"), emailTemplate("退信二"));
        dispatcher.runOnce();
        assertThat(status(second, m)).isEqualTo("SUPPRESSED|INVALID_ADDRESS");
        assertThat(mailsTo(Set.of(m.path("email").asString()))).hasSize(1);
    }

    // ------------------------------------------------------------------ phone

    @Test
    void aPhoneCampaignPutsConsentingMembersOnTheCallListWithTheirScriptAndTakesOneOutcomePerCall() {
        JsonNode willing = memberWith("外呼一", "PHONE");
        JsonNode unwilling = memberWith("外呼二", "SMS");
        long id = approvedAndScheduled(
                List.of(willing, unwilling),
                List.of("PHONE"),
                Map.of("channel", "PHONE", "lang", "zh", "body", "您好{name}，您现有{points}积分，本周六会员日积分翻倍。"));
        dispatcher.runOnce();
        assertThat(status(id, willing)).isEqualTo("SENT|");
        assertThat(status(id, unwilling)).isEqualTo("SUPPRESSED|NO_CONSENT");

        ApiClient agent = fx.as(Role.AGENT);
        JsonNode call = openCall(agent, willing.path("id").asLong());
        assertThat(call).isNotNull();
        assertThat(call.path("script").asString()).isEqualTo("您好外呼一，您现有200积分，本周六会员日积分翻倍。");
        assertThat(call.path("phone").asString())
                .isEqualTo(willing.path("phone").asString());
        assertThat(openCall(agent, unwilling.path("id").asLong())).isNull();

        String path = "/api/v1/campaigns/calls/" + call.path("messageId").asLong() + "/outcome";
        assertThat(agent.post(path, Map.of("outcome", "MAYBE")).fieldError("outcome"))
                .isNotNull();
        assertThat(agent.post(path, Map.of("outcome", "INTERESTED", "note", "周六到店"))
                        .status())
                .isEqualTo(204);
        assertThat(agent.post(path, Map.of("outcome", "DECLINED")).status()).isEqualTo(409);
        assertThat(openCall(agent, willing.path("id").asLong())).isNull();
        assertThat(fx.as(Role.COUNTER_STAFF, fx.store)
                        .get("/api/v1/campaigns/calls")
                        .status())
                .isEqualTo(403);
    }

    private static JsonNode openCall(ApiClient agent, long memberId) {
        var res = agent.get("/api/v1/campaigns/calls?size=200");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        for (JsonNode c : res.json().path("items")) {
            if (c.path("memberId").asLong() == memberId) {
                return c;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ approval refusals

    @Test
    void aSegmentSnapshotBecomesTheAudienceAndStaysFrozenWhenTheSegmentChanges() {
        List<JsonNode> members =
                List.of(member("快照甲", true, false), member("快照乙", true, false), member("快照丙", true, false));
        StringBuilder content = new StringBuilder("member_id\n");
        members.forEach(m -> content.append(m.path("id").asLong()).append('\n'));
        var list = marketer.post(
                "/api/v1/segments/static",
                Map.of("name", TestData.unique("活动名单"), "identifierKind", "MEMBER_ID", "content", content.toString()));
        assertThat(list.status()).as(list.raw()).isEqualTo(201);
        long segmentId = list.json().path("segment").path("id").asLong();
        var snapshot = marketer.post("/api/v1/segments/" + segmentId + "/snapshots", Map.of());
        assertThat(snapshot.status()).as(snapshot.raw()).isIn(200, 201);
        long snapshotId = snapshot.json().path("id").asLong();
        assertThat(snapshot.json().path("size").asInt()).isEqualTo(3);

        long id = campaign("分群活动", List.of("EMAIL"), 0, emailTemplate("会员日"));
        var set = marketer.put(
                "/api/v1/campaigns/" + id + "/audience", Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", snapshotId));
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().path("members").asInt()).isEqualTo(3);
        assertThat(marketer.get("/api/v1/campaigns/" + id)
                        .json()
                        .path("audienceKind")
                        .asString())
                .isEqualTo("SEGMENT_SNAPSHOT");
        // the segment changes later (a new list member): the snapshot, and so the audience, does not
        var more = marketer.post(
                "/api/v1/segments/static",
                Map.of(
                        "name",
                        TestData.unique("另一名单"),
                        "identifierKind",
                        "MEMBER_ID",
                        "content",
                        "member_id\n" + member("快照丁", true, false).path("id").asLong() + "\n"));
        assertThat(more.status()).isEqualTo(201);
        assertThat(jdbc.sql("select count(*) from campaigns.audience_member where campaign_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        var unknown = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", 987_654_321L));
        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(404);
        var missing = marketer.put("/api/v1/campaigns/" + id + "/audience", Map.of("kind", "SEGMENT_SNAPSHOT"));
        assertThat(missing.status()).as(missing.raw()).isEqualTo(400);
        assertThat(missing.fieldError("snapshotId")).isNotBlank();
    }

    @Test
    void approvalIsRefusedForUnknownVariablesAndWhenNobodyMayBeSentAnything() {
        JsonNode consenting = member("变量", true, false);
        long unknown = campaign("变量错误", List.of("EMAIL"), 10, emailTemplate("{nmae}您好"));
        audience(unknown, List.of("M" + consenting.path("id").asLong()));
        marketer.post("/api/v1/campaigns/" + unknown + "/submit", Map.of());
        var refused = approver.inLanguage("en").post("/api/v1/campaigns/" + unknown + "/approve", Map.of());
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.fieldError("templates")).contains("{nmae}");
        var zh = approver.inLanguage("zh-CN").post("/api/v1/campaigns/" + unknown + "/approve", Map.of());
        assertThat(zh.fieldError("templates")).contains("{nmae}").contains("变量");

        JsonNode silent = member("无同意", false, false);
        long nobody = campaign("无人可发", List.of("EMAIL"), 10, emailTemplate("您好"));
        audience(nobody, List.of("M" + silent.path("id").asLong()));
        marketer.post("/api/v1/campaigns/" + nobody + "/submit", Map.of());
        var empty = approver.post("/api/v1/campaigns/" + nobody + "/approve", Map.of());
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.fieldError("audience")).isNotNull();
        assertThat(admin.get("/api/v1/campaigns/" + nobody)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("SUBMITTED");

        var analyst = fx.as(Role.ANALYST);
        assertThat(analyst.post("/api/v1/campaigns/" + nobody + "/approve", Map.of())
                        .status())
                .isEqualTo(403);
        var bad = marketer.post("/api/v1/campaigns", Map.of("name", "", "channels", List.of()));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("name")).isNotNull();
        assertThat(bad.fieldError("kind")).isNotNull();
        assertThat(bad.fieldError("channels")).isNotNull();
    }

    // ------------------------------------------------------------------ helpers

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    private JsonNode member(String name, boolean email, boolean sms) {
        List<String> channels = new ArrayList<>();
        if (email) {
            channels.add("EMAIL");
        }
        if (sms) {
            channels.add("SMS");
        }
        return memberWith(name, channels.toArray(new String[0]));
    }

    private JsonNode memberWith(String name, String... marketingChannels) {
        String phone = SalesFixtures.phone();
        List<Map<String, Object>> consents = new ArrayList<>();
        for (String channel : marketingChannels) {
            consents.add(consent(channel));
        }
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("phone", phone);
        body.put("email", "m" + phone + "@example.com");
        body.put("preferredStoreCode", fx.store);
        body.put("consents", consents);
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    private static Map<String, Object> consent(String channel) {
        return Map.of(
                "channel",
                channel,
                "purpose",
                "MARKETING",
                "granted",
                true,
                "wordingVersion",
                "2026-11",
                "source",
                "STORE");
    }

    static Map<String, Object> emailTemplate(String subject) {
        Map<String, Object> t = new HashMap<>();
        t.put("channel", "EMAIL");
        t.put("lang", "zh");
        t.put("subject", subject);
        t.put("body", "亲爱的{name}：您是{tier}，现有{points}积分。礼品目录 {link:https://shop.example.com/gifts}");
        t.put("html", "<p>亲爱的{name}</p><p><a href=\"{link:https://shop.example.com/gifts}\">礼品目录</a></p>");
        return t;
    }

    static Map<String, Object> smsTemplate(String body) {
        return Map.of("channel", "SMS", "lang", "zh", "body", body);
    }

    private long campaign(String name, List<String> channels, int controlPct, Map<String, Object> template) {
        return campaign(name, channels, controlPct, List.of(template));
    }

    private long campaign(String name, List<String> channels, int controlPct, List<Map<String, Object>> templates) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", name + " " + TestData.unique("C"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("budgetFen", 100_000);
        c.put("channels", channels);
        c.put("controlPct", controlPct);
        c.put("bonusPoints", 200);
        c.put("templates", templates);
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private JsonNode audience(long id, List<String> entries) {
        var res = marketer.put(
                "/api/v1/campaigns/" + id + "/audience", Map.of("kind", "STATIC_LIST", "entries", entries));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    /** A campaign without control group, approved by the second marketer and due now. */
    private long approvedAndScheduled(List<JsonNode> members, List<String> channels, Map<String, Object> template) {
        return approvedAndScheduled(members, channels, List.of(template));
    }

    private long approvedAndScheduled(
            List<JsonNode> members, List<String> channels, List<Map<String, Object>> templates) {
        long id = campaign("测试活动", channels, 0, templates);
        audience(id, members.stream().map(m -> "M" + m.path("id").asLong()).toList());
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        var approved = approver.post("/api/v1/campaigns/" + id + "/approve", Map.of());
        assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);
        return id;
    }

    private String status(long campaignId, JsonNode member) {
        return jdbc.sql(
                        "select status || '|' || coalesce(reason, '') from campaigns.message where campaign_id = ? and member_id = ?")
                .params(campaignId, member.path("id").asLong())
                .query(String.class)
                .single();
    }

    private long count(long campaignId, String status) {
        return jdbc.sql("select count(*) from campaigns.message where campaign_id = ? and status = ?")
                .params(campaignId, status)
                .query(Long.class)
                .single();
    }

    private void setCap(int cap) {
        JsonNode s = admin.get("/api/v1/campaigns/settings").json();
        var res = admin.put("/api/v1/campaigns/settings", settingsWith(s, "frequencyCap", cap));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
    }

    private static Map<String, Object> settingsWith(JsonNode current, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        current.properties()
                .forEach(e -> m.put(
                        e.getKey(),
                        e.getValue().isNumber()
                                ? e.getValue().numberValue()
                                : e.getValue().asString()));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private boolean mayContact(long memberId, String channel) {
        return admin.get("/api/v1/members/" + memberId + "/consents/check?channel=" + channel + "&purpose=MARKETING")
                .json()
                .path("allowed")
                .asBoolean();
    }

    private static List<MimeMessage> mailsTo(Set<String> addresses) throws Exception {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : SMTP.getReceivedMessages()) {
            if (addresses.contains(m.getAllRecipients()[0].toString())) {
                out.add(m);
            }
        }
        return out;
    }

    /** The decoded text/plain part. */
    private static String textOf(jakarta.mail.Part p) throws Exception {
        if (p.isMimeType("text/plain")) {
            return (String) p.getContent();
        }
        if (p.getContent() instanceof jakarta.mail.Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                String t = textOf(mp.getBodyPart(i));
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private static String link(String text, String path) {
        Matcher m = Pattern.compile("(http://localhost:\\d+" + Pattern.quote(path) + "[A-Za-z0-9_-]+)")
                .matcher(text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "="));
        assertThat(m.find()).as("a %s link in %s", path, text).isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()
                .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
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

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String saleRow(JsonNode member, String txn, long amountFen) {
        return saleRow(fx, member, txn, amountFen);
    }

    /** One CSV row of the sales import: a sale today of one scarf at {@code fx}'s counter A, by the member's card. */
    static String saleRow(SalesFixtures fx, JsonNode member, String txn, long amountFen) {
        OffsetDateTime now = OffsetDateTime.now(SHANGHAI);
        String card = member.path("cards").get(0).path("number").asString();
        return String.join(
                ",",
                fx.store,
                txn,
                now.toLocalDate().toString(),
                now.toString(),
                "POS-1",
                "C01",
                card,
                "SALE",
                "",
                "1",
                "SKU-C",
                "羊绒围巾",
                fx.brandA,
                fx.category,
                fx.counterA,
                "1",
                String.valueOf(amountFen),
                "0",
                String.valueOf(amountFen),
                "MOBILE_PAY");
    }

    private void importSales(List<String> rows) throws Exception {
        importSales(admin, port, rows, "campaign.csv");
    }

    /** Imports the rows (under {@link #HEADER}) through the sales import and waits until it is done. */
    static void importSales(ApiClient admin, int port, List<String> rows, String fileName) throws Exception {
        String csv = HEADER + "\n" + String.join("\n", rows) + "\n";
        HttpResponse<String> up = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + port + "/api/v1/sales-imports?fileName=" + fileName))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Content-Type", "text/csv")
                                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        long job = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(up.body())
                .path("jobId")
                .asLong();
        SalesFixtures.runImportToDone(admin, job, Duration.ofSeconds(60));
    }
}
