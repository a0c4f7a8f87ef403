package dev.patron.loyalty;

import dev.patron.audit.AuditLog;
import dev.patron.loyalty.EarnRule.Group;
import dev.patron.loyalty.EarnRule.Kind;
import dev.patron.members.MemberReference;
import dev.patron.members.MemberReferences;
import dev.patron.organization.OrganizationCodes;
import dev.patron.organization.OrganizationManagement;
import dev.patron.sales.PaymentMethod;
import dev.patron.sales.SaleCommand;
import dev.patron.sales.Ticket;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import dev.patron.shared.web.SqlPage;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Earn rules: how many points a sale earns, configured by head office without code, and the
 * simulator that explains the result. Accrual computes every sale's points through
 * {@link #prepare} / {@link Batch#compute}, the simulator through the same code.
 *
 * <p><b>Computation</b>, per ticket:
 *
 * <ol>
 *   <li>The amount paid with stored value or points earns nothing. It is allocated over the lines
 *       in proportion to their amounts (largest remainder: each line gets floor(excluded × line /
 *       total) fen, the fen left go one each to the lines with the largest remainders, ties to the
 *       lower line number), so every line has an exact base amount in fen and the base amounts sum
 *       to total − excluded.
 *   <li>Line base points = base fen / 100 × the program's points per yuan (exact, not rounded).
 *   <li>Rules that match the ticket (active, valid at the sale's time in Asia/Shanghai, store and
 *       tier filters, birthday month for BIRTHDAY_MULTIPLIER) and the line (brand and category
 *       filters) apply to the line. <b>Exclusions win</b>: an excluded line earns 0, whatever
 *       multipliers match it. Otherwise rules compete per <b>group</b> (tier, store, brand,
 *       category, promotion, birthday): in each group only the matching rule with the highest
 *       priority applies (ties: the smaller code); the line multiplier is the <b>product</b> of the
 *       groups' winners (e.g. FIVE_STAR ×1.5 and a double-points day ×2 give ×3).
 *   <li>The ticket's points = the sum of the lines' exact points, <b>rounded once</b> in the
 *       program's rounding mode; then every matching PROMOTION_BONUS adds its points once (when at
 *       least one line it matches earns).
 *   <li>Caps last: the smallest matching SALE_CAP limits the ticket, then the smallest matching
 *       DAILY_CAP limits the member's points of the business date (EARN entries of the buying
 *       member on that date, this sale included) to the cap.
 * </ol>
 *
 * With no rules the result is exactly the program's base rate on the amount not paid with stored
 * value or points. Overlaps the rules resolve (two rules of a group on one line, an exclusion over
 * a multiplier, several bonuses or caps) are reported as warnings by the simulator.
 *
 * <p>Roles: every staff role reads rules and simulates (simulation within the caller's store
 * scope); ADMIN with all stores creates and changes rules (audited).
 */
@Service
public class EarnRules {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String COMBINATION = "exclusions win; per group (tier, store, brand, category, promotion, birthday)"
            + " the highest priority applies; line multiplier = product of the groups' winners; rounded once per"
            + " ticket; bonuses added; then the per-sale cap and the per-member-per-day cap";
    private static final BigDecimal MAX_MULTIPLIER = BigDecimal.valueOf(100);
    private static final int MAX_CODES = 200;

    private static final Map<String, String> SORTS = Map.of(
            "code", "code",
            "name", "name",
            "kind", "kind",
            "priority", "priority",
            "active", "active",
            "validFrom", "valid_from",
            "validTo", "valid_to",
            "updatedAt", "updated_at");

    private final JdbcClient jdbc;
    private final ProgramSettings settings;
    private final MemberReferences members;
    private final OrganizationManagement organization;
    private final AuditLog audit;
    private final MessageSource messages;

    EarnRules(
            JdbcClient jdbc,
            ProgramSettings settings,
            MemberReferences members,
            OrganizationManagement organization,
            AuditLog audit,
            MessageSource messages) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.members = members;
        this.organization = organization;
        this.audit = audit;
        this.messages = messages;
    }

    // ------------------------------------------------------------------ API: rules

    /** Rules, filtered by code or name, sorted by a whitelisted key. */
    @Transactional(readOnly = true)
    public PageResult<EarnRule> list(PageQuery page) {
        CurrentStaff.requireAnyRole(Role.values());
        SqlFilter f =
                new SqlFilter().addIf(page.likePattern(), "(code ilike :q or name ilike :q or kind ilike :q)", "q");
        return SqlPage.query(
                jdbc,
                "select count(*) from loyalty.earn_rule" + f.where(),
                "select * from loyalty.earn_rule" + f.where() + " order by "
                        + page.orderBy(SORTS, "code").replace(", id asc", ", code asc"),
                f.params(),
                page,
                EarnRules::row);
    }

    @Transactional(readOnly = true)
    public EarnRule rule(String code) {
        CurrentStaff.requireAnyRole(Role.values());
        return find(code).orElseThrow(() -> PatronException.notFound("rules.notFound", code));
    }

    /** The tier codes (rank order) for forms. */
    @Transactional(readOnly = true)
    public List<String> tierCodes() {
        return jdbc.sql("select code from loyalty.tier order by rank")
                .query(String.class)
                .list();
    }

    @Transactional
    public EarnRule create(EarnRule r) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        EarnRule v = validate(r, null);
        int inserted = jdbc.sql("""
                insert into loyalty.earn_rule (code, name, kind, active, valid_from, valid_to, priority, multiplier,
                    bonus_points, cap_points, tier_codes, store_codes, brand_codes, category_codes, updated_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?::text[], ?::text[], ?::text[], ?)
                on conflict (code) do nothing""").params(values(v)).update();
        if (inserted == 0) {
            throw PatronException.conflict("code", "rules.validation.codeTaken", v.code());
        }
        audit.record("loyalty.rule.created", "earn_rule", v.code(), Map.of("after", v.toString()));
        return find(v.code()).orElseThrow();
    }

    @Transactional
    public EarnRule update(String code, EarnRule r) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        String existing = code == null ? "" : code.trim().toUpperCase(Locale.ROOT);
        EarnRule before = jdbc.sql("select * from loyalty.earn_rule where code = ? for update")
                .param(existing)
                .query(EarnRules::row)
                .optional()
                .orElseThrow(() -> PatronException.notFound("rules.notFound", code));
        EarnRule v = validate(r, existing);
        Object[] p = values(v);
        Object[] params = Arrays.copyOf(Arrays.copyOfRange(p, 1, p.length), p.length);
        params[p.length - 1] = existing;
        jdbc.sql("""
                update loyalty.earn_rule set name = ?, kind = ?, active = ?, valid_from = ?, valid_to = ?, priority = ?,
                    multiplier = ?, bonus_points = ?, cap_points = ?, tier_codes = ?::text[], store_codes = ?::text[],
                    brand_codes = ?::text[], category_codes = ?::text[], updated_by = ?, updated_at = now(), version = version + 1
                where code = ?""").params(params).update();
        audit.record(
                "loyalty.rule.changed",
                "earn_rule",
                existing,
                Map.of("before", before.toString(), "after", v.toString()));
        return find(existing).orElseThrow();
    }

    private Object[] values(EarnRule v) {
        return new Object[] {
            v.code(),
            v.name(),
            v.kind().name(),
            v.isActive(),
            v.validFrom(),
            v.validTo(),
            v.priorityOrZero(),
            v.multiplier(),
            v.bonusPoints(),
            v.capPoints(),
            v.tierCodes().toArray(String[]::new),
            v.storeCodes().toArray(String[]::new),
            v.brandCodes().toArray(String[]::new),
            v.categoryCodes().toArray(String[]::new),
            CurrentStaff.get().auditName()
        };
    }

    private java.util.Optional<EarnRule> find(String code) {
        if (code == null) {
            return java.util.Optional.empty();
        }
        return jdbc.sql("select * from loyalty.earn_rule where code = ?")
                .param(code.trim().toUpperCase(Locale.ROOT))
                .query(EarnRules::row)
                .optional();
    }

    /** Checks a rule; 400 naming every bad field; 422 for unknown codes. Returns it normalised. */
    EarnRule validate(EarnRule r, String existingCode) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        String code = existingCode != null
                ? existingCode
                : r.code() == null ? "" : r.code().trim().toUpperCase(Locale.ROOT);
        if (existingCode == null) {
            if (code.isEmpty()) {
                errors.add(new PatronException.FieldError("code", "validation.required"));
            } else if (!code.matches("[A-Z0-9_-]{1,40}")) {
                errors.add(new PatronException.FieldError("code", "rules.validation.code"));
            }
        }
        String name = r.name() == null ? "" : r.name().strip();
        if (name.isEmpty()) {
            errors.add(new PatronException.FieldError("name", "validation.required"));
        } else if (name.length() > 100) {
            errors.add(new PatronException.FieldError("name", "rules.validation.name"));
        }
        Kind kind = r.kind();
        if (kind == null) {
            errors.add(new PatronException.FieldError("kind", "validation.required"));
        }
        if (r.validFrom() != null && r.validTo() != null && r.validTo().isBefore(r.validFrom())) {
            errors.add(new PatronException.FieldError("validTo", "rules.validation.toBeforeFrom"));
        }
        int priority = r.priority() == null ? 0 : r.priority();
        if (priority < -1000 || priority > 1000) {
            errors.add(new PatronException.FieldError("priority", "rules.validation.priority"));
        }
        List<String> tiers = normalise(r.tierCodes());
        List<String> stores = normalise(r.storeCodes());
        List<String> brands = normalise(r.brandCodes());
        List<String> categories = normalise(r.categoryCodes());
        for (var e : Map.of("tierCodes", tiers, "storeCodes", stores, "brandCodes", brands, "categoryCodes", categories)
                .entrySet()) {
            if (e.getValue().size() > MAX_CODES) {
                errors.add(new PatronException.FieldError(e.getKey(), "rules.validation.tooManyCodes", MAX_CODES));
            }
        }
        BigDecimal multiplier = r.multiplier();
        Long bonus = r.bonusPoints();
        Long cap = r.capPoints();
        if (kind != null) {
            if (kind.multiplier()) {
                if (multiplier == null) {
                    errors.add(new PatronException.FieldError("multiplier", "validation.required"));
                } else if (multiplier.signum() <= 0
                        || multiplier.compareTo(MAX_MULTIPLIER) > 0
                        || multiplier.stripTrailingZeros().scale() > 4) {
                    errors.add(new PatronException.FieldError("multiplier", "rules.validation.multiplier"));
                }
            } else {
                multiplier = null;
            }
            if (kind == Kind.PROMOTION_BONUS) {
                if (bonus == null) {
                    errors.add(new PatronException.FieldError("bonusPoints", "validation.required"));
                } else if (bonus < 0 || bonus > LoyaltyManagement.MAX_POINTS) {
                    errors.add(new PatronException.FieldError("bonusPoints", "rules.validation.points"));
                }
            } else {
                bonus = null;
            }
            if (kind.group == Group.CAP) {
                if (cap == null) {
                    errors.add(new PatronException.FieldError("capPoints", "validation.required"));
                } else if (cap < 0 || cap > LoyaltyManagement.MAX_POINTS) {
                    errors.add(new PatronException.FieldError("capPoints", "rules.validation.points"));
                }
            } else {
                cap = null;
            }
            if (kind == Kind.TIER_MULTIPLIER && tiers.isEmpty()) {
                errors.add(new PatronException.FieldError("tierCodes", "validation.required"));
            }
            if ((kind == Kind.STORE_MULTIPLIER || kind == Kind.STORE_EXCLUSION) && stores.isEmpty()) {
                errors.add(new PatronException.FieldError("storeCodes", "validation.required"));
            }
            if ((kind == Kind.BRAND_MULTIPLIER || kind == Kind.BRAND_EXCLUSION) && brands.isEmpty()) {
                errors.add(new PatronException.FieldError("brandCodes", "validation.required"));
            }
            if ((kind == Kind.CATEGORY_MULTIPLIER || kind == Kind.CATEGORY_EXCLUSION) && categories.isEmpty()) {
                errors.add(new PatronException.FieldError("categoryCodes", "validation.required"));
            }
            if (!kind.lineLevel()) {
                if (!brands.isEmpty()) {
                    errors.add(new PatronException.FieldError("brandCodes", "rules.validation.notLineLevel"));
                }
                if (!categories.isEmpty()) {
                    errors.add(new PatronException.FieldError("categoryCodes", "rules.validation.notLineLevel"));
                }
            }
            if (kind.group == Group.PROMOTION || kind.group == Group.BONUS) {
                if (r.validFrom() == null) {
                    errors.add(new PatronException.FieldError("validFrom", "rules.validation.promotionPeriod"));
                }
                if (r.validTo() == null) {
                    errors.add(new PatronException.FieldError("validTo", "rules.validation.promotionPeriod"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        // references
        Set<String> knownTiers = new HashSet<>(tierCodes());
        OrganizationCodes codes = organization.codes();
        List<PatronException.FieldError> unknown = new ArrayList<>();
        unknownCodes("tierCodes", tiers, knownTiers::contains, unknown);
        unknownCodes("storeCodes", stores, codes.stores()::containsKey, unknown);
        unknownCodes("brandCodes", brands, codes.brands()::containsKey, unknown);
        unknownCodes("categoryCodes", categories, codes.categories()::containsKey, unknown);
        if (!unknown.isEmpty()) {
            throw new PatronException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    unknown,
                    unknown.get(0).messageKey(),
                    unknown.get(0).args());
        }
        return new EarnRule(
                code,
                name,
                kind,
                r.isActive(),
                r.validFrom(),
                r.validTo(),
                priority,
                multiplier == null ? null : plain(multiplier),
                bonus,
                cap,
                tiers,
                stores,
                brands,
                categories,
                null,
                null);
    }

    private static void unknownCodes(
            String field,
            List<String> codes,
            java.util.function.Predicate<String> known,
            List<PatronException.FieldError> errors) {
        List<String> bad = codes.stream().filter(c -> !known.test(c)).toList();
        if (!bad.isEmpty()) {
            errors.add(new PatronException.FieldError(field, "rules.validation.unknownCode", String.join(", ", bad)));
        }
    }

    static List<String> normalise(List<String> codes) {
        if (codes == null) {
            return List.of();
        }
        return codes.stream()
                .filter(c -> c != null && !c.isBlank())
                .map(c -> c.trim().toUpperCase(Locale.ROOT))
                .distinct()
                .toList();
    }

    private static EarnRule row(ResultSet rs, int n) throws SQLException {
        Timestamp from = rs.getTimestamp("valid_from");
        Timestamp to = rs.getTimestamp("valid_to");
        return new EarnRule(
                rs.getString("code"),
                rs.getString("name"),
                Kind.valueOf(rs.getString("kind")),
                rs.getBoolean("active"),
                from == null ? null : from.toLocalDateTime(),
                to == null ? null : to.toLocalDateTime(),
                rs.getInt("priority"),
                rs.getBigDecimal("multiplier") == null ? null : plain(rs.getBigDecimal("multiplier")),
                rs.getObject("bonus_points", Long.class),
                rs.getObject("cap_points", Long.class),
                array(rs.getArray("tier_codes")),
                array(rs.getArray("store_codes")),
                array(rs.getArray("brand_codes")),
                array(rs.getArray("category_codes")),
                rs.getObject("updated_at", OffsetDateTime.class),
                rs.getString("updated_by"));
    }

    private static List<String> array(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }

    /** The rules in force (active), highest priority first, then by code. */
    List<EarnRule> activeRules() {
        return jdbc.sql("select * from loyalty.earn_rule where active order by priority desc, code")
                .query(EarnRules::row)
                .list();
    }

    // ------------------------------------------------------------------ API: simulator

    /** The points a sale would earn, explained; nothing is stored. */
    @Schema(description = "A simulated sale's points, explained line by line")
    public record Simulation(
            @Schema(description = "The member (null: anonymous, rank-0 tier)")
            Long memberId,

            @Schema(description = "The account that would be credited (the institution when pooled)")
            Long creditedMemberId,

            String tierCode,
            boolean birthdayMonth,
            BigDecimal pointsPerYuan,
            String rounding,
            long totalFen,
            long excludedPaymentFen,
            List<LineResult> lines,

            @Schema(description = "Sum of the lines' exact points before rounding")
            BigDecimal exactPoints,

            long roundedPoints,
            List<Effect> bonuses,
            long pointsBeforeCaps,

            @Schema(description = "Points the member earned earlier on the business date (for DAILY_CAP)")
            long earnedTodayBefore,

            List<Effect> caps,

            @Schema(description = "The points the sale earns")
            long points,

            @Schema(description = "Codes of the rules that changed the result")
            List<String> rulesApplied,

            List<Warning> warnings,
            @Schema(description = "How rules combine") String combination,

            @Schema(description = "One sentence: N points because of rules A, B")
            String explanation) {}

    /** One line's computation. */
    public record LineResult(
            int lineNo,
            String sku,
            String brandCode,
            String categoryCode,
            long amountFen,

            @Schema(description = "Share of the stored-value/points payments allocated to the line")
            long excludedPaymentFen,

            long baseFen,
            BigDecimal basePoints,
            BigDecimal multiplier,
            BigDecimal points,
            List<Effect> applied,
            List<Effect> exclusions,

            @Schema(description = "Matching rules that did not apply (lower priority in their group, or excluded line)")
            List<Effect> notApplied) {}

    /** A rule and what it did. */
    public record Effect(String code, String name, Kind kind, String effect) {}

    /** An overlap or conflict of rules, resolved as described. */
    public record Warning(String type, Integer lineNo, List<String> rules, String message) {}

    /** Simulates a sale given as the sales API takes it (member, store, date/time, lines, payments). */
    @Transactional(readOnly = true)
    public Simulation simulate(SaleCommand c) {
        CurrentStaff.requireAnyRole(Role.values());
        if (c == null) {
            throw PatronException.invalid("storeCode", "validation.required");
        }
        List<PatronException.FieldError> errors = new ArrayList<>();
        String store = c.storeCode() == null ? "" : c.storeCode().trim().toUpperCase(Locale.ROOT);
        if (store.isEmpty()) {
            errors.add(new PatronException.FieldError("storeCode", "validation.required"));
        }
        List<InLine> lines = new ArrayList<>();
        if (c.lines() == null || c.lines().isEmpty()) {
            errors.add(new PatronException.FieldError("lines", "rules.validation.lines"));
        } else if (c.lines().size() > 500) {
            errors.add(new PatronException.FieldError("lines", "rules.validation.lines"));
        } else {
            for (int i = 0; i < c.lines().size(); i++) {
                SaleCommand.Line l = c.lines().get(i);
                String f = "lines[" + i + "].";
                if (l == null) {
                    errors.add(new PatronException.FieldError("lines[" + i + "]", "validation.required"));
                    continue;
                }
                Long amount = l.amountFen();
                if (amount == null) {
                    if (l.unitPriceFen() == null || l.quantity() == null) {
                        errors.add(new PatronException.FieldError(f + "amountFen", "validation.required"));
                        continue;
                    }
                    long gross = l.quantity()
                            .multiply(BigDecimal.valueOf(l.unitPriceFen()))
                            .setScale(0, RoundingMode.HALF_UP)
                            .longValueExact();
                    amount = gross - (l.discountFen() == null ? 0 : l.discountFen());
                }
                if (amount < 0 || amount > 100_000_000_000L) {
                    errors.add(new PatronException.FieldError(f + "amountFen", "rules.validation.amount"));
                    continue;
                }
                lines.add(new InLine(
                        i + 1,
                        l.sku(),
                        l.brandCode() == null || l.brandCode().isBlank()
                                ? null
                                : l.brandCode().trim().toUpperCase(Locale.ROOT),
                        l.categoryCode() == null || l.categoryCode().isBlank()
                                ? null
                                : l.categoryCode().trim().toUpperCase(Locale.ROOT),
                        amount));
            }
        }
        long total = lines.stream().mapToLong(InLine::amountFen).sum();
        long excluded = 0;
        if (c.payments() != null) {
            for (int i = 0; i < c.payments().size(); i++) {
                SaleCommand.Payment p = c.payments().get(i);
                if (p == null || p.method() == null || p.amountFen() == null || p.amountFen() < 0) {
                    errors.add(new PatronException.FieldError("payments[" + i + "]", "rules.validation.payment"));
                } else if (p.method() == PaymentMethod.STORED_VALUE || p.method() == PaymentMethod.POINTS) {
                    excluded += p.amountFen();
                }
            }
        }
        if (excluded > total) {
            errors.add(new PatronException.FieldError("payments", "rules.validation.paymentsExceed", total));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        OrganizationCodes codes = organization.codes();
        OrganizationCodes.StoreRef storeRef = codes.stores().get(store);
        if (storeRef == null) {
            throw LoyaltyManagement.unprocessable("storeCode", "sales.validation.unknownStore", store);
        }
        CurrentStaff.requireStore(storeRef.id());
        Long memberId = member(c);
        LocalDate businessDate = c.businessDate() != null ? c.businessDate() : LocalDate.now(ZONE);
        LocalDateTime at = c.occurredAt() != null
                ? c.occurredAt().atZoneSameInstant(ZONE).toLocalDateTime()
                : c.businessDate() != null ? c.businessDate().atTime(12, 0) : LocalDateTime.now(ZONE);
        Ticket t = new Ticket(
                0,
                dev.patron.sales.SaleKind.SALE,
                storeRef.id(),
                store,
                null,
                null,
                null,
                businessDate,
                at.atZone(ZONE).toOffsetDateTime(),
                null,
                memberId,
                "CNY",
                total,
                0,
                total,
                BigDecimal.ZERO,
                null,
                true,
                null,
                lines.stream()
                        .map(l -> new Ticket.Line(
                                l.lineNo(),
                                l.sku(),
                                null,
                                l.brandCode(),
                                l.categoryCode(),
                                null,
                                BigDecimal.ONE,
                                l.amountFen(),
                                0,
                                l.amountFen(),
                                null,
                                BigDecimal.ZERO,
                                0))
                        .toList(),
                List.of(new Ticket.Payment(1, PaymentMethod.STORED_VALUE, excluded, null)));
        Batch batch = prepare(List.of(t), settings.current(), true);
        long earnedToday = 0;
        if (memberId != null) {
            earnedToday = batch.earnedOn(Map.of(memberId, List.of(businessDate)))
                    .getOrDefault(new DayKey(memberId, businessDate), 0L);
        }
        Calc calc = batch.compute(t, earnedToday);
        return explain(calc, memberId == null ? null : batch.creditTo(t), batch.program);
    }

    private Long member(SaleCommand c) {
        List<MemberReference> refs = new ArrayList<>();
        if (c.memberId() != null) {
            refs.add(MemberReference.id(c.memberId()));
        }
        if (c.cardNumber() != null && !c.cardNumber().isBlank()) {
            refs.add(MemberReference.card(c.cardNumber().strip()));
        }
        if (c.phone() != null && !c.phone().isBlank()) {
            refs.add(MemberReference.phone(c.phone().strip()));
        }
        if ((c.system() != null && !c.system().isBlank())
                || (c.externalId() != null && !c.externalId().isBlank())) {
            refs.add(MemberReference.external(c.system(), c.externalId()));
        }
        if (refs.isEmpty()) {
            return null;
        }
        if (refs.size() > 1) {
            throw PatronException.invalid(refs.get(1).field(), "sales.validation.oneMemberReference");
        }
        MemberReferences.Resolution r = members.resolve(refs).get(refs.get(0));
        if (r == null || !r.resolved()) {
            throw LoyaltyManagement.unprocessable(refs.get(0).field(), "sales.validation.unknownMember");
        }
        return r.memberId();
    }

    private Simulation explain(Calc c, Long creditedTo, LoyaltyProgram p) {
        Locale locale = LocaleContextHolder.getLocale();
        List<Warning> warnings = c.warnings.stream()
                .map(w -> new Warning(
                        w.type(),
                        w.lineNo(),
                        w.rules(),
                        messages.getMessage(
                                "rules.warning." + w.type(),
                                new Object[] {w.lineNo() == null ? "" : w.lineNo(), String.join(", ", w.rules())},
                                locale)))
                .toList();
        List<String> applied = c.rulesApplied();
        String explanation = applied.isEmpty()
                ? messages.getMessage("rules.explanation.base", new Object[] {c.points}, locale)
                : messages.getMessage(
                        "rules.explanation.rules", new Object[] {c.points, String.join(", ", applied)}, locale);
        return new Simulation(
                c.memberId,
                creditedTo,
                c.tier,
                c.birthday,
                p.pointsPerYuan(),
                p.rounding(),
                c.totalFen,
                c.excludedFen,
                c.lines,
                c.exact,
                c.rounded,
                c.bonuses,
                c.beforeCaps,
                c.earnedToday,
                c.caps,
                c.points,
                applied,
                warnings,
                COMBINATION,
                explanation);
    }

    // ------------------------------------------------------------------ engine

    record InLine(int lineNo, String sku, String brandCode, String categoryCode, long amountFen) {}

    record DayKey(long memberId, LocalDate day) {}

    /** The engine's answer for one ticket. */
    static final class Calc {
        Long memberId;
        String tier;
        boolean birthday;
        long totalFen;
        long excludedFen;
        List<LineResult> lines = new ArrayList<>();
        BigDecimal exact = BigDecimal.ZERO;
        long rounded;
        List<Effect> bonuses = new ArrayList<>();
        long beforeCaps;
        long earnedToday;
        List<Effect> caps = new ArrayList<>();
        long points;
        List<Warning> warnings = new ArrayList<>();
        Set<String> applied = new LinkedHashSet<>();

        List<String> rulesApplied() {
            return List.copyOf(applied);
        }
    }

    /**
     * Everything the engine needs for a set of sale tickets, read with one query per kind: the
     * program, the active rules, the members' tiers, birthdays and institutions, and which
     * institutions pool points. With {@code complete} false (accrual) only what the rules can use:
     * the members' tiers when a rule is limited to tiers, their birthdays and institutions when a
     * rule is a birthday rule or an institution pools points — two reads of a row per member saved
     * on every sales batch of a program with neither.
     */
    Batch prepare(Collection<Ticket> sales, LoyaltyProgram program, boolean complete) {
        Set<Long> memberIds = sales.stream()
                .map(Ticket::memberId)
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
        List<EarnRule> rules = activeRules();
        Map<Long, String> tiers = new HashMap<>();
        String baseTier = null;
        Map<Long, MemberReferences.Basics> basics = Map.of();
        Set<Long> pooled = Set.of();
        boolean needTiers = complete
                || rules.stream().anyMatch(r -> !EarnRule.codes(r.tierCodes()).isEmpty());
        boolean needBasics = complete
                || rules.stream().anyMatch(r -> r.kind() == Kind.BIRTHDAY_MULTIPLIER)
                || jdbc.sql("select exists (select 1 from loyalty.pooling where enabled)")
                        .query(Boolean.class)
                        .single();
        if (!memberIds.isEmpty() && needBasics) {
            basics = members.basics(memberIds);
            Set<Long> institutions = basics.values().stream()
                    .map(MemberReferences.Basics::institutionId)
                    .filter(java.util.Objects::nonNull)
                    .collect(Collectors.toSet());
            if (!institutions.isEmpty()) {
                List<Long> enabled = jdbc.sql(
                                "select institution_member_id from loyalty.pooling where enabled and institution_member_id = any(?)")
                        .param(institutions.toArray(Long[]::new))
                        .query(Long.class)
                        .list();
                // only institutions that are still active members themselves (not erased or merged away)
                if (!enabled.isEmpty()) {
                    Map<Long, Long> active = members.activeIds(enabled);
                    pooled = enabled.stream()
                            .filter(id -> id.equals(active.get(id)))
                            .collect(Collectors.toSet());
                }
            }
        }
        {
            baseTier = jdbc.sql("select code from loyalty.tier order by rank limit 1")
                    .query(String.class)
                    .optional()
                    .orElse(null);
            if (!memberIds.isEmpty() && needTiers) {
                jdbc.sql("select member_id, tier_code from loyalty.member_tier where member_id = any(?)")
                        .param(memberIds.toArray(Long[]::new))
                        .query(rs -> {
                            tiers.put(rs.getLong(1), rs.getString(2));
                        });
            }
        }
        return new Batch(program, rules, tiers, baseTier, basics, pooled);
    }

    /** The prepared data of {@link #prepare}; computes tickets without further queries. */
    final class Batch {
        final LoyaltyProgram program;
        final List<EarnRule> rules;
        final Map<Long, String> tiers;
        final String baseTier;
        final Map<Long, MemberReferences.Basics> basics;
        final Set<Long> pooled;
        private final Map<Long, Long> redirect = new HashMap<>();

        Batch(
                LoyaltyProgram program,
                List<EarnRule> rules,
                Map<Long, String> tiers,
                String baseTier,
                Map<Long, MemberReferences.Basics> basics,
                Set<Long> pooled) {
            this.program = program;
            this.rules = rules;
            this.tiers = tiers;
            this.baseTier = baseTier;
            this.basics = basics;
            this.pooled = pooled;
        }

        /** The account a sale's points go to: the member's institution when it pools, else the member. */
        long creditTo(Ticket t) {
            return accountOf(t.memberId());
        }

        /** The account a buying member's points go to now (see {@link #creditTo}). */
        long accountOf(long memberId) {
            MemberReferences.Basics b = basics.get(memberId);
            long to = b != null && b.institutionId() != null && pooled.contains(b.institutionId())
                    ? b.institutionId()
                    : memberId;
            return redirect.getOrDefault(to, to);
        }

        /** Accounts merged away since the sale (member id → survivor): their points go to the survivor. */
        void redirect(Map<Long, Long> survivors) {
            redirect.putAll(survivors);
        }

        /** Whether a DAILY_CAP could apply (so callers can skip reading day totals). */
        boolean hasDailyCaps() {
            return rules.stream().anyMatch(r -> r.kind() == Kind.DAILY_CAP);
        }

        /** Points earned (EARN entries) by the given buying members on the given dates, one query. */
        Map<DayKey, Long> earnedOn(Map<Long, ? extends Collection<LocalDate>> days) {
            Map<DayKey, Long> out = new HashMap<>();
            if (!hasDailyCaps() || days.isEmpty()) {
                return out;
            }
            List<Long> ids = new ArrayList<>();
            List<Long> accounts = new ArrayList<>();
            List<String> dates = new ArrayList<>();
            days.forEach((m, ds) -> ds.forEach(d -> {
                ids.add(m);
                accounts.add(accountOf(m));
                dates.add(d.toString());
            }));
            // Found through the member's ledger index (member_id, created_at) rather than an index of
            // its own, which every accrued sale would have to write: the entry sits in the account
            // credited (the buyer's, its pooling institution's, or since a merge the survivor's) and
            // was written on or after its business day, which is never in the future (two days'
            // margin for stores in other time zones).
            jdbc.sql("""
                    select x.member_id, x.day, sum(e.points)
                    from unnest(?::bigint[], ?::bigint[], ?::date[]) as x(member_id, account_id, day)
                    join loyalty.entry e on e.member_id = any(array[x.member_id, x.account_id])
                      and e.created_at >= (x.day - 2)::timestamp at time zone 'Asia/Shanghai'
                      and e.kind = 'EARN' and e.earned_by_member_id = x.member_id and e.earned_on = x.day
                    group by 1, 2""")
                    .params(ids.toArray(Long[]::new), accounts.toArray(Long[]::new), dates.toArray(String[]::new))
                    .query(rs -> {
                        out.put(new DayKey(rs.getLong(1), rs.getObject(2, LocalDate.class)), rs.getLong(3));
                    });
            return out;
        }

        Calc compute(Ticket t, long earnedToday) {
            String tier = t.memberId() == null ? baseTier : tiers.getOrDefault(t.memberId(), baseTier);
            MemberReferences.Basics b = t.memberId() == null ? null : basics.get(t.memberId());
            Month birthMonth = b == null ? null : b.birthMonth();
            long excluded = t.payments().stream()
                    .filter(p -> p.method() == PaymentMethod.STORED_VALUE || p.method() == PaymentMethod.POINTS)
                    .mapToLong(Ticket.Payment::amountFen)
                    .sum();
            LocalDateTime at = t.occurredAt() == null
                    ? t.businessDate().atStartOfDay()
                    : t.occurredAt().atZoneSameInstant(ZONE).toLocalDateTime();
            List<InLine> lines = t.lines().stream()
                    .map(l -> new InLine(l.lineNo(), l.sku(), l.brandCode(), l.categoryCode(), l.amountFen()))
                    .toList();
            Calc c = EarnRules.compute(
                    program,
                    rules,
                    t.storeCode(),
                    at,
                    t.businessDate(),
                    lines,
                    excluded,
                    tier,
                    birthMonth,
                    earnedToday);
            c.memberId = t.memberId();
            return c;
        }
    }

    /** Without trailing zeros, never in exponent form (100, not 1E+2). */
    static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static RoundingMode mode(String rounding) {
        return switch (rounding) {
            case "HALF_UP" -> RoundingMode.HALF_UP;
            case "UP" -> RoundingMode.UP;
            default -> RoundingMode.DOWN;
        };
    }

    /** Whether the rule is valid at {@code at}; a {@code validTo} on a whole minute includes that minute. */
    static boolean validAt(EarnRule r, LocalDateTime at) {
        if (r.validFrom() != null && at.isBefore(r.validFrom())) {
            return false;
        }
        if (r.validTo() != null) {
            LocalDateTime end = r.validTo().getSecond() == 0 && r.validTo().getNano() == 0
                    ? r.validTo().plusMinutes(1)
                    : r.validTo().plusNanos(1);
            return at.isBefore(end);
        }
        return true;
    }

    private static boolean lineMatches(EarnRule r, InLine l) {
        List<String> brands = EarnRule.codes(r.brandCodes());
        List<String> categories = EarnRule.codes(r.categoryCodes());
        return (brands.isEmpty() || (l.brandCode() != null && brands.contains(l.brandCode())))
                && (categories.isEmpty() || (l.categoryCode() != null && categories.contains(l.categoryCode())));
    }

    private static Effect effect(EarnRule r, String what) {
        return new Effect(r.code(), r.name(), r.kind(), what);
    }

    /** Splits {@code excluded} fen over the amounts in proportion (largest remainder, ties to the first). */
    static long[] allocate(long excluded, long[] amounts) {
        int n = amounts.length;
        long[] out = new long[n];
        long total = Arrays.stream(amounts).sum();
        if (excluded <= 0 || total <= 0) {
            return out;
        }
        BigInteger e = BigInteger.valueOf(Math.min(excluded, total));
        BigInteger tot = BigInteger.valueOf(total);
        long[] rem = new long[n];
        long given = 0;
        for (int i = 0; i < n; i++) {
            BigInteger[] qr = e.multiply(BigInteger.valueOf(amounts[i])).divideAndRemainder(tot);
            out[i] = qr[0].longValueExact();
            rem[i] = qr[1].longValueExact();
            given += out[i];
        }
        long left = e.longValueExact() - given;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> -rem[i]).thenComparingInt(i -> i));
        for (int k = 0; k < n && left > 0; k++) {
            out[order[k]]++;
            left--;
        }
        return out;
    }

    /** The engine (pure): see the class comment. {@code rules}: active rules, any order. */
    static Calc compute(
            LoyaltyProgram program,
            List<EarnRule> rules,
            String storeCode,
            LocalDateTime at,
            LocalDate businessDate,
            List<InLine> lines,
            long excludedFen,
            String tier,
            Month birthMonth,
            long earnedToday) {
        Calc c = new Calc();
        c.tier = tier;
        c.birthday = birthMonth != null && birthMonth == businessDate.getMonth();
        c.earnedToday = earnedToday;
        List<EarnRule> live = rules.stream()
                .filter(EarnRule::isActive)
                .filter(r -> validAt(r, at))
                .filter(r -> EarnRule.codes(r.storeCodes()).isEmpty()
                        || EarnRule.codes(r.storeCodes()).contains(storeCode))
                .filter(r -> EarnRule.codes(r.tierCodes()).isEmpty()
                        || (tier != null && EarnRule.codes(r.tierCodes()).contains(tier)))
                .filter(r -> r.kind() != Kind.BIRTHDAY_MULTIPLIER || c.birthday)
                .sorted(Comparator.comparingInt(EarnRule::priorityOrZero)
                        .reversed()
                        .thenComparing(EarnRule::code))
                .toList();
        long[] amounts =
                lines.stream().mapToLong(l -> Math.max(0, l.amountFen())).toArray();
        long total = Arrays.stream(amounts).sum();
        c.totalFen = total;
        c.excludedFen = Math.min(Math.max(0, excludedFen), total);
        long[] alloc = allocate(c.excludedFen, amounts);
        BigDecimal rate = program.pointsPerYuan();
        boolean[] earns = new boolean[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            InLine l = lines.get(i);
            long base = amounts[i] - alloc[i];
            BigDecimal basePoints = BigDecimal.valueOf(base).multiply(rate).movePointLeft(2);
            List<EarnRule> matching = live.stream()
                    .filter(r -> r.kind().group != Group.CAP && r.kind().group != Group.BONUS)
                    .filter(r -> lineMatches(r, l))
                    .toList();
            List<Effect> applied = new ArrayList<>();
            List<Effect> exclusions = new ArrayList<>();
            List<Effect> notApplied = new ArrayList<>();
            List<EarnRule> excl =
                    matching.stream().filter(r -> r.kind().exclusion()).toList();
            List<EarnRule> mults =
                    matching.stream().filter(r -> r.kind().multiplier()).toList();
            BigDecimal multiplier = BigDecimal.ONE;
            BigDecimal points;
            if (!excl.isEmpty()) {
                excl.forEach(r -> exclusions.add(effect(r, "excluded")));
                excl.forEach(r -> c.applied.add(r.code()));
                mults.forEach(r -> notApplied.add(effect(r, "×" + r.multiplier().toPlainString())));
                if (!mults.isEmpty()) {
                    List<String> codes = new ArrayList<>();
                    excl.forEach(r -> codes.add(r.code()));
                    mults.forEach(r -> codes.add(r.code()));
                    c.warnings.add(new Warning("exclusionOverMultiplier", l.lineNo(), codes, null));
                }
                multiplier = BigDecimal.ZERO;
                points = BigDecimal.ZERO;
            } else {
                Map<Group, List<EarnRule>> byGroup = new LinkedHashMap<>();
                mults.forEach(r -> byGroup.computeIfAbsent(r.kind().group, g -> new ArrayList<>())
                        .add(r));
                for (List<EarnRule> group : byGroup.values()) {
                    EarnRule winner = group.get(0); // highest priority first
                    multiplier = multiplier.multiply(winner.multiplier());
                    applied.add(effect(winner, "×" + winner.multiplier().toPlainString()));
                    if (base > 0) {
                        c.applied.add(winner.code());
                    }
                    if (group.size() > 1) {
                        group.subList(1, group.size())
                                .forEach(r -> notApplied.add(
                                        effect(r, "×" + r.multiplier().toPlainString())));
                        c.warnings.add(new Warning(
                                "sameGroup",
                                l.lineNo(),
                                group.stream().map(EarnRule::code).toList(),
                                null));
                    }
                }
                points = basePoints.multiply(multiplier);
                earns[i] = base > 0 && points.signum() > 0;
            }
            c.exact = c.exact.add(points);
            c.lines.add(new LineResult(
                    l.lineNo(),
                    l.sku(),
                    l.brandCode(),
                    l.categoryCode(),
                    amounts[i],
                    alloc[i],
                    base,
                    basePoints,
                    plain(multiplier),
                    points,
                    applied,
                    exclusions,
                    notApplied));
        }
        c.rounded = c.exact.setScale(0, mode(program.rounding())).longValueExact();
        long bonus = 0;
        for (EarnRule r : live) {
            if (r.kind() != Kind.PROMOTION_BONUS) {
                continue;
            }
            boolean any = false;
            for (int i = 0; i < lines.size(); i++) {
                any |= earns[i] && lineMatches(r, lines.get(i));
            }
            if (any && r.bonusPoints() != null && r.bonusPoints() > 0) {
                bonus += r.bonusPoints();
                c.bonuses.add(effect(r, "+" + r.bonusPoints()));
                c.applied.add(r.code());
            }
        }
        if (c.bonuses.size() > 1) {
            c.warnings.add(new Warning(
                    "severalBonuses", null, c.bonuses.stream().map(Effect::code).toList(), null));
        }
        c.beforeCaps = c.rounded + bonus;
        long points = c.beforeCaps;
        for (Kind capKind : List.of(Kind.SALE_CAP, Kind.DAILY_CAP)) {
            List<EarnRule> caps = live.stream()
                    .filter(r -> r.kind() == capKind)
                    .sorted(Comparator.comparingLong(EarnRule::capPoints).thenComparing(EarnRule::code))
                    .toList();
            if (caps.isEmpty()) {
                continue;
            }
            EarnRule cap = caps.get(0);
            long limit = capKind == Kind.SALE_CAP ? cap.capPoints() : Math.max(0, cap.capPoints() - earnedToday);
            if (points > limit) {
                c.caps.add(effect(cap, points + " → " + limit));
                c.applied.add(cap.code());
                points = limit;
            } else {
                c.caps.add(effect(cap, "≤ " + limit));
            }
            if (caps.size() > 1) {
                c.warnings.add(new Warning(
                        "severalCaps", null, caps.stream().map(EarnRule::code).toList(), null));
            }
        }
        c.points = points;
        return c;
    }
}
