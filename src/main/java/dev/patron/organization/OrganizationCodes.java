package dev.patron.organization;

import java.util.Map;

/**
 * A snapshot of every store, counter, brand and category code with its id, for modules that
 * resolve many references per request (POS sales, imports) and cache them briefly. Keys are
 * normalised codes ({@link Codes#normalize}). Not filtered by store scope: callers check scope.
 */
public record OrganizationCodes(
        Map<String, StoreRef> stores,
        Map<String, CounterRef> counters,
        Map<String, Long> brands,
        Map<String, Long> categories) {

    /** A store: id, whether it is open ({@code ACTIVE}) and its time zone. */
    public record StoreRef(long id, String code, boolean active, String timeZone) {}

    /** A counter: id, the store it is in, whether it is open ({@code ACTIVE}). */
    public record CounterRef(long id, String code, long storeId, boolean active) {}

    public OrganizationCodes {
        stores = Map.copyOf(stores);
        counters = Map.copyOf(counters);
        brands = Map.copyOf(brands);
        categories = Map.copyOf(categories);
    }
}
