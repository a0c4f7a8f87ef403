package dev.patron.members;

import static dev.patron.members.MemberFixtures.e164;
import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Masking by role, the audit of unmasked reads and exports, store scope, data export and erasure. */
@PatronIntegrationTest
class MemberPrivacyIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    MemberFixtures fx;
    String storeA;
    String storeB;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new MemberFixtures(admin);
        storeA = fx.store();
        storeB = fx.store();
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void onlyAdminsAgentsAndStoreManagersSeePhonesAndEmailsUnmasked(Role role) {
        String phone = phone();
        String tag = TestData.unique("T");
        JsonNode m = fx.member(with(
                "name",
                "蒋一",
                "phone",
                phone,
                "email",
                "jiang-" + phone + "@example.com",
                "preferredStoreCode",
                storeA,
                "tags",
                List.of(tag)));
        long id = m.path("id").asLong();
        ApiClient caller = fx.as(role, storeA);
        boolean unmasked = role == Role.ADMIN || role == Role.AGENT || role == Role.STORE_MANAGER;
        String expectedPhone = unmasked ? e164(phone) : phone.substring(0, 3) + "****" + phone.substring(7);
        String expectedEmail = unmasked ? "jiang-" + phone + "@example.com" : "j***@example.com";

        JsonNode view = caller.get("/api/v1/members/" + id).json();
        assertThat(view.path("phone").asString()).isEqualTo(expectedPhone);
        assertThat(view.path("email").asString()).isEqualTo(expectedEmail);
        assertThat(view.path("masked").asBoolean()).isEqualTo(!unmasked);
        assertThat(view.toString().contains(phone.substring(3, 7) + phone.substring(7)))
                .isEqualTo(unmasked);

        JsonNode list =
                caller.get("/api/v1/members?tag=" + tag).json().path("items").get(0);
        assertThat(list.path("phone").asString()).isEqualTo(expectedPhone);
        JsonNode lookup =
                caller.get("/api/v1/members/lookup?phone=" + phone).json().path("member");
        assertThat(lookup.path("phone").asString()).isEqualTo(expectedPhone);
        assertThat(lookup.path("email").asString()).isEqualTo(expectedEmail);

        long viewed = jdbc.sql(
                        "select count(*) from audit.audit_event where action = 'member.viewed' and entity_id = ?")
                .param(String.valueOf(id))
                .query(Long.class)
                .single();
        assertThat(viewed).isEqualTo(unmasked ? 2 : 0);
        long listed = jdbc.sql(
                        "select count(*) from audit.audit_event where action = 'member.listed' and details->'ids' @> to_jsonb(?::bigint)")
                .param(id)
                .query(Long.class)
                .single();
        assertThat(listed).isEqualTo(unmasked ? 1 : 0);
    }

    @Test
    void theAuditRecordsWhoViewedAMemberUnmaskedAndHow() {
        long id = fx.member("沈二", phone(), storeA).path("id").asLong();
        fx.as(Role.AGENT).get("/api/v1/members/" + id);
        var rows = jdbc.sql(
                        "select actor, actor_type, details::text from audit.audit_event where action = 'member.viewed' and entity_id = ?")
                .param(String.valueOf(id))
                .query((rs, n) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3))
                .list();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).startsWith("apikey:key-").contains("|API_KEY|").contains("360");
    }

    @Test
    void storeStaffSeeMembersOfTheirStoresOnlyButFindAnyMemberByExactIdentifier() {
        String tag = TestData.unique("T");
        String phoneB = phone();
        long a = fx.member(with("name", "韩三", "phone", phone(), "preferredStoreCode", storeA, "tags", List.of(tag)))
                .path("id")
                .asLong();
        long joinedAtA = fx.member(with(
                        "name",
                        "杨四",
                        "phone",
                        phone(),
                        "preferredStoreCode",
                        storeB,
                        "joinStoreCode",
                        storeA,
                        "tags",
                        List.of(tag)))
                .path("id")
                .asLong();
        JsonNode b = fx.member(with("name", "朱五", "phone", phoneB, "preferredStoreCode", storeB, "tags", List.of(tag)));
        long bId = b.path("id").asLong();
        ApiClient manager = fx.as(Role.STORE_MANAGER, storeA);

        var list = manager.get("/api/v1/members?tag=" + tag);
        assertThat(list.json().path("items").findValues("id").stream()
                        .map(JsonNode::asLong)
                        .toList())
                .containsExactlyInAnyOrder(a, joinedAtA);
        assertThat(manager.get("/api/v1/members/" + a).status()).isEqualTo(200);
        var other = manager.get("/api/v1/members/" + bId);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(manager.send("PATCH", "/api/v1/members/" + bId, "{\"city\":\"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(manager.get("/api/v1/members?store=" + storeB).status()).isEqualTo(403);
        // a card presented at store A identifies a member of store B: cards are valid in every store
        String cardB = b.path("cards").get(0).path("number").asString();
        assertThat(manager.get("/api/v1/members/lookup?card=" + cardB)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(bId);
        assertThat(manager.get("/api/v1/members/lookup?phone=" + phoneB).status())
                .isEqualTo(200);
        // moving a member out of one's stores is refused
        assertThat(manager.send("PATCH", "/api/v1/members/" + a, "{\"preferredStoreCode\":\"" + storeB + "\"}")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void storeStaffEnrolAtTheirOwnStore() {
        ApiClient pos = fx.as(Role.COUNTER_STAFF, storeA);
        var created = pos.post("/api/v1/members", with("name", "秦六", "phone", phone()));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().path("joinStoreCode").asString()).isEqualTo(storeA);
        assertThat(created.json().path("masked").asBoolean()).isTrue();
        var elsewhere = pos.post("/api/v1/members", with("name", "秦七", "phone", phone(), "preferredStoreCode", storeB));
        assertThat(elsewhere.status()).isEqualTo(403);
        ApiClient twoStores = fx.as(java.util.Set.of(Role.STORE_MANAGER), List.of(storeA, storeB));
        var noStore = twoStores.post("/api/v1/members", with("name", "秦八", "phone", phone()));
        assertThat(noStore.status()).isEqualTo(400);
        assertThat(noStore.fieldError("joinStoreCode")).isNotNull();
        assertThat(fx.as(Role.MARKETER)
                        .post("/api/v1/members", with("name", "秦九"))
                        .status())
                .isEqualTo(403);
        assertThat(fx.as(Role.ANALYST)
                        .post("/api/v1/members", with("name", "秦九"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void anAdminExportsAMembersDataAsJsonAndTheExportIsAudited() {
        String phone = phone();
        long id = fx.member(with(
                        "name",
                        "尤十",
                        "phone",
                        phone,
                        "preferredStoreCode",
                        storeA,
                        "consents",
                        List.of(Map.of(
                                "channel", "SMS", "purpose", "MARKETING", "granted", true, "wordingVersion", "v1"))))
                .path("id")
                .asLong();
        admin.post("/api/v1/members/" + id + "/notes", Map.of("body", "VIP 客户"));
        var export = admin.get("/api/v1/members/" + id + "/export");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.json().path("member").path("phone").asString()).isEqualTo(e164(phone));
        assertThat(export.json()
                        .path("member")
                        .path("notes")
                        .get(0)
                        .path("body")
                        .asString())
                .isEqualTo("VIP 客户");
        assertThat(export.json().path("consentLedger").size()).isEqualTo(1);
        assertThat(export.json().path("cardHistory").size()).isEqualTo(1);
        assertThat(export.json().has("exportedAt")).isTrue();
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'member.exported' and entity_id = ?")
                        .param(String.valueOf(id))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(fx.as(Role.AGENT).get("/api/v1/members/" + id + "/export").status())
                .isEqualTo(403);
        assertThat(fx.as(Role.STORE_MANAGER, storeA)
                        .get("/api/v1/members/" + id + "/export")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void erasureRemovesPersonalDataKeepsStatisticsAndTheConsentEvidence() {
        String phone = phone();
        String email = "xu-" + phone + "@example.com";
        String openid = TestData.unique("oid");
        JsonNode m = fx.member(with(
                "name",
                "许十一",
                "phone",
                phone,
                "email",
                email,
                "gender",
                "FEMALE",
                "birthday",
                "1988-07-09",
                "city",
                "南京",
                "preferredStoreCode",
                storeA,
                "tags",
                List.of("VIP"),
                "identifiers",
                List.of(Map.of("system", "wechat", "value", openid)),
                "consents",
                List.of(Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "wordingVersion", "v1"))));
        long id = m.path("id").asLong();
        String card = m.path("cards").get(0).path("number").asString();
        admin.post("/api/v1/members/" + id + "/notes", Map.of("body", "住址：南京市某路 1 号"));

        assertThat(fx.as(Role.STORE_MANAGER, storeA)
                        .post("/api/v1/members/" + id + "/erase", Map.of())
                        .status())
                .isEqualTo(403);
        var erased = admin.post("/api/v1/members/" + id + "/erase", Map.of("reason", "会员申请注销"));
        assertThat(erased.status()).as(erased.raw()).isEqualTo(200);
        JsonNode e = erased.json();
        assertThat(e.path("status").asString()).isEqualTo("ERASED");
        assertThat(e.path("name").asString()).isNotEqualTo("许十一");
        assertThat(e.path("phone").isNull()).isTrue();
        assertThat(e.path("email").isNull()).isTrue();
        assertThat(e.path("birthday").asString()).isEqualTo("1988-01-01");
        assertThat(e.path("gender").asString()).isEqualTo("FEMALE");
        assertThat(e.path("city").asString()).isEqualTo("南京");
        assertThat(e.path("preferredStoreCode").asString()).isEqualTo(storeA);
        assertThat(e.path("identifiers").size()).isZero();
        assertThat(e.path("notes").size()).isZero();
        assertThat(e.path("cards").get(0).path("status").asString()).isEqualTo("CANCELLED");
        assertThat(admin.get("/api/v1/members/lookup?phone=" + phone).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/members/lookup?card=" + card).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/members/lookup?email=" + email).status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/members/lookup?system=wechat&externalId=" + openid)
                        .status())
                .isEqualTo(404);
        String everything = jdbc.sql("""
                select concat_ws('|', m::text, (select string_agg(i::text, ',') from members.identifier i where i.member_id = m.id),
                    (select string_agg(n::text, ',') from members.note n where n.member_id = m.id))
                from members.member m where m.id = ?""").param(id).query(String.class).single();
        assertThat(everything)
                .doesNotContain(phone)
                .doesNotContain("许十一")
                .doesNotContain(email)
                .doesNotContain(openid)
                .doesNotContain("住址");
        assertThat(jdbc.sql("select count(*) from members.consent_event where member_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'member.erased' and entity_id = ?")
                        .param(String.valueOf(id))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(admin.send("PATCH", "/api/v1/members/" + id, "{\"name\":\"x\"}")
                        .status())
                .isEqualTo(409);
        assertThat(admin.post("/api/v1/members/" + id + "/erase", Map.of()).status())
                .isEqualTo(409);
    }
}
