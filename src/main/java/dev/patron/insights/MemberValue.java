package dev.patron.insights;

import java.time.LocalDate;

/**
 * A member's value by the current model, as of {@code asOf} (the last scoring): probability of
 * still being an active customer, expected purchase days in the next {@code horizonWeeks} weeks,
 * expected spend per purchase day, expected 12-month value and discounted CLV (money in fen,
 * rounded once), with the history behind them: purchase days in the window, last purchase and the
 * member's usual interval between purchase days (null after a single purchase day).
 * {@code scored} is false when the member made no purchase in the model's window (then only
 * {@code asOf}, {@code horizonWeeks} and {@code fitId} are set).
 */
public record MemberValue(
        long memberId,
        boolean scored,
        long fitId,
        LocalDate asOf,
        int horizonWeeks,
        Double pAlive,
        Double expectedPurchases,
        Long expectedAverageSpendFen,
        Double expectedPurchases12m,
        Long value12mFen,
        Long clvFen,
        Integer purchaseDays,
        LocalDate lastPurchaseOn,
        Integer daysSinceLastPurchase,
        Double usualIntervalDays) {}
