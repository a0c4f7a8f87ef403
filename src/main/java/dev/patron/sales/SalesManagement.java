package dev.patron.sales;

import dev.patron.members.MemberReference;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The sales module's API: record POS sales and returns exactly once, read tickets.
 *
 * <p>Rules: a ticket is identified by (store code, POS transaction id). Recording it again with the
 * same content returns the first result and changes nothing ({@code REPLAYED}); the same key with
 * different content is 409. Tickets are validated completely (lines, payments, totals, codes, dates,
 * member) with every problem named. Recording needs ADMIN, STORE_MANAGER or COUNTER_STAFF and the
 * store in the caller's scope; reading needs any role and is filtered by store scope. Each request's
 * new tickets are announced in one {@link SalesRecorded} event, stored in the same transaction.
 */
@Service
public class SalesManagement {

    /** Largest batch accepted by {@link #record(List, boolean)}. */
    public static final int MAX_BATCH = 1000;

    private static final Role[] RECORDERS = {Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF};

    private final JdbcClient jdbc;
    private final SaleWriter writer;
    private final ReferenceCache cache;
    private final MemberReferences members;
    private final SalesFeed feed;
    private final Returns returns;
    private final SingleSaleBatcher batcher;

    SalesManagement(
            JdbcClient jdbc,
            SaleWriter writer,
            ReferenceCache cache,
            MemberReferences members,
            SalesFeed feed,
            org.springframework.transaction.PlatformTransactionManager transactions) {
        this.batcher = new SingleSaleBatcher(this, transactions);
        this.jdbc = jdbc;
        this.writer = writer;
        this.cache = cache;
        this.members = members;
        this.feed = feed;
        this.returns = new Returns(jdbc, writer, cache);
    }

    /**
     * Records one POS sale (see {@link #record(List, boolean)}); failures are thrown. The ticket is
     * checked in the caller's thread; concurrent single sales are then written together (one
     * transaction, one statement, one event for all that are waiting — group commit, see
     * {@link SingleSaleBatcher}), and each caller gets its own ticket's outcome.
     */
    public SaleOutcome record(SaleCommand sale) {
        CurrentStaff.requireAnyRole(RECORDERS);
        PreparedTicket t = SalePreparer.prepare(sale, SaleSource.POS, true, cache);
        if (!CurrentStaff.scope().allows(t.storeId())) {
            throw new PatronException(HttpStatus.FORBIDDEN, "error.store.outOfScope");
        }
        SaleOutcome o = batcher.submit(t);
        if (o.status() == SaleOutcome.Status.FAILED) {
            throw o.error();
        }
        return o;
    }

    /** Writes already checked tickets (phase two of recording); must run in a transaction. */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    List<SaleOutcome> writePrepared(List<PreparedTicket> tickets) {
        int n = tickets.size();
        SaleOutcome[] outcomes = new SaleOutcome[n];
        PreparedTicket[] prepared = tickets.toArray(PreparedTicket[]::new);
        return write(prepared, outcomes, false);
    }

    /**
     * Records up to {@link #MAX_BATCH} POS sales in one transaction and one insert statement. Each
     * ticket's outcome is reported in order; with {@code atomic}, one failure rejects all (throws
     * {@link BatchRejected}, nothing is written).
     */
    @Transactional
    public List<SaleOutcome> record(List<SaleCommand> sales, boolean atomic) {
        return recordAll(sales, atomic, SaleSource.POS, true);
    }

    /**
     * Records tickets from another source (the demo generator, imports) with the same checks; whether
     * loyalty should award points for them is {@code accruePoints}.
     */
    @Transactional
    public List<SaleOutcome> record(List<SaleCommand> sales, boolean atomic, SaleSource source, boolean accruePoints) {
        return recordAll(sales, atomic, source, accruePoints);
    }

    private List<SaleOutcome> recordAll(
            List<SaleCommand> sales, boolean atomic, SaleSource source, boolean accruePoints) {
        CurrentStaff.requireAnyRole(RECORDERS);
        if (sales == null || sales.isEmpty()) {
            throw PatronException.invalid("sales", "validation.required");
        }
        if (sales.size() > MAX_BATCH) {
            throw PatronException.invalid("sales", "sales.validation.batchSize", MAX_BATCH);
        }
        int n = sales.size();
        SaleOutcome[] outcomes = new SaleOutcome[n];
        PreparedTicket[] prepared = new PreparedTicket[n];
        for (int i = 0; i < n; i++) {
            try {
                PreparedTicket t = SalePreparer.prepare(sales.get(i), source, accruePoints, cache);
                if (!CurrentStaff.scope().allows(t.storeId())) {
                    outcomes[i] =
                            SaleOutcome.failed(new PatronException(HttpStatus.FORBIDDEN, "error.store.outOfScope"));
                } else {
                    prepared[i] = t;
                }
            } catch (PatronException e) {
                outcomes[i] = SaleOutcome.failed(e);
            }
        }
        return write(prepared, outcomes, atomic);
    }

    private List<SaleOutcome> write(PreparedTicket[] prepared, SaleOutcome[] outcomes, boolean atomic) {
        int n = prepared.length;
        resolveMembers(prepared, outcomes);
        // the first ticket with a key is written; later ones in the same request replay or conflict with it
        Map<SaleWriter.Key, Integer> firstByKey = new HashMap<>();
        List<PreparedTicket> toWrite = new ArrayList<>();
        List<Integer> writeIndex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (prepared[i] == null) {
                continue;
            }
            SaleWriter.Key key = new SaleWriter.Key(prepared[i].storeId(), prepared[i].posTxnId());
            if (firstByKey.putIfAbsent(key, i) == null) {
                toWrite.add(prepared[i]);
                writeIndex.add(i);
            }
        }
        if (atomic && anyFailed(outcomes)) {
            throw rejected(outcomes);
        }
        Map<Integer, SaleWriter.Inserted> created = toWrite.isEmpty() ? Map.of() : writer.insert(toWrite);
        Set<SaleWriter.Key> missing = new HashSet<>();
        Map<SaleWriter.Key, Long> idByKey = new HashMap<>();
        for (int w = 0; w < toWrite.size(); w++) {
            PreparedTicket t = toWrite.get(w);
            SaleWriter.Key key = new SaleWriter.Key(t.storeId(), t.posTxnId());
            SaleWriter.Inserted inserted = created.get(w);
            if (inserted == null) {
                missing.add(key);
            } else {
                idByKey.put(key, inserted.id());
                outcomes[writeIndex.get(w)] = SaleOutcome.created(Tickets.of(inserted.id(), t, inserted.recordedAt()));
            }
        }
        Map<SaleWriter.Key, SaleWriter.Existing> existing = writer.existing(missing);
        List<Long> replayIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PreparedTicket t = prepared[i];
            if (t == null || outcomes[i] != null) {
                continue;
            }
            SaleWriter.Key key = new SaleWriter.Key(t.storeId(), t.posTxnId());
            Integer first = firstByKey.get(key);
            String firstFingerprint;
            Long id;
            if (first != i && idByKey.containsKey(key)) {
                firstFingerprint = prepared[first].fingerprint();
                id = idByKey.get(key);
            } else if (existing.containsKey(key)) {
                firstFingerprint = existing.get(key).fingerprint();
                id = existing.get(key).id();
            } else {
                // the first ticket with this key failed; this one was never written
                outcomes[i] = SaleOutcome.failed(
                        PatronException.conflict("posTransactionId", "sales.conflict.duplicateInRequest"));
                continue;
            }
            if (firstFingerprint.equals(t.fingerprint())) {
                outcomes[i] = SaleOutcome.replayed(null);
                replayIds.add(id);
            } else {
                outcomes[i] = SaleOutcome.failed(
                        PatronException.conflict("posTransactionId", "sales.conflict.differentContent", t.posTxnId()));
            }
        }
        if (atomic && anyFailed(outcomes)) {
            throw rejected(outcomes);
        }
        if (!replayIds.isEmpty()) {
            Map<Long, Ticket> replayed = new HashMap<>();
            ticketsById(replayIds).forEach(t -> replayed.put(t.id(), t));
            int r = 0;
            for (int i = 0; i < n; i++) {
                if (outcomes[i].status() == SaleOutcome.Status.REPLAYED) {
                    outcomes[i] = SaleOutcome.replayed(replayed.get(replayIds.get(r++)));
                }
            }
        }
        List<RecordedSale> announced = new ArrayList<>();
        List<Ticket> recorded = new ArrayList<>();
        for (SaleOutcome o : outcomes) {
            if (o.status() == SaleOutcome.Status.CREATED) {
                announced.add(Tickets.announce(o.ticket()));
                recorded.add(o.ticket());
            }
        }
        if (!announced.isEmpty()) {
            feed.publish(new SalesRecorded(announced), recorded);
        }
        return List.of(outcomes);
    }

    private void resolveMembers(PreparedTicket[] prepared, SaleOutcome[] outcomes) {
        List<MemberReference> refs = new ArrayList<>();
        for (PreparedTicket t : prepared) {
            if (t != null && t.memberRef() != null) {
                refs.add(t.memberRef());
            }
        }
        if (refs.isEmpty()) {
            return;
        }
        Map<MemberReference, MemberReferences.Resolution> resolved = members.resolve(refs);
        for (int i = 0; i < prepared.length; i++) {
            PreparedTicket t = prepared[i];
            if (t == null || t.memberRef() == null) {
                continue;
            }
            MemberReferences.Resolution r = resolved.get(t.memberRef());
            if (r != null && r.resolved()) {
                prepared[i] = t.withMember(r.memberId());
            } else {
                String key = r == null
                        ? "sales.validation.unknownMember"
                        : switch (r.failure()) {
                            case CARD_INACTIVE -> "sales.validation.cardInactive";
                            case INVALID -> "sales.validation.memberReferenceInvalid";
                            case NOT_FOUND -> "sales.validation.unknownMember";
                        };
                prepared[i] = null;
                outcomes[i] = SaleOutcome.failed(
                        SalePreparer.unprocessable(t.memberRef().field(), key));
            }
        }
    }

    private static boolean anyFailed(SaleOutcome[] outcomes) {
        for (SaleOutcome o : outcomes) {
            if (o != null && o.status() == SaleOutcome.Status.FAILED) {
                return true;
            }
        }
        return false;
    }

    private static BatchRejected rejected(SaleOutcome[] outcomes) {
        List<SaleOutcome> list = new ArrayList<>();
        for (SaleOutcome o : outcomes) {
            list.add(o != null && o.status() == SaleOutcome.Status.FAILED ? o : SaleOutcome.notRecorded());
        }
        return new BatchRejected(list);
    }

    /**
     * Records a return of (part of) an earlier sale: never more than was bought, across all returns
     * of that sale (concurrent returns are serialised on the sale's lines). Idempotent like sales.
     */
    @Transactional
    public SaleOutcome recordReturn(ReturnCommand command) {
        CurrentStaff.requireAnyRole(RECORDERS);
        SaleOutcome outcome = returns.record(command);
        if (outcome.status() == SaleOutcome.Status.CREATED) {
            feed.publish(new SalesRecorded(List.of(Tickets.announce(outcome.ticket()))), List.of(outcome.ticket()));
        }
        return outcome;
    }

    /** A ticket by id; 404 when unknown or outside the caller's store scope. */
    @Transactional(readOnly = true)
    public Ticket ticket(long id) {
        Ticket t = ticketsById(List.of(id)).stream()
                .findFirst()
                .orElseThrow(() -> PatronException.notFound("sales.notFound", id));
        if (!CurrentStaff.scope().allows(t.storeId())) {
            throw PatronException.notFound("sales.notFound", id);
        }
        return t;
    }

    /** Tickets by id (lines and payments included), without scope checks: for other modules' listeners. */
    @Transactional(readOnly = true)
    public List<Ticket> tickets(List<Long> ids) {
        return ticketsById(ids);
    }

    /**
     * The tickets as they were recorded, in the order asked (unknown ids left out): for the sales
     * feed's consumers ({@link SalesFeedConsumer#readsTickets()}), from memory for the tickets this
     * instance recorded lately, the others read as {@link #tickets} does. What changed since
     * recording may therefore be missing: returned quantities (none at recording), and a member
     * merge that moved the ticket to the survivor (the ticket from memory still names the buyer).
     * Callers that need those read {@link #tickets}; consumers must handle a buyer merged away
     * anyway, as the merge may also come after them.
     */
    public List<Ticket> ticketsAsRecorded(List<Long> ids) {
        Map<Long, Ticket> kept = feed.takeRecordedTickets(ids);
        if (kept.isEmpty()) {
            return ticketsById(ids);
        }
        Map<Long, Ticket> byId = new HashMap<>(kept);
        List<Long> missing = ids.stream().filter(id -> !kept.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            ticketsById(missing).forEach(t -> byId.put(t.id(), t));
        }
        return Tickets.inOrder(ids, byId);
    }

    /** A member's tickets (sales and returns), newest first, filtered by the caller's store scope. */
    @Transactional(readOnly = true)
    public PageResult<Ticket> memberTickets(long memberId, PageQuery page) {
        Long[] scope = CurrentStaff.scope().filterOrNull();
        long total =
                jdbc.sql("""
                select count(*) from sales.sale where member_id = ? and (?::bigint[] is null or store_id = any(?::bigint[]))""").params(memberId, scope, scope).query(Long.class).single();
        List<Long> ids = jdbc.sql("""
                select id from sales.sale where member_id = ? and (?::bigint[] is null or store_id = any(?::bigint[]))
                order by business_date desc, occurred_at desc, id desc limit ? offset ?""")
                .params(memberId, scope, scope, page.size(), page.offset())
                .query(Long.class)
                .list();
        return new PageResult<>(ticketsById(ids), page.page(), page.size(), total);
    }

    /** The id of the ticket recorded for (store code, POS transaction id), if any, in the caller's scope. */
    @Transactional(readOnly = true)
    public Optional<Long> ticketId(String storeCode, String posTransactionId) {
        var store = cache.codes().stores().get(dev.patron.organization.Codes.normalize(storeCode));
        if (store == null || !CurrentStaff.scope().allows(store.id())) {
            return Optional.empty();
        }
        return jdbc.sql("select id from sales.sale where store_id = ? and pos_txn_id = ?")
                .params(store.id(), posTransactionId)
                .query(Long.class)
                .optional();
    }

    List<Ticket> ticketsById(List<Long> ids) {
        return writer.tickets(ids, cache.names(n -> true));
    }
}
