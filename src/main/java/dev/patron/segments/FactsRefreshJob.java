package dev.patron.segments;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The nightly refresh, in this order (segments read facts and RFM):
 *
 * <ol>
 *   <li>rolls the members' facts forward to today (the 12-month windows move as days pass:
 *       {@link Rfm#roll} recomputes the members a ticket left the window of), takes the month-end
 *       snapshot of the cells on the first run of a month and places everybody's RFM again (recency
 *       moves for all);
 *   <li>refreshes every segment as of today ({@link SegmentRefresh#refreshAll}), so that time
 *       windows such as "bought in the last 30 days" move.
 * </ol>
 *
 * On several app instances only one runs at a time (ShedLock); a facts refresh started on demand
 * meanwhile is refused (advisory lock in {@link Rfm#refreshAll}).
 */
@Component
class FactsRefreshJob {

    private static final Logger log = LoggerFactory.getLogger(FactsRefreshJob.class);

    private final Rfm rfm;
    private final SegmentRefresh segments;
    private final TransactionTemplate tx;

    FactsRefreshJob(Rfm rfm, SegmentRefresh segments, TransactionTemplate tx) {
        this.rfm = rfm;
        this.segments = segments;
        this.tx = tx;
    }

    @Scheduled(cron = "${patron.segments.refresh-cron:0 10 2 * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "segments.refresh", lockAtMostFor = "PT3H")
    void nightly() {
        FactsRefresh r = tx.execute(s -> rfm.roll(MemberFacts.today()));
        log.info(
                "Facts and RFM refresh ({}) from {} to {}: {} facts, {} RFM rows, snapshot {}, {} ms",
                r.mode(),
                r.from(),
                r.asOf(),
                r.facts(),
                r.rfm(),
                r.snapshotTaken(),
                r.millis());
        long start = System.nanoTime();
        int n = segments.refreshAll(r.asOf());
        log.info("Segment refresh as of {}: {} segments, {} ms", r.asOf(), n, (System.nanoTime() - start) / 1_000_000);
    }
}
