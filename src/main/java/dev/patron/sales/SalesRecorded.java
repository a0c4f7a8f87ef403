package dev.patron.sales;

import java.util.List;

/**
 * Tickets (sales and returns) were recorded in one transaction: one event per request, listing every
 * ticket it created (a single sale or return lists one; a batch up to 1,000; an import chunk more).
 * Each ticket appears in exactly one such event. Published through Spring Modulith's event
 * publication registry, i.e. stored in the same transaction as the tickets, and delivered again
 * after a crash until each listener completes — so listeners must be idempotent per sale id.
 * Replayed requests publish nothing.
 */
public record SalesRecorded(List<RecordedSale> sales) {

    public SalesRecorded {
        sales = List.copyOf(sales);
    }
}
