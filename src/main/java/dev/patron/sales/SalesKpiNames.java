package dev.patron.sales;

import dev.patron.organization.Brand;
import dev.patron.organization.Category;
import dev.patron.organization.OrganizationManagement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Display names of stores, counters, brands and categories by id, for KPI rows, ticket pages and
 * the member panel. Stores and counters are read from the organisation's reporting views
 * ({@code organization.v_store}, {@code v_counter}) by id; brands and categories through the
 * organisation API, kept for {@link #TTL} unless organisation data changed.
 */
@Component
class SalesKpiNames {

    static final Duration TTL = Duration.ofSeconds(30);

    /** A name with its code (and, for counters, the store's code). */
    record Named(long id, String code, String name, String storeCode) {}

    private record Snapshot(String version, Instant loadedAt, Map<Long, Named> brands, Map<Long, Named> categories) {}

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;
    private volatile Snapshot snapshot;

    SalesKpiNames(JdbcClient jdbc, OrganizationManagement organization) {
        this.jdbc = jdbc;
        this.organization = organization;
    }

    Map<Long, Named> stores(Collection<Long> ids) {
        return view("select id, code, name, null from organization.v_store where id = any(?)", ids);
    }

    Map<Long, Named> counters(Collection<Long> ids) {
        return view("select id, code, name, store_code from organization.v_counter where id = any(?)", ids);
    }

    /** Brands by id; when one of {@code needed} is missing, reloaded at once if organisation data changed. */
    Map<Long, Named> brands(Collection<Long> needed) {
        Snapshot s = snapshot();
        if (!s.brands().keySet().containsAll(needed)) {
            s = reloadIfChanged();
        }
        return s.brands();
    }

    Map<Long, Named> categories(Collection<Long> needed) {
        Snapshot s = snapshot();
        if (!s.categories().keySet().containsAll(needed)) {
            s = reloadIfChanged();
        }
        return s.categories();
    }

    /** Brand and category names by code (for tickets, which carry codes), fresh when a code is missing. */
    Map<String, String> brandNamesByCode(Collection<String> needed) {
        return byCode(snapshotFor(needed, Snapshot::brands).brands());
    }

    Map<String, String> categoryNamesByCode(Collection<String> needed) {
        return byCode(snapshotFor(needed, Snapshot::categories).categories());
    }

    private Snapshot snapshotFor(
            Collection<String> codes, java.util.function.Function<Snapshot, Map<Long, Named>> part) {
        Snapshot s = snapshot();
        if (!byCode(part.apply(s)).keySet().containsAll(codes)) {
            s = reloadIfChanged();
        }
        return s;
    }

    private static Map<String, String> byCode(Map<Long, Named> named) {
        Map<String, String> out = new HashMap<>();
        named.values().forEach(n -> out.put(n.code(), n.name()));
        return out;
    }

    private Snapshot reloadIfChanged() {
        Snapshot s = snapshot;
        if (s != null && Objects.equals(s.version(), organization.codesVersion())) {
            return s;
        }
        snapshot = null;
        return snapshot();
    }

    private Map<Long, Named> view(String sql, Collection<Long> ids) {
        Map<Long, Named> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql(sql).param(ids.toArray(Long[]::new)).query(rs -> {
            out.put(rs.getLong(1), new Named(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        });
        return out;
    }

    private Snapshot snapshot() {
        Snapshot s = snapshot;
        if (s != null && s.loadedAt().plus(TTL).isAfter(Instant.now())) {
            return s;
        }
        String version = organization.codesVersion();
        if (s != null && Objects.equals(s.version(), version)) {
            s = new Snapshot(version, Instant.now(), s.brands(), s.categories());
        } else {
            Map<Long, Named> brands = new HashMap<>();
            for (Brand b : organization.allBrands()) {
                brands.put(b.id(), new Named(b.id(), b.code(), b.name(), null));
            }
            Map<Long, Named> categories = new HashMap<>();
            for (Category c : organization.categoryTree()) {
                categories.put(c.id(), new Named(c.id(), c.code(), c.name(), null));
            }
            s = new Snapshot(version, Instant.now(), Map.copyOf(brands), Map.copyOf(categories));
        }
        snapshot = s;
        return s;
    }
}
