package dev.patron.segments;

import java.time.LocalDate;

/** The outcome of a full refresh of facts and RFM as of a day: rows written and time taken. */
public record FactsRefresh(LocalDate asOf, long facts, long rfm, boolean snapshotTaken, long millis) {}
