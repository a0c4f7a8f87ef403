package dev.patron.members;

import static dev.patron.members.MemberFixtures.e164;
import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Duplicate detection, merge, undo within 30 days, and merges racing each other. */
@PatronIntegrationTest
class MemberMergeIntegrationTests {

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
    void findsDuplicatesBySharedPhoneEmailAndNameWithBirthday() {
        String phone = phone();
        String email = "dup-" + phone + "@example.com";
        long a = fx.member(with("name", "华一", "phone", phone, "preferredStoreCode", store))
                .path("id")
                .asLong();
        long samePhone = fx.member(
                        with("name", "华一一", "phone", phone, "allowDuplicatePhone", true, "preferredStoreCode", store))
                .path("id")
                .asLong();
        long c = fx.member(with("name", "金二", "email", email, "birthday", "1970-03-04", "preferredStoreCode", store))
                .path("id")
                .asLong();
        long sameEmail = fx.member(with("name", "金贰", "email", email.toUpperCase(), "preferredStoreCode", store))
                .path("id")
                .asLong();
        long sameNameBirthday = fx.member(with("name", "金二", "birthday", "1970-03-04", "preferredStoreCode", store))
                .path("id")
                .asLong();

        var ofA = admin.get("/api/v1/members/" + a + "/duplicates").json();
        assertThat(ofA.size()).isEqualTo(1);
        assertThat(ofA.get(0).path("second").path("id").asLong()).isEqualTo(samePhone);
        assertThat(ofA.get(0).path("reasons").get(0).asString()).isEqualTo("PHONE");
        var ofC = admin.get("/api/v1/members/" + c + "/duplicates").json();
        assertThat(ofC.findValues("id").stream().map(JsonNode::asLong).toList()).contains(sameEmail, sameNameBirthday);
        assertThat(ofC.toString()).contains("EMAIL").contains("NAME_BIRTHDAY");

        ApiClient manager = fx.as(Role.STORE_MANAGER, store);
        var pairs = manager.get("/api/v1/members/duplicates?size=200").json();
        assertThat(pairs.path("totalItems").asLong()).isGreaterThanOrEqualTo(3);
        List<String> ids = new ArrayList<>();
        for (JsonNode p : pairs.path("items")) {
            ids.add(p.path("first").path("id").asLong() + "-"
                    + p.path("second").path("id").asLong());
        }
        assertThat(ids).contains(a + "-" + samePhone, c + "-" + sameEmail, c + "-" + sameNameBirthday);
        // a manager of another store does not see these pairs
        var otherManager = fx.as(Role.STORE_MANAGER, fx.store())
                .get("/api/v1/members/duplicates")
                .json();
        assertThat(otherManager.path("totalItems").asLong()).isZero();
    }

    @Test
    void mergeMovesIdentifiersCardsNotesConsentsAndBlankFieldsThenUndoMovesThemBack() {
        String phoneS = phone();
        String phoneL = phone();
        String openid = TestData.unique("oid");
        JsonNode s = fx.member(with(
                "name",
                "陶三",
                "phone",
                phoneS,
                "preferredStoreCode",
                store,
                "joinedOn",
                "2025-06-01",
                "tags",
                List.of("常客")));
        JsonNode l = fx.member(with(
                "name",
                "陶三",
                "phone",
                phoneL,
                "email",
                "tao-" + phoneL + "@example.com",
                "birthday",
                "1980-01-02",
                "preferredStoreCode",
                store,
                "joinedOn",
                "2024-01-15",
                "tags",
                List.of("VIP"),
                "identifiers",
                List.of(Map.of("system", "tmall", "value", openid)),
                "consents",
                List.of(with("channel", "EMAIL", "purpose", "MARKETING", "granted", true, "wordingVersion", "v1"))));
        long sId = s.path("id").asLong();
        long lId = l.path("id").asLong();
        String lCard = l.path("cards").get(0).path("number").asString();
        admin.post("/api/v1/members/" + lId + "/notes", Map.of("body", "旧档案备注"));

        var merged = admin.post("/api/v1/members/" + sId + "/merge", Map.of("memberId", lId));
        assertThat(merged.status()).as(merged.raw()).isEqualTo(200);
        long mergeId = merged.json().path("id").asLong();
        assertThat(merged.json().path("undoableUntil").asString()).isNotBlank();

        JsonNode survivor = admin.get("/api/v1/members/" + sId).json();
        assertThat(survivor.path("cards").size()).isEqualTo(2);
        assertThat(survivor.path("email").asString()).isEqualTo("tao-" + phoneL + "@example.com");
        assertThat(survivor.path("phone").asString()).isEqualTo(e164(phoneS));
        assertThat(survivor.path("birthday").asString()).isEqualTo("1980-01-02");
        assertThat(survivor.path("joinedOn").asString()).isEqualTo("2024-01-15");
        assertThat(survivor.path("tags").toString()).contains("VIP").contains("常客");
        assertThat(survivor.path("notes").get(0).path("body").asString()).isEqualTo("旧档案备注");
        assertThat(MemberApiIntegrationTests.identifiers(survivor))
                .contains("PHONE::" + e164(phoneL), "EXTERNAL:tmall:" + openid);
        JsonNode loser = admin.get("/api/v1/members/" + lId).json();
        assertThat(loser.path("status").asString()).isEqualTo("MERGED");
        assertThat(loser.path("mergedInto").asLong()).isEqualTo(sId);
        // every identifier of the merged member now finds the survivor
        assertThat(admin.get("/api/v1/members/lookup?phone=" + phoneL)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(sId);
        assertThat(admin.get("/api/v1/members/lookup?card=" + lCard)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(sId);
        assertThat(admin.get("/api/v1/members/lookup?system=tmall&externalId=" + openid)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(sId);
        assertThat(admin.get("/api/v1/members/" + sId + "/consents")
                        .json()
                        .path("history")
                        .size())
                .isEqualTo(1);
        assertThat(admin.send("PATCH", "/api/v1/members/" + lId, "{\"city\":\"x\"}")
                        .status())
                .isEqualTo(409);
        assertThat(admin.post("/api/v1/members/" + sId + "/merge", Map.of("memberId", lId))
                        .status())
                .isEqualTo(409);
        assertThat(auditCount("member.merged", sId)).isEqualTo(1);

        // a change on the survivor after the merge stays after the undo
        admin.send("PATCH", "/api/v1/members/" + sId, "{\"city\":\"苏州\"}");
        assertThat(fx.as(Role.STORE_MANAGER, store)
                        .post("/api/v1/members/" + sId + "/merges/" + mergeId + "/undo", Map.of())
                        .status())
                .isEqualTo(403);
        var undone = admin.post("/api/v1/members/" + sId + "/merges/" + mergeId + "/undo", Map.of());
        assertThat(undone.status()).as(undone.raw()).isEqualTo(200);
        assertThat(undone.json().path("undoneAt").asString()).isNotBlank();

        JsonNode s2 = admin.get("/api/v1/members/" + sId).json();
        JsonNode l2 = admin.get("/api/v1/members/" + lId).json();
        assertThat(s2.path("cards").size()).isEqualTo(1);
        assertThat(s2.path("email").isNull()).isTrue();
        assertThat(s2.path("birthday").isNull()).isTrue();
        assertThat(s2.path("joinedOn").asString()).isEqualTo("2025-06-01");
        assertThat(s2.path("city").asString()).isEqualTo("苏州");
        assertThat(s2.path("tags").toString()).doesNotContain("VIP");
        assertThat(s2.path("notes").size()).isZero();
        assertThat(l2.path("status").asString()).isEqualTo("ACTIVE");
        assertThat(l2.path("mergedInto").isNull()).isTrue();
        assertThat(l2.path("notes").size()).isEqualTo(1);
        assertThat(l2.path("cards").get(0).path("number").asString()).isEqualTo(lCard);
        assertThat(admin.get("/api/v1/members/" + lId + "/consents")
                        .json()
                        .path("history")
                        .size())
                .isEqualTo(1);
        assertThat(admin.get("/api/v1/members/lookup?phone=" + phoneL)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(lId);
        assertThat(admin.get("/api/v1/members/lookup?system=tmall&externalId=" + openid)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(lId);
        assertThat(auditCount("member.unmerged", sId)).isEqualTo(1);
        assertThat(admin.post("/api/v1/members/" + sId + "/merges/" + mergeId + "/undo", Map.of())
                        .status())
                .isEqualTo(409);
        assertThat(admin.get("/api/v1/members/" + lId + "/merges")
                        .json()
                        .get(0)
                        .path("id")
                        .asLong())
                .isEqualTo(mergeId);
    }

    @Test
    void aMergeCanBeUndoneOnlyWithinThirtyDaysAndOnlyWhileTheSurvivorIsActive() {
        long a = fx.member("邹一", phone(), store).path("id").asLong();
        long b = fx.member("邹一", phone(), store).path("id").asLong();
        long c = fx.member("邹一", phone(), store).path("id").asLong();
        long old = admin.post("/api/v1/members/" + a + "/merge", Map.of("memberId", b))
                .json()
                .path("id")
                .asLong();
        jdbc.sql("update members.merge set at = now() - interval '31 days' where id = ?")
                .param(old)
                .update();
        var tooOld = admin.post("/api/v1/members/" + a + "/merges/" + old + "/undo", Map.of());
        assertThat(tooOld.status()).isEqualTo(409);
        assertThat(tooOld.detail()).contains("30");

        long d = fx.member("邹二", phone(), store).path("id").asLong();
        long recent = admin.post("/api/v1/members/" + c + "/merge", Map.of("memberId", d))
                .json()
                .path("id")
                .asLong();
        assertThat(admin.post("/api/v1/members/" + a + "/merge", Map.of("memberId", c))
                        .status())
                .isEqualTo(200);
        var survivorGone = admin.post("/api/v1/members/" + c + "/merges/" + recent + "/undo", Map.of());
        assertThat(survivorGone.status()).isEqualTo(409);
        assertThat(admin.post("/api/v1/members/" + a + "/merges/987654321/undo", Map.of())
                        .status())
                .isEqualTo(404);
    }

    @Test
    void mergeRefusesSelfUnknownAndOutOfScopeMembers() {
        String other = fx.store();
        long a = fx.member("喻一", phone(), store).path("id").asLong();
        long elsewhere = fx.member("喻一", phone(), other).path("id").asLong();
        assertThat(admin.post("/api/v1/members/" + a + "/merge", Map.of("memberId", a))
                        .status())
                .isEqualTo(400);
        var unknown = admin.post("/api/v1/members/" + a + "/merge", Map.of("memberId", 987654321));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.fieldError("memberId")).isNotNull();
        assertThat(fx.as(Role.STORE_MANAGER, store)
                        .post("/api/v1/members/" + a + "/merge", Map.of("memberId", elsewhere))
                        .status())
                .isEqualTo(403);
        assertThat(fx.as(Role.COUNTER_STAFF, store)
                        .post("/api/v1/members/" + a + "/merge", Map.of("memberId", elsewhere))
                        .status())
                .isEqualTo(403);
        long inst = fx.member(with("kind", "INSTITUTION", "companyName", "喻氏集团"))
                .path("id")
                .asLong();
        assertThat(admin.post("/api/v1/members/" + a + "/merge", Map.of("memberId", inst))
                        .status())
                .isEqualTo(400);
    }

    @Test
    void concurrentMergesOfTheSameMembersNeitherLoseNorDuplicateAnything() throws Exception {
        for (int round = 0; round < 5; round++) {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(fx.member("并发" + round, phone(), store).path("id").asLong());
            }
            long cardsBefore = cardCount(ids);
            long identifiersBefore = identifierCount(ids);
            // a ring: A<-B, B<-C, C<-A, plus B<-A, all at once
            List<long[]> merges = List.of(
                    new long[] {ids.get(0), ids.get(1)},
                    new long[] {ids.get(1), ids.get(2)},
                    new long[] {ids.get(2), ids.get(0)},
                    new long[] {ids.get(1), ids.get(0)});
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(merges.size());
            List<Future<Integer>> results = new ArrayList<>();
            for (long[] m : merges) {
                Callable<Integer> call = () -> {
                    start.await();
                    return admin.post("/api/v1/members/" + m[0] + "/merge", Map.of("memberId", m[1]))
                            .status();
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            pool.shutdown();
            assertThat(statuses)
                    .as("round %d", round)
                    .allMatch(s -> s == 200 || s == 409)
                    .contains(200);
            long active = jdbc.sql("select count(*) from members.member where id = any(?) and status = 'ACTIVE'")
                    .param(ids.toArray(Long[]::new))
                    .query(Long.class)
                    .single();
            long succeeded = statuses.stream().filter(s -> s == 200).count();
            assertThat(active).isEqualTo(3 - succeeded).isPositive();
            assertThat(cardCount(ids)).isEqualTo(cardsBefore);
            assertThat(identifierCount(ids)).isEqualTo(identifiersBefore);
            // every card and identifier ends on an active member; merged members point at an active one, directly or in
            // a chain
            assertThat(jdbc.sql("""
                    select count(*) from members.card c join members.member m on m.id = c.member_id
                    where c.member_id = any(?) and m.status <> 'ACTIVE'""")
                            .param(ids.toArray(Long[]::new))
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(jdbc.sql("select count(*) from members.merge where survivor_id = any(?) and undone_at is null")
                            .param(ids.toArray(Long[]::new))
                            .query(Long.class)
                            .single())
                    .isEqualTo(succeeded);
        }
    }

    private long cardCount(List<Long> ids) {
        return jdbc.sql("select count(*) from members.card where member_id = any(?)")
                .param(ids.toArray(Long[]::new))
                .query(Long.class)
                .single();
    }

    private long identifierCount(List<Long> ids) {
        return jdbc.sql("select count(*) from members.identifier where member_id = any(?)")
                .param(ids.toArray(Long[]::new))
                .query(Long.class)
                .single();
    }

    private long auditCount(String action, long id) {
        return jdbc.sql("select count(*) from audit.audit_event where action = ? and entity_id = ?")
                .params(action, String.valueOf(id))
                .query(Long.class)
                .single();
    }
}
