package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sales feed's delivery guarantees, with synthetic anonymous events (negative sale ids that no
 * ticket has, so the real consumers find nothing to do): stored with the recording transaction or
 * not at all, batched, a failing event isolated and retried without holding back the others.
 */
@PatronIntegrationTest
class SalesFeedTests {

    private static final AtomicLong NEXT = new AtomicLong(-1_000_000_000L - System.nanoTime() % 1_000_000L);

    @Autowired
    SalesFeed feed;

    @Autowired
    FeedTestConsumer consumer;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformTransactionManager transactions;

    @LocalServerPort
    int port;

    private static SalesRecorded event(long saleId) {
        return new SalesRecorded(List.of(new RecordedSale(
                saleId,
                SaleKind.SALE,
                1,
                null,
                LocalDate.now(),
                OffsetDateTime.now(),
                100,
                SaleSource.POS,
                false,
                null)));
    }

    private long deliveries(long saleId) {
        return jdbc.sql("""
                select count(*) from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id
                where (e.payload -> 'sales' -> 0 ->> 'saleId')::bigint = ?""").param(saleId).query(Long.class).single();
    }

    @Test
    void aRolledBackRecordingPublishesNothing() {
        long id = NEXT.decrementAndGet();
        TransactionTemplate tx = new TransactionTemplate(transactions);
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                    feed.publish(event(id));
                    assertThat(deliveries(id)).isEqualTo(feed.consumers().size());
                    throw new IllegalStateException("the sale's transaction fails after publishing");
                }))
                .hasMessageContaining("fails after publishing");
        assertThat(deliveries(id)).isZero();
        assertThat(jdbc.sql(
                                "select count(*) from sales.feed_event where (payload -> 'sales' -> 0 ->> 'saleId')::bigint = ?")
                        .param(id)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /**
     * A paused consumer loses nothing: its deliveries wait (while the other consumers go on) and are
     * applied, in one call and once each, after it is resumed. Only an ADMIN with every store may
     * pause and resume; both are audited; an unknown consumer is a 404 in the caller's language.
     */
    @Test
    void aPausedConsumerKeepsItsDeliveriesUntilResumed() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        var manager = admin.post(
                "/api/v1/api-keys",
                java.util.Map.of(
                        "name",
                        TestData.unique("feed"),
                        "roles",
                        java.util.Set.of("STORE_MANAGER"),
                        "allStores",
                        true));
        assertThat(manager.status()).as(manager.raw()).isEqualTo(201);
        ApiClient notAdmin = admin.as(manager.json().path("secret").asString());
        assertThat(notAdmin.post("/api/v1/sales/feed/test.feed/pause", java.util.Map.of())
                        .status())
                .isEqualTo(403);
        assertThat(notAdmin.get("/api/v1/sales/feed").status()).isEqualTo(403);
        var unknown = admin.inLanguage("zh-CN").post("/api/v1/sales/feed/no.such/pause", java.util.Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.raw()).contains("no.such", "消费者");

        var paused = admin.post("/api/v1/sales/feed/test.feed/pause", java.util.Map.of());
        assertThat(paused.status()).as(paused.raw()).isEqualTo(200);
        assertThat(paused.json().path("paused").asBoolean()).isTrue();
        List<Long> ids = List.of(NEXT.decrementAndGet(), NEXT.decrementAndGet());
        try {
            new TransactionTemplate(transactions).executeWithoutResult(s -> ids.forEach(id -> feed.publish(event(id))));
            // the other consumers take theirs; the paused one keeps its own
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> ids.stream().allMatch(id -> deliveries(id) == 1));
            Awaitility.await().pollDelay(Duration.ofMillis(1500)).until(() -> true);
            assertThat(ids).noneMatch(consumer::applied);
            var listed = admin.get("/api/v1/sales/feed").json();
            var test = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                    .filter(c -> c.path("name").asString().equals("test.feed"))
                    .findFirst()
                    .orElseThrow();
            assertThat(test.path("paused").asBoolean()).isTrue();
            assertThat(test.path("pending").asLong()).isGreaterThanOrEqualTo(2);
        } finally {
            var resumed = admin.post("/api/v1/sales/feed/test.feed/resume", java.util.Map.of());
            assertThat(resumed.status()).as(resumed.raw()).isEqualTo(200);
            assertThat(resumed.json().path("paused").asBoolean()).isFalse();
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(consumer::applied));
        assertThat(consumer.committedCalls).anySatisfy(call -> assertThat(call).containsAll(ids));
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(id -> deliveries(id) == 0));
        assertThat(jdbc.sql("""
                        select count(*) from audit.audit_event
                        where action in ('sales.feedPaused', 'sales.feedResumed') and entity_id = 'test.feed'
                        and at > now() - interval '5 minutes'""").query(Long.class).single()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void publishingOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> feed.publish(event(NEXT.decrementAndGet()))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eventsCommittedTogetherAreAppliedInOneCallOnceEach() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(NEXT.decrementAndGet());
        }
        new TransactionTemplate(transactions).executeWithoutResult(s -> ids.forEach(id -> feed.publish(event(id))));
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(consumer::applied));
        // one worker took all 50 deliveries at once: they were due together
        assertThat(consumer.committedCalls)
                .as("one call held all 50 events")
                .anySatisfy(call -> assertThat(call).containsAll(ids));
        for (Long id : ids) {
            assertThat(consumer.committedCalls.stream()
                            .filter(c -> c.contains(id))
                            .count())
                    .as("sale %d applied once", id)
                    .isEqualTo(1);
        }
        // and every consumer took its own deliveries of them
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(id -> deliveries(id) == 0));
    }

    @Test
    void aFailingEventIsRetriedLaterWithoutHoldingBackTheOthers() {
        long bad = NEXT.decrementAndGet();
        List<Long> good = List.of(NEXT.decrementAndGet(), NEXT.decrementAndGet(), NEXT.decrementAndGet());
        consumer.poisoned.add(bad);
        try {
            new TransactionTemplate(transactions).executeWithoutResult(s -> {
                feed.publish(event(good.get(0)));
                feed.publish(event(bad));
                feed.publish(event(good.get(1)));
                feed.publish(event(good.get(2)));
            });
            // the batch failed as a whole, then the events went one by one: the good ones are applied
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> good.stream().allMatch(consumer::applied));
            assertThat(consumer.applied(bad)).isFalse();
            // the bad one waits with its error and a next attempt in the future
            var row = jdbc.sql("""
                    select d.attempts, d.last_error, d.next_attempt_at > now() as later
                    from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id
                    where d.consumer = 'test.feed' and (e.payload -> 'sales' -> 0 ->> 'saleId')::bigint = ?""")
                    .param(bad)
                    .query((rs, i) -> List.of(rs.getInt(1), rs.getString(2), rs.getBoolean(3)))
                    .single();
            assertThat((Integer) row.get(0)).isGreaterThanOrEqualTo(1);
            assertThat((String) row.get(1)).contains("poisoned sale " + bad);
            // once the cause is gone, it is applied on its next attempt (backoff 2 s after the first failure)
            consumer.poisoned.remove(bad);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> consumer.applied(bad));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(bad) == 0);
            assertThat(consumer.committedCalls.stream()
                            .filter(c -> c.contains(bad))
                            .count())
                    .isEqualTo(1);
        } finally {
            consumer.poisoned.remove(bad);
        }
    }

    @Test
    void appliedEventsArePurgedAndEventsStillWaitingAreKept() {
        long done = NEXT.decrementAndGet();
        long waiting = NEXT.decrementAndGet();
        consumer.poisoned.add(waiting);
        try {
            new TransactionTemplate(transactions).executeWithoutResult(s -> {
                feed.publish(event(done));
                feed.publish(event(waiting));
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(done) == 0);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> consumer.failedSales.contains(waiting));
            jdbc.sql("""
                    update sales.feed_event set recorded_at = now() - interval '1 minute'
                    where (payload -> 'sales' -> 0 ->> 'saleId')::bigint in (?, ?)""").params(done, waiting).update();
            feed.purge();
            String events =
                    "select count(*) from sales.feed_event where (payload -> 'sales' -> 0 ->> 'saleId')::bigint = ?";
            assertThat(jdbc.sql(events).param(done).query(Long.class).single()).isZero();
            assertThat(jdbc.sql(events).param(waiting).query(Long.class).single())
                    .isEqualTo(1);
        } finally {
            consumer.poisoned.remove(waiting);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(waiting) == 0);
    }

    /** A consumer of its own feed instance (not the application's): remembers each call's sale ids. */
    private static final class Recorder implements SalesFeedConsumer {
        final String name = "linger.test." + System.nanoTime();
        final List<List<Long>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<SalesRecorded> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        final boolean readsTickets;

        Recorder() {
            this(false);
        }

        Recorder(boolean readsTickets) {
            this.readsTickets = readsTickets;
        }

        @Override
        public String feedName() {
            return name;
        }

        @Override
        public boolean readsTickets() {
            return readsTickets;
        }

        @Override
        public void onSales(List<SalesRecorded> events) {
            received.addAll(events);
            calls.add(SalesRecorded.merge(events).sales().stream()
                    .map(RecordedSale::saleId)
                    .toList());
        }

        boolean applied(long id) {
            return calls.stream().anyMatch(c -> c.contains(id));
        }
    }

    /** A second feed (not started by the context) whose only consumer is {@code recorder}. */
    private SalesFeed feedOf(Recorder recorder, int batchEvents, Duration linger) {
        return feedOf(recorder, batchEvents, linger, 100_000);
    }

    private SalesFeed feedOf(Recorder recorder, int batchEvents, Duration linger, long cacheTickets) {
        var factory = new org.springframework.beans.factory.support.StaticListableBeanFactory(
                java.util.Map.of("recorder", recorder));
        return new SalesFeed(
                jdbc,
                transactions,
                factory.getBeanProvider(SalesFeedConsumer.class),
                List.of(),
                List.of(),
                batchEvents,
                5_000,
                Duration.ofSeconds(1),
                linger,
                cacheTickets,
                20_000);
    }

    /**
     * A committed event reaches the consumers as the very object published, not parsed again from
     * its stored payload, and leaves memory once every consumer has taken it; without the in-memory
     * copy (cache off, or after a restart) it is read back and equal to it, offsets included. An
     * event whose transaction rolled back is not kept.
     */
    @Test
    void committedEventsReachConsumersFromMemoryAndEqualWhenReadBack() {
        SalesRecorded published = new SalesRecorded(List.of(
                new RecordedSale(
                        NEXT.decrementAndGet(),
                        SaleKind.SALE,
                        1,
                        42L,
                        LocalDate.of(2026, 11, 11),
                        OffsetDateTime.of(2026, 11, 11, 23, 59, 58, 123_000_000, java.time.ZoneOffset.ofHours(8)),
                        12_345,
                        SaleSource.POS,
                        true,
                        null),
                new RecordedSale(
                        NEXT.decrementAndGet(),
                        SaleKind.RETURN,
                        2,
                        null,
                        LocalDate.of(2026, 11, 12),
                        null,
                        -500,
                        SaleSource.IMPORT,
                        false,
                        7L)));
        TransactionTemplate tx = new TransactionTemplate(transactions);
        for (long cache : new long[] {100_000, 0}) {
            Recorder recorder = new Recorder();
            SalesFeed feed = feedOf(recorder, 200, Duration.ZERO, cache);
            long rolledBack = NEXT.decrementAndGet();
            tx.executeWithoutResult(s -> {
                feed.publish(event(rolledBack));
                s.setRollbackOnly();
            });
            assertThat(feed.eventsKept()).as("a rolled-back event is not kept").isZero();
            tx.executeWithoutResult(s -> feed.publish(published));
            assertThat(feed.eventsKept()).isEqualTo(cache > 0 ? 1 : 0);
            feed.start();
            try {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> recorder.applied(published.sales().get(0).saleId()));
                assertThat(recorder.received).as("cache %d", cache).containsExactly(published);
                if (cache > 0) {
                    assertThat(recorder.received.get(0)).isSameAs(published);
                    assertThat(feed.eventsReadBack()).isZero();
                    assertThat(feed.eventsKept())
                            .as("taken by its only consumer, it leaves memory")
                            .isZero();
                } else {
                    assertThat(recorder.received.get(0)).isNotSameAs(published);
                    assertThat(feed.eventsReadBack()).isEqualTo(1);
                }
                assertThat(recorder.applied(rolledBack)).isFalse();
            } finally {
                feed.stop();
            }
        }
    }

    /**
     * The tickets published with their event are kept in memory only when a consumer reads them,
     * dropped again when the recording transaction rolls back, and dropped once that consumer has
     * applied their event, whether it asked for them or not.
     */
    @Test
    void recordedTicketsAreKeptForConsumersThatReadThemUnlessRolledBack() {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        for (boolean reads : new boolean[] {true, false}) {
            Recorder recorder = new Recorder(reads);
            SalesFeed feed = feedOf(recorder, 200, Duration.ZERO);
            long kept = NEXT.decrementAndGet();
            long rolledBack = NEXT.decrementAndGet();
            tx.executeWithoutResult(s -> feed.publish(event(kept), List.of(ticket(kept))));
            tx.executeWithoutResult(s -> {
                feed.publish(event(rolledBack), List.of(ticket(rolledBack)));
                assertThat(feed.recordedTickets(List.of(rolledBack))).hasSize(reads ? 1 : 0);
                s.setRollbackOnly();
            });
            assertThat(feed.recordedTickets(List.of(kept, rolledBack)))
                    .as("consumer reads tickets: %s", reads)
                    .containsOnlyKeys(reads ? List.of(kept) : List.of());
            // leave no delivery behind for the other tests
            feed.start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recorder.applied(kept));
            } finally {
                feed.stop();
            }
            assertThat(feed.recordedTickets(List.of(kept)))
                    .as("its event applied by the consumer, the ticket it did not ask for leaves memory")
                    .isEmpty();
        }
    }

    private static Ticket ticket(long id) {
        return new Ticket(
                id,
                SaleKind.SALE,
                1,
                "S1",
                "POS-01",
                "T" + id,
                null,
                LocalDate.now(),
                OffsetDateTime.now(),
                "C001",
                null,
                "CNY",
                100,
                0,
                100,
                java.math.BigDecimal.ONE,
                SaleSource.POS,
                false,
                OffsetDateTime.now(),
                List.of(),
                List.of(new Ticket.Payment(1, PaymentMethod.CASH, 100, "")));
    }

    /**
     * Under a stream of single commits a worker does not start a batch per commit: after applying
     * one it waits until {@code linger} after that batch started, so the sales committed meanwhile
     * go together. The first sale after a quiet spell is applied alone, without waiting.
     */
    @Test
    void salesCommittedWhileAWorkerLingersAreAppliedTogether() {
        Recorder recorder = new Recorder();
        SalesFeed lingering = feedOf(recorder, 200, Duration.ofSeconds(4));
        lingering.start();
        try {
            TransactionTemplate tx = new TransactionTemplate(transactions);
            long first = NEXT.decrementAndGet();
            tx.executeWithoutResult(s -> lingering.publish(event(first)));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recorder.applied(first));
            List<Long> next = List.of(NEXT.decrementAndGet(), NEXT.decrementAndGet(), NEXT.decrementAndGet());
            for (Long id : next) {
                // three commits, each waking the worker
                tx.executeWithoutResult(s -> lingering.publish(event(id)));
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> next.stream().allMatch(recorder::applied));
            assertThat(recorder.calls).containsExactly(List.of(first), next);
        } finally {
            lingering.stop();
        }
    }

    /** A full batch (deliveries left behind) is followed by the next one at once, lingering or not. */
    @Test
    void aBacklogIsAppliedWithoutLingeringBetweenFullBatches() {
        Recorder recorder = new Recorder();
        // a linger far longer than the wait below: had the worker lingered after a full batch, the
        // backlog could not be applied in time
        SalesFeed lingering = feedOf(recorder, 2, Duration.ofMinutes(10));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(NEXT.decrementAndGet());
        }
        new TransactionTemplate(transactions)
                .executeWithoutResult(s -> ids.forEach(id -> lingering.publish(event(id))));
        lingering.start();
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> ids.stream().allMatch(recorder::applied));
            assertThat(recorder.calls).containsExactly(ids.subList(0, 2), ids.subList(2, 4), ids.subList(4, 5));
        } finally {
            lingering.stop();
        }
    }

    @Test
    void aReturnOfASaleInTheSameBatchStartsANewRun() {
        long sale = 5, other = 6;
        SalesRecorded e1 = event(sale);
        SalesRecorded e2 = event(other);
        SalesRecorded ret = new SalesRecorded(List.of(new RecordedSale(
                7,
                SaleKind.RETURN,
                1,
                null,
                LocalDate.now(),
                OffsetDateTime.now(),
                -100,
                SaleSource.POS,
                false,
                sale)));
        SalesRecorded e4 = event(8);
        assertThat(SalesRecorded.mergeable(List.of(e1, e2, ret, e4)))
                .containsExactly(List.of(e1, e2), List.of(ret, e4));
        assertThat(SalesRecorded.mergeable(List.of(e2, ret, e4))).containsExactly(List.of(e2, ret, e4));
        assertThat(SalesRecorded.merge(List.of(e1, e2)).sales())
                .extracting(RecordedSale::saleId)
                .containsExactly(sale, other);
    }
}
