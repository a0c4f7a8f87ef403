package dev.patron.members;

import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The consent ledger (MKT-01) and the "may I contact this member on channel C" question (MKT-02, PRV-03, PRV-05). */
@PatronIntegrationTest
class MemberConsentIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MemberManagement members;

    ApiClient admin;
    MemberFixtures fx;
    String store;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new MemberFixtures(admin);
        store = fx.store();
    }

    private static Map<String, Object> consent(String channel, String purpose, boolean granted) {
        return with(
                "channel",
                channel,
                "purpose",
                purpose,
                "granted",
                granted,
                "wordingVersion",
                "2026-11",
                "source",
                "STORE");
    }

    @Test
    void enrolmentWithoutAnyConsentCreatesAnActiveMemberWhoGetsNoMarketing() {
        long id = fx.member(with(
                        "name",
                        "何一",
                        "phone",
                        phone(),
                        "email",
                        "he-" + phone() + "@example.com",
                        "preferredStoreCode",
                        store))
                .path("id")
                .asLong();
        assertThat(admin.get("/api/v1/members/" + id).json().path("status").asString())
                .isEqualTo("ACTIVE");
        for (ConsentChannel c : ConsentChannel.values()) {
            assertThat(members.mayContact(id, c, ConsentPurpose.MARKETING))
                    .as(c.name())
                    .isFalse();
        }
        assertThat(members.mayContact(id, ConsentChannel.SMS, ConsentPurpose.SERVICE))
                .isTrue();
        assertThat(members.mayContact(id, ConsentChannel.EMAIL, ConsentPurpose.SERVICE))
                .isTrue();
    }

    @Test
    void grantsAndWithdrawalsAreAppendedAndTheLatestAnswerCounts() {
        long id = fx.member("吕二", phone(), store).path("id").asLong();
        var granted = admin.post(
                "/api/v1/members/" + id + "/consents",
                with(
                        "channel",
                        "SMS",
                        "purpose",
                        "MARKETING",
                        "granted",
                        true,
                        "source",
                        "STORE",
                        "wordingVersion",
                        "2026-11",
                        "storeCode",
                        store,
                        "evidence",
                        "纸质表单 A-001"));
        assertThat(granted.status()).as(granted.raw()).isEqualTo(201);
        assertThat(granted.json().path("operator").asString()).startsWith("apikey:");
        assertThat(granted.json().path("storeCode").asString()).isEqualTo(store);
        assertThat(granted.json().path("at").asString()).isNotBlank();
        assertThat(members.mayContact(id, ConsentChannel.SMS, ConsentPurpose.MARKETING))
                .isTrue();
        assertThat(members.mayContact(id, ConsentChannel.EMAIL, ConsentPurpose.MARKETING))
                .isFalse();
        var check = admin.get("/api/v1/members/" + id + "/consents/check?channel=SMS");
        assertThat(check.json().path("allowed").asBoolean()).isTrue();

        ApiClient agent = fx.as(Role.AGENT);
        assertThat(agent.post(
                                "/api/v1/members/" + id + "/consents",
                                with(
                                        "channel",
                                        "SMS",
                                        "purpose",
                                        "MARKETING",
                                        "granted",
                                        false,
                                        "source",
                                        "CALL_CENTER",
                                        "wordingVersion",
                                        "2026-11"))
                        .status())
                .isEqualTo(201);
        assertThat(members.mayContact(id, ConsentChannel.SMS, ConsentPurpose.MARKETING))
                .isFalse();
        assertThat(admin.get("/api/v1/members/" + id + "/consents/check?channel=SMS&purpose=MARKETING")
                        .json()
                        .path("allowed")
                        .asBoolean())
                .isFalse();

        JsonNode consents = admin.get("/api/v1/members/" + id + "/consents").json();
        assertThat(consents.path("history").size()).isEqualTo(2);
        assertThat(consents.path("history").get(0).path("granted").asBoolean()).isTrue();
        assertThat(consents.path("history").get(1).path("source").asString()).isEqualTo("CALL_CENTER");
        JsonNode smsMarketing = null;
        for (JsonNode s : consents.path("current")) {
            if (s.path("channel").asString().equals("SMS")
                    && s.path("purpose").asString().equals("MARKETING")) {
                smsMarketing = s;
            }
        }
        assertThat(smsMarketing).isNotNull();
        assertThat(smsMarketing.path("granted").asBoolean()).isFalse();
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'consent.changed' and entity_id = ?")
                        .param(String.valueOf(id))
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void theLedgerCannotBeRewrittenOrDeleted() {
        long id = fx.member(
                        with("name", "施三", "phone", phone(), "consents", List.of(consent("SMS", "MARKETING", true))))
                .path("id")
                .asLong();
        assertThatThrownBy(() -> jdbc.sql("update members.consent_event set granted = false where member_id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("delete from members.consent_event where member_id = ?")
                        .param(id)
                        .update())
                .hasMessageContaining("append-only");
        assertThat(members.mayContact(id, ConsentChannel.SMS, ConsentPurpose.MARKETING))
                .isTrue();
    }

    @Test
    void serviceMessagesStopOnOptOutAndChannelsNeedContactData() {
        long noEmail = fx.member(with(
                        "name",
                        "张四",
                        "phone",
                        phone(),
                        "consents",
                        List.of(consent("EMAIL", "MARKETING", true), consent("SMS", "SERVICE", false))))
                .path("id")
                .asLong();
        assertThat(members.mayContact(noEmail, ConsentChannel.EMAIL, ConsentPurpose.MARKETING))
                .isFalse();
        assertThat(members.mayContact(noEmail, ConsentChannel.SMS, ConsentPurpose.SERVICE))
                .isFalse();
        assertThat(members.mayContact(noEmail, ConsentChannel.PHONE, ConsentPurpose.SERVICE))
                .isTrue();
        assertThat(members.mayContact(987654321L, ConsentChannel.SMS, ConsentPurpose.SERVICE))
                .isFalse();
    }

    @Test
    void childrenUnderFourteenGetNoMarketingEvenWithAGrant() {
        String birthday = LocalDate.now().minusYears(10).toString();
        long child = fx.member(with(
                        "name",
                        "孔小五",
                        "phone",
                        phone(),
                        "birthday",
                        birthday,
                        "consents",
                        List.of(consent("SMS", "MARKETING", true))))
                .path("id")
                .asLong();
        assertThat(members.mayContact(child, ConsentChannel.SMS, ConsentPurpose.MARKETING))
                .isFalse();
        assertThat(members.mayContact(child, ConsentChannel.SMS, ConsentPurpose.SERVICE))
                .isTrue();
    }

    @Test
    void aConsentNeedsChannelPurposeAnswerAndWordingVersion() {
        long id = fx.member("曹六", phone(), store).path("id").asLong();
        var res = admin.post("/api/v1/members/" + id + "/consents", with("source", "WEB"));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.fieldError("channel")).isNotNull();
        assertThat(res.fieldError("purpose")).isNotNull();
        assertThat(res.fieldError("granted")).isNotNull();
        assertThat(res.fieldError("wordingVersion")).isNotNull();
        var badChannel = admin.post(
                "/api/v1/members/" + id + "/consents",
                with("channel", "PIGEON", "purpose", "MARKETING", "granted", true, "wordingVersion", "v1"));
        assertThat(badChannel.status()).isEqualTo(400);
        assertThat(badChannel.fieldError("channel")).isNotNull();
        var unknownStore = admin.post(
                "/api/v1/members/" + id + "/consents",
                with(
                        "channel",
                        "SMS",
                        "purpose",
                        "MARKETING",
                        "granted",
                        true,
                        "wordingVersion",
                        "v1",
                        "storeCode",
                        "NOPE"));
        assertThat(unknownStore.status()).isEqualTo(404);
        assertThat(unknownStore.fieldError("storeCode")).isNotNull();
        var atSignUp = admin.post("/api/v1/members", with("name", "曹七", "consents", List.of(with("channel", "SMS"))));
        assertThat(atSignUp.status()).isEqualTo(400);
        assertThat(atSignUp.fieldError("consents[0].purpose")).isNotNull();
        assertThat(fx.as(Role.MARKETER)
                        .post("/api/v1/members/" + id + "/consents", consent("SMS", "MARKETING", true))
                        .status())
                .isEqualTo(403);
    }
}
