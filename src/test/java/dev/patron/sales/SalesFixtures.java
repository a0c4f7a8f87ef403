package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Organisation data, members and tickets for the sales tests, created over the real API with unique
 * codes: a store with two counters, a second store with one, two brands and a category.
 */
public final class SalesFixtures {

    private static final AtomicLong PHONE = new AtomicLong(20_000_000L + (System.nanoTime() / 1000) % 70_000_000L);

    public final ApiClient admin;
    public final String region = TestData.unique("R");
    public final String store = TestData.unique("S");
    public final String otherStore = TestData.unique("S");
    public final String counterA = TestData.unique("C");
    public final String counterB = TestData.unique("C");
    public final String otherCounter = TestData.unique("C");
    public final String brandA = TestData.unique("B");
    public final String brandB = TestData.unique("B");
    public final String category = TestData.unique("K");

    public SalesFixtures(ApiClient admin) {
        this.admin = admin;
        created(admin.post("/api/v1/regions", Map.of("code", region, "name", "华东区")));
        created(admin.post("/api/v1/stores", Map.of("code", store, "name", "阳光百货" + store, "regionCode", region)));
        created(admin.post(
                "/api/v1/stores", Map.of("code", otherStore, "name", "阳光百货" + otherStore, "regionCode", region)));
        created(admin.post("/api/v1/brands", Map.of("code", brandA, "name", "雅琳")));
        created(admin.post("/api/v1/brands", Map.of("code", brandB, "name", "君度")));
        created(admin.post("/api/v1/categories", Map.of("code", category, "name", "女装")));
        for (String[] c : new String[][] {{counterA, store}, {counterB, store}, {otherCounter, otherStore}}) {
            created(admin.post(
                    "/api/v1/counters",
                    Map.of("code", c[0], "name", "专柜" + c[0], "storeCode", c[1], "supplierName", "上海某服饰有限公司")));
        }
    }

    private static void created(ApiClient.Response res) {
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }

    public static String phone() {
        return "137" + String.format("%08d", PHONE.incrementAndGet() % 100_000_000L);
    }

    /** Enrols a member; returns the created member (id, cards[0].number, phone). */
    public JsonNode member(String name) {
        var res = admin.post("/api/v1/members", Map.of("name", name, "phone", phone(), "preferredStoreCode", store));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    /** An API key with one role for the given stores (all stores when none). */
    public ApiClient as(Role role, String... stores) {
        var res = admin.post(
                "/api/v1/api-keys",
                Map.of(
                        "name",
                        TestData.unique("key"),
                        "roles",
                        Set.of(role),
                        "allStores",
                        stores.length == 0,
                        "storeCodes",
                        List.of(stores)));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return admin.as(res.json().path("secret").asString());
    }

    /** A line: sku, counter, brand, quantity, unit price (fen), discount (fen); amount left for the server. */
    public static Map<String, Object> line(
            String sku, String counter, String brand, Object quantity, long price, long discount) {
        Map<String, Object> l = new HashMap<>();
        l.put("sku", sku);
        l.put("name", "商品" + sku);
        l.put("counterCode", counter);
        l.put("brandCode", brand);
        l.put("quantity", quantity);
        l.put("unitPriceFen", price);
        l.put("discountFen", discount);
        return l;
    }

    public static Map<String, Object> payment(String method, long amount) {
        return Map.of("method", method, "amountFen", amount);
    }

    /** A sale at {@link #store} with the given lines, paid in one MOBILE_PAY payment of {@code total}. */
    public Map<String, Object> sale(String txn, long total, List<Map<String, Object>> lines) {
        Map<String, Object> s = new HashMap<>();
        s.put("storeCode", store);
        s.put("posTerminal", "POS-01");
        s.put("posTransactionId", txn);
        s.put("businessDate", "2026-11-20");
        s.put("occurredAt", "2026-11-20T14:03:11+08:00");
        s.put("cashier", "C001");
        s.put("lines", new ArrayList<>(lines));
        s.put("payments", List.of(payment("MOBILE_PAY", total)));
        return s;
    }

    /** A simple two-line sale of 458.00 + 2 × 99.00 = 656.00 yuan. */
    /** A return of everything left of the sale {@code originalTxn} at {@link #store} (no lines named). */
    public Map<String, Object> fullReturn(String originalTxn) {
        return Map.of(
                "storeCode", store, "posTransactionId", TestData.unique("R"), "originalPosTransactionId", originalTxn);
    }

    public Map<String, Object> simpleSale(String txn) {
        return sale(
                txn,
                45_800 + 19_800,
                List.of(
                        line("SKU-1", counterA, brandA, 1, 49_800, 4_000),
                        line("SKU-2", counterB, brandB, 2, 9_900, 0)));
    }

    public static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * Runs an uploaded sales import job all-or-nothing without points and waits (up to {@code wait})
     * until it leaves QUEUED/RUNNING; asserts it ended DONE and returns the finished job.
     */
    public static JsonNode runImportToDone(ApiClient admin, long jobId, java.time.Duration wait) {
        var started = admin.post(
                "/api/v1/sales-imports/" + jobId + "/run", Map.of("mode", "ALL_OR_NOTHING", "accruePoints", false));
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        JsonNode[] job = new JsonNode[1];
        org.awaitility.Awaitility.await("sales import " + jobId + " finishes")
                .atMost(wait)
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> {
                    job[0] = admin.get("/api/v1/sales-imports/" + jobId).json();
                    String status = job[0].path("status").asString();
                    return !"RUNNING".equals(status) && !"QUEUED".equals(status);
                });
        assertThat(job[0].path("status").asString()).as(job[0].toString()).isEqualTo("DONE");
        return job[0];
    }
}
