package dev.patron.segments;

import dev.patron.segments.SegmentDefinition.Node;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.Month;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Validates a {@link SegmentDefinition} and compiles it to ONE parameterised SQL query over the
 * published views and the segments tables: every field is whitelisted ({@link SegmentField}), every
 * user value is a bind parameter (never concatenated), brand / category / store / tier / list
 * references are resolved to ids at compile time. The same compiled query serves the full refresh
 * (all members), the incremental re-evaluation (restricted to given member ids) and the preview.
 *
 * <p>At save ({@code strict}) an unknown reference is an error naming the condition; when a stored
 * segment is evaluated later, a reference that no longer resolves makes its condition match nobody
 * and gives a warning, and an inactive brand or store only gives a warning (it keeps working).
 */
@Component
class SegmentEvaluator {

    static final int MAX_VALUES = 500;
    static final int MAX_DAYS = 3650;
    static final BigDecimal MAX_EXPECTED_PURCHASES = BigDecimal.valueOf(10_000);

    /** A problem or warning about one condition: the JSON path of the node, a message key, args. */
    record Issue(String path, String key, Object... args) {}

    /** The compiled filter: {@code where} over alias m (members.v_member) and the joins it needs. */
    record Compiled(
            String where, Map<String, Object> params, Set<String> joins, List<Issue> warnings, boolean personal) {

        /** Whether a condition reads the member's tier ({@code loyalty.v_member_tier}). */
        boolean readsTier() {
            return joins.contains("mt");
        }

        /** {@code select m.id ...} for all active members matching, or only {@code :<prefix>members} when restricted. */
        String select(String columns, String prefix, boolean restricted) {
            return select(columns, prefix, restricted, false);
        }

        /**
         * As {@link #select(String, String, boolean)}; {@code single} restricts to the one member
         * {@code :<prefix>member} instead of the array {@code :<prefix>members}: a statement of its
         * own, whose cached generic plan is an index lookup of that member.
         */
        String select(String columns, String prefix, boolean restricted, boolean single) {
            StringBuilder sql = new StringBuilder("select ").append(columns).append(" from members.v_member m");
            if (joins.contains("f")) {
                sql.append(" left join segments.member_fact f on f.member_id = m.id");
            }
            if (joins.contains("r")) {
                sql.append(" left join segments.member_rfm r on r.member_id = m.id");
            }
            if (joins.contains("pa")) {
                sql.append(" left join loyalty.v_points_account pa on pa.member_id = m.id");
            }
            if (joins.contains("mt")) {
                sql.append(" left join loyalty.v_member_tier mt on mt.member_id = m.id");
            }
            if (joins.contains("mv")) {
                sql.append(" left join insights.v_member_value mv on mv.member_id = m.id");
            }
            String narrowed = where.replace(
                    RESTRICT,
                    !restricted
                            ? ""
                            : single
                                    ? " and s.member_id = :" + prefix + "member"
                                    : " and s.member_id = any(:" + prefix + "members)");
            sql.append(" where m.status = 'ACTIVE' and ");
            if (personal) {
                // PRV-09: personal conditions leave out members who switched personalisation off
                sql.append("not m.no_personalisation and ");
            }
            sql.append(narrowed);
            if (restricted && single) {
                sql.append(" and m.id = :").append(prefix).append("member");
            } else if (restricted) {
                sql.append(" and m.id = any(:").append(prefix).append("members)");
            }
            return sql.toString();
        }
    }

    /**
     * Marks the place in a member-set subquery (alias s, column member_id) where {@link
     * Compiled#select} narrows it to the members of a restricted query; removed otherwise.
     */
    static final String RESTRICT = "/*restrict s.member_id*/";

    private final JdbcClient jdbc;

    SegmentEvaluator(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param prefix bind parameter prefix, so that several compiled segments can share one query
     * @param strict true at save: unknown references are errors instead of warnings
     * @throws PatronException 400 with one field error per broken condition
     */
    Compiled compile(SegmentDefinition definition, LocalDate asOf, String prefix, boolean strict) {
        Ctx c = new Ctx(asOf, prefix, strict);
        if (definition == null) {
            c.error("definition", "validation.required");
        } else if (definition.version() == null || definition.version() != SegmentDefinition.VERSION) {
            c.error("definition.version", "segment.validation.version", SegmentDefinition.VERSION);
        } else if (definition.root() == null) {
            c.error("definition.root", "validation.required");
        }
        String where = "false";
        if (c.errors.isEmpty()) {
            where = node(c, definition.root(), "definition.root", 1);
        }
        if (c.conditions > SegmentDefinition.MAX_CONDITIONS) {
            c.error("definition.root", "segment.validation.tooMany", SegmentDefinition.MAX_CONDITIONS);
        }
        if (!c.errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.BAD_REQUEST,
                    c.errors.stream()
                            .map(i -> new PatronException.FieldError(i.path(), i.key(), i.args()))
                            .toList(),
                    "segment.validation.invalid");
        }
        return new Compiled(where, c.params, c.joins, List.copyOf(c.warnings), c.personal);
    }

    private final class Ctx {
        final LocalDate asOf;
        final String prefix;
        final boolean strict;
        final Map<String, Object> params = new LinkedHashMap<>();
        final Set<String> joins = new LinkedHashSet<>();
        final List<Issue> errors = new ArrayList<>();
        final List<Issue> warnings = new ArrayList<>();
        int conditions;
        boolean personal;

        Ctx(LocalDate asOf, String prefix, boolean strict) {
            this.asOf = asOf;
            this.prefix = prefix;
            this.strict = strict;
        }

        /** Binds a value; returns the placeholder. */
        String bind(Object value) {
            String name = prefix + "p" + params.size();
            params.put(name, value);
            return ":" + name;
        }

        void error(String path, String key, Object... args) {
            errors.add(new Issue(path, key, label(args)));
        }

        /** Messages name a condition by its number (depth-first, from 1), as the builder numbers its rows. */
        Object[] label(Object[] args) {
            Object[] out = args.clone();
            if (out.length > 0 && out[0] instanceof String s && s.startsWith("definition.root")) {
                out[0] = conditions;
            }
            return out;
        }

        /** A reference that does not resolve: an error at save, a warning (and no match) later. */
        String missing(String path, String key, Object... args) {
            if (strict) {
                error(path, key, args);
            } else {
                warnings.add(new Issue(path, key, label(args)));
            }
            return "false";
        }
    }

    private String node(Ctx c, Node n, String path, int depth) {
        if (n == null) {
            c.error(path, "validation.required");
            return "false";
        }
        if (n.groupNode()) {
            if (depth > SegmentDefinition.MAX_DEPTH) {
                c.error(path, "segment.validation.tooDeep", SegmentDefinition.MAX_DEPTH);
                return "false";
            }
            if (!"AND".equals(n.group()) && !"OR".equals(n.group())) {
                c.error(path + ".group", "segment.validation.group");
                return "false";
            }
            if (n.items() == null || n.items().isEmpty()) {
                c.error(path + ".items", "segment.validation.emptyGroup");
                return "false";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n.items().size(); i++) {
                parts.add(node(c, n.items().get(i), path + ".items[" + i + "]", depth + 1));
            }
            return "(" + String.join("AND".equals(n.group()) ? " and " : " or ", parts) + ")";
        }
        c.conditions++;
        SegmentField field = SegmentField.of(n.field());
        if (field == null) {
            c.error(path + ".field", "segment.validation.unknownField", path, String.valueOf(n.field()));
            return "false";
        }
        if (field.personal()) {
            c.personal = true;
        }
        if (n.operator() == null || !field.operators().contains(n.operator())) {
            c.error(
                    path + ".operator",
                    "segment.validation.operator",
                    path,
                    String.valueOf(n.operator()),
                    field.name(),
                    String.join(", ", field.operators()));
            return "false";
        }
        int before = c.errors.size();
        String sql = condition(c, field, n, path);
        return c.errors.size() > before ? "false" : sql;
    }

    // ------------------------------------------------------------------ conditions

    private String condition(Ctx c, SegmentField field, Node n, String path) {
        String op = n.operator();
        return switch (field) {
            case gender -> enumeration(c, "m.gender", field, n, path);
            case joinChannel -> enumeration(c, "m.join_channel", field, n, path);
            case ageBand -> enumeration(c, AGE_BAND, field, n, path);
            case age -> number(c, AGE, n, path);
            case city -> text(c, "lower(m.city)", n, path);
            case tags -> tags(c, n, path);
            case tier -> tier(c, n, path);
            case joinDate -> date(c, "m.joined_on", n, path);
            case recencyDays -> fact(c, "(" + bindDate(c) + " - f.last_purchase_date)", n, path);
            case purchaseDays -> fact(c, "coalesce(f.purchase_days, 0)", n, path);
            case purchaseDays12m -> fact(c, "coalesce(f.purchase_days_12m, 0)", n, path);
            case tickets -> fact(c, "coalesce(f.tickets, 0)", n, path);
            case tickets12m -> fact(c, "coalesce(f.tickets_12m, 0)", n, path);
            case spendFen -> fact(c, "coalesce(f.spend_fen, 0)", n, path);
            case spend12mFen -> fact(c, "coalesce(f.spend_12m_fen, 0)", n, path);
            case avgTicketFen -> fact(c, "coalesce(f.avg_ticket_fen, 0)", n, path);
            case favouriteBrand -> favourite(c, "f.favourite_brand_id", "brand", n, path);
            case favouriteCategory -> favourite(c, "f.favourite_category_id", "category", n, path);
            case favouriteStore -> favourite(c, "f.favourite_store_id", "store", n, path);
            case bought -> bought(c, n, path);
            case notBought -> notBought(c, n, path);
            case birthday -> birthday(c, n, path);
            case rfmCell -> rfm(c, "(r.r_band || '_' || r.f_band)", field, n, path);
            case rBand -> rfm(c, "r.r_band", field, n, path);
            case fBand -> rfm(c, "r.f_band", field, n, path);
            case rScore -> rfmNumber(c, "r.r_score", n, path);
            case fScore -> rfmNumber(c, "r.f_score", n, path);
            case mScore -> rfmNumber(c, "r.m_score", n, path);
            case pointsBalance -> {
                c.joins.add("pa");
                yield number(c, "coalesce(pa.balance, 0)", n, path);
            }
            case inList -> list(c, n, path, op);
            case pAlive -> decimal(c, "mv.p_alive", n, path, BigDecimal.ONE);
            case expectedPurchases -> decimal(c, "mv.expected_purchases_12m", n, path, MAX_EXPECTED_PURCHASES);
            case value12mFen -> modelNumber(c, "mv.value_12m_fen", n, path);
            case clvFen -> modelNumber(c, "mv.clv_fen", n, path);
            case likelyCategory -> likely(c, "CATEGORY", "category", n, path);
            case likelyBrand -> likely(c, "BRAND", "brand", n, path);
        };
    }

    private static final String AGE = "date_part('year', age(:asOf, m.birthday))::int";
    private static final String AGE_BAND = "case when m.birthday is null then 'UNKNOWN'"
            + " when date_part('year', age(:asOf, m.birthday)) < 18 then 'UNDER_18'"
            + " when date_part('year', age(:asOf, m.birthday)) < 25 then '18_24'"
            + " when date_part('year', age(:asOf, m.birthday)) < 35 then '25_34'"
            + " when date_part('year', age(:asOf, m.birthday)) < 45 then '35_44'"
            + " when date_part('year', age(:asOf, m.birthday)) < 55 then '45_54'"
            + " when date_part('year', age(:asOf, m.birthday)) < 65 then '55_64' else '65_PLUS' end";

    /** The as-of day as a bind parameter (one per compiled query). */
    private static String bindDate(Ctx c) {
        String name = c.prefix + "asOf";
        c.params.put(name, c.asOf);
        return ":" + name;
    }

    private static String withAsOf(Ctx c, String expr) {
        return expr.replace(":asOf", bindDate(c));
    }

    private String enumeration(Ctx c, String expr, SegmentField field, Node n, String path) {
        List<String> values = strings(c, n, path, false);
        if (values == null) {
            return "false";
        }
        for (String v : values) {
            if (!field.options().contains(v)) {
                c.error(path + ".value", "segment.validation.option", path, v, String.join(", ", field.options()));
                return "false";
            }
        }
        return membership(c, withAsOf(c, expr), n.operator(), values.toArray(String[]::new));
    }

    private String text(Ctx c, String expr, Node n, String path) {
        List<String> values = strings(c, n, path, true);
        if (values == null) {
            return "false";
        }
        return membership(c, expr, n.operator(), values.toArray(String[]::new));
    }

    /** eq / in: the value is one of; ne / notIn: it is none of (a missing value counts as none). */
    private static String membership(Ctx c, String expr, String op, Object[] values) {
        String p = c.bind(values);
        return switch (op) {
            case "eq", "in" -> "(" + expr + " = any(" + p + "))";
            default -> "(" + expr + " is null or " + expr + " <> all(" + p + "))";
        };
    }

    /** The value as strings: one for eq / ne, a non-empty array for in / notIn / has*. */
    private List<String> strings(Ctx c, Node n, String path, boolean lowerCase) {
        JsonNode v = n.value();
        boolean single = "eq".equals(n.operator()) || "ne".equals(n.operator());
        List<JsonNode> items = new ArrayList<>();
        if (single) {
            if (v != null && v.isString()) {
                items.add(v);
            }
        } else if (v != null && v.isArray() && v.size() > 0 && v.size() <= MAX_VALUES) {
            items.addAll(v.values());
        }
        if (items.isEmpty()) {
            c.error(path + ".value", single ? "segment.validation.text" : "segment.validation.list", path, MAX_VALUES);
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode i : items) {
            if (!i.isString() || i.stringValue().isBlank() || i.stringValue().length() > 100) {
                c.error(path + ".value", "segment.validation.text", path, MAX_VALUES);
                return null;
            }
            String s = i.stringValue().strip();
            out.add(lowerCase ? s.toLowerCase(Locale.ROOT) : s);
        }
        return out;
    }

    private String fact(Ctx c, String expr, Node n, String path) {
        c.joins.add("f");
        return number(c, expr, n, path);
    }

    private String rfmNumber(Ctx c, String expr, Node n, String path) {
        c.joins.add("r");
        return number(c, expr, n, path);
    }

    private String number(Ctx c, String expr, Node n, String path) {
        String e = withAsOf(c, expr);
        JsonNode v = n.value();
        if ("between".equals(n.operator())) {
            if (v == null || !v.isArray() || v.size() != 2 || !integral(v.get(0)) || !integral(v.get(1))) {
                c.error(path + ".value", "segment.validation.between", path);
                return "false";
            }
            long lo = v.get(0).longValue();
            long hi = v.get(1).longValue();
            if (lo > hi) {
                c.error(path + ".value", "segment.validation.between", path);
                return "false";
            }
            return "(" + e + " between " + c.bind(lo) + " and " + c.bind(hi) + ")";
        }
        if (!integral(v)) {
            c.error(path + ".value", "segment.validation.number", path);
            return "false";
        }
        String p = c.bind(v.longValue());
        String sqlOp = switch (n.operator()) {
            case "eq" -> "=";
            case "ne" -> "<>";
            case "gt" -> ">";
            case "gte" -> ">=";
            case "lt" -> "<";
            default -> "<=";
        };
        return "(" + e + " " + sqlOp + " " + p + ")";
    }

    private static boolean integral(JsonNode v) {
        return v != null
                && v.isIntegralNumber()
                && v.canConvertToLong()
                && Math.abs(v.longValue()) <= 1_000_000_000_000_000L;
    }

    private String date(Ctx c, String expr, Node n, String path) {
        JsonNode v = n.value();
        switch (n.operator()) {
            case "inLastDays" -> {
                Integer days = days(c, v != null && integral(v) ? (int) Math.min(v.longValue(), 100_000) : null, path);
                return days == null ? "false" : "(" + expr + " > " + c.bind(c.asOf.minusDays(days)) + ")";
            }
            case "between" -> {
                LocalDate lo = v != null && v.isArray() && v.size() == 2 ? parseDate(v.get(0)) : null;
                LocalDate hi = v != null && v.isArray() && v.size() == 2 ? parseDate(v.get(1)) : null;
                if (lo == null || hi == null || lo.isAfter(hi)) {
                    c.error(path + ".value", "segment.validation.dateBetween", path);
                    return "false";
                }
                return "(" + expr + " between " + c.bind(lo) + " and " + c.bind(hi) + ")";
            }
            default -> {
                LocalDate d = parseDate(v);
                if (d == null) {
                    c.error(path + ".value", "segment.validation.date", path);
                    return "false";
                }
                return "(" + expr + ("before".equals(n.operator()) ? " < " : " > ") + c.bind(d) + ")";
            }
        }
    }

    private static LocalDate parseDate(JsonNode v) {
        if (v == null || !v.isString()) {
            return null;
        }
        try {
            return LocalDate.parse(v.stringValue().strip());
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private Integer days(Ctx c, Integer days, String path) {
        if (days == null || days < 1 || days > MAX_DAYS) {
            c.error(path + ".days", "segment.validation.days", path, 1, MAX_DAYS);
            return null;
        }
        return days;
    }

    private String tags(Ctx c, Node n, String path) {
        List<String> tags = strings(c, n, path, true);
        if (tags == null) {
            return "false";
        }
        String[] distinct = new LinkedHashSet<>(tags).toArray(String[]::new);
        String p = c.bind(distinct);
        String any =
                "select 1 from members.v_member_tag t where t.member_id = m.id and lower(t.tag_name) = any(" + p + ")";
        return switch (n.operator()) {
            case "hasAny" -> "exists (" + any + ")";
            case "hasNone" -> "not exists (" + any + ")";
            default ->
                "((select count(distinct lower(t.tag_name)) from members.v_member_tag t where t.member_id = m.id"
                        + " and lower(t.tag_name) = any(" + p + ")) = " + c.bind(distinct.length) + ")";
        };
    }

    private String tier(Ctx c, Node n, String path) {
        List<String> codes = strings(c, n, path, false);
        if (codes == null) {
            return "false";
        }
        List<String> known = jdbc.sql("select code from loyalty.v_tier order by rank")
                .query(String.class)
                .list();
        List<String> upper = new ArrayList<>();
        for (String code : codes) {
            String u = code.toUpperCase(Locale.ROOT);
            if (known.contains(u)) {
                upper.add(u);
            } else {
                c.missing(path + ".value", "segment.validation.unknownTier", path, u);
            }
        }
        c.joins.add("mt");
        String rankZero = known.isEmpty() ? "" : known.get(0);
        return membership(
                c, "coalesce(mt.tier_code, " + c.bind(rankZero) + ")", n.operator(), upper.toArray(String[]::new));
    }

    private String rfm(Ctx c, String expr, SegmentField field, Node n, String path) {
        c.joins.add("r");
        return enumeration(c, expr, field, n, path);
    }

    // ------------------------------------------------------------------ references

    /** Ids for brand / category / store codes (a category includes its sub-categories). */
    private List<Long> resolve(Ctx c, String kind, List<String> codes, String path) {
        List<Long> ids = new ArrayList<>();
        for (String raw : codes) {
            String code = raw.toUpperCase(Locale.ROOT);
            String table = switch (kind) {
                case "brand" -> "organization.v_brand";
                case "category" -> "organization.v_category";
                default -> "organization.v_store";
            };
            var row = jdbc.sql("select id, " + ("category".equals(kind) ? "'ACTIVE'" : "status") + " from " + table
                            + " where code = ?")
                    .param(code)
                    .query((rs, i) -> new Object[] {rs.getLong(1), rs.getString(2)})
                    .optional();
            if (row.isEmpty()) {
                c.missing(path, "segment.validation.unknown." + kind, path, code);
                continue;
            }
            if (!"ACTIVE".equals(row.get()[1])) {
                c.warnings.add(new Issue(path, "segment.warning.inactive." + kind, c.label(new Object[] {path, code})));
            }
            long id = (Long) row.get()[0];
            if ("category".equals(kind)) {
                ids.addAll(jdbc.sql("""
                        with recursive t(id) as (
                            select ?::bigint union select c.id from organization.v_category c join t on c.parent_id = t.id)
                        select id from t""").param(id).query(Long.class).list());
            } else {
                ids.add(id);
            }
        }
        return ids;
    }

    private String favourite(Ctx c, String column, String kind, Node n, String path) {
        List<String> codes = strings(c, n, path, false);
        if (codes == null) {
            return "false";
        }
        c.joins.add("f");
        List<Long> ids = resolve(c, kind, codes, path + ".value");
        return membership(c, column, n.operator(), ids.toArray(Long[]::new));
    }

    private String bought(Ctx c, Node n, String path) {
        Integer days = days(c, n.days(), path);
        if (days == null) {
            return "false";
        }
        long min = n.minAmountFen() == null ? 1 : n.minAmountFen();
        if (min < 1 || min > 1_000_000_000_000L) {
            c.error(path + ".minAmountFen", "segment.validation.minAmount", path);
            return "false";
        }
        // a semi-join on the members whose net amount reaches the minimum: for a full refresh one
        // grouped pass over the window (hash join), not one correlated sum per member; for an
        // incremental re-evaluation select() narrows the subquery to the members at hand
        // the window on the line's business date as well (copied from its ticket): with a brand it
        // is a range of sale_line_brand (brand_id, business_date), without one of
        // sale_line_date_store — not every line of the brand or the chain (measured at 100M lines:
        // docs/PERFORMANCE.md)
        String since = c.bind(c.asOf.minusDays(days));
        String until = bindDate(c);
        StringBuilder sql = new StringBuilder("(m.id in (select s.member_id from sales.v_sale s")
                .append(" join sales.v_sale_line l on l.sale_id = s.id where s.member_id is not null")
                .append(RESTRICT)
                .append(" and s.business_date > ")
                .append(since)
                .append(" and s.business_date <= ")
                .append(until)
                .append(" and l.business_date > ")
                .append(since)
                .append(" and l.business_date <= ")
                .append(until);
        String[][] refs = {
            {"brand", n.brand(), "l.brand_id"},
            {"category", n.category(), "l.category_id"},
            {"store", n.store(), "s.store_id"}
        };
        for (String[] ref : refs) {
            if (ref[1] == null || ref[1].isBlank()) {
                continue;
            }
            int before = c.errors.size() + c.warnings.size();
            List<Long> ids = resolve(c, ref[0], List.of(ref[1].strip()), path + "." + ref[0]);
            if (ids.isEmpty() && c.errors.size() + c.warnings.size() > before) {
                return "false";
            }
            sql.append(" and ")
                    .append(ref[2])
                    .append(" = any(")
                    .append(c.bind(ids.toArray(Long[]::new)))
                    .append(")");
        }
        return sql.append(" group by s.member_id having sum(l.amount_fen) >= ")
                .append(c.bind(min))
                .append("))")
                .toString();
    }

    private String notBought(Ctx c, Node n, String path) {
        Integer days = days(c, n.days(), path);
        if (days == null) {
            return "false";
        }
        // The member's facts answer for nearly everybody without reading tickets: no purchase at all,
        // or the last one on or before the window's start, means none in the window; a last purchase
        // inside the window means bought. Only a last purchase after the as-of day (a past day asked
        // for) needs the tickets. The facts are those the re-evaluation after a sale is triggered by
        // (MemberFactsChanged), so both paths see the same data. The anti-join alone read the window's
        // tickets for every member (13x the raw query at 1M members, docs/PERFORMANCE.md).
        c.joins.add("f");
        String from = c.bind(c.asOf.minusDays(days));
        String to = bindDate(c);
        return "(f.last_purchase_date is null or f.last_purchase_date <= " + from + " or (f.last_purchase_date > "
                + to + " and not exists (select 1 from sales.v_sale s where s.member_id = m.id and s.kind = 'SALE'"
                + " and s.business_date > " + from + " and s.business_date <= " + to + ")))";
    }

    /**
     * Birthday in the next N days (today included, N = 0: today): the month-days of the window as a
     * bind array. A 29 February birthday counts on 28 February in years without it.
     */
    private String birthday(Ctx c, Node n, String path) {
        JsonNode v = n.value();
        if (!integral(v) || v.longValue() < 0 || v.longValue() > 366) {
            c.error(path + ".value", "segment.validation.days", path, 0, 366);
            return "false";
        }
        Set<String> monthDays = new LinkedHashSet<>();
        for (int i = 0; i <= v.longValue(); i++) {
            LocalDate d = c.asOf.plusDays(i);
            monthDays.add(String.format("%02d%02d", d.getMonthValue(), d.getDayOfMonth()));
            if (d.getMonth() == Month.FEBRUARY && d.getDayOfMonth() == 28 && !d.isLeapYear()) {
                monthDays.add("0229");
            }
        }
        return "(to_char(m.birthday, 'MMDD') = any(" + c.bind(monthDays.toArray(String[]::new)) + "))";
    }

    private String list(Ctx c, Node n, String path, String op) {
        JsonNode v = n.value();
        List<Long> ids = new ArrayList<>();
        if (v != null && v.isArray() && v.size() > 0 && v.size() <= MAX_VALUES) {
            for (JsonNode i : v.values()) {
                if (!integral(i)) {
                    ids.clear();
                    break;
                }
                ids.add(i.longValue());
            }
        }
        if (ids.isEmpty()) {
            c.error(path + ".value", "segment.validation.listIds", path);
            return "false";
        }
        List<Long> live = jdbc.sql(
                        "select id from segments.segment where id = any(?) and kind = 'STATIC' and deleted_at is null")
                .param(ids.toArray(Long[]::new))
                .query(Long.class)
                .list();
        for (Long id : ids) {
            if (!live.contains(id)) {
                c.missing(path + ".value", "segment.validation.unknownList", path, id);
            }
        }
        String any =
                "exists (select 1 from segments.segment_member sm where sm.member_id = m.id and sm.segment_id = any("
                        + c.bind(live.toArray(Long[]::new)) + "))";
        return "in".equals(op) ? any : "not " + any;
    }

    // ------------------------------------------------------------------ insights models

    /**
     * A value of the member value model ({@code insights.v_member_value}); a member the model has
     * not scored (no purchase in its window) has no value and matches no such condition.
     */
    private String modelNumber(Ctx c, String expr, Node n, String path) {
        c.joins.add("mv");
        return number(c, expr, n, path);
    }

    /**
     * A decimal model output (P(alive) 0-1, expected purchases 0-{@link #MAX_EXPECTED_PURCHASES}):
     * compared as double precision, as the view stores it; unscored members match nothing.
     */
    private String decimal(Ctx c, String expr, Node n, String path, BigDecimal max) {
        c.joins.add("mv");
        JsonNode v = n.value();
        if ("between".equals(n.operator())) {
            BigDecimal lo = v != null && v.isArray() && v.size() == 2 ? decimalIn(v.get(0), max) : null;
            BigDecimal hi = v != null && v.isArray() && v.size() == 2 ? decimalIn(v.get(1), max) : null;
            if (lo == null || hi == null || lo.compareTo(hi) > 0) {
                c.error(path + ".value", "segment.validation.decimalBetween", path, 0, max.toPlainString());
                return "false";
            }
            return "(" + expr + " between cast(" + c.bind(lo) + " as double precision) and cast(" + c.bind(hi)
                    + " as double precision))";
        }
        BigDecimal d = decimalIn(v, max);
        if (d == null) {
            c.error(path + ".value", "segment.validation.decimal", path, 0, max.toPlainString());
            return "false";
        }
        String sqlOp = switch (n.operator()) {
            case "gt" -> ">";
            case "gte" -> ">=";
            case "lt" -> "<";
            default -> "<=";
        };
        return "(" + expr + " " + sqlOp + " cast(" + c.bind(d) + " as double precision))";
    }

    /** The number if it is one between 0 and {@code max}, else null. */
    private static BigDecimal decimalIn(JsonNode v, BigDecimal max) {
        if (v == null || !v.isNumber()) {
            return null;
        }
        BigDecimal d = v.decimalValue();
        return d.signum() < 0 || d.compareTo(max) > 0 ? null : d;
    }

    /**
     * Likely to buy: one of the categories (with their sub-categories) or brands is among the
     * member's next best items ({@code insights.v_member_next_best}, from the latest mining run of
     * that level); notIn: none of them is.
     */
    private String likely(Ctx c, String level, String kind, Node n, String path) {
        List<String> codes = strings(c, n, path, false);
        if (codes == null) {
            return "false";
        }
        List<Long> ids = resolve(c, kind, codes, path + ".value");
        String any = "exists (select 1 from insights.v_member_next_best nb where nb.member_id = m.id and nb.level = "
                + c.bind(level) + " and nb.item_id = any(" + c.bind(ids.toArray(Long[]::new)) + "))";
        return "notIn".equals(n.operator()) ? "not " + any : any;
    }
}
