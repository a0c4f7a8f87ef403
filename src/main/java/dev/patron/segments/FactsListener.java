package dev.patron.segments;

import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import dev.patron.sales.RecordedSale;
import dev.patron.sales.SalesFeedConsumer;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import java.util.Objects;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Keeps member facts and RFM rows current: after new tickets, the members named on them; after a
 * merge or its undo, both members. Each event recomputes the members' rows from their tickets
 * (facts in one statement, RFM in one more) and publishes {@link MemberFactsChanged} in the same
 * transaction. Recomputing is idempotent, so a redelivered event changes nothing.
 */
@Component
class FactsListener implements SalesFeedConsumer {

    private final Rfm rfm;

    FactsListener(Rfm rfm) {
        this.rfm = rfm;
    }

    @Override
    public String feedName() {
        return "segments.facts";
    }

    /** From the sales feed, in its transaction: the batch's members at once. */
    @Override
    public void onSales(List<SalesRecorded> events) {
        on(SalesRecorded.merge(events));
    }

    void on(SalesRecorded e) {
        List<Long> members = e.sales().stream()
                .map(RecordedSale::memberId)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        if (!members.isEmpty()) {
            rfm.recompute(TicketSource.members(members, MemberFacts.today()), MemberFacts.today());
        }
    }

    @ApplicationModuleListener
    void on(MembersMerged e) {
        rfm.recompute(TicketSource.merged(e.survivorId(), e.mergedId(), MemberFacts.today()), MemberFacts.today());
    }

    @ApplicationModuleListener
    void on(MembersUnmerged e) {
        rfm.recompute(
                TicketSource.unmerged(e.mergeId(), e.survivorId(), e.mergedId(), MemberFacts.today()),
                MemberFacts.today());
    }
}
