package dev.patron.loyalty;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;

/**
 * The points program's settings: the base rate (points per yuan paid, excluding what was paid with
 * stored value or points), how fractions are rounded, how many days new points stay pending (the
 * return window), when points expire, and how far a reversal may take a balance below zero before
 * the rest is recorded as a debt.
 */
@Schema(description = "Points program settings")
public record LoyaltyProgram(
        @Schema(description = "Points per yuan paid", example = "1")
        BigDecimal pointsPerYuan,

        @Schema(description = "DOWN, HALF_UP or UP", example = "DOWN")
        String rounding,

        @Schema(description = "Days new points stay pending before they can be spent (0-90)", example = "7")
        Integer pendingDays,

        @Schema(description = "END_OF_NEXT_YEAR, MONTHS_AFTER or NEVER", example = "END_OF_NEXT_YEAR")
        String expiryPolicy,

        @Schema(description = "For MONTHS_AFTER: months after earning (1-120)", example = "24")
        Integer expiryMonths,

        @Schema(description = "How far below zero a return may take a balance; the rest becomes debt", example = "0")
        Long maxNegativeBalance) {

    /** Points for {@code fen} paid: fen / 100 × rate, rounded as configured. */
    long points(long fen) {
        if (fen <= 0) {
            return 0;
        }
        RoundingMode mode = switch (rounding) {
            case "HALF_UP" -> RoundingMode.HALF_UP;
            case "UP" -> RoundingMode.UP;
            default -> RoundingMode.DOWN;
        };
        return BigDecimal.valueOf(fen)
                .multiply(pointsPerYuan)
                .divide(BigDecimal.valueOf(100), 0, mode)
                .longValueExact();
    }

    /** When points earned on {@code earnedOn} expire; null: never. */
    LocalDate expiresOn(LocalDate earnedOn) {
        return switch (expiryPolicy) {
            case "END_OF_NEXT_YEAR" -> LocalDate.of(earnedOn.getYear() + 1, 12, 31);
            case "MONTHS_AFTER" -> earnedOn.plusMonths(expiryMonths);
            default -> null;
        };
    }
}
