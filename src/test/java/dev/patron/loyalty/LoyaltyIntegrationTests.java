package dev.patron.loyalty;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.payment;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/** Points over real HTTP: accrual from sales, reversal on returns, spending, cancelling, adjusting, expiry, merges. */
@PatronIntegrationTest
class LoyaltyIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    @Autowired
    PointsExpiry expiry;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    ApiClient admin;
    SalesFixtures fx;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
    }

    private long member() {
        return fx.member("积分" + TestData.unique("")).path("id").asLong();
    }

    /** Records the two-line sale of 656.00 yuan for the member; returns the POS transaction id. */
    private String sale(long member) {
        String txn = TestData.unique("T");
        var res = admin.post("/api/v1/sales", with(fx.simpleSale(txn), "memberId", member));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    private JsonNode points(long member) {
        var res = admin.get("/api/v1/members/" + member + "/points");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    private void awaitBalance(long member, long expected) {
        await(
                () -> points(member).path("balance").asLong() == expected,
                () -> points(member).toString());
        assertThat(loyalty.verify(member)).isEmpty();
    }

    private ApiClient.Response redeem(String key, long member, long points) {
        return admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", key, "memberId", member, "points", points, "storeCode", fx.store));
    }

    private ApiClient.Response returnLine(String txn, int lineNo, int qty) {
        return admin.post(
                "/api/v1/returns",
                Map.of(
                        "storeCode",
                        fx.store,
                        "posTransactionId",
                        TestData.unique("R"),
                        "businessDate",
                        "2026-11-21",
                        "originalPosTransactionId",
                        txn,
                        "lines",
                        List.of(Map.of("lineNo", lineNo, "quantity", qty))));
    }

    @Test
    void aSaleEarnsPointsOnTheAmountNotPaidWithStoredValueOrPoints() {
        long m = member();
        sale(m);
        awaitBalance(m, 656);
        JsonNode p = points(m);
        assertThat(p.path("spendable").asLong()).isEqualTo(656);
        assertThat(p.path("lifetimeEarned").asLong()).isEqualTo(656);
        assertThat(p.path("expiring").get(0).path("month").asString()).isEqualTo("2027-12");

        long m2 = member();
        var split = admin.post(
                "/api/v1/sales",
                with(
                        fx.simpleSale(TestData.unique("T")),
                        "memberId",
                        m2,
                        "payments",
                        List.of(payment("STORED_VALUE", 60_000), payment("CASH", 5_600))));
        assertThat(split.status()).isEqualTo(201);
        awaitBalance(m2, 56);
        JsonNode ledger = admin.get("/api/v1/members/" + m2 + "/points/ledger").json();
        assertThat(ledger.path("items").get(0).path("kind").asString()).isEqualTo("EARN");
        assertThat(ledger.path("items").get(0).path("saleId").asLong())
                .isEqualTo(split.json().path("id").asLong());
        // the 360 view carries the points panel
        JsonNode view = admin.get("/api/v1/members/" + m2).json();
        boolean found = false;
        for (JsonNode panel : view.path("panels")) {
            if (panel.path("key").asString().equals("points")) {
                found = panel.path("data").path("balance").asLong() == 56;
            }
        }
        assertThat(found).as(view.path("panels").toString()).isTrue();
    }

    @Test
    void aBatchAccruesEveryMembersSalesInOneGoExactlyOnce() {
        long a = member();
        long b = member();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (long m : List.of(a, b, a, b, a)) {
            batch.add(with(fx.simpleSale(TestData.unique("T")), "memberId", m));
        }
        batch.add(fx.simpleSale(TestData.unique("T"))); // anonymous
        var res = admin.post("/api/v1/sales/batch", Map.of("sales", batch));
        assertThat(res.json().path("created").asInt()).isEqualTo(6);
        awaitBalance(a, 3 * 656);
        awaitBalance(b, 2 * 656);
        assertThat(points(a).path("lifetimeEarned").asLong()).isEqualTo(3 * 656);
        assertThat(admin.post("/api/v1/sales/batch", Map.of("sales", batch))
                        .json()
                        .path("replayed")
                        .asInt())
                .isEqualTo(6);
        assertThat(jdbc.sql("select count(*) from loyalty.lot where member_id = ?")
                        .param(a)
                        .query(Long.class)
                        .single())
                .isEqualTo(3L);
    }

    @Test
    void returnsTakeBackTheirShareAndSpentPointsBecomeDebtPaidByLaterEarnings() {
        long m = member();
        String txn = sale(m);
        awaitBalance(m, 656);
        assertThat(returnLine(txn, 2, 1).status()).isEqualTo(201); // 9,900 of 65,600 fen
        awaitBalance(m, 656 - 99);

        assertThat(redeem(TestData.unique("k"), m, 500).status()).isEqualTo(201);
        awaitBalance(m, 57);
        // return everything else: 557 points to take back, only 57 left -> 500 debt (no negative balance allowed)
        var all = admin.post("/api/v1/returns", fx.fullReturn(txn));
        assertThat(all.status()).as(all.raw()).isEqualTo(201);
        await(() -> points(m).path("debt").asLong() == 500, () -> points(m).toString());
        assertThat(points(m).path("balance").asLong()).isZero();
        assertThat(loyalty.verify(m)).isEmpty();
        // the next sale pays the debt first
        sale(m);
        awaitBalance(m, 156);
        assertThat(points(m).path("debt").asLong()).isZero();
    }

    @Test
    void spendingIsIdempotentNeverOverdrawsAndCanBeCancelled() throws Exception {
        long m = member();
        sale(m);
        awaitBalance(m, 656);
        String key = TestData.unique("k");
        var first = redeem(key, m, 100);
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        var again = redeem(key, m, 100);
        assertThat(again.json().path("id").asLong())
                .isEqualTo(first.json().path("id").asLong());
        assertThat(redeem(key, m, 101).status()).isEqualTo(409);
        awaitBalance(m, 556);

        var tooMuch = redeem(TestData.unique("k"), m, 557);
        assertThat(tooMuch.status()).isEqualTo(422);
        assertThat(tooMuch.fieldError("points")).isEqualTo("only 556 points can be spent now");

        // 10 concurrent spends of 100 against 556: exactly 5 succeed
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String k = TestData.unique("k");
            results.add(pool.submit(() -> {
                go.await();
                return redeem(k, m, 100).status();
            }));
        }
        go.countDown();
        int ok = 0;
        for (Future<Integer> f : results) {
            if (f.get() == 201) {
                ok++;
            }
        }
        pool.shutdown();
        assertThat(ok).isEqualTo(5);
        awaitBalance(m, 56);

        long id = first.json().path("id").asLong();
        String cancelKey = TestData.unique("c");
        var cancel = admin.post("/api/v1/points/redemptions/" + id + "/cancel", Map.of("idempotencyKey", cancelKey));
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
        assertThat(cancel.json().path("status").asString()).isEqualTo("CANCELLED");
        assertThat(admin.post("/api/v1/points/redemptions/" + id + "/cancel", Map.of("idempotencyKey", cancelKey))
                        .status())
                .isEqualTo(200);
        assertThat(admin.post("/api/v1/points/redemptions/" + id + "/cancel", Map.of("idempotencyKey", "other"))
                        .status())
                .isEqualTo(409);
        awaitBalance(m, 156);
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'points.redeemed' and entity_id = ?")
                        .param(String.valueOf(m))
                        .query(Long.class)
                        .single())
                .isEqualTo(6L);
    }

    @Test
    void aFrozenCardCannotSpendAndBadRequestsNameTheField() {
        JsonNode member = fx.member("冻结卡");
        long m = member.path("id").asLong();
        String card = member.path("cards").get(0).path("number").asString();
        sale(m);
        awaitBalance(m, 656);
        assertThat(admin.post("/api/v1/cards/" + card + "/status", Map.of("status", "FROZEN", "reason", "lost?"))
                        .status())
                .isEqualTo(200);
        var frozen = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("k"), "cardNumber", card, "points", 10));
        assertThat(frozen.status()).isEqualTo(422);
        assertThat(frozen.fieldError("cardNumber")).contains("not active");
        var noKey = admin.post("/api/v1/points/redeem", Map.of("memberId", m, "points", 10));
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.fieldError("idempotencyKey")).isEqualTo("must not be empty");
        var negative = admin.post(
                "/api/v1/points/redeem", Map.of("idempotencyKey", TestData.unique("k"), "memberId", m, "points", -5));
        assertThat(negative.fieldError("points")).contains("between 1 and");
        assertThat(admin.get("/api/v1/members/999999999/points").status()).isEqualTo(404);
    }

    @Test
    void adjustmentsNeedAnAdminAReasonAndAreAudited() {
        long m = member();
        String key = TestData.unique("a");
        var add = admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", key, "memberId", m, "points", 200, "reason", "补录"));
        assertThat(add.status()).as(add.raw()).isEqualTo(201);
        assertThat(admin.post(
                                "/api/v1/points/adjustments",
                                Map.of("idempotencyKey", key, "memberId", m, "points", 200, "reason", "补录"))
                        .json()
                        .path("id")
                        .asLong())
                .isEqualTo(add.json().path("id").asLong());
        var remove = admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", m, "points", -300, "reason", "纠错"));
        assertThat(remove.status()).isEqualTo(422);
        assertThat(remove.fieldError("points")).isEqualTo("at most 200 points can be removed");
        assertThat(admin.post(
                                "/api/v1/points/adjustments",
                                Map.of(
                                        "idempotencyKey",
                                        TestData.unique("a"),
                                        "memberId",
                                        m,
                                        "points",
                                        -50,
                                        "reason",
                                        "纠错"))
                        .status())
                .isEqualTo(201);
        awaitBalance(m, 150);
        var noReason = admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", m, "points", 5));
        assertThat(noReason.fieldError("reason")).isEqualTo("must not be empty");
        ApiClient staff = fx.as(Role.COUNTER_STAFF, fx.store);
        assertThat(staff.post(
                                "/api/v1/points/adjustments",
                                Map.of(
                                        "idempotencyKey",
                                        TestData.unique("a"),
                                        "memberId",
                                        m,
                                        "points",
                                        5,
                                        "reason",
                                        "x"))
                        .status())
                .isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'points.adjusted' and entity_id = ?")
                        .param(String.valueOf(m))
                        .query(Long.class)
                        .single())
                .isEqualTo(2L);
    }

    @Test
    void expiredLotsAreTakenOutOnceAndSpendingUsesTheEarliestExpiringFirst() {
        long m = member();
        // earned in 2024: expires at the end of 2025 (already past); earned now: end of next year
        var old = admin.post(
                "/api/v1/sales",
                with(
                        fx.simpleSale(TestData.unique("T")),
                        "memberId",
                        m,
                        "businessDate",
                        "2024-03-01",
                        "occurredAt",
                        "2024-03-01T10:00:00+08:00"));
        assertThat(old.status()).as(old.raw()).isEqualTo(201);
        sale(m);
        awaitBalance(m, 1312);
        assertThat(expiry.expire(LocalDate.now(LoyaltyManagement.ZONE))).isGreaterThanOrEqualTo(656);
        awaitBalance(m, 656);
        assertThat(expiry.expire(LocalDate.now(LoyaltyManagement.ZONE))).isZero();
        JsonNode ledger = admin.get("/api/v1/members/" + m + "/points/ledger").json();
        assertThat(ledger.path("items").get(0).path("kind").asString()).isEqualTo("EXPIRE");
        assertThat(ledger.path("items").get(0).path("points").asLong()).isEqualTo(-656);

        long m2 = member();
        sale(m2);
        awaitBalance(m2, 656);
        admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", m2, "points", 100, "reason", "gift"));
        // lots: 656 expiring end of next year (earned 2026-11-20) and 100 earned today (same expiry, later id)
        assertThat(redeem(TestData.unique("k"), m2, 700).status()).isEqualTo(201);
        assertThat(jdbc.sql("select remaining from loyalty.lot where member_id = ? order by id")
                        .param(m2)
                        .query(Long.class)
                        .list())
                .containsExactly(0L, 56L);
    }

    @Test
    void pendingPointsCannotBeSpentUntilTheReturnWindowIsOver() {
        LoyaltyProgram before = loyalty.program();
        try {
            assertThat(admin.put(
                                    "/api/v1/loyalty/program",
                                    Map.of(
                                            "pointsPerYuan",
                                            2,
                                            "rounding",
                                            "DOWN",
                                            "pendingDays",
                                            30,
                                            "expiryPolicy",
                                            "MONTHS_AFTER",
                                            "expiryMonths",
                                            12,
                                            "maxNegativeBalance",
                                            0))
                            .status())
                    .isEqualTo(200);
            long m = member();
            sale(m);
            awaitBalance(m, 1312);
            JsonNode p = points(m);
            assertThat(p.path("pending").asLong()).isEqualTo(1312);
            assertThat(p.path("spendable").asLong()).isZero();
            assertThat(redeem(TestData.unique("k"), m, 1).status()).isEqualTo(422);
            var bad = admin.put("/api/v1/loyalty/program", Map.of("pointsPerYuan", -1, "rounding", "SIDEWAYS"));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.fieldError("pointsPerYuan")).isNotNull();
            assertThat(bad.fieldError("rounding")).isEqualTo("must be DOWN, HALF_UP or UP");
        } finally {
            admin.put("/api/v1/loyalty/program", before);
        }
    }

    @Test
    void aMergeMovesPointsToTheSurvivor() {
        long survivor = member();
        long merged = member();
        sale(survivor);
        sale(merged);
        awaitBalance(survivor, 656);
        awaitBalance(merged, 656);
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        await(
                () -> jdbc.sql("select balance from loyalty.account where member_id = ?")
                                .param(survivor)
                                .query(Long.class)
                                .single()
                        == 1312,
                () -> "");
        assertThat(jdbc.sql("select balance from loyalty.account where member_id = ?")
                        .param(merged)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(loyalty.verify(survivor)).isEmpty();
        assertThat(loyalty.verify(merged)).isEmpty();
        var undo = admin.post(
                "/api/v1/members/" + survivor + "/merges/"
                        + merge.json().path("id").asLong() + "/undo",
                Map.of());
        assertThat(undo.status()).as(undo.raw()).isIn(200, 201);
        awaitBalance(merged, 656);
        awaitBalance(survivor, 656);
    }

    /**
     * The ledger check the property test relies on reports each broken invariant: a balance that is
     * not the ledger's sum, open lots that do not add up to it, a lot without its entry (lots have
     * no foreign key to their entries, V20261127_1200), and a use of a lot without its entry or its
     * lot (no foreign keys either, V20261128_1000). Corrupted in a transaction rolled back.
     */
    @Test
    void theLedgerCheckReportsEachBrokenInvariant() {
        long m = member();
        sale(m);
        awaitBalance(m, 656);
        new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(tx -> {
            long orphan = jdbc.sql("""
                    insert into loyalty.lot (member_id, entry_id, points, remaining, earned_on, available_from)
                    values (?, -1, 5, 5, current_date, current_date) returning id""").param(m).query(Long.class).single();
            jdbc.sql("update loyalty.account set balance = balance + 1 where member_id = ?")
                    .param(m)
                    .update();
            // lot uses have no foreign keys either (V20261128_1000): one without its entry, one without its lot
            long entry = jdbc.sql("select max(id) from loyalty.entry where member_id = ?")
                    .param(m)
                    .query(Long.class)
                    .single();
            jdbc.sql("insert into loyalty.lot_use (entry_id, lot_id, points) values (-2, ?, -1), (?, -3, -1)")
                    .params(orphan, entry)
                    .update();
            assertThat(loyalty.verify(m))
                    .containsExactlyInAnyOrder(
                            "balance 657 <> ledger sum 656",
                            "open lots 661 <> greatest(balance, 0) 657",
                            "lot " + orphan + " without its entry",
                            "use of lot " + orphan + " without its entry -2",
                            "use by entry " + entry + " of a lot that does not exist -3");
            tx.setRollbackOnly();
        });
        assertThat(loyalty.verify(m)).isEmpty();
    }

    @Test
    void anAdminRunsTheExpiryNowUnderTheClusterLockAndOthersMayNot() {
        long m = member();
        sale(m);
        awaitBalance(m, 656);
        jdbc.sql("update loyalty.lot set expires_on = ? where member_id = ?")
                .params(LoyaltyManagement.today().minusDays(1), m)
                .update();
        assertThat(fx.as(Role.MARKETER)
                        .post("/api/v1/loyalty/expiry/run", Map.of())
                        .status())
                .isEqualTo(403);
        // another instance (or the nightly job) holds the lock: refused, nothing expired
        jdbc.sql("""
                        insert into public.shedlock (name, lock_until, locked_at, locked_by)
                        values ('loyalty.expiry', now() + interval '5 minutes', now(), 'elsewhere')
                        on conflict (name) do update set lock_until = excluded.lock_until, locked_by = excluded.locked_by""").update();
        try {
            var busy = admin.inLanguage("zh-CN").post("/api/v1/loyalty/expiry/run", Map.of());
            assertThat(busy.status()).as(busy.raw()).isEqualTo(409);
            assertThat(busy.raw()).contains("另一次积分过期处理正在进行");
            assertThat(points(m).path("balance").asLong()).isEqualTo(656);
        } finally {
            jdbc.sql(
                            "update public.shedlock set lock_until = now() - interval '1 second' where name = 'loyalty.expiry'")
                    .update();
        }
        var run = admin.post("/api/v1/loyalty/expiry/run", Map.of());
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        assertThat(run.json().path("points").asLong()).isGreaterThanOrEqualTo(656);
        assertThat(run.json().path("expiredBefore").asString())
                .isEqualTo(LoyaltyManagement.today().toString());
        assertThat(points(m).path("balance").asLong()).isZero();
        assertThat(loyalty.verify(m)).isEmpty();
        assertThat(jdbc.sql("select count(*) from audit.audit_event where action = 'points.expiry-run'")
                        .query(Long.class)
                        .single())
                .isPositive();
    }

    @Autowired
    javax.sql.DataSource dataSource;

    /**
     * Found by {@link LoyaltyPropertyTests}: a sale recorded just before its buyer was merged away, and
     * accrued only after the merge had moved the buyer's points, must credit the survivor — not the
     * merged account nobody can use any more. The test holds the accrual back (it reads the earn rules,
     * which the test locks) until the merge has been handled completely.
     */
    @Test
    void aSaleAccruedAfterItsBuyerWasMergedAwayCreditsTheSurvivor() throws Exception {
        long survivor = member();
        long merged = member();
        try (java.sql.Connection hold = dataSource.getConnection()) {
            hold.setAutoCommit(false);
            try (var st = hold.createStatement()) {
                st.execute("lock table loyalty.earn_rule in access exclusive mode");
            }
            sale(merged);
            var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
            assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
            long mergeId = merge.json().path("id").asLong();
            // the points side of the merge is done (transfer entries written), the accrual still waits
            await(
                    () -> jdbc.sql("select count(*) from loyalty.entry where merge_id = ? and kind = 'TRANSFER_OUT'")
                                    .param(mergeId)
                                    .query(Long.class)
                                    .single()
                            == 1,
                    () -> "merge not handled yet");
            assertThat(jdbc.sql("select count(*) from loyalty.entry where kind = 'EARN' and member_id in (?, ?)")
                            .params(survivor, merged)
                            .query(Long.class)
                            .single())
                    .isZero();
            hold.rollback();
        }
        awaitBalance(survivor, 656);
        assertThat(points(merged).path("balance").asLong()).isEqualTo(656); // a merged id shows the survivor's
        assertThat(jdbc.sql("select balance from loyalty.account where member_id = ?")
                        .param(merged)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(loyalty.verify(merged)).isEmpty();
    }

    @Autowired
    PointsLedger ledger;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;

    /** Whether another session could lock the member's account right now (false: somebody holds it). */
    private boolean lockableElsewhere(long member) throws java.sql.SQLException {
        try (java.sql.Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (var st =
                    other.prepareStatement("select 1 from loyalty.account where member_id = ? for update nowait")) {
                st.setLong(1, member);
                try (var rs = st.executeQuery()) {
                    assertThat(rs.next()).as("account of member %s", member).isTrue();
                }
                return true;
            } catch (java.sql.SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("55P03"); // lock_not_available
                return false;
            } finally {
                other.rollback();
            }
        }
    }

    /**
     * A sales batch's accrual, tier counting and tier evaluation lock the same accounts; under
     * {@code holdingLocks} the second and third ask are answered from what the first locked — the
     * accounts stay locked, and a merge marked in between is seen — and nothing is remembered after.
     */
    @Test
    void aUnitOfWorkLocksEachAccountOnceAndSeesTheMergesItMarks() {
        long a = member();
        long b = member();
        long c = member();
        // accounts that exist (an account created by the transaction itself is invisible elsewhere)
        jdbc.sql("insert into loyalty.account (member_id) select unnest(?::bigint[]) on conflict do nothing")
                .param(new Long[] {a, b, c})
                .update();
        tx.executeWithoutResult(status -> {
            ledger.holdingLocks(() -> {
                assertThat(ledger.lockAll(List.of(b, a))).isEmpty();
                try {
                    assertThat(lockableElsewhere(a)).isFalse();
                    assertThat(lockableElsewhere(b)).isFalse();
                    assertThat(lockableElsewhere(c)).isTrue();
                    ledger.markMerged(b, c);
                    // a changed behind the ledger's back is not re-read: it is locked, so only this
                    // transaction could have changed it, and it does so through markMerged
                    assertThat(ledger.lockAll(List.of(a, b, c))).isEqualTo(Map.of(b, c));
                    assertThat(lockableElsewhere(c)).isFalse();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // outside the unit of work every call reads the accounts again
            jdbc.sql("update loyalty.account set merged_into = ? where member_id = ?")
                    .params(b, a)
                    .update();
            assertThat(ledger.lockAll(List.of(a, b))).isEqualTo(Map.of(a, b, b, c));
            status.setRollbackOnly();
        });
    }

    /**
     * Locking a batch's accounts creates only the missing ones and reports each account's balance
     * and debt as read under its lock (accrual takes its "in good standing" check from there).
     */
    @Test
    void lockingCreatesOnlyMissingAccountsAndReadsEachUnderItsLock() {
        long owing = member();
        long fresh = member();
        long merged = member();
        // accounts that exist (committed: the lock check from another connection must see them)
        jdbc.sql("insert into loyalty.account (member_id) select unnest(?::bigint[])")
                .param(new Long[] {owing, merged})
                .update();
        tx.executeWithoutResult(status -> {
            // states no real history gives so quickly; rolled back below
            jdbc.sql("update loyalty.account set balance = -5, debt = 3 where member_id = ?")
                    .param(owing)
                    .update();
            jdbc.sql("update loyalty.account set merged_into = ? where member_id = ?")
                    .params(owing, merged)
                    .update();
            PointsLedger.Locked locked = ledger.lockAccounts(List.of(fresh, merged, owing));
            assertThat(locked.mergedAway()).isEqualTo(Map.of(merged, owing));
            assertThat(locked.read().get(owing)).isEqualTo(new PointsLedger.Account(owing, -5, 3, null));
            assertThat(locked.read().get(fresh)).isEqualTo(new PointsLedger.Account(fresh, 0, 0, null));
            assertThat(locked.read().get(merged)).isEqualTo(new PointsLedger.Account(merged, 0, 0, owing));
            assertThat(jdbc.sql("select count(*) from loyalty.account where member_id = ?")
                            .param(fresh)
                            .query(Long.class)
                            .single())
                    .isOne();
            try {
                assertThat(lockableElsewhere(owing)).isFalse();
                assertThat(lockableElsewhere(merged)).isFalse();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            // within a unit of work, accounts locked before are not read again
            ledger.holdingLocks(() -> {
                ledger.lockAll(List.of(owing));
                assertThat(ledger.lockAccounts(List.of(owing, fresh)).read()).containsOnlyKeys(fresh);
            });
            status.setRollbackOnly();
        });
    }

    @Test
    void aSpendCancelledAfterAMergeGivesThePointsBackToTheSurvivor() {
        long survivor = member();
        long merged = member();
        sale(merged);
        awaitBalance(merged, 656);
        var spent = admin.post(
                "/api/v1/points/redeem",
                Map.of("idempotencyKey", TestData.unique("spend"), "memberId", merged, "points", 100));
        assertThat(spent.status()).as(spent.raw()).isEqualTo(201);
        var merge = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(merge.status()).as(merge.raw()).isIn(200, 201);
        awaitBalance(survivor, 556);
        var cancel = admin.post(
                "/api/v1/points/redemptions/" + spent.json().path("id").asLong() + "/cancel",
                Map.of("idempotencyKey", TestData.unique("cancel")));
        assertThat(cancel.status()).as(cancel.raw()).isEqualTo(200);
        assertThat(points(survivor).path("balance").asLong()).isEqualTo(656);
        assertThat(jdbc.sql("select balance from loyalty.account where member_id = ?")
                        .param(merged)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(loyalty.verify(survivor)).isEmpty();
        assertThat(loyalty.verify(merged)).isEmpty();
    }

    @Test
    void randomSequencesOfSalesReturnsSpendsAndAdjustmentsKeepTheLedgerExact() throws Exception {
        Random random = new Random(20261125);
        List<Long> members = List.of(member(), member(), member());
        Map<Long, List<String>> salesOf = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> work = new ArrayList<>();
        for (long m : members) {
            long seed = random.nextLong();
            salesOf.put(m, new java.util.concurrent.CopyOnWriteArrayList<>());
            work.add(pool.submit(() -> {
                Random r = new Random(seed);
                for (int step = 0; step < 25; step++) {
                    int op = r.nextInt(10);
                    List<String> sales = salesOf.get(m);
                    if (op < 4 || sales.isEmpty()) {
                        long price = 100 + r.nextInt(50_000);
                        String txn = TestData.unique("T");
                        var res = admin.post(
                                "/api/v1/sales",
                                with(
                                        fx.sale(txn, price, List.of(line("S", fx.counterA, fx.brandA, 1, price, 0))),
                                        "memberId",
                                        m));
                        assertThat(res.status()).as(res.raw()).isEqualTo(201);
                        sales.add(txn);
                    } else if (op < 6) {
                        String txn = sales.get(r.nextInt(sales.size()));
                        int status = admin.post("/api/v1/returns", fx.fullReturn(txn))
                                .status();
                        assertThat(status).isIn(201, 422);
                    } else if (op < 8) {
                        assertThat(redeem(TestData.unique("k"), m, 1 + r.nextInt(300))
                                        .status())
                                .isIn(201, 422);
                    } else if (op < 9) {
                        assertThat(admin.post(
                                                "/api/v1/points/adjustments",
                                                Map.of(
                                                        "idempotencyKey",
                                                        TestData.unique("a"),
                                                        "memberId",
                                                        m,
                                                        "points",
                                                        1 + r.nextInt(100),
                                                        "reason",
                                                        "随机"))
                                        .status())
                                .isEqualTo(201);
                    } else {
                        expiry.expire(LocalDate.now(LoyaltyManagement.ZONE));
                    }
                    assertThat(loyalty.verify(m)).isEmpty();
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        for (long m : members) {
            // every sale accrued exactly once, every return reversed at most once
            await(
                    () -> jdbc.sql("""
                            select count(*) from sales.sale s where s.member_id = ? and s.kind = 'SALE'
                              and not exists (select 1 from loyalty.entry e where e.kind = 'EARN' and e.sale_id = s.id)""").param(m).query(Long.class).single() == 0
                            && jdbc.sql("""
                            select count(*) from sales.sale s where s.member_id = ? and s.kind = 'RETURN'
                              and not exists (select 1 from loyalty.entry e where e.kind = 'REVERSE' and e.sale_id = s.id)""").param(m).query(Long.class).single() == 0,
                    () -> "accrual incomplete for " + m);
            assertThat(loyalty.verify(m)).isEmpty();
            assertThat(jdbc.sql("select count(*) from loyalty.lot where member_id = ? and remaining < 0")
                            .param(m)
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(jdbc.sql("""
                            select count(*) from (select sale_id from loyalty.entry where member_id = ? and kind = 'EARN'
                              group by sale_id having count(*) > 1) d""").param(m).query(Long.class).single()).isZero();
        }
    }

    static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> state) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(
                        () -> assertThat(condition.getAsBoolean()).as(state).isTrue());
    }
}
