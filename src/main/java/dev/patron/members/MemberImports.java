package dev.patron.members;

import cn.idev.excel.FastExcel;
import cn.idev.excel.context.AnalysisContext;
import cn.idev.excel.metadata.data.ReadCellData;
import cn.idev.excel.read.listener.ReadListener;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.writer.CsvWriter;
import dev.patron.audit.AuditLog;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Imports members from CSV (UTF-8 or GB18030, as Excel in China saves it) or .xlsx, streaming:
 * rows are read one by one (SAX for Excel), checked with the same rules as the API, and copied in
 * batches into a staging table; then, in one transaction, duplicates against existing members and
 * within the file are set aside, cards are issued and the members inserted set-based. Memory use
 * does not grow with the file.
 */
@Component
class MemberImports {

    private static final Logger log = LoggerFactory.getLogger(MemberImports.class);

    static final int PREVIEW_ROWS = 20;
    static final int BATCH = 5000;
    static final List<String> FIELDS = List.of(
            "name",
            "phone",
            "email",
            "gender",
            "birthday",
            "region",
            "city",
            "occupation",
            "industry",
            "preferredStoreCode",
            "joinStoreCode",
            "joinedOn",
            "cardNumber",
            "tags");
    private static final Map<String, String> SYNONYMS = new HashMap<>();
    private static final Pattern TAG_SPLIT = Pattern.compile("[;,，；、|]");
    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE,
            DateTimeFormatter.ofPattern("yyyy/M/d"),
            DateTimeFormatter.ofPattern("yyyy.M.d"),
            DateTimeFormatter.ofPattern("yyyyMMdd"),
            DateTimeFormatter.ofPattern("yyyy-M-d"),
            DateTimeFormatter.ofPattern("yyyy年M月d日"));

    static {
        synonyms("name", "name", "姓名", "名字", "会员姓名", "客户姓名", "会员名称");
        synonyms("phone", "phone", "mobile", "手机", "手机号", "手机号码", "电话", "联系电话", "移动电话");
        synonyms("email", "email", "e-mail", "邮箱", "电子邮件", "电子邮箱");
        synonyms("gender", "gender", "sex", "性别");
        synonyms("birthday", "birthday", "birth date", "dob", "生日", "出生日期");
        synonyms("region", "region", "地区", "省份", "区域");
        synonyms("city", "city", "城市");
        synonyms("occupation", "occupation", "职业");
        synonyms("industry", "industry", "行业");
        synonyms("preferredStoreCode", "store", "preferred store", "门店", "常去门店", "门店编码");
        synonyms("joinStoreCode", "join store", "入会门店", "开卡门店");
        synonyms("joinedOn", "joined", "join date", "joined on", "入会日期", "开卡日期", "注册日期");
        synonyms("cardNumber", "card", "card number", "卡号", "会员卡号");
        synonyms("tags", "tags", "标签");
    }

    private static void synonyms(String field, String... names) {
        for (String n : names) {
            SYNONYMS.put(n.toLowerCase(Locale.ROOT), field);
        }
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final DataSource dataSource;
    private final TransactionTemplate tx;
    private final ProfileRules rules;
    private final OrganizationManagement organization;
    private final MembersProperties settings;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Path directory;

    MemberImports(
            JdbcClient jdbc,
            JdbcTemplate jdbcTemplate,
            DataSource dataSource,
            PlatformTransactionManager transactions,
            ProfileRules rules,
            OrganizationManagement organization,
            MembersProperties settings,
            AuditLog audit,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.dataSource = dataSource;
        this.tx = new TransactionTemplate(transactions);
        this.rules = rules;
        this.organization = organization;
        this.settings = settings;
        this.audit = audit;
        this.events = events;
        this.directory = Path.of(System.getProperty("java.io.tmpdir"), "patron-imports");
    }

    // ---------------------------------------------------------------- upload and preview

    ImportPreview upload(String fileName, InputStream content) {
        String name = fileName == null || fileName.isBlank()
                ? "members.csv"
                : Path.of(fileName).getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        String format =
                lower.endsWith(".xlsx") ? "XLSX" : lower.endsWith(".csv") || lower.endsWith(".txt") ? "CSV" : null;
        if (format == null) {
            throw PatronException.invalid("file", "members.import.format");
        }
        Path file;
        try {
            Files.createDirectories(directory);
            file = directory.resolve(UUID.randomUUID() + (format.equals("XLSX") ? ".xlsx" : ".csv"));
            Files.copy(content, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> headers = new ArrayList<>();
        List<List<String>> sample = new ArrayList<>();
        try {
            read(format, file, headers, (row, cells) -> {
                sample.add(cells);
                return sample.size() < PREVIEW_ROWS;
            });
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw PatronException.invalid("file", "members.import.unreadable");
        }
        if (headers.isEmpty()) {
            deleteQuietly(file);
            throw PatronException.invalid("file", "members.import.empty");
        }
        Map<String, String> suggested = new LinkedHashMap<>();
        for (String h : headers) {
            String f = SYNONYMS.get(h.trim().toLowerCase(Locale.ROOT));
            if (f != null && !suggested.containsValue(f)) {
                suggested.put(h, f);
            }
        }
        long id = jdbc.sql(
                        "insert into members.import_job(file_name, format, file_path, headers, created_by) values (?, ?, ?, ?, ?) returning id")
                .params(
                        name,
                        format,
                        file.toString(),
                        headers.toArray(String[]::new),
                        CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        return new ImportPreview(id, name, format, headers, sample, suggested, FIELDS);
    }

    /** Receives data rows (1-based row numbers, header = row 1); returns false to stop reading. */
    interface RowHandler {
        boolean row(long rowNo, List<String> cells);
    }

    private static void read(String format, Path file, List<String> headers, RowHandler handler) {
        if (format.equals("CSV")) {
            readCsv(file, headers, handler);
        } else {
            readXlsx(file, headers, handler);
        }
    }

    private static void readCsv(Path file, List<String> headers, RowHandler handler) {
        Charset charset = detectCharset(file);
        try (CsvReader<CsvRecord> csv = CsvReader.builder()
                .allowMissingFields(true)
                .allowExtraFields(true)
                .skipEmptyLines(true)
                .ofCsvRecord(file, charset)) {
            long rowNo = 0;
            for (CsvRecord r : csv) {
                rowNo++;
                List<String> fields = new ArrayList<>(r.getFields());
                if (rowNo == 1) {
                    if (!fields.isEmpty() && fields.get(0).startsWith("\uFEFF")) {
                        fields.set(0, fields.get(0).substring(1));
                    }
                    headers.addAll(fields.stream().map(String::trim).toList());
                    continue;
                }
                if (!handler.row(rowNo, fields)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** UTF-8 (with or without BOM) when the start of the file decodes as UTF-8, else GB18030 (Excel's "CSV" in China). */
    static Charset detectCharset(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(64 * 1024);
            int end = head.length;
            // do not judge a multi-byte character cut at the end of the sample
            while (end > 0 && end > head.length - 4 && (head[end - 1] & 0xC0) == 0x80) {
                end--;
            }
            if (end > 0 && (head[end - 1] & 0x80) != 0) {
                end--;
            }
            try {
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(head, 0, Math.max(0, end)));
                return StandardCharsets.UTF_8;
            } catch (CharacterCodingException e) {
                return Charset.forName("GB18030");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readXlsx(Path file, List<String> headers, RowHandler handler) {
        boolean[] stop = {false};
        FastExcel.read(file.toFile(), new ReadListener<Map<Integer, String>>() {
                    @Override
                    public void invokeHead(Map<Integer, ReadCellData<?>> head, AnalysisContext context) {
                        int max = head.keySet().stream()
                                .mapToInt(Integer::intValue)
                                .max()
                                .orElse(-1);
                        for (int i = 0; i <= max; i++) {
                            ReadCellData<?> cell = head.get(i);
                            headers.add(
                                    cell == null || cell.getStringValue() == null
                                            ? ""
                                            : cell.getStringValue().trim());
                        }
                    }

                    @Override
                    public void invoke(Map<Integer, String> data, AnalysisContext context) {
                        int max = Math.max(
                                headers.size() - 1,
                                data.keySet().stream()
                                        .mapToInt(Integer::intValue)
                                        .max()
                                        .orElse(-1));
                        List<String> cells = new ArrayList<>();
                        for (int i = 0; i <= max; i++) {
                            cells.add(data.get(i));
                        }
                        if (!handler.row(context.readRowHolder().getRowIndex() + 1L, cells)) {
                            stop[0] = true;
                        }
                    }

                    @Override
                    public boolean hasNext(AnalysisContext context) {
                        return !stop[0];
                    }

                    @Override
                    public void doAfterAllAnalysed(AnalysisContext context) {}
                })
                .sheet(0)
                .headRowNumber(1)
                .doRead();
    }

    // ---------------------------------------------------------------- run

    /** Maps, checks and imports the uploaded file; returns the finished job (its report via {@link #problems}). */
    ImportJob run(long jobId, ImportCommand cmd) {
        StaffPrincipal actor = CurrentStaff.get();
        var job = jdbc.sql("select format, file_path, headers, status from members.import_job where id = ?")
                .param(jobId)
                .query((rs, n) -> new Object[] {
                    rs.getString(1), rs.getString(2), MemberRows.strings(rs.getArray(3)), rs.getString(4)
                })
                .optional()
                .orElseThrow(() -> PatronException.notFound("error.members.import.notFound", jobId));
        @SuppressWarnings("unchecked")
        List<String> headers = (List<String>) job[2];
        Map<Integer, String> columns = mapping(cmd, headers);
        ImportMode mode = cmd.mode() == null ? ImportMode.SKIP_BAD_ROWS : cmd.mode();
        int claimed = jdbc.sql(
                        "update members.import_job set status = 'RUNNING', mode = ?, mapping = cast(? as jsonb) where id = ? and status = 'UPLOADED'")
                .params(mode.name(), MemberRows.toJson(cmd.mapping()), jobId)
                .update();
        if (claimed == 0) {
            throw new PatronException(HttpStatus.CONFLICT, "error.members.import.notUploaded", jobId, job[3]);
        }
        Path file = Path.of((String) job[1]);
        Timings timings = new Timings();
        Staging staging = new Staging(jobId, columns, actor.scope());
        try {
            read((String) job[0], file, new ArrayList<>(), (rowNo, cells) -> {
                staging.add(rowNo, cells);
                return true;
            });
            staging.flush();
            staging.awaitCopy();
            timings.since("readCheckAndStage");
            ImportJob done =
                    tx.execute(status -> finish(jobId, mode, staging.total, staging.failedRows, actor, timings));
            timings.since("finalTransaction");
            log.info(
                    "Member import {}: {} rows, {} created, {} duplicates, {} failed; {}",
                    jobId,
                    done.totalRows(),
                    done.createdRows(),
                    done.duplicateRows(),
                    done.failedRows(),
                    timings);
            return done;
        } catch (RuntimeException e) {
            jdbc.sql("update members.import_job set status = 'FAILED', finished_at = now() where id = ?")
                    .param(jobId)
                    .update();
            throw e;
        } finally {
            staging.close();
            deleteQuietly(file);
        }
    }

    private static Map<Integer, String> mapping(ImportCommand cmd, List<String> headers) {
        if (cmd.mapping() == null || cmd.mapping().isEmpty()) {
            throw PatronException.invalid("mapping", "validation.required");
        }
        Map<Integer, String> columns = new LinkedHashMap<>();
        Problems problems = new Problems();
        cmd.mapping().forEach((header, field) -> {
            if (field == null || field.isBlank()) {
                return;
            }
            int index = headers.indexOf(header);
            if (index < 0) {
                problems.add("mapping." + header, "members.import.unknownColumn", header);
            } else if (!FIELDS.contains(field)
                    && !field.startsWith("custom:")
                    && !(field.startsWith("externalId:")
                            && ProfileRules.SYSTEM.matcher(field.substring(11)).matches())) {
                problems.add("mapping." + header, "members.import.unknownField", field);
            } else if (columns.containsValue(field)) {
                problems.add("mapping." + header, "members.import.mappedTwice", field);
            } else {
                columns.put(index, field);
            }
        });
        if (!columns.containsValue("name")) {
            problems.add("mapping", "members.import.nameRequired");
        }
        problems.throwIfAny();
        return columns;
    }

    /**
     * Checks rows and copies the good ones to the staging table, errors to the report, in batches.
     * A batch's COPY runs on its own thread while the next batch is read and checked (at most one
     * in flight), so the parsing and checking here and PostgreSQL's work on the COPY share the
     * cores instead of taking turns.
     */
    private final class Staging implements AutoCloseable {
        final long jobId;
        final Map<Integer, String> columns;
        final StoreScope scope;
        final List<CustomField> definitions = rules.definitions();
        final Map<String, Optional<Long>> stores = new HashMap<>();
        final StringWriter rows = new StringWriter();
        CsvWriter csv = CsvWriter.builder().build(rows);
        final List<Object[]> errors = new ArrayList<>();
        /** card serials reserved from members.card_number_seq, a batch at a time */
        final java.util.ArrayDeque<Long> serials = new java.util.ArrayDeque<>();

        final java.util.concurrent.ExecutorService copier;
        /** the COPY of the last batch handed over, or null */
        java.util.concurrent.Future<?> copying;

        int pending;
        long total;
        long failedRows;

        /**
         * The next electronic card number: prefix + serial from the card sequence + Luhn digit, as
         * enrolment issues them, computed here instead of by a SQL function per row in the final
         * transaction. Numbers of rows that turn out duplicates are left unused (gaps, as with
         * any sequence).
         */
        String nextCardNumber() {
            if (serials.isEmpty()) {
                serials.addAll(jdbc.sql("select nextval('members.card_number_seq') from generate_series(1, ?)")
                        .param(BATCH)
                        .query(Long.class)
                        .list());
            }
            return CardNumbers.generate(settings.cards(), serials.poll());
        }

        Staging(long jobId, Map<Integer, String> columns, StoreScope scope) {
            this.jobId = jobId;
            this.columns = columns;
            this.scope = scope;
            this.copier = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "member-import-" + jobId + "-copy");
                t.setDaemon(true);
                return t;
            });
        }

        /** Waits for the COPY in flight (if any) and rethrows its failure. */
        void awaitCopy() {
            if (copying == null) {
                return;
            }
            try {
                copying.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying into the import staging table", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("COPY into the import staging table failed", e.getCause());
            } finally {
                copying = null;
            }
        }

        /** Ends the copy thread; a COPY still in flight (after a failure elsewhere) is waited for, its error dropped. */
        @Override
        public void close() {
            try {
                awaitCopy();
            } catch (RuntimeException e) {
                log.debug("Import {}: staging COPY failed after the import had failed", jobId, e);
            } finally {
                copier.shutdownNow();
            }
        }

        void add(long rowNo, List<String> cells) {
            Map<String, String> v = new HashMap<>();
            columns.forEach((index, field) -> {
                String cell = index < cells.size() ? cells.get(index) : null;
                if (cell != null && !cell.isBlank()) {
                    v.put(field, cell.trim());
                }
            });
            if (v.isEmpty()) {
                return; // a blank line
            }
            total++;
            Problems problems = new Problems();
            Gender gender = gender(v.get("gender"), problems);
            LocalDate birthday = date(v.get("birthday"), "birthday", problems);
            LocalDate joinedOn = date(v.get("joinedOn"), "joinedOn", problems);
            Map<String, Object> custom = new LinkedHashMap<>();
            v.forEach((k, value) -> {
                if (k.startsWith("custom:")) {
                    custom.put(k.substring(7), value);
                }
            });
            List<String> tags = v.get("tags") == null
                    ? List.of()
                    : Arrays.stream(TAG_SPLIT.split(v.get("tags")))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .toList();
            MemberProfile p = new MemberProfile(
                    MemberKind.INDIVIDUAL,
                    v.get("name"),
                    v.get("phone"),
                    v.get("email"),
                    gender,
                    birthday,
                    v.get("region"),
                    v.get("city"),
                    v.get("occupation"),
                    v.get("industry"),
                    null,
                    null,
                    null,
                    null,
                    null,
                    joinedOn,
                    JoinChannel.IMPORT,
                    null,
                    null,
                    null,
                    null,
                    null,
                    tags,
                    custom);
            ProfileRules.Valid valid = rules.checkFormat(p, true, JoinChannel.IMPORT, problems, definitions);
            Long preferred = store(v.get("preferredStoreCode"), "preferredStoreCode", problems);
            Long join = store(v.get("joinStoreCode"), "joinStoreCode", problems);
            if (problems.isEmpty() && !scope.allStores() && !MemberManagement.inScope(scope, preferred, join)) {
                problems.add(
                        preferred == null && join == null ? "joinStoreCode" : "preferredStoreCode",
                        "error.store.outOfScope");
            }
            String card = MemberWriter.cleanCard(v.get("cardNumber"));
            if (card != null && !CardNumbers.acceptable(settings.cards(), card)) {
                problems.add(
                        "cardNumber",
                        "members.validation.cardNumber",
                        settings.cards().length());
            }
            String extSystem = null;
            String extValue = null;
            for (Map.Entry<String, String> e : v.entrySet()) {
                if (e.getKey().startsWith("externalId:")) {
                    extSystem = e.getKey().substring(11);
                    extValue = e.getValue();
                    if (extValue.length() > 200) {
                        problems.add(e.getKey(), "members.validation.tooLong", 200);
                    }
                }
            }
            if (!problems.isEmpty()) {
                failedRows++;
                for (var fe : problems.errors()) {
                    errors.add(new Object[] {
                        jobId,
                        rowNo,
                        fe.field(),
                        fe.messageKey(),
                        Arrays.stream(fe.args())
                                .map(a -> a instanceof Number ? "#" + a : String.valueOf(a))
                                .toArray(String[]::new)
                    });
                }
            } else {
                csv.writeRecord(
                        String.valueOf(jobId),
                        String.valueOf(rowNo),
                        valid.name(),
                        valid.pinyin().full(),
                        valid.pinyin().initials(),
                        valid.phone(),
                        valid.email(),
                        gender == null ? null : gender.name(),
                        birthday == null ? null : birthday.toString(),
                        valid.region(),
                        valid.city(),
                        valid.occupation(),
                        valid.industry(),
                        preferred == null ? null : preferred.toString(),
                        join == null ? null : join.toString(),
                        valid.joinedOn().toString(),
                        card != null ? card : nextCardNumber(),
                        String.valueOf(card != null),
                        valid.tags().isEmpty() ? null : String.join("\u001f", valid.tags()),
                        extSystem,
                        extValue,
                        MemberRows.toJson(valid.customFields()));
                pending++;
            }
            if (pending >= BATCH || errors.size() >= BATCH) {
                flush();
            }
        }

        private Long store(String code, String field, Problems problems) {
            if (code == null) {
                return null;
            }
            Optional<Long> id = stores.computeIfAbsent(code.toUpperCase(Locale.ROOT), organization::storeIdByCode);
            if (id.isEmpty()) {
                problems.add(field, "error.store.notFound", code);
                return null;
            }
            return id.get();
        }

        void flush() {
            if (pending > 0) {
                try {
                    csv.flush(); // the writer buffers: hand everything to the StringWriter first
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                String batch = rows.toString();
                rows.getBuffer().setLength(0);
                csv = CsvWriter.builder().build(rows);
                pending = 0;
                awaitCopy();
                copying = copier.submit(() -> copy("""
                        copy members.import_row(job_id, row_no, name, name_pinyin, name_initials, phone, email, gender, birthday,
                            region, city, occupation, industry, preferred_store_id, join_store_id, joined_on, card_number, card_given,
                            tags, ext_system, ext_value, custom_fields) from stdin (format csv)""", batch));
            }
            if (!errors.isEmpty()) {
                jdbcTemplate.batchUpdate(
                        "insert into members.import_error(job_id, row_no, field, message_key, args) values (?, ?, ?, ?, ?)",
                        errors);
                errors.clear();
            }
        }
    }

    private void copy(String sql, String data) {
        try (Connection c = dataSource.getConnection()) {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(data));
        } catch (SQLException e) {
            throw new IllegalStateException("COPY into the import staging table failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Gender gender(String value, Problems problems) {
        if (value == null) {
            return null;
        }
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "M", "MALE", "男", "先生" -> Gender.MALE;
            case "F", "FEMALE", "女", "女士" -> Gender.FEMALE;
            case "U", "UNKNOWN", "未知", "保密" -> Gender.UNKNOWN;
            default -> {
                problems.add("gender", "members.import.gender");
                yield null;
            }
        };
    }

    static LocalDate date(String value, String field, Problems problems) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() > 10 && v.charAt(4) == '-' && v.charAt(10) == ' ') {
            v = v.substring(0, 10); // Excel date cells arrive as "yyyy-MM-dd HH:mm:ss"
        }
        for (DateTimeFormatter f : DATES) {
            try {
                return LocalDate.parse(v, f);
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        problems.add(field, "members.import.date");
        return null;
    }

    /** Wall-clock time per step of an import, logged at the end (INFO) so a slow import shows where it went. */
    static final class Timings {
        private final Map<String, Long> millis = new LinkedHashMap<>();
        private long mark = System.nanoTime();

        /** Runs {@code step} and records how long it took under {@code name}. */
        <T> T step(String name, java.util.function.Supplier<T> step) {
            long t0 = System.nanoTime();
            T result = step.get();
            millis.merge(name, (System.nanoTime() - t0) / 1_000_000, Long::sum);
            return result;
        }

        /** Records the time since the last call of {@code since} (or the start) under {@code name}. */
        void since(String name) {
            long now = System.nanoTime();
            millis.merge(name, (now - mark) / 1_000_000, Long::sum);
            mark = now;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            millis.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ")
                    .append(k)
                    .append(' ')
                    .append(v)
                    .append(" ms"));
            return b.toString();
        }
    }

    /** Set-based second half, in one transaction: duplicates, card conflicts, then the members. */
    private ImportJob finish(
            long jobId, ImportMode mode, long total, long failedRows, StaffPrincipal actor, Timings timings) {
        // the staging table was just filled: give the planner its size (it is never auto-analysed in time)
        timings.step("analyse", () -> jdbc.sql("analyze members.import_row").update());
        // duplicates within the file: the first row with a phone or external id wins
        timings.step(
                "duplicatesInFile",
                () -> jdbc.sql("""
                update members.import_row r set status = 'DUPLICATE', reason_key = 'members.import.duplicateInFile',
                    reason_args = array['#' || f.first_row, 'phone']
                from (select phone, min(row_no) as first_row from members.import_row where job_id = :job and phone is not null
                      group by phone having count(*) > 1) f
                where r.job_id = :job and r.phone = f.phone and r.row_no > f.first_row""").param("job", jobId).update()
                        + jdbc.sql("""
                update members.import_row r set status = 'DUPLICATE', reason_key = 'members.import.duplicateInFile',
                    reason_args = array['#' || f.first_row, 'externalId']
                from (select ext_system, ext_value, min(row_no) as first_row from members.import_row
                      where job_id = :job and ext_value is not null and status = 'OK' group by ext_system, ext_value having count(*) > 1) f
                where r.job_id = :job and r.status = 'OK' and r.ext_system = f.ext_system and r.ext_value = f.ext_value
                  and r.row_no > f.first_row""").param("job", jobId).update());
        // duplicates of existing members: same phone (active member) or same external id
        timings.step(
                "existingMembers",
                // one probe of the identifier index per row (the matches first, then one update of those rows)
                () -> jdbc.sql("""
                with hit as (
                    select r.row_no, min(i.member_id) as member_id
                    from members.import_row r
                    join members.identifier i on i.kind = 'PHONE' and i.system = '' and i.value = r.phone
                    join members.member m on m.id = i.member_id and m.status = 'ACTIVE'
                    where r.job_id = :job and r.status = 'OK' and r.phone is not null
                    group by r.row_no)
                update members.import_row r set status = 'DUPLICATE', reason_key = 'members.import.existingMember',
                    reason_args = array['#' || hit.member_id, 'phone']
                from hit where r.job_id = :job and r.row_no = hit.row_no""").param("job", jobId).update()
                        + jdbc.sql("""
                update members.import_row r set status = 'DUPLICATE', reason_key = 'members.import.existingMember',
                    reason_args = array['#' || i.member_id, 'externalId']
                from members.identifier i
                where r.job_id = :job and r.status = 'OK' and i.kind = 'EXTERNAL' and i.system = r.ext_system and i.value = r.ext_value""").param("job", jobId).update());
        // a given card number in use, or given twice in the file, is an error of that row
        long cardErrors = timings.step(
                "givenCards", () -> jdbc.sql("""
                with bad as (
                    update members.import_row r set status = 'ERROR'
                    where r.job_id = :job and r.status = 'OK' and r.card_given and (
                        exists (select 1 from members.card c where c.number = r.card_number)
                        or exists (select 1 from members.import_row o where o.job_id = r.job_id and o.card_number = r.card_number
                                   and o.card_given and o.row_no < r.row_no and o.status <> 'ERROR'))
                    returning r.row_no, r.card_number)
                insert into members.import_error(job_id, row_no, field, message_key, args)
                select :job, row_no, 'cardNumber', 'error.members.card.taken', array[card_number] from bad""").param("job", jobId).update());
        failedRows += cardErrors;
        long duplicates = jdbc.sql("select count(*) from members.import_row where job_id = ? and status = 'DUPLICATE'")
                .param(jobId)
                .query(Long.class)
                .single();
        long created = 0;
        if (mode == ImportMode.SKIP_BAD_ROWS || failedRows == 0) {
            created = insertMembers(jobId, actor, timings);
        }
        String status = mode == ImportMode.ALL_OR_NOTHING && failedRows > 0 ? "FAILED" : "DONE";
        timings.step(
                "cleanUp",
                () -> jdbc.sql("delete from members.import_row where job_id = ? and status = 'OK'")
                        .param(jobId)
                        .update());
        jdbc.sql("""
                update members.import_job set status = ?, total_rows = ?, created_rows = ?, duplicate_rows = ?, failed_rows = ?,
                    finished_at = clock_timestamp() where id = ?""")
                .params(status, total, created, duplicates, failedRows, jobId)
                .update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mode", mode.name());
        details.put("rows", total);
        details.put("created", created);
        details.put("duplicates", duplicates);
        details.put("failed", failedRows);
        audit.recordAs(actor, "members.imported", "memberImport", jobId, details);
        if (created > 0) {
            events.publishEvent(new MembersImported(jobId, created));
        }
        return job(jobId).orElseThrow();
    }

    private long insertMembers(long jobId, StaffPrincipal actor, Timings timings) {
        MembersProperties.Cards cards = settings.cards();
        // generated card numbers were assigned while staging (Staging.nextCardNumber); a pre-printed
        // physical card may hold one of them: give those rows the next numbers
        while (true) {
            List<Long> clash = timings.step(
                    "generatedCardClashes",
                    () -> jdbc.sql("""
                    select r.row_no from members.import_row r where r.job_id = ? and r.status = 'OK' and not r.card_given
                    and exists (select 1 from members.card c where c.number = r.card_number)""").param(jobId).query(Long.class).list());
            if (clash.isEmpty()) {
                break;
            }
            for (Long row : clash) {
                String n;
                do {
                    n = CardNumbers.generate(
                            cards,
                            jdbc.sql("select nextval('members.card_number_seq')")
                                    .query(Long.class)
                                    .single());
                } while (jdbc.sql("select exists (select 1 from members.card where number = ?)")
                        .param(n)
                        .query(Boolean.class)
                        .single());
                jdbc.sql("update members.import_row set card_number = ? where job_id = ? and row_no = ?")
                        .params(n, jobId, row)
                        .update();
            }
        }
        long created =
                timings.step("member", () -> (long) jdbc.sql("""
                insert into members.member(id, kind, name, name_pinyin, name_initials, phone, email, gender, birthday, region, city,
                    occupation, industry, preferred_store_id, join_store_id, joined_on, join_channel, custom_fields)
                select member_id, 'INDIVIDUAL', name, name_pinyin, name_initials, phone, email, gender, birthday, region, city,
                    occupation, industry, preferred_store_id, join_store_id, joined_on, 'IMPORT', custom_fields
                from members.import_row where job_id = ? and status = 'OK' order by row_no""").param(jobId).update());
        // in member order: every row's foreign-key check probes and locks its member row, so the
        // member pages are then visited once each, in order, not at random. No ON CONFLICT: the
        // steps above leave no row that can clash (phones and external ids checked, card numbers
        // checked or generated), and a speculative insert would probe every unique index once more
        // per row; a clash from a concurrent enrolment fails the import as a whole (nothing written)
        timings.step("identifier", () -> jdbc.sql("""
                insert into members.identifier(member_id, kind, system, value)
                select member_id, kind, system, value from (
                    select member_id, 'PHONE' as kind, '' as system, phone as value from members.import_row
                    where job_id = :job and status = 'OK' and phone is not null
                    union all
                    select member_id, 'EMAIL', '', email from members.import_row where job_id = :job and status = 'OK' and email is not null
                    union all
                    select member_id, 'EXTERNAL', ext_system, ext_value from members.import_row
                    where job_id = :job and status = 'OK' and ext_value is not null
                    union all
                    select member_id, 'CARD', '', card_number from members.import_row where job_id = :job and status = 'OK') i
                order by member_id""").param("job", jobId).update());
        // the cards and their first event in one statement (the new card ids come back from the
        // insert instead of a join of the staged rows with the whole card table by number)
        timings.step(
                "card", () -> jdbc.sql("""
                with c as (
                    insert into members.card(number, member_id, kind, issued_store_id)
                    select card_number, member_id, case when card_given then 'PHYSICAL' else 'ELECTRONIC' end,
                           coalesce(join_store_id, preferred_store_id)
                    from members.import_row where job_id = ? and status = 'OK' order by member_id
                    returning id)
                insert into members.card_event(card_id, status, actor, reason)
                select id, 'ACTIVE', ?, 'import' from c order by id""").params(jobId, actor.auditName()).update());
        timings.step(
                "tags",
                () -> jdbc.sql("""
                insert into members.tag(name)
                select distinct on (lower(t)) t from members.import_row r, unnest(string_to_array(r.tags, chr(31))) as t
                where r.job_id = ? and r.status = 'OK' and r.tags is not null
                on conflict ((lower(name))) do nothing""").param(jobId).update()
                        + jdbc.sql("""
                insert into members.member_tag(member_id, tag_id)
                select r.member_id, tg.id from members.import_row r, unnest(string_to_array(r.tags, chr(31))) as t
                join members.tag tg on lower(tg.name) = lower(t)
                where r.job_id = ? and r.status = 'OK' and r.tags is not null
                on conflict do nothing""").param(jobId).update());
        return created;
    }

    // ---------------------------------------------------------------- report

    Optional<ImportJob> job(long id) {
        return jdbc.sql("""
                select id, file_name, format, status, mode, total_rows, created_rows, duplicate_rows, failed_rows, created_by,
                       created_at, finished_at from members.import_job where id = ?""")
                .param(id)
                .query((rs, n) -> new ImportJob(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        MemberRows.enumOrNull(ImportMode.class, rs.getString(5)),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getLong(9),
                        rs.getString(10),
                        rs.getTimestamp(11).toInstant(),
                        instant(rs.getTimestamp(12))))
                .optional();
    }

    private static final String PROBLEMS = """
            select row_no, field, 'ERROR' as kind, message_key, args from members.import_error where job_id = :job
            union all
            select row_no, case when reason_args[2] = 'externalId' then 'externalId' else 'phone' end, 'DUPLICATE', reason_key,
                   array[reason_args[1]] from members.import_row where job_id = :job and status = 'DUPLICATE'""";

    /** The report: errors and duplicates by row. */
    PageResult<ImportProblem> problems(long jobId, PageQuery page) {
        long total = jdbc.sql("select count(*) from (" + PROBLEMS + ") p")
                .param("job", jobId)
                .query(Long.class)
                .single();
        List<ImportProblem> items = jdbc.sql(
                        "select * from (" + PROBLEMS + ") p order by row_no, kind, field limit :limit offset :offset")
                .param("job", jobId)
                .param("limit", page.size())
                .param("offset", page.offset())
                .query((rs, n) -> new ImportProblem(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        MemberRows.strings(rs.getArray(5))))
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    /** Streams the whole report (for a CSV download). */
    void forEachProblem(long jobId, java.util.function.Consumer<ImportProblem> sink) {
        try (var stream = jdbc
                .sql("select * from (" + PROBLEMS + ") p order by row_no, kind, field")
                .param("job", jobId)
                .query((rs, n) -> new ImportProblem(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        MemberRows.strings(rs.getArray(5))))
                .stream()) {
            stream.forEach(sink);
        }
    }

    private static java.time.Instant instant(Timestamp t) {
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
