package dev.patron.sales;

/** How {@link SalesKpis} splits a period: by store, counter or brand, or into day / week / month buckets. */
public enum SalesKpiGroup {
    STORE,
    COUNTER,
    BRAND,
    DAY,
    /** ISO weeks, starting on Monday; a bucket is named by its first day. */
    WEEK,
    /** Calendar months; a bucket is named by its first day. */
    MONTH;

    /** Whether rows are time buckets (with traffic and conversion) rather than stores, counters or brands. */
    public boolean bucket() {
        return this == DAY || this == WEEK || this == MONTH;
    }

    /** Whether store traffic applies (stores and time buckets; not counters or brands). */
    public boolean hasTraffic() {
        return this != COUNTER && this != BRAND;
    }
}
