package dev.patron.staff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** API keys and the role and store-scope rules of the REST API, over real HTTP. */
@PatronIntegrationTest
class ApiSecurityIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StaffManagement staff;

    ApiClient admin;
    String region;
    String storeA;
    String storeB;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        region = TestData.unique("R");
        storeA = TestData.unique("SA");
        storeB = TestData.unique("SB");
        assertThat(admin.post("/api/v1/regions", Map.of("code", region, "name", "区域"))
                        .status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/stores", Map.of("code", storeA, "name", "A店", "regionCode", region))
                        .status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/stores", Map.of("code", storeB, "name", "B店", "regionCode", region))
                        .status())
                .isEqualTo(201);
    }

    private String key(Set<Role> roles, List<String> stores) {
        var res = admin.post(
                "/api/v1/api-keys",
                Map.of(
                        "name",
                        TestData.unique("key"),
                        "roles",
                        roles,
                        "allStores",
                        stores.isEmpty(),
                        "storeCodes",
                        stores));
        assertThat(res.status()).isEqualTo(201);
        String secret = res.json().path("secret").asString();
        assertThat(secret).startsWith("ptk_").hasSizeGreaterThan(40);
        return secret;
    }

    @Test
    void requestsWithoutAKeyAre401ProblemJson() {
        var res = new ApiClient(port, null).get("/api/v1/stores");
        assertThat(res.status()).isEqualTo(401);
        assertThat(res.contentType()).startsWith("application/problem+json");
    }

    @Test
    void anUnknownKeyIs401() {
        var res = new ApiClient(port, "ptk_this_key_does_not_exist_at_all_0000").get("/api/v1/stores");
        assertThat(res.status()).isEqualTo(401);
        assertThat(res.detail()).contains("revoked");
    }

    @Test
    void keysAreStoredOnlyAsHashesAndShownOnce() {
        String secret = key(EnumSet.of(Role.ANALYST), List.of());
        assertThat(jdbc.sql("select count(*) from staff.api_key where key_hash = ? or prefix = ?")
                        .params(secret, secret)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from staff.api_key where key_hash = ?")
                        .param(StaffManagement.hash(secret))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(admin.get("/api/v1/api-keys").raw()).doesNotContain(secret);
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        var created = admin.post(
                "/api/v1/api-keys",
                Map.of("name", TestData.unique("pos"), "roles", List.of("ADMIN"), "allStores", true));
        String secret = created.json().path("secret").asString();
        long id = created.json().path("key").path("id").asLong();
        ApiClient pos = admin.as(secret);
        assertThat(pos.get("/api/v1/stores").status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/api-keys/" + id).status()).isEqualTo(204);
        assertThat(pos.get("/api/v1/stores").status()).isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'apiKey.revoked' and entity_id = ?")
                        .param(String.valueOf(id))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aChangedBootstrapKeyRevokesTheOldOneInsteadOfFailingTheStart() {
        String rotated = "rotated-" + TestData.unique("bootstrap-key-value");
        long before = jdbc.sql("select id from staff.api_key where lower(name) = 'bootstrap' and revoked_at is null")
                .query(Long.class)
                .single();
        try {
            // what the start-up does when PATRON_BOOTSTRAP_API_KEY differs from the last start
            assertThat(staff.bootstrapApiKey(rotated)).isTrue();
            assertThat(admin.as(rotated).get("/api/v1/stores").status()).isEqualTo(200);
            assertThat(admin.get("/api/v1/stores").status()).isEqualTo(401);
            assertThat(jdbc.sql("""
                    select count(*) from audit.audit_event where action = 'apiKey.revoked' and entity_id = ?""")
                            .param(String.valueOf(before))
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
            // the same value again (a restart): nothing changes
            assertThat(staff.bootstrapApiKey(rotated)).isFalse();
        } finally {
            // put the shared test key back for the other tests
            jdbc.sql(
                            "update staff.api_key set revoked_at = now() where lower(name) = 'bootstrap' and revoked_at is null")
                    .update();
            jdbc.sql("update staff.api_key set revoked_at = null, revoked_by = null where id = ?")
                    .param(before)
                    .update();
        }
        assertThat(admin.get("/api/v1/stores").status()).isEqualTo(200);
    }

    @Test
    void aVerifiedKeyIsTakenFromMemoryForAFewSecondsAndRevokingItHereEndsThatAtOnce() {
        var created = admin.post(
                "/api/v1/api-keys",
                Map.of("name", TestData.unique("till"), "roles", List.of("ADMIN"), "allStores", true));
        String secret = created.json().path("secret").asString();
        long id = created.json().path("key").path("id").asLong();
        ApiClient till = admin.as(secret);
        assertThat(till.get("/api/v1/stores").status()).isEqualTo(200);
        // revoked by another instance of a cluster: this one still has the key verified in memory
        // for patron.security.api-key-cache (10 s) and answers without asking the database
        jdbc.sql("update staff.api_key set revoked_at = now(), revoked_by = 'elsewhere' where id = ?")
                .param(id)
                .update();
        assertThat(till.get("/api/v1/stores").status()).isEqualTo(200);
        // revoking it here (already revoked: nothing to write) forgets it at once
        assertThat(admin.delete("/api/v1/api-keys/" + id).status()).isEqualTo(204);
        assertThat(till.get("/api/v1/stores").status()).isEqualTo(401);
    }

    @Test
    void aStoreScopedKeySeesOnlyItsStores() {
        ApiClient scoped = admin.as(key(EnumSet.of(Role.STORE_MANAGER), List.of(storeA)));
        var list = scoped.get("/api/v1/stores?size=200");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("items").findValuesAsString("code")).containsExactly(storeA);
        assertThat(scoped.get("/api/v1/stores/" + storeA).status()).isEqualTo(200);
        var other = scoped.get("/api/v1/stores/" + storeB);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.detail()).contains("outside");
    }

    @Test
    void aStoreManagerCreatesCountersOnlyInTheirStores() {
        ApiClient manager = admin.as(key(EnumSet.of(Role.STORE_MANAGER), List.of(storeA)));
        String inScope = TestData.unique("C");
        assertThat(manager.post(
                                "/api/v1/counters",
                                Map.of("code", inScope, "name", "专柜", "storeCode", storeA, "supplierName", "供应商"))
                        .status())
                .isEqualTo(201);
        String outOfScope = TestData.unique("C");
        var denied = manager.post(
                "/api/v1/counters",
                Map.of("code", outOfScope, "name", "专柜", "storeCode", storeB, "supplierName", "供应商"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/counters/" + outOfScope).status()).isEqualTo(404);
        // moving a counter of one's own store into another store is also outside the scope
        var moved = manager.put(
                "/api/v1/counters/" + inScope,
                Map.of("code", inScope, "name", "专柜", "storeCode", storeB, "supplierName", "供应商"));
        assertThat(moved.status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/counters/" + inScope)
                        .json()
                        .path("storeCode")
                        .asString())
                .isEqualTo(storeA);
    }

    @Test
    void aScopedAdminCannotCreateStores() {
        ApiClient scopedAdmin = admin.as(key(EnumSet.of(Role.ADMIN), List.of(storeA)));
        var res = scopedAdmin.post(
                "/api/v1/stores", Map.of("code", TestData.unique("S"), "name", "x", "regionCode", region));
        assertThat(res.status()).isEqualTo(403);
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = "ADMIN", mode = EnumSource.Mode.EXCLUDE)
    void onlyAdminsChangeReferenceDataAndStaff(Role role) {
        ApiClient caller = admin.as(key(EnumSet.of(role), List.of()));
        assertThat(caller.get("/api/v1/stores").status()).isEqualTo(200);
        assertThat(caller.get("/api/v1/brands").status()).isEqualTo(200);
        assertThat(caller.get("/api/v1/categories").status()).isEqualTo(200);
        assertThat(caller.post(
                                "/api/v1/stores",
                                Map.of("code", TestData.unique("S"), "name", "x", "regionCode", region))
                        .status())
                .isEqualTo(403);
        assertThat(caller.post("/api/v1/brands", Map.of("code", TestData.unique("B"), "name", "x"))
                        .status())
                .isEqualTo(403);
        assertThat(caller.post("/api/v1/categories", Map.of("code", TestData.unique("K"), "name", "x"))
                        .status())
                .isEqualTo(403);
        assertThat(caller.post("/api/v1/regions", Map.of("code", TestData.unique("R"), "name", "x"))
                        .status())
                .isEqualTo(403);
        assertThat(caller.get("/api/v1/staff").status()).isEqualTo(403);
        assertThat(caller.get("/api/v1/api-keys").status()).isEqualTo(403);
        assertThat(caller.send("GET", "/actuator/prometheus", null, "text/plain")
                        .status())
                .isEqualTo(403);
        int counter = caller.post(
                        "/api/v1/counters",
                        Map.of("code", TestData.unique("C"), "name", "x", "storeCode", storeA, "supplierName", "y"))
                .status();
        assertThat(counter).isEqualTo(role == Role.STORE_MANAGER ? 201 : 403);
    }

    @Test
    void meReportsTheKeysRolesAndScope() {
        ApiClient scoped = admin.as(key(EnumSet.of(Role.AGENT, Role.COUNTER_STAFF), List.of(storeB)));
        var me = scoped.get("/api/v1/me");
        assertThat(me.json().path("kind").asString()).isEqualTo("API_KEY");
        assertThat(me.json().path("roles").findValuesAsString("")).isEmpty();
        assertThat(me.raw()).contains("AGENT").contains("COUNTER_STAFF");
        assertThat(me.json().path("allStores").asBoolean()).isFalse();
        assertThat(me.json().path("storeIds").size()).isEqualTo(1);
    }

    @Test
    void adminsCanReadMetricsAndAnyoneHealth() {
        var metrics = admin.send("GET", "/actuator/prometheus", null, "text/plain");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw()).contains("hikaricp_connections");
        var health = new ApiClient(port, null).get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("status").asString())
                .isEqualTo("UP");
    }

    @Test
    void apiKeyNeedsRolesAndKnownStores() {
        var noRoles = admin.post("/api/v1/api-keys", Map.of("name", "x", "roles", List.of(), "allStores", true));
        assertThat(noRoles.status()).isEqualTo(400);
        assertThat(noRoles.fieldError("roles")).isNotNull();
        var badStore = admin.post(
                "/api/v1/api-keys",
                Map.of(
                        "name",
                        TestData.unique("k"),
                        "roles",
                        List.of("AGENT"),
                        "allStores",
                        false,
                        "storeCodes",
                        List.of("NOPE")));
        assertThat(badStore.status()).isEqualTo(404);
        assertThat(badStore.fieldError("storeCodes[0]")).contains("NOPE");
        var badRole = admin.post(
                "/api/v1/api-keys", Map.of("name", TestData.unique("k"), "roles", List.of("KING"), "allStores", true));
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.fieldError("roles[0]")).isNotNull();
    }
}
