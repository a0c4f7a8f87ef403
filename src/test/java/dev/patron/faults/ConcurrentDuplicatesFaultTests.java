package dev.patron.faults;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.loyalty.LoyaltyManagement;
import dev.patron.sales.SalesFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * 50 clients over real HTTP, released together by a latch, sending the same sale, the same batch and
 * the same redemption, and then 50 different redemptions that together exceed the member's balance.
 * Proves: one ticket per POS transaction id, one EARN per ticket, one 201 and 49 replays (200), one
 * redemption per key, no overdraft, and the ledger invariant ({@link LoyaltyManagement#verify}).
 */
@PatronIntegrationTest
class ConcurrentDuplicatesFaultTests {

    private static final int CLIENTS = 50;
    /** Points the simple two-line sale earns (656.00 yuan). */
    private static final long SALE_POINTS = 656;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    ApiClient admin;
    SalesFixtures fx;
    ExecutorService pool;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        pool = Executors.newFixedThreadPool(CLIENTS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** Runs {@code CLIENTS} requests that all start at the same moment; returns their responses in order. */
    private List<ApiClient.Response> together(IntFunction<ApiClient.Response> request) throws Exception {
        CountDownLatch ready = new CountDownLatch(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ApiClient.Response>> futures = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int client = i;
            Callable<ApiClient.Response> call = () -> {
                ready.countDown();
                go.await();
                // like a POS: a 503 (no connection in time on a loaded machine; nothing was recorded)
                // is retried after a pause; every other answer is final
                ApiClient.Response r = request.apply(client);
                for (int attempt = 0; r.status() == 503 && attempt < 30; attempt++) {
                    Thread.sleep(200);
                    r = request.apply(client);
                }
                return r;
            };
            futures.add(pool.submit(call));
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<ApiClient.Response> responses = new ArrayList<>();
        for (Future<ApiClient.Response> f : futures) {
            responses.add(f.get(120, TimeUnit.SECONDS));
        }
        return responses;
    }

    private long count(String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(Long.class).single();
    }

    private long balance(long member) {
        var res = admin.get("/api/v1/members/" + member + "/points");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json().path("balance").asLong();
    }

    private void awaitBalance(long member, long expected) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(() -> assertThat(balance(member)).isEqualTo(expected));
        assertThat(loyalty.verify(member)).isEmpty();
    }

    private ApiClient.Response redeem(String key, long member, long points) {
        return admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", key, "memberId", member, "points", points, "storeCode", fx.store));
    }

    @Test
    void fiftyClientsSendingTheSameSaleAndTheSameBatchRecordEachTicketAndItsPointsOnce() throws Exception {
        long member = fx.member("并发" + TestData.unique("")).path("id").asLong();
        String txn = TestData.unique("DUP");
        Map<String, Object> sale = with(fx.simpleSale(txn), "memberId", member);
        List<String> batchTxns = new ArrayList<>();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String t = TestData.unique("DUPB");
            batchTxns.add(t);
            batch.add(with(fx.simpleSale(t), "memberId", member));
        }
        Map<String, Object> batchBody = Map.of("sales", batch);

        // half the clients send the single sale, half the batch, all at the same moment
        List<ApiClient.Response> responses = together(
                i -> i % 2 == 0 ? admin.post("/api/v1/sales", sale) : admin.post("/api/v1/sales/batch", batchBody));

        Set<Long> saleIds = new HashSet<>();
        int created = 0;
        int replayed = 0;
        int[] batchCreated = new int[batch.size()];
        for (int i = 0; i < responses.size(); i++) {
            ApiClient.Response r = responses.get(i);
            if (i % 2 == 0) {
                assertThat(r.status()).as(r.raw()).isIn(200, 201);
                if (r.status() == 201) {
                    created++;
                } else {
                    replayed++;
                }
                saleIds.add(r.json().path("id").asLong());
            } else {
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(r.json().path("failed").asInt()).as(r.raw()).isZero();
                for (JsonNode item : r.json().path("results")) {
                    assertThat(item.path("status").asInt()).as(r.raw()).isIn(200, 201);
                    if (item.path("status").asInt() == 201) {
                        batchCreated[item.path("index").asInt()]++;
                    }
                }
            }
        }
        assertThat(created).as("single sale answered 201").isEqualTo(1);
        assertThat(replayed).as("single sale replays (200)").isEqualTo(CLIENTS / 2 - 1);
        assertThat(saleIds).hasSize(1);
        assertThat(batchCreated)
                .as("each batch ticket answered 201 exactly once")
                .containsOnly(1);

        List<String> all = new ArrayList<>(batchTxns);
        all.add(txn);
        for (String t : all) {
            assertThat(count("select count(*) from sales.sale where pos_txn_id = ?", t))
                    .as(t)
                    .isEqualTo(1);
        }
        awaitBalance(member, SALE_POINTS * all.size());
        for (String t : all) {
            assertThat(count(
                            "select count(*) from loyalty.entry e join sales.sale s on s.id = e.sale_id"
                                    + " where e.kind = 'EARN' and s.pos_txn_id = ?",
                            t))
                    .as("one EARN for " + t)
                    .isEqualTo(1);
        }
        assertThat(count("select count(*) from loyalty.entry where member_id = ?", member))
                .isEqualTo(all.size());
    }

    @Test
    void fiftyClientsRedeemingWithTheSameKeySpendOnceAndDifferentRedemptionsNeverOverdraw() throws Exception {
        long member = fx.member("并发兑换" + TestData.unique("")).path("id").asLong();
        for (int i = 0; i < 2; i++) {
            var res = admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", member));
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
        }
        long start = 2 * SALE_POINTS; // 1,312
        awaitBalance(member, start);

        // the same redemption (same idempotency key and body) 50 times at once
        String key = TestData.unique("k");
        List<ApiClient.Response> same = together(i -> redeem(key, member, 100));
        Set<Long> ids = new HashSet<>();
        int created = 0;
        for (ApiClient.Response r : same) {
            assertThat(r.status()).as(r.raw()).isIn(200, 201);
            created += r.status() == 201 ? 1 : 0;
            ids.add(r.json().path("id").asLong());
        }
        assertThat(created).isEqualTo(1);
        assertThat(ids).hasSize(1);
        assertThat(count("select count(*) from loyalty.redemption where idempotency_key = ?", key))
                .isEqualTo(1);
        long afterSame = start - 100;
        awaitBalance(member, afterSame);

        // 50 different redemptions of 37 points each: 1,850 > 1,212, so some must be refused
        long each = 37;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            keys.add(TestData.unique("k"));
        }
        List<ApiClient.Response> different = together(i -> redeem(keys.get(i), member, each));
        long spent = 0;
        int refused = 0;
        for (ApiClient.Response r : different) {
            assertThat(r.status()).as(r.raw()).isIn(201, 422);
            if (r.status() == 201) {
                spent += each;
                assertThat(r.json().path("balanceAfter").asLong()).isGreaterThanOrEqualTo(0);
            } else {
                refused++;
                assertThat(r.fieldError("points")).as(r.raw()).isNotBlank();
            }
        }
        assertThat(spent).as("sum of successful redemptions").isLessThanOrEqualTo(afterSame);
        // all that fit were taken: what is left is less than one more redemption
        assertThat(afterSame - spent).isLessThan(each);
        assertThat(refused).isEqualTo(CLIENTS - (int) (afterSame / each));
        awaitBalance(member, afterSame - spent);
        assertThat(count("select count(*) from loyalty.account where member_id = ? and balance < 0", member))
                .isZero();
        assertThat(count(
                        "select coalesce(sum(points), 0) from loyalty.redemption where member_id = ? and status = 'CONFIRMED'",
                        member))
                .isEqualTo(100 + spent);
    }
}
