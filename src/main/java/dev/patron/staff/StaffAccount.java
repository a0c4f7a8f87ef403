package dev.patron.staff;

import dev.patron.shared.security.Role;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A staff account as admins see it (never the password hash). */
public record StaffAccount(
        long id,
        String username,
        String displayName,
        String email,
        boolean enabled,
        Set<Role> roles,
        boolean allStores,
        List<String> storeCodes,
        Instant lockedUntil,
        Instant lastLoginAt,
        Instant createdAt) {

    public boolean locked() {
        return lockedUntil != null && lockedUntil.isAfter(Instant.now());
    }
}
