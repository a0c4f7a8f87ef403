package dev.patron.sales;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/** Test consumer: every ticket announced through the sales feed, in order of delivery. */
@Component
public class RecordedSalesProbe implements SalesFeedConsumer {

    private final List<RecordedSale> seen = new CopyOnWriteArrayList<>();

    @Override
    public String feedName() {
        return "test.probe";
    }

    /** In the feed's transaction: remembered once it commits, as a consumer's work would be. */
    @Override
    public void onSales(List<SalesRecorded> events) {
        List<RecordedSale> sales = SalesRecorded.merge(events).sales();
        org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                new org.springframework.transaction.support.TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        seen.addAll(sales);
                    }
                });
    }

    public long timesSeen(long saleId) {
        return seen.stream().filter(s -> s.saleId() == saleId).count();
    }

    public List<RecordedSale> seen() {
        return List.copyOf(seen);
    }
}
