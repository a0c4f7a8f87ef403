package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The gift pages over real HTTP: the catalog (search, sort, paging, both languages), the gift form
 * with inline errors, the stock page (receive/adjust by the store manager, store scope), and the
 * desk (find a member by card, reserve, hand out, cancel) with the points and stock as the API sees them.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GiftPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    ApiClient admin;
    SalesFixtures fx;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    GiftPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        for (Role role : List.of(Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF)) {
            boolean limited = role != Role.ADMIN;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "礼品测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(fx.store) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    private ConsoleSession signedIn(Role role, String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    private String gift(String prefix, long price) {
        String code = TestData.unique(prefix).toUpperCase();
        var res = admin.post(
                "/api/v1/loyalty/gifts",
                Map.of("code", code, "nameZh", "礼品" + code, "nameEn", "Gift " + code, "pointsPrice", price));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return code;
    }

    @Test
    void theCatalogSearchesSortsAndPagesInBothLanguages() {
        String prefix = TestData.unique("PG").toUpperCase();
        gift(prefix + "A", 300);
        gift(prefix + "B", 100);
        gift(prefix + "C", 200);
        ConsoleSession s = signedIn(Role.ADMIN, "en");
        Page page = s.get("/loyalty/gifts?q=" + prefix + "&sort=-pointsPrice&size=2");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Gift catalog", "Showing 1–2 of 3", "rel=\"next\"", "id=\"new-gift\"");
        assertThat(page.body().indexOf(prefix + "A")).isLessThan(page.body().indexOf(prefix + "C"));
        assertThat(page.body()).doesNotContain(prefix + "B-");
        Page fragment = s.get("/loyalty/gifts?q=" + prefix + "B", Map.of("HX-Request", "true"));
        assertThat(fragment.body()).contains(prefix + "B").doesNotContain("<html");

        ConsoleSession zh = signedIn(Role.COUNTER_STAFF, "zh-CN");
        Page chinese = zh.get("/loyalty/gifts?q=" + prefix);
        assertThat(chinese.status()).isEqualTo(200);
        assertThat(chinese.body()).contains("礼品目录", "会员忠诚度", "礼品兑换", "礼品" + prefix + "A");
        assertThat(chinese.body()).doesNotContain("id=\"new-gift\"");
        assertThat(zh.get("/loyalty/gifts/new").status()).isEqualTo(403);
    }

    @Test
    void theGiftFormShowsErrorsInlineAndSaves() {
        ConsoleSession s = signedIn(Role.ADMIN, "en");
        assertThat(s.get("/loyalty/gifts/new").status()).isEqualTo(200);
        Page bad = s.submit(
                "/loyalty/gifts",
                Form.of(
                        "code",
                        "bad code",
                        "nameZh",
                        "",
                        "nameEn",
                        "Mug",
                        "pointsPrice",
                        "0",
                        "cashFen",
                        "0",
                        "validFrom",
                        "2026-12-10",
                        "validTo",
                        "2026-12-01",
                        "active",
                        "true"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body())
                .contains(
                        "must be 1 to 30 capital letters, digits, _ or -",
                        "must not be empty",
                        "must not be before the first valid day",
                        "is-invalid");
        String code = TestData.unique("FORM").toUpperCase();
        Page ok = s.submit(
                "/loyalty/gifts",
                Form.of(
                        "code",
                        code,
                        "nameZh",
                        "保温杯",
                        "nameEn",
                        "Mug",
                        "description",
                        "500 ml",
                        "pointsPrice",
                        "800",
                        "cashFen",
                        "1990",
                        "imageUrl",
                        "",
                        "validFrom",
                        "2026-01-01",
                        "validTo",
                        "",
                        "active",
                        "true"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(302);
        JsonNode saved = admin.get("/api/v1/loyalty/gifts/" + code).json();
        assertThat(saved.path("pointsPrice").asLong()).isEqualTo(800);
        assertThat(saved.path("cashFen").asLong()).isEqualTo(1990);
        assertThat(saved.path("validFrom").asString()).isEqualTo("2026-01-01");
        Page edit = s.get("/loyalty/gifts/" + code + "/edit");
        assertThat(edit.status()).isEqualTo(200);
        assertThat(edit.body()).contains("保温杯", "value=\"800\"");
        Page changed = s.submit(
                "/loyalty/gifts/" + code,
                Form.of(
                        "code",
                        code,
                        "nameZh",
                        "保温杯",
                        "nameEn",
                        "Thermos",
                        "pointsPrice",
                        "900",
                        "cashFen",
                        "0",
                        "validFrom",
                        "",
                        "validTo",
                        "",
                        "active",
                        "false"));
        assertThat(changed.status()).isEqualTo(302);
        saved = admin.get("/api/v1/loyalty/gifts/" + code).json();
        assertThat(saved.path("nameEn").asString()).isEqualTo("Thermos");
        assertThat(saved.path("active").asBoolean()).isFalse();
        assertThat(signedIn(Role.STORE_MANAGER, "en")
                        .submit("/loyalty/gifts/" + code, Form.of("nameZh", "x"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void theStoreManagerReceivesAndAdjustsTheStockOfTheOwnStore() {
        String code = gift("STK", 100);
        ConsoleSession manager = signedIn(Role.STORE_MANAGER, "en");
        Page received = manager.submit(
                "/loyalty/gifts/" + code + "/stock",
                Form.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", "6", "reason", ""));
        assertThat(received.status()).isEqualTo(302);
        Page noReason = manager.submit(
                "/loyalty/gifts/" + code + "/stock",
                Form.of("storeCode", fx.store, "kind", "ADJUST", "quantity", "-2", "reason", ""));
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.body()).contains("must not be empty", "is-invalid");
        assertThat(manager.submit(
                                "/loyalty/gifts/" + code + "/stock",
                                Form.of("storeCode", fx.store, "kind", "ADJUST", "quantity", "-2", "reason", "破损"))
                        .status())
                .isEqualTo(302);
        assertThat(manager.submit(
                                "/loyalty/gifts/" + code + "/stock",
                                Form.of("storeCode", fx.otherStore, "kind", "RECEIVE", "quantity", "6"))
                        .status())
                .isEqualTo(403);
        assertThat(signedIn(Role.COUNTER_STAFF, "en")
                        .submit(
                                "/loyalty/gifts/" + code + "/stock",
                                Form.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", "6"))
                        .status())
                .isEqualTo(403);
        Page page = manager.get("/loyalty/gifts/" + code + "/stock");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Stock per store", fx.store, "破损", "Received", "Adjusted");
        assertThat(admin.get("/api/v1/loyalty/gifts/" + code + "/stock")
                        .json()
                        .get(0)
                        .path("onHand")
                        .asLong())
                .isEqualTo(4);
    }

    @Test
    void theDeskReservesHandsOutAndCancels() {
        String code = gift("DESK", 250);
        admin.post(
                "/api/v1/loyalty/gifts/" + code + "/stock",
                Map.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", 3));
        JsonNode member = fx.member("兑换台");
        long m = member.path("id").asLong();
        String card = member.path("cards").get(0).path("number").asString();
        admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", m, "points", 1000, "reason", "test"));

        ConsoleSession clerk = signedIn(Role.COUNTER_STAFF, "en");
        Page desk = clerk.get("/loyalty/gifts/desk?storeCode=" + fx.store + "&member=" + card);
        assertThat(desk.status()).isEqualTo(200);
        assertThat(desk.body()).contains("Member " + m + ": 1000 points can be spent now", code, "250 points · 3 left");
        String key = value(desk.body(), "idempotencyKey");

        Page tooMany = clerk.submit(
                "/loyalty/gifts/desk/reserve",
                Form.of(
                        "idempotencyKey",
                        key,
                        "storeCode",
                        fx.store,
                        "member",
                        card,
                        "giftCode",
                        code,
                        "quantity",
                        "5"));
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.body()).contains("only 3 left at this store", "is-invalid");

        Form reserve = Form.of(
                "idempotencyKey", key, "storeCode", fx.store, "member", card, "giftCode", code, "quantity", "2");
        Page reserved = clerk.submit("/loyalty/gifts/desk/reserve", reserve);
        assertThat(reserved.status()).isEqualTo(302);
        // a double submit replays the same reservation
        Form again = Form.of(
                "idempotencyKey", key, "storeCode", fx.store, "member", card, "giftCode", code, "quantity", "2");
        assertThat(clerk.submit("/loyalty/gifts/desk/reserve", again).status()).isEqualTo(302);
        assertThat(admin.get("/api/v1/members/" + m + "/points")
                        .json()
                        .path("balance")
                        .asLong())
                .isEqualTo(500);

        Page open = clerk.get(local(reserved.location()));
        assertThat(open.body()).contains("Member " + m + ": 500 points can be spent now", "Hand out");
        long id = admin.get("/api/v1/members/" + m + "/gift-reservations")
                .json()
                .path("items")
                .get(0)
                .path("id")
                .asLong();
        String confirmKey = hiddenAfter(open.body(), "/reservations/" + id + "/confirm");
        assertThat(clerk.submit("/loyalty/gifts/reservations/" + id + "/confirm", Form.of("idempotencyKey", confirmKey))
                        .status())
                .isEqualTo(302);
        assertThat(admin.get("/api/v1/gift-reservations/" + id)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("CONFIRMED");

        Page second = clerk.get("/loyalty/gifts/desk?storeCode=" + fx.store + "&member=" + card);
        Page r2 = clerk.submit(
                "/loyalty/gifts/desk/reserve",
                Form.of(
                        "idempotencyKey",
                        value(second.body(), "idempotencyKey"),
                        "storeCode",
                        fx.store,
                        "member",
                        card,
                        "giftCode",
                        code,
                        "quantity",
                        "1"));
        assertThat(r2.status()).isEqualTo(302);
        long id2 = admin.get("/api/v1/members/" + m + "/gift-reservations")
                .json()
                .path("items")
                .get(0)
                .path("id")
                .asLong();
        String cancelKey = hiddenAfter(clerk.get(local(r2.location())).body(), "/reservations/" + id2 + "/cancel");
        assertThat(clerk.submit("/loyalty/gifts/reservations/" + id2 + "/cancel", Form.of("idempotencyKey", cancelKey))
                        .status())
                .isEqualTo(302);
        assertThat(admin.get("/api/v1/gift-reservations/" + id2)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("CANCELLED");
        assertThat(admin.get("/api/v1/members/" + m + "/points")
                        .json()
                        .path("balance")
                        .asLong())
                .isEqualTo(500);
        JsonNode stock =
                admin.get("/api/v1/loyalty/gifts/" + code + "/stock").json().get(0);
        assertThat(stock.path("onHand").asLong()).isEqualTo(1);
        assertThat(stock.path("reserved").asLong()).isZero();

        // out of scope: the other store's desk
        assertThat(clerk.get("/loyalty/gifts/desk?storeCode=" + fx.otherStore).status())
                .isEqualTo(403);
        // unknown card: shown next to the field
        assertThat(clerk.get("/loyalty/gifts/desk?storeCode=" + fx.store + "&member=NO-SUCH-CARD")
                        .body())
                .contains("no active member has this identifier");
    }

    private static String local(String location) {
        java.net.URI u = java.net.URI.create(location);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    private static String value(String html, String name) {
        Matcher mm = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
        if (mm.find()) {
            return mm.group(1);
        }
        mm = Pattern.compile("value=\"([^\"]*)\"[^>]*name=\"" + name + "\"").matcher(html);
        assertThat(mm.find()).as(name + " in " + html).isTrue();
        return mm.group(1);
    }

    private static String hiddenAfter(String html, String action) {
        int at = html.indexOf(action);
        assertThat(at).as(action).isGreaterThan(0);
        return value(html.substring(at), "idempotencyKey");
    }
}
