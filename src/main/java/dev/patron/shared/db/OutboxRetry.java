package dev.patron.shared.db;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers again the outbox events whose listener failed while the process kept running (e.g. the
 * database was down for a moment): without this they would wait for the next restart
 * ({@code republish-outstanding-events-on-restart}). Listeners whose run was cut off so that even
 * "failed" could not be written are marked failed by Spring Modulith's staleness check
 * ({@code spring.modulith.events.staleness.processing}) and retried here too. Listeners are
 * idempotent (one EARN per sale, KPI rows applied once), so a repeat is harmless.
 */
@Component
class OutboxRetry {

    private static final Logger log = LoggerFactory.getLogger(OutboxRetry.class);
    private final FailedEventPublications failed;
    private final Duration minAge;

    OutboxRetry(FailedEventPublications failed, @Value("${patron.outbox.retry-after:30s}") Duration minAge) {
        this.failed = failed;
        this.minAge = minAge;
    }

    @Scheduled(
            initialDelayString = "${patron.outbox.retry-interval:30s}",
            fixedDelayString = "${patron.outbox.retry-interval:30s}")
    void resubmitFailed() {
        try {
            failed.resubmit(ResubmissionOptions.defaults().withMinAge(minAge));
        } catch (RuntimeException e) {
            // the database may still be down: next round
            log.warn("Could not resubmit failed outbox events yet: {}", e.getMessage());
        }
    }
}
