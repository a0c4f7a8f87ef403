package dev.patron.sales;

import java.util.List;

/**
 * One line of a sales import report: the CSV row (the header is row 1), the column, ERROR or SKIPPED
 * (the ticket was recorded before), and why, as a message key with arguments (numbers written
 * {@code #123}).
 */
public record SalesImportProblem(long row, String field, String kind, String messageKey, List<String> args) {

    public SalesImportProblem {
        args = args == null ? List.of() : List.copyOf(args);
    }
}
