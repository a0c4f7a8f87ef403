package dev.patron.segments.web;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.segments.FactsRefresh;
import dev.patron.segments.MemberFactSheet;
import dev.patron.segments.MemberFacts;
import dev.patron.segments.Rfm;
import dev.patron.segments.RfmCell;
import dev.patron.segments.RfmGrid;
import dev.patron.segments.RfmMigration;
import dev.patron.segments.RfmSettings;
import dev.patron.segments.ValuePyramid;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Member facts and RFM: a member's facts, the R×F grid and its cells, settings, pyramid, export. */
@RestController
@RequestMapping("/api/v1")
@Tag(
        name = "Member facts and RFM",
        description = "Member facts, the R×F lifecycle grid, quintile RFM scores, value pyramid")
class RfmRestController {

    private final MemberFacts facts;
    private final Rfm rfm;

    RfmRestController(MemberFacts facts, Rfm rfm) {
        this.facts = facts;
        this.rfm = rfm;
    }

    @GetMapping("/members/{id}/facts")
    @Operation(
            summary = "A member's facts (purchases, spend over 12 months and lifetime, interval, favourites,"
                    + " returns) and RFM (cell, strategy, quintile scores); staff with all stores")
    MemberFactSheet facts(@PathVariable long id) {
        return facts.sheet(id);
    }

    @GetMapping("/rfm/settings")
    @Operation(summary = "R and F band thresholds, window in months, value pyramid layers (MARKETER, ANALYST, ADMIN)")
    RfmSettings settings() {
        return rfm.settings();
    }

    @PutMapping("/rfm/settings")
    @Operation(
            summary =
                    "Replace the RFM settings (MARKETER or ADMIN with all stores; audited); members are re-banded at once",
            description =
                    "400 naming the field unless: 0 < activeDays < silentDays < sleepingDays, 2 ≤ secondMin <"
                            + " oldMin < fanMin, windowMonths 1-120, 1-9 pyramid percentages > 0 (2 decimals) summing below 100.")
    RfmSettings updateSettings(@RequestBody RfmSettings settings) {
        return rfm.updateSettings(settings);
    }

    @GetMapping("/rfm/cells")
    @Operation(summary = "The 16 cells of the R×F grid with name, retention strategy and contact frequency")
    List<RfmCell> cells() {
        return rfm.cells();
    }

    @PutMapping("/rfm/cells/{rBand}/{fBand}")
    @Operation(summary = "Edit one cell's names, strategy and contact frequency (MARKETER or ADMIN; audited)")
    RfmCell updateCell(@PathVariable String rBand, @PathVariable String fBand, @RequestBody RfmCell cell) {
        return rfm.updateCell(rBand, fBand, cell);
    }

    @GetMapping("/rfm/grid")
    @Operation(summary = "Members, member share and sales share per R×F cell as of the last refresh")
    RfmGrid grid() {
        return rfm.grid();
    }

    @GetMapping("/rfm/migration")
    @Operation(summary = "Members moved between cells since the previous month's end-of-month snapshot")
    RfmMigration migration() {
        return rfm.migration();
    }

    @GetMapping("/rfm/pyramid")
    @Operation(summary = "Value pyramid: members ranked by 12-month spend in layers, with their share of sales")
    ValuePyramid pyramid() {
        return rfm.pyramid();
    }

    @PostMapping("/rfm/refresh")
    @Operation(
            summary = "Refresh every member's facts and RFM as of a day (default today; ADMIN with all stores);"
                    + " 409 while a refresh runs",
            description = "By default rolls the facts forward from the last refresh, as the nightly job does: only"
                    + " members whose 12-month window lost a ticket are recomputed, then everybody's RFM is"
                    + " ranked (mode ROLL). full=true, an earlier day or a gap of more than 31 days rebuilds"
                    + " every member's facts from all tickets (mode FULL).")
    FactsRefresh refresh(
            @RequestParam(required = false) String asOf, @RequestParam(defaultValue = "false") boolean full) {
        return rfm.refresh(Rfm.asOf(asOf), full);
    }

    @GetMapping("/rfm/export")
    @Operation(
            summary = "CSV of every member's RFM as of a day, computed from sales (MARKETER, ANALYST, ADMIN)",
            description = "Columns: member_id, external_ids (system:value;…), recency_days, frequency (purchase days in"
                    + " the window), monetary_fen (net), r, f, m (quintile scores 1-5, ties share a score), r_band,"
                    + " f_band. storeId: only that store's tickets and members (quintiles among them).")
    void export(
            @Parameter(description = "YYYY-MM-DD, default today") @RequestParam(required = false) String asOf,
            @Parameter(description = "window in months, default the settings'") @RequestParam(required = false)
                    Integer windowMonths,
            @RequestParam(required = false) Long storeId,
            HttpServletResponse response)
            throws IOException {
        LocalDate day = Rfm.asOf(asOf);
        Writer[] writer = new Writer[1];
        CsvWriter[] csv = new CsvWriter[1];
        rfm.export(
                day,
                windowMonths,
                storeId,
                () -> {
                    try {
                        response.setContentType("text/csv;charset=UTF-8");
                        response.setHeader("Content-Disposition", "attachment; filename=\"rfm-" + day + ".csv\"");
                        writer[0] = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
                        csv[0] = CsvWriter.builder().build(writer[0]);
                        csv[0].writeRecord(
                                "member_id",
                                "external_ids",
                                "recency_days",
                                "frequency",
                                "monetary_fen",
                                "r",
                                "f",
                                "m",
                                "r_band",
                                "f_band");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                row -> csv[0].writeRecord(
                        String.valueOf(row.memberId()),
                        safe(row.externalIds()),
                        String.valueOf(row.recencyDays()),
                        String.valueOf(row.frequency()),
                        String.valueOf(row.monetaryFen()),
                        String.valueOf(row.rScore()),
                        String.valueOf(row.fScore()),
                        String.valueOf(row.mScore()),
                        row.rBand(),
                        row.fBand()));
        csv[0].flush();
    }

    /** External ids come from other systems: never let a spreadsheet read one as a formula. */
    static String safe(String v) {
        if (v == null) {
            return "";
        }
        return !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
    }
}
