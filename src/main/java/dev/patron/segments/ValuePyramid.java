package dev.patron.segments;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * The member value pyramid (会员金字塔): members with a positive 12-month net spend ranked by it and
 * cut into layers of the configured percentages of those members from the top; per layer the
 * members, their spend, its share of all their spend (0..1, 4 decimals) and the lowest spend in the
 * layer. {@code inactive}: members with facts but no positive 12-month spend (not in a layer).
 */
public record ValuePyramid(LocalDate asOf, long members, long spendFen, long inactive, List<Layer> layers) {

    public record Layer(
            int layer,
            BigDecimal fromPercent,
            BigDecimal toPercent,
            long members,
            long spendFen,
            double spendShare,
            long minSpendFen) {}
}
