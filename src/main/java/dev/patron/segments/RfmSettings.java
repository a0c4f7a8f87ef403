package dev.patron.segments;

import java.math.BigDecimal;
import java.util.List;

/**
 * The chain's RFM settings ({@code GET/PUT /api/v1/rfm/settings}): R band limits in days since the
 * last purchase (ACTIVE ≤ {@code activeDays} &lt; SILENT ≤ {@code silentDays} &lt; SLEEPING ≤
 * {@code sleepingDays} &lt; LOST), F band minimums in purchase days within the window (NEW below
 * {@code secondMin}, SECOND from it, OLD from {@code oldMin}, FAN from {@code fanMin}), the window in
 * months, and the value pyramid's layers from the top in percent of members (the rest is the last layer).
 */
public record RfmSettings(
        Integer activeDays,
        Integer silentDays,
        Integer sleepingDays,
        Integer secondMin,
        Integer oldMin,
        Integer fanMin,
        Integer windowMonths,
        List<BigDecimal> pyramidPercents) {

    public static final RfmSettings DEFAULTS =
            new RfmSettings(90, 180, 365, 2, 3, 6, 12, List.of(pct(1), pct(4), pct(15), pct(30)));

    private static BigDecimal pct(int p) {
        return BigDecimal.valueOf(p);
    }
}
