package dev.patron.campaigns;

import java.time.Duration;
import java.time.Instant;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Drives sending: every few seconds (one instance at a time, ShedLock) it marks messages of dead
 * workers UNKNOWN, starts scheduled campaigns that are due, sends the due messages of running
 * campaigns in batches for up to {@link #SLICE}, and finishes campaigns with nothing left to send.
 */
@Component
class Dispatcher {

    /** A message claimed longer ago than this was claimed by a worker that is gone. */
    static final Duration LEASE = Duration.ofMinutes(5);
    /** How long one run keeps sending before it lets go of the lock. */
    static final Duration SLICE = Duration.ofSeconds(50);

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final Sending sending;
    private final Campaigns campaigns;
    private final CampaignClock clock;
    private volatile boolean enabled = true;

    Dispatcher(Sending sending, Campaigns campaigns, CampaignClock clock) {
        this.sending = sending;
        this.campaigns = campaigns;
        this.clock = clock;
    }

    @Scheduled(
            fixedDelayString = "${patron.campaigns.dispatch-interval:PT5S}",
            initialDelayString = "${patron.campaigns.dispatch-initial-delay:PT20S}")
    @SchedulerLock(name = "campaigns.dispatch", lockAtMostFor = "PT10M")
    void tick() {
        if (!enabled) {
            return;
        }
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.error("Campaign dispatch failed; next run retries", e);
        }
    }

    /** Tests drive the dispatcher themselves. */
    void enable(boolean on) {
        this.enabled = on;
    }

    void runOnce() {
        Instant now = clock.now();
        sending.recoverStuck(now.minus(LEASE));
        for (long id : sending.dueToStart(now)) {
            sending.start(id);
        }
        long until = System.nanoTime() + SLICE.toNanos();
        try {
            for (long id : sending.running()) {
                Campaign c = campaigns.load(id);
                while (System.nanoTime() < until && sending.sendBatch(id, c) > 0) {
                    // next batch
                }
                sending.finishIfDone(id);
            }
        } finally {
            sending.closeSenders();
        }
    }
}
