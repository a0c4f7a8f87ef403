package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * MKT-16 / PRV-09: a member who switched personalisation off is reached only by campaigns whose
 * target is not personal. A rule segment with a personal condition (gender) drops the member at once;
 * a member who switches it off after the snapshot is counted in the audience report, left out of the
 * eligible audience at approval and suppressed with NO_PERSONALISATION at send time; a non-personal
 * segment (only a static list) and an uploaded list still reach the member.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignPersonalisationTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    final Sending sending;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;

    CampaignPersonalisationTests(
            @LocalServerPort int port,
            @Autowired JdbcClient jdbc,
            @Autowired Dispatcher dispatcher,
            @Autowired Sending sending) {
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
        this.sending = sending;
    }

    @BeforeAll
    void setUp() {
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
    }

    @Test
    void membersWhoSwitchedPersonalisationOffGetOnlyNonPersonalCampaigns() {
        long early = member("早关"); // switched off before the snapshots
        long late = member("晚关"); // switched off after the snapshots, before approval
        long open = member("照常"); // never switched off
        switchOff(early);

        StringBuilder content = new StringBuilder("member_id\n");
        for (long m : List.of(early, late, open)) {
            content.append(m).append('\n');
        }
        var list = marketer.post(
                "/api/v1/segments/static",
                Map.of("name", TestData.unique("个性化名单"), "identifierKind", "MEMBER_ID", "content", content.toString()));
        assertThat(list.status()).as(list.raw()).isEqualTo(201);
        long listId = list.json().path("segment").path("id").asLong();
        long personal = segment(group(cond("inList", "in", List.of(listId)), cond("gender", "eq", "FEMALE")));
        long nonPersonal =
                segment(group(cond("inList", "in", List.of(listId)), cond("joinDate", "after", "2000-01-01")));

        // the personal segment left out the member who switched off; the non-personal one did not
        assertThat(segmentMembers(personal)).containsExactlyInAnyOrder(late, open);
        assertThat(segmentMembers(nonPersonal)).containsExactlyInAnyOrder(early, late, open);
        long personalSnapshot = snapshot(personal);
        long nonPersonalSnapshot = snapshot(nonPersonal);
        switchOff(late);
        // re-evaluated on the event: the personal segment drops the member at once, the other keeps them
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !segmentMembers(personal).contains(late));
        assertThat(segmentMembers(nonPersonal)).containsExactlyInAnyOrder(early, late, open);

        // personal target: the report counts the member, approval and sending leave them out
        long c1 = campaign("个性化推荐");
        var set1 = marketer.put(
                "/api/v1/campaigns/" + c1 + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", personalSnapshot));
        assertThat(set1.status()).as(set1.raw()).isEqualTo(200);
        assertThat(set1.json().path("members").asInt()).isEqualTo(2);
        assertThat(set1.json().path("personalTarget").asBoolean()).isTrue();
        assertThat(set1.json().path("noPersonalisation").asInt()).isEqualTo(1);
        send(c1);
        assertThat(eligible(c1)).containsExactly(open);
        Map<Long, String> m1 = messages(c1);
        assertThat(m1).containsEntry(open, "SENT").containsEntry(late, "SUPPRESSED:NO_PERSONALISATION");
        assertThat(m1).doesNotContainKey(early);
        var progress = marketer.get("/api/v1/campaigns/" + c1 + "/progress");
        assertThat(progress.json()
                        .path("suppressedByReason")
                        .path("NO_PERSONALISATION")
                        .asLong())
                .isEqualTo(1);

        // non-personal segment: everyone gets it
        long c2 = campaign("门店活动");
        var set2 = marketer.put(
                "/api/v1/campaigns/" + c2 + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", nonPersonalSnapshot));
        assertThat(set2.json().path("personalTarget").asBoolean()).isFalse();
        assertThat(set2.json().path("noPersonalisation").asInt()).isEqualTo(2);
        send(c2);
        assertThat(messages(c2))
                .containsEntry(early, "SENT")
                .containsEntry(late, "SENT")
                .containsEntry(open, "SENT");

        // an uploaded list is not personal targeting either
        long c3 = campaign("名单活动");
        var set3 = marketer.put(
                "/api/v1/campaigns/" + c3 + "/audience",
                Map.of("kind", "STATIC_LIST", "entries", List.of("M" + early)));
        assertThat(set3.json().path("personalTarget").asBoolean()).isFalse();
        assertThat(set3.json().path("noPersonalisation").asInt()).isEqualTo(1);
        send(c3);
        assertThat(messages(c3)).containsEntry(early, "SENT");
    }

    @Test
    void aMemberWhoSwitchesOffAfterSendingStartedIsSuppressedAtTheClaim() {
        long member = member("临发关闭");
        var list = marketer.post(
                "/api/v1/segments/static",
                Map.of(
                        "name",
                        TestData.unique("临发名单"),
                        "identifierKind",
                        "MEMBER_ID",
                        "content",
                        "member_id\n" + member + "\n"));
        assertThat(list.status()).as(list.raw()).isEqualTo(201);
        long listId = list.json().path("segment").path("id").asLong();
        long personal = segment(group(cond("inList", "in", List.of(listId)), cond("gender", "eq", "FEMALE")));
        long id = campaign("临发");
        var set = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of("kind", "SEGMENT_SNAPSHOT", "snapshotId", snapshot(personal)));
        assertThat(set.json().path("personalTarget").asBoolean()).isTrue();
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(approver.post("/api/v1/campaigns/" + id + "/approve", Map.of())
                        .status())
                .isEqualTo(200);
        dispatcher.enable(false);
        try {
            assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                            .status())
                    .isEqualTo(200);
            sending.start(id); // messages created PENDING
            assertThat(messages(id)).containsEntry(member, "PENDING");
            switchOff(member);
            dispatcher.runOnce();
        } finally {
            dispatcher.enable(true);
        }
        assertThat(messages(id)).containsEntry(member, "SUPPRESSED:NO_PERSONALISATION");
    }

    private void switchOff(long member) {
        var res = admin.put(
                "/api/v1/members/" + member + "/personalisation", Map.of("switchedOff", true, "source", "STORE"));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
    }

    private static Map<String, Object> cond(String field, String operator, Object value) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("field", field);
        c.put("operator", operator);
        c.put("value", value);
        return c;
    }

    private static Map<String, Object> group(Object... items) {
        return Map.of("group", "AND", "items", List.of(items));
    }

    private long segment(Map<String, Object> root) {
        var res = marketer.post(
                "/api/v1/segments",
                Map.of("name", TestData.unique("分群"), "definition", Map.of("version", 1, "root", root)));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private List<Long> segmentMembers(long segment) {
        var res = marketer.get("/api/v1/segments/" + segment + "/members?size=100");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        List<Long> ids = new java.util.ArrayList<>();
        for (var i : res.json().path("items")) {
            ids.add(i.path("memberId").asLong());
        }
        return ids;
    }

    private long snapshot(long segment) {
        var res = marketer.post("/api/v1/segments/" + segment + "/snapshots", Map.of());
        assertThat(res.status()).as(res.raw()).isIn(200, 201);
        return res.json().path("id").asLong();
    }

    private void send(long id) {
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
    }

    private List<Long> eligible(long campaign) {
        return jdbc.sql("select member_id from campaigns.audience_member where campaign_id = ? and eligible order by 1")
                .param(campaign)
                .query(Long.class)
                .list();
    }

    private Map<Long, String> messages(long campaign) {
        Map<Long, String> out = new HashMap<>();
        jdbc.sql("select member_id, status, reason from campaigns.message where campaign_id = ?")
                .param(campaign)
                .query((rs, n) -> out.put(
                        rs.getLong(1),
                        rs.getString(2)
                                + (rs.getString(3) == null || "SENT".equals(rs.getString(2))
                                        ? ""
                                        : ":" + rs.getString(3))))
                .list();
        return out;
    }

    private long campaign(String name) {
        Map<String, Object> c = new HashMap<>();
        c.put("name", name + " " + TestData.unique("C"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("PHONE"));
        c.put("controlPct", 0);
        c.put("templates", List.of(Map.of("channel", "PHONE", "lang", "zh", "body", "{name}您好，会员日邀请")));
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private long member(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("phone", SalesFixtures.phone());
        body.put("gender", "FEMALE");
        body.put("preferredStoreCode", fx.store);
        body.put(
                "consents",
                List.of(Map.of(
                        "channel", "PHONE",
                        "purpose", "MARKETING",
                        "granted", true,
                        "wordingVersion", "2026-11",
                        "source", "STORE")));
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }
}
