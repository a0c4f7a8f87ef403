package dev.patron.segments;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every night rolls the members' facts forward to today (the 12-month windows move as days pass:
 * {@link Rfm#roll} recomputes the members a ticket left the window of), takes the month-end snapshot
 * of the cells on the first run of a month and re-ranks everybody's RFM (recency moves for all). On several app instances only one runs at a time (ShedLock); a refresh
 * started on demand meanwhile is refused (advisory lock in {@link Rfm#refreshAll}).
 */
@Component
class FactsRefreshJob {

    private static final Logger log = LoggerFactory.getLogger(FactsRefreshJob.class);

    private final Rfm rfm;
    private final TransactionTemplate tx;

    FactsRefreshJob(Rfm rfm, TransactionTemplate tx) {
        this.rfm = rfm;
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
    }
}
