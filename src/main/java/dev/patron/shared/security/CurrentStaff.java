package dev.patron.shared.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** Access to the caller of the current request; SYSTEM outside a request (jobs, demo command). */
public final class CurrentStaff {

    private CurrentStaff() {}

    public static StaffPrincipal get() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof StaffPrincipal p) {
            return p;
        }
        return StaffPrincipal.SYSTEM;
    }

    public static StoreScope scope() {
        return get().scope();
    }

    /** Throws 403 unless the caller's store scope includes {@code storeId}. */
    public static void requireStore(long storeId) {
        if (!scope().allows(storeId)) {
            throw new org.springframework.security.access.AccessDeniedException("error.store.outOfScope");
        }
    }

    /** Throws 403 unless the caller may see every store (head-office actions). */
    public static void requireAllStores() {
        if (!scope().allStores()) {
            throw new org.springframework.security.access.AccessDeniedException("error.store.allStoresRequired");
        }
    }

    /** Throws 403 unless the caller has one of {@code roles}. */
    public static void requireAnyRole(Role... roles) {
        if (!get().hasAnyRole(roles)) {
            throw new org.springframework.security.access.AccessDeniedException("error.forbidden");
        }
    }
}
