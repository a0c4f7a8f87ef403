package dev.patron.campaigns;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs every active trigger rule once a day (default 09:30 Asia/Shanghai, inside the marketing
 * window), each in its own transaction, on one instance (ShedLock {@code campaigns.triggers}). A
 * rerun the same day picks nobody twice (one pick per member and occasion).
 */
@Component
class TriggerJob {

    private static final Logger log = LoggerFactory.getLogger(TriggerJob.class);

    private final Triggers triggers;
    private final TransactionTemplate tx;

    TriggerJob(Triggers triggers, TransactionTemplate tx) {
        this.triggers = triggers;
        this.tx = tx;
    }

    @Scheduled(cron = "${patron.campaigns.trigger-cron:0 30 9 * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "campaigns.triggers", lockAtMostFor = "PT1H")
    void daily() {
        for (long id : triggers.activeRules()) {
            try {
                Triggers.Run r = AsSystem.call(() -> tx.execute(s -> triggers.fire(id, triggers.today())));
                if (r != null && r.campaignId() != null) {
                    log.info("Trigger {} created campaign {} for {} members", id, r.campaignId(), r.members());
                }
            } catch (RuntimeException e) {
                log.error("Trigger {} failed; it runs again tomorrow (or now from the console)", id, e);
            }
        }
    }
}
