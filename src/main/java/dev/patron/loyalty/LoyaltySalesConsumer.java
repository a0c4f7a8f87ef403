package dev.patron.loyalty;

import dev.patron.sales.SalesFeedConsumer;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Loyalty's share of the sales feed: for each batch of {@link SalesRecorded} events, in one
 * transaction, first the points ({@link Accrual}: earn for sales, reverse for returns), then the
 * tier figures and upgrades ({@link TierQualification#count}), which read those points. Both are
 * idempotent per sale and lock the members' accounts in id order.
 */
@Component
class LoyaltySalesConsumer implements SalesFeedConsumer {

    private final Accrual accrual;
    private final TierQualification qualification;

    LoyaltySalesConsumer(Accrual accrual, TierQualification qualification) {
        this.accrual = accrual;
        this.qualification = qualification;
    }

    @Override
    public String feedName() {
        return "loyalty";
    }

    @Override
    public void onSales(List<SalesRecorded> events) {
        SalesRecorded merged = SalesRecorded.merge(events);
        accrual.on(merged);
        qualification.count(merged);
    }
}
