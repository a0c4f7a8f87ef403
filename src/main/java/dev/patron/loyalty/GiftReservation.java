package dev.patron.loyalty;

import java.time.OffsetDateTime;

/**
 * Points taken for a gift at a store and the items set aside: RESERVED until handed out
 * (CONFIRMED), cancelled (CANCELLED, points given back) or not handed out in time (EXPIRED, points
 * given back). {@code cashFen} is the co-pay to collect at hand-out (all items).
 */
public record GiftReservation(
        long id,
        long memberId,
        String giftCode,
        String giftNameZh,
        String giftNameEn,
        String storeCode,
        int quantity,
        long points,
        long cashFen,
        String status,
        long balanceAfter,
        OffsetDateTime expiresAt,
        OffsetDateTime createdAt,
        OffsetDateTime confirmedAt,
        OffsetDateTime cancelledAt) {}
