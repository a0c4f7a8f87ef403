package dev.patron.insights;

import java.math.BigDecimal;
import java.util.List;

/**
 * A rule "baskets with the antecedent also hold the consequent": exact counts (baskets of the run,
 * baskets with the antecedent, with the consequent, with both) and the ratios derived from them:
 * support = both / baskets, confidence = both / antecedent, lift = confidence / (consequent / baskets).
 */
public record AssociationRule(
        long id,
        long runId,
        RuleLevel level,
        List<RuleItem> antecedent,
        List<RuleItem> consequent,
        long baskets,
        long antecedentCount,
        long consequentCount,
        long bothCount,
        BigDecimal support,
        BigDecimal confidence,
        BigDecimal lift) {}
