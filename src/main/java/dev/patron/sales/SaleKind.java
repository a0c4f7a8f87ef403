package dev.patron.sales;

/** A ticket is a sale or a return of (part of) an earlier sale. */
public enum SaleKind {
    SALE,
    RETURN
}
