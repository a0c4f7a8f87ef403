package dev.patron.sales.web;

import dev.patron.sales.SalesKpiQuery;
import dev.patron.sales.SalesKpiReport;
import dev.patron.sales.SalesKpis;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Sales KPIs per store, counter, brand or time bucket, for reporting tools. */
@RestController
@RequestMapping("/api/v1/sales")
@Tag(
        name = "Sales KPIs",
        description = "Net sales, tickets, average ticket, items per ticket, member share, returns, conversion")
class SalesKpiRestController {

    private final SalesKpis kpis;

    SalesKpiRestController(SalesKpis kpis) {
        this.kpis = kpis;
    }

    @GetMapping("/kpis")
    @Operation(
            summary = "Sales KPIs of a period, in total and per store, counter, brand, day, week or month",
            description =
                    "Net sales = sales − returns (each ticket on its business date); tickets = sale tickets;"
                            + " average ticket = net sales / tickets; items per ticket (连带率) = net items / tickets;"
                            + " member share = member net sales / net sales; new member sales = member sales on the"
                            + " member's first purchase day ever; return rate = returns / gross sales; conversion ="
                            + " tickets / visitors over store-days with traffic (stores, days, weeks, months only)."
                            + " Money in fen, ratios as decimals. Limited to the caller's stores; roles ADMIN, ANALYST,"
                            + " STORE_MANAGER, FINANCE, MARKETER. 400 naming the field for a bad date, from after to,"
                            + " a period over 2 years, an unknown groupBy or store; 403 for a store outside the caller's scope.")
    SalesKpiReport kpis(
            @Parameter(
                            description = "First business date, yyyy-MM-dd; default: 29 days before `to`",
                            example = "2026-11-01")
                    @RequestParam(required = false)
                    String from,
            @Parameter(
                            description = "Last business date (included), yyyy-MM-dd; default: today",
                            example = "2026-11-30")
                    @RequestParam(required = false)
                    String to,
            @Parameter(description = "store (default), counter, brand, day, week or month", example = "store")
                    @RequestParam(required = false)
                    String groupBy,
            @Parameter(description = "Only this store", example = "SH001") @RequestParam(required = false)
                    String storeCode) {
        return kpis.report(SalesKpiQuery.parse(from, to, groupBy, storeCode));
    }

    @PostMapping("/kpis/rebuild")
    @Operation(
            summary = "Recompute the KPI rollup of a period from the recorded tickets (operators)",
            description = "Head-office ADMIN only. The rollup is kept up to date from the outbox; this repairs it after"
                    + " raw data was corrected. Waits for events being applied; safe while sales are recorded."
                    + " 400 naming the field for bad dates or a period over 2 years.")
    Map<String, Object> rebuild(
            @Parameter(description = "First business date, yyyy-MM-dd", example = "2026-11-01") @RequestParam
                    String from,
            @Parameter(description = "Last business date (included), yyyy-MM-dd", example = "2026-11-30") @RequestParam
                    String to) {
        SalesKpiQuery period = SalesKpiQuery.parse(from, to, null, null);
        return Map.of("from", period.from(), "to", period.to(), "storeDays", kpis.rebuild(period));
    }
}
