package dev.patron.analytics;

import dev.patron.shared.web.PatronException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * The filter every dashboard shares: business dates [from, to] (both included, at most {@link
 * #MAX_YEARS} years) and optionally one store by code (otherwise every store of the caller's scope).
 * {@link #parse} turns request parameters into one, with 400 naming the field.
 */
public record AnalyticsQuery(LocalDate from, LocalDate to, String storeCode) {

    public static final int MAX_YEARS = 2;

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    public AnalyticsQuery {
        if (from == null) {
            throw PatronException.invalid("from", "validation.required");
        }
        if (to == null) {
            throw PatronException.invalid("to", "validation.required");
        }
        if (from.isAfter(to)) {
            throw PatronException.invalid("from", "analytics.fromAfterTo", to);
        }
        if (from.plusYears(MAX_YEARS).isBefore(to)) {
            throw PatronException.invalid("to", "analytics.rangeTooLong", MAX_YEARS);
        }
        storeCode = storeCode == null || storeCode.isBlank() ? null : storeCode.strip();
    }

    /** Today in head-office time. */
    public static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    /** The default period: the current month and the 11 before it, up to today. */
    public static AnalyticsQuery lastTwelveMonths(String storeCode) {
        LocalDate today = today();
        return new AnalyticsQuery(today.withDayOfMonth(1).minusMonths(11), today, storeCode);
    }

    /**
     * From request parameters (dates as yyyy-MM-dd). Without {@code to}: today (or a year after
     * {@code from} if that is earlier); without {@code from}: the first day of the month 11 months
     * before {@code to}.
     */
    public static AnalyticsQuery parse(String from, String to, String storeCode) {
        LocalDate f = date("from", from);
        LocalDate t = date("to", to);
        if (t == null) {
            t = f == null || f.plusYears(1).minusDays(1).isAfter(today())
                    ? today()
                    : f.plusYears(1).minusDays(1);
        }
        if (f == null) {
            f = t.withDayOfMonth(1).minusMonths(11);
        }
        return new AnalyticsQuery(f, t, storeCode);
    }

    private static LocalDate date(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw PatronException.invalid(field, "analytics.date");
        }
    }

    /** An integer parameter in [min, max], {@code dflt} when blank; 400 naming the field otherwise. */
    public static int intParam(String field, String value, int dflt, int min, int max) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.strip());
            if (v < min || v > max) {
                throw PatronException.invalid(field, "analytics.between", min, max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw PatronException.invalid(field, "analytics.between", min, max);
        }
    }
}
