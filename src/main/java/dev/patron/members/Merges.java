package dev.patron.members;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/**
 * Duplicate detection and merging. A merge moves what identifies and describes the merged member
 * to the survivor and records exactly what moved, so that an undo moves back only that (later
 * changes on the survivor stay).
 */
@Component
class Merges {

    /** Profile columns a merge fills on the survivor when blank there, with their SQL types (for the undo). */
    private static final Map<String, String> FILLABLE = new LinkedHashMap<>();

    static {
        for (String c : new String[] {
            "phone",
            "email",
            "gender",
            "region",
            "city",
            "occupation",
            "industry",
            "income_band",
            "company_name",
            "tax_id"
        }) {
            FILLABLE.put(c, "text");
        }
        FILLABLE.put("birthday", "date");
        FILLABLE.put("preferred_store_id", "bigint");
        FILLABLE.put("owner_staff_id", "bigint");
    }

    private final JdbcClient jdbc;
    private final MemberRows rows;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final MembersProperties settings;

    private final PersonalisationSwitch personalisation;

    Merges(
            JdbcClient jdbc,
            MemberRows rows,
            AuditLog audit,
            ApplicationEventPublisher events,
            MembersProperties settings,
            PersonalisationSwitch personalisation) {
        this.personalisation = personalisation;
        this.jdbc = jdbc;
        this.rows = rows;
        this.audit = audit;
        this.events = events;
        this.settings = settings;
    }

    // ---------------------------------------------------------------- duplicates

    List<DuplicateCandidate> duplicatesOf(long id, boolean mask) {
        Map<Long, List<String>> reasons = new LinkedHashMap<>();
        jdbc.sql("""
                select b.member_id, a.kind from members.identifier a
                join members.identifier b on b.kind = a.kind and b.system = a.system and b.value = a.value and b.member_id <> a.member_id
                join members.member o on o.id = b.member_id and o.status = 'ACTIVE'
                where a.member_id = ? and a.kind in ('PHONE', 'EMAIL')
                union
                select o.id, 'NAME_BIRTHDAY' from members.member me
                join members.member o on o.name = me.name and o.birthday = me.birthday and o.id <> me.id and o.status = 'ACTIVE'
                where me.id = ? and me.birthday is not null
                order by 1, 2""")
                .params(id, id)
                .query((rs, n) -> reasons.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(rs.getString(2)))
                .list();
        var scope = CurrentStaff.scope();
        List<MemberRows.SummaryRow> all = rows.summaryRows(new ArrayList<>(reasons.keySet()));
        List<Long> visible = new ArrayList<>();
        for (MemberRows.SummaryRow r : all) {
            MemberRows.Row full = rows.find(r.id()).orElseThrow();
            if (MemberManagement.inScope(scope, full.preferredStoreId(), full.joinStoreId())) {
                visible.add(r.id());
            }
        }
        MemberSummary me = rows.summaries(rows.summaryRows(List.of(id)), mask).get(0);
        List<MemberSummary> others = rows.summaries(rows.summaryRows(visible), mask);
        return others.stream()
                .map(o -> new DuplicateCandidate(me, o, reasons.get(o.id())))
                .toList();
    }

    private static final String PAIRS = """
            with pairs as (
                select a.member_id as a_id, b.member_id as b_id, a.kind as reason
                from members.identifier a
                join members.identifier b on b.kind = a.kind and b.system = a.system and b.value = a.value and b.member_id > a.member_id
                where a.kind in ('PHONE', 'EMAIL')
                union all
                select m1.id, m2.id, 'NAME_BIRTHDAY' from members.member m1
                join members.member m2 on m2.name = m1.name and m2.birthday = m1.birthday and m2.id > m1.id
                where m1.birthday is not null and m1.status = 'ACTIVE' and m2.status = 'ACTIVE'
            )
            select p.a_id, p.b_id, array_agg(distinct p.reason order by p.reason) as reasons
            from pairs p
            join members.member ma on ma.id = p.a_id and ma.status = 'ACTIVE'
            join members.member mb on mb.id = p.b_id and mb.status = 'ACTIVE'
            where (cast(:scope as bigint[]) is null or (
                (ma.preferred_store_id = any(:scope) or ma.join_store_id = any(:scope))
                and (mb.preferred_store_id = any(:scope) or mb.join_store_id = any(:scope))))
            group by p.a_id, p.b_id""";

    PageResult<DuplicateCandidate> duplicates(PageQuery page, boolean mask) {
        Long[] scope = CurrentStaff.scope().filterOrNull();
        long total = jdbc.sql("select count(*) from (" + PAIRS + ") x")
                .param("scope", scope)
                .query(Long.class)
                .single();
        List<Object[]> pairs = jdbc.sql(PAIRS + " order by p.a_id, p.b_id limit :limit offset :offset")
                .param("scope", scope)
                .param("limit", page.size())
                .param("offset", page.offset())
                .query((rs, n) -> new Object[] {rs.getLong(1), rs.getLong(2), MemberRows.strings(rs.getArray(3))})
                .list();
        List<Long> ids = new ArrayList<>();
        pairs.forEach(p -> {
            ids.add((Long) p[0]);
            ids.add((Long) p[1]);
        });
        Map<Long, MemberSummary> byId = new LinkedHashMap<>();
        rows.summaries(rows.summaryRows(ids.stream().distinct().toList()), mask).forEach(s -> byId.put(s.id(), s));
        @SuppressWarnings("unchecked")
        List<DuplicateCandidate> items = pairs.stream()
                .map(p -> new DuplicateCandidate(byId.get((Long) p[0]), byId.get((Long) p[1]), (List<String>) p[2]))
                .toList();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    // ---------------------------------------------------------------- merge

    MergeRecord merge(long survivorId, long mergedId) {
        if (survivorId == mergedId) {
            throw PatronException.invalid("memberId", "members.validation.mergeSelf");
        }
        Map<Long, MemberRows.Row> locked = rows.lockInOrder(List.of(survivorId, mergedId));
        MemberRows.Row s = locked.get(survivorId);
        if (s == null) {
            throw PatronException.notFound("error.members.notFound", survivorId);
        }
        MemberRows.Row l = locked.get(mergedId);
        if (l == null) {
            throw PatronException.unknownReference("memberId", "error.members.notFound", mergedId);
        }
        MemberManagement.requireVisible(s);
        MemberManagement.requireVisible(l);
        MemberManagement.requireActive(s);
        if (l.status() != MemberStatus.ACTIVE) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    List.of(new PatronException.FieldError(
                            "memberId",
                            "error.members.notActive",
                            l.id(),
                            l.status().name())),
                    "error.members.notActive",
                    l.id(),
                    l.status().name());
        }
        if (s.kind() != l.kind()) {
            throw PatronException.invalid("memberId", "members.validation.mergeKinds");
        }
        Map<String, Object> moved = new LinkedHashMap<>();
        moved.put("identifiers", ids("""
                update members.identifier i set member_id = :s where i.member_id = :l and not exists (
                    select 1 from members.identifier x where x.member_id = :s and x.kind = i.kind and x.system = i.system and x.value = i.value)
                returning i.id""", s.id(), l.id()));
        moved.put(
                "cards",
                ids("update members.card set member_id = :s where member_id = :l returning id", s.id(), l.id()));
        moved.put(
                "notes",
                ids("update members.note set member_id = :s where member_id = :l returning id", s.id(), l.id()));
        moved.put(
                "consents",
                ids(
                        "update members.consent_event set member_id = :s where member_id = :l returning id",
                        s.id(),
                        l.id()));
        moved.put(
                "contacts",
                ids(
                        "update members.contact_person set member_id = :s where member_id = :l returning id",
                        s.id(),
                        l.id()));
        moved.put(
                "referred",
                ids(
                        "update members.member set referrer_id = :s where referrer_id = :l and id <> :s returning id",
                        s.id(),
                        l.id()));
        moved.put(
                "institutionMembers",
                ids(
                        "update members.member set institution_id = :s where institution_id = :l returning id",
                        s.id(),
                        l.id()));
        moved.put("tags", ids("""
                insert into members.member_tag(member_id, tag_id) select :s, tag_id from members.member_tag where member_id = :l
                on conflict do nothing returning tag_id""", s.id(), l.id()));

        // blank profile fields of the survivor take the merged member's values; the earlier join date wins
        Map<String, Map<String, Object>> filled = new LinkedHashMap<>();
        Map<String, Object> sv = columns(s);
        Map<String, Object> lv = columns(l);
        for (String c : FILLABLE.keySet()) {
            if (sv.get(c) == null && lv.get(c) != null) {
                filled.put(c, beforeAfter(null, lv.get(c)));
            }
        }
        if (l.joinedOn().isBefore(s.joinedOn())) {
            filled.put(
                    "joined_on",
                    beforeAfter(s.joinedOn().toString(), l.joinedOn().toString()));
        }
        for (Map.Entry<String, Map<String, Object>> f : filled.entrySet()) {
            String type = f.getKey().equals("joined_on") ? "date" : FILLABLE.get(f.getKey());
            jdbc.sql("update members.member set " + f.getKey() + " = cast(:v as " + type + ") where id = :id")
                    .param("v", f.getValue().get("after"))
                    .param("id", s.id())
                    .update();
        }
        moved.put("filled", filled);
        Map<String, Object> addedCustom = new LinkedHashMap<>();
        l.customFields().forEach((k, v) -> {
            if (!s.customFields().containsKey(k)) {
                addedCustom.put(k, v);
            }
        });
        if (!addedCustom.isEmpty()) {
            jdbc.sql("update members.member set custom_fields = cast(:add as jsonb) || custom_fields where id = :id")
                    .param("add", MemberRows.toJson(addedCustom))
                    .param("id", s.id())
                    .update();
        }
        moved.put("customFields", addedCustom);
        jdbc.sql("update members.member set updated_at = now() where id = ?")
                .param(s.id())
                .update();
        jdbc.sql("update members.member set status = 'MERGED', merged_into = ?, updated_at = now() where id = ?")
                .params(s.id(), l.id())
                .update();
        String actor = CurrentStaff.get().auditName();
        var inserted = jdbc.sql(
                        "insert into members.merge(survivor_id, merged_id, actor, moved) values (?, ?, ?, cast(? as jsonb)) returning id, at")
                .params(s.id(), l.id(), actor, MemberRows.toJson(moved))
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
                .single();
        long mergeId = inserted.getKey();
        audit.record("member.merged", "member", s.id(), Map.of("merged", l.id(), "merge", mergeId));
        audit.record("member.mergedInto", "member", l.id(), Map.of("survivor", s.id(), "merge", mergeId));
        // PRV-09: the same person asked not to be profiled; the survivor inherits that choice (an undo
        // leaves it: the member can switch it on again)
        PersonalisationState loser = personalisation.state(l.id());
        if (loser.switchedOff() && !personalisation.state(s.id()).switchedOff()) {
            personalisation.change(
                    s.id(),
                    new PersonalisationCommand(
                            true,
                            loser.source() == null ? ConsentSource.API : loser.source(),
                            null,
                            "merged from member " + l.id() + " (merge " + mergeId + ")"),
                    ConsentSource.API,
                    CurrentStaff.get());
        }
        events.publishEvent(new MembersMerged(mergeId, s.id(), l.id()));
        return new MergeRecord(
                mergeId,
                s.id(),
                l.id(),
                inserted.getValue(),
                actor,
                null,
                null,
                inserted.getValue().plus(settings.unmergeWindow()));
    }

    private static Map<String, Object> beforeAfter(Object before, Object after) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("before", before);
        m.put("after", after);
        return m;
    }

    private static Map<String, Object> columns(MemberRows.Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phone", r.phone());
        m.put("email", r.email());
        m.put("gender", r.gender() == null ? null : r.gender().name());
        m.put("region", r.region());
        m.put("city", r.city());
        m.put("occupation", r.occupation());
        m.put("industry", r.industry());
        m.put("income_band", r.incomeBand() == null ? null : r.incomeBand().name());
        m.put("company_name", r.companyName());
        m.put("tax_id", r.taxId());
        m.put("birthday", r.birthday() == null ? null : r.birthday().toString());
        m.put(
                "preferred_store_id",
                r.preferredStoreId() == null ? null : r.preferredStoreId().toString());
        m.put(
                "owner_staff_id",
                r.ownerStaffId() == null ? null : r.ownerStaffId().toString());
        return m;
    }

    private List<Long> ids(String sql, long survivor, long merged) {
        return jdbc.sql(sql)
                .param("s", survivor)
                .param("l", merged)
                .query(Long.class)
                .list();
    }

    // ---------------------------------------------------------------- undo

    MergeRecord unmerge(long survivorId, long mergeId) {
        var found = jdbc.sql(
                        "select survivor_id, merged_id, at, undone_at, moved::text from members.merge where id = ? and survivor_id = ? for update")
                .params(mergeId, survivorId)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1), rs.getLong(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4), rs.getString(5)
                })
                .optional()
                .orElseThrow(() -> PatronException.notFound("error.members.mergeNotFound", mergeId));
        long mergedId = (Long) found[1];
        Instant at = (Instant) found[2];
        if (found[3] != null) {
            throw new PatronException(HttpStatus.CONFLICT, "error.members.mergeUndone", mergeId);
        }
        if (Instant.now().isAfter(at.plus(settings.unmergeWindow()))) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    "error.members.mergeTooOld",
                    mergeId,
                    settings.unmergeWindow().toDays());
        }
        Map<Long, MemberRows.Row> locked = rows.lockInOrder(List.of(survivorId, mergedId));
        MemberRows.Row s = locked.get(survivorId);
        MemberRows.Row l = locked.get(mergedId);
        MemberManagement.requireVisible(s);
        if (s.status() != MemberStatus.ACTIVE) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    "error.members.survivorNotActive",
                    survivorId,
                    s.status().name());
        }
        if (l.status() != MemberStatus.MERGED || !Objects.equals(l.mergedInto(), survivorId)) {
            throw new PatronException(HttpStatus.CONFLICT, "error.members.mergeUndone", mergeId);
        }
        Map<String, Object> moved =
                MemberRows.JSON.readValue((String) found[4], new TypeReference<LinkedHashMap<String, Object>>() {});
        back(
                "update members.identifier set member_id = :l where member_id = :s and id = any(:ids)",
                moved,
                "identifiers",
                s,
                l);
        back("update members.card set member_id = :l where member_id = :s and id = any(:ids)", moved, "cards", s, l);
        back("update members.note set member_id = :l where member_id = :s and id = any(:ids)", moved, "notes", s, l);
        back(
                "update members.consent_event set member_id = :l where member_id = :s and id = any(:ids)",
                moved,
                "consents",
                s,
                l);
        back(
                "update members.contact_person set member_id = :l where member_id = :s and id = any(:ids)",
                moved,
                "contacts",
                s,
                l);
        back(
                "update members.member set referrer_id = :l where referrer_id = :s and id = any(:ids)",
                moved,
                "referred",
                s,
                l);
        back(
                "update members.member set institution_id = :l where institution_id = :s and id = any(:ids)",
                moved,
                "institutionMembers",
                s,
                l);
        back("delete from members.member_tag where member_id = :s and tag_id = any(:ids)", moved, "tags", s, l);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> filled =
                (Map<String, Map<String, Object>>) moved.getOrDefault("filled", Map.of());
        filled.forEach((column, change) -> {
            String type = column.equals("joined_on") ? "date" : FILLABLE.get(column);
            if (type == null) {
                return;
            }
            // only if nobody changed the value since the merge
            jdbc.sql("update members.member set " + column + " = cast(:before as " + type + ") where id = :id and "
                            + column + " is not distinct from cast(:after as " + type + ")")
                    .param(
                            "before",
                            change.get("before") == null
                                    ? null
                                    : change.get("before").toString())
                    .param(
                            "after",
                            change.get("after") == null
                                    ? null
                                    : change.get("after").toString())
                    .param("id", s.id())
                    .update();
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> custom = (Map<String, Object>) moved.getOrDefault("customFields", Map.of());
        custom.forEach((k, v) -> jdbc.sql(
                        "update members.member set custom_fields = custom_fields - :k where id = :id and custom_fields -> :k = cast(:v as jsonb)")
                .param("k", k)
                .param("v", MemberRows.toJson(v))
                .param("id", s.id())
                .update());
        jdbc.sql("update members.member set updated_at = now() where id = ?")
                .param(s.id())
                .update();
        jdbc.sql("update members.member set status = 'ACTIVE', merged_into = null, updated_at = now() where id = ?")
                .param(l.id())
                .update();
        String actor = CurrentStaff.get().auditName();
        jdbc.sql("update members.merge set undone_at = now(), undone_by = ? where id = ?")
                .params(actor, mergeId)
                .update();
        audit.record("member.unmerged", "member", s.id(), Map.of("merged", l.id(), "merge", mergeId));
        audit.record("member.unmerged", "member", l.id(), Map.of("survivor", s.id(), "merge", mergeId));
        events.publishEvent(new MembersUnmerged(mergeId, s.id(), l.id()));
        return history(s.id()).stream()
                .filter(r -> r.id() == mergeId)
                .findFirst()
                .orElseThrow();
    }

    private void back(String sql, Map<String, Object> moved, String key, MemberRows.Row s, MemberRows.Row l) {
        Object raw = moved.get(key);
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
            return;
        }
        Long[] ids = list.stream().map(o -> ((Number) o).longValue()).toArray(Long[]::new);
        jdbc.sql(sql).param("s", s.id()).param("l", l.id()).param("ids", ids).update();
    }

    List<MergeRecord> history(long memberId) {
        return jdbc.sql("""
                select id, survivor_id, merged_id, at, actor, undone_at, undone_by from members.merge
                where survivor_id = ? or merged_id = ? order by id desc""")
                .params(memberId, memberId)
                .query((rs, n) -> {
                    Instant at = rs.getTimestamp(4).toInstant();
                    Timestamp undone = rs.getTimestamp(6);
                    return new MergeRecord(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            at,
                            rs.getString(5),
                            undone == null ? null : undone.toInstant(),
                            rs.getString(7),
                            at.plus(settings.unmergeWindow()));
                })
                .list();
    }
}
