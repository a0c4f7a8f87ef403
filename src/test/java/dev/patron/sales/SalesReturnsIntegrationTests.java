package dev.patron.sales;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.payment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
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

/** Returns: partial and full, proportional refunds, limits across returns (also concurrent), idempotency. */
@PatronIntegrationTest
class SalesReturnsIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RecordedSalesProbe probe;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    private JsonNode sale(String txn, Map<String, Object> body) {
        var res = admin.post("/api/v1/sales", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    private Map<String, Object> ret(String originalTxn, Object... lineSpecs) {
        Map<String, Object> r = new HashMap<>();
        r.put("storeCode", fx.store);
        r.put("posTransactionId", TestData.unique("R"));
        r.put("businessDate", "2026-11-21");
        r.put("originalStoreCode", fx.store);
        r.put("originalPosTransactionId", originalTxn);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < lineSpecs.length; i += 2) {
            Map<String, Object> l = new HashMap<>();
            l.put("lineNo", lineSpecs[i]);
            l.put("quantity", lineSpecs[i + 1]);
            lines.add(l);
        }
        r.put("lines", lines);
        return r;
    }

    @Test
    void partialReturnsRefundProportionallyAndNeverExceedWhatWasBought() {
        String txn = TestData.unique("T");
        long memberId = fx.member("冯静").path("id").asLong();
        Map<String, Object> body = SalesFixtures.with(fx.simpleSale(txn), "memberId", memberId);
        long saleId = sale(txn, body).path("id").asLong();

        var first = admin.post("/api/v1/returns", ret(txn, 2, 1));
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        JsonNode r = first.json();
        assertThat(r.path("kind").asString()).isEqualTo("RETURN");
        assertThat(r.path("originalSaleId").asLong()).isEqualTo(saleId);
        assertThat(r.path("memberId").asLong()).isEqualTo(memberId);
        assertThat(r.path("totalFen").asLong()).isEqualTo(-9_900);
        assertThat(r.path("lines").get(0).path("quantity").decimalValue()).isEqualByComparingTo("-1");
        assertThat(r.path("lines").get(0).path("originalLineNo").asInt()).isEqualTo(2);
        assertThat(r.path("payments").get(0).path("method").asString()).isEqualTo("MOBILE_PAY");
        assertThat(r.path("payments").get(0).path("amountFen").asLong()).isEqualTo(-9_900);

        assertThat(admin.post("/api/v1/returns", ret(txn, 2, 1)).status()).isEqualTo(201);
        var third = admin.post("/api/v1/returns", ret(txn, 2, 1));
        assertThat(third.status()).isEqualTo(422);
        assertThat(third.fieldError("lines[0].quantity")).isEqualTo("only 0 left to return on this line");

        JsonNode original = admin.get("/api/v1/sales/" + saleId).json();
        assertThat(original.path("lines").get(1).path("returnedQuantity").decimalValue())
                .isEqualByComparingTo("2");
        assertThat(original.path("lines").get(1).path("returnedFen").asLong()).isEqualTo(19_800);
        assertThat(original.path("lines").get(0).path("returnedQuantity").decimalValue())
                .isEqualByComparingTo("0");
        SalesApiIntegrationTests.await(() -> probe.seen().stream()
                .anyMatch(s ->
                        s.kind() == SaleKind.RETURN && s.originalSaleId() != null && s.originalSaleId() == saleId));
    }

    @Test
    void roundingOfSuccessiveReturnsAddsUpToExactlyTheLineAmount() {
        String txn = TestData.unique("T");
        // 3 × 3,500 − 500 discount = 10,000 fen
        sale(txn, fx.sale(txn, 10_000, List.of(line("S", fx.counterA, fx.brandA, 3, 3_500, 500))));
        List<Long> refunds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var res = admin.post("/api/v1/returns", ret(txn, 1, 1));
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
            refunds.add(-res.json().path("totalFen").asLong());
        }
        assertThat(refunds).containsExactly(3_333L, 3_333L, 3_334L);
    }

    @Test
    void aReturnWithoutLinesReturnsEverythingLeft() {
        String txn = TestData.unique("T");
        sale(txn, fx.simpleSale(txn));
        assertThat(admin.post("/api/v1/returns", ret(txn, 1, 1)).status()).isEqualTo(201);
        Map<String, Object> all = ret(txn);
        all.remove("lines");
        var res = admin.post("/api/v1/returns", all);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        assertThat(res.json().path("lines")).hasSize(1);
        assertThat(res.json().path("totalFen").asLong()).isEqualTo(-19_800);
        Map<String, Object> nothing = ret(txn);
        nothing.remove("lines");
        var none = admin.post("/api/v1/returns", nothing);
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.fieldError("lines")).contains("returned already");
    }

    @Test
    void refundsAndPaymentsAreChecked() {
        String txn = TestData.unique("T");
        sale(txn, fx.simpleSale(txn));
        Map<String, Object> tooMuch = ret(txn);
        tooMuch.put("lines", List.of(Map.of("lineNo", 1, "quantity", 1, "amountFen", 50_000)));
        var res = admin.post("/api/v1/returns", tooMuch);
        assertThat(res.status()).isEqualTo(422);
        assertThat(res.fieldError("lines[0].amountFen")).isEqualTo("the refund can be at most 45800 fen");

        Map<String, Object> payments = ret(txn, 1, 1);
        payments.put("payments", List.of(payment("CASH", 100)));
        var mismatch = admin.post("/api/v1/returns", payments);
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.fieldError("payments")).contains("45800");

        Map<String, Object> split = ret(txn, 1, 1);
        split.put("payments", List.of(payment("CASH", 800), payment("STORED_VALUE", 45_000)));
        var ok = admin.post("/api/v1/returns", split);
        assertThat(ok.status()).as(ok.raw()).isEqualTo(201);
        assertThat(ok.json().path("payments").get(1).path("amountFen").asLong()).isEqualTo(-45_000);

        var unknown = admin.post("/api/v1/returns", ret("NO-SUCH-TXN", 1, 1));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.fieldError("originalPosTransactionId")).isEqualTo("no such sale was recorded");

        var badLine = admin.post("/api/v1/returns", ret(txn, 9, 1));
        assertThat(badLine.status()).isEqualTo(422);
        assertThat(badLine.fieldError("lines[0].lineNo")).isEqualTo("the original sale has no line 9");

        Map<String, Object> early = ret(txn, 2, 1);
        early.put("businessDate", "2026-11-19");
        var before = admin.post("/api/v1/returns", early);
        assertThat(before.status()).isEqualTo(422);
        assertThat(before.fieldError("businessDate")).contains("2026-11-20");
    }

    @Test
    void aRetriedReturnReplaysAndChangedContentConflicts() {
        String txn = TestData.unique("T");
        sale(txn, fx.simpleSale(txn));
        Map<String, Object> r = ret(txn, 2, 1);
        var first = admin.post("/api/v1/returns", r);
        assertThat(first.status()).isEqualTo(201);
        var again = admin.post("/api/v1/returns", r);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asLong())
                .isEqualTo(first.json().path("id").asLong());
        Map<String, Object> changed = new HashMap<>(r);
        changed.put("lines", List.of(Map.of("lineNo", 2, "quantity", 2)));
        assertThat(admin.post("/api/v1/returns", changed).status()).isEqualTo(409);
        assertThat(jdbc.sql("select returned_quantity from sales.sale_line l join sales.sale s on s.id = l.sale_id"
                                + " where s.pos_txn_id = ? and l.line_no = 2")
                        .param(txn)
                        .query(java.math.BigDecimal.class)
                        .single())
                .isEqualByComparingTo("1");
    }

    @Test
    void concurrentReturnsOfTheSameLineCannotTogetherExceedIt() throws Exception {
        String txn = TestData.unique("T");
        sale(txn, fx.sale(txn, 30_000, List.of(line("S", fx.counterA, fx.brandA, 3, 10_000, 0))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Map<String, Object> r = ret(txn, 1, 1);
            results.add(pool.submit(() -> {
                start.await();
                return admin.post("/api/v1/returns", r).status();
            }));
        }
        start.countDown();
        int ok = 0;
        int refused = 0;
        for (Future<Integer> f : results) {
            int status = f.get();
            if (status == 201) {
                ok++;
            } else if (status == 422) {
                refused++;
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(3);
        assertThat(refused).isEqualTo(5);
        assertThat(jdbc.sql("""
                        select sum(total_fen) from sales.sale where original_sale_id =
                          (select id from sales.sale where pos_txn_id = ? and kind = 'SALE')""").param(txn).query(Long.class).single()).isEqualTo(-30_000L);
    }
}
