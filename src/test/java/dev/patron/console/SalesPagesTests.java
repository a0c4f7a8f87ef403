package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The sales pages over real HTTP: the KPI dashboard (figures as the API computes them, both
 * languages, grouping tabs, sort and paging, bad periods shown next to the picker), the ticket page
 * with lines, payments and returns, the purchase panel on the member 360 page, roles and store scope.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final StaffManagement staff;
    final JdbcClient jdbc;
    SalesData data;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    SalesPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff, @Autowired JdbcClient jdbc) {
        this.port = port;
        this.staff = staff;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void salesOfTwoWeeks() {
        data = SalesData.create(new ApiClient(port, TestData.BOOTSTRAP_API_KEY), jdbc, 14);
        for (Role role : List.of(Role.ADMIN, Role.ANALYST, Role.STORE_MANAGER, Role.COUNTER_STAFF)) {
            boolean limited = role == Role.STORE_MANAGER || role == Role.COUNTER_STAFF;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "销售测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(data.stores.get(1)) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    @Test
    void theDashboardShowsTheKpisOfTheApi() {
        String store = data.stores.get(0);
        String query = "from=" + data.from + "&to=" + data.to + "&storeCode=" + store;
        JsonNode api = data.admin.get("/api/v1/sales/kpis?" + query).json().path("total");
        ConsoleSession admin = signedIn(Role.ADMIN);

        Page page = admin.get("/sales?" + query);
        assertThat(page.status()).isEqualTo(200);
        String net = yuanShort(api.path("netSalesFen").asLong());
        assertThat(section(page.body(), "kpi-net")).contains("Net sales", net);
        assertThat(section(page.body(), "kpi-tickets"))
                .contains(api.path("tickets").asString());
        assertThat(section(page.body(), "kpi-conversion"))
                .contains(pct(api.path("conversion").decimalValue()));
        assertThat(page.body()).contains("id=\"sales-trend\"", "data-trend=");
        assertThat(page.body()).contains(store);

        Page byCounter = admin.get("/sales?" + query + "&groupBy=counter");
        assertThat(byCounter.body()).contains("专柜 " + data.counters.get(0), "专柜 " + data.counters.get(1));
        assertThat(byCounter.body()).doesNotContain("专柜 " + data.counters.get(2)); // the other store's

        ConsoleSession zh = new ConsoleSession(port, "zh-CN");
        zh.login(users.get(Role.ANALYST), PASSWORD);
        Page chinese = zh.get("/sales?" + query);
        assertThat(chinese.status()).isEqualTo(200);
        assertThat(chinese.body()).contains("净销售额", "客单价", "连带率", "会员销售占比", "成交率", net);
    }

    @Test
    void theTableSortsAndPages() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        String query = "from=" + data.from + "&to=" + data.to + "&storeCode=" + data.stores.get(0);
        Page days = admin.get("/sales?" + query + "&groupBy=day&size=5");
        assertThat(days.status()).isEqualTo(200);
        assertThat(days.body()).contains("Showing 1–5 of 14", "rel=\"next\"");
        List<String> keys = rowKeys(days.body());
        assertThat(keys).hasSize(5).isSorted();
        assertThat(keys.get(0)).isEqualTo(data.from.toString());

        Page byNet = admin.get("/sales?" + query + "&groupBy=day&sort=-net&size=200");
        List<String> ordered = rowKeys(byNet.body());
        JsonNode rows = data.admin
                .get("/api/v1/sales/kpis?" + query + "&groupBy=day")
                .json()
                .path("rows");
        List<JsonNode> expected = new ArrayList<>();
        rows.forEach(expected::add);
        expected.sort((a, b) -> Long.compare(
                b.path("figures").path("netSalesFen").asLong(),
                a.path("figures").path("netSalesFen").asLong()));
        assertThat(ordered.get(0)).isEqualTo(expected.get(0).path("key").asString());

        assertThat(admin.get("/sales?" + query + "&sort=nonsense").status()).isEqualTo(400);
    }

    @Test
    void aBadPeriodIsShownNextToThePicker() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        Page page = admin.get("/sales?from=2025-03-07&to=2025-03-01");
        assertThat(page.status()).isEqualTo(400);
        assertThat(section(page.body(), "period-problem")).contains("From", "must not be after the end date");
        Page unknown = admin.get("/sales?storeCode=NO-SUCH-STORE");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(section(unknown.body(), "period-problem")).contains("NO-SUCH-STORE");
    }

    @Test
    void rolesAndStoreScope() {
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF);
        assertThat(counter.get("/sales").status()).isEqualTo(403);
        assertThat(counter.get("/").body()).doesNotContain("href=\"/sales\"");
        assertThat(signedIn(Role.ADMIN).get("/").body()).contains("href=\"/sales\"");

        // the manager of the second store sees that store only
        ConsoleSession manager = signedIn(Role.STORE_MANAGER);
        String period = "from=" + data.from + "&to=" + data.to;
        Page page = manager.get("/sales?" + period);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(data.stores.get(1)).doesNotContain(data.stores.get(0));
        assertThat(manager.get("/sales?" + period + "&storeCode=" + data.stores.get(0))
                        .status())
                .isEqualTo(403);
        assertThat(manager.get("/sales/tickets/" + data.returnedSale).status()).isEqualTo(404);
        assertThat(manager.get("/sales/tickets/" + data.ticketsOfSecondStore.get(0))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void theTicketPageShowsLinesPaymentsAndReturns() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        Page sale = admin.get("/sales/tickets/" + data.returnedSale);
        assertThat(sale.status()).isEqualTo(200);
        assertThat(section(sale.body(), "ticket-lines"))
                .contains("羊绒围巾", "雅琳", "专柜 " + data.counters.get(1)); // the first ticket is at the second counter
        assertThat(section(sale.body(), "ticket-payments")).contains("Mobile pay");
        assertThat(section(sale.body(), "ticket-returns")).contains("/sales/tickets/" + data.returnTicket);
        assertThat(sale.body()).contains("/members/" + data.member);

        Page ret = admin.get("/sales/tickets/" + data.returnTicket);
        assertThat(ret.status()).isEqualTo(200);
        assertThat(ret.body()).contains("Return", "id=\"ticket-original\"", "/sales/tickets/" + data.returnedSale);
        assertThat(section(ret.body(), "ticket-total")).contains("−¥");

        ConsoleSession zh = new ConsoleSession(port, "zh-CN");
        zh.login(users.get(Role.ANALYST), PASSWORD);
        assertThat(zh.get("/sales/tickets/" + data.returnedSale).body()).contains("商品明细", "移动支付", "退货");
        assertThat(admin.get("/sales/tickets/999999999").status()).isEqualTo(404);
    }

    @Test
    void theMemberPageShowsThePurchasePanel() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        Page page = admin.get("/members/" + data.member);
        assertThat(page.status()).isEqualTo(200);
        String panel = section(page.body(), "purchase-panel");
        assertThat(panel).contains("Purchases", "Net spend");
        assertThat(page.body()).contains("id=\"purchase-recent\"", "href=\"/sales/tickets/");
        // interval and favourites are member facts, shown by the segments module's panel (one place computes them)
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(
                                section(admin.get("/members/" + data.member).body(), "facts-panel"))
                        .contains("Favourite brand", "雅琳"));
    }

    // ------------------------------------------------------------------ helpers

    private ConsoleSession signedIn(Role role) {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    /** The element with this id and what follows it (enough for contains-checks). */
    static String section(String html, String id) {
        int i = html.indexOf("id=\"" + id + "\"");
        assertThat(i).as("element #" + id).isNotNegative();
        return html.substring(i, Math.min(html.length(), i + 6000));
    }

    static List<String> rowKeys(String html) {
        List<String> keys = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("<tr data-key=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    static String yuanShort(long fen) {
        return (fen < 0 ? "−¥" : "¥")
                + String.format(
                        "%,d",
                        java.math.BigDecimal.valueOf(Math.abs(fen), 2)
                                .setScale(0, java.math.RoundingMode.HALF_UP)
                                .longValueExact());
    }

    static String pct(java.math.BigDecimal ratio) {
        return ratio.movePointRight(2)
                        .setScale(1, java.math.RoundingMode.HALF_UP)
                        .toPlainString() + "%";
    }

    /**
     * Two stores with two and one counters, two brands, a member, and {@code days} days of sales up to
     * today (a few tickets a day, varying, some with the member), one partial return, and traffic —
     * created over the API like a POS would, then waited for in the KPI rollup.
     */
    static final class SalesData {
        private static final AtomicLong PHONE = new AtomicLong(40_000_000L + (System.nanoTime() / 1000) % 50_000_000L);

        ApiClient admin;
        final List<String> stores = new ArrayList<>();
        final List<String> counters = new ArrayList<>();
        final List<String> brands = new ArrayList<>();
        LocalDate from;
        LocalDate to;
        long member;
        long returnedSale;
        long returnTicket;
        final List<Long> ticketsOfSecondStore = new ArrayList<>();

        static SalesData create(ApiClient admin, JdbcClient jdbc, int days) {
            SalesData d = new SalesData();
            d.admin = admin;
            String region = TestData.unique("PR");
            ok(admin.post("/api/v1/regions", Map.of("code", region, "name", "华东销售")));
            String[] storeNames = {"阳光百货 南京路店", "阳光百货 徐家汇店"};
            for (String name : storeNames) {
                String code = TestData.unique("PS");
                ok(admin.post("/api/v1/stores", Map.of("code", code, "name", name, "regionCode", region)));
                d.stores.add(code);
            }
            String[][] brandNames = {{"雅琳", "Yalin"}, {"君度", "JunDu"}};
            for (String[] b : brandNames) {
                String code = TestData.unique("PB");
                ok(admin.post("/api/v1/brands", Map.of("code", code, "name", b[0], "nameEn", b[1])));
                d.brands.add(code);
            }
            int[] counterStore = {0, 0, 1};
            for (int store : counterStore) {
                String code = TestData.unique("PC");
                ok(admin.post(
                        "/api/v1/counters",
                        Map.of(
                                "code",
                                code,
                                "name",
                                "专柜 " + code,
                                "storeCode",
                                d.stores.get(store),
                                "supplierName",
                                "上海某服饰有限公司")));
                d.counters.add(code);
            }
            String phone = "135" + String.format("%08d", PHONE.incrementAndGet() % 100_000_000L);
            var m = admin.post(
                    "/api/v1/members", Map.of("name", "林晓", "phone", phone, "preferredStoreCode", d.stores.get(0)));
            ok(m);
            d.member = m.json().path("id").asLong();

            d.to = LocalDate.now(java.time.ZoneId.of("Asia/Shanghai"))
                    .minusDays(1); // all of yesterday is in the past, whatever the hour
            d.from = d.to.minusDays(days - 1);
            List<Map<String, Object>> sales = new ArrayList<>();
            List<Integer> storeOf = new ArrayList<>();
            int n = 0;
            for (LocalDate day = d.from; !day.isAfter(d.to); day = day.plusDays(1)) {
                int weekend = day.getDayOfWeek().getValue() >= 6 ? 3 : 0;
                for (int s = 0; s < 2; s++) {
                    int count = 2 + (day.getDayOfMonth() * 7 + s * 3) % 4 + weekend - s;
                    for (int t = 0; t < count; t++) {
                        n++;
                        int counter = s == 0 ? n % 2 : 2;
                        List<Map<String, Object>> lines = new ArrayList<>();
                        lines.add(line(
                                "羊绒围巾",
                                d.counters.get(counter),
                                d.brands.get(0),
                                1 + n % 2,
                                49_800,
                                n % 3 == 0 ? 4_000 : 0));
                        if (n % 3 != 1) {
                            lines.add(line(
                                    "真丝衬衫", d.counters.get(counter), d.brands.get(1), 1, 29_900 + (n % 5) * 1_000, 0));
                        }
                        long total = 0;
                        for (Map<String, Object> l : lines) {
                            total += (int) l.get("quantity") * (long) l.get("unitPriceFen")
                                    - (long) l.get("discountFen");
                        }
                        Map<String, Object> sale = new HashMap<>();
                        sale.put("storeCode", d.stores.get(s));
                        sale.put("posTerminal", "POS-0" + (1 + s));
                        sale.put("posTransactionId", TestData.unique("PT"));
                        sale.put("businessDate", day.toString());
                        sale.put("occurredAt", day + "T" + String.format("%02d", 10 + t % 10) + ":15:00+08:00");
                        if (n % 4 == 0 || (s == 0 && day.equals(d.from) && t == 0)) {
                            sale.put("memberId", d.member);
                        }
                        sale.put("lines", lines);
                        sale.put("payments", List.of(Map.of("method", "MOBILE_PAY", "amountFen", total)));
                        sales.add(sale);
                        storeOf.add(s);
                    }
                }
            }
            var batch = admin.post("/api/v1/sales/batch", Map.of("atomic", true, "sales", sales));
            assertThat(batch.status()).as(batch.raw()).isEqualTo(200);
            List<Long> ids = new ArrayList<>();
            int i = 0;
            for (JsonNode r : batch.json().path("results")) {
                ids.add(r.path("saleId").asLong());
                if (storeOf.get(i++) == 1) {
                    d.ticketsOfSecondStore.add(r.path("saleId").asLong());
                }
            }
            d.returnedSale = ids.get(0); // the member's first ticket in the first store
            var ret = admin.post(
                    "/api/v1/returns",
                    Map.of(
                            "storeCode",
                            d.stores.get(0),
                            "posTransactionId",
                            TestData.unique("PR"),
                            "businessDate",
                            d.from.plusDays(2).toString(),
                            "originalSaleId",
                            d.returnedSale,
                            "lines",
                            List.of(Map.of("lineNo", 1, "quantity", 1))));
            assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
            d.returnTicket = ret.json().path("id").asLong();
            ids.add(d.returnTicket);
            for (int s = 0; s < 2; s++) {
                long storeId = jdbc.sql("select id from organization.store where code = ?")
                        .param(d.stores.get(s))
                        .query(Long.class)
                        .single();
                for (LocalDate day = d.from; !day.isAfter(d.to); day = day.plusDays(1)) {
                    jdbc.sql("""
                            insert into sales.store_traffic (store_id, business_date, visitors, source, updated_by)
                            values (?, ?, ?, 'ENTERED', 'test') on conflict do nothing""")
                            .params(storeId, day, 60 + (day.getDayOfMonth() * 13) % 40 - s * 20)
                            .update();
                }
            }
            // the batch is one event (its first ticket), the return another
            Long[] firsts = {ids.get(0), d.returnTicket};
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (jdbc.sql("select count(*) from sales.kpi_applied where first_sale_id = any(?)")
                            .param(firsts)
                            .query(Long.class)
                            .single()
                    < 2) {
                assertThat(System.nanoTime()).as("KPI rollup caught up").isLessThan(deadline);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return d;
        }

        private static Map<String, Object> line(
                String name, String counter, String brand, int q, long price, long discount) {
            Map<String, Object> l = new HashMap<>();
            l.put("sku", "SKU-" + name.hashCode());
            l.put("name", name);
            l.put("counterCode", counter);
            l.put("brandCode", brand);
            l.put("quantity", q);
            l.put("unitPriceFen", price);
            l.put("discountFen", discount);
            return l;
        }

        private static void ok(ApiClient.Response res) {
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
        }
    }
}
