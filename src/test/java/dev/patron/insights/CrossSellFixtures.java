package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-made store for cross-sell: categories 手袋 (bag), 皮带 (belt), 丝巾 (scarf), 童装 (kids) and
 * 女鞋 (shoes); brands cheap / middle / dear for the shoes; members and tickets over the real sales
 * API (one ticket per basket), including a sale returned in full that must not count.
 *
 * <pre>
 *   baskets                                   count
 *   {bag, belt}      bagBelt member + 5 anon    6
 *   {bag}            bagOnly member + 1 anon    2
 *   {scarf}          scarfOnly member            1
 *   {scarf, kids}    anonymous                   4
 *   {kids}           anonymous                   1
 *   {shoes}          24 anonymous at ¥10..¥240 (brand by price) + bagOnly member at ¥10   25
 *   {bag, belt}      anonymous, returned in full — no basket
 * </pre>
 * 39 baskets. At min support 0.1 (4 baskets) and confidence 0.5 the rules are bag ⇒ belt (6/8),
 * belt ⇒ bag (6/6), scarf ⇒ kids (4/5) and kids ⇒ scarf (4/5).
 */
public final class CrossSellFixtures {

    public static final String DATE = "2026-11-20";
    private static final AtomicInteger TXN = new AtomicInteger();

    public final ApiClient admin;
    public final SalesFixtures org;
    public final String bag = TestData.unique("XB");
    public final String belt = TestData.unique("XL");
    public final String scarf = TestData.unique("XS");
    public final String kids = TestData.unique("XK");
    public final String shoes = TestData.unique("XF");
    public final String cheap = TestData.unique("BC");
    public final String middle = TestData.unique("BM");
    public final String dear = TestData.unique("BD");
    public final long bagBelt;
    public final long bagOnly;
    public final long scarfOnly;
    public final long nothing;

    public CrossSellFixtures(ApiClient admin) {
        this.admin = admin;
        this.org = new SalesFixtures(admin);
        Map<String, String> names = Map.of(bag, "手袋", belt, "皮带", scarf, "丝巾", kids, "童装", shoes, "女鞋");
        names.forEach((code, name) -> created(admin.post("/api/v1/categories", Map.of("code", code, "name", name))));
        created(admin.post("/api/v1/brands", Map.of("code", cheap, "name", "平价鞋", "nameEn", "Cheap shoes")));
        created(admin.post("/api/v1/brands", Map.of("code", middle, "name", "中档鞋", "nameEn", "Middle shoes")));
        created(admin.post("/api/v1/brands", Map.of("code", dear, "name", "高档鞋", "nameEn", "Dear shoes")));
        bagBelt = org.member("连带甲").path("id").asLong();
        bagOnly = org.member("连带乙").path("id").asLong();
        scarfOnly = org.member("连带丙").path("id").asLong();
        nothing = org.member("连带丁").path("id").asLong();
        sale(bagBelt, line(bag, null, 50_000), line(belt, null, 20_000));
        for (int i = 0; i < 5; i++) {
            sale(null, line(bag, null, 40_000), line(belt, null, 15_000));
        }
        sale(bagOnly, line(bag, null, 30_000));
        sale(null, line(bag, null, 30_000));
        sale(scarfOnly, line(scarf, null, 9_000));
        for (int i = 0; i < 4; i++) {
            sale(null, line(scarf, null, 9_000), line(kids, null, 12_000));
        }
        sale(null, line(kids, null, 12_000));
        for (int i = 1; i <= 24; i++) {
            long price = i * 1_000L;
            sale(null, line(shoes, price <= 6_000 ? cheap : price <= 12_000 ? middle : dear, price));
        }
        sale(bagOnly, line(shoes, cheap, 1_000));
        String returned = sale(null, line(bag, null, 40_000), line(belt, null, 15_000));
        var ret = admin.post(
                "/api/v1/returns",
                Map.of(
                        "storeCode",
                        org.store,
                        "posTransactionId",
                        TestData.unique("R"),
                        "originalPosTransactionId",
                        returned,
                        "businessDate",
                        DATE));
        assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
    }

    static Map<String, Object> line(String category, String brand, long price) {
        Map<String, Object> l = new HashMap<>();
        l.put("sku", "SKU-" + category);
        l.put("name", "商品");
        l.put("categoryCode", category);
        if (brand != null) {
            l.put("brandCode", brand);
        }
        l.put("quantity", 1);
        l.put("unitPriceFen", price);
        l.put("discountFen", 0);
        return l;
    }

    @SafeVarargs
    private String sale(Long member, Map<String, Object>... lines) {
        String txn = "XS-" + TestData.unique("") + "-" + TXN.incrementAndGet();
        long total = 0;
        for (Map<String, Object> l : lines) {
            total += (Long) l.get("unitPriceFen");
        }
        Map<String, Object> s = new HashMap<>();
        s.put("storeCode", org.store);
        s.put("posTransactionId", txn);
        s.put("businessDate", DATE);
        s.put("occurredAt", DATE + "T15:00:00+08:00");
        s.put("lines", new ArrayList<>(List.of(lines)));
        s.put("payments", List.of(SalesFixtures.payment("CASH", total)));
        if (member != null) {
            s.put("memberId", member);
        }
        var res = admin.post("/api/v1/sales", s);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    /** Mines this store's baskets at category level and waits for the run; returns it. */
    public tools.jackson.databind.JsonNode mine(String minSupport, String minConfidence) {
        return AssociationRulesIntegrationTests.mineAndWait(
                admin,
                Map.of(
                        "level",
                        "category",
                        "minSupport",
                        new java.math.BigDecimal(minSupport),
                        "minConfidence",
                        new java.math.BigDecimal(minConfidence),
                        "from",
                        DATE,
                        "to",
                        DATE,
                        "storeCodes",
                        List.of(org.store)));
    }

    private static void created(ApiClient.Response res) {
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }
}
