package dev.patron.analytics;

import java.util.List;

/**
 * One chart's data as a table, for the CSV export: an id (the {@code chart} parameter), column keys
 * and rows of plain values (text, whole numbers, decimals; null for "no value").
 */
public record DataTable(String id, List<String> columns, List<List<Object>> rows) {}
