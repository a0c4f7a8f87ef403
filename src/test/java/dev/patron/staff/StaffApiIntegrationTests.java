package dev.patron.staff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

/** Staff accounts: bootstrap admin, password rules, hashing, last-admin protection, store scope validation. */
@PatronIntegrationTest
class StaffApiIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PasswordEncoder passwords;

    ApiClient admin;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
    }

    @Test
    void firstStartCreatedTheAdminWithTheConfiguredPasswordHashedWithBcrypt() {
        String hash = jdbc.sql("select password_hash from staff.account where username = 'admin'")
                .query(String.class)
                .single();
        assertThat(hash).startsWith("{bcrypt}$2");
        assertThat(passwords.matches(TestData.ADMIN_PASSWORD, hash)).isTrue();
    }

    @Test
    void createsAStaffMemberLimitedToOneStore() {
        String region = TestData.unique("R");
        String store = TestData.unique("S");
        admin.post("/api/v1/regions", Map.of("code", region, "name", "r"));
        admin.post("/api/v1/stores", Map.of("code", store, "name", "s", "regionCode", region));
        String username = TestData.unique("mgr").toLowerCase();
        var res = admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        username,
                        "displayName",
                        "王芳",
                        "roles",
                        List.of("STORE_MANAGER"),
                        "allStores",
                        false,
                        "storeCodes",
                        List.of(store),
                        "password",
                        "Long-enough-pw-1"));
        assertThat(res.status()).isEqualTo(201);
        assertThat(res.json().path("storeCodes").get(0).asString()).isEqualTo(store);
        assertThat(res.raw()).doesNotContain("password");
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'staff.created' and entity_id = ?")
                        .param(username)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void rejectsWeakPasswordsAndDuplicateUsernames() {
        String username = TestData.unique("u").toLowerCase();
        var shortPw = admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        username,
                        "displayName",
                        "x",
                        "roles",
                        List.of("AGENT"),
                        "allStores",
                        true,
                        "password",
                        "short"));
        assertThat(shortPw.status()).isEqualTo(400);
        assertThat(shortPw.fieldError("password")).contains("10");
        var containsName = admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        username,
                        "displayName",
                        "x",
                        "roles",
                        List.of("AGENT"),
                        "allStores",
                        true,
                        "password",
                        "xx" + username + "xx"));
        assertThat(containsName.fieldError("password")).contains("user name");
        assertThat(admin.post(
                                "/api/v1/staff",
                                Map.of(
                                        "username",
                                        username,
                                        "displayName",
                                        "x",
                                        "roles",
                                        List.of("AGENT"),
                                        "allStores",
                                        true,
                                        "password",
                                        "Long-enough-pw-1"))
                        .status())
                .isEqualTo(201);
        var dup = admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        username.toUpperCase(),
                        "displayName",
                        "y",
                        "roles",
                        List.of("AGENT"),
                        "allStores",
                        true,
                        "password",
                        "Long-enough-pw-1"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.fieldError("username")).isNotNull();
    }

    @Test
    void aScopedAccountNeedsAtLeastOneStore() {
        var res = admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        TestData.unique("u").toLowerCase(),
                        "displayName",
                        "x",
                        "roles",
                        List.of("COUNTER_STAFF"),
                        "allStores",
                        false,
                        "password",
                        "Long-enough-pw-1"));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.fieldError("storeCodes")).isNotNull();
    }

    @Test
    void theLastHeadOfficeAdminCannotBeDemoted() {
        long adminId = jdbc.sql("select id from staff.account where username = 'admin'")
                .query(Long.class)
                .single();
        long others = jdbc.sql("""
                select count(*) from staff.account a join staff.account_role r on r.account_id = a.id
                where r.role = 'ADMIN' and a.enabled and a.all_stores and a.id <> ?""").param(adminId).query(Long.class).single();
        var res = admin.put(
                "/api/v1/staff/" + adminId,
                Map.of(
                        "username",
                        "admin",
                        "displayName",
                        "Administrator",
                        "roles",
                        List.of("ANALYST"),
                        "allStores",
                        true));
        if (others == 0) {
            assertThat(res.status()).isEqualTo(400);
            assertThat(res.fieldError("roles")).contains("administrator");
        } else {
            // other tests made more admins; then demoting is allowed, so put the role back
            assertThat(res.status()).isEqualTo(200);
            admin.put(
                    "/api/v1/staff/" + adminId,
                    Map.of(
                            "username",
                            "admin",
                            "displayName",
                            "Administrator",
                            "roles",
                            List.of("ADMIN"),
                            "allStores",
                            true));
        }
    }

    @Test
    void lockOutAfterRepeatedFailuresIsCountedInTheDatabase(@Autowired StaffManagement staff) {
        String username = TestData.unique("lock").toLowerCase();
        admin.post(
                "/api/v1/staff",
                Map.of(
                        "username",
                        username,
                        "displayName",
                        "x",
                        "roles",
                        List.of("AGENT"),
                        "allStores",
                        true,
                        "password",
                        "Long-enough-pw-1"));
        for (int i = 0; i < 4; i++) {
            staff.loginFailed(username);
        }
        assertThat(staff.principalForLogin(username).orElseThrow().locked()).isFalse();
        staff.loginFailed(username);
        assertThat(staff.principalForLogin(username).orElseThrow().locked()).isTrue();
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'staff.locked' and entity_id = ?")
                        .param(username)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }
}
