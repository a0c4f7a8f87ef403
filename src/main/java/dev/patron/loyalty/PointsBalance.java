package dev.patron.loyalty;

import java.time.YearMonth;
import java.util.List;

/**
 * A member's points: {@code balance} (sum of the ledger), of which {@code spendable} can be used
 * today and {@code pending} is still in its waiting period; {@code pooling} the institutional pooling; {@code debt} is what returns could not
 * take back; {@code expiring} lists open points by the month they expire.
 */
public record PointsBalance(
        long memberId,
        long balance,
        long spendable,
        long pending,
        long debt,
        long lifetimeEarned,
        List<Expiring> expiring,
        Pooling pooling) {

    public record Expiring(YearMonth month, long points) {}

    /**
     * Institutional pooling: {@code institution} whether the member is an institution, {@code enabled}
     * whether it pools its individuals' points; {@code poolsInto} the institution an individual's
     * points go to (null when they stay with the member).
     */
    public record Pooling(boolean institution, boolean enabled, Long poolsInto) {}
}
