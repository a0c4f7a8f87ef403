package dev.patron.loyalty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/** Gift catalog, stock and reservations over real HTTP against the real database. */
@PatronIntegrationTest
class GiftIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    @Autowired
    GiftCatalog catalog;

    @Autowired
    GiftReservationExpiry expiry;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    // ------------------------------------------------------------------ helpers

    private String gift(long price, Object... extra) {
        String code = TestData.unique("G").toUpperCase();
        Map<String, Object> body = new HashMap<>(Map.of(
                "code", code, "nameZh", "保温杯" + code, "nameEn", "Mug " + code, "pointsPrice", price, "cashFen", 500));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        var res = admin.post("/api/v1/loyalty/gifts", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return code;
    }

    private void receive(String gift, String store, long quantity) {
        var res = admin.post(
                "/api/v1/loyalty/gifts/" + gift + "/stock",
                Map.of("storeCode", store, "kind", "RECEIVE", "quantity", quantity));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
    }

    private long memberWith(long points) {
        long m = fx.member("礼品" + TestData.unique("")).path("id").asLong();
        if (points > 0) {
            give(m, points);
        }
        return m;
    }

    private void give(long m, long points) {
        var res = admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", m, "points", points, "reason", "test"));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }

    private ApiClient.Response reserve(ApiClient as, String key, long member, String gift, String store, int qty) {
        return as.post(
                "/api/v1/gift-reservations",
                Map.of(
                        "idempotencyKey",
                        key,
                        "memberId",
                        member,
                        "giftCode",
                        gift,
                        "storeCode",
                        store,
                        "quantity",
                        qty));
    }

    private long balance(long m) {
        return admin.get("/api/v1/members/" + m + "/points")
                .json()
                .path("balance")
                .asLong();
    }

    private JsonNode stockAt(String gift, String store) {
        for (JsonNode s : admin.get("/api/v1/loyalty/gifts/" + gift + "/stock").json()) {
            if (s.path("storeCode").asString().equals(store)) {
                return s;
            }
        }
        throw new AssertionError("no stock of " + gift + " at " + store);
    }

    private List<Long> lots(long m) {
        return jdbc.sql("select remaining from loyalty.lot where member_id = ? order by id")
                .param(m)
                .query(Long.class)
                .list();
    }

    private void assertExact(long m, String gift, String store) {
        assertThat(loyalty.verify(m)).isEmpty();
        assertThat(catalog.verifyStock(gift, store)).isEmpty();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void reserveConfirmAndCancelKeepPointsLotsAndStockExact() {
        String g = gift(350);
        receive(g, fx.store, 5);
        long m = fx.member("礼品兑换").path("id").asLong();
        // a lot earned in 2025 (expires at the end of 2026) and a lot earned today (end of 2027)
        var old = admin.post(
                "/api/v1/sales",
                SalesFixtures.with(
                        fx.simpleSale(TestData.unique("T")),
                        "memberId",
                        m,
                        "businessDate",
                        "2025-06-01",
                        "occurredAt",
                        "2025-06-01T10:00:00+08:00"));
        assertThat(old.status()).as(old.raw()).isEqualTo(201);
        LoyaltyIntegrationTests.await(() -> balance(m) == 656, () -> String.valueOf(balance(m)));
        give(m, 200);
        assertThat(lots(m)).containsExactly(656L, 200L);

        String key = TestData.unique("r");
        var r = reserve(admin, key, m, g, fx.store, 2);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        JsonNode res = r.json();
        assertThat(res.path("status").asString()).isEqualTo("RESERVED");
        assertThat(res.path("points").asLong()).isEqualTo(700);
        assertThat(res.path("cashFen").asLong()).isEqualTo(1000);
        assertThat(res.path("balanceAfter").asLong()).isEqualTo(156);
        long id = res.path("id").asLong();
        // the earliest-expiring lot first
        assertThat(lots(m)).containsExactly(0L, 156L);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isEqualTo(2);
        assertThat(stockAt(g, fx.store).path("available").asLong()).isEqualTo(3);
        // replay: same result, nothing taken twice; same key with other content: 409
        assertThat(reserve(admin, key, m, g, fx.store, 2).json().path("id").asLong())
                .isEqualTo(id);
        assertThat(reserve(admin, key, m, g, fx.store, 1).status()).isEqualTo(409);
        assertThat(balance(m)).isEqualTo(156);
        assertExact(m, g, fx.store);
        JsonNode entry = admin.get("/api/v1/members/" + m + "/points/ledger")
                .json()
                .path("items")
                .get(0);
        assertThat(entry.path("kind").asString()).isEqualTo("REDEEM");
        assertThat(entry.path("points").asLong()).isEqualTo(-700);
        assertThat(entry.path("reason").asString()).contains(g);
        assertThat(jdbc.sql("select gift_reservation_id from loyalty.entry where member_id = ? and kind = 'REDEEM'")
                        .param(m)
                        .query(Long.class)
                        .single())
                .isEqualTo(id);

        // points spent elsewhere in between come from the later lot; cancelling gives back exactly the lots used
        var spend = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("k"), "memberId", m, "points", 100, "storeCode", fx.store));
        assertThat(spend.status()).as(spend.raw()).isEqualTo(201);
        assertThat(lots(m)).containsExactly(0L, 56L);
        String cancelKey = TestData.unique("c");
        var cancel = admin.post("/api/v1/gift-reservations/" + id + "/cancel", Map.of("idempotencyKey", cancelKey));
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
        assertThat(cancel.json().path("status").asString()).isEqualTo("CANCELLED");
        assertThat(lots(m)).containsExactly(656L, 100L);
        assertThat(balance(m)).isEqualTo(756);
        assertThat(admin.post("/api/v1/gift-reservations/" + id + "/cancel", Map.of("idempotencyKey", cancelKey))
                        .status())
                .isEqualTo(200);
        assertThat(admin.post("/api/v1/gift-reservations/" + id + "/cancel", Map.of("idempotencyKey", "other"))
                        .status())
                .isEqualTo(409);
        assertThat(admin.post("/api/v1/gift-reservations/" + id + "/confirm", Map.of("idempotencyKey", "x"))
                        .status())
                .isEqualTo(409);
        assertThat(balance(m)).isEqualTo(756);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isZero();
        assertThat(stockAt(g, fx.store).path("onHand").asLong()).isEqualTo(5);
        assertExact(m, g, fx.store);

        // reserve again and hand out: the items leave the stock, the points stay spent
        var second = reserve(admin, TestData.unique("r"), m, g, fx.store, 1);
        assertThat(second.status()).as(second.raw()).isEqualTo(201);
        long id2 = second.json().path("id").asLong();
        String confirmKey = TestData.unique("h");
        var confirmed =
                admin.post("/api/v1/gift-reservations/" + id2 + "/confirm", Map.of("idempotencyKey", confirmKey));
        assertThat(confirmed.status()).as(confirmed.raw()).isEqualTo(200);
        assertThat(confirmed.json().path("status").asString()).isEqualTo("CONFIRMED");
        assertThat(admin.post("/api/v1/gift-reservations/" + id2 + "/confirm", Map.of("idempotencyKey", confirmKey))
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("CONFIRMED");
        assertThat(admin.post("/api/v1/gift-reservations/" + id2 + "/cancel", Map.of("idempotencyKey", "late"))
                        .status())
                .isEqualTo(409);
        assertThat(balance(m)).isEqualTo(406);
        assertThat(stockAt(g, fx.store).path("onHand").asLong()).isEqualTo(4);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isZero();
        assertExact(m, g, fx.store);

        JsonNode mine = admin.get("/api/v1/members/" + m + "/gift-reservations").json();
        assertThat(mine.path("totalItems").asLong()).isEqualTo(2);
        assertThat(mine.path("items").get(0).path("status").asString()).isEqualTo("CONFIRMED");
        JsonNode movements = admin.get("/api/v1/loyalty/gifts/" + g + "/stock/movements?storeCode=" + fx.store)
                .json();
        List<String> kinds = new ArrayList<>();
        movements.path("items").forEach(x -> kinds.add(x.path("kind").asString()));
        assertThat(kinds).containsExactly("HAND_OUT", "RESERVE", "RELEASE", "RESERVE", "RECEIVE");
        for (String action : List.of("gift.reserved", "gift.reservationCancelled", "gift.handedOut")) {
            assertThat(jdbc.sql("select count(*) from audit.audit_event where action = ? and entity_id = ?")
                            .params(action, String.valueOf(m))
                            .query(Long.class)
                            .single())
                    .as(action)
                    .isEqualTo(action.equals("gift.reserved") ? 2L : 1L);
        }
    }

    @Test
    void concurrentReservationsOfTheLastItemsNeverOversell() throws Exception {
        String g = gift(100);
        receive(g, fx.store, 3);
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ms.add(memberWith(500));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ApiClient.Response>> results = new ArrayList<>();
        for (long m : ms) {
            results.add(pool.submit(() -> {
                go.await();
                return reserve(admin, TestData.unique("r"), m, g, fx.store, 1);
            }));
        }
        go.countDown();
        int ok = 0;
        for (Future<ApiClient.Response> f : results) {
            ApiClient.Response res = f.get();
            if (res.status() == 201) {
                ok++;
            } else {
                assertThat(res.status()).as(res.raw()).isEqualTo(422);
                assertThat(res.fieldError("quantity")).isEqualTo("only 0 left at this store");
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(3);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isEqualTo(3);
        assertThat(stockAt(g, fx.store).path("available").asLong()).isZero();
        assertThat(catalog.verifyStock(g, fx.store)).isEmpty();
        long spent = 0;
        for (long m : ms) {
            assertThat(loyalty.verify(m)).isEmpty();
            spent += 500 - balance(m);
        }
        assertThat(spent).isEqualTo(300);
    }

    @Test
    void concurrentReservationsOfOneMembersPointsNeverOverdraw() throws Exception {
        String g = gift(300);
        receive(g, fx.store, 20);
        long m = memberWith(1000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String key = TestData.unique("r");
            results.add(pool.submit(() -> {
                go.await();
                return reserve(admin, key, m, g, fx.store, 1).status();
            }));
        }
        go.countDown();
        int ok = 0;
        for (Future<Integer> f : results) {
            int status = f.get();
            if (status == 201) {
                ok++;
            } else {
                assertThat(status).isEqualTo(422);
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(3);
        assertThat(balance(m)).isEqualTo(100);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isEqualTo(3);
        assertExact(m, g, fx.store);
        var tooMuch = reserve(admin, TestData.unique("r"), m, g, fx.store, 1);
        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(tooMuch.fieldError("quantity")).isEqualTo("needs 300 points, only 100 can be spent now");
        var zh = reserve(admin.inLanguage("zh-CN"), TestData.unique("r"), m, g, fx.store, 1);
        assertThat(zh.fieldError("quantity")).isEqualTo("需要 300 积分，当前仅可使用 100 积分");
    }

    @Test
    void refusalsNameTheFieldAndTheReason() {
        long m = memberWith(10_000);
        String g = gift(100);
        receive(g, fx.store, 2);

        var outOfStock = reserve(admin, TestData.unique("r"), m, g, fx.store, 3);
        assertThat(outOfStock.status()).isEqualTo(422);
        assertThat(outOfStock.fieldError("quantity")).isEqualTo("only 2 left at this store");
        var otherStore = reserve(admin, TestData.unique("r"), m, g, fx.otherStore, 1);
        assertThat(otherStore.fieldError("quantity")).isEqualTo("only 0 left at this store");

        String inactive = gift(100, "active", false);
        receive(inactive, fx.store, 2);
        var inactiveRes = reserve(admin, TestData.unique("r"), m, inactive, fx.store, 1);
        assertThat(inactiveRes.status()).isEqualTo(422);
        assertThat(inactiveRes.fieldError("giftCode")).isEqualTo("gift " + inactive + " is not active");

        LocalDate today = LocalDate.now(LoyaltyManagement.ZONE);
        String future = gift(100, "validFrom", today.plusDays(3).toString());
        receive(future, fx.store, 2);
        var notYet = admin.inLanguage("zh-CN")
                .post(
                        "/api/v1/gift-reservations",
                        Map.of(
                                "idempotencyKey",
                                TestData.unique("r"),
                                "memberId",
                                m,
                                "giftCode",
                                future,
                                "storeCode",
                                fx.store));
        assertThat(notYet.status()).isEqualTo(422);
        assertThat(notYet.fieldError("giftCode")).startsWith("礼品 " + future + " 在 " + today + " 不可兑换");
        String past = gift(100, "validTo", today.minusDays(1).toString());
        receive(past, fx.store, 2);
        assertThat(reserve(admin, TestData.unique("r"), m, past, fx.store, 1).fieldError("giftCode"))
                .contains("cannot be redeemed on " + today);
        assertThat(reserve(admin, TestData.unique("r"), m, "NO-SUCH-GIFT", fx.store, 1)
                        .fieldError("giftCode"))
                .isEqualTo("gift NO-SUCH-GIFT does not exist");

        // a card that is frozen or reported lost cannot redeem; the member by id still can
        for (String status : List.of("FROZEN", "REPORTED_LOST")) {
            JsonNode member = fx.member("卡" + status);
            String card = member.path("cards").get(0).path("number").asString();
            give(member.path("id").asLong(), 1000);
            assertThat(admin.post("/api/v1/cards/" + card + "/status", Map.of("status", status, "reason", "test"))
                            .status())
                    .isEqualTo(200);
            var byCard = admin.post(
                    "/api/v1/gift-reservations",
                    Map.of(
                            "idempotencyKey",
                            TestData.unique("r"),
                            "cardNumber",
                            card,
                            "giftCode",
                            g,
                            "storeCode",
                            fx.store));
            assertThat(byCard.status()).as(byCard.raw()).isEqualTo(422);
            assertThat(byCard.fieldError("cardNumber")).contains("not active");
        }
        // an erased member is no longer active
        long erased = memberWith(1000);
        assertThat(admin.post("/api/v1/members/" + erased + "/erase", Map.of("reason", "会员申请注销"))
                        .status())
                .isEqualTo(200);
        var erasedRes = reserve(admin, TestData.unique("r"), erased, g, fx.store, 1);
        assertThat(erasedRes.status()).isEqualTo(422);
        assertThat(erasedRes.fieldError("memberId")).isEqualTo("no active member has this identifier");

        // bad requests name the field
        var bad = admin.post("/api/v1/gift-reservations", Map.of("memberId", m, "quantity", 0));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("idempotencyKey")).isEqualTo("must not be empty");
        assertThat(bad.fieldError("quantity")).isEqualTo("must be between 1 and 99 items");
        assertThat(bad.fieldError("giftCode")).isEqualTo("must not be empty");
        assertThat(bad.fieldError("storeCode")).isEqualTo("must not be empty");
        var badGift = admin.post(
                "/api/v1/loyalty/gifts",
                Map.of(
                        "code",
                        "bad code",
                        "nameEn",
                        "x",
                        "pointsPrice",
                        0,
                        "imageUrl",
                        "ftp://x",
                        "validFrom",
                        "2026-12-01",
                        "validTo",
                        "2026-11-01"));
        assertThat(badGift.status()).isEqualTo(400);
        assertThat(badGift.fieldError("code")).isEqualTo("must be 1 to 30 capital letters, digits, _ or -");
        assertThat(badGift.fieldError("nameZh")).isEqualTo("must not be empty");
        assertThat(badGift.fieldError("pointsPrice")).contains("between 1 and");
        assertThat(badGift.fieldError("imageUrl")).contains("http");
        assertThat(badGift.fieldError("validTo")).isEqualTo("must not be before the first valid day");
        var dup = admin.post(
                "/api/v1/loyalty/gifts", Map.of("code", g, "nameZh", "重复", "nameEn", "dup", "pointsPrice", 1));
        assertThat(dup.fieldError("code")).isEqualTo("a gift with this code already exists");
        var below = admin.post(
                "/api/v1/loyalty/gifts/" + g + "/stock",
                Map.of("storeCode", fx.store, "kind", "ADJUST", "quantity", -5, "reason", "盘点"));
        assertThat(below.status()).isEqualTo(422);
        var noReason = admin.post(
                "/api/v1/loyalty/gifts/" + g + "/stock",
                Map.of("storeCode", fx.store, "kind", "ADJUST", "quantity", -1));
        assertThat(noReason.fieldError("reason")).isEqualTo("must not be empty");
        var adjusted = admin.post(
                "/api/v1/loyalty/gifts/" + g + "/stock",
                Map.of("storeCode", fx.store, "kind", "ADJUST", "quantity", -1, "reason", "破损"));
        assertThat(adjusted.status()).as(adjusted.raw()).isEqualTo(200);
        assertThat(adjusted.json().path("onHand").asLong()).isEqualTo(1);
        assertThat(catalog.verifyStock(g, fx.store)).isEmpty();
        assertThat(loyalty.verify(m)).isEmpty();
        assertThat(balance(m)).isEqualTo(10_000);
    }

    @Test
    void rolesAndStoreScopeAreChecked() {
        String g = gift(100);
        long m = memberWith(1000);
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store);
        ApiClient staff = fx.as(Role.COUNTER_STAFF, fx.store);
        // the catalog is ADMIN's
        assertThat(manager.post(
                                "/api/v1/loyalty/gifts",
                                Map.of("code", "X1", "nameZh", "x", "nameEn", "x", "pointsPrice", 1))
                        .status())
                .isEqualTo(403);
        assertThat(manager.put("/api/v1/loyalty/gifts/" + g, Map.of("nameZh", "x", "nameEn", "x", "pointsPrice", 1))
                        .status())
                .isEqualTo(403);
        // stock: the manager of the store, not counter staff, not another store
        var received = manager.post(
                "/api/v1/loyalty/gifts/" + g + "/stock",
                Map.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", 4));
        assertThat(received.status()).as(received.raw()).isEqualTo(200);
        assertThat(manager.post(
                                "/api/v1/loyalty/gifts/" + g + "/stock",
                                Map.of("storeCode", fx.otherStore, "kind", "RECEIVE", "quantity", 4))
                        .status())
                .isEqualTo(403);
        assertThat(staff.post(
                                "/api/v1/loyalty/gifts/" + g + "/stock",
                                Map.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", 4))
                        .status())
                .isEqualTo(403);
        receive(g, fx.otherStore, 7);
        // the manager sees only the own store's stock
        JsonNode stock = manager.get("/api/v1/loyalty/gifts/" + g + "/stock").json();
        assertThat(stock.size()).isEqualTo(1);
        assertThat(manager.get("/api/v1/loyalty/gifts/" + g)
                        .json()
                        .path("onHand")
                        .asLong())
                .isEqualTo(4);
        assertThat(admin.get("/api/v1/loyalty/gifts/" + g).json().path("onHand").asLong())
                .isEqualTo(11);
        // counter staff redeem at their store only
        assertThat(reserve(staff, TestData.unique("r"), m, g, fx.otherStore, 1).status())
                .isEqualTo(403);
        var ok = reserve(staff, TestData.unique("r"), m, g, fx.store, 1);
        assertThat(ok.status()).as(ok.raw()).isEqualTo(201);
        long other = reserve(admin, TestData.unique("r"), m, g, fx.otherStore, 1)
                .json()
                .path("id")
                .asLong();
        assertThat(staff.post("/api/v1/gift-reservations/" + other + "/confirm", Map.of("idempotencyKey", "k"))
                        .status())
                .isEqualTo(403);
        assertThat(staff.get("/api/v1/members/" + m + "/gift-reservations")
                        .json()
                        .path("totalItems")
                        .asLong())
                .isEqualTo(1);
        var changed = admin.put(
                "/api/v1/loyalty/gifts/" + g,
                Map.of("nameZh", "新名称", "nameEn", "New name", "pointsPrice", 120, "active", true));
        assertThat(changed.status()).as(changed.raw()).isEqualTo(200);
        assertThat(changed.json().path("pointsPrice").asLong()).isEqualTo(120);
        var list = admin.get("/api/v1/loyalty/gifts?q=" + g + "&sort=-pointsPrice");
        assertThat(list.json().path("items").get(0).path("nameZh").asString()).isEqualTo("新名称");
        assertThat(admin.get("/api/v1/loyalty/gifts?sort=nope").status()).isEqualTo(400);
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action like 'gift.%' and entity_id = ?")
                        .param(g)
                        .query(Long.class)
                        .single())
                .isEqualTo(4L); // created, stock received twice, changed
    }

    @Test
    void reservationsNotHandedOutInTimeExpireAndGiveThePointsBack() {
        String g = gift(250);
        receive(g, fx.store, 3);
        long m = memberWith(1000);
        var hours = admin.put("/api/v1/loyalty/gift-settings", Map.of("reservationHours", 0));
        assertThat(hours.status()).isEqualTo(400);
        assertThat(hours.fieldError("reservationHours")).isEqualTo("must be between 1 and 720 hours");
        var r = reserve(admin, TestData.unique("r"), m, g, fx.store, 2);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        long id = r.json().path("id").asLong();
        var keep = reserve(admin, TestData.unique("r"), m, g, fx.store, 1);
        long kept = keep.json().path("id").asLong();
        assertThat(balance(m)).isEqualTo(250);
        // not due yet: nothing happens
        expiry.expireDue();
        assertThat(admin.get("/api/v1/gift-reservations/" + id)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("RESERVED");
        // the reservation was made 49 hours ago (the default is 48 hours)
        jdbc.sql("update loyalty.gift_reservation set created_at = created_at - interval '49 hours',"
                        + " expires_at = expires_at - interval '49 hours' where id = ?")
                .param(id)
                .update();
        expiry.expireDue(); // (the scheduled run may have been first: the outcome is the same)
        assertThat(admin.get("/api/v1/gift-reservations/" + id)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("EXPIRED");
        assertThat(admin.get("/api/v1/gift-reservations/" + kept)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("RESERVED");
        assertThat(balance(m)).isEqualTo(750);
        assertThat(stockAt(g, fx.store).path("reserved").asLong()).isEqualTo(1);
        expiry.expireDue(); // a second run changes nothing
        assertThat(balance(m)).isEqualTo(750);
        var late = admin.post("/api/v1/gift-reservations/" + id + "/confirm", Map.of("idempotencyKey", "late"));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.detail()).contains("expired");
        JsonNode entry = admin.get("/api/v1/members/" + m + "/points/ledger")
                .json()
                .path("items")
                .get(0);
        assertThat(entry.path("kind").asString()).isEqualTo("REDEEM_CANCEL");
        assertThat(entry.path("points").asLong()).isEqualTo(500);
        assertExact(m, g, fx.store);
    }

    @Test
    void theIdempotencyKeyMayComeInTheHeader() throws Exception {
        String g = gift(100);
        receive(g, fx.store, 2);
        long m = memberWith(500);
        String key = TestData.unique("h");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpRequest> post =
                path -> java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                path.endsWith("reservations")
                                        ? "{\"memberId\":" + m + ",\"giftCode\":\"" + g + "\",\"storeCode\":\""
                                                + fx.store + "\"}"
                                        : ""))
                        .build();
        var first =
                http.send(post.apply("/api/v1/gift-reservations"), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        var replay =
                http.send(post.apply("/api/v1/gift-reservations"), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(201);
        assertThat(replay.body()).isEqualTo(first.body());
        long id = tools.jackson.databind.json.JsonMapper.shared()
                .readTree(first.body())
                .path("id")
                .asLong();
        var confirm = http.send(
                post.apply("/api/v1/gift-reservations/" + id + "/confirm"),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(confirm.statusCode()).as(confirm.body()).isEqualTo(200);
        assertThat(balance(m)).isEqualTo(400);
        assertThat(stockAt(g, fx.store).path("onHand").asLong()).isEqualTo(1);
        assertExact(m, g, fx.store);
    }

    @Test
    void cancellingAfterAMergeGivesThePointsToTheSurvivor() {
        String g = gift(200);
        receive(g, fx.store, 2);
        long survivor = memberWith(300);
        long merged = memberWith(500);
        var r = reserve(admin, TestData.unique("r"), merged, g, fx.store, 1);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        long id = r.json().path("id").asLong();
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        LoyaltyIntegrationTests.await(() -> balance(survivor) == 600, () -> String.valueOf(balance(survivor)));
        var cancel = admin.post(
                "/api/v1/gift-reservations/" + id + "/cancel", Map.of("idempotencyKey", TestData.unique("c")));
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
        assertThat(balance(survivor)).isEqualTo(800);
        assertThat(jdbc.sql("select balance from loyalty.account where member_id = ?")
                        .param(merged)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(loyalty.verify(survivor)).isEmpty();
        assertThat(loyalty.verify(merged)).isEmpty();
        assertThat(catalog.verifyStock(g, fx.store)).isEmpty();
    }
}
