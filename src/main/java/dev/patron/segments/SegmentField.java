package dev.patron.segments;

import java.util.List;

/**
 * The fields a rule segment condition may use (a whitelist: nothing else reaches SQL), grouped as
 * the builder shows them, each with its kind of value and its operators. Sources: profile
 * ({@code members.v_member}, {@code v_member_tag}, {@code loyalty.v_member_tier}), facts
 * ({@code segments.member_fact}), events ({@code sales.v_sale}, {@code v_sale_line}), RFM
 * ({@code segments.member_rfm}), points ({@code loyalty.v_points_account}), static lists and the
 * insights models ({@code insights.v_member_value}: P(alive), expected purchases in 52 weeks,
 * 12-month value, CLV; {@code insights.v_member_next_best}: likely to buy a category / brand).
 */
public enum SegmentField {
    gender(Group.PROFILE, Type.ENUM, List.of("MALE", "FEMALE", "UNKNOWN")),
    ageBand(
            Group.PROFILE,
            Type.ENUM,
            List.of("UNDER_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_PLUS", "UNKNOWN")),
    age(Group.PROFILE, Type.NUMBER),
    city(Group.PROFILE, Type.TEXT),
    tags(Group.PROFILE, Type.TAGS),
    tier(Group.PROFILE, Type.TIER),
    joinChannel(
            Group.PROFILE,
            Type.ENUM,
            List.of("STORE_DESK", "POS", "WEBSITE", "ECOMMERCE", "IMPORT", "CALL_CENTER", "API")),
    joinDate(Group.PROFILE, Type.DATE),
    recencyDays(Group.FACTS, Type.NUMBER),
    purchaseDays(Group.FACTS, Type.NUMBER),
    purchaseDays12m(Group.FACTS, Type.NUMBER),
    tickets(Group.FACTS, Type.NUMBER),
    tickets12m(Group.FACTS, Type.NUMBER),
    spendFen(Group.FACTS, Type.NUMBER),
    spend12mFen(Group.FACTS, Type.NUMBER),
    avgTicketFen(Group.FACTS, Type.NUMBER),
    favouriteBrand(Group.FACTS, Type.BRAND),
    favouriteCategory(Group.FACTS, Type.CATEGORY),
    favouriteStore(Group.FACTS, Type.STORE),
    bought(Group.EVENTS, Type.BOUGHT),
    notBought(Group.EVENTS, Type.NOT_BOUGHT),
    birthday(Group.EVENTS, Type.BIRTHDAY),
    rfmCell(Group.RFM, Type.ENUM, rfmCells()),
    rBand(Group.RFM, Type.ENUM, List.of("ACTIVE", "SILENT", "SLEEPING", "LOST")),
    fBand(Group.RFM, Type.ENUM, List.of("NEW", "SECOND", "OLD", "FAN")),
    rScore(Group.RFM, Type.NUMBER),
    fScore(Group.RFM, Type.NUMBER),
    mScore(Group.RFM, Type.NUMBER),
    pointsBalance(Group.POINTS, Type.NUMBER),
    inList(Group.LISTS, Type.LIST),
    pAlive(Group.MODEL, Type.DECIMAL),
    expectedPurchases(Group.MODEL, Type.DECIMAL),
    value12mFen(Group.MODEL, Type.NUMBER),
    clvFen(Group.MODEL, Type.NUMBER),
    likelyCategory(Group.MODEL, Type.CATEGORY),
    likelyBrand(Group.MODEL, Type.BRAND);

    /**
     * The fields that do not profile a member (PRV-09, MKT-16): where the member is (city), their
     * programme level (tier: a status the member holds and is told, not an inference), how and when
     * they joined, and uploaded static lists. Every other field — demographics (gender, age,
     * birthday), tags, purchase facts and events, RFM, points, model scores and likely
     * categories/brands — targets the person from their characteristics or behaviour and is
     * personal: a segment using one leaves out members who switched personalisation off, and a
     * campaign targeting such a segment does not reach them. See docs/segments.md.
     */
    public static final java.util.Set<SegmentField> NON_PERSONAL =
            java.util.EnumSet.of(city, tier, joinChannel, joinDate, inList);

    /** True when a condition on this field profiles the member (not in {@link #NON_PERSONAL}). */
    public boolean personal() {
        return !NON_PERSONAL.contains(this);
    }

    /** The fields read from {@code insights.v_member_value}: a refit or rescoring changes them. */
    public static final java.util.Set<SegmentField> VALUE_MODEL =
            java.util.EnumSet.of(pAlive, expectedPurchases, value12mFen, clvFen);

    /** How the builder groups the fields. */
    public enum Group {
        PROFILE,
        FACTS,
        EVENTS,
        RFM,
        POINTS,
        LISTS,
        MODEL
    }

    /** The kind of value, which decides the operators. */
    public enum Type {
        ENUM(List.of("eq", "ne", "in", "notIn")),
        TEXT(List.of("eq", "ne", "in", "notIn")),
        NUMBER(List.of("eq", "ne", "gt", "gte", "lt", "lte", "between")),
        DATE(List.of("before", "after", "between", "inLastDays")),
        TAGS(List.of("hasAny", "hasAll", "hasNone")),
        TIER(List.of("eq", "ne", "in", "notIn")),
        BRAND(List.of("eq", "in", "notIn")),
        CATEGORY(List.of("eq", "in", "notIn")),
        STORE(List.of("eq", "in", "notIn")),
        BOUGHT(List.of("inLastDays")),
        NOT_BOUGHT(List.of("inLastDays")),
        BIRTHDAY(List.of("nextDays")),
        LIST(List.of("in", "notIn")),
        DECIMAL(List.of("gt", "gte", "lt", "lte", "between"));

        private final List<String> operators;

        Type(List<String> operators) {
            this.operators = operators;
        }

        public List<String> operators() {
            return operators;
        }
    }

    private final Group group;
    private final Type type;
    private final List<String> options;

    SegmentField(Group group, Type type) {
        this(group, type, List.of());
    }

    SegmentField(Group group, Type type, List<String> options) {
        this.group = group;
        this.type = type;
        this.options = options;
    }

    public Group group() {
        return group;
    }

    public Type type() {
        return type;
    }

    /** The allowed values of an ENUM field. */
    public List<String> options() {
        return options;
    }

    public List<String> operators() {
        return type.operators();
    }

    private static List<String> rfmCells() {
        List<String> cells = new java.util.ArrayList<>();
        for (String r : List.of("ACTIVE", "SILENT", "SLEEPING", "LOST")) {
            for (String f : List.of("NEW", "SECOND", "OLD", "FAN")) {
                cells.add(r + "_" + f);
            }
        }
        return List.copyOf(cells);
    }

    /** The field of that name, or null. */
    public static SegmentField of(String name) {
        if (name == null) {
            return null;
        }
        for (SegmentField f : values()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
