package dev.patron.members;

import java.time.Instant;

/**
 * An import and its outcome: rows read, members created, rows skipped as duplicates of existing
 * members (or of an earlier row), rows that failed validation. Status UPLOADED, RUNNING, DONE or
 * FAILED (ALL_OR_NOTHING with bad rows: nothing was imported).
 */
public record ImportJob(
        long id,
        String fileName,
        String format,
        String status,
        ImportMode mode,
        long totalRows,
        long createdRows,
        long duplicateRows,
        long failedRows,
        String createdBy,
        Instant createdAt,
        Instant finishedAt) {}
