package dev.patron.loyalty;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

/**
 * A member's points statement for one calendar month (Asia/Shanghai), exact from the ledger:
 * {@code openingBalance + earned + reversed + redeemed + expired + adjusted + transferred +
 * debtSettled = closingBalance}. Each movement is the signed sum of its entries in the month
 * (earned ≥ 0; reversed, expired ≤ 0; redeemed is spends net of cancelled spends). {@code
 * expiringSoon} lists the member's open points by month for the three months after the statement
 * month; {@code pending} and {@code debt} are as of today.
 */
@Schema(description = "A member's monthly points statement")
public record MemberStatement(
        long memberId,
        YearMonth month,
        LocalDate from,
        LocalDate to,
        long openingBalance,
        long earned,
        long reversed,
        long redeemed,
        long expired,
        long adjusted,
        long transferred,
        long debtSettled,
        long closingBalance,
        List<PointsBalance.Expiring> expiringSoon,
        long pending,
        long debt,
        TierProgress tier) {

    /** The sum of the month's movements (closing − opening). */
    public long change() {
        return earned + reversed + redeemed + expired + adjusted + transferred + debtSettled;
    }

    /**
     * The member's level and the next one. Qualification thresholds (spend or points needed by a
     * date) belong to the tier engine; {@code spendNeededFen}, {@code pointsNeeded} and {@code
     * qualifyBy} are null until it provides them (see {@link Statements#tierProgress}).
     */
    @Schema(description = "Current tier and the next one (thresholds null until the tier engine provides them)")
    public record TierProgress(
            String code,
            String nameZh,
            String nameEn,
            LocalDate since,
            String nextCode,
            String nextNameZh,
            String nextNameEn,
            Long spendNeededFen,
            Long pointsNeeded,
            LocalDate qualifyBy) {}
}
