package dev.patron.sales.web;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.sales.SalesImportJob;
import dev.patron.sales.SalesImportMode;
import dev.patron.sales.SalesImportPreview;
import dev.patron.sales.SalesImportProblem;
import dev.patron.sales.SalesImports;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Historical sales import over the API (ADMIN): upload the CSV as the request body, run it (in the
 * background: 202 and the job), poll the job until it is DONE or FAILED, read the report. The file
 * format is in docs/POS-INTEGRATION.md, "Historical sales import".
 */
@RestController
@RequestMapping("/api/v1/sales-imports")
@Tag(name = "Sales import", description = "Historical sales (one line item per CSV row) with a row-level report")
class SalesImportRestController {

    private final SalesImports imports;
    private final MessageSource messages;

    SalesImportRestController(SalesImports imports, MessageSource messages) {
        this.imports = imports;
        this.messages = messages;
    }

    @PostMapping(consumes = {"text/csv", "text/plain", "application/octet-stream"})
    @Operation(
            summary = "Upload a sales CSV (UTF-8 or GB18030) as the request body (ADMIN)",
            description = "201 with the columns found and the first rows; 400 naming the missing columns.")
    ResponseEntity<SalesImportPreview> upload(
            @RequestParam(defaultValue = "sales.csv") String fileName, InputStream body) {
        SalesImportPreview preview = imports.upload(fileName, body);
        return ResponseEntity.created(URI.create("/api/v1/sales-imports/" + preview.jobId()))
                .body(preview);
    }

    @Schema(description = "How to run an uploaded sales import")
    record RunRequest(
            @Schema(description = "ALL_OR_NOTHING or SKIP_BAD_TICKETS (default)")
            SalesImportMode mode,

            @Schema(description = "Whether loyalty should award points for the imported sales (default false)")
            Boolean accruePoints) {}

    @PostMapping("/{id}/run")
    @Operation(
            summary = "Run an uploaded import in the background",
            description = "202 with the job (status RUNNING); poll GET /api/v1/sales-imports/{id} until DONE or FAILED."
                    + " 409 when the job was run before.")
    ResponseEntity<SalesImportJob> run(@PathVariable long id, @RequestBody(required = false) RunRequest request) {
        RunRequest r = request == null ? new RunRequest(null, null) : request;
        SalesImportJob job = imports.run(id, r.mode(), Boolean.TRUE.equals(r.accruePoints()));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(job);
    }

    @GetMapping("/{id}")
    @Operation(summary = "An import's status, phase, progress and counts")
    SalesImportJob job(@PathVariable long id) {
        return imports.job(id);
    }

    @GetMapping
    @Operation(summary = "Imports, newest first")
    PageResult<SalesImportJob> jobs(
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return imports.jobs(PageQuery.of(page, size, null, null));
    }

    record ProblemView(long row, String field, String kind, String message) {}

    @GetMapping("/{id}/problems")
    @Operation(summary = "The report: row (header = 1), column, ERROR or SKIPPED, and why, in the caller's language")
    PageResult<ProblemView> problems(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return imports.problems(id, PageQuery.of(page, size, null, null)).map(this::view);
    }

    @GetMapping("/{id}/problems.csv")
    @Operation(summary = "The whole report as CSV")
    void problemsCsv(@PathVariable long id, HttpServletResponse response) throws IOException {
        imports.job(id);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"sales-import-" + id + "-report.csv\"");
        OutputStream out = response.getOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CsvWriter csv = CsvWriter.builder().build(writer);
        csv.writeRecord(
                msg("sales.import.column.row"),
                msg("sales.import.column.field"),
                msg("sales.import.column.kind"),
                msg("sales.import.column.reason"));
        imports.forEachProblem(id, p -> {
            ProblemView v = view(p);
            csv.writeRecord(String.valueOf(v.row()), v.field(), v.kind(), v.message());
        });
        csv.flush();
    }

    private ProblemView view(SalesImportProblem p) {
        return new ProblemView(p.row(), p.field(), p.kind(), message(messages, p));
    }

    /** The reason of a report line in the caller's language. */
    static String message(MessageSource messages, SalesImportProblem p) {
        Object[] args = p.args().stream()
                .map(a -> a != null && a.matches("#-?\\d{1,18}") ? (Object) Long.valueOf(a.substring(1)) : a)
                .toArray();
        return messages.getMessage(p.messageKey(), args, p.messageKey(), LocaleContextHolder.getLocale());
    }

    private String msg(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
