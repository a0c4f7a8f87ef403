package dev.patron.sales;

import java.time.Instant;
import java.util.List;

/**
 * A historical sales import and its progress or outcome. Status UPLOADED, RUNNING (phase READING,
 * CHECKING or WRITING), DONE, or FAILED (ALL_OR_NOTHING with a bad ticket: nothing imported; or the
 * run stopped, see {@code error}). Skipped tickets were recorded before with the same store and POS
 * transaction id and were left alone.
 */
public record SalesImportJob(
        long id,
        String fileName,
        long fileBytes,
        List<String> headers,
        String status,
        String phase,
        SalesImportMode mode,
        boolean accruePoints,
        long totalRows,
        long totalTickets,
        long importedTickets,
        long importedRows,
        long skippedTickets,
        long failedTickets,
        long failedRows,
        String error,
        String createdBy,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {

    public SalesImportJob {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }
}
