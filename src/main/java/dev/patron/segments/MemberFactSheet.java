package dev.patron.segments;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * What one member did ({@code segments.member_fact}) and where they stand in RFM
 * ({@code segments.member_rfm}), as {@code GET /api/v1/members/{id}/facts} and the 360 view's
 * "Facts & RFM" panel show it. Money in fen; {@code facts} is null for a member without tickets,
 * {@code rfm} null for a member without a purchase. Definitions: docs/segments.md.
 */
public record MemberFactSheet(long memberId, Facts facts, Rfm rfm) {

    /** The member's facts; favourites with their code and name (null when none). */
    public record Facts(
            LocalDate firstPurchaseDate,
            LocalDate lastPurchaseDate,
            int purchaseDays,
            int purchaseDays12m,
            int tickets,
            int tickets12m,
            long spendFen,
            long spend12mFen,
            long avgTicketFen,
            BigDecimal avgIntervalDays,
            Named favouriteBrand,
            Named favouriteCategory,
            Named favouriteStore,
            int returnTickets,
            long returnedFen,
            LocalDate asOf) {}

    /** A brand, category or store. */
    public record Named(long id, String code, String name) {}

    /** The member's R×F cell (bands and the cell's name, strategy and contact frequency) and quintile scores. */
    public record Rfm(
            int recencyDays,
            int frequency,
            long monetaryFen,
            String rBand,
            String fBand,
            String cellNameZh,
            String cellNameEn,
            String strategyZh,
            String strategyEn,
            Integer contactEveryDays,
            Integer rScore,
            Integer fScore,
            Integer mScore,
            LocalDate asOf) {

        /** The cell's name in the language of {@code locale}. */
        public String cellName(java.util.Locale locale) {
            return RfmCell.chinese(locale) ? cellNameZh : cellNameEn;
        }

        /** The strategy in the language of {@code locale}. */
        public String strategy(java.util.Locale locale) {
            return RfmCell.chinese(locale) ? strategyZh : strategyEn;
        }
    }
}
