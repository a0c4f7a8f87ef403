package dev.patron.analytics.web;

import dev.patron.analytics.Analytics;
import dev.patron.analytics.AnalyticsQuery;
import dev.patron.analytics.CohortRetention;
import dev.patron.analytics.CustomerStructure;
import dev.patron.analytics.DataTable;
import dev.patron.analytics.NewVsReturning;
import dev.patron.analytics.PurchaseBehaviour;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboards' series for reporting tools: JSON by default, one chart as CSV with {@code
 * format=csv&chart=…}. Definitions in docs/analytics.md.
 */
@RestController
@RequestMapping("/api/v1/analytics")
@Tag(
        name = "Analytics",
        description = "Customer structure, new vs returning, purchase behaviour, cohort retention (JSON or CSV)")
class AnalyticsRestController {

    static final String COMMON = " Period: from/to business dates (yyyy-MM-dd, default: this month and the 11 before,"
            + " at most 2 years); storeCode: one store (default: every store of the caller's scope). Roles ADMIN,"
            + " ANALYST, MARKETER, STORE_MANAGER (scoped). format=csv returns the table of one chart (chart=…,"
            + " default the first). 400 naming the field for bad dates, ranges, numbers, an unknown store or chart;"
            + " 403 for a store outside the caller's scope. Money in fen, shares as decimals.";

    private final Analytics analytics;

    AnalyticsRestController(Analytics analytics) {
        this.analytics = analytics;
    }

    @GetMapping("/structure")
    @ApiResponse(
            responseCode = "200",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = CustomerStructure.class)),
                @Content(mediaType = "text/csv")
            })
    @Operation(
            summary = "Members by age band, gender, city (top N), join channel and tier",
            description = "Members: ACTIVE, preferred or join store in the filter; base ALL (joined by `to`), JOINED"
                    + " (joined in the period) or BUYERS (bought at a store of the filter in the period). Age as of `to`."
                    + COMMON)
    Object structure(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String storeCode,
            @Parameter(description = "ALL (default), JOINED or BUYERS") @RequestParam(required = false) String base,
            @Parameter(description = "Cities shown by name, 1-50 (default 10)") @RequestParam(required = false)
                    String top,
            @Parameter(description = "csv for CSV") @RequestParam(required = false) String format,
            @Parameter(description = "ageBands, genders, cities, joinChannels or tiers") @RequestParam(required = false)
                    String chart,
            HttpServletResponse response)
            throws IOException {
        CustomerStructure s = analytics.structure(
                AnalyticsQuery.parse(from, to, storeCode), base(base), AnalyticsQuery.intParam("top", top, 10, 1, 50));
        return respond(s, s.tables(), "structure", format, chart, response);
    }

    @GetMapping("/customers")
    @ApiResponse(
            responseCode = "200",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = NewVsReturning.class)),
                @Content(mediaType = "text/csv")
            })
    @Operation(
            summary = "New vs returning members per month: buyers, sale tickets and net sales",
            description = "New in the month of the member's first SALE ticket ever (chain-wide); member tickets at the"
                    + " stores of the filter." + COMMON)
    Object customers(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String storeCode,
            @Parameter(description = "csv for CSV") @RequestParam(required = false) String format,
            @Parameter(description = "months") @RequestParam(required = false) String chart,
            HttpServletResponse response)
            throws IOException {
        NewVsReturning n = analytics.newVsReturning(AnalyticsQuery.parse(from, to, storeCode));
        return respond(n, n.tables(), "customers", format, chart, response);
    }

    @GetMapping("/behaviour")
    @ApiResponse(
            responseCode = "200",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = PurchaseBehaviour.class)),
                @Content(mediaType = "text/csv")
            })
    @Operation(
            summary = "Purchase behaviour: frequency, intervals, average ticket, brand/category shares, repeat rate,"
                    + " return-to-counter rate",
            description = "Over member tickets at the stores of the filter. windowDays: the return-to-counter window"
                    + " N (1-365, default 30)." + COMMON)
    Object behaviour(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String storeCode,
            @Parameter(description = "Return-to-counter window in days, 1-365 (default 30)")
                    @RequestParam(required = false)
                    String windowDays,
            @Parameter(description = "csv for CSV") @RequestParam(required = false) String format,
            @Parameter(description = "summary, intervals, frequency, brands, categories or counters")
                    @RequestParam(required = false)
                    String chart,
            HttpServletResponse response)
            throws IOException {
        PurchaseBehaviour b = analytics.behaviour(
                AnalyticsQuery.parse(from, to, storeCode),
                AnalyticsQuery.intParam("windowDays", windowDays, 30, 1, 365));
        return respond(b, b.tables(), "behaviour", format, chart, response);
    }

    @GetMapping("/cohorts")
    @ApiResponse(
            responseCode = "200",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = CohortRetention.class)),
                @Content(mediaType = "text/csv")
            })
    @Operation(
            summary = "Cohort retention by join month (months 0-11)",
            description =
                    "Whole calendar months from `from`'s to `to`'s; members ACTIVE with preferred or join store in"
                            + " the filter; a purchase counts at a store of the filter." + COMMON)
    Object cohorts(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String storeCode,
            @Parameter(description = "csv for CSV") @RequestParam(required = false) String format,
            @Parameter(description = "retention or buyers") @RequestParam(required = false) String chart,
            HttpServletResponse response)
            throws IOException {
        CohortRetention c = analytics.cohorts(AnalyticsQuery.parse(from, to, storeCode));
        return respond(c, c.tables(), "cohorts", format, chart, response);
    }

    static CustomerStructure.Base base(String base) {
        if (base == null || base.isBlank()) {
            return CustomerStructure.Base.ALL;
        }
        try {
            return CustomerStructure.Base.valueOf(base.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PatronException.invalid("base", "analytics.base");
        }
    }

    /** Validates format; CSV is written to the response (returns null), otherwise the JSON body. */
    static boolean csv(String format) {
        if (format == null || format.isBlank() || format.strip().equalsIgnoreCase("json")) {
            return false;
        }
        if (format.strip().equalsIgnoreCase("csv")) {
            return true;
        }
        throw PatronException.invalid("format", "analytics.format");
    }

    private static Object respond(
            Object body,
            List<DataTable> tables,
            String dashboard,
            String format,
            String chart,
            HttpServletResponse response)
            throws IOException {
        if (!csv(format)) {
            return body;
        }
        AnalyticsCsv.write(response, dashboard, AnalyticsCsv.pick(tables, chart));
        return null;
    }
}
