package dev.patron.segments;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberReference;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Static lists: a STATIC segment made from uploaded phones, card numbers or member ids (one value
 * per line; of a CSV line the first column; a first line that is a header is skipped), resolved in
 * bulk through {@link MemberReferences} (merged members resolve to the survivor). Rows that match
 * no active member come back in the report with the reason. MARKETER / ADMIN with all stores;
 * audited.
 */
@Service
public class StaticLists {

    static final int MAX_ROWS = 200_000;
    private static final int CHUNK = 5_000;

    private final JdbcClient jdbc;
    private final MemberReferences references;
    private final SegmentRefresh refresh;
    private final Segments segments;
    private final AuditLog audit;

    StaticLists(
            JdbcClient jdbc, MemberReferences references, SegmentRefresh refresh, Segments segments, AuditLog audit) {
        this.jdbc = jdbc;
        this.references = references;
        this.refresh = refresh;
        this.segments = segments;
        this.audit = audit;
    }

    @Transactional
    public StaticListUpload upload(StaticListUpload.Command cmd) {
        Segments.requireWriter();
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
        String kind = cmd == null || cmd.identifierKind() == null
                ? ""
                : cmd.identifierKind().strip();
        if (!List.of("PHONE", "CARD", "MEMBER_ID").contains(kind)) {
            errors.add(new PatronException.FieldError("identifierKind", "segment.validation.identifierKind"));
        }
        List<String[]> rows = new ArrayList<>(); // {rowNo, value}
        String content = cmd == null || cmd.content() == null ? "" : cmd.content();
        String[] lines = content.split("\\r?\\n|\\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replace("\uFEFF", "");
            String value = line.split("[,;\\t]", 2)[0]
                    .strip()
                    .replaceAll("^\"|\"$", "")
                    .strip();
            if (value.isEmpty() || (i == 0 && isHeader(value))) {
                continue;
            }
            rows.add(new String[] {Integer.toString(i + 1), value});
        }
        if (rows.isEmpty()) {
            errors.add(new PatronException.FieldError("content", "segment.validation.emptyList"));
        } else if (rows.size() > MAX_ROWS) {
            errors.add(new PatronException.FieldError("content", "segment.validation.tooManyRows", MAX_ROWS));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "segment.validation.invalid");
        }
        String by = CurrentStaff.get().auditName();
        long id;
        try {
            id = jdbc.sql("""
                    insert into segments.segment (name, description, kind, created_by, updated_by)
                    values (?, ?, 'STATIC', ?, ?) returning id""")
                    .params(name, description, by, by)
                    .query(Long.class)
                    .single();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            throw PatronException.conflict("name", "segment.validation.nameTaken", name);
        }
        List<StaticListUpload.UnmatchedRow> unmatched = new ArrayList<>();
        Set<Long> memberIds = new LinkedHashSet<>();
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<String[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            Map<String[], MemberReference> refs = new HashMap<>();
            for (String[] r : chunk) {
                refs.put(r, reference(kind, r[1]));
            }
            var resolved = references.resolve(refs.values());
            for (String[] r : chunk) {
                var res = resolved.get(refs.get(r));
                if (res == null || !res.resolved()) {
                    unmatched.add(new StaticListUpload.UnmatchedRow(
                            Integer.parseInt(r[0]),
                            r[1],
                            res == null ? "INVALID" : res.failure().name()));
                } else if (!memberIds.add(res.memberId())) {
                    unmatched.add(new StaticListUpload.UnmatchedRow(Integer.parseInt(r[0]), r[1], "DUPLICATE"));
                }
            }
        }
        LocalDate today = refresh.today();
        jdbc.sql("""
                with ins as (insert into segments.segment_member (segment_id, member_id, since)
                    select ?, unnest(?::bigint[]), ? on conflict do nothing returning member_id)
                insert into segments.segment_change (segment_id, member_id, change, on_date, cause)
                select ?, member_id, 'JOINED', ?, 'UPLOAD' from ins""")
                .params(id, memberIds.toArray(Long[]::new), today, id, today)
                .update();
        refresh.refresh(id, today, "UPLOAD");
        audit.record(
                "segment.uploaded",
                "segment",
                id,
                Map.of("name", name, "identifierKind", kind, "rows", rows.size(), "matched", memberIds.size()));
        return new StaticListUpload(segments.segment(id), rows.size(), memberIds.size(), unmatched);
    }

    private static boolean isHeader(String value) {
        return value.chars().noneMatch(Character::isDigit);
    }

    private static MemberReference reference(String kind, String value) {
        return switch (kind) {
            case "PHONE" -> MemberReference.phone(value);
            case "CARD" -> MemberReference.card(value);
            default -> new MemberReference(MemberReference.Kind.ID, "", value);
        };
    }
}
