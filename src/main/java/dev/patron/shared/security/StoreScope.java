package dev.patron.shared.security;

import java.util.Collection;
import java.util.Set;

/**
 * Which stores a staff member or API key may see and change: all of them (head office) or a fixed
 * set. Every query over store-owned data filters by it and every change checks it.
 */
public record StoreScope(boolean allStores, Set<Long> storeIds) {

    public static final StoreScope ALL = new StoreScope(true, Set.of());

    public StoreScope {
        storeIds = allStores ? Set.of() : Set.copyOf(storeIds);
    }

    public static StoreScope of(Collection<Long> storeIds) {
        return new StoreScope(false, Set.copyOf(storeIds));
    }

    public boolean allows(long storeId) {
        return allStores || storeIds.contains(storeId);
    }

    /** Store ids for an SQL {@code = any(?)} filter; null means no filter. */
    public Long[] filterOrNull() {
        return allStores ? null : storeIds.toArray(Long[]::new);
    }
}
