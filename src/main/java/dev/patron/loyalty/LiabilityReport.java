package dev.patron.loyalty;

import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The points liability report for head office and finance: outstanding points (sum of balances,
 * split into spendable and pending open points), debt, the points expected to expire per month
 * for the next 12 months, and earned / redeemed / expired per month over the last 12 months with
 * the redemption rate (points redeemed ÷ points earned), optionally earning per store. All
 * set-based aggregates on indexes ({@code lot_open_expiry} for the expiry months and the pending
 * points, {@code entry_created}, index-only where possible) plus one pass over
 * {@code loyalty.account}; no per-member work. Months are calendar months in Asia/Shanghai.
 *
 * <p>Roles: ADMIN, FINANCE, ANALYST with all stores (a liability is a chain-wide figure).
 */
@Service
public class LiabilityReport {

    static final int MONTHS = 12;
    static final Role[] READERS = {Role.ADMIN, Role.FINANCE, Role.ANALYST};

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;

    LiabilityReport(JdbcClient jdbc, OrganizationManagement organization) {
        this.jdbc = jdbc;
        this.organization = organization;
    }

    @Schema(
            description =
                    "Points liability: outstanding, pending, debt, expected expiry, monthly flows, redemption rate")
    public record Liability(
            LocalDate asOf,
            long outstanding,
            long positiveBalances,
            long negativeBalances,
            long spendable,
            long pending,
            long debt,
            long members,
            List<PointsBalance.Expiring> expiring,
            long expiringTotal,
            List<Month> months,
            long earned12,
            long redeemed12,
            long expired12,

            @Schema(description = "redeemed ÷ earned over the 12 months, 4 decimals; null when nothing was earned")
            BigDecimal redemptionRate,

            List<StoreEarning> stores) {}

    /** One calendar month's ledger flows: earned and reversed (signed), redeemed and expired (positive). */
    public record Month(
            YearMonth month, long earned, long reversed, long redeemed, long expired, BigDecimal redemptionRate) {}

    /** Points earned on sales of one store over the 12 months (storeCode null: entries without a store). */
    public record StoreEarning(String storeCode, long earned) {}

    /** Whether the caller may read the report (for the navigation). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(READERS) && CurrentStaff.scope().allStores();
    }

    @Transactional(readOnly = true)
    public Liability report(boolean byStore) {
        CurrentStaff.requireAnyRole(READERS);
        CurrentStaff.requireAllStores();
        LocalDate today = LoyaltyManagement.today();
        YearMonth thisMonth = YearMonth.from(today);

        long[] acc = jdbc.sql("""
                select coalesce(sum(balance), 0), coalesce(sum(balance) filter (where balance > 0), 0),
                       coalesce(sum(balance) filter (where balance < 0), 0), coalesce(sum(debt), 0),
                       count(*) filter (where balance <> 0 or debt <> 0)
                from loyalty.account""")
                .query((rs, n) ->
                        new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)})
                .single();
        long pending = jdbc.sql(
                        "select coalesce(sum(remaining), 0) from loyalty.lot where remaining > 0 and available_from > ?")
                .param(today)
                .query(Long.class)
                .single();

        Map<YearMonth, Long> expiring = new LinkedHashMap<>();
        for (int i = 0; i < MONTHS; i++) {
            expiring.put(thisMonth.plusMonths(i), 0L);
        }
        jdbc.sql("""
                select date_trunc('month', expires_on)::date, sum(remaining) from loyalty.lot
                where remaining > 0 and expires_on >= ? and expires_on < ? group by 1""")
                .params(today, thisMonth.plusMonths(MONTHS).atDay(1))
                .query((rs, n) -> expiring.put(YearMonth.from(rs.getObject(1, LocalDate.class)), rs.getLong(2)))
                .list();
        List<PointsBalance.Expiring> expiringList = new ArrayList<>();
        expiring.forEach((m, p) -> expiringList.add(new PointsBalance.Expiring(m, p)));

        YearMonth firstMonth = thisMonth.minusMonths(MONTHS - 1);
        Timestamp since = Timestamp.from(
                firstMonth.atDay(1).atStartOfDay(LoyaltyManagement.ZONE).toInstant());
        Map<YearMonth, long[]> flows = new LinkedHashMap<>();
        for (int i = 0; i < MONTHS; i++) {
            flows.put(firstMonth.plusMonths(i), new long[4]);
        }
        jdbc.sql("""
                select date_trunc('month', created_at at time zone 'Asia/Shanghai')::date,
                       coalesce(sum(points) filter (where kind = 'EARN'), 0),
                       coalesce(sum(points) filter (where kind = 'REVERSE'), 0),
                       coalesce(-sum(points) filter (where kind in ('REDEEM', 'REDEEM_CANCEL')), 0),
                       coalesce(-sum(points) filter (where kind = 'EXPIRE'), 0)
                from loyalty.entry where created_at >= ? and kind in ('EARN', 'REVERSE', 'REDEEM', 'REDEEM_CANCEL', 'EXPIRE')
                group by 1""")
                .param(since)
                .query((rs, n) -> {
                    long[] f = flows.get(YearMonth.from(rs.getObject(1, LocalDate.class)));
                    if (f != null) {
                        for (int i = 0; i < 4; i++) {
                            f[i] = rs.getLong(i + 2);
                        }
                    }
                    return f;
                })
                .list();
        List<Month> months = new ArrayList<>();
        long earned = 0;
        long redeemed = 0;
        long expired = 0;
        for (var e : flows.entrySet()) {
            long[] f = e.getValue();
            months.add(new Month(e.getKey(), f[0], f[1], f[2], f[3], rate(f[2], f[0])));
            earned += f[0];
            redeemed += f[2];
            expired += f[3];
        }

        List<StoreEarning> stores = List.of();
        if (byStore) {
            List<long[]> rows = jdbc.sql("""
                    select coalesce(store_id, 0), sum(points) from loyalty.entry
                    where created_at >= ? and kind = 'EARN' group by 1 order by 2 desc, 1""")
                    .param(since)
                    .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .list();
            Map<Long, String> codes = organization.storeCodes(
                    rows.stream().map(r -> r[0]).filter(id -> id != 0).toList());
            stores = rows.stream()
                    .map(r -> new StoreEarning(r[0] == 0 ? null : codes.get(r[0]), r[1]))
                    .toList();
        }
        long open = acc[1];
        return new Liability(
                today,
                acc[0],
                acc[1],
                acc[2],
                open - pending,
                pending,
                acc[3],
                acc[4],
                expiringList,
                expiringList.stream().mapToLong(PointsBalance.Expiring::points).sum(),
                months,
                earned,
                redeemed,
                expired,
                rate(redeemed, earned),
                stores);
    }

    static BigDecimal rate(long part, long whole) {
        return whole <= 0 ? null : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP);
    }
}
