package dev.patron.sales;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Historical sales import (ADMIN, all stores): upload a CSV of line items, look at its columns and
 * first rows, run it — in the background, one import at a time per Patron instance — and read its
 * progress and row-level report. Imported tickets have source IMPORT, earn points only when asked
 * ({@code accruePoints}), are announced in {@link SalesRecorded} events like POS tickets, and are
 * recorded at most once: a ticket whose (store, POS transaction id) exists is skipped and reported,
 * so running the same file again changes nothing. See {@link SalesImportRunner}.
 */
@Service
public class SalesImports {

    static final int PREVIEW_ROWS = 20;

    private final JdbcClient jdbc;
    private final SalesImportRunner runner;
    private final Path directory;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sales-import");
        t.setDaemon(true);
        return t;
    });

    SalesImports(JdbcClient jdbc, SalesImportRunner runner) {
        this.jdbc = jdbc;
        this.runner = runner;
        this.directory = Path.of(System.getProperty("java.io.tmpdir"), "patron-imports");
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /**
     * At start-up, imports left RUNNING by a Patron that stopped during the run are marked FAILED
     * (their unlogged staging tables are dropped): the chunks they wrote stay, and running the file
     * again skips them. Assumes one Patron runs imports against the database at a time.
     */
    @EventListener(ApplicationReadyEvent.class)
    void failInterrupted() {
        List<Long> ids = jdbc.sql("""
                update sales.import_job set status = 'FAILED', phase = '', finished_at = now(),
                    error = 'interrupted: Patron stopped during the run'
                where status = 'RUNNING' returning id""").query(Long.class).list();
        for (Long id : ids) {
            runner.dropStaging(id);
        }
    }

    /** Stores an uploaded CSV and answers its columns and first rows; 400 when required columns are missing. */
    public SalesImportPreview upload(String fileName, InputStream content) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        String name = fileName == null || fileName.isBlank()
                ? "sales.csv"
                : Path.of(fileName).getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".csv") && !lower.endsWith(".txt")) {
            throw PatronException.invalid("file", "sales.import.format");
        }
        Path file;
        long bytes;
        try {
            Files.createDirectories(directory);
            file = directory.resolve("sales-" + UUID.randomUUID() + ".csv");
            bytes = Files.copy(content, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> headers = new ArrayList<>();
        List<List<String>> sample = new ArrayList<>();
        try {
            Charset charset = SalesImportRunner.detectCharset(file);
            try (CsvReader<CsvRecord> csv = CsvReader.builder()
                    .allowMissingFields(true)
                    .allowExtraFields(true)
                    .skipEmptyLines(true)
                    .ofCsvRecord(file, charset)) {
                for (CsvRecord r : csv) {
                    if (headers.isEmpty()) {
                        List<String> h = new ArrayList<>(r.getFields());
                        if (!h.isEmpty() && h.get(0).startsWith("\uFEFF")) {
                            h.set(0, h.get(0).substring(1));
                        }
                        h.replaceAll(String::strip);
                        headers.addAll(h);
                        continue;
                    }
                    sample.add(List.copyOf(r.getFields()));
                    if (sample.size() >= PREVIEW_ROWS) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            throw PatronException.invalid("file", "sales.import.unreadable");
        }
        if (headers.isEmpty() || bytes == 0) {
            deleteQuietly(file);
            throw PatronException.invalid("file", "sales.import.empty");
        }
        List<String> missing = SalesImportFormat.missing(headers);
        if (!missing.isEmpty()) {
            deleteQuietly(file);
            throw PatronException.invalid("file", "sales.import.missingColumns", String.join(", ", missing));
        }
        long id = jdbc.sql("""
                insert into sales.import_job(file_name, file_path, file_bytes, headers, created_by)
                values (?, ?, ?, ?, ?) returning id""")
                .params(
                        name,
                        file.toString(),
                        bytes,
                        headers.toArray(String[]::new),
                        CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        return new SalesImportPreview(id, name, bytes, headers, SalesImportFormat.ignored(headers), sample);
    }

    /** The first rows of an uploaded (not yet run) file again, for the preview page. */
    public SalesImportPreview preview(long jobId) {
        SalesImportJob job = job(jobId);
        String path = jdbc.sql("select file_path from sales.import_job where id = ?")
                .param(jobId)
                .query(String.class)
                .single();
        List<List<String>> sample = new ArrayList<>();
        Path file = Path.of(path);
        if ("UPLOADED".equals(job.status()) && Files.exists(file)) {
            try (CsvReader<CsvRecord> csv = CsvReader.builder()
                    .allowMissingFields(true)
                    .allowExtraFields(true)
                    .skipEmptyLines(true)
                    .ofCsvRecord(file, SalesImportRunner.detectCharset(file))) {
                boolean header = true;
                for (CsvRecord r : csv) {
                    if (header) {
                        header = false;
                        continue;
                    }
                    sample.add(List.copyOf(r.getFields()));
                    if (sample.size() >= PREVIEW_ROWS) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new SalesImportPreview(
                jobId,
                job.fileName(),
                job.fileBytes(),
                job.headers(),
                SalesImportFormat.ignored(job.headers()),
                sample);
    }

    /**
     * Starts an uploaded import in the background (one at a time; a second waits for the first) and
     * answers the job, RUNNING; its progress and outcome are read with {@link #job}. 409 unless the
     * job is UPLOADED.
     */
    public SalesImportJob run(long jobId, SalesImportMode mode, boolean accruePoints) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        SalesImportJob job = job(jobId);
        SalesImportMode m = mode == null ? SalesImportMode.SKIP_BAD_TICKETS : mode;
        int claimed = jdbc.sql("""
                update sales.import_job set status = 'RUNNING', phase = 'QUEUED', mode = ?, accrue_points = ?,
                    started_at = now() where id = ? and status = 'UPLOADED'""").params(m.name(), accruePoints, jobId).update();
        if (claimed == 0) {
            throw new PatronException(HttpStatus.CONFLICT, "sales.import.notUploaded", jobId, job.status());
        }
        Path file = Path.of(jdbc.sql("select file_path from sales.import_job where id = ?")
                .param(jobId)
                .query(String.class)
                .single());
        StaffPrincipal actor = CurrentStaff.get();
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(SecurityContextHolder.getContext().getAuthentication());
        executor.submit(() -> {
            SecurityContextHolder.setContext(context);
            try {
                runner.run(jobId, file, m, accruePoints, actor);
            } finally {
                SecurityContextHolder.clearContext();
            }
        });
        return job(jobId);
    }

    /** An import's status, progress and counts (ADMIN). */
    @Transactional(readOnly = true)
    public SalesImportJob job(long jobId) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return find(jobId).orElseThrow(() -> PatronException.notFound("sales.import.notFound", jobId));
    }

    /** Recent imports, newest first (ADMIN). */
    @Transactional(readOnly = true)
    public PageResult<SalesImportJob> jobs(PageQuery page) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        long total = jdbc.sql("select count(*) from sales.import_job")
                .query(Long.class)
                .single();
        List<SalesImportJob> items = jdbc.sql(SELECT + " order by id desc limit ? offset ?")
                .params(page.size(), page.offset())
                .query((rs, n) -> map(rs))
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    /** The report of an import, by row: errors, and tickets skipped because they were recorded before. */
    @Transactional(readOnly = true)
    public PageResult<SalesImportProblem> problems(long jobId, PageQuery page) {
        job(jobId);
        long total = jdbc.sql("select count(*) from sales.import_problem where job_id = ?")
                .param(jobId)
                .query(Long.class)
                .single();
        List<SalesImportProblem> items = jdbc.sql("""
                select row_no, field, kind, message_key, args from sales.import_problem where job_id = ?
                order by row_no, id limit ? offset ?""")
                .params(jobId, page.size(), page.offset())
                .query((rs, n) -> problem(rs))
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    /** Streams the whole report (for a CSV download). */
    @Transactional(readOnly = true)
    public void forEachProblem(long jobId, Consumer<SalesImportProblem> sink) {
        job(jobId);
        try (var stream = jdbc.sql("""
                select row_no, field, kind, message_key, args from sales.import_problem where job_id = ?
                order by row_no, id""").param(jobId).withFetchSize(1000).query((rs, n) -> problem(rs)).stream()) {
            stream.forEach(sink);
        }
    }

    private static final String SELECT = """
            select id, file_name, file_bytes, headers, status, phase, mode, accrue_points, total_rows, total_tickets,
                   imported_tickets, imported_rows, skipped_tickets, failed_tickets, failed_rows, error, created_by,
                   created_at, started_at, finished_at
            from sales.import_job""";

    private Optional<SalesImportJob> find(long id) {
        return jdbc.sql(SELECT + " where id = ?")
                .param(id)
                .query((rs, n) -> map(rs))
                .optional();
    }

    private static SalesImportJob map(java.sql.ResultSet rs) throws SQLException {
        String mode = rs.getString(7);
        return new SalesImportJob(
                rs.getLong(1),
                rs.getString(2),
                rs.getLong(3),
                strings(rs.getArray(4)),
                rs.getString(5),
                rs.getString(6),
                mode == null ? null : SalesImportMode.valueOf(mode),
                rs.getBoolean(8),
                rs.getLong(9),
                rs.getLong(10),
                rs.getLong(11),
                rs.getLong(12),
                rs.getLong(13),
                rs.getLong(14),
                rs.getLong(15),
                rs.getString(16),
                rs.getString(17),
                instant(rs.getTimestamp(18)),
                instant(rs.getTimestamp(19)),
                instant(rs.getTimestamp(20)));
    }

    private static SalesImportProblem problem(java.sql.ResultSet rs) throws SQLException {
        return new SalesImportProblem(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), strings(rs.getArray(5)));
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a left-over temporary file is harmless
        }
    }
}
