package dev.patron.segments;

import dev.patron.loyalty.TiersChanged;
import dev.patron.members.MemberErased;
import dev.patron.members.MemberUpdated;
import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import java.util.List;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Incremental re-evaluation: whenever something a condition reads may have changed for some
 * members (their facts — recomputed by {@link FactsListener} after their tickets arrive, so one
 * re-evaluation per batch of sales, with the new facts —, profile, tier, a merge), those members are re-evaluated against
 * every rule segment at once ({@link SegmentRefresh#reevaluate}). Delivered through the outbox
 * after commit; idempotent (the diff of a re-evaluation with nothing changed is empty).
 */
@Component
class SegmentListeners {

    private final SegmentRefresh refresh;

    SegmentListeners(SegmentRefresh refresh) {
        this.refresh = refresh;
    }

    @ApplicationModuleListener
    void on(MemberFactsChanged event) {
        refresh.reevaluate(event.memberIds());
    }

    @ApplicationModuleListener
    void on(MemberUpdated event) {
        refresh.reevaluate(List.of(event.memberId()));
    }

    /** Only the segments with a tier condition: nothing else a segment reads changes with a tier. */
    @ApplicationModuleListener
    void on(TiersChanged event) {
        refresh.reevaluate(event.memberIds(), SegmentEvaluator.Compiled::readsTier);
    }

    @ApplicationModuleListener
    void on(MemberErased event) {
        refresh.reevaluate(List.of(event.memberId()));
    }

    @ApplicationModuleListener
    void on(MembersMerged event) {
        refresh.moveStaticMemberships(event.mergedId(), event.survivorId());
        refresh.reevaluate(List.of(event.survivorId(), event.mergedId()));
    }

    @ApplicationModuleListener
    void on(MembersUnmerged event) {
        refresh.reevaluate(List.of(event.survivorId(), event.mergedId()));
    }
}
