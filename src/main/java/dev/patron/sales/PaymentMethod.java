package dev.patron.sales;

/** How a ticket was paid (or a return refunded). */
public enum PaymentMethod {
    CASH,
    BANK_CARD,
    MOBILE_PAY,
    STORED_VALUE,
    POINTS,
    COUPON,
    OTHER
}
