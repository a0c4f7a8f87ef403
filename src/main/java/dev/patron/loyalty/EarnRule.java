package dev.patron.loyalty;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * An earn rule configured by head office (see {@link EarnRules} for how rules combine). Filters
 * that are empty match everything; {@code validFrom}/{@code validTo} are Asia/Shanghai local
 * date-times, both inclusive (a {@code validTo} on a whole minute includes that minute).
 */
@Schema(description = "An earn rule: a multiplier, exclusion, bonus or cap with filters and a validity period")
public record EarnRule(
        @Schema(description = "Unique code, A-Z 0-9 _ -", example = "DOUBLE_1111")
        String code,

        @Schema(description = "Name shown to staff", example = "双十一双倍积分")
        String name,

        @Schema(description = "Kind of rule", example = "PROMOTION_MULTIPLIER")
        Kind kind,

        @Schema(description = "Whether the rule is in force (default true)", example = "true")
        Boolean active,

        @Schema(
                description = "Start, Asia/Shanghai local time (inclusive); required for promotions",
                example = "2026-11-11T00:00:00")
        LocalDateTime validFrom,

        @Schema(description = "End, Asia/Shanghai local time (inclusive)", example = "2026-11-11T23:59:00")
        LocalDateTime validTo,

        @Schema(description = "Higher wins among rules of the same group on one line (default 0)", example = "10")
        Integer priority,

        @Schema(description = "Multiplier for *_MULTIPLIER kinds: > 0 and ≤ 100, up to 4 decimals", example = "2")
        BigDecimal multiplier,

        @Schema(description = "PROMOTION_BONUS: points added once per ticket", example = "100")
        Long bonusPoints,

        @Schema(description = "SALE_CAP / DAILY_CAP: the maximum points", example = "5000")
        Long capPoints,

        @Schema(description = "Only for members of these tiers (TIER_MULTIPLIER: required)")
        List<String> tierCodes,

        @Schema(description = "Only in these stores (STORE_*: required)")
        List<String> storeCodes,

        @Schema(description = "Only lines of these brands (BRAND_*: required)")
        List<String> brandCodes,

        @Schema(description = "Only lines of these categories (CATEGORY_*: required)")
        List<String> categoryCodes,

        @Schema(description = "Last change (read only)", accessMode = Schema.AccessMode.READ_ONLY)
        OffsetDateTime updatedAt,

        @Schema(description = "Who changed it last (read only)", accessMode = Schema.AccessMode.READ_ONLY)
        String updatedBy) {

    /** The kinds of rule and the group whose highest-priority rule applies on a line. */
    public enum Kind {
        TIER_MULTIPLIER(Group.TIER),
        STORE_MULTIPLIER(Group.STORE),
        STORE_EXCLUSION(Group.EXCLUSION),
        BRAND_MULTIPLIER(Group.BRAND),
        BRAND_EXCLUSION(Group.EXCLUSION),
        CATEGORY_MULTIPLIER(Group.CATEGORY),
        CATEGORY_EXCLUSION(Group.EXCLUSION),
        PROMOTION_MULTIPLIER(Group.PROMOTION),
        PROMOTION_BONUS(Group.BONUS),
        BIRTHDAY_MULTIPLIER(Group.BIRTHDAY),
        SALE_CAP(Group.CAP),
        DAILY_CAP(Group.CAP);

        public final Group group;

        Kind(Group group) {
            this.group = group;
        }

        public boolean multiplier() {
            return name().endsWith("_MULTIPLIER");
        }

        public boolean exclusion() {
            return group == Group.EXCLUSION;
        }

        /** Whether brand/category filters make sense (line-level kinds). */
        public boolean lineLevel() {
            return this != SALE_CAP && this != DAILY_CAP && this != STORE_EXCLUSION && this != STORE_MULTIPLIER;
        }
    }

    /** Rules of one group compete on a line: only the one with the highest priority applies. */
    public enum Group {
        TIER,
        STORE,
        BRAND,
        CATEGORY,
        PROMOTION,
        BIRTHDAY,
        EXCLUSION,
        BONUS,
        CAP
    }

    public boolean isActive() {
        return active == null || active;
    }

    int priorityOrZero() {
        return priority == null ? 0 : priority;
    }

    static List<String> codes(List<String> l) {
        return l == null ? List.of() : l;
    }
}
