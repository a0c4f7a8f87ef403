package dev.patron.loyalty;

import java.time.LocalDate;
import java.util.List;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Expires points whose lot reached its expiry date: every night (and on demand), set-based, in
 * transactions of up to {@link #MEMBERS_PER_TRANSACTION} members, each locking the members'
 * accounts first (the same lock order as spending, so the two never deadlock). On several app
 * instances only one runs the job at a time (ShedLock, lock row in {@code public.shedlock}, see shared.db.JobLocks).
 * One EXPIRE entry per member and run; safe to run again (expired lots have nothing left).
 */
@Component
class PointsExpiry {

    static final int MEMBERS_PER_TRANSACTION = 10_000;
    private static final Logger log = LoggerFactory.getLogger(PointsExpiry.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final LockProvider locks;

    PointsExpiry(JdbcClient jdbc, TransactionTemplate tx, LockProvider locks) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.locks = locks;
    }

    /** What an on-demand run did. */
    record Run(LocalDate expiredBefore, long points, long millis) {}

    /**
     * Runs the expiry now, under the same cluster lock as the nightly job; empty when another run
     * (here or on another instance) holds the lock.
     */
    java.util.Optional<Run> runNow() {
        LocalDate today = LoyaltyManagement.today();
        long started = System.nanoTime();
        try {
            var result = new DefaultLockingTaskExecutor(locks)
                    .executeWithLock(
                            () -> expire(today),
                            new LockConfiguration(
                                    java.time.Instant.now(),
                                    "loyalty.expiry",
                                    java.time.Duration.ofHours(2),
                                    java.time.Duration.ZERO));
            if (!result.wasExecuted()) {
                return java.util.Optional.empty();
            }
            long points = result.getResult();
            log.info("Points expiry on demand: {} points expired", points);
            return java.util.Optional.of(new Run(today, points, (System.nanoTime() - started) / 1_000_000));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Scheduled(cron = "${patron.loyalty.expiry-cron:0 30 1 * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "loyalty.expiry", lockAtMostFor = "PT2H")
    void nightly() {
        long expired = expire(LoyaltyManagement.today());
        log.info("Points expiry: {} points expired", expired);
    }

    /** Expires every open lot with {@code expires_on < today}; returns the points expired. */
    long expire(LocalDate today) {
        long total = 0;
        while (true) {
            Long points = tx.execute(s -> {
                List<Long> memberIds = jdbc.sql("""
                        select member_id from loyalty.account where member_id in (
                          select distinct member_id from loyalty.lot where remaining > 0 and expires_on < ? limit ?)
                        order by member_id for update""")
                        .params(today, MEMBERS_PER_TRANSACTION)
                        .query(Long.class)
                        .list();
                if (memberIds.isEmpty()) {
                    return null;
                }
                return jdbc.sql("""
                        with due as (
                            select id, member_id, remaining from loyalty.lot
                            where member_id = any(?) and remaining > 0 and expires_on < ? for update),
                        per_member as (select member_id, sum(remaining) as points from due group by member_id),
                        e as (
                            insert into loyalty.entry (member_id, kind, points, reason, created_by)
                            select member_id, 'EXPIRE', -points, 'expired before ' || ?::text, 'system' from per_member
                            returning id, member_id),
                        uses as (
                            insert into loyalty.lot_use (entry_id, lot_id, points)
                            select e.id, due.id, -due.remaining from due join e using (member_id)),
                        lots as (update loyalty.lot l set remaining = 0 from due where l.id = due.id),
                        acc as (
                            update loyalty.account a set balance = a.balance - p.points, updated_at = now()
                            from per_member p where a.member_id = p.member_id)
                        select coalesce(sum(points), 0) from per_member""")
                        .params(memberIds.toArray(Long[]::new), today, today.toString())
                        .query(Long.class)
                        .single();
            });
            if (points == null) {
                return total;
            }
            total += points;
        }
    }
}
