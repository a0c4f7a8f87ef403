package dev.patron.members.web;

import cn.idev.excel.ExcelWriter;
import cn.idev.excel.FastExcel;
import cn.idev.excel.write.metadata.WriteSheet;
import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.members.ImportCommand;
import dev.patron.members.ImportJob;
import dev.patron.members.ImportPreview;
import dev.patron.members.ImportProblem;
import dev.patron.members.MemberManagement;
import dev.patron.members.MemberSearch;
import dev.patron.members.MemberStatus;
import dev.patron.members.MemberSummary;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk transfer of members: export of a filtered list as CSV or Excel (masked by role, audited)
 * and imports with preview, column mapping and a row-level report. Files are streamed: neither an
 * export nor an upload is held in memory.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(
        name = "Member import and export",
        description = "CSV/Excel export of member lists; CSV/Excel import with a row-level report")
class MemberTransferRestController {

    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private final MemberManagement members;
    private final MessageSource messages;

    MemberTransferRestController(MemberManagement members, MessageSource messages) {
        this.members = members;
        this.messages = messages;
    }

    // ---- export

    @GetMapping("/members/export")
    @Operation(
            summary =
                    "Export the filtered member list as csv or xlsx (ADMIN, MARKETER, ANALYST, STORE_MANAGER; masked by role; audited)")
    void export(
            @RequestParam(defaultValue = "csv") String format,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String tag,
            @RequestParam(required = false) String store,
            @RequestParam(required = false) MemberStatus status,
            HttpServletResponse response)
            throws IOException {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("csv") && !f.equals("xlsx")) {
            throw PatronException.invalid("format", "members.export.format");
        }
        MemberSearch search = new MemberSearch(q, tag, store, status);
        List<String> head = List.of(
                msg("members.column.id"),
                msg("members.column.name"),
                msg("members.column.phone"),
                msg("members.column.email"),
                msg("members.column.gender"),
                msg("members.column.birthday"),
                msg("members.column.city"),
                msg("members.column.store"),
                msg("members.column.joinedOn"),
                msg("members.column.cards"),
                msg("members.column.tags"));
        String fileName = "members-" + LocalDate.now() + "." + f;
        response.setHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        if (f.equals("csv")) {
            response.setContentType("text/csv;charset=UTF-8");
            OutputStream out = response.getOutputStream();
            out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF
            }); // BOM: Excel opens UTF-8 with Chinese correctly
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CsvWriter csv = CsvWriter.builder().build(writer);
            csv.writeRecord(head);
            members.exportList(search, "csv", m -> csv.writeRecord(row(m)));
            csv.flush();
        } else {
            response.setContentType(XLSX);
            List<List<String>> header = head.stream().map(List::of).toList();
            try (ExcelWriter excel = FastExcel.write(response.getOutputStream())
                    .head(header)
                    .autoCloseStream(false)
                    .build()) {
                WriteSheet sheet =
                        FastExcel.writerSheet(msg("members.export.sheet")).build();
                List<List<String>> batch = new ArrayList<>();
                excel.write(batch, sheet); // writes the header even for an empty list
                members.exportList(search, "xlsx", m -> {
                    batch.add(row(m));
                    if (batch.size() == 1000) {
                        excel.write(batch, sheet);
                        batch.clear();
                    }
                });
                if (!batch.isEmpty()) {
                    excel.write(batch, sheet);
                }
                excel.finish();
            }
        }
    }

    private static List<String> row(MemberSummary m) {
        return List.of(
                String.valueOf(m.id()),
                m.name(),
                nz(m.phone()),
                nz(m.email()),
                m.gender() == null ? "" : m.gender().name(),
                m.birthday() == null ? "" : m.birthday().toString(),
                nz(m.city()),
                nz(m.preferredStoreCode()),
                m.joinedOn() == null ? "" : m.joinedOn().toString(),
                String.join(" ", m.activeCards()),
                String.join(";", m.tags()));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    // ---- import

    @PostMapping(
            path = "/member-imports",
            consumes = {"text/csv", "application/octet-stream", XLSX})
    @Operation(
            summary =
                    "Upload a CSV (UTF-8 or GB18030) or .xlsx file as the request body; answers with a preview and a suggested column mapping (ADMIN)")
    ResponseEntity<ImportPreview> upload(
            @RequestParam(defaultValue = "members.csv") String fileName, InputStream body) {
        ImportPreview preview = members.uploadImport(fileName, body);
        return ResponseEntity.created(URI.create("/api/v1/member-imports/" + preview.jobId()))
                .body(preview);
    }

    @PostMapping("/member-imports/{id}/run")
    @Operation(summary = "Import the uploaded file with a column mapping and a mode (ALL_OR_NOTHING or SKIP_BAD_ROWS)")
    ImportJob run(@PathVariable long id, @RequestBody ImportCommand cmd) {
        return members.runImport(id, cmd);
    }

    @GetMapping("/member-imports/{id}")
    @Operation(summary = "An import's status and counts")
    ImportJob job(@PathVariable long id) {
        return members.importJob(id);
    }

    record ProblemView(long row, String field, String kind, String message) {}

    @GetMapping("/member-imports/{id}/problems")
    @Operation(summary = "The import's report: which row, which field, why (paged)")
    PageResult<ProblemView> problems(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return members.importProblems(id, PageQuery.of(page, size, null, null)).map(this::view);
    }

    @GetMapping("/member-imports/{id}/problems.csv")
    @Operation(summary = "The whole import report as CSV")
    void problemsCsv(@PathVariable long id, HttpServletResponse response) throws IOException {
        members.importJob(id);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"import-" + id + "-report.csv\"");
        OutputStream out = response.getOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CsvWriter csv = CsvWriter.builder().build(writer);
        csv.writeRecord(
                msg("members.column.row"),
                msg("members.column.field"),
                msg("members.column.kind"),
                msg("members.column.reason"));
        members.forEachImportProblem(id, p -> {
            ProblemView v = view(p);
            csv.writeRecord(String.valueOf(v.row()), v.field(), v.kind(), v.message());
        });
        csv.flush();
    }

    private ProblemView view(ImportProblem p) {
        Object[] args = p.args().stream()
                .map(a -> a != null && a.matches("#-?\\d{1,18}") ? (Object) Long.valueOf(a.substring(1)) : a)
                .toArray();
        return new ProblemView(p.row(), p.field(), p.kind(), msg(p.messageKey(), args));
    }

    private String msg(String key, Object... args) {
        Locale locale = LocaleContextHolder.getLocale();
        return messages.getMessage(key, args, key, locale);
    }
}
