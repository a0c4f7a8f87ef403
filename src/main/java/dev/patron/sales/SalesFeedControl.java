package dev.patron.sales;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Operations on the sales feed (ADMIN with every store): what each consumer still has to apply,
 * and pausing and resuming a consumer — e.g. loyalty during a maintenance of the points program,
 * or to measure a consumer's cost on its own (bench/accrual-share.sh). A paused consumer loses
 * nothing: its deliveries are recorded with every sale and applied in order once resumed. Pausing
 * and resuming are audited.
 */
@Service
public class SalesFeedControl {

    /** A consumer of the sales feed. */
    @Schema(description = "A consumer of the sales feed")
    public record Consumer(
            @Schema(description = "Its name, e.g. loyalty, facts, kpis")
            String name,

            @Schema(description = "Events recorded and not applied yet")
            long pending,

            @Schema(description = "True while paused: deliveries are kept, not applied")
            boolean paused) {}

    private final SalesFeed feed;
    private final AuditLog audit;

    SalesFeedControl(SalesFeed feed, AuditLog audit) {
        this.feed = feed;
        this.audit = audit;
    }

    /** Every consumer with its pending events and whether it is paused. */
    @Transactional(readOnly = true)
    public List<Consumer> consumers() {
        requireAdmin();
        var paused = feed.paused();
        return feed.pending().entrySet().stream()
                .map(e -> new Consumer(e.getKey(), e.getValue(), paused.contains(e.getKey())))
                .toList();
    }

    /** Pauses a consumer (idempotent); 404 for an unknown one. */
    @Transactional
    public Consumer pause(String name) {
        requireAdmin();
        requireKnown(name);
        if (feed.pause(name)) {
            audit.record("sales.feedPaused", "salesFeedConsumer", name, Map.of());
        }
        return consumer(name);
    }

    /** Resumes a paused consumer (idempotent); 404 for an unknown one. */
    @Transactional
    public Consumer resume(String name) {
        requireAdmin();
        requireKnown(name);
        if (feed.resume(name)) {
            audit.record("sales.feedResumed", "salesFeedConsumer", name, Map.of());
        }
        return consumer(name);
    }

    private Consumer consumer(String name) {
        return new Consumer(
                name, feed.pending().getOrDefault(name, 0L), feed.paused().contains(name));
    }

    private void requireKnown(String name) {
        if (!feed.consumers().contains(name)) {
            throw PatronException.notFound("error.salesFeed.consumerNotFound", name);
        }
    }

    private static void requireAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }
}
