package dev.patron.insights;

import java.math.BigDecimal;
import java.util.List;

/**
 * A category or brand the member has not bought in the window but that members who bought
 * {@code because} usually also buy: the best such rule's confidence and lift, and score =
 * confidence × lift (the ranking).
 */
public record NextBestItem(
        int rank,
        RuleItem item,
        List<RuleItem> because,
        BigDecimal confidence,
        BigDecimal lift,
        BigDecimal score,
        long ruleId) {}
