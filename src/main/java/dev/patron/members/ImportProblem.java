package dev.patron.members;

import java.util.List;

/**
 * One line of an import report: the row (header is row 1), the field, ERROR or DUPLICATE, and why
 * (a message key; numeric arguments are written {@code #123}).
 */
public record ImportProblem(long row, String field, String kind, String messageKey, List<String> args) {}
