package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.util.List;

/** KPIs of a period, in total and per row, within the caller's store scope. */
@Schema(description = "KPIs of a period in the caller's stores: the total and one row per group")
public record SalesKpiReport(
        LocalDate from,
        LocalDate to,
        SalesKpiGroup groupBy,

        @Schema(description = "The store the report is limited to; null: every store in scope")
        String storeCode,

        SalesKpiFigures total,
        List<SalesKpiRow> rows) {}
