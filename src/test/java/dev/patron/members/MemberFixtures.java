package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/** Stores, API keys and members for the member tests, created over the real API with unique values. */
final class MemberFixtures {

    private static final AtomicLong PHONE = new AtomicLong(10_000_000L + (System.nanoTime() / 1000) % 80_000_000L);

    final ApiClient admin;
    final String region;

    MemberFixtures(ApiClient admin) {
        this.admin = admin;
        this.region = TestData.unique("R");
        assertThat(admin.post("/api/v1/regions", Map.of("code", region, "name", "华东区"))
                        .status())
                .isEqualTo(201);
    }

    /** A new mobile number in national form, unique in this test run (e.g. 13912345678). */
    static String phone() {
        return "139" + String.format("%08d", PHONE.incrementAndGet() % 100_000_000L);
    }

    static String e164(String national) {
        return "+86" + national;
    }

    String store() {
        String code = TestData.unique("S");
        assertThat(admin.post("/api/v1/stores", Map.of("code", code, "name", "阳光百货" + code, "regionCode", region))
                        .status())
                .isEqualTo(201);
        return code;
    }

    /** An API key with these roles, for all stores when {@code stores} is empty. */
    ApiClient as(Set<Role> roles, List<String> stores) {
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
        return admin.as(res.json().path("secret").asString());
    }

    ApiClient as(Role role, String... stores) {
        return as(Set.of(role), List.of(stores));
    }

    /** Enrols a member (as admin) and returns the created 360 view. */
    JsonNode member(Map<String, Object> fields) {
        var res = admin.post("/api/v1/members", fields);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    JsonNode member(String name, String phone, String store) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", name);
        m.put("phone", phone);
        if (store != null) {
            m.put("preferredStoreCode", store);
        }
        return member(m);
    }

    static Map<String, Object> with(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
