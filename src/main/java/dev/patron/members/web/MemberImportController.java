package dev.patron.members.web;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.members.ImportCommand;
import dev.patron.members.ImportJob;
import dev.patron.members.ImportMode;
import dev.patron.members.ImportPreview;
import dev.patron.members.ImportProblem;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The member import wizard (ADMIN): 1. upload a CSV or .xlsx file; 2. check the first rows, map
 * each column to a member field (pre-filled from the suggested mapping) and choose all-or-nothing
 * or skip-bad-rows; 3. run it and read the report (counts and, row by row, which field and why),
 * also as CSV. The preview of step 2 is kept in the session between the steps, since the API shows
 * it only once, at the upload.
 */
@Controller
@RequestMapping("/members/imports")
class MemberImportController implements ConsolePage {

    private static final String PREVIEW = "memberImportPreview.";

    private final MemberManagement members;
    private final MessageSource messages;

    MemberImportController(MemberManagement members, MessageSource messages) {
        this.members = members;
        this.messages = messages;
    }

    /** One line of the report, its reason in the reader's language. */
    record ProblemRow(long row, String field, String kind, String message) {}

    /** A file column in the mapping form: its header, the first values, the chosen field and what is wrong with it. */
    record ColumnRow(int index, String header, List<String> examples, String field, String error) {}

    @GetMapping
    String start() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return "redirect:/members/imports/new";
    }

    // ------------------------------------------------------------------ step 1: upload

    @GetMapping("/new")
    String uploadForm() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return "members/import-upload";
    }

    @PostMapping
    String upload(
            @RequestParam(required = false) MultipartFile file,
            HttpSession session,
            Model model,
            HttpServletResponse response) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        if (file == null
                || file.isEmpty()
                || file.getOriginalFilename() == null
                || file.getOriginalFilename().isBlank()) {
            return uploadProblem(
                    file == null
                                    || file.getOriginalFilename() == null
                                    || file.getOriginalFilename().isBlank()
                            ? "members.import.noFile"
                            : "members.import.emptyFile",
                    model,
                    response);
        }
        ImportPreview preview;
        try (InputStream in = file.getInputStream()) {
            preview = members.uploadImport(file.getOriginalFilename(), in);
        } catch (PatronException e) {
            return uploadProblem(
                    e.fieldErrors().isEmpty()
                            ? e.messageKey()
                            : e.fieldErrors().get(0).messageKey(),
                    model,
                    response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        session.setAttribute(PREVIEW + preview.jobId(), preview);
        return "redirect:/members/imports/" + preview.jobId() + "/mapping";
    }

    private static String uploadProblem(String key, Model model, HttpServletResponse response) {
        response.setStatus(HttpStatus.BAD_REQUEST.value());
        model.addAttribute("problem", key);
        return "members/import-upload";
    }

    // ------------------------------------------------------------------ step 2: preview and mapping

    @GetMapping("/{id:\\d+}/mapping")
    String mapping(@PathVariable long id, HttpSession session, Model model) {
        ImportJob job = members.importJob(id);
        ImportPreview preview = (ImportPreview) session.getAttribute(PREVIEW + id);
        if (preview == null || !"UPLOADED".equals(job.status())) {
            return "redirect:/members/imports/" + id;
        }
        return mappingPage(preview, preview.suggestedMapping(), ImportMode.SKIP_BAD_ROWS, Map.of(), List.of(), model);
    }

    /**
     * Runs the import with the mapping of the form: {@code column<i>} is the header of the i-th
     * column, {@code field<i>} the member field it goes to (empty: ignored). A mapping the module
     * refuses shows the form again with the reasons next to the columns.
     */
    @PostMapping("/{id:\\d+}/run")
    String run(
            @PathVariable long id,
            @RequestParam Map<String, String> params,
            HttpSession session,
            Model model,
            HttpServletResponse response) {
        ImportJob job = members.importJob(id);
        ImportPreview preview = (ImportPreview) session.getAttribute(PREVIEW + id);
        if (preview == null || !"UPLOADED".equals(job.status())) {
            return "redirect:/members/imports/" + id;
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (int i = 0; params.containsKey("column" + i); i++) {
            String field = params.get("field" + i);
            if (field != null && !field.isBlank()) {
                mapping.put(params.get("column" + i), field.strip());
            }
        }
        ImportMode mode;
        try {
            mode = ImportMode.valueOf(params.getOrDefault("mode", ""));
        } catch (IllegalArgumentException e) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            return mappingPage(preview, mapping, null, Map.of(), List.of(msg("members.import.chooseMode")), model);
        }
        try {
            members.runImport(id, new ImportCommand(mapping, mode));
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            Map<String, String> byColumn = new LinkedHashMap<>();
            List<String> general = new ArrayList<>();
            for (PatronException.FieldError fe : e.fieldErrors()) {
                String text = msg(fe.messageKey(), fe.args());
                if (fe.field().startsWith("mapping.")) {
                    byColumn.merge(fe.field().substring("mapping.".length()), text, (a, b) -> a + "; " + b);
                } else {
                    general.add(text);
                }
            }
            response.setStatus(e.status().value());
            return mappingPage(preview, mapping, mode, byColumn, general, model);
        }
        session.removeAttribute(PREVIEW + id);
        return "redirect:/members/imports/" + id;
    }

    private String mappingPage(
            ImportPreview preview,
            Map<String, String> mapping,
            ImportMode mode,
            Map<String, String> errors,
            List<String> general,
            Model model) {
        List<ColumnRow> columns = new ArrayList<>();
        for (int i = 0; i < preview.headers().size(); i++) {
            String header = preview.headers().get(i);
            List<String> examples = new ArrayList<>();
            for (List<String> row : preview.sample()) {
                if (i < row.size() && row.get(i) != null && !row.get(i).isBlank() && examples.size() < 3) {
                    examples.add(row.get(i));
                }
            }
            columns.add(new ColumnRow(i, header, examples, mapping.get(header), errors.get(header)));
        }
        List<String> unknownColumns = errors.keySet().stream()
                .filter(h -> !preview.headers().contains(h))
                .toList();
        List<String> problems = new ArrayList<>(general);
        unknownColumns.forEach(h -> problems.add(errors.get(h)));
        model.addAttribute("preview", preview);
        model.addAttribute("columns", columns);
        model.addAttribute("mode", mode);
        model.addAttribute("modes", ImportMode.values());
        model.addAttribute("problems", problems);
        model.addAttribute("hasErrors", !problems.isEmpty() || !errors.isEmpty());
        return "members/import-mapping";
    }

    // ------------------------------------------------------------------ step 3: the report

    @GetMapping("/{id:\\d+}")
    String report(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            HttpSession session,
            Model model) {
        ImportJob job = members.importJob(id);
        if ("UPLOADED".equals(job.status()) && session.getAttribute(PREVIEW + id) != null) {
            return "redirect:/members/imports/" + id + "/mapping";
        }
        PageQuery query = PageQuery.of(page, size, null, null);
        PageResult<ProblemRow> problems = members.importProblems(id, query).map(this::view);
        model.addAttribute("job", job);
        model.addAttribute("result", problems);
        model.addAttribute("links", ListLinks.of("/members/imports/" + id, query, "row"));
        return "members/import-report";
    }

    /** The whole report as CSV (UTF-8 with BOM, so that Excel opens Chinese text correctly). */
    @GetMapping("/{id:\\d+}/problems.csv")
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
            ProblemRow v = view(p);
            csv.writeRecord(String.valueOf(v.row()), v.field(), v.kind(), v.message());
        });
        csv.flush();
    }

    private ProblemRow view(ImportProblem p) {
        Object[] args = p.args().stream()
                .map(a -> a != null && a.matches("#-?\\d{1,18}") ? (Object) Long.valueOf(a.substring(1)) : a)
                .toArray();
        return new ProblemRow(p.row(), p.field(), p.kind(), msg(p.messageKey(), args));
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
