package dev.patron.loyalty;

import dev.patron.sales.SalesFeedConsumer;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Loyalty's share of the sales feed: for each batch of {@link SalesRecorded} events, in one
 * transaction, first the points ({@link Accrual}: earn for sales, reverse for returns), then the
 * tier figures and upgrades ({@link TierQualification#count}), which take those points from the accrual. Both are
 * idempotent per sale and lock the members' accounts in id order, each account once per batch
 * ({@link PointsLedger#holdingLocks}).
 */
@Component
class LoyaltySalesConsumer implements SalesFeedConsumer {

    private final Accrual accrual;
    private final TierQualification qualification;
    private final PointsLedger ledger;

    LoyaltySalesConsumer(Accrual accrual, TierQualification qualification, PointsLedger ledger) {
        this.accrual = accrual;
        this.qualification = qualification;
        this.ledger = ledger;
    }

    @Override
    public String feedName() {
        return "loyalty";
    }

    /** The accrual computes points from the tickets' lines and payments. */
    @Override
    public boolean readsTickets() {
        return true;
    }

    @Override
    public void onSales(List<SalesRecorded> events) {
        SalesRecorded merged = SalesRecorded.merge(events);
        // accrual, tier counting and tier evaluation lock the same accounts: each only once
        ledger.holdingLocks(() -> {
            qualification.count(merged, accrual.on(merged));
        });
    }
}
