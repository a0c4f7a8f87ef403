package dev.patron.audit;

import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.SqlPage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends audit events. Called inside the caller's transaction, so a change and its audit record
 * commit or roll back together.
 */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final JsonMapper json = JsonMapper.builder().build();

    /** {@code patron.audit.durable-reads} (default true): read audits wait for the disk like every other row. */
    private final boolean durableReads;

    /** A transaction for {@link #recordReadNow} when read audits need not wait for the disk. */
    private final org.springframework.transaction.support.TransactionTemplate relaxedReads;

    AuditLog(
            JdbcClient jdbc,
            @Value("${patron.audit.durable-reads:true}") boolean durableReads,
            org.springframework.transaction.PlatformTransactionManager transactions) {
        this.durableReads = durableReads;
        this.relaxedReads = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.jdbc = jdbc;
    }

    /** A recorded event, newest first in listings. */
    public record AuditEvent(
            long id,
            Instant at,
            String actor,
            String action,
            String entityType,
            String entityId,
            String details,
            String ip) {}

    /**
     * Records {@code action} (e.g. "store.created") on an entity by the current caller.
     *
     * @param details small map of what changed; never passwords or keys
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String action, String entityType, Object entityId, Map<String, ?> details) {
        recordAs(CurrentStaff.get(), action, entityType, entityId, details);
    }

    /**
     * Records a sensitive read (e.g. "member.viewed": a 360 view or a phone lookup with contact data).
     * By default exactly like {@link #record}: the row is committed durably before the answer, so no
     * unmasked view goes unrecorded (PIPL). With {@code patron.audit.durable-reads=false} an operator
     * may trade that for latency: when the transaction has written nothing before, it commits
     * without waiting for the disk ({@code synchronous_commit = off}), and the row can then be lost
     * only if the database server itself crashes within its WAL writer delay (200 ms) of the commit.
     * Changes (members, money, points) always go through {@link #record} and stay durable. Call it
     * only from read paths (the member file's lookups and views are their own transactions).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void recordRead(String action, String entityType, Object entityId, Map<String, ?> details) {
        if (!durableReads) {
            // set local, in one round trip, only when the transaction has no transaction id yet (no writes)
            jdbc.sql("select set_config('synchronous_commit', 'off', true) where txid_current_if_assigned() is null")
                    .query(String.class)
                    .optional();
        }
        record(action, entityType, entityId, details);
    }

    /**
     * {@link #recordRead} for a read that runs outside any transaction (the member lookup, whose
     * statements each commit on their own): the row is written by one statement that commits by
     * itself before this returns, durably unless {@code patron.audit.durable-reads=false} (then in a
     * transaction of its own that does not wait for the disk). Inside a transaction it is exactly
     * {@link #recordRead}.
     */
    public void recordReadNow(String action, String entityType, Object entityId, Map<String, ?> details) {
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isActualTransactionActive()) {
            recordRead(action, entityType, entityId, details);
        } else if (durableReads) {
            recordAs(CurrentStaff.get(), action, entityType, entityId, details); // autocommit: one round trip
        } else {
            relaxedReads.executeWithoutResult(status -> recordRead(action, entityType, entityId, details));
        }
    }

    /**
     * A sensitive read recorded by the statement that reads (the member lookup: probe and audit row
     * in one round trip), for reads outside any transaction, whose statement commits by itself:
     * durably, with the read. Empty when {@code patron.audit.durable-reads=false} (use {@link
     * #recordReadNow} after the read then: the operator chose not to wait for the disk).
     */
    public Optional<StatementAudit> readInStatement(String action, String entityType, Map<String, ?> details) {
        if (!durableReads
                || org.springframework.transaction.support.TransactionSynchronizationManager
                        .isActualTransactionActive()) {
            return Optional.empty();
        }
        StaffPrincipal actor = CurrentStaff.get();
        String ip = clientIp();
        return Optional.of(new StatementAudit(List.of(
                actor.auditName(),
                actor.kind().name(),
                action,
                entityType,
                json.writeValueAsString(details == null ? Map.of() : details),
                ip == null ? "" : ip)));
    }

    /**
     * The audit module's part of another module's statement: {@link #call} is an SQL expression
     * (the function {@code audit.record_read}) that writes one audit row each time it is evaluated,
     * for the entity whose id is the given SQL expression; {@link #params} are its parameters, in
     * order. Evaluate it once, for the row that is shown.
     */
    public record StatementAudit(List<Object> params) {
        public String call(String entityIdExpression) {
            return "audit.record_read(?, ?, ?, ?, (" + entityIdExpression + ")::text, cast(? as jsonb), nullif(?, ''))";
        }
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void recordAs(
            StaffPrincipal actor, String action, String entityType, Object entityId, Map<String, ?> details) {
        jdbc.sql("""
                insert into audit.audit_event(actor, actor_type, action, entity_type, entity_id, details, ip)
                values (?, ?, ?, ?, ?, cast(? as jsonb), ?)""")
                .params(
                        actor.auditName(),
                        actor.kind().name(),
                        action,
                        entityType,
                        entityId == null ? null : entityId.toString(),
                        json.writeValueAsString(details == null ? Map.of() : details),
                        clientIp())
                .update();
    }

    /** Newest first; {@code q} matches actor, action, entity type or id. */
    @Transactional(readOnly = true)
    public PageResult<AuditEvent> search(PageQuery page) {
        String where = page.q() == null
                ? ""
                : " where actor ilike :q or action ilike :q or entity_type ilike :q or entity_id = :exact";
        var params = new java.util.HashMap<String, Object>();
        if (page.q() != null) {
            params.put("q", page.likePattern());
            params.put("exact", page.q());
        }
        return SqlPage.query(
                jdbc,
                "select count(*) from audit.audit_event" + where,
                "select id, at, actor, action, entity_type, entity_id, details::text, ip from audit.audit_event" + where
                        + " order by id desc",
                params,
                page,
                (rs, n) -> new AuditEvent(
                        rs.getLong(1),
                        rs.getTimestamp(2).toInstant(),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)));
    }

    private static String clientIp() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
            return attrs.getRequest().getRemoteAddr();
        }
        return null;
    }
}
