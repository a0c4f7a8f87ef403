package dev.patron.analytics;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * Retention by join month: for the members who joined in month M, how many (and which share)
 * bought in month M+k for k = 0..11. Months after {@link #lastMonth()} are not observed yet (null).
 */
@Schema(description = "Cohort retention: share of a join month's members buying in each of the 12 months from joining")
public record CohortRetention(
        LocalDate from, LocalDate to, String storeCode, YearMonth lastMonth, List<Cohort> cohorts) {

    public static final int MONTHS = 12;

    /** One join month: its size, buyers per month offset (null: not observed yet) and the shares. */
    public record Cohort(YearMonth month, long members, List<Long> buyers, List<BigDecimal> retention) {}

    public List<DataTable> tables() {
        List<String> columns = new ArrayList<>(List.of("joinMonth", "members"));
        for (int k = 0; k < MONTHS; k++) {
            columns.add("m" + k);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Cohort c : cohorts) {
            List<Object> row = new ArrayList<>();
            row.add(c.month().toString());
            row.add(c.members());
            row.addAll(c.retention());
            rows.add(row);
        }
        List<List<Object>> counts = new ArrayList<>();
        for (Cohort c : cohorts) {
            List<Object> row = new ArrayList<>();
            row.add(c.month().toString());
            row.add(c.members());
            row.addAll(c.buyers());
            counts.add(row);
        }
        return List.of(new DataTable("retention", columns, rows), new DataTable("buyers", columns, counts));
    }
}
