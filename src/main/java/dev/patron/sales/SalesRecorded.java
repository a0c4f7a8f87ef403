package dev.patron.sales;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tickets (sales and returns) were recorded in one transaction: one event per request, listing every
 * ticket it created (a single sale or return lists one; a batch up to 1,000; an import chunk more;
 * concurrent single sales written together by the group commit share one). Each ticket appears in
 * exactly one such event. Stored in the same transaction as the tickets and delivered to every
 * {@link SalesFeedConsumer} through the {@link SalesFeed} until it has been applied — so consumers
 * must be idempotent per sale id. Replayed requests publish nothing.
 */
public record SalesRecorded(List<RecordedSale> sales) {

    public SalesRecorded {
        sales = List.copyOf(sales);
    }

    /** One event holding the tickets of all given events, in order. */
    public static SalesRecorded merge(List<SalesRecorded> events) {
        if (events.size() == 1) {
            return events.get(0);
        }
        List<RecordedSale> all = new ArrayList<>();
        events.forEach(e -> all.addAll(e.sales()));
        return new SalesRecorded(all);
    }

    /**
     * Splits events (in recording order) into runs that may be applied as one merged event: a new run
     * starts at an event that returns a sale recorded in the current run, so a sale's points and tier
     * figure are always in place before its return is handled.
     */
    public static List<List<SalesRecorded>> mergeable(List<SalesRecorded> events) {
        List<List<SalesRecorded>> runs = new ArrayList<>();
        List<SalesRecorded> run = new ArrayList<>();
        Set<Long> inRun = new HashSet<>();
        for (SalesRecorded e : events) {
            boolean returnsFromRun =
                    e.sales().stream().anyMatch(s -> s.originalSaleId() != null && inRun.contains(s.originalSaleId()));
            if (returnsFromRun) {
                runs.add(run);
                run = new ArrayList<>();
                inRun.clear();
            }
            run.add(e);
            e.sales().forEach(s -> inRun.add(s.saleId()));
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }
}
