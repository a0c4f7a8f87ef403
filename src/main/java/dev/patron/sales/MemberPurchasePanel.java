package dev.patron.sales;

import dev.patron.members.MemberPanel;
import dev.patron.shared.security.CurrentStaff;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The purchase history panel of the member 360 view ({@code panels[].data} under the key
 * {@code purchases}): see {@link MemberPurchaseSummary}. Only tickets of the caller's stores count;
 * empty when the member bought nothing there. Two queries on the member's tickets (index
 * {@code sale_member}) and one by id for store and counter names. Interval and favourites are
 * member facts, shown by the segments module's "Facts &amp; RFM" panel (one place computes them).
 */
@Component
class MemberPurchasePanel implements MemberPanel {

    static final int RECENT = 5;

    private final JdbcClient jdbc;
    private final SalesKpiNames names;

    MemberPurchasePanel(JdbcClient jdbc, SalesKpiNames names) {
        this.jdbc = jdbc;
        this.names = names;
    }

    @Override
    public String key() {
        return "purchases";
    }

    @Override
    public String titleKey() {
        return "sales.panel.title";
    }

    @Override
    public int order() {
        return 200;
    }

    @Override
    public String template() {
        // the whole file: the member page includes it as ~{${template}}
        return "sales/panel";
    }

    @Override
    public Optional<Object> data(long memberId) {
        return summary(memberId).map(s -> s);
    }

    Optional<MemberPurchaseSummary> summary(long memberId) {
        Long[] scope = CurrentStaff.scope().filterOrNull();
        long[] counts = new long[4];
        LocalDate[] dates = new LocalDate[2];
        jdbc.sql("""
                select count(*) filter (where kind = 'SALE'), count(*) filter (where kind = 'RETURN'),
                       coalesce(sum(total_fen), 0), coalesce(-sum(total_fen) filter (where kind = 'RETURN'), 0),
                       min(business_date) filter (where kind = 'SALE'), max(business_date) filter (where kind = 'SALE')
                from sales.sale
                where member_id = ? and (?::bigint[] is null or store_id = any(?::bigint[]))""").params(memberId, scope, scope).query(rs -> {
            counts[0] = rs.getLong(1);
            counts[1] = rs.getLong(2);
            counts[2] = rs.getLong(3);
            counts[3] = rs.getLong(4);
            dates[0] = rs.getObject(5, LocalDate.class);
            dates[1] = rs.getObject(6, LocalDate.class);
        });
        if (counts[0] + counts[1] == 0) {
            return Optional.empty();
        }
        return Optional.of(new MemberPurchaseSummary(
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                dates[0],
                dates[1],
                recent(memberId, scope, new HashMap<>())));
    }

    private List<MemberPurchaseSummary.Purchase> recent(
            long memberId, Long[] scope, Map<Long, SalesKpiNames.Named> brands) {
        record Head(
                long id,
                SaleKind kind,
                LocalDate date,
                OffsetDateTime at,
                long storeId,
                long total,
                long discount,
                Long original) {}
        record Line(long saleId, Long counterId, Long brandId, Object[] v) {}
        Map<Long, Head> heads = new LinkedHashMap<>();
        List<Line> lines = new ArrayList<>();
        jdbc.sql("""
                with r as (
                    select id from sales.sale
                    where member_id = ? and (?::bigint[] is null or store_id = any(?::bigint[]))
                    order by business_date desc, occurred_at desc, id desc limit ?
                )
                select s.id, s.kind, s.business_date, s.occurred_at, s.store_id, s.total_fen, s.discount_fen,
                       s.original_sale_id, l.line_no, l.sku, l.name, l.brand_id, l.counter_id, l.quantity,
                       l.unit_price_fen, l.discount_fen, l.amount_fen, l.returned_quantity, l.returned_fen
                from r join sales.sale s on s.id = r.id join sales.sale_line l on l.sale_id = s.id
                order by s.business_date desc, s.occurred_at desc, s.id desc, l.line_no""").params(memberId, scope, scope, RECENT).query(rs -> {
            long id = rs.getLong(1);
            heads.computeIfAbsent(id, k -> {
                try {
                    return new Head(
                            id,
                            SaleKind.valueOf(rs.getString(2)),
                            rs.getObject(3, LocalDate.class),
                            rs.getObject(4, OffsetDateTime.class),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            (Long) rs.getObject(8));
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            lines.add(new Line(id, (Long) rs.getObject(13), (Long) rs.getObject(12), new Object[] {
                rs.getInt(9),
                rs.getString(10),
                rs.getString(11),
                rs.getBigDecimal(14),
                rs.getLong(15),
                rs.getLong(16),
                rs.getLong(17),
                rs.getBigDecimal(18),
                rs.getLong(19)
            }));
        });
        Set<Long> storeIds = new HashSet<>();
        heads.values().forEach(h -> storeIds.add(h.storeId()));
        Set<Long> counterIds = new HashSet<>();
        lines.forEach(l -> {
            if (l.counterId() != null) {
                counterIds.add(l.counterId());
            }
        });
        Set<Long> lineBrands = new HashSet<>();
        lines.forEach(l -> {
            if (l.brandId() != null) {
                lineBrands.add(l.brandId());
            }
        });
        if (!brands.keySet().containsAll(lineBrands)) {
            brands = names.brands(lineBrands);
        }
        Map<Long, SalesKpiNames.Named> stores = names.stores(storeIds);
        Map<Long, SalesKpiNames.Named> counters = names.counters(counterIds);
        Map<Long, List<MemberPurchaseSummary.Item>> items = new HashMap<>();
        for (Line l : lines) {
            SalesKpiNames.Named b = l.brandId() == null ? null : brands.get(l.brandId());
            SalesKpiNames.Named c = l.counterId() == null ? null : counters.get(l.counterId());
            Object[] v = l.v();
            items.computeIfAbsent(l.saleId(), k -> new ArrayList<>())
                    .add(new MemberPurchaseSummary.Item(
                            (Integer) v[0],
                            (String) v[1],
                            (String) v[2],
                            b == null ? null : b.code(),
                            b == null ? null : b.name(),
                            c == null ? null : c.code(),
                            c == null ? null : c.name(),
                            plain((BigDecimal) v[3]),
                            (Long) v[4],
                            (Long) v[5],
                            (Long) v[6],
                            plain((BigDecimal) v[7]),
                            (Long) v[8]));
        }
        List<MemberPurchaseSummary.Purchase> out = new ArrayList<>();
        for (Head h : heads.values()) {
            SalesKpiNames.Named s = stores.get(h.storeId());
            out.add(new MemberPurchaseSummary.Purchase(
                    h.id(),
                    h.kind(),
                    h.date(),
                    h.at(),
                    s == null ? null : s.code(),
                    s == null ? null : s.name(),
                    h.total(),
                    h.discount(),
                    h.original(),
                    items.getOrDefault(h.id(), List.of())));
        }
        return out;
    }

    static BigDecimal plain(BigDecimal q) {
        if (q == null) {
            return null;
        }
        BigDecimal s = q.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
