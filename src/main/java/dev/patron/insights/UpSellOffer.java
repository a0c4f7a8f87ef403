package dev.patron.insights;

import java.math.BigDecimal;
import java.util.List;

/**
 * Up-sell in a category the member buys: their typical unit price (median of their lines, yuan)
 * falls in price band {@code currentBand} (quartiles of the category's unit prices, 1 = cheapest);
 * the offer is the next band up, its price range (yuan) and its best-selling brands.
 */
public record UpSellOffer(
        RuleItem category,
        BigDecimal typicalPrice,
        int currentBand,
        int nextBand,
        BigDecimal nextBandFrom,
        BigDecimal nextBandTo,
        List<RuleItem> brands) {}
