package dev.patron.sales;

import dev.patron.shared.web.PatronException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * A KPI question: period [from, to] (both included, at most {@link #MAX_YEARS} years), grouping and
 * optionally one store. {@link #parse} turns request parameters into one, with 400 naming the field.
 */
public record SalesKpiQuery(LocalDate from, LocalDate to, SalesKpiGroup groupBy, String storeCode) {

    public static final int MAX_YEARS = 2;
    /** Without dates: the last 30 days up to today (head-office time). */
    public static final int DEFAULT_DAYS = 30;

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    public SalesKpiQuery {
        if (from == null) {
            throw PatronException.invalid("from", "validation.required");
        }
        if (to == null) {
            throw PatronException.invalid("to", "validation.required");
        }
        if (from.isAfter(to)) {
            throw PatronException.invalid("from", "sales.kpi.fromAfterTo", to);
        }
        if (from.plusYears(MAX_YEARS).isBefore(to)) {
            throw PatronException.invalid("to", "sales.kpi.rangeTooLong", MAX_YEARS);
        }
        groupBy = groupBy == null ? SalesKpiGroup.STORE : groupBy;
        storeCode = storeCode == null || storeCode.isBlank() ? null : storeCode.strip();
    }

    public static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    /** From request parameters: dates as yyyy-MM-dd, groupBy case-insensitive; blanks take defaults. */
    public static SalesKpiQuery parse(String from, String to, String groupBy, String storeCode) {
        LocalDate t = date("to", to);
        LocalDate f = date("from", from);
        if (t == null) {
            t = f == null
                    ? today()
                    : (f.plusDays(DEFAULT_DAYS - 1).isAfter(today()) ? today() : f.plusDays(DEFAULT_DAYS - 1));
        }
        if (f == null) {
            f = t.minusDays(DEFAULT_DAYS - 1);
        }
        SalesKpiGroup g = SalesKpiGroup.STORE;
        if (groupBy != null && !groupBy.isBlank()) {
            try {
                g = SalesKpiGroup.valueOf(groupBy.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw PatronException.invalid(
                        "groupBy", "sales.kpi.groupBy", "store, counter, brand, day, week, month");
            }
        }
        return new SalesKpiQuery(f, t, g, storeCode);
    }

    private static LocalDate date(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw PatronException.invalid(field, "sales.kpi.date");
        }
    }

    public SalesKpiQuery withGroup(SalesKpiGroup g) {
        return new SalesKpiQuery(from, to, g, storeCode);
    }
}
