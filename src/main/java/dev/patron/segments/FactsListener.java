package dev.patron.segments;

import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import dev.patron.sales.SalesFeedConsumer;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Keeps member facts and RFM rows current and publishes {@link MemberFactsChanged} in the same
 * transaction. New tickets (a batch of the sales feed): new SALE tickets are added to the members'
 * current rows without reading their history, the other members (a return, no current row, a
 * ticket possibly counted already) are recomputed from all their tickets ({@link Rfm#salesRecorded}).
 * A merge or its undo: both members recomputed (facts in one statement, RFM in one more). A ticket
 * is added only when its id is above the highest one counted in the row ({@code max_sale_id}), and
 * recomputing is idempotent, so a redelivered event changes nothing.
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
        rfm.salesRecorded(e.sales(), MemberFacts.today());
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
