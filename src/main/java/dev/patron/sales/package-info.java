/**
 * Sales: POS tickets (sales and returns) with line items by counter, brand and category, and their
 * payments, recorded exactly once per (store code, POS transaction id); historical import; daily
 * store traffic; the store KPIs and the member's purchase history.
 *
 * <p>{@link dev.patron.sales.SalesManagement} is the API. Every recorded ticket is announced in a
 * {@link dev.patron.sales.SalesRecorded} event stored in the same transaction and delivered by the
 * {@link dev.patron.sales.SalesFeed} to every {@link dev.patron.sales.SalesFeedConsumer} (loyalty,
 * the KPI rollup, member facts) in batches, exactly once in effect (docs/adr/0016-sales-feed.md), so
 * no module ever misses one.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members"})
package dev.patron.sales;
