package dev.patron.sales;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.payment;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

/** POS sales over real HTTP: recording, member references, validation, idempotency, batches, events. */
@PatronIntegrationTest
class SalesApiIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RecordedSalesProbe probe;

    @Autowired
    SalesManagement sales;

    @Autowired
    SalesFeed feed;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    /**
     * The tickets a batch and a return just recorded are kept in memory for loyalty's accrual (the
     * consumer that reads tickets; paused here so that it does not take them first), handed out once,
     * and equal what is read back from the database — lines, codes, payments, member, amounts;
     * instants and decimals compared by value, as the database gives them in UTC and with its own
     * scale. A ticket no longer kept is read, as it is now.
     */
    @Test
    void ticketsAsRecordedComeFromMemoryOnceAndEqualTheStoredTickets() {
        assertThat(feed.pause("loyalty")).isTrue();
        try {
            long member = fx.member("王记忆").path("id").asLong();
            String txn = TestData.unique("T");
            Map<String, Object> sale = with(
                    fx.sale(
                            txn,
                            45_000 + 19_800 + 800,
                            List.of(
                                    with(
                                            line("SKU-1", fx.counterA.toLowerCase(), " " + fx.brandA, "1.5", 30_000, 0),
                                            "categoryCode",
                                            fx.category.toLowerCase()),
                                    line("SKU-2", fx.counterB, fx.brandB, 2, 9_900, 0),
                                    line("SKU-3", fx.counterA, fx.brandA, 1, 1_000, 200))),
                    "memberId",
                    member,
                    "occurredAt",
                    "2026-11-20T23:59:58.123+08:00",
                    "payments",
                    List.of(payment("STORED_VALUE", 10_000), payment("MOBILE_PAY", 55_600)));
            var batch = admin.post(
                    "/api/v1/sales/batch", Map.of("sales", List.of(sale, fx.simpleSale(TestData.unique("T")))));
            assertThat(batch.status()).as(batch.raw()).isEqualTo(200);
            long id = batch.json().path("results").get(0).path("saleId").asLong();
            long anonymous = batch.json().path("results").get(1).path("saleId").asLong();
            var ret = admin.post("/api/v1/returns", fx.fullReturn(txn));
            assertThat(ret.status()).as(ret.raw()).isEqualTo(201);
            long returnId = ret.json().path("id").asLong();

            List<Long> ids = List.of(returnId, id, anonymous);
            Map<Long, Ticket> kept = feed.recordedTickets(ids);
            assertThat(kept).as("kept in memory").containsOnlyKeys(ids);
            List<Ticket> stored = sales.tickets(ids);
            assertThat(kept.get(id).memberId()).isEqualTo(member);
            assertThat(kept.get(id).lines()).hasSize(3);
            assertThat(kept.get(id).payments()).hasSize(2);
            // the sale as recorded says nothing of the return that came after it
            assertThat(stored.get(1).lines().get(0).returnedFen()).isPositive();
            assertThat(kept.get(id).lines().get(0).returnedFen()).isZero();
            for (int i = 0; i < ids.size(); i++) {
                assertThat(kept.get(ids.get(i)))
                        .usingRecursiveComparison()
                        .withComparatorForType(java.math.BigDecimal::compareTo, java.math.BigDecimal.class)
                        .withComparatorForType(
                                java.util.Comparator.comparing(java.time.OffsetDateTime::toInstant),
                                java.time.OffsetDateTime.class)
                        .ignoringFields(
                                i == 1 ? new String[] {"lines.returnedQuantity", "lines.returnedFen"} : new String[0])
                        .isEqualTo(stored.get(i));
            }

            // one ticket no longer kept (another instance, a restart, evicted): read, as it is now
            feed.forgetRecordedTickets(List.of(id));
            List<Ticket> asRecorded = sales.ticketsAsRecorded(ids);
            assertThat(asRecorded).extracting(Ticket::id).containsExactlyElementsOf(ids);
            assertThat(asRecorded.get(0)).isSameAs(kept.get(returnId));
            assertThat(asRecorded.get(2)).isSameAs(kept.get(anonymous));
            assertThat(asRecorded.get(1)).isNotSameAs(kept.get(id)).isEqualTo(stored.get(1));
            assertThat(feed.recordedTickets(ids)).as("handed out once").isEmpty();
            assertThat(sales.ticketsAsRecorded(ids)).isEqualTo(stored);
        } finally {
            feed.resume("loyalty");
        }
    }

    @Test
    void recordsASaleWithLinesPaymentsAndTotalsInFen() {
        String txn = TestData.unique("T");
        var res = admin.post("/api/v1/sales", fx.simpleSale(txn));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        JsonNode t = res.json();
        assertThat(t.path("kind").asString()).isEqualTo("SALE");
        assertThat(t.path("storeCode").asString()).isEqualTo(fx.store);
        assertThat(t.path("posTransactionId").asString()).isEqualTo(txn);
        assertThat(t.path("grossFen").asLong()).isEqualTo(49_800 + 19_800);
        assertThat(t.path("discountFen").asLong()).isEqualTo(4_000);
        assertThat(t.path("totalFen").asLong()).isEqualTo(65_600);
        assertThat(t.path("quantity").decimalValue()).isEqualByComparingTo("3");
        assertThat(t.path("memberId").isNull()).isTrue();
        assertThat(t.path("lines").get(0).path("amountFen").asLong()).isEqualTo(45_800);
        assertThat(t.path("lines").get(0).path("counterCode").asString()).isEqualTo(fx.counterA);
        assertThat(t.path("lines").get(1).path("brandCode").asString()).isEqualTo(fx.brandB);
        assertThat(t.path("payments").get(0).path("method").asString()).isEqualTo("MOBILE_PAY");
        long id = t.path("id").asLong();
        assertThat(res.raw()).doesNotContain("E+").doesNotContain("656.0");

        JsonNode read = admin.get("/api/v1/sales/" + id).json();
        assertThat(read.path("totalFen").asLong()).isEqualTo(65_600);
        assertThat(read.path("lines")).hasSize(2);
        assertThat(read.path("lines").get(1).path("quantity").decimalValue()).isEqualByComparingTo("2");
        assertThat(read.path("source").asString()).isEqualTo("POS");
        assertThat(jdbc.sql("select sum(amount_fen) from sales.sale_line where sale_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(65_600L);
    }

    @Test
    void weighedGoodsRoundHalfUpToTheFen() {
        // 0.333 kg × 1,999 fen = 665.667 → 666 fen
        var res = admin.post(
                "/api/v1/sales",
                fx.sale(TestData.unique("T"), 666, List.of(line("APPLE", fx.counterA, null, "0.333", 1_999, 0))));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        assertThat(res.json().path("lines").get(0).path("amountFen").asLong()).isEqualTo(666);
    }

    @Test
    void namesTheMemberByIdCardPhoneOrExternalId() {
        JsonNode m = fx.member("孙丽");
        long memberId = m.path("id").asLong();
        String card = m.path("cards").get(0).path("number").asString();
        String phone = m.path("phone").asString();
        String openid = TestData.unique("o");
        assertThat(admin.post(
                                "/api/v1/members/" + memberId + "/identifiers",
                                Map.of("system", "wechat", "value", openid))
                        .status())
                .isIn(200, 201);

        for (Map<String, Object> ref : List.of(
                Map.<String, Object>of("memberId", memberId),
                Map.<String, Object>of("cardNumber", card),
                Map.<String, Object>of("phone", phone.replace("+86", "")),
                Map.<String, Object>of("system", "WeChat", "externalId", openid))) {
            Map<String, Object> sale = new java.util.HashMap<>(fx.simpleSale(TestData.unique("T")));
            sale.putAll(ref);
            var res = admin.post("/api/v1/sales", sale);
            assertThat(res.status()).as(ref + " " + res.raw()).isEqualTo(201);
            assertThat(res.json().path("memberId").asLong()).as(ref.toString()).isEqualTo(memberId);
        }
        var list = admin.get("/api/v1/members/" + memberId + "/sales");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("totalItems").asLong()).isEqualTo(4);
    }

    @Test
    void unknownMembersAndInactiveCardsAreRefusedNamingTheField() {
        var unknownCard = admin.post(
                "/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "cardNumber", "8860999999999999"));
        assertThat(unknownCard.status()).isEqualTo(422);
        assertThat(unknownCard.fieldError("cardNumber")).isEqualTo("no active member has this identifier");

        var unknownId = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", 999_999_999));
        assertThat(unknownId.status()).isEqualTo(422);
        assertThat(unknownId.fieldError("memberId")).isNotNull();

        JsonNode m = fx.member("周敏");
        String card = m.path("cards").get(0).path("number").asString();
        assertThat(admin.post("/api/v1/cards/" + card + "/status", Map.of("status", "FROZEN", "reason", "test"))
                        .status())
                .isEqualTo(200);
        var frozen = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "cardNumber", card));
        assertThat(frozen.status()).isEqualTo(422);
        assertThat(frozen.fieldError("cardNumber")).contains("not active");

        var two = admin.post(
                "/api/v1/sales",
                with(
                        fx.simpleSale(TestData.unique("T")),
                        "memberId",
                        m.path("id").asLong(),
                        "phone",
                        "13800000000"));
        assertThat(two.status()).isEqualTo(400);
        assertThat(two.fieldError("phone")).contains("one way only");
    }

    @Test
    void badTicketsAreRefusedWithEveryFieldNamedAndNothingWritten() {
        String txn = TestData.unique("T");
        Map<String, Object> bad = fx.sale(
                txn,
                10_000,
                List.of(
                        line("A", fx.counterA, fx.brandA, -1, 1_000, 0),
                        line("B", fx.otherCounter, "NO-SUCH-BRAND", 1, 1_000, 0),
                        with(line("C", "NO-SUCH-COUNTER", null, 1, 1_000, 0), "amountFen", 999)));
        var res = admin.post("/api/v1/sales", bad);
        assertThat(res.status()).as(res.raw()).isEqualTo(400);
        assertThat(res.fieldError("lines[0].quantity")).isEqualTo("must be greater than 0");
        assertThat(res.fieldError("lines[1].counterCode")).contains("is not in store " + fx.store);
        assertThat(res.fieldError("lines[1].brandCode")).contains("does not exist");
        assertThat(res.fieldError("lines[2].counterCode")).contains("does not exist");
        assertThat(countTickets(txn)).isZero();

        var mismatch = admin.post(
                "/api/v1/sales",
                fx.sale(TestData.unique("T"), 10_000, List.of(line("A", fx.counterA, fx.brandA, 2, 4_000, 0))));
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.fieldError("payments")).isEqualTo("payments add up to 10000 fen but the lines to 8000 fen");

        var amount = admin.post(
                "/api/v1/sales",
                fx.sale(
                        TestData.unique("T"),
                        8_000,
                        List.of(with(line("A", fx.counterA, fx.brandA, 2, 4_000, 0), "amountFen", 7_999))));
        assertThat(amount.status()).isEqualTo(422);
        assertThat(amount.fieldError("lines[0].amountFen")).contains("8000 fen");

        var total = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "totalFen", 1));
        assertThat(total.status()).isEqualTo(422);
        assertThat(total.fieldError("totalFen")).contains("65600");

        String tomorrow = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(2).toString();
        var future = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "businessDate", tomorrow));
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.fieldError("businessDate")).isEqualTo("must not be in the future");

        var store = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "storeCode", "NOPE"));
        assertThat(store.status()).isEqualTo(422);
        assertThat(store.fieldError("storeCode")).isEqualTo("Store NOPE does not exist.");

        var noLines = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "lines", List.of()));
        assertThat(noLines.status()).isEqualTo(400);
        assertThat(noLines.fieldError("lines")).isEqualTo("must not be empty");

        var floatMoney = admin.send(
                "POST",
                "/api/v1/sales",
                "{\"storeCode\":\"" + fx.store
                        + "\",\"posTransactionId\":\"X1\",\"lines\":[{\"sku\":\"A\",\"quantity\":1,"
                        + "\"unitPriceFen\":12.5}],\"payments\":[{\"method\":\"CASH\",\"amountFen\":12.5}]}");
        assertThat(floatMoney.status()).isEqualTo(400);

        var zh = admin.inLanguage("zh-CN").post("/api/v1/sales", mismatchBody());
        assertThat(zh.status()).isEqualTo(422);
        assertThat(zh.fieldError("payments")).isEqualTo("支付合计 10000 分，但商品行合计 8000 分");
    }

    private Map<String, Object> mismatchBody() {
        return fx.sale(TestData.unique("T"), 10_000, List.of(line("A", fx.counterA, fx.brandA, 2, 4_000, 0)));
    }

    @Test
    void aRetryReturnsTheFirstResultAndDifferentContentIsAConflict() {
        String txn = TestData.unique("T");
        var first = admin.post("/api/v1/sales", fx.simpleSale(txn));
        assertThat(first.status()).isEqualTo(201);
        var again = admin.post("/api/v1/sales", fx.simpleSale(txn));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asLong())
                .isEqualTo(first.json().path("id").asLong());
        assertThat(again.json().path("totalFen").asLong()).isEqualTo(65_600);
        assertThat(again.json().path("recordedAt").asString())
                .isEqualTo(first.json().path("recordedAt").asString());

        // the same POS transaction id with other content
        var changed = admin.post(
                "/api/v1/sales", fx.sale(txn, 1_000, List.of(line("OTHER", fx.counterA, fx.brandA, 1, 1_000, 0))));
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.fieldError("posTransactionId")).contains("different content");
        // the same id at another store is another ticket
        var otherStore = admin.post(
                "/api/v1/sales",
                with(
                        fx.sale(txn, 1_000, List.of(line("X", fx.otherCounter, null, 1, 1_000, 0))),
                        "storeCode",
                        fx.otherStore));
        assertThat(otherStore.status()).as(otherStore.raw()).isEqualTo(201);
        assertThat(countTickets(txn)).isEqualTo(2);
    }

    @Test
    void tenConcurrentIdenticalRequestsRecordOneSaleAndAnnounceItOnce() throws Exception {
        String txn = TestData.unique("T");
        Map<String, Object> sale =
                with(fx.simpleSale(txn), "memberId", fx.member("郑强").path("id").asLong());
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApiClient.Response>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return admin.post("/api/v1/sales", sale);
            }));
        }
        start.countDown();
        Set<Long> ids = new HashSet<>();
        int created = 0;
        for (Future<ApiClient.Response> f : futures) {
            ApiClient.Response r = f.get();
            assertThat(r.status()).as(r.raw()).isIn(200, 201);
            if (r.status() == 201) {
                created++;
            }
            ids.add(r.json().path("id").asLong());
        }
        pool.shutdown();
        assertThat(created).isEqualTo(1);
        assertThat(ids).hasSize(1);
        assertThat(countTickets(txn)).isEqualTo(1);
        long id = ids.iterator().next();
        assertThat(jdbc.sql("select count(*) from sales.sale_line where sale_id = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isEqualTo(2L);
        awaitSeen(id);
        assertThat(probe.timesSeen(id)).isEqualTo(1);
    }

    @Test
    void batchRecordsGoodTicketsAndReportsBadOnes() {
        String t1 = TestData.unique("T");
        String t2 = TestData.unique("T");
        String t3 = TestData.unique("T");
        admin.post("/api/v1/sales", fx.simpleSale(t3)); // recorded earlier: replayed in the batch
        List<Map<String, Object>> sales = List.of(
                fx.simpleSale(t1),
                with(fx.simpleSale(t2), "storeCode", "NOPE"),
                fx.simpleSale(t3),
                fx.simpleSale(t1), // same ticket twice in one request: replay of the first
                fx.sale(t1, 1_000, List.of(line("Z", fx.counterA, null, 1, 1_000, 0)))); // same id, other content
        var res = admin.post("/api/v1/sales/batch", Map.of("sales", sales));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        JsonNode r = res.json();
        assertThat(r.path("created").asInt()).isEqualTo(1);
        assertThat(r.path("replayed").asInt()).isEqualTo(2);
        assertThat(r.path("failed").asInt()).isEqualTo(2);
        JsonNode items = r.path("results");
        assertThat(items.get(0).path("status").asInt()).isEqualTo(201);
        assertThat(items.get(1).path("status").asInt()).isEqualTo(422);
        assertThat(items.get(1).path("errors").get(0).path("field").asString()).isEqualTo("storeCode");
        assertThat(items.get(2).path("status").asInt()).isEqualTo(200);
        assertThat(items.get(3).path("status").asInt()).isEqualTo(200);
        assertThat(items.get(3).path("saleId").asLong())
                .isEqualTo(items.get(0).path("saleId").asLong());
        assertThat(items.get(4).path("status").asInt()).isEqualTo(409);
        assertThat(countTickets(t1)).isEqualTo(1);
        assertThat(countTickets(t2)).isZero();
        awaitSeen(items.get(0).path("saleId").asLong());
    }

    @Test
    void atomicBatchRejectsEverythingWhenOneTicketIsBad() {
        String good = TestData.unique("T");
        String bad = TestData.unique("T");
        var res = admin.post(
                "/api/v1/sales/batch",
                Map.of(
                        "atomic",
                        true,
                        "sales",
                        List.of(
                                fx.simpleSale(good),
                                with(fx.simpleSale(bad), "payments", List.of(payment("CASH", 1))))));
        assertThat(res.status()).as(res.raw()).isEqualTo(422);
        assertThat(res.json().path("results").get(0).path("outcome").asString()).isEqualTo("NOT_RECORDED");
        assertThat(res.json().path("results").get(1).path("status").asInt()).isEqualTo(422);
        assertThat(countTickets(good)).isZero();
        assertThat(countTickets(bad)).isZero();

        var tooMany = admin.post(
                "/api/v1/sales/batch", Map.of("sales", java.util.Collections.nCopies(1001, fx.simpleSale("X"))));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.fieldError("sales")).contains("1,000");
    }

    @Test
    void aThousandSaleBatchGoesInAsOneRequest() {
        List<Map<String, Object>> sales = new ArrayList<>();
        String prefix = TestData.unique("B");
        for (int i = 0; i < 1000; i++) {
            sales.add(fx.simpleSale(prefix + "-" + i));
        }
        var res = admin.post("/api/v1/sales/batch", Map.of("sales", sales));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("created").asInt()).isEqualTo(1000);
        assertThat(jdbc.sql("select count(*), sum(total_fen) from sales.sale where pos_txn_id like ?")
                        .param(prefix + "-%")
                        .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2)))
                        .single())
                .containsExactly(1000L, 65_600_000L);
        var again = admin.post("/api/v1/sales/batch", Map.of("sales", sales));
        assertThat(again.json().path("replayed").asInt()).isEqualTo(1000);
        assertThat(again.json().path("created").asInt()).isZero();
    }

    @Test
    void storeScopeAndRolesAreEnforced() {
        ApiClient otherStoreStaff = fx.as(Role.COUNTER_STAFF, fx.otherStore);
        var out = otherStoreStaff.post("/api/v1/sales", fx.simpleSale(TestData.unique("T")));
        assertThat(out.status()).isEqualTo(403);

        ApiClient storeStaff = fx.as(Role.COUNTER_STAFF, fx.store);
        var in = storeStaff.post("/api/v1/sales", fx.simpleSale(TestData.unique("T")));
        assertThat(in.status()).as(in.raw()).isEqualTo(201);
        long id = in.json().path("id").asLong();
        assertThat(otherStoreStaff.get("/api/v1/sales/" + id).status()).isEqualTo(404);
        assertThat(storeStaff.get("/api/v1/sales/" + id).status()).isEqualTo(200);

        ApiClient marketer = fx.as(Role.MARKETER);
        assertThat(marketer.post("/api/v1/sales", fx.simpleSale(TestData.unique("T")))
                        .status())
                .isEqualTo(403);
        assertThat(new ApiClient(port, null)
                        .post("/api/v1/sales", fx.simpleSale("X"))
                        .status())
                .isEqualTo(401);
    }

    @Test
    void salesOfAMergedMemberMoveToTheSurvivorAndBackOnUndo() {
        long survivor = fx.member("吴芳").path("id").asLong();
        long merged = fx.member("吴芳芳").path("id").asLong();
        long saleId = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", merged))
                .json()
                .path("id")
                .asLong();
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        long mergeId = merge.json().path("id").asLong();
        await(() -> memberOf(saleId) == survivor);
        // a ticket naming the merged member now lands on the survivor
        var later = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", merged));
        assertThat(later.json().path("memberId").asLong()).isEqualTo(survivor);

        var undo = admin.post("/api/v1/members/" + survivor + "/merges/" + mergeId + "/undo", Map.of());
        assertThat(undo.status()).as(undo.raw()).isIn(200, 201);
        await(() -> memberOf(saleId) == merged);
    }

    private long memberOf(long saleId) {
        return jdbc.sql("select member_id from sales.sale where id = ?")
                .param(saleId)
                .query(Long.class)
                .single();
    }

    private long countTickets(String txn) {
        return jdbc.sql("select count(*) from sales.sale where pos_txn_id = ?")
                .param(txn)
                .query(Long.class)
                .single();
    }

    private void awaitSeen(long saleId) {
        await(() -> probe.timesSeen(saleId) > 0);
    }

    static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(25))
                .until(condition::getAsBoolean);
    }
}
