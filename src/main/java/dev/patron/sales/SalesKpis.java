package dev.patron.sales;

import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sales KPIs per store, counter, brand or time bucket over a period, read from the daily rollup
 * that {@link KpiRollup} maintains (plus the first-purchase-day tickets of new members and the store
 * traffic). Definitions:
 *
 * <ul>
 *   <li>net sales = sales − returns, each ticket on its own business date; gross sales = sale tickets
 *       only; return rate = returns / gross sales;
 *   <li>tickets = sale tickets (a ticket counts once per store, once per counter and once per brand
 *       it has lines for); average ticket = net sales / tickets; items per ticket (连带率) = net items
 *       / tickets;
 *   <li>member share = net sales of tickets with a member / net sales; new member sales = member net
 *       sales on the member's first purchase day ever (chain-wide), returning = the rest;
 *   <li>conversion = tickets / visitors over the store-days that have traffic (stores and time buckets
 *       only).
 * </ul>
 *
 * <p>Readers: ADMIN, ANALYST, STORE_MANAGER, FINANCE, MARKETER; figures are limited to the caller's
 * store scope (a store outside it, asked for by code, is 403).
 */
@Service
public class SalesKpis {

    static final Role[] READERS = {Role.ADMIN, Role.ANALYST, Role.STORE_MANAGER, Role.FINANCE, Role.MARKETER};

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;
    private final SalesKpiNames names;
    private final KpiRollup rollup;

    SalesKpis(JdbcClient jdbc, OrganizationManagement organization, SalesKpiNames names, KpiRollup rollup) {
        this.jdbc = jdbc;
        this.organization = organization;
        this.names = names;
        this.rollup = rollup;
    }

    /**
     * Recomputes the KPI rollup of [from, to] (at most two years) from the recorded tickets, for
     * operators after a repair of raw data. Head-office ADMIN only. Returns the store-days written.
     */
    public long rebuild(SalesKpiQuery period) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        return rollup.rebuild(period.from(), period.to());
    }

    /** Whether the caller may read KPIs (for the navigation: {@code @salesKpis.mayRead()}). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(READERS);
    }

    private static final class Acc {
        long net;
        long gross;
        long returns;
        long discount;
        BigDecimal items = BigDecimal.ZERO;
        long tickets;
        long member;
        long newMember;
        Long visitors;
        long ticketsWithTraffic;

        SalesKpiFigures figures() {
            return SalesKpiFigures.of(
                    net, gross, returns, discount, items, tickets, member, newMember, visitors, ticketsWithTraffic);
        }
    }

    /** The KPIs of the query's period: the total and one row per store, counter, brand or bucket. */
    @Transactional(readOnly = true)
    public SalesKpiReport report(SalesKpiQuery q) {
        CurrentStaff.requireAnyRole(READERS);
        Long storeId = null;
        if (q.storeCode() != null) {
            storeId = organization
                    .storeIdByCode(q.storeCode())
                    .orElseThrow(() -> PatronException.invalid("storeCode", "sales.kpi.unknownStore", q.storeCode()));
            if (!CurrentStaff.scope().allows(storeId)) {
                throw new PatronException(HttpStatus.FORBIDDEN, "error.store.outOfScope");
            }
        }
        Long[] scope = CurrentStaff.scope().filterOrNull();
        Filter f = new Filter(q.from(), q.to(), scope, storeId);
        SalesKpiGroup g = q.groupBy();

        Map<String, Acc> rows = new LinkedHashMap<>();
        Acc total = new Acc();
        // money (and, per store or bucket, tickets)
        boolean dim = g == SalesKpiGroup.COUNTER || g == SalesKpiGroup.BRAND;
        String moneyTable = dim ? "sales.daily_kpi" : "sales.daily_store_kpi";
        String key = key(g, "business_date", "store_id", "counter_id", "brand_id");
        jdbc.sql("select " + key
                        + ", sum(net_fen), sum(gross_fen), sum(returns_fen), sum(discount_fen), sum(quantity),"
                        + " sum(member_net_fen), " + (dim ? "0" : "sum(sale_tickets)")
                        + " from " + moneyTable + " where " + f.sql("business_date", "store_id") + " group by 1")
                .params(f.params())
                .query(rs -> {
                    Acc a = rows.computeIfAbsent(rs.getString(1), k -> new Acc());
                    a.net = rs.getLong(2);
                    a.gross = rs.getLong(3);
                    a.returns = rs.getLong(4);
                    a.discount = rs.getLong(5);
                    a.items = rs.getBigDecimal(6);
                    a.member = rs.getLong(7);
                    a.tickets = rs.getLong(8);
                });
        if (dim) {
            jdbc.sql("select dim_id::text, sum(sale_tickets) from sales.daily_dim_tickets where dim = ? and "
                            + f.sql("business_date", "store_id") + " group by 1")
                    .params(concat(new Object[] {g == SalesKpiGroup.COUNTER ? "C" : "B"}, f.params()))
                    .query(rs -> {
                        rows.computeIfAbsent(rs.getString(1), k -> new Acc()).tickets = rs.getLong(2);
                    });
        }
        jdbc.sql("""
                select coalesce(sum(net_fen), 0), coalesce(sum(gross_fen), 0), coalesce(sum(returns_fen), 0),
                       coalesce(sum(discount_fen), 0), coalesce(sum(quantity), 0), coalesce(sum(member_net_fen), 0),
                       coalesce(sum(sale_tickets), 0)
                from sales.daily_store_kpi where\s""" + f.sql("business_date", "store_id")).params(f.params()).query(rs -> {
            total.net = rs.getLong(1);
            total.gross = rs.getLong(2);
            total.returns = rs.getLong(3);
            total.discount = rs.getLong(4);
            total.items = rs.getBigDecimal(5);
            total.member = rs.getLong(6);
            total.tickets = rs.getLong(7);
        });
        // new members: their tickets on their first purchase day (few, found through member_purchase)
        String newKey = key(g, "s.business_date", "s.store_id", "coalesce(l.counter_id, 0)", "coalesce(l.brand_id, 0)");
        String newSql = """
                select %s, sum(l.amount_fen)
                from sales.member_purchase mp
                join sales.sale s on s.member_id = mp.member_id and s.business_date = mp.first_date
                join sales.sale_line l on l.sale_id = s.id
                where %s group by 1""";
        jdbc.sql(newSql.formatted(newKey, f.sql("mp.first_date", "s.store_id")))
                .params(f.params())
                .query(rs -> {
                    long v = rs.getLong(2);
                    rows.computeIfAbsent(rs.getString(1), k -> new Acc()).newMember = v;
                    total.newMember += v;
                });
        // traffic: visitors, and the tickets of the store-days that have traffic
        // (counters and brands have no traffic of their own: then only the total gets it)
        String trafficKey = g.hasTraffic() ? key(g, "t.business_date", "t.store_id", null, null) : "''::text";
        jdbc.sql("select " + trafficKey + ", sum(t.visitors), coalesce(sum(k.sale_tickets), 0)"
                        + " from sales.store_traffic t left join sales.daily_store_kpi k"
                        + " on k.store_id = t.store_id and k.business_date = t.business_date"
                        + " where " + f.sql("t.business_date", "t.store_id") + " group by 1")
                .params(f.params())
                .query(rs -> {
                    long visitors = rs.getLong(2);
                    long withTraffic = rs.getLong(3);
                    if (g.hasTraffic()) {
                        Acc a = rows.computeIfAbsent(rs.getString(1), k -> new Acc());
                        a.visitors = visitors;
                        a.ticketsWithTraffic = withTraffic;
                    }
                    total.visitors = (total.visitors == null ? 0 : total.visitors) + visitors;
                    total.ticketsWithTraffic += withTraffic;
                });
        String code = storeId == null
                ? null
                : organization.storeCodes(List.of(storeId)).get(storeId);
        return new SalesKpiReport(q.from(), q.to(), g, code, total.figures(), rows(g, rows));
    }

    /** The daily net sales and tickets of every day of the period (zero for days without sales). */
    @Transactional(readOnly = true)
    public List<SalesKpiRow> daily(SalesKpiQuery q) {
        SalesKpiReport r = report(q.withGroup(SalesKpiGroup.DAY));
        Map<LocalDate, SalesKpiRow> byDay = r.rows().stream().collect(Collectors.toMap(SalesKpiRow::date, x -> x));
        List<SalesKpiRow> out = new ArrayList<>();
        for (LocalDate d = q.from(); !d.isAfter(q.to()); d = d.plusDays(1)) {
            SalesKpiRow row = byDay.get(d);
            out.add(
                    row != null
                            ? row
                            : new SalesKpiRow(
                                    d.toString(),
                                    null,
                                    null,
                                    null,
                                    null,
                                    d,
                                    SalesKpiFigures.of(0, 0, 0, 0, BigDecimal.ZERO, 0, 0, 0, null, 0)));
        }
        return out;
    }

    private List<SalesKpiRow> rows(SalesKpiGroup g, Map<String, Acc> rows) {
        List<SalesKpiRow> out = new ArrayList<>();
        if (g.bucket()) {
            new TreeSet<>(rows.keySet()).forEach(k -> {
                LocalDate d = LocalDate.parse(k);
                out.add(new SalesKpiRow(
                        k, null, null, null, null, d, rows.get(k).figures()));
            });
            return out;
        }
        Set<Long> ids = rows.keySet().stream().map(Long::valueOf).collect(Collectors.toSet());
        Map<Long, SalesKpiNames.Named> named = switch (g) {
            case STORE -> names.stores(ids);
            case COUNTER -> names.counters(ids);
            default -> names.brands(ids);
        };
        rows.forEach((k, a) -> {
            long id = Long.parseLong(k);
            SalesKpiNames.Named n = named.get(id);
            String c = n == null ? (id == 0 ? "" : "#" + id) : n.code();
            out.add(new SalesKpiRow(
                    c, id, c, n == null ? null : n.name(), n == null ? null : n.storeCode(), null, a.figures()));
        });
        out.sort(Comparator.comparingLong((SalesKpiRow r) -> r.figures().netSalesFen())
                .reversed()
                .thenComparing(SalesKpiRow::key));
        return out;
    }

    /** The grouping key as text; for the traffic table counters and brands do not apply. */
    private static String key(SalesKpiGroup g, String date, String store, String counter, String brand) {
        return switch (g) {
            case STORE -> store + "::text";
            case COUNTER -> counter + "::text";
            case BRAND -> brand + "::text";
            case DAY -> date + "::text";
            case WEEK -> "date_trunc('week', " + date + ")::date::text";
            case MONTH -> "date_trunc('month', " + date + ")::date::text";
        };
    }

    private record Filter(LocalDate from, LocalDate to, Long[] scope, Long storeId) {
        String sql(String date, String store) {
            return date + " between ? and ? and (?::bigint[] is null or " + store + " = any(?::bigint[]))"
                    + " and (?::bigint is null or " + store + " = ?)";
        }

        Object[] params() {
            return new Object[] {from, to, scope, scope, storeId, storeId};
        }
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = new Object[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
