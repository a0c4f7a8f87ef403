package dev.patron.members;

import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * PRV-09: the member-level "no personalised recommendations / marketing" switch — set and cleared
 * through the API with time, source, store and evidence, kept as an append-only history, audited,
 * published in {@code members.v_member}, shown in the 360 view (profiling panels switched off) and in
 * the PIPL export; the insights module drops what it computed for the member and refuses to compute
 * it on request.
 */
@PatronIntegrationTest
class MemberPersonalisationIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    MemberFixtures fx;
    String store;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new MemberFixtures(admin);
        store = fx.store();
    }

    @Test
    void switchingOffIsRecordedWithTimeSourceAndHistoryAuditedAndPublishedInTheView() {
        long id = fx.member("符一", phone(), store).path("id").asLong();
        JsonNode before =
                admin.get("/api/v1/members/" + id + "/personalisation").json();
        assertThat(before.path("current").path("switchedOff").asBoolean()).isFalse();
        assertThat(before.path("current").path("at").isNull()).isTrue();
        assertThat(before.path("history")).isEmpty();

        var off = admin.put(
                "/api/v1/members/" + id + "/personalisation",
                with(
                        "switchedOff",
                        true,
                        "source",
                        "CALL_CENTER",
                        "storeCode",
                        store,
                        "evidence",
                        "来电 2026-11-26 #88"));
        assertThat(off.status()).as(off.raw()).isEqualTo(200);
        assertThat(off.json().path("switchedOff").asBoolean()).isTrue();
        assertThat(off.json().path("source").asString()).isEqualTo("CALL_CENTER");
        assertThat(off.json().path("storeCode").asString()).isEqualTo(store);
        assertThat(off.json().path("operator").asString()).startsWith("apikey:");
        assertThat(off.json().path("evidence").asString()).isEqualTo("来电 2026-11-26 #88");
        assertThat(off.json().path("at").asString()).isNotBlank();

        JsonNode view = admin.get("/api/v1/members/" + id).json();
        assertThat(view.path("personalisation").path("switchedOff").asBoolean()).isTrue();
        assertThat(view.path("personalisation").path("source").asString()).isEqualTo("CALL_CENTER");
        assertThat(published(id)).isTrue();
        assertThat(audits(id)).isEqualTo(1);

        var on = admin.put("/api/v1/members/" + id + "/personalisation", with("switchedOff", false, "source", "APP"));
        assertThat(on.status()).as(on.raw()).isEqualTo(200);
        assertThat(published(id)).isFalse();
        assertThat(audits(id)).isEqualTo(2);
        JsonNode after = admin.get("/api/v1/members/" + id + "/personalisation").json();
        assertThat(after.path("current").path("switchedOff").asBoolean()).isFalse();
        assertThat(after.path("current").path("source").asString()).isEqualTo("APP");
        assertThat(after.path("history")).hasSize(2);
        assertThat(after.path("history").get(0).path("switchedOff").asBoolean()).isTrue();
        assertThat(after.path("history").get(1).path("switchedOff").asBoolean()).isFalse();

        // the PIPL copy holds the history
        JsonNode export = admin.get("/api/v1/members/" + id + "/export").json();
        assertThat(export.path("personalisationHistory")).hasSize(2);
        assertThat(export.path("member").path("personalisation").path("source").asString())
                .isEqualTo("APP");

        // the history is evidence: append-only
        assertThatThrownBy(() -> jdbc.sql(
                                "update members.personalisation_event set switched_off = false where member_id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("delete from members.personalisation_event where member_id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("append-only");
    }

    @Test
    void badRequestsNameTheFieldInTheCallersLanguageAndRolesAndScopeAreChecked() {
        long id = fx.member("符二", phone(), store).path("id").asLong();
        var missing = admin.put("/api/v1/members/" + id + "/personalisation", with("source", "STORE"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.contentType()).contains("problem+json");
        assertThat(missing.fieldError("switchedOff")).isNotBlank();
        var zh = admin.inLanguage("zh-CN")
                .put("/api/v1/members/" + id + "/personalisation", with("evidence", "x".repeat(501)));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("switchedOff")).matches(".*[\\u4e00-\\u9fff].*");
        assertThat(zh.fieldError("evidence")).contains("500");
        var store404 = admin.put(
                "/api/v1/members/" + id + "/personalisation", with("switchedOff", true, "storeCode", "NO-SUCH-STORE"));
        assertThat(store404.status()).isEqualTo(404);
        assertThat(store404.fieldError("storeCode")).isNotBlank();
        assertThat(admin.put("/api/v1/members/987654321/personalisation", with("switchedOff", true))
                        .status())
                .isEqualTo(404);

        // marketers read segments, they do not change members; staff of another store do not see the member
        assertThat(fx.as(Role.MARKETER)
                        .put("/api/v1/members/" + id + "/personalisation", with("switchedOff", true))
                        .status())
                .isEqualTo(403);
        String other = fx.store();
        assertThat(fx.as(Role.COUNTER_STAFF, other)
                        .put("/api/v1/members/" + id + "/personalisation", with("switchedOff", true))
                        .status())
                .isEqualTo(403);
        assertThat(fx.as(Role.COUNTER_STAFF, other)
                        .get("/api/v1/members/" + id + "/personalisation")
                        .status())
                .isEqualTo(403);
        var counter = fx.as(Role.COUNTER_STAFF, store)
                .put("/api/v1/members/" + id + "/personalisation", with("switchedOff", true, "source", "POS"));
        assertThat(counter.status()).as(counter.raw()).isEqualTo(200);
        assertThat(published(id)).isTrue();
        assertThat(jdbc.sql("select count(*) from members.personalisation_event where member_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void profilingPanelsAreSwitchedOffAndInsightsDropsAndRefusesTheMembersProfile() {
        long id = fx.member("符三", phone(), store).path("id").asLong();
        // something the insights module computed for the member earlier
        jdbc.sql("""
                insert into insights.member_next_best (level, member_id, item_id, run_id, rank, score, confidence, lift, rule_id)
                values ('CATEGORY', ?, 1, 0, 1, 1, 0.5, 2, 0)""").param(id).update();
        assertThat(panelStatus(id, "recommended")).isNotEqualTo("SWITCHED_OFF");

        assertThat(admin.put("/api/v1/members/" + id + "/personalisation", with("switchedOff", true))
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.sql("select count(*) from insights.member_next_best where member_id = ?")
                                .param(id)
                                .query(Long.class)
                                .single()
                        == 0);
        assertThat(panelStatus(id, "recommended")).isEqualTo("SWITCHED_OFF");
        assertThat(panelStatus(id, "value")).isEqualTo("SWITCHED_OFF");
        var nextBest = admin.get("/api/v1/members/" + id + "/next-best");
        assertThat(nextBest.status()).as(nextBest.raw()).isEqualTo(409);
        assertThat(nextBest.contentType()).contains("problem+json");
        assertThat(admin.get("/api/v1/members/" + id + "/value").status()).isEqualTo(409);

        // allowed again: the panels come back (computed again at the next scoring and rule run)
        admin.put("/api/v1/members/" + id + "/personalisation", with("switchedOff", false));
        assertThat(panelStatus(id, "recommended")).isNotEqualTo("SWITCHED_OFF");
        assertThat(admin.get("/api/v1/members/" + id + "/next-best").status()).isEqualTo(200);
    }

    @Test
    void aMergedMembersChoiceCarriesOverToTheSurvivor() {
        long survivor = fx.member("符四", phone(), store).path("id").asLong();
        long merged = fx.member("符四", phone(), store).path("id").asLong();
        admin.put("/api/v1/members/" + merged + "/personalisation", with("switchedOff", true, "source", "APP"));
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", with("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isEqualTo(200);
        JsonNode state =
                admin.get("/api/v1/members/" + survivor + "/personalisation").json();
        assertThat(state.path("current").path("switchedOff").asBoolean()).isTrue();
        assertThat(state.path("current").path("source").asString()).isEqualTo("APP");
        assertThat(state.path("history").get(0).path("evidence").asString()).contains("merged from member " + merged);
        assertThat(published(survivor)).isTrue();
    }

    private String panelStatus(long id, String key) {
        for (JsonNode p : admin.get("/api/v1/members/" + id).json().path("panels")) {
            if (key.equals(p.path("key").asString())) {
                return p.path("status").asString();
            }
        }
        throw new AssertionError("no panel " + key);
    }

    private boolean published(long id) {
        return jdbc.sql("select no_personalisation from members.v_member where id = ?")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    private long audits(long id) {
        return jdbc.sql(
                        "select count(*) from audit.audit_event where action = 'member.personalisation' and entity_id = ?")
                .param(String.valueOf(id))
                .query(Long.class)
                .single();
    }
}
