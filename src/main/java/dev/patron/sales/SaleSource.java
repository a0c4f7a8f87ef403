package dev.patron.sales;

/** Where a ticket came from: the live POS API, a historical import, or the demo generator. */
public enum SaleSource {
    POS,
    IMPORT,
    DEMO
}
