package dev.patron.sales;

import java.util.List;

/**
 * An uploaded sales file before it is run: its columns (those Patron does not know are listed in
 * {@code ignoredColumns}) and its first rows.
 */
public record SalesImportPreview(
        long jobId,
        String fileName,
        long fileBytes,
        List<String> headers,
        List<String> ignoredColumns,
        List<List<String>> sample) {}
