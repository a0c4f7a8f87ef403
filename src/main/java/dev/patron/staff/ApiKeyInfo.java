package dev.patron.staff;

import dev.patron.shared.security.Role;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** An API key as listed in the console: its first characters identify it; the secret is never shown again. */
public record ApiKeyInfo(
        long id,
        String name,
        String prefix,
        Set<Role> roles,
        boolean allStores,
        List<String> storeCodes,
        String createdBy,
        Instant createdAt,
        Instant lastUsedAt,
        Instant revokedAt) {

    public boolean active() {
        return revokedAt == null;
    }
}
