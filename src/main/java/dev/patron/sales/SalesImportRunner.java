package dev.patron.sales;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.patron.audit.AuditLog;
import dev.patron.members.MemberReference;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.StaffPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a historical sales import in three phases, streaming and set-based:
 *
 * <ol>
 *   <li>READING: the CSV is read row by row, each row checked on its own ({@link SalesImportFormat})
 *       and COPied into the unlogged table {@code sales.import_raw_<job>}; row problems go to the
 *       report in batches. Memory use does not grow with the file.
 *   <li>CHECKING: the rows are numbered into tickets by (store code, POS transaction id) in one
 *       sort ({@code import_line_<job>}) and summed per ticket ({@code import_ticket_<job>}); then
 *       each rule is one statement over all tickets: disagreeing ticket columns, line numbers,
 *       ticket total, tickets recorded before (skipped), members (resolved in bulk through
 *       {@link MemberReferences}), the originals of returns and the quantities left to return.
 *   <li>WRITING: unless ALL_OR_NOTHING found a bad ticket, the good tickets are inserted by
 *       {@link #CHUNK} — sales first, then returns, so that a return can refer to a sale of the
 *       same file — each chunk one statement and one transaction together with its
 *       {@link SalesRecorded} event and the job's progress.
 * </ol>
 */
@Component
class SalesImportRunner {

    private static final Logger log = LoggerFactory.getLogger(SalesImportRunner.class);

    /** Tickets per transaction and per {@link SalesRecorded} event. */
    static final int CHUNK = 5000;

    private static final int PROBLEM_BATCH = 5000;
    /** Staging tables are written once and read by this job only: autovacuum would only compete with it. */
    private static final String NO_AUTOVACUUM = " with (autovacuum_enabled = false)";

    private static final int MEMBER_BATCH = 10_000;
    private static final int COPY_BUFFER = 1 << 20;

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final DataSource dataSource;
    private final TransactionTemplate tx;
    private final ReferenceCache cache;
    private final MemberReferences members;
    private final SalesFeed feed;
    private final AuditLog audit;

    SalesImportRunner(
            JdbcClient jdbc,
            JdbcTemplate jdbcTemplate,
            DataSource dataSource,
            PlatformTransactionManager transactions,
            ReferenceCache cache,
            MemberReferences members,
            SalesFeed feed,
            AuditLog audit) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.dataSource = dataSource;
        this.tx = new TransactionTemplate(transactions);
        this.cache = cache;
        this.members = members;
        this.feed = feed;
        this.audit = audit;
    }

    /** The staging tables of one job. */
    private record Tables(String raw, String line, String ticket, String ret, String refs) {
        static Tables of(long job) {
            return new Tables(
                    "sales.import_raw_" + job,
                    "sales.import_line_" + job,
                    "sales.import_ticket_" + job,
                    "sales.import_ret_" + job,
                    "sales.import_refs_" + job);
        }

        List<String> all() {
            return List.of(raw, line, ticket, ret, refs);
        }
    }

    /** Runs a claimed (RUNNING) job to its end; never throws: a failure is the job's FAILED status. */
    void run(long jobId, Path file, SalesImportMode mode, boolean accrue, StaffPrincipal actor) {
        Tables t = Tables.of(jobId);
        long started = System.nanoTime();
        try {
            dropTables(t);
            phase(jobId, "READING");
            Reading reading = read(jobId, file, t);
            phase(jobId, "CHECKING");
            group(t);
            check(jobId, t, reading.lineNumbers());
            Map<String, Long> counts = counts(t);
            long failed = counts.getOrDefault("ERROR", 0L);
            long skipped = counts.getOrDefault("SKIPPED", 0L);
            long tickets = counts.values().stream().mapToLong(Long::longValue).sum();
            jdbc.sql("""
                    update sales.import_job set total_rows = ?, total_tickets = ?, skipped_tickets = ?, failed_tickets = ?,
                        failed_rows = (select coalesce(sum(line_count), 0) from %s where status = 'ERROR') where id = ?""".formatted(t.ticket()))
                    .params(reading.rows(), tickets, skipped, failed, jobId)
                    .update();
            boolean rejected = mode == SalesImportMode.ALL_OR_NOTHING && failed > 0;
            if (!rejected) {
                phase(jobId, "WRITING");
                write(jobId, t, accrue);
            }
            Map<String, Long> end = counts(t);
            skipped = end.getOrDefault("SKIPPED", 0L);
            String status = rejected ? "FAILED" : "DONE";
            tx.executeWithoutResult(s -> {
                jdbc.sql("""
                        update sales.import_job set status = ?, phase = '', skipped_tickets = ?, finished_at = now()
                        where id = ?""")
                        .params(status, end.getOrDefault("SKIPPED", 0L), jobId)
                        .update();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("mode", mode.name());
                details.put("rows", reading.rows());
                details.put("tickets", tickets);
                details.put("imported", end.getOrDefault("IMPORTED", 0L));
                details.put("skipped", end.getOrDefault("SKIPPED", 0L));
                details.put("failed", failed);
                details.put("accruePoints", accrue);
                audit.recordAs(actor, "sales.imported", "salesImport", jobId, details);
            });
            log.info(
                    "Sales import {}: {} rows, {} tickets ({} imported, {} skipped, {} failed) in {} s",
                    jobId,
                    reading.rows(),
                    tickets,
                    end.getOrDefault("IMPORTED", 0L),
                    skipped,
                    failed,
                    (System.nanoTime() - started) / 1_000_000_000L);
        } catch (RuntimeException e) {
            log.warn("Sales import {} failed", jobId, e);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            jdbc.sql(
                            "update sales.import_job set status = 'FAILED', phase = '', error = ?, finished_at = now() where id = ?")
                    .params(why.length() > 2000 ? why.substring(0, 2000) : why, jobId)
                    .update();
        } finally {
            try {
                dropTables(t);
            } catch (RuntimeException e) {
                log.warn("Could not drop the staging tables of sales import {}", jobId, e);
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a left-over temporary file is harmless
            }
        }
    }

    /** Drops the staging tables a job may have left behind. */
    void dropStaging(long jobId) {
        dropTables(Tables.of(jobId));
    }

    private void dropTables(Tables t) {
        jdbc.sql("drop table if exists " + String.join(", ", t.all())).update();
    }

    private void phase(long jobId, String phase) {
        jdbc.sql("update sales.import_job set phase = ? where id = ?")
                .params(phase, jobId)
                .update();
    }

    private Map<String, Long> counts(Tables t) {
        Map<String, Long> out = new LinkedHashMap<>();
        jdbc.sql("select status, count(*) from " + t.ticket() + " group by status")
                .query(rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                });
        return out;
    }

    // ------------------------------------------------------------------ READING

    private record Reading(long rows, boolean lineNumbers) {}

    private Reading read(long jobId, Path file, Tables t) {
        jdbc.sql("create unlogged table " + t.raw() + " " + SalesImportFormat.STAGING_TABLE + NO_AUTOVACUUM)
                .update();
        Charset charset = detectCharset(file);
        List<Object[]> problems = new ArrayList<>();
        List<SalesImportFormat.RowError> errors = new ArrayList<>();
        long rows = 0;
        boolean lineNumbers;
        try (Connection c = dataSource.getConnection();
                CsvReader<CsvRecord> csv = CsvReader.builder()
                        .allowMissingFields(true)
                        .allowExtraFields(true)
                        .skipEmptyLines(true)
                        .ofCsvRecord(file, charset)) {
            CopyIn copy = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("copy " + t.raw() + " (" + SalesImportFormat.STAGING_COLUMNS + ") from stdin");
            try {
                SalesImportFormat format = null;
                StringBuilder out = new StringBuilder(COPY_BUFFER + 4096);
                for (CsvRecord r : csv) {
                    if (format == null) {
                        List<String> headers = new ArrayList<>(r.getFields());
                        if (!headers.isEmpty() && headers.get(0).startsWith("\uFEFF")) {
                            headers.set(0, headers.get(0).substring(1));
                        }
                        format = new SalesImportFormat(headers, cache.codesAfterMiss());
                        continue;
                    }
                    long rowNo = r.getStartingLineNumber();
                    rows++;
                    errors.clear();
                    format.stage(rowNo, r.getFields(), out, errors);
                    for (SalesImportFormat.RowError e : errors) {
                        problems.add(new Object[] {
                            jobId, rowNo, e.field(), "ERROR", e.key(), SalesImportFormat.args(e.args())
                        });
                    }
                    if (out.length() >= COPY_BUFFER) {
                        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(bytes, 0, bytes.length);
                        out.setLength(0);
                    }
                    if (problems.size() >= PROBLEM_BATCH) {
                        saveProblems(problems);
                    }
                    if (rows % 250_000 == 0) {
                        jdbc.sql("update sales.import_job set total_rows = ? where id = ?")
                                .params(rows, jobId)
                                .update();
                    }
                }
                byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
                lineNumbers = format != null && format.hasLineNumbers();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("COPY into the sales import staging table failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        saveProblems(problems);
        jdbc.sql("update sales.import_job set total_rows = ? where id = ?")
                .params(rows, jobId)
                .update();
        return new Reading(rows, lineNumbers);
    }

    private void saveProblems(List<Object[]> problems) {
        if (problems.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate(
                "insert into sales.import_problem(job_id, row_no, field, kind, message_key, args) values (?, ?, ?, ?, ?, ?)",
                problems);
        problems.clear();
    }

    /** UTF-8 (with or without BOM) when the start of the file decodes as UTF-8, else GB18030 (Excel's "CSV" in China). */
    static Charset detectCharset(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(64 * 1024);
            int end = head.length;
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

    // ------------------------------------------------------------------ CHECKING

    /** Numbers the rows into tickets (one sort) and sums each ticket. */
    private void group(Tables t) {
        jdbc.sql("""
                create unlogged table %s with (autovacuum_enabled = false) as
                select dense_rank() over (order by store_code collate "C", pos_txn_id collate "C") as ticket_no, r.*
                from %s r""".formatted(t.line(), t.raw())).update();
        jdbc.sql("drop table " + t.raw()).update();
        jdbc.sql("create index on " + t.line() + " (ticket_no)").update();
        jdbc.sql("create index on " + t.line() + " (row_no)").update();
        jdbc.sql("""
                create unlogged table %s with (autovacuum_enabled = false) as
                select ticket_no, min(row_no) as first_row, min(store_code) as store_code, min(store_id) as store_id,
                    min(pos_txn_id) as pos_txn_id, min(kind) as kind, max(kind) as kind_max,
                    min(business_date) as business_date, max(business_date) as business_date_max,
                    coalesce(min(occurred_at), min(occurred_default)) as occurred_at, max(occurred_at) as occurred_at_max,
                    min(pos_terminal) as pos_terminal, max(pos_terminal) as pos_terminal_max,
                    min(cashier) as cashier, max(cashier) as cashier_max,
                    min(member_kind) as member_kind, max(member_kind) as member_kind_max,
                    min(member_value) as member_value, max(member_value) as member_value_max,
                    min(orig_store_id) as orig_store_id, max(orig_store_id) as orig_store_id_max,
                    min(orig_txn) as orig_txn, max(orig_txn) as orig_txn_max,
                    min(ticket_total_fen) as ticket_total, max(ticket_total_fen) as ticket_total_max,
                    count(*)::int as line_count, count(line_no)::int as line_nos, count(distinct line_no)::int as distinct_line_nos,
                    count(*) filter (where not ok) as bad_rows,
                    coalesce(sum(gross_fen), 0) as gross, coalesce(sum(discount_fen), 0) as discount,
                    coalesce(sum(amount_fen), 0) as total, coalesce(sum(quantity), 0) as quantity,
                    null::bigint as member_id, null::bigint as original_sale_id, null::bigint as original_ticket_no,
                    null::date as original_date, 'OK'::text as status, null::bigint as sale_id
                from %s group by ticket_no""".formatted(t.ticket(), t.line())).update();
        jdbc.sql("alter table " + t.ticket() + " add primary key (ticket_no)").update();
        jdbc.sql("update " + t.ticket() + " set status = 'ERROR' where bad_rows > 0")
                .update();
        jdbc.sql("analyze " + t.line()).update();
        jdbc.sql("analyze " + t.ticket()).update();
    }

    /**
     * Marks the tickets matching {@code condition} (an SQL condition over the ticket table) as
     * ERROR and reports each at its first row; tickets with row errors or recorded before are not
     * checked again.
     */
    private void ticketProblem(long jobId, Tables t, String condition, String fieldSql, String key, String argsSql) {
        jdbc.sql("""
                with bad as (
                    update %1$s x set status = 'ERROR'
                    where x.bad_rows = 0 and x.status <> 'SKIPPED' and (%2$s)
                    returning x.first_row, (%3$s) as field, (%4$s)::text[] as args)
                insert into sales.import_problem(job_id, row_no, field, kind, message_key, args)
                select ?, first_row, field, 'ERROR', ?, args from bad""".formatted(t.ticket(), condition, fieldSql, argsSql))
                .params(jobId, key)
                .update();
    }

    private void check(long jobId, Tables t, boolean lineNumbers) {
        String[][] ticketColumns = {
            {"kind", "kind"},
            {"business_date", "business_date"},
            {"occurred_at", "occurred_at"},
            {"pos_terminal", "pos_terminal"},
            {"cashier", "cashier"},
            {"member", "member_kind"},
            {"member", "member_value"},
            {"original_store_code", "orig_store_id"},
            {"original_pos_transaction_id", "orig_txn"},
            {"ticket_total_fen", "ticket_total"}
        };
        StringBuilder mismatch = new StringBuilder("case");
        for (String[] c : ticketColumns) {
            String col = c[1];
            String cmp = col.equals("occurred_at")
                    ? "x.occurred_at_max is not null and x.occurred_at <> x.occurred_at_max"
                    : "x.%1$s <> x.%1$s_max".formatted(col);
            mismatch.append(" when ").append(cmp).append(" then '").append(c[0]).append("'");
        }
        mismatch.append(" end");
        ticketProblem(
                jobId,
                t,
                mismatch + " is not null",
                mismatch.toString(),
                "sales.import.ticketMismatch",
                "array[x.pos_txn_id]");
        ticketProblem(
                jobId,
                t,
                "x.line_count > " + SalePreparer.MAX_LINES,
                "'pos_transaction_id'",
                "sales.validation.tooManyLines",
                "array['#" + SalePreparer.MAX_LINES + "']");
        if (lineNumbers) {
            ticketProblem(
                    jobId,
                    t,
                    "x.line_nos > 0 and (x.line_nos < x.line_count or x.distinct_line_nos < x.line_nos)",
                    "'line_no'",
                    "sales.import.lineNumbers",
                    "array[x.pos_txn_id]");
        }
        ticketProblem(
                jobId,
                t,
                "x.ticket_total is not null and x.ticket_total <> x.total",
                "'ticket_total_fen'",
                "sales.validation.totalMismatch",
                "array['#' || x.total]");
        // recorded before (by the POS, an earlier import or an earlier run of this file): skipped
        jdbc.sql("""
                with s as (
                    update %1$s x set status = 'SKIPPED', sale_id = s.id from sales.sale s
                    where x.status = 'OK' and s.store_id = x.store_id and s.pos_txn_id = x.pos_txn_id
                    returning x.first_row, s.id)
                insert into sales.import_problem(job_id, row_no, field, kind, message_key, args)
                select ?, first_row, 'pos_transaction_id', 'SKIPPED', 'sales.import.alreadyRecorded', array['#' || id]
                from s""".formatted(t.ticket())).param(jobId).update();
        resolveMembers(jobId, t);
        checkReturns(jobId, t);
    }

    /** Resolves every distinct member reference of the good sales in bulk, {@link #MEMBER_BATCH} at a time. */
    private void resolveMembers(long jobId, Tables t) {
        jdbc.sql("""
                create unlogged table %s with (autovacuum_enabled = false) as
                select row_number() over () as id, kind, value, null::bigint as member_id, null::text as failure
                from (select distinct member_kind as kind, member_value as value from %s
                      where status = 'OK' and member_kind is not null) d""".formatted(t.refs(), t.ticket())).update();
        long max = jdbc.sql("select coalesce(max(id), 0) from " + t.refs())
                .query(Long.class)
                .single();
        if (max == 0) {
            return;
        }
        jdbc.sql("alter table " + t.refs() + " add primary key (id)").update();
        for (long from = 1; from <= max; from += MEMBER_BATCH) {
            List<Long> ids = new ArrayList<>();
            List<MemberReference> refs = new ArrayList<>();
            jdbc.sql("select id, kind, value from " + t.refs() + " where id between ? and ?")
                    .params(from, from + MEMBER_BATCH - 1)
                    .query(rs -> {
                        ids.add(rs.getLong(1));
                        String v = rs.getString(3);
                        refs.add(
                                switch (rs.getString(2)) {
                                    case "ID" -> MemberReference.id(Long.parseLong(v));
                                    case "CARD" -> MemberReference.card(v);
                                    default -> MemberReference.phone(v);
                                });
                    });
            Map<MemberReference, MemberReferences.Resolution> resolved = members.resolve(refs);
            Long[] memberIds = new Long[ids.size()];
            String[] failures = new String[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                MemberReferences.Resolution r = resolved.get(refs.get(i));
                if (r != null && r.resolved()) {
                    memberIds[i] = r.memberId();
                } else {
                    failures[i] = r == null ? "NOT_FOUND" : r.failure().name();
                }
            }
            jdbc.sql("""
                    update %s r set member_id = u.member_id, failure = u.failure
                    from unnest(?::bigint[], ?::bigint[], ?::text[]) as u(id, member_id, failure) where r.id = u.id""".formatted(t.refs()))
                    .params(ids.toArray(Long[]::new), memberIds, failures)
                    .update();
        }
        jdbc.sql("""
                update %s x set member_id = r.member_id from %s r
                where x.status = 'OK' and x.member_kind = r.kind and x.member_value = r.value and r.member_id is not null""".formatted(t.ticket(), t.refs())).update();
        String field = "case x.member_kind when 'ID' then 'member_id' when 'CARD' then 'card_number' else 'phone' end";
        String[][] failures = {
            {"NOT_FOUND", "sales.validation.unknownMember"},
            {"CARD_INACTIVE", "sales.validation.cardInactive"},
            {"INVALID", "sales.validation.memberReferenceInvalid"}
        };
        for (String[] f : failures) {
            ticketProblem(
                    jobId,
                    t,
                    "x.status = 'OK' and x.member_kind is not null and x.member_id is null and exists (select 1 from "
                            + t.refs()
                            + " r where r.kind = x.member_kind and r.value = x.member_value and r.failure = '"
                            + f[0] + "')",
                    field,
                    f[1],
                    "array[]::text[]");
        }
    }

    /**
     * Finds each return's original sale — in this file (a good sale, imported first) or recorded
     * before — matches its rows to the original's lines (by {@code original_line_no}, else the first
     * line with the same SKU) and refuses the rows that would return more than is left (what was
     * bought, minus what was returned before, minus the earlier returns of this file by business
     * date and row).
     */
    private void checkReturns(long jobId, Tables t) {
        String T = t.ticket();
        jdbc.sql("""
                update %1$s x set original_ticket_no = o.ticket_no, original_date = o.business_date from %1$s o
                where x.kind = 'RETURN' and x.status = 'OK' and o.kind = 'SALE' and o.kind_max = 'SALE' and o.status = 'OK'
                  and o.store_id = x.orig_store_id and o.pos_txn_id = x.orig_txn""".formatted(T)).update();
        jdbc.sql("""
                update %1$s x set original_sale_id = s.id, original_date = s.business_date from sales.sale s
                where x.kind = 'RETURN' and x.status = 'OK' and x.original_ticket_no is null
                  and s.store_id = x.orig_store_id and s.pos_txn_id = x.orig_txn and s.kind = 'SALE'""".formatted(T)).update();
        String noOriginal =
                "x.kind = 'RETURN' and x.status = 'OK' and x.original_ticket_no is null and x.original_sale_id is null";
        ticketProblem(
                jobId,
                t,
                noOriginal + " and exists (select 1 from " + T
                        + " o where o.store_id = x.orig_store_id and o.pos_txn_id = x.orig_txn and o.kind = 'SALE'"
                        + " and o.status = 'ERROR')",
                "'original_pos_transaction_id'",
                "sales.import.originalFailed",
                "array[x.orig_txn]");
        ticketProblem(
                jobId,
                t,
                noOriginal,
                "'original_pos_transaction_id'",
                "sales.validation.unknownOriginal",
                "array[]::text[]");
        ticketProblem(
                jobId,
                t,
                "x.kind = 'RETURN' and x.status = 'OK' and x.business_date < x.original_date",
                "'business_date'",
                "sales.validation.returnBeforeSale",
                "array[x.original_date::text]");
        jdbc.sql("""
                create unlogged table %3$s with (autovacuum_enabled = false) as
                with r as (
                    select l.ticket_no, l.row_no, l.sku, l.orig_line_no, l.quantity, l.amount_fen, x.business_date,
                           coalesce(x.original_sale_id, x.original_ticket_no) as orig,
                           case when x.original_sale_id is null then 'F' else 'D' end as src
                    from %1$s x join %2$s l on l.ticket_no = x.ticket_no
                    where x.kind = 'RETURN' and x.status = 'OK'),
                o as materialized (
                    select 'D' as src, sl.sale_id as orig, sl.line_no, sl.sku, sl.quantity, sl.amount_fen,
                           sl.returned_quantity, sl.returned_fen
                    from sales.sale_line sl where sl.sale_id in (select orig from r where src = 'D')
                    union all
                    select 'F', ol.ticket_no, coalesce(ol.line_no, row_number() over (partition by ol.ticket_no order by ol.row_no))::int,
                           ol.sku, ol.quantity, ol.amount_fen, 0, 0
                    from %2$s ol where ol.ticket_no in (select orig from r where src = 'F')),
                os as (select src, orig, sku, min(line_no) as line_no from o group by src, orig, sku)
                select r.ticket_no, r.row_no, r.business_date, r.quantity, r.amount_fen, r.src, r.orig, r.orig_line_no, r.sku,
                       o.line_no as matched_line, o.quantity as orig_quantity, o.amount_fen as orig_amount,
                       o.returned_quantity, o.returned_fen
                from r
                left join os on r.orig_line_no is null and os.src = r.src and os.orig = r.orig and os.sku = r.sku
                left join o on o.src = r.src and o.orig = r.orig and o.line_no = coalesce(r.orig_line_no, os.line_no)""".formatted(T, t.line(), t.ret())).update();
        jdbc.sql("create index on " + t.ret() + " (row_no)").update();
        jdbc.sql("create index on " + t.ret() + " (ticket_no)").update();
        jdbc.sql("analyze " + t.ret()).update();
        jdbc.sql("""
                with c as (
                    select ticket_no, row_no, -quantity as q, -amount_fen as f, orig_quantity, orig_amount,
                           returned_quantity + sum(-quantity) over w as q_cum, returned_fen + sum(-amount_fen) over w as f_cum
                    from %2$s where matched_line is not null
                    window w as (partition by src, orig, matched_line order by business_date, row_no)),
                bad as (
                    select ticket_no, row_no, case when orig_line_no is null then 'sku' else 'original_line_no' end as field,
                           case when orig_line_no is null then 'sales.import.skuNotInOriginal' else 'sales.validation.unknownLine' end as key,
                           case when orig_line_no is null then array[sku] else array['#' || orig_line_no] end as args
                    from %2$s where matched_line is null
                    union all
                    select ticket_no, row_no, 'quantity', 'sales.validation.returnExceeds',
                           array[trim_scale(greatest(orig_quantity - (q_cum - q), 0))::text]
                    from c where q_cum > orig_quantity
                    union all
                    select ticket_no, row_no, 'amount_fen', 'sales.validation.refundExceeds',
                           array['#' || greatest(orig_amount - (f_cum - f), 0)]
                    from c where q_cum <= orig_quantity and f_cum > orig_amount),
                ins as (
                    insert into sales.import_problem(job_id, row_no, field, kind, message_key, args)
                    select ?, row_no, field, 'ERROR', key, args from bad)
                update %1$s x set status = 'ERROR' where x.ticket_no in (select ticket_no from bad)""".formatted(T, t.ret())).param(jobId).update();
    }

    // ------------------------------------------------------------------ WRITING

    private static final String WRITE = """
            with t as (
                select x.*, coalesce(x.original_sale_id, o.sale_id) as orig_id
                from %1$s x left join %1$s o on o.ticket_no = x.original_ticket_no
                where x.ticket_no between :from and :to and x.status = 'OK' and x.kind = :kind),
            ins as (
                insert into sales.sale (kind, store_id, pos_terminal, pos_txn_id, original_sale_id, business_date,
                    occurred_at, cashier, member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source,
                    accrue_points, fingerprint)
                select t.kind, t.store_id, coalesce(t.pos_terminal, ''), t.pos_txn_id, t.orig_id, t.business_date,
                    t.occurred_at, coalesce(t.cashier, ''),
                    case when t.kind = 'RETURN' then (select s.member_id from sales.sale s where s.id = t.orig_id) else t.member_id end,
                    t.gross, t.discount, t.total, t.quantity, t.line_count, 'IMPORT', :accrue,
                    sha256(convert_to(concat_ws('|', 'IMPORT', t.kind, t.store_code, t.pos_txn_id, t.business_date,
                        t.total, t.line_count, t.quantity), 'UTF8'))
                from t order by t.ticket_no
                on conflict (store_id, pos_txn_id) do nothing
                returning id, kind, store_id, pos_txn_id, member_id, business_date, occurred_at, total_fen, original_sale_id),
            n as (select t.ticket_no, ins.* from ins join t on t.store_id = ins.store_id and t.pos_txn_id = ins.pos_txn_id),
            lines as (
                insert into sales.sale_line (sale_id, line_no, store_id, business_date, sku, name, brand_id, category_id,
                    counter_id, quantity, unit_price_fen, discount_fen, amount_fen, original_line_no)
                select n.id, coalesce(l.line_no, row_number() over (partition by l.ticket_no order by l.row_no))::int,
                    n.store_id, n.business_date, l.sku, coalesce(l.name, ''), l.brand_id, l.category_id, l.counter_id,
                    l.quantity, l.unit_price_fen, l.discount_fen, l.amount_fen, r.matched_line
                from %2$s l join n on n.ticket_no = l.ticket_no
                left join %3$s r on r.row_no = l.row_no and r.ticket_no between :from and :to
                where l.ticket_no between :from and :to
                returning 1),
            pays as (
                insert into sales.sale_payment (sale_id, seq, method, amount_fen)
                select n.id, row_number() over (partition by n.id order by l.payment_method)::int, l.payment_method,
                    sum(l.amount_fen)
                from %2$s l join n on n.ticket_no = l.ticket_no
                where l.ticket_no between :from and :to
                group by n.id, l.payment_method having sum(l.amount_fen) <> 0),
            originals as (
                update sales.sale_line sl
                set returned_quantity = sl.returned_quantity - u.q, returned_fen = sl.returned_fen - u.f
                from (select n.original_sale_id, r.matched_line, sum(r.quantity) as q, sum(r.amount_fen) as f
                      from %3$s r join n on n.ticket_no = r.ticket_no
                      where r.ticket_no between :from and :to
                      group by n.original_sale_id, r.matched_line) u
                where sl.sale_id = u.original_sale_id and sl.line_no = u.matched_line),
            done as (update %1$s x set status = 'IMPORTED', sale_id = n.id from n where x.ticket_no = n.ticket_no)
            select n.id, n.kind, n.store_id, n.member_id, n.business_date, n.occurred_at, n.total_fen, n.original_sale_id,
                   (select count(*) from lines) as line_rows
            from n""";

    private void write(long jobId, Tables t, boolean accrue) {
        long maxTicket = jdbc.sql("select coalesce(max(ticket_no), 0) from " + t.ticket())
                .query(Long.class)
                .single();
        for (long from = 1; from <= maxTicket; from += CHUNK) {
            chunk(jobId, t, SaleKind.SALE, from, Math.min(maxTicket, from + CHUNK - 1), accrue);
        }
        List<Long> returns = jdbc.sql("select ticket_no from " + t.ticket()
                        + " where kind = 'RETURN' and status = 'OK' order by ticket_no")
                .query(Long.class)
                .list();
        for (int i = 0; i < returns.size(); i += CHUNK) {
            chunk(
                    jobId,
                    t,
                    SaleKind.RETURN,
                    returns.get(i),
                    returns.get(Math.min(returns.size(), i + CHUNK) - 1),
                    accrue);
        }
    }

    /** One chunk: its tickets, lines, payments and returned quantities, its event and the job's progress. */
    private void chunk(long jobId, Tables t, SaleKind kind, long from, long to, boolean accrue) {
        tx.executeWithoutResult(status -> {
            List<RecordedSale> sales = new ArrayList<>();
            long[] lineRows = {0};
            jdbc.sql(WRITE.formatted(t.ticket(), t.line(), t.ret()))
                    .param("from", from)
                    .param("to", to)
                    .param("kind", kind.name())
                    .param("accrue", accrue)
                    .query(rs -> {
                        sales.add(new RecordedSale(
                                rs.getLong(1),
                                SaleKind.valueOf(rs.getString(2)),
                                rs.getLong(3),
                                (Long) rs.getObject(4),
                                rs.getObject(5, LocalDate.class),
                                rs.getObject(6, OffsetDateTime.class),
                                rs.getLong(7),
                                SaleSource.IMPORT,
                                accrue,
                                (Long) rs.getObject(8)));
                        lineRows[0] = rs.getLong(9);
                    });
            // a POS recorded one of these keys since the check: it stays as recorded, reported like the others
            jdbc.sql("""
                    with s as (
                        update %1$s x set status = 'SKIPPED', sale_id = s.id from sales.sale s
                        where x.ticket_no between ? and ? and x.status = 'OK' and x.kind = ?
                          and s.store_id = x.store_id and s.pos_txn_id = x.pos_txn_id
                        returning x.first_row, s.id)
                    insert into sales.import_problem(job_id, row_no, field, kind, message_key, args)
                    select ?, first_row, 'pos_transaction_id', 'SKIPPED', 'sales.import.alreadyRecorded', array['#' || id]
                    from s""".formatted(t.ticket()))
                    .params(from, to, kind.name(), jobId)
                    .update();
            if (!sales.isEmpty()) {
                feed.publish(new SalesRecorded(sales));
            }
            jdbc.sql("""
                    update sales.import_job set imported_tickets = imported_tickets + ?, imported_rows = imported_rows + ?
                    where id = ?""").params(sales.size(), lineRows[0], jobId).update();
        });
    }
}
