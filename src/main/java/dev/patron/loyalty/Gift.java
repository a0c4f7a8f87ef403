package dev.patron.loyalty;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * A gift of the catalog: its points price per item, an optional cash co-pay per item (fen), the
 * dates it may be redeemed on (either end open) and, for the caller's stores, the items on hand and
 * still available (on hand minus reserved).
 */
public record Gift(
        String code,
        String nameZh,
        String nameEn,
        String description,
        long pointsPrice,
        long cashFen,
        String imageUrl,
        LocalDate validFrom,
        LocalDate validTo,
        boolean active,
        long onHand,
        long available,
        OffsetDateTime updatedAt) {

    /** Whether the gift may be redeemed on {@code day}. */
    public boolean validOn(LocalDate day) {
        return active && (validFrom == null || !day.isBefore(validFrom)) && (validTo == null || !day.isAfter(validTo));
    }

    /** The name in the given language (zh → Chinese, otherwise English). */
    public String name(String language) {
        return language != null && language.startsWith("zh") ? nameZh : nameEn;
    }
}
