package dev.patron.sales;

import java.util.List;

/**
 * A module that reacts to recorded tickets: a Spring bean implementing this receives every
 * {@link SalesRecorded} event through the {@link SalesFeed} — exactly once in effect, never lost,
 * and several events per call when sales arrive faster than one at a time.
 *
 * <p>{@link #onSales} runs inside the feed's transaction, which also deletes the deliveries it
 * hands over: if the method throws, nothing of the batch is applied and the events come again
 * (alone, with backoff). The transaction commits without waiting for the WAL flush, so after a
 * crash a batch may come again even though its work was visible: the work must be idempotent per
 * sale id, as it is for every consumer (one EARN per sale, KPI markers, facts recomputed).
 *
 * <p>Within one call the events come in recording order, and no event in the list holds a return
 * of a sale recorded in an earlier event of the same list ({@link SalesRecorded#mergeable}): a
 * consumer may treat the list as one merged event ({@link SalesRecorded#merge}).
 */
public interface SalesFeedConsumer {

    /**
     * Stable name of this consumer, stored with its pending deliveries (e.g. {@code loyalty}).
     * Renaming it leaves the old name's deliveries behind: a migration must rename them.
     */
    String feedName();

    /**
     * Whether this consumer reads the events' tickets ({@link SalesManagement#ticketsAsRecorded}):
     * then the feed keeps the tickets it has just recorded in memory for it.
     */
    default boolean readsTickets() {
        return false;
    }

    /** Applies one or more events; runs in the feed's transaction. */
    void onSales(List<SalesRecorded> events);
}
