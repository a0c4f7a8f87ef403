package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Historical sales import over real HTTP against the real database: a hand-made CSV with good
 * tickets, bad rows (each reported with its row and column), returns (one of a sale of the same
 * file, one returning too much); skip-bad-tickets vs all-or-nothing; running the same file again
 * doubles nothing; imported tickets are readable through the sales API and announced in
 * SalesRecorded events.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesImportIntegrationTests {

    static final String HEADER = "store_code,pos_transaction_id,business_date,occurred_at,pos_terminal,cashier,"
            + "card_number,kind,original_pos_transaction_id,line_no,sku,name,brand_code,category_code,counter_code,"
            + "quantity,unit_price_fen,discount_fen,amount_fen,payment_method";

    final int port;
    final ApiClient admin;
    final SalesManagement sales;
    final RecordedSalesProbe probe;
    final JdbcClient jdbc;
    SalesFixtures fx;
    String card;
    long memberId;

    SalesImportIntegrationTests(
            @LocalServerPort int port,
            @Autowired SalesManagement sales,
            @Autowired RecordedSalesProbe probe,
            @Autowired JdbcClient jdbc) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.sales = sales;
        this.probe = probe;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void organisationAndAMember() {
        fx = new SalesFixtures(admin);
        JsonNode m = fx.member("周静怡");
        memberId = m.path("id").asLong();
        card = m.path("cards").get(0).path("number").asString();
    }

    /** One CSV row; {@code c} is the column values after store_code, in HEADER order. */
    private String row(String store, String... c) {
        return store + "," + String.join(",", c);
    }

    private String sampleFile(String p) {
        List<String> rows = new ArrayList<>();
        rows.add(HEADER);
        // row 2-3: a member's sale of two lines (2 × 100.00 − 10.00, 1 × 50.00)
        rows.add(row(
                fx.store,
                p + "T1",
                "2026-10-01",
                "2026-10-01T10:00:00+08:00",
                "POS-1",
                "C01",
                card,
                "SALE",
                "",
                "1",
                "SKU-1",
                "羊绒围巾",
                fx.brandA,
                fx.category,
                fx.counterA,
                "2",
                "10000",
                "1000",
                "19000",
                "MOBILE_PAY"));
        rows.add(row(
                fx.store,
                p + "T1",
                "2026-10-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "2",
                "SKU-2",
                "",
                fx.brandB,
                "",
                fx.counterB,
                "1",
                "5000",
                "0",
                "5000",
                "MOBILE_PAY"));
        // row 4: anonymous cash sale
        rows.add(row(
                fx.store,
                p + "T2",
                "2026-10-02",
                "",
                "POS-2",
                "C02",
                "",
                "",
                "",
                "1",
                "SKU-3",
                "",
                "",
                "",
                fx.counterA,
                "1",
                "3000",
                "",
                "3000",
                "CASH"));
        // row 5: unknown counter
        rows.add(row(
                fx.store,
                p + "T3",
                "2026-10-02",
                "",
                "",
                "",
                "",
                "",
                "",
                "1",
                "SKU-4",
                "",
                "",
                "",
                "NO-SUCH-COUNTER",
                "1",
                "1000",
                "0",
                "1000",
                "CASH"));
        // row 6: the line does not add up
        rows.add(row(
                fx.store,
                p + "T4",
                "2026-10-02",
                "",
                "",
                "",
                "",
                "",
                "",
                "1",
                "SKU-5",
                "",
                "",
                "",
                fx.counterA,
                "1",
                "1000",
                "0",
                "999",
                "CASH"));
        // row 7: a future business date
        rows.add(row(
                fx.store,
                p + "T5",
                "2099-01-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "1",
                "SKU-6",
                "",
                "",
                "",
                fx.counterA,
                "1",
                "1000",
                "0",
                "1000",
                "CASH"));
        // row 8: a counter of another store
        rows.add(row(
                fx.store,
                p + "T6",
                "2026-10-02",
                "",
                "",
                "",
                "",
                "",
                "",
                "1",
                "SKU-7",
                "",
                "",
                "",
                fx.otherCounter,
                "1",
                "1000",
                "0",
                "1000",
                "CASH"));
        // row 9: an unknown member card
        rows.add(row(
                fx.store,
                p + "T7",
                "2026-10-02",
                "",
                "",
                "",
                "8869999999999990",
                "",
                "",
                "1",
                "SKU-8",
                "",
                "",
                "",
                fx.counterA,
                "1",
                "1000",
                "0",
                "1000",
                "CASH"));
        // row 10: return of one of the two scarves of T1 (refund 95.00)
        rows.add(row(
                fx.store,
                p + "R1",
                "2026-10-05",
                "",
                "POS-1",
                "C01",
                "",
                "RETURN",
                p + "T1",
                "1",
                "SKU-1",
                "",
                fx.brandA,
                fx.category,
                fx.counterA,
                "-1",
                "10000",
                "-500",
                "-9500",
                "MOBILE_PAY"));
        // rows 11-12: a ticket whose second row is bad: the whole ticket is refused
        rows.add(row(
                fx.store,
                p + "T8",
                "2026-10-03",
                "",
                "",
                "",
                "",
                "",
                "",
                "1",
                "SKU-9",
                "",
                "",
                "",
                fx.counterA,
                "1",
                "1000",
                "0",
                "1000",
                "CASH"));
        rows.add(row(
                fx.store,
                p + "T8",
                "2026-10-03",
                "",
                "",
                "",
                "",
                "",
                "",
                "2",
                "SKU-10",
                "",
                "",
                "",
                fx.counterA,
                "abc",
                "1000",
                "0",
                "1000",
                "CASH"));
        // row 13: returns more than T2 sold
        rows.add(row(
                fx.store,
                p + "R2",
                "2026-10-06",
                "",
                "",
                "",
                "",
                "RETURN",
                p + "T2",
                "1",
                "SKU-3",
                "",
                "",
                "",
                fx.counterA,
                "-2",
                "3000",
                "0",
                "-6000",
                "CASH"));
        return String.join("\n", rows) + "\n";
    }

    record Raw(int status, String body) {
        JsonNode json() {
            return JsonMapper.builder().build().readTree(body);
        }
    }

    Raw upload(ApiClient.Response ignored, String key, String fileName, String csv) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/sales-imports?fileName=" + fileName))
                .header("Authorization", "Bearer " + key)
                .header("Accept-Language", "en")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        return new Raw(res.statusCode(), res.body());
    }

    long uploaded(String csv) throws Exception {
        Raw res = upload(null, TestData.BOOTSTRAP_API_KEY, "sales.csv", csv);
        assertThat(res.status()).as(res.body()).isEqualTo(201);
        return res.json().path("jobId").asLong();
    }

    JsonNode run(long job, String mode, boolean accrue) throws Exception {
        var started = admin.post("/api/v1/sales-imports/" + job + "/run", Map.of("mode", mode, "accruePoints", accrue));
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode j = admin.get("/api/v1/sales-imports/" + job).json();
            if (!"RUNNING".equals(j.path("status").asString())) {
                return j;
            }
            assertThat(System.nanoTime()).as("import %d finishes", job).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    List<String> problems(long job, ApiClient client) {
        var res = client.get("/api/v1/sales-imports/" + job + "/problems?size=100");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode p : res.json().path("items")) {
            out.add(p.path("row").asLong() + "|" + p.path("field").asString() + "|"
                    + p.path("kind").asString() + "|" + p.path("message").asString());
        }
        return out;
    }

    JsonNode ticket(String txn) {
        long id = sales.ticketId(fx.store, txn).orElseThrow();
        var res = admin.get("/api/v1/sales/" + id);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    @Test
    void importsTheGoodTicketsReportsEveryBadRowAndAReRunDoublesNothing() throws Exception {
        String p = TestData.unique("I") + "-";
        String csv = sampleFile(p);
        long job = uploaded(csv);

        JsonNode done = run(job, "SKIP_BAD_TICKETS", false);
        assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("DONE");
        assertThat(done.path("totalRows").asLong()).isEqualTo(12);
        assertThat(done.path("totalTickets").asLong()).isEqualTo(10);
        assertThat(done.path("importedTickets").asLong()).isEqualTo(3);
        assertThat(done.path("importedRows").asLong()).isEqualTo(4);
        assertThat(done.path("failedTickets").asLong()).isEqualTo(7);
        assertThat(done.path("skippedTickets").asLong()).isZero();

        assertThat(problems(job, admin))
                .containsExactly(
                        "5|counter_code|ERROR|Counter NO-SUCH-COUNTER does not exist.",
                        "6|amount_fen|ERROR|does not add up: quantity × unit price − discount = 1000 fen",
                        "7|business_date|ERROR|must not be in the future",
                        "8|counter_code|ERROR|Counter " + fx.otherCounter + " is not in store " + fx.store + ".",
                        "9|card_number|ERROR|no active member has this identifier",
                        "12|quantity|ERROR|is not a number",
                        "13|quantity|ERROR|only 1 left to return on this line");
        assertThat(problems(job, admin.inLanguage("zh-CN")).get(0)).contains("5|counter_code|ERROR|", "不存在");

        JsonNode t1 = ticket(p + "T1");
        assertThat(t1.path("source").asString()).isEqualTo("IMPORT");
        assertThat(t1.path("accruePoints").asBoolean()).isFalse();
        assertThat(t1.path("memberId").asLong()).isEqualTo(memberId);
        assertThat(t1.path("totalFen").asLong()).isEqualTo(24_000);
        assertThat(t1.path("grossFen").asLong()).isEqualTo(25_000);
        assertThat(t1.path("discountFen").asLong()).isEqualTo(1_000);
        assertThat(t1.path("businessDate").asString()).isEqualTo("2026-10-01");
        assertThat(t1.path("lines")).hasSize(2);
        assertThat(t1.path("lines").get(0).path("counterCode").asString()).isEqualTo(fx.counterA);
        assertThat(t1.path("lines").get(0).path("returnedQuantity").decimalValue())
                .isEqualByComparingTo("1");
        assertThat(t1.path("lines").get(0).path("returnedFen").asLong()).isEqualTo(9_500);
        assertThat(t1.path("lines").get(1).path("returnedFen").asLong()).isZero();
        assertThat(t1.path("payments")).hasSize(1);
        assertThat(t1.path("payments").get(0).path("method").asString()).isEqualTo("MOBILE_PAY");
        assertThat(t1.path("payments").get(0).path("amountFen").asLong()).isEqualTo(24_000);

        JsonNode r1 = ticket(p + "R1");
        assertThat(r1.path("kind").asString()).isEqualTo("RETURN");
        assertThat(r1.path("originalSaleId").asLong()).isEqualTo(t1.path("id").asLong());
        assertThat(r1.path("memberId").asLong())
                .as("a return's member is the sale's")
                .isEqualTo(memberId);
        assertThat(r1.path("totalFen").asLong()).isEqualTo(-9_500);
        assertThat(r1.path("lines").get(0).path("originalLineNo").asInt()).isEqualTo(1);
        assertThat(r1.path("lines").get(0).path("quantity").decimalValue()).isEqualByComparingTo("-1");

        JsonNode t2 = ticket(p + "T2");
        assertThat(t2.path("memberId").isNull() || t2.path("memberId").isMissingNode())
                .isTrue();
        assertThat(t2.path("occurredAt").asString())
                .as("midnight of the business day in the store's zone")
                .startsWith("2026-10-01T16:00");
        for (String bad : List.of("T3", "T4", "T5", "T6", "T7", "T8", "R2")) {
            assertThat(sales.ticketId(fx.store, p + bad)).as(bad).isEmpty();
        }

        // every imported ticket is announced exactly once, as imported without points
        List<Long> ids = List.of(
                t1.path("id").asLong(), t2.path("id").asLong(), r1.path("id").asLong());
        awaitAnnounced(ids);
        for (RecordedSale s : probe.seen()) {
            if (ids.contains(s.saleId())) {
                assertThat(s.source()).isEqualTo(SaleSource.IMPORT);
                assertThat(s.accruePoints()).isFalse();
            }
        }
        // (the outbox rows themselves are deleted once every listener completed: the probe is the witness)
        assertThat(probe.seen().stream()
                        .filter(x -> ids.contains(x.saleId()))
                        .map(RecordedSale::originalSaleId)
                        .filter(java.util.Objects::nonNull)
                        .toList())
                .as("the return is announced with its original")
                .containsExactly(t1.path("id").asLong());

        // the same file again: every good ticket is skipped and reported, nothing doubles
        long again = uploaded(csv);
        JsonNode second = run(again, "SKIP_BAD_TICKETS", false);
        assertThat(second.path("status").asString()).isEqualTo("DONE");
        assertThat(second.path("importedTickets").asLong()).isZero();
        assertThat(second.path("skippedTickets").asLong()).isEqualTo(3);
        assertThat(second.path("failedTickets").asLong()).isEqualTo(7);
        assertThat(problems(again, admin))
                .contains(
                        "2|pos_transaction_id|SKIPPED|recorded before as ticket "
                                + t1.path("id").asLong() + "; skipped",
                        "10|pos_transaction_id|SKIPPED|recorded before as ticket "
                                + r1.path("id").asLong() + "; skipped");
        JsonNode t1Again = ticket(p + "T1");
        assertThat(t1Again.path("lines").get(0).path("returnedFen").asLong()).isEqualTo(9_500);
        assertThat(jdbc.sql("select count(*) from sales.sale where pos_txn_id like ?")
                        .param(p + "%")
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        assertThat(admin.post("/api/v1/sales-imports/" + again + "/run", Map.of())
                        .status())
                .as("a job runs once")
                .isEqualTo(409);
    }

    private void awaitAnnounced(List<Long> ids) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ids.stream().anyMatch(id -> probe.timesSeen(id) == 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        for (Long id : ids) {
            assertThat(probe.timesSeen(id)).as("sale %d announced once", id).isEqualTo(1);
        }
    }

    @Test
    void allOrNothingImportsNothingWhenATicketIsBadAndEverythingWhenAllAreGood() throws Exception {
        String p = TestData.unique("A") + "-";
        String good = row(
                fx.store,
                p + "G1",
                "2026-09-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "SKU-1",
                "",
                "",
                "",
                fx.counterA,
                "1.5",
                "999",
                "0",
                "",
                "");
        String bad = row(
                "NO-SUCH-STORE",
                p + "B1",
                "2026-09-01",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "SKU-1",
                "",
                "",
                "",
                "",
                "1",
                "100",
                "0",
                "",
                "");
        long job = uploaded(HEADER + "\n" + good + "\n" + bad + "\n");
        JsonNode failed = run(job, "ALL_OR_NOTHING", false);
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("importedTickets").asLong()).isZero();
        assertThat(failed.path("failedTickets").asLong()).isEqualTo(1);
        assertThat(problems(job, admin)).containsExactly("3|store_code|ERROR|Store NO-SUCH-STORE does not exist.");
        assertThat(sales.ticketId(fx.store, p + "G1")).isEmpty();

        long ok = uploaded(HEADER + "\n" + good + "\n");
        JsonNode done = run(ok, "ALL_OR_NOTHING", true);
        assertThat(done.path("status").asString()).isEqualTo("DONE");
        assertThat(done.path("importedTickets").asLong()).isEqualTo(1);
        JsonNode g1 = ticket(p + "G1");
        assertThat(g1.path("accruePoints").asBoolean()).as("points asked for").isTrue();
        assertThat(g1.path("totalFen").asLong())
                .as("1.5 × 9.99 rounded half up")
                .isEqualTo(1_499);
        assertThat(g1.path("payments").get(0).path("method").asString()).isEqualTo("OTHER");
        assertThat(g1.path("lines").get(0).path("lineNo").asInt()).isEqualTo(1);
    }

    @Test
    void ticketColumnsMustAgreeAndTotalsMustAddUp() throws Exception {
        String p = TestData.unique("M") + "-";
        String h = HEADER + ",ticket_total_fen";
        long job = uploaded(String.join(
                        "\n",
                        h,
                        row(
                                fx.store,
                                p + "X1",
                                "2026-09-02",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "1",
                                "A",
                                "",
                                "",
                                "",
                                "",
                                "1",
                                "100",
                                "0",
                                "100",
                                "CASH",
                                "300"),
                        row(
                                fx.store,
                                p + "X1",
                                "2026-09-03",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "2",
                                "B",
                                "",
                                "",
                                "",
                                "",
                                "1",
                                "100",
                                "0",
                                "100",
                                "CASH",
                                "300"),
                        row(
                                fx.store,
                                p + "X2",
                                "2026-09-02",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "",
                                "1",
                                "A",
                                "",
                                "",
                                "",
                                "",
                                "1",
                                "100",
                                "0",
                                "100",
                                "CASH",
                                "300"),
                        row(
                                fx.store,
                                p + "X3",
                                "2026-09-02",
                                "",
                                "",
                                "",
                                "",
                                "RETURN",
                                p + "NOPE",
                                "1",
                                "A",
                                "",
                                "",
                                "",
                                "",
                                "-1",
                                "100",
                                "0",
                                "-100",
                                "CASH",
                                ""))
                + "\n");
        JsonNode done = run(job, "SKIP_BAD_TICKETS", false);
        assertThat(done.path("importedTickets").asLong()).isZero();
        assertThat(problems(job, admin))
                .containsExactly(
                        "2|business_date|ERROR|the rows of ticket " + p + "X1 disagree on this column",
                        "2|ticket_total_fen|ERROR|does not match the lines: they add up to 200 fen",
                        "4|ticket_total_fen|ERROR|does not match the lines: they add up to 100 fen",
                        "5|original_pos_transaction_id|ERROR|no such sale was recorded");
    }

    @Test
    void onlyAnAdminOfAllStoresImportsAndAFileNeedsTheRequiredColumns() throws Exception {
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store);
        String managerKey = keyOf(manager);
        assertThat(upload(null, managerKey, "s.csv", HEADER + "\n").status()).isEqualTo(403);
        assertThat(manager.get("/api/v1/sales-imports/1").status()).isEqualTo(403);
        ApiClient storeAdmin = fx.as(Role.ADMIN, fx.store);
        assertThat(upload(null, keyOf(storeAdmin), "s.csv", HEADER + "\n").status())
                .isEqualTo(403);

        Raw missing = upload(null, TestData.BOOTSTRAP_API_KEY, "s.csv", "store_code,sku\nS1,A\n");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body())
                .contains("\"field\":\"file\"", "pos_transaction_id, business_date, quantity, unit_price_fen");
        assertThat(upload(null, TestData.BOOTSTRAP_API_KEY, "s.pdf", HEADER + "\n")
                        .status())
                .isEqualTo(400);
        assertThat(admin.get("/api/v1/sales-imports/999999999").status()).isEqualTo(404);
    }

    private static String keyOf(ApiClient client) throws Exception {
        var f = ApiClient.class.getDeclaredField("apiKey");
        f.setAccessible(true);
        return (String) f.get(client);
    }
}
