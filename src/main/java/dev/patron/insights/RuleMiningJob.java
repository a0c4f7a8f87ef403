package dev.patron.insights;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import jakarta.annotation.PreDestroy;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs association-rule mining: weekly (Sunday 03:00 Asia/Shanghai, chain-wide, category and brand
 * level; one app instance at a time through ShedLock) and on demand (in the background: the
 * request gets the RUNNING run at once). A run reads the baskets twice in one read-only REPEATABLE
 * READ transaction (the counts and the tree see the same snapshot), mines in memory, then writes in
 * one transaction: the rules, the price bands, the level's next-best table and the run's outcome. A
 * failed run is recorded as FAILED with the error and changes nothing else. One run per level at a
 * time (409 otherwise).
 */
@Component
class RuleMiningJob {

    private static final Logger log = LoggerFactory.getLogger(RuleMiningJob.class);
    static final MathContext MC = new MathContext(20, RoundingMode.HALF_EVEN);
    static final int SCALE = 6;
    static final int KEEP_RUNS = 20;

    /** A run's parameters, already validated. */
    record Params(
            RuleLevel level,
            BigDecimal minSupport,
            BigDecimal minConfidence,
            int maxItems,
            LocalDate from,
            LocalDate to,
            Long[] storeIds) {}

    private final JdbcClient jdbc;
    private final BasketSource baskets;
    private final NextBest nextBest;
    private final UpSell upSell;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final TransactionTemplate snapshot;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xsell-mining");
        t.setDaemon(true);
        return t;
    });
    private final ApplicationEventPublisher events;
    private final int nextBestPerMember;
    private final int windowMonths;

    RuleMiningJob(
            JdbcClient jdbc,
            BasketSource baskets,
            NextBest nextBest,
            UpSell upSell,
            AuditLog audit,
            PlatformTransactionManager transactions,
            ApplicationEventPublisher events,
            @Value("${patron.insights.next-best-per-member:10}") int nextBestPerMember,
            @Value("${patron.insights.window-months:12}") int windowMonths) {
        this.jdbc = jdbc;
        this.baskets = baskets;
        this.nextBest = nextBest;
        this.upSell = upSell;
        this.audit = audit;
        this.events = events;
        this.tx = new TransactionTemplate(transactions);
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.nextBestPerMember = nextBestPerMember;
        this.windowMonths = windowMonths;
    }

    int windowMonths() {
        return windowMonths;
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }

    @Scheduled(cron = "${patron.insights.rules-cron:0 0 3 * * SUN}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "insights.rules", lockAtMostFor = "PT6H")
    void weekly() {
        LocalDate to = AssociationRules.today();
        for (RuleLevel level : RuleLevel.values()) {
            try {
                long id = start(
                        new Params(
                                level,
                                AssociationRules.DEFAULT_SUPPORT,
                                AssociationRules.DEFAULT_CONFIDENCE,
                                FpGrowth.MAX_ITEMS,
                                to.minusMonths(windowMonths).plusDays(1),
                                to,
                                null),
                        "SCHEDULED");
                execute(id);
            } catch (PatronException e) {
                log.info("Weekly rule mining at {} level skipped: {}", level, e.messageKey());
            }
        }
    }

    /** Records a RUNNING run (409 when one of the level runs) and audits it; returns its id. */
    long start(Params p, String trigger) {
        return tx.execute(s -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtext('insights.rule_run'))")
                    .query()
                    .singleRow();
            // a run left RUNNING by a stopped instance does not block forever
            jdbc.sql("""
                    update insights.rule_run set status = 'FAILED', error = 'abandoned', finished_at = now()
                    where status = 'RUNNING' and started_at < now() - interval '6 hours'""").update();
            boolean running = jdbc.sql(
                            "select exists (select 1 from insights.rule_run where level = ? and status = 'RUNNING')")
                    .param(p.level().name())
                    .query(Boolean.class)
                    .single();
            if (running) {
                throw PatronException.conflict("level", "xsell.mine.running");
            }
            long id = jdbc.sql("""
                    insert into insights.rule_run (level, status, min_support, min_confidence, max_items, date_from,
                        date_to, store_ids, started_by, trigger)
                    values (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                    .params(
                            p.level().name(),
                            p.minSupport(),
                            p.minConfidence(),
                            p.maxItems(),
                            p.from(),
                            p.to(),
                            p.storeIds(),
                            CurrentStaff.get().auditName(),
                            trigger)
                    .query(Long.class)
                    .single();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("level", p.level().name());
            details.put("minSupport", p.minSupport().toPlainString());
            details.put("minConfidence", p.minConfidence().toPlainString());
            details.put("maxItems", p.maxItems());
            details.put("from", p.from().toString());
            details.put("to", p.to().toString());
            details.put(
                    "storeIds",
                    p.storeIds() == null ? "all" : List.of(p.storeIds()).toString());
            audit.record("xsell.mine", "rule_run", id, details);
            return id;
        });
    }

    /** Runs {@code id} on the background thread. */
    void executeLater(long id) {
        background.submit(() -> execute(id));
    }

    /** Mines and stores run {@code id}; a failure is recorded on the run. */
    void execute(long id) {
        long started = System.nanoTime();
        try {
            Params p = params(id);
            BasketSource.Baskets source = baskets.baskets(p.level(), p.from(), p.to(), p.storeIds());
            FpGrowth.Result result =
                    snapshot.execute(s -> new FpGrowth(p.minSupport(), p.minConfidence(), p.maxItems()).mine(source));
            long mined = System.nanoTime();
            long[] phases = new long[3];
            tx.executeWithoutResult(s -> {
                store(id, p, source, result);
                phases[0] = System.nanoTime();
                upSell.computeBands(id, p.from(), p.to(), p.storeIds());
                phases[1] = System.nanoTime();
                LocalDate to = p.to();
                long members = nextBest.fill(
                        id, p.level(), to.minusMonths(windowMonths).plusDays(1), to, nextBestPerMember);
                phases[2] = System.nanoTime();
                events.publishEvent(new NextBestRefreshed(p.level(), id, members));
                prune(p.level(), id);
                jdbc.sql("""
                        update insights.rule_run set status = 'DONE', baskets = ?, min_support_count = ?,
                            frequent_itemsets = ?, rules = ?, members_scored = ?, duration_ms = ?, finished_at = now()
                        where id = ?""")
                        .params(
                                result.baskets(),
                                result.minCount(),
                                (long) result.itemsets().size(),
                                (long) result.rules().size(),
                                members,
                                (System.nanoTime() - started) / 1_000_000,
                                id)
                        .update();
            });
            log.info(
                    "Rule mining run {} ({}): {} baskets, {} itemsets, {} rules in {} ms (read and mine {} ms, store"
                            + " rules {} ms, price bands {} ms, next best {} ms)",
                    id,
                    p.level(),
                    result.baskets(),
                    result.itemsets().size(),
                    result.rules().size(),
                    (System.nanoTime() - started) / 1_000_000,
                    (mined - started) / 1_000_000,
                    (phases[0] - mined) / 1_000_000,
                    (phases[1] - phases[0]) / 1_000_000,
                    (phases[2] - phases[1]) / 1_000_000);
        } catch (RuntimeException | OutOfMemoryError e) {
            log.error("Rule mining run {} failed", id, e);
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            jdbc.sql("""
                    update insights.rule_run set status = 'FAILED', error = ?, duration_ms = ?, finished_at = now()
                    where id = ?""")
                    .params(
                            error.length() > 1000 ? error.substring(0, 1000) : error,
                            (System.nanoTime() - started) / 1_000_000,
                            id)
                    .update();
        }
    }

    /**
     * Keeps the rules and price bands of the level's latest {@value #KEEP_RUNS} runs (the run rows stay
     * as history): weekly runs would otherwise pile up rules nobody reads.
     */
    private void prune(RuleLevel level, long currentId) {
        jdbc.sql("""
                with old as (
                    select id from insights.rule_run where level = ? and id <= ? order by id desc offset ?)
                delete from insights.association_rule where run_id in (select id from old)""").params(level.name(), currentId, KEEP_RUNS).update();
        jdbc.sql("""
                with old as (
                    select id from insights.rule_run where level = ? and id <= ? order by id desc offset ?)
                delete from insights.price_band where run_id in (select id from old)""").params(level.name(), currentId, KEEP_RUNS).update();
        jdbc.sql("""
                with old as (
                    select id from insights.rule_run where level = ? and id <= ? order by id desc offset ?)
                delete from insights.price_band_brand where run_id in (select id from old)""").params(level.name(), currentId, KEEP_RUNS).update();
    }

    private Params params(long id) {
        return jdbc.sql("""
                select level, min_support, min_confidence, max_items, date_from, date_to, store_ids
                from insights.rule_run where id = ?""")
                .param(id)
                .query((rs, n) -> new Params(
                        RuleLevel.valueOf(rs.getString(1)),
                        rs.getBigDecimal(2),
                        rs.getBigDecimal(3),
                        rs.getInt(4),
                        rs.getObject(5, LocalDate.class),
                        rs.getObject(6, LocalDate.class),
                        rs.getArray(7) == null ? null : (Long[]) rs.getArray(7).getArray()))
                .single();
    }

    private void store(long runId, Params p, BasketSource.Baskets source, FpGrowth.Result result) {
        long n = result.baskets();
        List<Object[]> rows = new ArrayList<>();
        Map<Integer, Long> ids = new HashMap<>();
        for (FpGrowth.Rule r : result.rules()) {
            Long[] ante = new Long[r.antecedent().length];
            for (int i = 0; i < ante.length; i++) {
                ante[i] = ids.computeIfAbsent(r.antecedent()[i], source::id);
            }
            java.util.Arrays.sort(ante);
            long cons = ids.computeIfAbsent(r.consequent(), source::id);
            BigDecimal both = BigDecimal.valueOf(r.both());
            BigDecimal support = both.divide(BigDecimal.valueOf(n), MC).setScale(SCALE + 2, RoundingMode.HALF_EVEN);
            BigDecimal confidence = both.divide(BigDecimal.valueOf(r.antecedentCount()), MC)
                    .setScale(SCALE + 2, RoundingMode.HALF_EVEN);
            BigDecimal lift = both.multiply(BigDecimal.valueOf(n))
                    .divide(
                            BigDecimal.valueOf(r.antecedentCount()).multiply(BigDecimal.valueOf(r.consequentCount())),
                            MC)
                    .setScale(SCALE + 2, RoundingMode.HALF_EVEN);
            rows.add(new Object[] {
                runId,
                p.level().name(),
                ante,
                new Long[] {cons},
                r.antecedentCount(),
                r.consequentCount(),
                r.both(),
                n,
                support,
                confidence,
                lift
            });
        }
        for (int i = 0; i < rows.size(); i += 1000) {
            List<Object[]> chunk = rows.subList(i, Math.min(rows.size(), i + 1000));
            insertChunk(chunk);
        }
    }

    private void insertChunk(List<Object[]> chunk) {
        // one statement per chunk: arrays of columns unnested server-side
        int k = chunk.size();
        Long[] run = new Long[k];
        String[] level = new String[k];
        String[] ante = new String[k];
        Long[] cons = new Long[k];
        Long[] anteCount = new Long[k];
        Long[] consCount = new Long[k];
        Long[] both = new Long[k];
        Long[] baskets = new Long[k];
        String[] support = new String[k];
        String[] confidence = new String[k];
        String[] lift = new String[k];
        for (int i = 0; i < k; i++) {
            Object[] r = chunk.get(i);
            run[i] = (Long) r[0];
            level[i] = (String) r[1];
            StringBuilder a = new StringBuilder("{");
            for (Long x : (Long[]) r[2]) {
                if (a.length() > 1) {
                    a.append(',');
                }
                a.append(x);
            }
            ante[i] = a.append('}').toString();
            cons[i] = ((Long[]) r[3])[0];
            anteCount[i] = (Long) r[4];
            consCount[i] = (Long) r[5];
            both[i] = (Long) r[6];
            baskets[i] = (Long) r[7];
            support[i] = ((BigDecimal) r[8]).toPlainString();
            confidence[i] = ((BigDecimal) r[9]).toPlainString();
            lift[i] = ((BigDecimal) r[10]).toPlainString();
        }
        jdbc.sql("""
                insert into insights.association_rule (run_id, level, antecedent, consequent, antecedent_count,
                    consequent_count, both_count, baskets, support, confidence, lift)
                select run, lvl, ante::bigint[], array[cons], ac, cc, bc, n, s, c, l
                from unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                            ?::bigint[], ?::numeric[], ?::numeric[], ?::numeric[])
                     as x(run, lvl, ante, cons, ac, cc, bc, n, s, c, l)""")
                .params(run, level, ante, cons, anteCount, consCount, both, baskets, support, confidence, lift)
                .update();
    }
}
