package dev.patron.segments;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import dev.patron.shared.web.SqlPage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rule segments and static lists: the module API for the console, the REST API and campaigns.
 *
 * <p>Roles: MARKETER and ADMIN create, change, delete, refresh, upload and snapshot (audited);
 * ANALYST also reads segments, previews and member lists. Segments span the whole chain, so every
 * one of these needs a caller who sees all stores. A member's current segments
 * ({@link #segmentsOf}) are open to every staff role for members in the caller's stores (the
 * counter asks "is this customer in segment S?"). Member lists show masked phones.
 */
@Service
public class Segments {

    static final Role[] READERS = {Role.MARKETER, Role.ANALYST, Role.ADMIN};
    static final Role[] WRITERS = {Role.MARKETER, Role.ADMIN};
    private static final int SAMPLE = 20;
    private static final Map<String, String> SORTS = Map.of(
            "name", "lower(name)",
            "kind", "kind",
            "memberCount", "member_count",
            "lastRefreshedAt", "last_refreshed_at",
            "updatedAt", "updated_at");
    private static final Map<String, String> MEMBER_SORTS =
            Map.of("memberId", "sm.member_id", "name", "m.name", "since", "sm.since");

    private final JdbcClient jdbc;
    private final SegmentEvaluator evaluator;
    private final SegmentRefresh refresh;
    private final MemberManagement members;
    private final AuditLog audit;
    private final MessageSource messages;
    private final JsonMapper json;

    Segments(
            JdbcClient jdbc,
            SegmentEvaluator evaluator,
            SegmentRefresh refresh,
            MemberManagement members,
            AuditLog audit,
            MessageSource messages,
            JsonMapper json) {
        this.jdbc = jdbc;
        this.evaluator = evaluator;
        this.refresh = refresh;
        this.members = members;
        this.audit = audit;
        this.messages = messages;
        this.json = json;
    }

    private static void requireReader() {
        CurrentStaff.requireAnyRole(READERS);
        CurrentStaff.requireAllStores();
    }

    static void requireWriter() {
        CurrentStaff.requireAnyRole(WRITERS);
        CurrentStaff.requireAllStores();
    }

    /** Whether the caller may read segments (for the navigation). */
    public boolean mayRead() {
        return CurrentStaff.scope().allStores() && CurrentStaff.get().hasAnyRole(READERS);
    }

    // ------------------------------------------------------------------ reading

    /** Live segments, filtered by name or description, sorted by name, kind, memberCount, lastRefreshedAt, updatedAt. */
    @Transactional(readOnly = true)
    public PageResult<Segment> list(PageQuery page) {
        requireReader();
        SqlFilter f = new SqlFilter()
                .add("deleted_at is null", "none", null)
                .addIf(page.likePattern(), "(name ilike :q or description ilike :q)", "q");
        Map<String, Object> params = new HashMap<>(f.params());
        params.remove("none");
        return SqlPage.query(
                jdbc,
                "select count(*) from segments.segment" + f.where(),
                "select * from segments.segment" + f.where() + " order by " + page.orderBy(SORTS, "name"),
                params,
                page,
                (rs, i) -> row(rs, false));
    }

    @Transactional(readOnly = true)
    public Segment segment(long id) {
        requireReader();
        return find(id);
    }

    private Segment find(long id) {
        return jdbc.sql("select * from segments.segment where id = ? and deleted_at is null")
                .param(id)
                .query((rs, i) -> row(rs, true))
                .optional()
                .orElseThrow(() -> PatronException.notFound("segment.notFound", id));
    }

    /**
     * The sizes of the last {@code days} days, oldest first, from the segment's first recorded day
     * on (days without a record repeat the previous size).
     */
    @Transactional(readOnly = true)
    public List<SegmentSizeDay> sizeHistory(long id, int days) {
        requireReader();
        find(id);
        List<SegmentSizeDay> out = new ArrayList<>();
        recentSizes(List.of(id), days, (segment, day, size) -> out.add(new SegmentSizeDay(day, size)));
        return out;
    }

    /** Recent sizes (last {@code days} days from each segment's first recorded day, oldest first), for sparklines. */
    @Transactional(readOnly = true)
    public Map<Long, List<Integer>> recentSizes(Collection<Long> ids, int days) {
        requireReader();
        Map<Long, List<Integer>> out = new LinkedHashMap<>();
        recentSizes(
                ids,
                days,
                (segment, day, size) ->
                        out.computeIfAbsent(segment, k -> new ArrayList<>()).add(size));
        return out;
    }

    private interface SizeSink {
        void accept(long segment, LocalDate day, int size);
    }

    private void recentSizes(Collection<Long> ids, int days, SizeSink sink) {
        LocalDate today = refresh.today();
        jdbc.sql("""
                with s as (select s.id, greatest(?::date - (? - 1), coalesce((select min(day) from segments.segment_size_day h
                               where h.segment_id = s.id), ?::date)) as first
                           from unnest(?::bigint[]) s(id))
                select s.id, d::date, coalesce((select size from segments.segment_size_day h
                    where h.segment_id = s.id and h.day <= d::date order by h.day desc limit 1), 0)
                from s, generate_series(s.first, ?::date, interval '1 day') d
                order by 1, 2""")
                .params(today, days, today, ids.toArray(Long[]::new), today)
                .query(rs -> {
                    sink.accept(rs.getLong(1), rs.getObject(2, LocalDate.class), rs.getInt(3));
                });
    }

    /** The members of a segment, paged (sort memberId, name, since; q filters the name). */
    @Transactional(readOnly = true)
    public PageResult<SegmentMember> members(long id, PageQuery page) {
        requireReader();
        find(id);
        SqlFilter f = new SqlFilter()
                .add("sm.segment_id = :sid", "sid", id)
                .addIf(page.likePattern(), "m.name ilike :q", "q");
        String from = " from segments.segment_member sm join members.v_member m on m.id = sm.member_id" + f.where();
        return SqlPage.query(
                jdbc,
                "select count(*)" + from,
                "select sm.member_id, m.name, m.phone, sm.since" + from + " order by "
                        + page.orderBy(MEMBER_SORTS, "memberId").replace(", id asc", ", sm.member_id asc"),
                f.params(),
                page,
                (rs, i) -> new SegmentMember(
                        rs.getLong(1), rs.getString(2), maskPhone(rs.getString(3)), rs.getObject(4, LocalDate.class)));
    }

    /** The segments {@code memberId} is in now (kept fresh by the incremental re-evaluation). */
    @Transactional(readOnly = true)
    public List<MemberSegment> segmentsOf(long memberId) {
        CurrentStaff.requireAnyRole(Role.values());
        members.requireVisible(memberId);
        return jdbc.sql("""
                select s.id, s.name, s.kind, sm.since from segments.segment_member sm
                join segments.segment s on s.id = sm.segment_id
                where sm.member_id = ? and s.deleted_at is null order by lower(s.name), s.id""")
                .param(memberId)
                .query((rs, i) -> new MemberSegment(
                        rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, LocalDate.class)))
                .list();
    }

    /** The tier codes and static lists for the builder's value widgets. */
    @Transactional(readOnly = true)
    public Map<String, List<String>> builderOptions() {
        requireReader();
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put(
                "tier",
                jdbc.sql("select code from loyalty.v_tier order by rank")
                        .query(String.class)
                        .list());
        out.put(
                "inList",
                jdbc.sql("select id || ':' || name from segments.segment where kind = 'STATIC' and deleted_at is null"
                                + " order by lower(name)")
                        .query(String.class)
                        .list());
        return out;
    }

    // ------------------------------------------------------------------ preview

    /** What {@code definition} selects now: the count and 20 members; 400 naming the broken conditions. */
    @Transactional(readOnly = true)
    public SegmentPreview preview(SegmentDefinition definition) {
        requireReader();
        SegmentEvaluator.Compiled c = evaluator.compile(definition, refresh.today(), "", true);
        // one pass over the condition for the count and the sample (the first members by id), in one
        // statement, so that both come from the same snapshot; a count and a separate "order by m.id
        // limit 20" evaluated the condition twice, and the second could walk the member index for a
        // rare condition (1M members: "bought brand B in 90 days" 2.5 s, now 1.4 s)
        long[] count = {0};
        List<SegmentMember> sample = new ArrayList<>();
        jdbc.sql("with sel as materialized (" + c.select("m.id", "", false) + "),"
                        + " n as (select count(*) as total from sel)"
                        + " select n.total, s.id, m.name, m.phone from n"
                        + " left join lateral (select id from sel order by id limit " + SAMPLE + ") s on true"
                        + " left join members.v_member m on m.id = s.id order by s.id")
                .params(c.params())
                .query(rs -> {
                    count[0] = rs.getLong(1);
                    long id = rs.getLong(2);
                    if (!rs.wasNull()) {
                        sample.add(new SegmentMember(id, rs.getString(3), maskPhone(rs.getString(4)), null));
                    }
                });
        return new SegmentPreview(count[0], sample, texts(c.warnings()));
    }

    // ------------------------------------------------------------------ changes

    /** Creates a rule segment and evaluates it at once (audited). */
    @Transactional
    public Segment create(SegmentCommand cmd) {
        requireWriter();
        SegmentCommand v = validate(cmd, null);
        String by = CurrentStaff.get().auditName();
        long id;
        try {
            id = jdbc.sql("""
                    insert into segments.segment (name, description, kind, definition, definition_version, created_by, updated_by)
                    values (?, ?, 'RULE', ?::jsonb, ?, ?, ?) returning id""")
                    .params(
                            v.name(),
                            v.description(),
                            json.writeValueAsString(v.definition()),
                            SegmentDefinition.VERSION,
                            by,
                            by)
                    .query(Long.class)
                    .single();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw PatronException.conflict("name", "segment.validation.nameTaken", v.name());
        }
        refresh.refresh(id, refresh.today(), "REFRESH");
        audit.record(
                "segment.created",
                "segment",
                id,
                Map.of("name", v.name(), "definition", json.writeValueAsString(v.definition())));
        return find(id);
    }

    /** Changes a rule segment's name, description and definition and re-evaluates it (audited). */
    @Transactional
    public Segment update(long id, SegmentCommand cmd) {
        requireWriter();
        Segment before = locked(id);
        if (!"RULE".equals(before.kind())) {
            if (cmd != null && cmd.definition() != null) {
                throw PatronException.invalid("definition", "segment.validation.staticDefinition");
            }
        }
        SegmentCommand v = validate(
                "RULE".equals(before.kind())
                        ? cmd
                        : new SegmentCommand(
                                cmd == null ? null : cmd.name(), cmd == null ? null : cmd.description(), null),
                before.kind());
        try {
            jdbc.sql("""
                    update segments.segment set name = ?, description = ?, definition = ?::jsonb, updated_by = ?,
                        updated_at = now() where id = ?""")
                    .params(
                            v.name(),
                            v.description(),
                            v.definition() == null ? null : json.writeValueAsString(v.definition()),
                            CurrentStaff.get().auditName(),
                            id)
                    .update();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw PatronException.conflict("name", "segment.validation.nameTaken", v.name());
        }
        refresh.refresh(id, refresh.today(), "REFRESH");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(
                "before",
                before.name() + " "
                        + (before.definition() == null ? "" : json.writeValueAsString(before.definition())));
        details.put("after", v.name() + " " + (v.definition() == null ? "" : json.writeValueAsString(v.definition())));
        audit.record("segment.changed", "segment", id, details);
        return find(id);
    }

    /** Deletes a segment: it disappears from lists and members; its snapshots stay for campaigns (audited). */
    @Transactional
    public void delete(long id) {
        requireWriter();
        Segment s = locked(id);
        jdbc.sql("update segments.segment set deleted_at = now(), updated_by = ?, updated_at = now() where id = ?")
                .params(CurrentStaff.get().auditName(), id)
                .update();
        jdbc.sql("delete from segments.segment_member where segment_id = ?")
                .param(id)
                .update();
        audit.record("segment.deleted", "segment", id, Map.of("name", s.name(), "members", s.memberCount()));
    }

    /** What a refresh of every segment did. */
    public record RefreshAll(LocalDate asOf, int segments, long millis) {}

    /**
     * Refreshes every live segment as of today, as the nightly job does after the facts roll (ADMIN
     * with all stores; audited). Each segment in its own transaction.
     */
    public RefreshAll refreshAll() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        LocalDate day = refresh.today();
        long start = System.nanoTime();
        int n = refresh.refreshAll(day);
        long millis = (System.nanoTime() - start) / 1_000_000;
        refresh.inTransaction(
                () -> audit.record("segments.refreshed", "segment", "all", Map.of("segments", n, "millis", millis)));
        return new RefreshAll(day, n, millis);
    }

    /** Full refresh now (as of today). */
    @Transactional
    public Segment refresh(long id) {
        requireWriter();
        locked(id);
        refresh.refresh(id, refresh.today(), "REFRESH");
        audit.record("segment.refreshed", "segment", id, Map.of());
        return find(id);
    }

    /**
     * Freezes the segment's members now (a rule segment is refreshed first, so time windows are
     * current): what campaigns target. Audited with who and when.
     */
    @Transactional
    public SegmentSnapshot snapshot(long segmentId) {
        requireWriter();
        locked(segmentId);
        refresh.refresh(segmentId, refresh.today(), "REFRESH");
        String by = CurrentStaff.get().auditName();
        long id =
                jdbc.sql("""
                insert into segments.snapshot (segment_id, size, taken_by)
                values (?, (select count(*) from segments.segment_member where segment_id = ?), ?) returning id""").params(segmentId, segmentId, by).query(Long.class).single();
        jdbc.sql("""
                insert into segments.snapshot_member (snapshot_id, member_id)
                select ?, member_id from segments.segment_member where segment_id = ?""").params(id, segmentId).update();
        SegmentSnapshot s = snapshotRow(id);
        audit.record("segment.snapshot", "segment", segmentId, Map.of("snapshot", id, "size", s.size()));
        return s;
    }

    @Transactional(readOnly = true)
    public List<SegmentSnapshot> snapshots(long segmentId) {
        requireReader();
        find(segmentId);
        return jdbc.sql(
                        "select * from segments.snapshot where segment_id = ? order by taken_at desc, id desc limit 100")
                .param(segmentId)
                .query(Segments::snapshot)
                .list();
    }

    @Transactional(readOnly = true)
    public SegmentSnapshot snapshotInfo(long snapshotId) {
        requireReader();
        return snapshotRow(snapshotId);
    }

    /**
     * Whether a snapshot was taken of personal targeting (PRV-09, MKT-16): its segment is a RULE
     * segment whose definition uses a personal field ({@link SegmentDefinition#usesPersonalFields});
     * a static list is not. Read from the segment as it is now (also when deleted since). 404 for an
     * unknown snapshot.
     */
    @Transactional(readOnly = true)
    public boolean snapshotIsPersonal(long snapshotId) {
        requireReader();
        SegmentSnapshot snap = snapshotRow(snapshotId);
        return jdbc.sql("select * from segments.segment where id = ?")
                .param(snap.segmentId())
                .query((rs, i) -> row(rs, false))
                .optional()
                .map(seg -> "RULE".equals(seg.kind())
                        && (seg.definition() == null || seg.definition().usesPersonalFields()))
                .orElse(true);
    }

    /** Streams a snapshot's member ids in ascending order, 10,000 per query (memory stays flat at any size). */
    @Transactional(readOnly = true)
    public long forEachSnapshotMember(long snapshotId, LongConsumer sink) {
        requireReader();
        snapshotRow(snapshotId);
        long after = Long.MIN_VALUE;
        long n = 0;
        while (true) {
            List<Long> ids =
                    jdbc.sql("""
                    select member_id from segments.snapshot_member where snapshot_id = ? and member_id > ?
                    order by member_id limit 10000""").params(snapshotId, after).query(Long.class).list();
            if (ids.isEmpty()) {
                return n;
            }
            for (long id : ids) {
                sink.accept(id);
            }
            n += ids.size();
            after = ids.get(ids.size() - 1);
        }
    }

    private SegmentSnapshot snapshotRow(long id) {
        return jdbc.sql("select * from segments.snapshot where id = ?")
                .param(id)
                .query(Segments::snapshot)
                .optional()
                .orElseThrow(() -> PatronException.notFound("segment.snapshot.notFound", id));
    }

    private static SegmentSnapshot snapshot(ResultSet rs, int i) throws SQLException {
        return new SegmentSnapshot(
                rs.getLong("id"),
                rs.getLong("segment_id"),
                rs.getInt("size"),
                rs.getObject("taken_at", OffsetDateTime.class),
                rs.getString("taken_by"));
    }

    private Segment locked(long id) {
        jdbc.sql("select id from segments.segment where id = ? and deleted_at is null for no key update")
                .param(id)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.notFound("segment.notFound", id));
        return find(id);
    }

    // ------------------------------------------------------------------ validation

    private SegmentCommand validate(SegmentCommand cmd, String kind) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        String name = cmd == null || cmd.name() == null ? "" : cmd.name().strip();
        if (name.isEmpty()) {
            errors.add(new PatronException.FieldError("name", "validation.required"));
        } else if (name.length() > 100) {
            errors.add(new PatronException.FieldError("name", "segment.validation.nameLength", 100));
        }
        String description = cmd == null || cmd.description() == null
                ? ""
                : cmd.description().strip();
        if (description.length() > 500) {
            errors.add(new PatronException.FieldError("description", "segment.validation.descriptionLength", 500));
        }
        SegmentDefinition definition = cmd == null ? null : cmd.definition();
        if (kind == null || "RULE".equals(kind)) {
            try {
                evaluator.compile(definition, refresh.today(), "", true);
            } catch (PatronException e) {
                errors.addAll(e.fieldErrors());
            }
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "segment.validation.invalid");
        }
        return new SegmentCommand(name, description, definition);
    }

    // ------------------------------------------------------------------ rows

    private Segment row(ResultSet rs, boolean withWarnings) throws SQLException {
        String def = rs.getString("definition");
        SegmentDefinition d = def == null ? null : json.readValue(def, SegmentDefinition.class);
        List<String> warnings = List.of();
        if (withWarnings && d != null) {
            try {
                warnings =
                        texts(evaluator.compile(d, refresh.today(), "", false).warnings());
            } catch (PatronException e) {
                warnings = List.of(messages.getMessage(e.messageKey(), e.args(), LocaleContextHolder.getLocale()));
            }
        }
        return new Segment(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getString("description"),
                rs.getString("kind"),
                d,
                rs.getInt("member_count"),
                rs.getObject("last_refreshed_at", OffsetDateTime.class),
                warnings,
                rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getString("updated_by"),
                rs.getObject("updated_at", OffsetDateTime.class));
    }

    private List<String> texts(List<SegmentEvaluator.Issue> issues) {
        return issues.stream()
                .map(i -> messages.getMessage(i.key(), i.args(), i.key(), LocaleContextHolder.getLocale()))
                .distinct()
                .toList();
    }

    /** {@code 138****1234} from an E.164 phone (the member list never shows whole phones). */
    static String maskPhone(String e164) {
        if (e164 == null) {
            return null;
        }
        String digits = e164.replaceAll("\\D", "");
        if (e164.startsWith("+86")) {
            digits = digits.substring(2);
        }
        if (digits.length() <= 7) {
            return "****" + digits.substring(Math.max(0, digits.length() - 4));
        }
        return digits.substring(0, 3) + "****" + digits.substring(digits.length() - 4);
    }
}
