package dev.patron.loyalty;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * A member level and its benefits. {@code threshold}: the rolling 12-month figure that qualifies
 * (fen of spend net of returns, or earned points, per {@link TierSettings#basis()}); rank 0 is
 * the entry level with threshold 0. {@code pointsMultiplier} is informational for the POS (the earn
 * rules apply their own multipliers); {@code discountRate} e.g. 0.95 = 5% off, more than 0 and at most 1.
 */
public record TierLevel(
        String code,
        Integer rank,
        String nameZh,
        String nameEn,
        Long threshold,
        BigDecimal pointsMultiplier,
        BigDecimal discountRate,
        List<String> freeServices,
        String birthdayGift) {

    /** The threshold read as yuan (exact: fen / 100), for pages when the basis is SPEND. */
    public BigDecimal thresholdInYuan() {
        return threshold == null ? null : BigDecimal.valueOf(threshold, 2);
    }

    /** The name in the given language (Chinese for zh, else English). */
    public String name(Locale locale) {
        return locale != null && "zh".equals(locale.getLanguage()) ? nameZh : nameEn;
    }
}
