package dev.patron.sales;

/** What a historical sales import does with bad tickets. */
public enum SalesImportMode {
    /** One bad ticket anywhere: nothing is imported (the report lists every problem). */
    ALL_OR_NOTHING,
    /** Good tickets are imported, bad ones (every row of them) are left out and reported. */
    SKIP_BAD_TICKETS
}
