package dev.patron.segments;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code segments.segment_member} equal to what each rule segment's compiled query selects.
 *
 * <ul>
 *   <li><b>Full refresh</b> of one segment: set-based diff in one statement (leavers deleted,
 *       joiners inserted, both recorded in {@code segment_change} with the day), the count and the
 *       day's size in {@code segment_size_day}. Nightly for every segment after the facts and RFM
 *       roll ({@link FactsRefreshJob}), so that time windows move, and on demand.
 *   <li><b>Incremental</b>: the given members against all rule segments in ONE query (the compiled
 *       queries restricted to the members, {@code union all}), then the same diff restricted to
 *       them. Called by {@link SegmentListeners} on sales, fact, profile, tier and merge events.
 * </ul>
 *
 * Lock order: segment rows in id order first ({@code for no key update}), then memberships, so a
 * full refresh and incremental runs never deadlock and never lose each other's changes.
 * "Today" comes from a {@link Clock} bean when there is one (Asia/Shanghai system clock otherwise).
 */
@Component
class SegmentRefresh {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Logger log = LoggerFactory.getLogger(SegmentRefresh.class);

    private final JdbcClient jdbc;
    private final SegmentEvaluator evaluator;
    private final JsonMapper json;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final io.micrometer.core.instrument.Timer reevaluation;
    private final String refreshWorkMem;
    private final int workers;

    SegmentRefresh(
            JdbcClient jdbc,
            SegmentEvaluator evaluator,
            JsonMapper json,
            TransactionTemplate tx,
            ObjectProvider<Clock> clock,
            ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters,
            @org.springframework.beans.factory.annotation.Value("${patron.segments.refresh-work-mem:256MB}")
                    String refreshWorkMem,
            @org.springframework.beans.factory.annotation.Value("${patron.segments.refresh-workers:2}") int workers) {
        if (workers < 1 || workers > 16) {
            throw new IllegalArgumentException(
                    "patron.segments.refresh-workers must be between 1 and 16, not " + workers);
        }
        this.workers = workers;
        this.refreshWorkMem = Rfm.workMem(refreshWorkMem);
        this.reevaluation = io.micrometer.core.instrument.Timer.builder("patron.segments.reevaluation")
                .description("Incremental re-evaluation of some members against every rule segment (one call)")
                .publishPercentileHistogram()
                .register(meters.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new));
        this.jdbc = jdbc;
        this.evaluator = evaluator;
        this.json = json;
        this.tx = tx;
        this.clock = clock.getIfAvailable(() -> Clock.system(ZONE));
    }

    LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    /**
     * Refreshes every live segment as of {@code asOf}, each in its own transaction, on
     * {@code patron.segments.refresh-workers} threads (default 2): a refresh is one statement that
     * PostgreSQL runs on one core (a statement that writes gets no parallel workers), so two at a
     * time use both cores of a small server. Segments lock only their own rows, so concurrent
     * refreshes never wait on each other. A segment that fails is logged and skipped. Records every
     * segment's size; returns the segments refreshed.
     */
    int refreshAll(LocalDate asOf) {
        List<Long> ids = jdbc.sql("select id from segments.segment where deleted_at is null order by id")
                .query(Long.class)
                .list();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, Math.min(workers, ids.size())), r -> {
                    Thread t = new Thread(r, "segment-refresh");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (long id : ids) {
                done.add(pool.submit(() -> {
                    try {
                        tx.executeWithoutResult(s -> refresh(id, asOf, "REFRESH"));
                        n.incrementAndGet();
                    } catch (RuntimeException e) {
                        log.error("Segment {} could not be refreshed", id, e);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Segment refresh interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return n.get();
    }

    /** Runs {@code work} in a transaction of its own (what {@link #refreshAll} did is audited after it). */
    void inTransaction(Runnable work) {
        tx.executeWithoutResult(s -> work.run());
    }

    record Result(int joined, int left, int size) {}

    /** Full refresh of one segment as of {@code asOf} (a static list only records its size). */
    @Transactional(propagation = Propagation.MANDATORY)
    Result refresh(long segmentId, LocalDate asOf, String cause) {
        var row = jdbc.sql("select kind, definition::text from segments.segment where id = ? and deleted_at is null"
                        + " for no key update")
                .param(segmentId)
                .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2)})
                .optional();
        if (row.isEmpty()) {
            return new Result(0, 0, 0);
        }
        int joined = 0;
        int left = 0;
        if ("RULE".equals(row.get()[0])) {
            SegmentDefinition d = json.readValue(row.get()[1], SegmentDefinition.class);
            SegmentEvaluator.Compiled c = evaluator.compile(d, asOf, "", false);
            Map<String, Object> p = new LinkedHashMap<>(c.params());
            p.put("sid", segmentId);
            p.put("day", asOf);
            p.put("cause", cause);
            // the condition's members against the current ones in one full join (hashed or merged: a full
            // join cannot be a nested loop, whatever the estimates), so only joiners and leavers are
            // written or probed; an "insert … on conflict do nothing" of every selected member cost a
            // primary-key probe each (≈ 11 µs per member in the segment, docs/PERFORMANCE.md)
            jdbc.sql("set local work_mem = '" + refreshWorkMem + "'").update();
            int[] r = jdbc.sql("with target as (" + c.select("m.id", "", false) + ")," + """
                     diff as materialized (
                         select t.id as joining, cur.member_id as leaving
                         from target t
                         full join (select member_id from segments.segment_member where segment_id = :sid) cur
                                on cur.member_id = t.id
                         where t.id is null or cur.member_id is null),
                     gone as (delete from segments.segment_member sm where sm.segment_id = :sid
                         and sm.member_id in (select leaving from diff where leaving is not null) returning sm.member_id),
                     fresh as (insert into segments.segment_member (segment_id, member_id, since)
                         select :sid, joining, :day from diff where joining is not null
                         on conflict do nothing returning member_id),
                     c1 as (insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                         select :sid, member_id, 'LEFT', :day, :cause from gone),
                     c2 as (insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                         select :sid, member_id, 'JOINED', :day, :cause from fresh)
                     select (select count(*) from fresh)::int, (select count(*) from gone)::int""")
                    .params(p)
                    .query((rs, i) -> new int[] {rs.getInt(1), rs.getInt(2)})
                    .single();
            joined = r[0];
            left = r[1];
        }
        // counted afresh (an index-only scan) rather than adjusted: a drifted count heals here
        int size =
                jdbc.sql("""
                update segments.segment set member_count = (select count(*) from segments.segment_member where segment_id = ?),
                    last_refreshed_at = now() where id = ? returning member_count""").params(segmentId, segmentId).query(Integer.class).single();
        recordSize(segmentId, asOf, size);
        return new Result(joined, left, size);
    }

    void recordSize(long segmentId, LocalDate day, int size) {
        jdbc.sql("""
                insert into segments.segment_size_day (segment_id, day, size) values (?, ?, ?)
                on conflict (segment_id, day) do update set size = excluded.size""").params(segmentId, day, size).update();
    }

    /**
     * Re-evaluates {@code memberIds} against every live rule segment as of today in one query and
     * applies the difference (joins and leaves recorded with cause MEMBER). Idempotent.
     */
    @Transactional
    void reevaluate(Collection<Long> memberIds) {
        reevaluate(memberIds, c -> true);
    }

    /**
     * As {@link #reevaluate(Collection)}, against only the rule segments whose compiled conditions
     * {@code reads} accepts (e.g. those that read the tier, when only tiers changed): the others
     * cannot have changed for these members. Idempotent.
     */
    @Transactional
    void reevaluate(Collection<Long> memberIds, java.util.function.Predicate<SegmentEvaluator.Compiled> reads) {
        if (memberIds.isEmpty()) {
            return;
        }
        reevaluation.record(() -> reevaluateNow(memberIds, reads));
    }

    private void reevaluateNow(
            Collection<Long> memberIds, java.util.function.Predicate<SegmentEvaluator.Compiled> reads) {
        LocalDate today = today();
        Long[] members = memberIds.stream().distinct().sorted().toArray(Long[]::new);
        // one member (a sale, a profile change) is the common case: its statement names the member
        // as a scalar and may keep a generic plan; several go as arrays, planned for each call
        boolean single = members.length == 1;
        List<Object[]> segments = jdbc.sql("""
                select id, definition::text from segments.segment where kind = 'RULE' and deleted_at is null
                order by id for no key update""")
                .query((rs, i) -> new Object[] {rs.getLong(1), rs.getString(2)})
                .list();
        if (segments.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        Map<String, Object> p = new LinkedHashMap<>();
        Long[] ids = new Long[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            long id = (Long) segments.get(i)[0];
            ids[i] = id;
            String prefix = "s" + id + "_";
            SegmentEvaluator.Compiled c;
            try {
                c = compiled(id, (String) segments.get(i)[1], today, prefix);
            } catch (RuntimeException e) {
                log.error("Segment {} does not compile; its memberships are left as they are", id, e);
                ids[i] = -1L;
                continue;
            }
            if (!reads.test(c)) {
                ids[i] = -1L; // what changed is not among what it reads: left as it is
                continue;
            }
            parts.add(c.select(id + "::bigint as segment_id, m.id as member_id", prefix, true, single));
            p.putAll(c.params());
            if (single) {
                p.put(prefix + "member", members[0]);
            } else {
                p.put(prefix + "members", members);
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        p.put("segs", ids);
        if (single) {
            p.put("member", members[0]);
        } else {
            p.put("members", members);
        }
        p.put("day", today);
        if (!single) {
            // the same text runs for two members or a thousand: a cached generic plan (chosen after a
            // few runs of a server-prepared statement) cannot see how many ids "m.id = any(:members)"
            // holds and may scan every member; plan each run for its own arrays. (Planning the six
            // segments' statement costs about 3.5 ms, more than running it for one member.)
            jdbc.sql("set local plan_cache_mode = force_custom_plan").update();
        }
        List<long[]> deltas = jdbc.sql("with target as (" + String.join(" union all ", parts) + "),"
                        + ("""
                 gone as (delete from segments.segment_member sm where sm.segment_id = any(:segs) and /*member*/
                     and not exists (select 1 from target t where t.segment_id = sm.segment_id and t.member_id = sm.member_id)
                     returning sm.segment_id, sm.member_id),
                 fresh as (insert into segments.segment_member (segment_id, member_id, since)
                     select segment_id, member_id, :day from target on conflict do nothing returning segment_id, member_id),
                 c1 as (insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                     select segment_id, member_id, 'LEFT', :day, 'MEMBER' from gone),
                 c2 as (insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                     select segment_id, member_id, 'JOINED', :day, 'MEMBER' from fresh)
                 select segment_id, sum(d)::bigint from (select segment_id, 1 as d from fresh
                     union all select segment_id, -1 from gone) x group by segment_id order by segment_id""")
                                .replace(
                                        "/*member*/",
                                        single ? "sm.member_id = :member" : "sm.member_id = any(:members)"))
                .params(p)
                .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .list();
        for (long[] d : deltas) {
            if (d[1] == 0) {
                continue;
            }
            int size = jdbc.sql(
                            "update segments.segment set member_count = member_count + ? where id = ? returning member_count")
                    .params(d[1], d[0])
                    .query(Integer.class)
                    .single();
            recordSize(d[0], today, size);
        }
    }

    /** How long a compiled rule segment serves re-evaluations. */
    static final long COMPILED_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

    private record CompiledSegment(SegmentEvaluator.Compiled compiled, long untilNanos) {}

    /**
     * Rule segments compiled for re-evaluation, by segment id, day and definition text. Compiling
     * parses the definition and resolves its brand, store, category, tier and list codes with a
     * statement each — more time than evaluating the members. A changed definition or a new day is
     * a new key; what a code refers to reaches re-evaluations within a minute (the daily full refresh
     * always compiles afresh).
     */
    private final Map<String, CompiledSegment> compiledSegments = new java.util.concurrent.ConcurrentHashMap<>();

    private SegmentEvaluator.Compiled compiled(long id, String definition, LocalDate today, String prefix) {
        String key = id + "|" + today + "|" + definition;
        long now = System.nanoTime();
        CompiledSegment hit = compiledSegments.get(key);
        if (hit != null && now - hit.untilNanos() < 0) {
            return hit.compiled();
        }
        if (compiledSegments.size() > 1_000) {
            compiledSegments.clear();
        }
        SegmentEvaluator.Compiled fresh =
                evaluator.compile(json.readValue(definition, SegmentDefinition.class), today, prefix, false);
        compiledSegments.put(key, new CompiledSegment(fresh, now + COMPILED_TTL_NANOS));
        return fresh;
    }

    /** After a merge the survivor takes the merged member's places in static lists (and the merged member leaves them). */
    @Transactional
    void moveStaticMemberships(long fromId, long toId) {
        LocalDate today = today();
        List<Long> lists = jdbc.sql("""
                select s.id from segments.segment s join segments.segment_member sm on sm.segment_id = s.id
                where s.kind = 'STATIC' and s.deleted_at is null and sm.member_id = ? order by s.id for no key update of s""").param(fromId).query(Long.class).list();
        for (long list : lists) {
            jdbc.sql("delete from segments.segment_member where segment_id = ? and member_id = ?")
                    .params(list, fromId)
                    .update();
            int added = jdbc.sql("""
                    insert into segments.segment_member (segment_id, member_id, since) values (?, ?, ?)
                    on conflict do nothing""").params(list, toId, today).update();
            jdbc.sql("""
                    insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                    values (?, ?, 'LEFT', ?, 'MEMBER')""").params(list, fromId, today).update();
            if (added == 1) {
                jdbc.sql("""
                        insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                        values (?, ?, 'JOINED', ?, 'MEMBER')""").params(list, toId, today).update();
            } else {
                int size = jdbc.sql(
                                "update segments.segment set member_count = member_count - 1 where id = ? returning member_count")
                        .param(list)
                        .query(Integer.class)
                        .single();
                recordSize(list, today, size);
            }
        }
    }
}
