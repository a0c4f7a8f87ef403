package dev.patron.sales;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Test consumer of the sales feed for {@link SalesFeedTests}: remembers the sale ids of every call
 * with synthetic (negative) ids that committed, and fails every call that holds a "poisoned" sale id
 * (none unless a test adds one). Real tickets of other tests pass through untouched.
 */
@Component
public class FeedTestConsumer implements SalesFeedConsumer {

    final Set<Long> poisoned = ConcurrentHashMap.newKeySet();
    final List<List<Long>> committedCalls = new CopyOnWriteArrayList<>();
    final List<Long> failedSales = new CopyOnWriteArrayList<>();

    @Override
    public String feedName() {
        return "test.feed";
    }

    @Override
    public void onSales(List<SalesRecorded> events) {
        List<Long> ids = SalesRecorded.merge(events).sales().stream()
                .map(RecordedSale::saleId)
                .toList();
        if (ids.stream().allMatch(id -> id > 0)) {
            return; // real tickets of other tests: not ours to remember
        }
        for (Long id : ids) {
            if (poisoned.contains(id)) {
                failedSales.add(id);
                throw new IllegalStateException("poisoned sale " + id);
            }
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                committedCalls.add(ids);
            }
        });
    }

    boolean applied(long saleId) {
        return committedCalls.stream().anyMatch(c -> c.contains(saleId));
    }
}
