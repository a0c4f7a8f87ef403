package dev.patron.loyalty;

import java.time.YearMonth;
import java.util.List;

/**
 * A member's points: {@code balance} (sum of the ledger), of which {@code spendable} can be used
 * today and {@code pending} is still in its waiting period; {@code debt} is what returns could not
 * take back; {@code expiring} lists open points by the month they expire.
 */
public record PointsBalance(
        long memberId,
        long balance,
        long spendable,
        long pending,
        long debt,
        long lifetimeEarned,
        List<Expiring> expiring) {

    public record Expiring(YearMonth month, long points) {}
}
