package dev.patron.members;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Resolves member references carried by POS tickets and other feeds to active member ids, many at a
 * time (one query per kind of reference), without reading or auditing personal data: the caller
 * only learns an id. A member id of a merged member resolves to the survivor; a card must be
 * active; a phone shared by several members resolves to the member whose primary phone it is (then
 * the oldest), like the call-center lookup.
 */
@Service
public class MemberReferences {

    /** Why a reference did not resolve. */
    public enum Failure {
        /** No active member has this identifier. */
        NOT_FOUND,
        /** The card exists but is frozen, reported lost, replaced or cancelled. */
        CARD_INACTIVE,
        /** The value is not a valid identifier of its kind (e.g. not a mobile number). */
        INVALID
    }

    /** The member id, or why there is none. */
    public record Resolution(Long memberId, Failure failure) {
        static Resolution of(long id) {
            return new Resolution(id, null);
        }

        static Resolution failed(Failure f) {
            return new Resolution(null, f);
        }

        public boolean resolved() {
            return memberId != null;
        }
    }

    private static final int MAX_MERGE_HOPS = 8;

    private final JdbcClient jdbc;

    MemberReferences(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Resolves each reference; the map has an entry for every distinct reference given. */
    @Transactional(propagation = Propagation.SUPPORTS, readOnly = true)
    public Map<MemberReference, Resolution> resolve(Collection<MemberReference> references) {
        Map<MemberReference, Resolution> out = new HashMap<>();
        Set<Long> ids = new LinkedHashSet<>();
        Map<String, List<MemberReference>> cards = new HashMap<>();
        Map<String, List<MemberReference>> phones = new HashMap<>();
        Map<String, List<MemberReference>> externals = new HashMap<>();
        for (MemberReference ref : new LinkedHashSet<>(references)) {
            String v = ref.value() == null ? "" : ref.value().trim();
            switch (ref.kind()) {
                case ID -> {
                    try {
                        ids.add(Long.parseLong(v));
                    } catch (NumberFormatException e) {
                        out.put(ref, Resolution.failed(Failure.INVALID));
                    }
                }
                case CARD -> {
                    String n = v.replaceAll("[\\s-]", "");
                    if (n.isEmpty()) {
                        out.put(ref, Resolution.failed(Failure.INVALID));
                    } else {
                        cards.computeIfAbsent(n, k -> new ArrayList<>()).add(ref);
                    }
                }
                case PHONE -> {
                    Optional<String> p = Phones.normalizeMobile(v);
                    if (p.isEmpty()) {
                        out.put(ref, Resolution.failed(Failure.INVALID));
                    } else {
                        phones.computeIfAbsent(p.get(), k -> new ArrayList<>()).add(ref);
                    }
                }
                case EXTERNAL -> {
                    String sys = ref.system() == null ? "" : ref.system().trim().toLowerCase(Locale.ROOT);
                    if (sys.isEmpty() || v.isEmpty()) {
                        out.put(ref, Resolution.failed(Failure.INVALID));
                    } else {
                        externals
                                .computeIfAbsent(sys + "\u0000" + v, k -> new ArrayList<>())
                                .add(ref);
                    }
                }
            }
        }
        if (!ids.isEmpty()) {
            Map<Long, Long> active = activeIds(ids);
            for (MemberReference ref : references) {
                if (ref.kind() == MemberReference.Kind.ID && !out.containsKey(ref)) {
                    Long id = active.get(Long.parseLong(ref.value().trim()));
                    out.put(ref, id == null ? Resolution.failed(Failure.NOT_FOUND) : Resolution.of(id));
                }
            }
        }
        if (!cards.isEmpty()) {
            Map<String, Resolution> found = new HashMap<>();
            jdbc.sql("""
                    select c.number, c.member_id, c.status from members.card c
                    join members.member m on m.id = c.member_id
                    where c.number = any(?) and m.status = 'ACTIVE'""")
                    .param(cards.keySet().toArray(String[]::new))
                    .query((rs, n) -> found.put(
                            rs.getString(1),
                            "ACTIVE".equals(rs.getString(3))
                                    ? Resolution.of(rs.getLong(2))
                                    : Resolution.failed(Failure.CARD_INACTIVE)))
                    .list();
            cards.forEach((number, refs) ->
                    refs.forEach(r -> out.put(r, found.getOrDefault(number, Resolution.failed(Failure.NOT_FOUND)))));
        }
        if (!phones.isEmpty()) {
            Map<String, Long> found = new HashMap<>();
            jdbc.sql("""
                    select distinct on (i.value) i.value, i.member_id from members.identifier i
                    join members.member m on m.id = i.member_id
                    where i.kind = 'PHONE' and i.system = '' and i.value = any(?) and m.status = 'ACTIVE'
                    order by i.value, (m.phone is not distinct from i.value) desc, m.id""")
                    .param(phones.keySet().toArray(String[]::new))
                    .query((rs, n) -> found.put(rs.getString(1), rs.getLong(2)))
                    .list();
            phones.forEach((phone, refs) -> refs.forEach(r -> out.put(
                    r,
                    found.containsKey(phone)
                            ? Resolution.of(found.get(phone))
                            : Resolution.failed(Failure.NOT_FOUND))));
        }
        if (!externals.isEmpty()) {
            List<String> systems = new ArrayList<>();
            List<String> values = new ArrayList<>();
            externals.keySet().forEach(k -> {
                int cut = k.indexOf('\u0000');
                systems.add(k.substring(0, cut));
                values.add(k.substring(cut + 1));
            });
            Map<String, Long> found = new HashMap<>();
            jdbc.sql("""
                    select i.system, i.value, i.member_id from members.identifier i
                    join members.member m on m.id = i.member_id
                    join unnest(?::text[], ?::text[]) as x(system, value) on x.system = i.system and x.value = i.value
                    where i.kind = 'EXTERNAL' and m.status = 'ACTIVE'""")
                    .params(systems.toArray(String[]::new), values.toArray(String[]::new))
                    .query((rs, n) -> found.put(rs.getString(1) + "\u0000" + rs.getString(2), rs.getLong(3)))
                    .list();
            externals.forEach((key, refs) -> refs.forEach(r -> out.put(
                    r, found.containsKey(key) ? Resolution.of(found.get(key)) : Resolution.failed(Failure.NOT_FOUND))));
        }
        return out;
    }

    /**
     * For each given id, the active member it stands for: itself when active, its survivor when it
     * was merged (following chains of merges); absent when unknown or erased.
     */
    @Transactional(propagation = Propagation.SUPPORTS, readOnly = true)
    public Map<Long, Long> activeIds(Collection<Long> ids) {
        Map<Long, Long> result = new HashMap<>();
        Map<Long, List<Long>> pending = new HashMap<>(); // current id -> original ids
        ids.forEach(id -> pending.computeIfAbsent(id, k -> new ArrayList<>()).add(id));
        Map<Long, List<Long>> current = pending;
        for (int hop = 0; hop < MAX_MERGE_HOPS && !current.isEmpty(); hop++) {
            Map<Long, List<Long>> next = new HashMap<>();
            Map<Long, List<Long>> now = current;
            jdbc.sql("select id, status, merged_into from members.member where id = any(?)")
                    .param(now.keySet().toArray(Long[]::new))
                    .query(rs -> {
                        long id = rs.getLong(1);
                        String status = rs.getString(2);
                        List<Long> originals = now.get(id);
                        if ("ACTIVE".equals(status)) {
                            originals.forEach(o -> result.put(o, id));
                        } else if ("MERGED".equals(status)) {
                            next.computeIfAbsent(rs.getLong(3), k -> new ArrayList<>())
                                    .addAll(originals);
                        }
                    });
            current = next;
        }
        return result;
    }

    /** What other modules may know of a member without reading personal data: kind, birthday month, institution. */
    public record Basics(long memberId, MemberKind kind, java.time.Month birthMonth, Long institutionId) {}

    /**
     * The {@link Basics} of the given member ids in one query (unknown ids are absent), e.g. for the
     * loyalty module's birthday rules and institutional pooling.
     */
    @Transactional(propagation = Propagation.SUPPORTS, readOnly = true)
    public Map<Long, Basics> basics(Collection<Long> ids) {
        Map<Long, Basics> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql("""
                select id, kind, extract(month from birthday)::int, institution_id from members.member
                where id = any(?)""").param(new LinkedHashSet<>(ids).toArray(Long[]::new)).query(rs -> {
            int month = rs.getInt(3);
            java.time.Month birthMonth = rs.wasNull() ? null : java.time.Month.of(month);
            out.put(
                    rs.getLong(1),
                    new Basics(
                            rs.getLong(1),
                            MemberKind.valueOf(rs.getString(2)),
                            birthMonth,
                            rs.getObject(4, Long.class)));
        });
        return out;
    }
}
