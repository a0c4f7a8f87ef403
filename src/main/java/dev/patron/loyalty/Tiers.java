package dev.patron.loyalty;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberManagement;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Member tiers: the levels and their benefits, a member's tier, manual overrides, and the engine
 * that applies the rules.
 *
 * <p>Rules: the qualifying figure is the member's spend net of returns (fen) or earned points net
 * of reversals over the rolling 12 months up to today (sales dated after today minus one year;
 * a return counts on its original sale's date). A member is upgraded as soon as the figure reaches
 * a higher level's threshold (several levels at once if it does), and the review date becomes the
 * anniversary of that upgrade (one year on). Only at the review date can the member go down, by at
 * most one level per review, when the figure no longer reaches the current level; a member who
 * still qualifies (or is at rank 0 after the step down) gets the review date moved on by a year
 * (rank 0 has no review date). While a staff override runs (until its date, inclusive) the engine
 * leaves the tier alone; afterwards the tier and review date from before the override come back and
 * the rules apply again (an upgrade if the figure qualifies, a step down if the review is due).
 *
 * <p>Roles: reading levels and a member's tier — every staff role (the POS reads them chain-wide,
 * like points); changing the levels — ADMIN with all stores; overriding — ADMIN or STORE_MANAGER
 * for a member in their stores. Changes of settings and overrides are audited; every tier change
 * is kept in {@code loyalty.tier_history}.
 */
@Service
public class Tiers {

    static final int MAX_LEVELS = 20;
    static final long MAX_THRESHOLD = 1_000_000_000_000L;
    private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("^[A-Z0-9_]{1,20}$");

    private final JdbcClient jdbc;
    private final PointsLedger ledger;
    private final MemberReferences members;
    private final MemberManagement memberManagement;
    private final AuditLog audit;
    private final org.springframework.context.ApplicationEventPublisher events;

    Tiers(
            JdbcClient jdbc,
            PointsLedger ledger,
            MemberReferences members,
            MemberManagement memberManagement,
            AuditLog audit,
            org.springframework.context.ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.members = members;
        this.memberManagement = memberManagement;
        this.audit = audit;
        this.events = events;
    }

    // ------------------------------------------------------------------ settings

    @Transactional(readOnly = true)
    public TierSettings settings() {
        String basis = jdbc.sql("select basis from loyalty.tier_program where id = 1")
                .query(String.class)
                .single();
        return new TierSettings(basis, levels());
    }

    List<TierLevel> levels() {
        return jdbc.sql("select " + LEVEL_COLUMNS + " from loyalty.tier t order by t.rank")
                .query(Tiers::level)
                .list();
    }

    /**
     * A level's columns of {@code loyalty.tier t}, named so that they can share a row with other
     * columns (the member lookup reads them in its own statement): read with {@link #level}.
     */
    static final String LEVEL_COLUMNS = """
            t.code as tier_code, t.rank as tier_rank, t.name_zh as tier_name_zh, t.name_en as tier_name_en,
            t.threshold as tier_threshold, t.points_multiplier as tier_points_multiplier,
            t.discount_rate as tier_discount_rate, t.free_services as tier_free_services,
            t.birthday_gift as tier_birthday_gift""";

    static TierLevel level(ResultSet rs, int n) throws SQLException {
        java.sql.Array services = rs.getArray("tier_free_services");
        return new TierLevel(
                rs.getString("tier_code"),
                rs.getInt("tier_rank"),
                rs.getString("tier_name_zh"),
                rs.getString("tier_name_en"),
                rs.getLong("tier_threshold"),
                rs.getBigDecimal("tier_points_multiplier"),
                rs.getBigDecimal("tier_discount_rate"),
                services == null ? List.of() : List.of((String[]) services.getArray()),
                rs.getString("tier_birthday_gift"));
    }

    /**
     * Replaces the levels and the basis (ADMIN with all stores; audited). Refused with field errors
     * ({@code levels[i].threshold} …) when invalid: codes A-Z/0-9/_, unique codes and ranks, one level
     * of rank 0 with threshold 0, thresholds strictly increasing with rank, discount more than 0 and at most 1,
     * multiplier more than 0 and at most 10; a level that members hold cannot be removed (422).
     */
    @Transactional
    public TierSettings updateSettings(TierSettings s) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = validate(s);
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        jdbc.sql("select id from loyalty.tier_program where id = 1 for update")
                .query(Long.class)
                .single();
        TierSettings before = settings();
        Set<String> kept = new HashSet<>();
        s.levels().forEach(l -> kept.add(l.code()));
        List<String> removed = before.levels().stream()
                .map(TierLevel::code)
                .filter(c -> !kept.contains(c))
                .toList();
        if (!removed.isEmpty()) {
            List<String> used = jdbc.sql("""
                    select distinct c from (select tier_code as c from loyalty.member_tier where tier_code = any(?)
                      union all select base_tier_code from loyalty.member_tier where base_tier_code = any(?)) u order by c""")
                    .params(removed.toArray(String[]::new), removed.toArray(String[]::new))
                    .query(String.class)
                    .list();
            if (!used.isEmpty()) {
                throw LoyaltyManagement.unprocessable("levels", "tiers.validation.inUse", used.get(0));
            }
        }
        // ranks are unique: move the old ones out of the way first
        jdbc.sql("update loyalty.tier set rank = rank + 1000").update();
        for (TierLevel l : s.levels()) {
            jdbc.sql("""
                    insert into loyalty.tier (code, rank, name_zh, name_en, threshold, points_multiplier, discount_rate,
                        free_services, birthday_gift)
                    values (?, ?, ?, ?, ?, ?, ?, ?::text[], ?)
                    on conflict (code) do update set rank = excluded.rank, name_zh = excluded.name_zh,
                        name_en = excluded.name_en, threshold = excluded.threshold,
                        points_multiplier = excluded.points_multiplier, discount_rate = excluded.discount_rate,
                        free_services = excluded.free_services, birthday_gift = excluded.birthday_gift""")
                    .params(
                            l.code(),
                            l.rank(),
                            l.nameZh().strip(),
                            l.nameEn().strip(),
                            l.threshold(),
                            l.pointsMultiplier(),
                            l.discountRate(),
                            services(l).toArray(String[]::new),
                            l.birthdayGift() == null ? "" : l.birthdayGift().strip())
                    .update();
        }
        if (!removed.isEmpty()) {
            jdbc.sql("delete from loyalty.tier where code = any(?)")
                    .param(removed.toArray(String[]::new))
                    .update();
        }
        jdbc.sql("update loyalty.tier_program set basis = ?, updated_at = now(), updated_by = ? where id = 1")
                .params(s.basis(), CurrentStaff.get().auditName())
                .update();
        if ("POINTS".equals(s.basis()) && !"POINTS".equals(before.basis())) {
            // points of sales counted while the basis was SPEND may have been recorded before the
            // accrual: take them from the ledger now
            jdbc.sql("""
                    update loyalty.tier_sale t set points =
                        coalesce((select e.points from loyalty.entry e where e.kind = 'EARN' and e.sale_id = t.sale_id), 0)
                        + coalesce((select e.points - e.debt_points from loyalty.entry e
                                    where e.kind = 'REVERSE' and e.sale_id = t.sale_id), 0)
                    where t.business_date > ?""").param(LoyaltyManagement.today().minusYears(1)).update();
        }
        TierSettings after = settings();
        audit.record(
                "loyalty.tiers.changed",
                "loyalty_tiers",
                1,
                Map.of("before", before.toString(), "after", after.toString()));
        return after;
    }

    private static List<String> services(TierLevel l) {
        return l.freeServices() == null
                ? List.of()
                : l.freeServices().stream()
                        .filter(x -> x != null && !x.isBlank())
                        .map(String::strip)
                        .toList();
    }

    static List<PatronException.FieldError> validate(TierSettings s) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (s == null) {
            errors.add(new PatronException.FieldError("levels", "tiers.validation.levels", MAX_LEVELS));
            return errors;
        }
        if (s.basis() == null || !List.of("SPEND", "POINTS").contains(s.basis())) {
            errors.add(new PatronException.FieldError("basis", "tiers.validation.basis"));
        }
        if (s.levels() == null || s.levels().isEmpty() || s.levels().size() > MAX_LEVELS) {
            errors.add(new PatronException.FieldError("levels", "tiers.validation.levels", MAX_LEVELS));
            return errors;
        }
        Set<String> codes = new HashSet<>();
        Set<Integer> ranks = new HashSet<>();
        boolean complete = true;
        for (int i = 0; i < s.levels().size(); i++) {
            TierLevel l = s.levels().get(i);
            String p = "levels[" + i + "].";
            if (l == null) {
                errors.add(new PatronException.FieldError("levels[" + i + "]", "validation.required"));
                complete = false;
                continue;
            }
            if (l.code() == null || l.code().isBlank()) {
                errors.add(new PatronException.FieldError(p + "code", "validation.required"));
            } else if (!CODE.matcher(l.code()).matches()) {
                errors.add(new PatronException.FieldError(p + "code", "tiers.validation.code"));
            } else if (!codes.add(l.code())) {
                errors.add(new PatronException.FieldError(p + "code", "tiers.validation.duplicateCode"));
            }
            if (l.rank() == null) {
                errors.add(new PatronException.FieldError(p + "rank", "validation.required"));
                complete = false;
            } else if (l.rank() < 0 || l.rank() > 99) {
                errors.add(new PatronException.FieldError(p + "rank", "tiers.validation.rank"));
                complete = false;
            } else if (!ranks.add(l.rank())) {
                errors.add(new PatronException.FieldError(p + "rank", "tiers.validation.duplicateRank"));
                complete = false;
            }
            name(errors, p + "nameZh", l.nameZh());
            name(errors, p + "nameEn", l.nameEn());
            if (l.threshold() == null) {
                errors.add(new PatronException.FieldError(p + "threshold", "validation.required"));
                complete = false;
            } else if (l.threshold() < 0 || l.threshold() > MAX_THRESHOLD) {
                errors.add(new PatronException.FieldError(p + "threshold", "tiers.validation.threshold"));
                complete = false;
            }
            if (l.pointsMultiplier() == null) {
                errors.add(new PatronException.FieldError(p + "pointsMultiplier", "validation.required"));
            } else if (l.pointsMultiplier().signum() <= 0
                    || l.pointsMultiplier().compareTo(BigDecimal.TEN) > 0
                    || l.pointsMultiplier().stripTrailingZeros().scale() > 2) {
                errors.add(new PatronException.FieldError(p + "pointsMultiplier", "tiers.validation.multiplier"));
            }
            if (l.discountRate() == null) {
                errors.add(new PatronException.FieldError(p + "discountRate", "validation.required"));
            } else if (l.discountRate().signum() <= 0
                    || l.discountRate().compareTo(BigDecimal.ONE) > 0
                    || l.discountRate().stripTrailingZeros().scale() > 4) {
                errors.add(new PatronException.FieldError(p + "discountRate", "tiers.validation.discount"));
            }
            List<String> services = services(l);
            if (services.size() > 20 || services.stream().anyMatch(x -> x.length() > 100)) {
                errors.add(new PatronException.FieldError(p + "freeServices", "tiers.validation.freeServices"));
            }
            if (l.birthdayGift() != null && l.birthdayGift().strip().length() > 200) {
                errors.add(new PatronException.FieldError(p + "birthdayGift", "tiers.validation.birthdayGift"));
            }
        }
        if (complete) {
            // rank 0 with threshold 0, thresholds strictly increasing with rank
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < s.levels().size(); i++) {
                order.add(i);
            }
            order.sort(java.util.Comparator.comparingInt(i -> s.levels().get(i).rank()));
            TierLevel lowest = s.levels().get(order.get(0));
            if (lowest.rank() != 0) {
                errors.add(new PatronException.FieldError(
                        "levels[" + order.get(0) + "].rank", "tiers.validation.rankZero"));
            } else if (lowest.threshold() != 0) {
                errors.add(new PatronException.FieldError(
                        "levels[" + order.get(0) + "].threshold", "tiers.validation.zeroThreshold"));
            }
            for (int k = 1; k < order.size(); k++) {
                TierLevel prev = s.levels().get(order.get(k - 1));
                TierLevel cur = s.levels().get(order.get(k));
                if (cur.threshold() <= prev.threshold()) {
                    errors.add(new PatronException.FieldError(
                            "levels[" + order.get(k) + "].threshold",
                            "tiers.validation.increasing",
                            prev.threshold(),
                            prev.code()));
                }
            }
        }
        return errors;
    }

    private static void name(List<PatronException.FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
        } else if (value.strip().length() > 40) {
            errors.add(new PatronException.FieldError(field, "tiers.validation.name"));
        }
    }

    // ------------------------------------------------------------------ a member's tier

    /** The member's tier with benefits, figure, next level, review date, override and history; 404 when unknown. */
    @Transactional(readOnly = true)
    public MemberTier tier(long memberId) {
        return tierOf(activeMember(memberId));
    }

    /** The tier of a member known to be active (no existence check). */
    @Transactional(readOnly = true)
    public MemberTier tierOf(long id) {
        LocalDate today = LoyaltyManagement.today();
        TierSettings s = settings();
        Map<String, TierLevel> byCode = new LinkedHashMap<>();
        s.levels().forEach(l -> byCode.put(l.code(), l));
        Row row = rows(new Long[] {id}, false).get(id);
        TierLevel current = row == null ? s.levels().get(0) : byCode.get(row.code());
        long[] f = figures(new Long[] {id}, today).getOrDefault(id, new long[] {0, 0, 0});
        long figure = "POINTS".equals(s.basis()) ? f[1] : f[0];
        TierLevel next = s.levels().stream()
                .filter(l -> l.rank() > current.rank())
                .findFirst()
                .orElse(null);
        Long needed = next == null ? null : Math.max(0, next.threshold() - figure);
        LocalDate neededBy = next == null
                ? null
                : f[2] == 0
                        ? today.plusYears(1).minusDays(1)
                        : LocalDate.ofEpochDay(f[2]).plusYears(1).minusDays(1);
        MemberTier.Override override = row != null
                        && row.overrideUntil() != null
                        && !row.overrideUntil().isBefore(today)
                ? new MemberTier.Override(
                        row.code(), row.baseCode(), row.overrideUntil(), row.overrideReason(), row.overrideBy())
                : null;
        List<MemberTier.History> history = jdbc.sql("""
                select id, from_code, to_code, cause, on_date, figure, reason, created_by, created_at
                from loyalty.tier_history where member_id = ? order by id desc limit 50""")
                .param(id)
                .query((rs, n) -> new MemberTier.History(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getObject(5, LocalDate.class),
                        (Long) rs.getObject(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getObject(9, OffsetDateTime.class)))
                .list();
        return new MemberTier(
                id,
                current,
                row == null ? null : row.since(),
                s.basis(),
                figure,
                next,
                needed,
                neededBy,
                row == null ? null : row.reviewOn(),
                override,
                history);
    }

    /**
     * The member's level and benefits only (one statement, so no transaction of its own: the POS
     * lookup reads it outside any transaction).
     */
    public TierLevel levelOf(long memberId) {
        return jdbc.sql(levelOf("?")).param(memberId).query(Tiers::level).single();
    }

    /**
     * The statement of {@link #levelOf} for the member id {@code memberId} (a parameter or a column of
     * an outer query): the columns of {@link #LEVEL_COLUMNS}, read with {@link #level}.
     */
    static String levelOf(String memberId) {
        return "select " + LEVEL_COLUMNS + """
                 from loyalty.tier t left join loyalty.member_tier mt on mt.tier_code = t.code and mt.member_id = %s
                where mt.member_id is not null or t.rank = 0
                order by (mt.member_id is not null) desc limit 1""".formatted(memberId);
    }

    /**
     * Puts the member on a level until a date (inclusive) with a reason: ADMIN, or STORE_MANAGER
     * for a member of their stores. The rules leave the tier alone meanwhile; audited.
     */
    @Transactional
    public MemberTier override(long memberId, TierOverrideCommand c) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
        long id = activeMember(memberId);
        memberManagement.requireVisible(id);
        LocalDate today = LoyaltyManagement.today();
        List<PatronException.FieldError> errors = new ArrayList<>();
        TierSettings s = settings();
        String code = c == null || c.tierCode() == null ? "" : c.tierCode().strip();
        if (code.isEmpty()) {
            errors.add(new PatronException.FieldError("tierCode", "validation.required"));
        } else if (s.levels().stream().noneMatch(l -> l.code().equals(code))) {
            errors.add(new PatronException.FieldError("tierCode", "tiers.validation.unknownTier", code));
        }
        String reason = c == null || c.reason() == null ? "" : c.reason().strip();
        if (reason.isEmpty()) {
            errors.add(new PatronException.FieldError("reason", "validation.required"));
        } else if (reason.length() > 500) {
            errors.add(new PatronException.FieldError("reason", "loyalty.validation.reason"));
        }
        if (c == null || c.until() == null) {
            errors.add(new PatronException.FieldError("until", "validation.required"));
        } else if (c.until().isBefore(today) || c.until().isAfter(today.plusYears(3))) {
            errors.add(new PatronException.FieldError("until", "tiers.validation.until", today, today.plusYears(3)));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        ledger.lock(id);
        Row row = rows(new Long[] {id}, true).get(id);
        String rankZero = s.levels().get(0).code();
        String current = row == null ? rankZero : row.code();
        boolean running = row != null && row.overrideUntil() != null;
        String baseCode = running ? row.baseCode() : current;
        LocalDate baseReview = running ? row.baseReviewOn() : row == null ? null : row.reviewOn();
        LocalDate since = row != null && row.code().equals(code) ? row.since() : today;
        String by = CurrentStaff.get().auditName();
        jdbc.sql("""
                insert into loyalty.member_tier (member_id, tier_code, since, review_on, override_until, override_reason,
                    override_by, base_tier_code, base_review_on)
                values (?, ?, ?, null, ?, ?, ?, ?, ?)
                on conflict (member_id) do update set tier_code = excluded.tier_code, since = excluded.since,
                    review_on = null, override_until = excluded.override_until, override_reason = excluded.override_reason,
                    override_by = excluded.override_by, base_tier_code = excluded.base_tier_code,
                    base_review_on = excluded.base_review_on""")
                .params(id, code, since, c.until(), reason, by, baseCode, baseReview)
                .update();
        history(
                List.of(new Change(id, current, code, "OVERRIDE", null, reason + " (→ " + c.until() + ")", null)),
                today,
                by);
        audit.record(
                "tier.overridden",
                "member",
                id,
                Map.of("from", current, "to", code, "until", c.until().toString(), "reason", reason));
        return tierOf(id);
    }

    /** Ends a running override now: the tier from before it comes back and the rules apply again. */
    @Transactional
    public MemberTier endOverride(long memberId) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
        long id = activeMember(memberId);
        memberManagement.requireVisible(id);
        LocalDate today = LoyaltyManagement.today();
        ledger.lock(id);
        Row row = rows(new Long[] {id}, true).get(id);
        if (row == null || row.overrideUntil() == null) {
            throw PatronException.conflict("tierCode", "tiers.override.none", id);
        }
        jdbc.sql("update loyalty.member_tier set override_until = ? where member_id = ?")
                .params(today.minusDays(1), id)
                .update();
        String by = CurrentStaff.get().auditName();
        evaluate(List.of(id), today, by);
        audit.record("tier.overrideEnded", "member", id, Map.of("tier", row.code()));
        return tierOf(id);
    }

    private long activeMember(long memberId) {
        Long id = members.activeIds(List.of(memberId)).get(memberId);
        if (id == null) {
            throw PatronException.notFound("error.members.notFound", memberId);
        }
        return id;
    }

    // ------------------------------------------------------------------ the engine

    /** A member's member_tier row. */
    record Row(
            long memberId,
            String code,
            LocalDate since,
            LocalDate reviewOn,
            LocalDate overrideUntil,
            String overrideReason,
            String overrideBy,
            String baseCode,
            LocalDate baseReviewOn) {}

    /** One history line to write. */
    record Change(long memberId, String from, String to, String cause, Long figure, String reason, Long mergeId) {}

    Map<Long, Row> rows(Long[] ids, boolean lock) {
        Map<Long, Row> rows = new HashMap<>();
        jdbc.sql("""
                select member_id, tier_code, since, review_on, override_until, override_reason, override_by,
                    base_tier_code, base_review_on
                from loyalty.member_tier where member_id = any(?) order by member_id""" + (lock ? " for update" : ""))
                .param(ids)
                .query((rs, n) -> new Row(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getObject(3, LocalDate.class),
                        rs.getObject(4, LocalDate.class),
                        rs.getObject(5, LocalDate.class),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getObject(9, LocalDate.class)))
                .list()
                .forEach(r -> rows.put(r.memberId(), r));
        return rows;
    }

    /** Per member: spend (fen), points, and the epoch day of the oldest counted sale (0: none), over the rolling 12 months. */
    Map<Long, long[]> figures(Long[] ids, LocalDate today) {
        Map<Long, long[]> out = new HashMap<>();
        jdbc.sql("""
                select member_id, coalesce(sum(amount_fen), 0), coalesce(sum(points), 0),
                    min(business_date) filter (where amount_fen > 0)
                from loyalty.tier_sale where member_id = any(?) and business_date > ? group by member_id""")
                .params(ids, today.minusYears(1))
                .query((rs, n) -> {
                    LocalDate oldest = rs.getObject(4, LocalDate.class);
                    out.put(
                            rs.getLong(1),
                            new long[] {rs.getLong(2), rs.getLong(3), oldest == null ? 0 : oldest.toEpochDay()});
                    return null;
                })
                .list();
        return out;
    }

    /** The next anniversary of {@code review} after {@code today}. */
    static LocalDate nextReview(LocalDate review, LocalDate today) {
        LocalDate r = review;
        while (!r.isAfter(today)) {
            r = r.plusYears(1);
        }
        return r;
    }

    /**
     * Applies the rules to these members as of {@code today}, in the caller's transaction: locks
     * their accounts (member id order, the lock order of the points ledger) and tier rows, ends
     * overrides that ran out, upgrades to the level the figure reaches, and does due reviews.
     * Returns the number of members whose tier row changed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    int evaluate(Collection<Long> memberIds, LocalDate today, String by) {
        if (memberIds.isEmpty()) {
            return 0;
        }
        ledger.lockAll(memberIds);
        Long[] ids = new TreeSet<>(memberIds).toArray(Long[]::new);
        TierSettings s = settings();
        List<TierLevel> levels = s.levels();
        Map<String, TierLevel> byCode = new HashMap<>();
        levels.forEach(l -> byCode.put(l.code(), l));
        TierLevel rankZero = levels.get(0);
        // not FOR UPDATE: every change of a member_tier row (here, overrides, merges) is made under
        // the member's account lock, taken above — a row lock would only write to each row's page
        Map<Long, Row> rows = rows(ids, false);
        Map<Long, long[]> figures = figures(ids, today);
        boolean points = "POINTS".equals(s.basis());
        List<Row> writes = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (Long id : ids) {
            Row before = rows.get(id);
            Row r = before != null ? before : new Row(id, rankZero.code(), today, null, null, null, null, null, null);
            long[] f = figures.getOrDefault(id, new long[] {0, 0, 0});
            long figure = points ? f[1] : f[0];
            if (r.overrideUntil() != null && r.overrideUntil().isBefore(today)) {
                String back = r.baseCode() == null ? rankZero.code() : r.baseCode();
                changes.add(new Change(id, r.code(), back, "OVERRIDE_END", figure, "", null));
                r = new Row(
                        id,
                        back,
                        back.equals(r.code()) ? r.since() : today,
                        byCode.get(back).rank() == 0 ? null : r.baseReviewOn(),
                        null,
                        null,
                        null,
                        null,
                        null);
            }
            if (r.overrideUntil() == null) {
                TierLevel current = byCode.get(r.code());
                TierLevel qualified = rankZero;
                for (TierLevel l : levels) {
                    if (l.threshold() <= figure) {
                        qualified = l;
                    }
                }
                if (qualified.rank() > current.rank()) {
                    changes.add(new Change(id, r.code(), qualified.code(), "UPGRADE", figure, "", null));
                    r = new Row(id, qualified.code(), today, today.plusYears(1), null, null, null, null, null);
                } else if (r.reviewOn() != null && !r.reviewOn().isAfter(today)) {
                    if (qualified.rank() < current.rank()) {
                        TierLevel lower = rankZero;
                        for (TierLevel l : levels) {
                            if (l.rank() < current.rank()) {
                                lower = l;
                            }
                        }
                        changes.add(new Change(id, r.code(), lower.code(), "DOWNGRADE", figure, "", null));
                        r = new Row(
                                id,
                                lower.code(),
                                today,
                                lower.rank() == 0 ? null : nextReview(r.reviewOn(), today),
                                null,
                                null,
                                null,
                                null,
                                null);
                    } else {
                        changes.add(new Change(id, r.code(), r.code(), "REVIEW_KEEP", figure, "", null));
                        r = new Row(
                                id,
                                r.code(),
                                r.since(),
                                current.rank() == 0 ? null : nextReview(r.reviewOn(), today),
                                null,
                                null,
                                null,
                                null,
                                null);
                    }
                } else if (r.reviewOn() == null && current.rank() > 0) {
                    // a level without a review date (e.g. restored after an override): review in a year
                    r = new Row(id, r.code(), r.since(), today.plusYears(1), null, null, null, null, null);
                }
            }
            if (!r.equals(before) && !(before == null && r.code().equals(rankZero.code()))) {
                writes.add(r);
            }
        }
        write(writes);
        history(changes, today, by);
        return writes.size();
    }

    void write(List<Row> writes) {
        if (writes.isEmpty()) {
            return;
        }
        int n = writes.size();
        Long[] member = new Long[n];
        String[] code = new String[n];
        String[] since = new String[n];
        String[] review = new String[n];
        String[] until = new String[n];
        String[] reason = new String[n];
        String[] overrideBy = new String[n];
        String[] baseCode = new String[n];
        String[] baseReview = new String[n];
        for (int i = 0; i < n; i++) {
            Row r = writes.get(i);
            member[i] = r.memberId();
            code[i] = r.code();
            since[i] = r.since().toString();
            review[i] = r.reviewOn() == null ? null : r.reviewOn().toString();
            until[i] = r.overrideUntil() == null ? null : r.overrideUntil().toString();
            reason[i] = r.overrideReason();
            overrideBy[i] = r.overrideBy();
            baseCode[i] = r.baseCode();
            baseReview[i] = r.baseReviewOn() == null ? null : r.baseReviewOn().toString();
        }
        jdbc.sql("""
                insert into loyalty.member_tier (member_id, tier_code, since, review_on, override_until, override_reason,
                    override_by, base_tier_code, base_review_on)
                select * from unnest(?::bigint[], ?::text[], ?::date[], ?::date[], ?::date[], ?::text[], ?::text[],
                    ?::text[], ?::date[]) order by 1
                on conflict (member_id) do update set tier_code = excluded.tier_code, since = excluded.since,
                    review_on = excluded.review_on, override_until = excluded.override_until,
                    override_reason = excluded.override_reason, override_by = excluded.override_by,
                    base_tier_code = excluded.base_tier_code, base_review_on = excluded.base_review_on""")
                .params(member, code, since, review, until, reason, overrideBy, baseCode, baseReview)
                .update();
    }

    void history(List<Change> changes, LocalDate today, String by) {
        if (changes.isEmpty()) {
            return;
        }
        List<TiersChanged.Change> changed = changes.stream()
                .filter(c -> !java.util.Objects.equals(c.from(), c.to()))
                .map(c -> new TiersChanged.Change(c.memberId(), c.from(), c.to()))
                .toList();
        if (!changed.isEmpty()) {
            events.publishEvent(new TiersChanged(changed));
        }
        int n = changes.size();
        Long[] member = new Long[n];
        String[] from = new String[n];
        String[] to = new String[n];
        String[] cause = new String[n];
        Long[] figure = new Long[n];
        String[] reason = new String[n];
        Long[] merge = new Long[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            member[i] = c.memberId();
            from[i] = c.from();
            to[i] = c.to();
            cause[i] = c.cause();
            figure[i] = c.figure();
            reason[i] = c.reason() == null ? "" : c.reason();
            merge[i] = c.mergeId();
        }
        jdbc.sql("""
                insert into loyalty.tier_history (member_id, from_code, to_code, cause, figure, reason, merge_id, on_date, created_by)
                select m, f, t, c, g, r, x, ?, ? from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                    ?::text[], ?::bigint[]) with ordinality as u(m, f, t, c, g, r, x, o) order by o""")
                .params(today, by, member, from, to, cause, figure, reason, merge)
                .update();
    }

    // ------------------------------------------------------------------ merges

    /**
     * {@code mergedId} was merged into {@code survivorId} (once per merge id): the merged member's
     * counted sales move to the survivor, the survivor keeps the higher of the two tiers (with its
     * review date) and is then upgraded if the combined figure reaches more; the merged member goes
     * to rank 0.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void merge(long mergeId, long survivorId, long mergedId, LocalDate today) {
        if (jdbc.sql("insert into loyalty.tier_merge (merge_id) values (?) on conflict do nothing")
                        .param(mergeId)
                        .update()
                == 0) {
            return;
        }
        ledger.lockAll(List.of(survivorId, mergedId));
        ledger.markMerged(mergedId, survivorId);
        jdbc.sql(
                        "insert into loyalty.tier_merge_move (merge_id, sale_id) select ?, sale_id from loyalty.tier_sale where member_id = ?")
                .params(mergeId, mergedId)
                .update();
        jdbc.sql("update loyalty.tier_sale set member_id = ? where member_id = ?")
                .params(survivorId, mergedId)
                .update();
        List<TierLevel> levels = levels();
        Map<String, TierLevel> byCode = new HashMap<>();
        levels.forEach(l -> byCode.put(l.code(), l));
        TierLevel rankZero = levels.get(0);
        Map<Long, Row> rows = rows(new Long[] {Math.min(survivorId, mergedId), Math.max(survivorId, mergedId)}, true);
        Row merged = rows.get(mergedId);
        Row survivor = rows.get(survivorId);
        List<Change> changes = new ArrayList<>();
        List<Row> writes = new ArrayList<>();
        if (merged != null && byCode.get(merged.code()).rank() > 0) {
            TierLevel theirs = byCode.get(merged.code());
            LocalDate review = merged.reviewOn() != null
                    ? merged.reviewOn()
                    : merged.baseReviewOn() != null ? merged.baseReviewOn() : today.plusYears(1);
            boolean overridden = survivor != null && survivor.overrideUntil() != null;
            String survivorEngineCode = survivor == null
                    ? rankZero.code()
                    : overridden
                            ? (survivor.baseCode() == null ? rankZero.code() : survivor.baseCode())
                            : survivor.code();
            if (theirs.rank() > byCode.get(survivorEngineCode).rank()) {
                if (overridden) {
                    writes.add(new Row(
                            survivorId,
                            survivor.code(),
                            survivor.since(),
                            survivor.reviewOn(),
                            survivor.overrideUntil(),
                            survivor.overrideReason(),
                            survivor.overrideBy(),
                            theirs.code(),
                            review));
                } else {
                    changes.add(new Change(
                            survivorId,
                            survivorEngineCode,
                            theirs.code(),
                            "MERGE",
                            null,
                            "merged member " + mergedId,
                            mergeId));
                    writes.add(new Row(survivorId, theirs.code(), today, review, null, null, null, null, null));
                }
            }
            changes.add(new Change(
                    mergedId, merged.code(), rankZero.code(), "MERGE", null, "merged into " + survivorId, mergeId));
            writes.add(new Row(mergedId, rankZero.code(), today, null, null, null, null, null, null));
        }
        write(writes);
        history(changes, today, "system");
        evaluate(List.of(survivorId), today, "system");
    }

    /** Undoes a merge (once): the moved sales go back and both members are evaluated again. */
    @Transactional(propagation = Propagation.MANDATORY)
    void unmerge(long mergeId, long survivorId, long mergedId, LocalDate today) {
        if (jdbc.sql("update loyalty.tier_merge set undone = true where merge_id = ? and not undone")
                        .param(mergeId)
                        .update()
                == 0) {
            return;
        }
        ledger.lockAll(List.of(survivorId, mergedId));
        ledger.markMerged(mergedId, null);
        jdbc.sql("""
                update loyalty.tier_sale set member_id = ? where member_id = ?
                  and sale_id in (select sale_id from loyalty.tier_merge_move where merge_id = ?)""").params(mergedId, survivorId, mergeId).update();
        evaluate(Arrays.asList(survivorId, mergedId), today, "system");
    }
}
