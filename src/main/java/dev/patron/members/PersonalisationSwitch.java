package dev.patron.members;

import dev.patron.audit.AuditLog;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.web.PatronException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Stores the member's "no personalised recommendations / marketing" switch (PRV-09): the current
 * state on {@code members.member} (published in {@code members.v_member.no_personalisation}) and
 * every change in the append-only {@code members.personalisation_event}, audited and announced with
 * {@link PersonalisationChanged}. Callers check roles, scope and that the member is active.
 */
@Component
class PersonalisationSwitch {

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final OrganizationManagement organization;

    PersonalisationSwitch(
            JdbcClient jdbc, AuditLog audit, ApplicationEventPublisher events, OrganizationManagement organization) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.events = events;
        this.organization = organization;
    }

    PersonalisationState state(long memberId) {
        return jdbc.sql("""
                select m.no_personalisation, m.no_personalisation_at,
                       (select e.source from members.personalisation_event e where e.member_id = m.id
                        order by e.at desc, e.id desc limit 1)
                from members.member m where m.id = ?""")
                .param(memberId)
                .query((rs, n) -> {
                    Timestamp at = rs.getTimestamp(2);
                    String source = rs.getString(3);
                    return at == null && !rs.getBoolean(1)
                            ? PersonalisationState.NEVER_ASKED
                            : new PersonalisationState(
                                    rs.getBoolean(1),
                                    at == null ? null : at.toInstant(),
                                    source == null ? null : ConsentSource.valueOf(source));
                })
                .optional()
                .orElse(PersonalisationState.NEVER_ASKED);
    }

    List<PersonalisationEntry> history(long memberId) {
        List<Object[]> raw = jdbc.sql("""
                select id, switched_off, at, source, operator, store_id, evidence
                from members.personalisation_event where member_id = ? order by at, id""")
                .param(memberId)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getBoolean(2),
                    rs.getTimestamp(3).toInstant(),
                    ConsentSource.valueOf(rs.getString(4)),
                    rs.getString(5),
                    rs.getObject(6, Long.class),
                    rs.getString(7)
                })
                .list();
        Set<Long> storeIds = new TreeSet<>();
        raw.stream().map(r -> (Long) r[5]).filter(java.util.Objects::nonNull).forEach(storeIds::add);
        Map<Long, String> codes = storeIds.isEmpty() ? Map.of() : organization.storeCodes(storeIds);
        return raw.stream()
                .map(r -> new PersonalisationEntry(
                        (long) r[0],
                        (boolean) r[1],
                        (Instant) r[2],
                        (ConsentSource) r[3],
                        (String) r[4],
                        r[5] == null ? null : codes.get((Long) r[5]),
                        (String) r[6]))
                .toList();
    }

    /**
     * Checks the command (400 naming every bad field, 404 naming {@code storeCode}), sets the state,
     * appends the history row, audits {@code member.personalisation} and publishes the event. A
     * repeated choice is recorded too (the member confirmed it again), and announced again:
     * listeners are idempotent.
     */
    PersonalisationEntry change(
            long memberId, PersonalisationCommand cmd, ConsentSource defaultSource, StaffPrincipal actor) {
        Problems problems = new Problems();
        if (cmd == null || cmd.switchedOff() == null) {
            problems.add("switchedOff", "validation.required");
        }
        if (cmd != null && cmd.evidence() != null && cmd.evidence().length() > 500) {
            problems.add("evidence", "members.validation.tooLong", 500);
        }
        problems.throwIfAny();
        String storeCode = ProfileRules.trim(cmd.storeCode());
        Long storeId = storeCode == null
                ? null
                : organization
                        .storeIdByCode(storeCode)
                        .orElseThrow(
                                () -> PatronException.unknownReference("storeCode", "error.store.notFound", storeCode));
        ConsentSource source = cmd.source() == null ? defaultSource : cmd.source();
        boolean off = cmd.switchedOff();
        Map.Entry<Long, Instant> inserted = jdbc.sql("""
                insert into members.personalisation_event (member_id, switched_off, source, operator, store_id, evidence)
                values (?, ?, ?, ?, ?, ?) returning id, at""")
                .params(memberId, off, source.name(), actor.auditName(), storeId, ProfileRules.trim(cmd.evidence()))
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
                .single();
        jdbc.sql("""
                update members.member set no_personalisation = ?, no_personalisation_at = ?, updated_at = now()
                where id = ?""").params(off, Timestamp.from(inserted.getValue()), memberId).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("switchedOff", off);
        details.put("source", source.name());
        if (storeCode != null) {
            details.put("store", storeCode.toUpperCase(java.util.Locale.ROOT));
        }
        audit.recordAs(actor, "member.personalisation", "member", memberId, details);
        events.publishEvent(new PersonalisationChanged(memberId, off, inserted.getValue()));
        return history(memberId).stream()
                .filter(e -> e.id() == inserted.getKey())
                .findFirst()
                .orElseThrow();
    }
}
