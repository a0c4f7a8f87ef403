package dev.patron.sales;

import java.time.LocalDate;

/** What a traffic import wrote: rows (store-days) of how many stores over which dates. */
public record TrafficImportResult(int rows, int stores, LocalDate from, LocalDate to) {}
