package dev.patron.loyalty;

import java.time.LocalDate;
import java.util.List;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The daily tier review: members whose review date has come (and who are not overridden) and
 * members whose override ran out, in transactions of up to {@link #MEMBERS_PER_TRANSACTION}
 * members in member id order, each applying the rules ({@link Tiers#evaluate}: a step down of at
 * most one level, or the review date moved a year on; an ended override restores the tier from
 * before it). On several app instances only one runs at a time (ShedLock). Safe to run again: a
 * reviewed member's next review is after today.
 */
@Component
class TierReview {

    static final int MEMBERS_PER_TRANSACTION = 1_000;
    private static final Logger log = LoggerFactory.getLogger(TierReview.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Tiers tiers;

    TierReview(JdbcClient jdbc, TransactionTemplate tx, Tiers tiers) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.tiers = tiers;
    }

    @Scheduled(cron = "${patron.loyalty.tier-review-cron:0 45 1 * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "loyalty.tierReview", lockAtMostFor = "PT2H")
    void nightly() {
        int reviewed = review(LoyaltyManagement.today());
        log.info("Tier review: {} members reviewed", reviewed);
    }

    /** Reviews every member due on {@code today}; returns how many were looked at. */
    int review(LocalDate today) {
        int total = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<Long> ids = jdbc.sql("""
                    select member_id from loyalty.member_tier
                    where member_id > ? and ((review_on <= ? and override_until is null) or override_until < ?)
                    order by member_id limit ?""")
                    .params(from, today, today, MEMBERS_PER_TRANSACTION)
                    .query(Long.class)
                    .list();
            if (ids.isEmpty()) {
                return total;
            }
            tx.executeWithoutResult(s -> tiers.evaluate(ids, today, "system"));
            total += ids.size();
            after = ids.get(ids.size() - 1);
        }
    }
}
