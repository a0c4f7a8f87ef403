package dev.patron.loyalty;

import java.time.OffsetDateTime;

/** A gift's stock at one store: items on hand (reserved ones included), reserved, available. */
public record GiftStock(String giftCode, String storeCode, long onHand, long reserved, long available) {

    /** One change of a stock: RECEIVE, ADJUST (with reason), RESERVE, RELEASE or HAND_OUT. */
    public record Movement(
            long id,
            String giftCode,
            String storeCode,
            String kind,
            long onHandChange,
            long reservedChange,
            Long reservationId,
            String reason,
            String createdBy,
            OffsetDateTime createdAt) {}
}
