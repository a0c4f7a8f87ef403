package dev.patron.sales.web;

import dev.patron.sales.TrafficDay;
import dev.patron.sales.TrafficImportResult;
import dev.patron.sales.TrafficManagement;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.List;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Daily store traffic (footfall): enter a store-day, import a CSV, list a period. */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Store traffic", description = "Daily footfall per store, for conversion (tickets / visitors)")
class TrafficRestController {

    private final TrafficManagement traffic;

    TrafficRestController(TrafficManagement traffic) {
        this.traffic = traffic;
    }

    @Schema(description = "Visitors of a store on a business day")
    record VisitorsRequest(
            @Schema(description = "Visitors, ≥ 0", example = "3120")
            Integer visitors) {}

    @PutMapping("/stores/{code}/traffic/{date}")
    @Operation(
            summary = "Enter or correct one store-day (ADMIN, STORE_MANAGER of the store)",
            description = "400 naming the field for an unknown store, a future date or a negative count.")
    TrafficDay enter(
            @PathVariable String code,
            @PathVariable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate date,
            @RequestBody VisitorsRequest body) {
        return traffic.enter(code, date, body == null ? null : body.visitors());
    }

    @PostMapping(
            path = "/store-traffic/import",
            consumes = {"text/csv", "text/plain", "application/octet-stream"})
    @Operation(
            summary = "Import a CSV store_code,business_date,visitors as the request body (ADMIN, STORE_MANAGER)",
            description =
                    "All or nothing: 400 naming each bad row and column as rows[<row>].<column> (header = row 1).")
    TrafficImportResult importCsv(InputStream body) {
        return traffic.importCsv(body);
    }

    @GetMapping("/store-traffic")
    @Operation(summary = "Traffic of the caller's stores, newest first (default: the last 31 days)")
    List<TrafficDay> list(
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
        return traffic.list(storeCode, from, to);
    }
}
