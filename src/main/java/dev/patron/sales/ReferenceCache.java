package dev.patron.sales;

import dev.patron.organization.OrganizationCodes;
import dev.patron.organization.OrganizationManagement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * Store, counter, brand and category codes, cached for {@link #TTL} so that a POS ticket does not
 * cost one query per reference. A code missing from the cache costs one cheap version query and a
 * reload when organisation data changed, so a counter created a moment ago is usable at once; a
 * store closed a moment ago may accept tickets for up to {@link #TTL} more.
 */
@Component
class ReferenceCache {

    static final Duration TTL = Duration.ofSeconds(30);

    private record Snapshot(OrganizationCodes codes, String version, Instant loadedAt, Names names) {}

    /** Codes by id, for showing stored tickets. */
    record Names(
            Map<Long, String> stores,
            Map<Long, String> counters,
            Map<Long, String> brands,
            Map<Long, String> categories) {
        static Names of(OrganizationCodes c) {
            Map<Long, String> stores = new HashMap<>();
            c.stores().values().forEach(s -> stores.put(s.id(), s.code()));
            Map<Long, String> counters = new HashMap<>();
            c.counters().values().forEach(s -> counters.put(s.id(), s.code()));
            Map<Long, String> brands = new HashMap<>();
            c.brands().forEach((code, id) -> brands.put(id, code));
            Map<Long, String> categories = new HashMap<>();
            c.categories().forEach((code, id) -> categories.put(id, code));
            return new Names(stores, counters, brands, categories);
        }
    }

    private final OrganizationManagement organization;
    private volatile Snapshot snapshot;

    ReferenceCache(OrganizationManagement organization) {
        this.organization = organization;
    }

    /** The current snapshot, reloaded when older than {@link #TTL}. */
    OrganizationCodes codes() {
        Snapshot s = snapshot;
        if (s == null || s.loadedAt().plus(TTL).isBefore(Instant.now())) {
            s = reload();
        }
        return s.codes();
    }

    /** Codes by id; an id missing from the cache triggers a reload check like a missing code. */
    Names names(java.util.function.Predicate<Names> complete) {
        codes();
        Snapshot s = snapshot;
        if (!complete.test(s.names())) {
            codesAfterMiss();
            s = snapshot;
        }
        return s.names();
    }

    /** Called when a code is missing: a fresh snapshot if organisation data changed since the last load. */
    OrganizationCodes codesAfterMiss() {
        Snapshot s = snapshot;
        if (s == null || !Objects.equals(s.version(), organization.codesVersion())) {
            s = reload();
        }
        return s.codes();
    }

    private synchronized Snapshot reload() {
        String version = organization.codesVersion();
        Snapshot s = snapshot;
        if (s != null && s.version().equals(version)) {
            Snapshot same = new Snapshot(s.codes(), version, Instant.now(), s.names());
            snapshot = same;
            return same;
        }
        OrganizationCodes codes = organization.codes();
        Snapshot fresh = new Snapshot(codes, version, Instant.now(), Names.of(codes));
        snapshot = fresh;
        return fresh;
    }
}
