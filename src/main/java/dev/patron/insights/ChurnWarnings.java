package dev.patron.insights;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The churn warning list (流失预警, seed 002 §9): members who were valuable BEFORE their P(alive)
 * dropped (their CLV a month ago at least {@code minClvFen}, by default the top fifth of those
 * values over all scored members) and whose P(alive) is now below the threshold but was at or above
 * it a month ago, with the reason in words and a masked phone: the list care agents call.
 *
 * <p>"A month ago" is last month's snapshot ({@code member_value_month}: the last scoring of the
 * previous calendar month) when there is one, otherwise the current model applied to the member's
 * purchases up to a month before the scoring day ({@code p_alive_month_ago}, {@code
 * clv_month_ago_fen}). Ranking by the value before the drop matters: a member whose P(alive) fell
 * has a low CLV now by construction, so "valuable now" would hide exactly the members to call
 * (docs/MODELS.md, "Churn warning"). Roles: AGENT, MARKETER, ANALYST, ADMIN, STORE_MANAGER; store
 * staff see the members of their stores (preferred or joining store). Each listing is audited (it
 * names members).
 */
@Service
public class ChurnWarnings {

    public static final double DEFAULT_THRESHOLD = 0.5;
    /** Default "valuable": CLV a month ago at or above this quantile of all scored members' values a month ago. */
    public static final double VALUABLE_QUANTILE = 0.8;

    static final Role[] READERS = {Role.AGENT, Role.MARKETER, Role.ANALYST, Role.ADMIN, Role.STORE_MANAGER};

    private static final Map<String, String> SORT = Map.of(
            "clv", "clv_fen",
            "clvBefore", "clv_before",
            "pAlive", "p_alive",
            "drop", "p_drop",
            "lastPurchase", "last_purchase_on",
            "name", "name");

    /** One member on the list; money in fen; {@code reason} in the caller's language. */
    public record ChurnWarning(
            long memberId,
            String name,
            String phone,
            double pAlive,
            double pAliveBefore,
            long clvFen,
            long value12mFen,
            LocalDate lastPurchaseOn,
            int daysSinceLastPurchase,
            Double usualIntervalDays,
            String reason,
            long clvBeforeFen) {}

    /** The list with the thresholds it used ({@code minClvFen} applies to the CLV a month ago). */
    public record ChurnList(double threshold, long minClvFen, LocalDate asOf, PageResult<ChurnWarning> page) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final MessageSource messages;

    ChurnWarnings(JdbcClient jdbc, AuditLog audit, MessageSource messages) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.messages = messages;
    }

    /** For the navigation: whether the caller may open the churn warning list. */
    public boolean mayList() {
        return CurrentStaff.get().hasAnyRole(READERS);
    }

    /**
     * The members who slipped below {@code threshold} (0 &lt; t &lt; 1, default 0.5) since last
     * month whose CLV a month ago was ≥ {@code minClvFen} (≥ 0; default the top-fifth cut-off),
     * sorted by clvBefore (default, highest first), clv, pAlive, drop, lastPurchase or name.
     */
    @Transactional
    public ChurnList list(Double threshold, Long minClvFen, PageQuery page) {
        CurrentStaff.requireAnyRole(READERS);
        double t = threshold == null ? DEFAULT_THRESHOLD : threshold;
        if (!(t > 0 && t < 1)) {
            throw PatronException.invalid("threshold", "value.error.threshold");
        }
        if (minClvFen != null && minClvFen < 0) {
            throw PatronException.invalid("minClvFen", "value.error.minClv");
        }
        String order = page.orderBy(SORT, "clvBefore");
        if (page.sort() == null) {
            order = "clv_before desc, id asc";
        }
        long minClv = minClvFen != null
                ? minClvFen
                : jdbc.sql("select coalesce(percentile_disc(?) within group (order by b), 0) from (" + BEFORE
                                + ") x where b is not null")
                        .param(VALUABLE_QUANTILE)
                        .query(Long.class)
                        .single();
        StoreScope scope = CurrentStaff.scope();
        Long[] stores = scope.filterOrNull();
        String from = """
                from (
                    select mv.member_id as id, m.name, m.phone, mv.p_alive, mv.clv_fen, mv.value_12m_fen,
                           mv.last_purchase_on, mv.as_of, mv.x, mv.tx_days,
                           coalesce(prev.p_alive, mv.p_alive_month_ago) as p_before,
                           coalesce(prev.p_alive, mv.p_alive_month_ago) - mv.p_alive as p_drop,
                           case when prev.member_id is not null then prev.clv_fen else mv.clv_month_ago_fen end
                               as clv_before
                    from insights.member_value mv
                    join members.v_member m on m.id = mv.member_id and m.status = 'ACTIVE' and not m.no_personalisation
                    left join insights.member_value_month prev on prev.member_id = mv.member_id
                         and prev.month = (date_trunc('month', mv.as_of) - interval '1 month')::date
                    where mv.p_alive < :t
                      and (cast(:stores as bigint[]) is null or m.preferred_store_id = any(cast(:stores as bigint[]))
                           or m.join_store_id = any(cast(:stores as bigint[])))) w
                where w.p_before >= :t and w.clv_before >= :minClv""";
        long total = jdbc.sql("select count(*) " + from)
                .param("t", t)
                .param("minClv", minClv)
                .param("stores", stores)
                .query(Long.class)
                .single();
        LocalDate today = ValueModel.today();
        var locale = LocaleContextHolder.getLocale();
        List<ChurnWarning> items = jdbc.sql("select * " + from + " order by " + order + " limit :size offset :offset")
                .param("t", t)
                .param("minClv", minClv)
                .param("stores", stores)
                .param("size", page.size())
                .param("offset", page.offset())
                .query((rs, i) -> {
                    int x = rs.getInt("x");
                    LocalDate last = rs.getObject("last_purchase_on", LocalDate.class);
                    int since = (int) ChronoUnit.DAYS.between(last, today);
                    Double usual = x == 0 ? null : Math.round(rs.getInt("tx_days") * 10.0 / x) / 10.0;
                    String reason = usual == null
                            ? messages.getMessage("value.reason.once", new Object[] {since}, locale)
                            : messages.getMessage(
                                    "value.reason.interval", new Object[] {since, Math.round(usual), x + 1}, locale);
                    return new ChurnWarning(
                            rs.getLong("id"),
                            rs.getString("name"),
                            maskPhone(rs.getString("phone")),
                            rs.getDouble("p_alive"),
                            rs.getDouble("p_before"),
                            rs.getLong("clv_fen"),
                            rs.getLong("value_12m_fen"),
                            last,
                            since,
                            usual,
                            reason,
                            rs.getLong("clv_before"));
                })
                .list();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("threshold", t);
        details.put("minClvFen", minClv);
        details.put("page", page.page());
        details.put("members", items.size());
        audit.record("insights.churnList.viewed", "churn_warning", null, details);
        LocalDate asOf = jdbc.sql("select max(as_of) from insights.member_value")
                .query(LocalDate.class)
                .optional()
                .orElse(null);
        return new ChurnList(t, minClv, asOf, new PageResult<>(items, page.page(), page.size(), total));
    }

    /** Every scored member's CLV a month ago (snapshot first, else recomputed), as column b. */
    private static final String BEFORE = """
            select case when prev.member_id is not null then prev.clv_fen else mv.clv_month_ago_fen end as b
            from insights.member_value mv
            left join insights.member_value_month prev on prev.member_id = mv.member_id
                 and prev.month = (date_trunc('month', mv.as_of) - interval '1 month')::date""";

    /** {@code 137****5678}: an E.164 number without its country code, middle four digits hidden. */
    static String maskPhone(String e164) {
        if (e164 == null) {
            return null;
        }
        String digits = e164.startsWith("+86") ? e164.substring(3) : e164.replaceAll("\\D", "");
        if (digits.length() <= 7) {
            return "****" + digits.substring(Math.max(0, digits.length() - 4));
        }
        return digits.substring(0, 3) + "****" + digits.substring(digits.length() - 4);
    }
}
