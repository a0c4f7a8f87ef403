package dev.patron.sales.web;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.sales.SalesImportJob;
import dev.patron.sales.SalesImportMode;
import dev.patron.sales.SalesImportPreview;
import dev.patron.sales.SalesImports;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

/**
 * The historical sales import wizard (ADMIN): 1. upload a CSV; 2. check its columns and first rows,
 * choose all-or-nothing or skip-bad-tickets and whether points are awarded; 3. run it and follow
 * its progress (the report page polls while the import runs) and read the row-level report, also as
 * CSV. Files larger than the console's upload limit go through the API.
 */
@Controller
@RequestMapping("/sales/imports")
class SalesImportController implements ConsolePage {

    private final SalesImports imports;
    private final MessageSource messages;

    SalesImportController(SalesImports imports, MessageSource messages) {
        this.imports = imports;
        this.messages = messages;
    }

    /** One line of the report, its reason in the reader's language. */
    record ProblemRow(long row, String field, String kind, String message) {}

    @GetMapping
    String start() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return "redirect:/sales/imports/new";
    }

    @GetMapping("/new")
    String uploadForm(Model model) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        model.addAttribute(
                "recent", imports.jobs(PageQuery.of(0, 10, null, null)).items());
        return "sales/import-upload";
    }

    @PostMapping
    String upload(@RequestParam(required = false) MultipartFile file, Model model, HttpServletResponse response) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        if (file == null
                || file.getOriginalFilename() == null
                || file.getOriginalFilename().isBlank()) {
            return uploadProblem("sales.import.noFile", null, model, response);
        }
        if (file.isEmpty()) {
            return uploadProblem("sales.import.empty", null, model, response);
        }
        SalesImportPreview preview;
        try (InputStream in = file.getInputStream()) {
            preview = imports.upload(file.getOriginalFilename(), in);
        } catch (PatronException e) {
            PatronException.FieldError fe =
                    e.fieldErrors().isEmpty() ? null : e.fieldErrors().get(0);
            return uploadProblem(
                    fe == null ? e.messageKey() : fe.messageKey(), fe == null ? e.args() : fe.args(), model, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "redirect:/sales/imports/" + preview.jobId() + "/preview";
    }

    private String uploadProblem(String key, Object[] args, Model model, HttpServletResponse response) {
        response.setStatus(HttpStatus.BAD_REQUEST.value());
        model.addAttribute("problem", msg(key, args));
        model.addAttribute(
                "recent", imports.jobs(PageQuery.of(0, 10, null, null)).items());
        return "sales/import-upload";
    }

    @GetMapping("/{id:\\d+}/preview")
    String preview(@PathVariable long id, Model model) {
        SalesImportJob job = imports.job(id);
        if (!"UPLOADED".equals(job.status())) {
            return "redirect:/sales/imports/" + id;
        }
        model.addAttribute("job", job);
        model.addAttribute("preview", imports.preview(id));
        model.addAttribute("modes", SalesImportMode.values());
        return "sales/import-preview";
    }

    @PostMapping("/{id:\\d+}/run")
    String run(
            @PathVariable long id,
            @RequestParam(required = false) SalesImportMode mode,
            @RequestParam(required = false, defaultValue = "false") boolean accruePoints) {
        SalesImportJob job = imports.job(id);
        if ("UPLOADED".equals(job.status())) {
            imports.run(id, mode, accruePoints);
        }
        return "redirect:/sales/imports/" + id;
    }

    @GetMapping("/{id:\\d+}")
    String report(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            Model model) {
        SalesImportJob job = imports.job(id);
        if ("UPLOADED".equals(job.status())) {
            return "redirect:/sales/imports/" + id + "/preview";
        }
        PageQuery query = PageQuery.of(page, size, null, null);
        PageResult<ProblemRow> problems = imports.problems(id, query).map(this::view);
        model.addAttribute("job", job);
        model.addAttribute("progress", msg("sales.import.phase." + job.phase(), new Object[] {
            "WRITING".equals(job.phase()) ? job.importedTickets() : job.totalRows()
        }));
        model.addAttribute("result", problems);
        model.addAttribute("links", ListLinks.of("/sales/imports/" + id, query, "row"));
        return "sales/import-report";
    }

    @GetMapping("/{id:\\d+}/problems.csv")
    void problemsCsv(@PathVariable long id, HttpServletResponse response) throws IOException {
        imports.job(id);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"sales-import-" + id + "-report.csv\"");
        OutputStream out = response.getOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CsvWriter csv = CsvWriter.builder().build(writer);
        csv.writeRecord(
                msg("sales.import.column.row", null),
                msg("sales.import.column.field", null),
                msg("sales.import.column.kind", null),
                msg("sales.import.column.reason", null));
        imports.forEachProblem(id, p -> {
            ProblemRow v = view(p);
            csv.writeRecord(String.valueOf(v.row()), v.field(), v.kind(), v.message());
        });
        csv.flush();
    }

    private ProblemRow view(dev.patron.sales.SalesImportProblem p) {
        return new ProblemRow(p.row(), p.field(), p.kind(), SalesImportRestController.message(messages, p));
    }

    private String msg(String key, Object[] args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
