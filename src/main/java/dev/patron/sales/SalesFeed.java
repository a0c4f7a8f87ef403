package dev.patron.sales;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.patron.shared.db.OutboxAwareTransactionManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sales feed: how {@link SalesRecorded} reaches the modules that react to sales (loyalty, the
 * KPI rollup, member facts and segments), built for POS rates (docs/adr/0016-sales-feed.md).
 *
 * <p><b>Publishing.</b> {@link #publish} stores the event once ({@code sales.feed_event}) and one
 * delivery per consumer ({@code sales.feed_delivery}) in the caller's transaction — the one that
 * records the tickets — so an acknowledged sale's event cannot be lost, and a rolled-back one is
 * never delivered. After the commit the consumers' workers are woken.
 *
 * <p><b>Delivering.</b> Each {@link SalesFeedConsumer} has one worker thread per application
 * instance. A worker takes up to {@code patron.sales.feed.batch-events} of its oldest due deliveries
 * (and at most {@code batch-tickets} tickets) with {@code FOR UPDATE SKIP LOCKED} — several instances
 * share the work, none takes the same delivery — deletes them, and calls the consumer in the same
 * transaction. Committed: the events are applied and gone. Failed: nothing happened; the batch's
 * events are retried one by one, and an event that fails alone is put back with exponential backoff
 * (attempts, next attempt and the last error are kept on its delivery) while later events go on.
 * Nothing is ever dropped. With one sale at a time each call holds one event; under load the events
 * that arrived while the previous batch was applied go together, so the cost per sale falls as the
 * rate rises — where Spring Modulith's registry spent three transactions per event and listener.
 * After a batch that left nothing due, a worker starts its next batch no sooner than
 * {@code patron.sales.feed.linger} (100 ms) after the last one started: a steady stream of single
 * sales then reaches each consumer in batches of a tenth of a second's sales instead of one or two
 * per commit, while a sale after a quiet spell is applied at once.
 *
 * <p><b>Events in memory.</b> The payload is JSON in the database, for durability; parsing it again
 * for every consumer took about a third of the application's CPU under batch load (most of it in
 * java.time's date parsing). So the published event itself is also kept in memory (keyed by its
 * event id, which is never reused, and dropped again if its transaction rolls back; up to
 * {@code patron.sales.feed.cache-tickets} tickets), and a worker reads from the database only the
 * events it does not find there: after a restart, from another instance, or evicted. Both give
 * equal events (offsets kept as written). For the consumers that read the tickets' lines and
 * payments ({@link SalesFeedConsumer#readsTickets()}: loyalty's accrual) the tickets as recorded are
 * kept beside their event the same way (up to {@code patron.sales.feed.cache-ticket-details},
 * 20,000 by default, as they are larger), so that they need not be read back either
 * ({@link SalesManagement#ticketsAsRecorded}). An event leaves memory once every consumer has taken
 * it, a ticket once it has been handed out or its event applied by the consumers that read tickets:
 * entries nobody needs any more would fill the cache, and its admission policy (W-TinyLFU) would then
 * turn away the new ones.
 *
 * <p>The delivering transaction commits with {@code synchronous_commit = off}: a commit lost in a
 * crash brings the deliveries back, and every consumer is idempotent per sale. Workers poll every
 * {@code patron.sales.feed.poll} too, for events recorded by other instances.
 */
@Component
public class SalesFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SalesFeed.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final int PURGE_CHUNK = 10_000;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    /** Offsets as written: an event read back equals the one published (and kept in {@link #recent}). */
    private final JsonMapper json = JsonMapper.builder()
            .disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();
    /** Published events by id (dropped on rollback), so that consumers need not parse the stored payload (null: off). */
    private final Cache<Long, Kept> recent;
    /** Tickets as recorded by sale id, kept with their event when a consumer reads them (null: off). */
    private final Cache<Long, Ticket> recordedTickets;
    /** Whether an enabled consumer reads the tickets (resolved with {@link #names()}). */
    private volatile boolean keepTickets;
    /** Events a worker had to read from the database (tests: the in-memory path was taken). */
    private final java.util.concurrent.atomic.AtomicLong readBack = new java.util.concurrent.atomic.AtomicLong();

    private final ObjectProvider<SalesFeedConsumer> provider;
    private final List<String> disabled;
    /** Consumers whose deliveries are kept but not applied until resumed (operations, the accrual benchmark). */
    private final java.util.Set<String> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Map<String, SalesFeedConsumer> consumers = new LinkedHashMap<>();
    private volatile String[] names;
    private final int batchEvents;
    private final int batchTickets;
    private final Duration poll;
    private final long lingerNanos;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean running;

    SalesFeed(
            JdbcClient jdbc,
            PlatformTransactionManager transactions,
            ObjectProvider<SalesFeedConsumer> consumers,
            @Value("${patron.sales.feed.disabled:}") List<String> disabled,
            @Value("${patron.sales.feed.paused:}") List<String> paused,
            @Value("${patron.sales.feed.batch-events:200}") int batchEvents,
            @Value("${patron.sales.feed.batch-tickets:5000}") int batchTickets,
            @Value("${patron.sales.feed.poll:PT1S}") Duration poll,
            @Value("${patron.sales.feed.linger:PT0.1S}") Duration linger,
            @Value("${patron.sales.feed.cache-tickets:100000}") long cacheTickets,
            @Value("${patron.sales.feed.cache-ticket-details:20000}") long cacheTicketDetails) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setName(SalesFeed.class.getName() + ".deliver" + OutboxAwareTransactionManager.RELAXED_DURABILITY);
        this.provider = consumers;
        this.disabled = disabled;
        paused.stream().map(String::strip).filter(n -> !n.isEmpty()).forEach(this.paused::add);
        this.batchEvents = batchEvents;
        this.batchTickets = batchTickets;
        this.poll = poll;
        this.lingerNanos = linger.toNanos();
        this.recent = cacheTickets <= 0
                ? null
                : Caffeine.newBuilder()
                        .maximumWeight(cacheTickets)
                        .weigher((Long id, Kept k) ->
                                Math.max(1, k.event().sales().size()))
                        .expireAfterWrite(Duration.ofMinutes(30))
                        .build();
        this.recordedTickets = cacheTicketDetails <= 0
                ? null
                : Caffeine.newBuilder()
                        .maximumSize(cacheTicketDetails)
                        .expireAfterWrite(Duration.ofMinutes(30))
                        .<Long, Ticket>build();
    }

    /** The consumers that get the events, by name. */
    public List<String> consumers() {
        return List.of(names());
    }

    /** Resolved on first use, not in the constructor: consumers depend on the sales module too. */
    private String[] names() {
        String[] n = names;
        if (n == null) {
            synchronized (this) {
                if (names == null) {
                    provider.orderedStream().forEach(c -> {
                        if (disabled.contains(c.feedName())) {
                            log.warn(
                                    "Sales feed consumer '{}' is disabled (patron.sales.feed.disabled): it gets no sales",
                                    c.feedName());
                        } else if (consumers.putIfAbsent(c.feedName(), c) != null) {
                            throw new IllegalStateException("two sales feed consumers named " + c.feedName());
                        }
                    });
                    keepTickets = consumers.values().stream().anyMatch(SalesFeedConsumer::readsTickets);
                    names = consumers.keySet().toArray(String[]::new);
                }
                n = names;
            }
        }
        return n;
    }

    /**
     * Stores the event and its deliveries in the current transaction (required) and wakes the
     * workers once it commits.
     */
    void publish(SalesRecorded event) {
        publish(event, List.of());
    }

    /**
     * {@link #publish(SalesRecorded)}, keeping {@code tickets} (the event's tickets as just recorded,
     * all or some) in memory for the consumers that read them, dropped again on rollback.
     */
    void publish(SalesRecorded event, List<Ticket> tickets) {
        String[] names = names();
        if (event.sales().isEmpty() || names.length == 0) {
            return;
        }
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException(
                    "SalesRecorded must be published in the transaction that recorded the tickets");
        }
        long id = jdbc.sql("""
                with e as (insert into sales.feed_event (tickets, payload) values (?, ?::json) returning id),
                d as (insert into sales.feed_delivery (consumer, event_id) select c, e.id from e, unnest(?::text[]) c)
                select id from e""")
                .params(event.sales().size(), json.writeValueAsString(event), names)
                .query(Long.class)
                .single();
        // kept from now, not from afterCommit: a worker may see the committed deliveries before the
        // afterCommit callbacks have run. A rolled-back event is dropped again below; until then its
        // id, which no delivery names, is never asked for (sequence values are never reused).
        if (recent != null) {
            recent.put(id, new Kept(event, new java.util.concurrent.atomic.AtomicInteger(names.length)));
        }
        List<Long> kept = List.of();
        if (keepTickets && recordedTickets != null && !tickets.isEmpty()) {
            Map<Long, Ticket> byId = new java.util.HashMap<>();
            tickets.forEach(t -> byId.put(t.id(), t));
            recordedTickets.putAll(byId);
            kept = List.copyOf(byId.keySet());
        }
        List<Long> keptTickets = kept;
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    if (recent != null) {
                        recent.invalidate(id);
                    }
                    if (!keptTickets.isEmpty()) {
                        recordedTickets.invalidateAll(keptTickets);
                    }
                }
            }

            @Override
            public void afterCommit() {
                workers.forEach(Worker::wake);
            }
        });
    }

    /**
     * Stops applying deliveries to a consumer (the one running batch, if any, finishes); its
     * deliveries keep being recorded with every sale and wait, in order, until {@link #resume}.
     * Also at start-up with {@code patron.sales.feed.paused}. False if it was paused already.
     */
    boolean pause(String consumer) {
        requireConsumer(consumer);
        return paused.add(consumer);
    }

    /** Applies a paused consumer's deliveries again, the waiting ones first. False if it was not paused. */
    boolean resume(String consumer) {
        requireConsumer(consumer);
        boolean was = paused.remove(consumer);
        workers.stream().filter(w -> w.consumer.equals(consumer)).forEach(Worker::wake);
        return was;
    }

    /** The paused consumers. */
    java.util.Set<String> paused() {
        return java.util.Set.copyOf(paused);
    }

    private void requireConsumer(String consumer) {
        if (!java.util.Arrays.asList(names()).contains(consumer)) {
            throw new IllegalArgumentException("no sales feed consumer named " + consumer);
        }
    }

    /** Deliveries not applied yet, per consumer (for operations and tests). */
    public Map<String, Long> pending() {
        Map<String, Long> pending = new LinkedHashMap<>();
        for (String name : names()) {
            pending.put(name, 0L);
        }
        jdbc.sql("select consumer, count(*) from sales.feed_delivery where consumer = any(?) group by consumer")
                .param((Object) names())
                .query((rs, i) -> pending.put(rs.getString(1), rs.getLong(2)))
                .list();
        return pending;
    }

    /** Every delivery applied (for tests and the benchmark's drain check). */
    public boolean drained() {
        return jdbc.sql("select not exists (select 1 from sales.feed_delivery where consumer = any(?))")
                .param((Object) names())
                .query(Boolean.class)
                .single();
    }

    /** Events still waiting for the named consumer, oldest first (the KPI rebuild reads them). */
    List<SalesRecorded> waitingFor(String consumer) {
        return jdbc.sql("""
                select e.payload from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id
                where d.consumer = ? order by d.event_id""")
                .param(consumer)
                .query((rs, i) -> json.readValue(rs.getString(1), SalesRecorded.class))
                .list();
    }

    /**
     * Applies one batch of the consumer's due deliveries, in this thread; returns how many events it
     * applied (0 when none were due or the batch failed).
     */
    int deliverOnce(String consumer) {
        return deliver(consumer).applied();
    }

    /** What one batch did: events applied, and whether due deliveries were left for the next one. */
    private record Batch(int applied, boolean more) {}

    private Batch deliver(String consumer) {
        names();
        SalesFeedConsumer target = consumers.get(consumer);
        if (target == null) {
            throw new IllegalArgumentException("no sales feed consumer named " + consumer);
        }
        Taken done;
        try {
            done = tx.execute(s -> {
                Taken taken = take(consumer, batchEvents);
                if (!taken.ids().isEmpty()) {
                    apply(target, taken.ids());
                }
                return taken;
            });
        } catch (RuntimeException batchFailure) {
            log.warn(
                    "Sales feed: a batch for '{}' failed ({}); applying its events one by one",
                    consumer,
                    batchFailure.toString());
            return new Batch(deliverOneByOne(consumer, target), true);
        }
        return new Batch(done.ids().size(), done.more());
    }

    private int deliverOneByOne(String consumer, SalesFeedConsumer target) {
        int applied = 0;
        for (int i = 0; i < batchEvents; i++) {
            Long[] current = new Long[1];
            try {
                List<Long> one = tx.execute(s -> {
                    List<Long> taken = take(consumer, 1).ids();
                    if (!taken.isEmpty()) {
                        current[0] = taken.get(0);
                        apply(target, taken);
                    }
                    return taken;
                });
                if (one.isEmpty()) {
                    break;
                }
                applied++;
            } catch (RuntimeException e) {
                if (current[0] != null) {
                    postpone(consumer, current[0], e);
                } else {
                    log.warn("Sales feed: could not take a delivery for '{}': {}", consumer, e.toString());
                    break;
                }
            }
        }
        return applied;
    }

    /** Event ids taken for one batch; {@code more} when due deliveries were left behind (a full batch). */
    private record Taken(List<Long> ids, boolean more) {}

    /** Locks and deletes a run of the oldest due deliveries (capped by tickets); returns their event ids. */
    private Taken take(String consumer, int maxEvents) {
        List<long[]> due = jdbc.sql("""
                select d.event_id, e.tickets from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id
                where d.consumer = ? and (d.next_attempt_at is null or d.next_attempt_at <= now())
                order by d.event_id limit ? for update of d skip locked""")
                .params(consumer, maxEvents)
                .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .list();
        List<Long> ids = new ArrayList<>();
        long tickets = 0;
        for (long[] d : due) {
            if (!ids.isEmpty() && tickets + d[1] > batchTickets) {
                break;
            }
            ids.add(d[0]);
            tickets += d[1];
        }
        if (!ids.isEmpty()) {
            jdbc.sql("delete from sales.feed_delivery where consumer = ? and event_id = any(?)")
                    .params(consumer, ids.toArray(Long[]::new))
                    .update();
        }
        return new Taken(ids, due.size() == maxEvents || ids.size() < due.size());
    }

    private void apply(SalesFeedConsumer target, List<Long> ids) {
        List<SalesRecorded> events = events(ids);
        try {
            for (List<SalesRecorded> run : SalesRecorded.mergeable(events)) {
                target.onSales(run);
            }
        } finally {
            if (target.readsTickets() && recordedTickets != null) {
                // applied (or failed, and then retried from the database): also the tickets the consumer
                // did not ask for (loyalty skips anonymous sales) leave memory
                List<Long> saleIds = new ArrayList<>();
                events.forEach(e -> e.sales().forEach(t -> saleIds.add(t.saleId())));
                recordedTickets.invalidateAll(saleIds);
            }
        }
    }

    /**
     * The events, in id order: from memory where kept, the rest parsed from their stored payload. An
     * event leaves memory once each consumer has taken it (a consumer that takes it again after a
     * failed batch may read it back): kept events that nobody needs any more would otherwise fill
     * the cache, whose admission policy then turns away the new ones.
     */
    private List<SalesRecorded> events(List<Long> ids) {
        Map<Long, Kept> kept = recent == null ? Map.of() : recent.getAllPresent(ids);
        java.util.TreeMap<Long, SalesRecorded> byId = new java.util.TreeMap<>();
        kept.forEach((id, k) -> {
            byId.put(id, k.event());
            if (k.readers().decrementAndGet() <= 0) {
                recent.invalidate(id);
            }
        });
        List<Long> missing = ids.stream().filter(id -> !kept.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            jdbc.sql("select id, payload from sales.feed_event where id = any(?)")
                    .param(missing.toArray(Long[]::new))
                    .query(rs -> {
                        byId.put(rs.getLong(1), json.readValue(rs.getString(2), SalesRecorded.class));
                    });
            readBack.addAndGet(missing.size());
        }
        return new ArrayList<>(byId.values());
    }

    /** The tickets among {@code saleIds} kept in memory as recorded (see {@link #publish(SalesRecorded, List)}). */
    Map<Long, Ticket> recordedTickets(java.util.Collection<Long> saleIds) {
        return recordedTickets == null ? Map.of() : recordedTickets.getAllPresent(saleIds);
    }

    /**
     * {@link #recordedTickets}, handed out once: they leave memory (a consumer that needs them again,
     * after a failed batch, reads them), so that tickets already applied do not fill the cache and
     * make its admission policy turn away the new ones.
     */
    Map<Long, Ticket> takeRecordedTickets(java.util.Collection<Long> saleIds) {
        Map<Long, Ticket> found = recordedTickets(saleIds);
        if (!found.isEmpty()) {
            recordedTickets.invalidateAll(found.keySet());
        }
        return found;
    }

    /** Drops these tickets from memory (tests: as after a restart or an eviction). */
    void forgetRecordedTickets(java.util.Collection<Long> saleIds) {
        if (recordedTickets != null) {
            recordedTickets.invalidateAll(saleIds);
        }
    }

    /** How many events are kept in memory (tests). */
    long eventsKept() {
        if (recent == null) {
            return 0;
        }
        recent.cleanUp();
        return recent.estimatedSize();
    }

    /** How many events workers have read back from the database since start (tests). */
    long eventsReadBack() {
        return readBack.get();
    }

    private void postpone(String consumer, long eventId, RuntimeException failure) {
        try {
            int attempts = jdbc.sql("""
                    update sales.feed_delivery set attempts = attempts + 1, last_error = left(?, 2000),
                        next_attempt_at = now() + least(interval '1 second' * power(2, least(attempts, 20)), ? * interval '1 second')
                    where consumer = ? and event_id = ? returning attempts""")
                    .params(String.valueOf(failure), MAX_BACKOFF.toSeconds(), consumer, eventId)
                    .query(Integer.class)
                    .optional()
                    .orElse(0);
            log.error(
                    "Sales feed: event {} failed for '{}' (attempt {}); retried later",
                    eventId,
                    consumer,
                    attempts,
                    failure);
        } catch (RuntimeException e) {
            log.warn("Sales feed: could not postpone event {} for '{}': {}", eventId, consumer, e.toString());
        }
    }

    /**
     * Removes events every consumer has applied. Run by the workers now and then; an event is kept
     * while any delivery of it is left.
     */
    int purge() {
        return jdbc.sql("""
                delete from sales.feed_event e where e.id in (
                    select id from sales.feed_event x where x.recorded_at < now() - interval '10 seconds'
                    and not exists (select 1 from sales.feed_delivery d where d.event_id = x.id)
                    order by id limit 10000)""").update();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        running = true;
        boolean first = true;
        for (String name : names()) {
            if (paused.contains(name)) {
                log.warn(
                        "Sales feed consumer '{}' starts paused (patron.sales.feed.paused): its sales wait until resumed",
                        name);
            }
            Worker w = new Worker(name, first);
            first = false;
            workers.add(w);
            w.thread.start();
        }
    }

    @Override
    public void stop() {
        running = false;
        workers.forEach(Worker::wake);
        for (Worker w : workers) {
            try {
                w.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the data source closes, starts after everything else is ready. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private final class Worker implements Runnable {
        final String consumer;
        final boolean purges;
        final Thread thread;
        volatile boolean woken;

        Worker(String consumer, boolean purges) {
            this.consumer = consumer;
            this.purges = purges;
            this.thread = new Thread(this, "sales-feed-" + consumer);
            this.thread.setDaemon(true);
        }

        void wake() {
            woken = true;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            long nextPurge = 0;
            long failures = 0;
            while (running) {
                woken = false;
                long started = System.nanoTime();
                Batch batch;
                try {
                    batch = paused.contains(consumer) ? new Batch(0, false) : deliver(consumer);
                    failures = 0;
                    if (purges && System.nanoTime() - nextPurge > 0) {
                        while (running && purge() == PURGE_CHUNK) {
                            // a backlog of applied events: keep going in chunks
                        }
                        nextPurge = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    }
                } catch (RuntimeException e) {
                    // e.g. the database is unavailable: wait a little longer each time
                    batch = new Batch(0, false);
                    failures++;
                    log.warn("Sales feed worker '{}': {}", consumer, e.toString());
                    LockSupport.parkNanos(Duration.ofMillis(Math.min(5_000, 200L << Math.min(failures, 5)))
                            .toNanos());
                }
                if (batch.applied() == 0) {
                    if (running && !woken) {
                        LockSupport.parkNanos(this, poll.toNanos());
                    }
                } else if (!batch.more()) {
                    // Under a steady stream of single sales each commit wakes every worker, and a
                    // batch taken at once holds a sale or two: the consumer's per-batch statements
                    // then cost more than its work. The next batch starts no sooner than `linger`
                    // after this one started, so what arrives meanwhile goes together; after a
                    // quiet spell the first sale is still applied at once. A full batch (backlog)
                    // goes on without waiting.
                    long until = started + lingerNanos;
                    long left;
                    while (running && (left = until - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(this, left);
                    }
                }
            }
        }
    }

    /** An event kept in memory and how many consumers have yet to take it. */
    private record Kept(SalesRecorded event, java.util.concurrent.atomic.AtomicInteger readers) {}
}
