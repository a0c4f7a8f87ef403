package dev.patron.loyalty;

import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Monthly points statements of a member (API and 360 view): opening balance, the month's
 * movements by kind and the closing balance, all from the ledger entries created in that month in
 * Asia/Shanghai (one indexed range read, {@code entry_member_created}); points expiring in the next
 * three months from the open lots; pending points, debt and tier progress.
 *
 * <p>Roles: like reading a member's points ({@link LoyaltyManagement#balance}): every staff role.
 */
@Service
public class Statements {

    static final int EXPIRING_MONTHS = 3;
    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final YearMonth FIRST = YearMonth.of(2000, 1);

    private final JdbcClient jdbc;
    private final MemberReferences members;
    private final LoyaltyManagement loyalty;

    private final Tiers tiers;

    Statements(JdbcClient jdbc, MemberReferences members, LoyaltyManagement loyalty, Tiers tiers) {
        this.tiers = tiers;
        this.jdbc = jdbc;
        this.members = members;
        this.loyalty = loyalty;
    }

    /** The last full month (Asia/Shanghai): the default statement month. */
    public static YearMonth lastFullMonth() {
        return YearMonth.from(LoyaltyManagement.today()).minusMonths(1);
    }

    /**
     * Parses {@code YYYY-MM} (blank: the last full month). 400 naming {@code month} for another
     * format, a month before 2000 or a month after the current one.
     */
    public static YearMonth parseMonth(String month) {
        if (month == null || month.isBlank()) {
            return lastFullMonth();
        }
        String m = month.strip();
        YearMonth ym;
        try {
            if (!MONTH.matcher(m).matches()) {
                throw new DateTimeParseException(m, m, 0);
            }
            ym = YearMonth.parse(m);
        } catch (DateTimeParseException e) {
            throw PatronException.invalid("month", "statement.validation.month", m);
        }
        if (ym.isBefore(FIRST)) {
            throw PatronException.invalid("month", "statement.validation.month", m);
        }
        if (ym.isAfter(YearMonth.from(LoyaltyManagement.today()))) {
            throw PatronException.invalid("month", "statement.validation.future", m);
        }
        return ym;
    }

    /** The statement of {@code memberId} (a merged member's id shows the survivor's) for {@code month}. */
    @Transactional(readOnly = true)
    public MemberStatement statement(long memberId, String month) {
        YearMonth ym = parseMonth(month);
        Long id = members.activeIds(List.of(memberId)).get(memberId);
        if (id == null) {
            throw PatronException.notFound("error.members.notFound", memberId);
        }
        return statementOf(id, ym);
    }

    /** The statement of an active member (no existence check; used by the 360-view panel). */
    @Transactional(readOnly = true)
    MemberStatement statementOf(long memberId, YearMonth month) {
        CurrentStaff.requireAnyRole(Role.values());
        Timestamp start = Timestamp.from(
                month.atDay(1).atStartOfDay(LoyaltyManagement.ZONE).toInstant());
        Timestamp end = Timestamp.from(month.plusMonths(1)
                .atDay(1)
                .atStartOfDay(LoyaltyManagement.ZONE)
                .toInstant());
        long[] s = jdbc.sql("""
                select coalesce(sum(points) filter (where created_at < ?), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind = 'EARN'), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind = 'REVERSE'), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind in ('REDEEM', 'REDEEM_CANCEL')), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind = 'EXPIRE'), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind = 'ADJUST'), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind in ('TRANSFER_IN', 'TRANSFER_OUT')), 0),
                       coalesce(sum(points) filter (where created_at >= ? and kind = 'DEBT_SETTLE'), 0),
                       coalesce(sum(points), 0)
                from loyalty.entry where member_id = ? and created_at < ?""")
                .params(start, start, start, start, start, start, start, start, memberId, end)
                .query((rs, n) -> {
                    long[] r = new long[9];
                    for (int i = 0; i < 9; i++) {
                        r[i] = rs.getLong(i + 1);
                    }
                    return r;
                })
                .single();
        LocalDate today = LoyaltyManagement.today();
        YearMonth first = month.plusMonths(1);
        Map<YearMonth, Long> expiring = new LinkedHashMap<>();
        for (int i = 0; i < EXPIRING_MONTHS; i++) {
            expiring.put(first.plusMonths(i), 0L);
        }
        jdbc.sql("""
                select to_char(expires_on, 'YYYY-MM'), sum(remaining) from loyalty.lot
                where member_id = ? and remaining > 0 and expires_on >= ? and expires_on < ?
                group by 1""")
                .params(
                        memberId,
                        first.atDay(1),
                        first.plusMonths(EXPIRING_MONTHS).atDay(1))
                .query((rs, n) -> expiring.put(YearMonth.parse(rs.getString(1)), rs.getLong(2)))
                .list();
        List<PointsBalance.Expiring> expiringSoon = new ArrayList<>();
        expiring.forEach((m, p) -> expiringSoon.add(new PointsBalance.Expiring(m, p)));
        PointsBalance now = loyalty.balanceOf(memberId);
        return new MemberStatement(
                memberId,
                month,
                month.atDay(1),
                month.atEndOfMonth(),
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                s[6],
                s[7],
                s[8],
                expiringSoon,
                now.pending(),
                now.debt(),
                tierProgress(memberId));
    }

    /**
     * The member's tier and the way to the next one, from the tier engine: "spend ¥X more by DATE to
     * reach 五星" — {@code spendNeededFen} when tiers qualify by spend, {@code pointsNeeded} when by
     * earned points; {@code qualifyBy} is the day before the oldest counted sale leaves the window.
     */
    MemberStatement.TierProgress tierProgress(long memberId) {
        MemberTier t = tiers.tierOf(memberId);
        TierLevel next = t.next();
        boolean points = "POINTS".equals(t.basis());
        return new MemberStatement.TierProgress(
                t.tier().code(),
                t.tier().nameZh(),
                t.tier().nameEn(),
                t.since(),
                next == null ? null : next.code(),
                next == null ? null : next.nameZh(),
                next == null ? null : next.nameEn(),
                next == null || points ? null : t.stillNeeded(),
                next == null || !points ? null : t.stillNeeded(),
                next == null ? null : t.neededBy());
    }
}
