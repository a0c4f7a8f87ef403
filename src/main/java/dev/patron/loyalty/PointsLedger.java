package dev.patron.loyalty;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The primitives that change points, each inside the caller's transaction and with the member's
 * account row locked first (so concurrent changes of one member are serialised and lock order is
 * always account → lots). They keep the invariants: balance = sum of entries;
 * sum of open lots = greatest(balance, 0).
 */
@Component
class PointsLedger {

    /** The locked account. */
    /** A locked account; {@code mergedInto} is set when a merge moved this member's points away. */
    record Account(long memberId, long balance, long debt, Long mergedInto) {}

    /** Where a new entry's details go. */
    record EntryInfo(
            EntryKind kind,
            Long saleId,
            Long originalSaleId,
            Long redemptionId,
            Long mergeId,
            Long storeId,
            String reason,
            String by) {
        static EntryInfo of(EntryKind kind, String reason, String by) {
            return new EntryInfo(kind, null, null, null, null, null, reason, by);
        }
    }

    private final JdbcClient jdbc;

    PointsLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    Account lock(long memberId) {
        jdbc.sql("insert into loyalty.account (member_id) values (?) on conflict do nothing")
                .param(memberId)
                .update();
        return jdbc.sql(
                        "select member_id, balance, debt, merged_into from loyalty.account where member_id = ? for update")
                .param(memberId)
                .query((rs, n) -> new Account(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getObject(4, Long.class)))
                .single();
    }

    /**
     * Locks several members' accounts (creating missing ones) in ascending member id order, so that
     * listeners handling events with overlapping members cannot deadlock. Returns the locked
     * accounts that a merge has moved away (member id → the member merged into), usually none.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    java.util.Map<Long, Long> lockAll(java.util.Collection<Long> memberIds) {
        return lockAccounts(memberIds).mergedAway();
    }

    /**
     * What {@link #lockAccounts} found: the accounts a merge moved away (member id → the member
     * merged into), and the state of each account this call locked, read under its lock (accounts
     * locked earlier in the same {@link #holdingLocks} unit of work are not read again and absent).
     */
    record Locked(java.util.Map<Long, Long> mergedAway, java.util.Map<Long, Account> read) {}

    /**
     * {@link #lockAll}, also returning the balance and debt of the accounts it locked. Existing
     * accounts are locked in one statement (member id order); only the ids it did not find are
     * inserted and then locked (a probe of the primary key per member saved on every batch where
     * the buyers earned before). An account created concurrently by another transaction between the
     * two steps is locked after the others: a deadlock then is possible in theory (two multi-account
     * lockers, one of them creating the account), which PostgreSQL detects and the sales feed retries.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Locked lockAccounts(java.util.Collection<Long> memberIds) {
        java.util.TreeSet<Long> wanted = new java.util.TreeSet<>(memberIds);
        java.util.Map<Long, Long> merged = new java.util.HashMap<>();
        java.util.Map<Long, Account> read = new java.util.HashMap<>();
        java.util.Map<Long, Long> held = this.held.get();
        if (held != null) {
            // locked before in this unit of work: only what it said about merges is needed
            for (java.util.Iterator<Long> it = wanted.iterator(); it.hasNext(); ) {
                Long id = it.next();
                Long into = held.get(id);
                if (into != null) {
                    it.remove();
                    if (into.longValue() != NOT_MERGED) {
                        merged.put(id, into);
                    }
                }
            }
        }
        if (wanted.isEmpty()) {
            return new Locked(merged, read);
        }
        lockExisting(wanted.toArray(Long[]::new), merged, read, held);
        if (read.size() < wanted.size()) {
            Long[] missing = wanted.stream().filter(id -> !read.containsKey(id)).toArray(Long[]::new);
            jdbc.sql(
                            "insert into loyalty.account (member_id) select unnest(?::bigint[]) order by 1 on conflict do nothing")
                    .param(missing)
                    .update();
            lockExisting(missing, merged, read, held);
        }
        return new Locked(merged, read);
    }

    private void lockExisting(
            Long[] ids,
            java.util.Map<Long, Long> merged,
            java.util.Map<Long, Account> read,
            java.util.Map<Long, Long> held) {
        jdbc.sql("""
                select member_id, balance, debt, merged_into from loyalty.account
                where member_id = any(?) order by member_id for update""").param(ids).query(rs -> {
            long id = rs.getLong(1);
            Long into = rs.getObject(4, Long.class);
            read.put(id, new Account(id, rs.getLong(2), rs.getLong(3), into));
            if (into != null) {
                merged.put(id, into);
            }
            if (held != null) {
                held.put(id, into == null ? NOT_MERGED : into);
            }
        });
    }

    /** In {@link #held}: the account is locked and not merged away. */
    private static final long NOT_MERGED = Long.MIN_VALUE;

    /**
     * The accounts locked (FOR UPDATE) so far by the unit of work running in this thread under
     * {@link #holdingLocks}, with what they said about merges; null outside one.
     */
    private final ThreadLocal<java.util.Map<Long, Long>> held = new ThreadLocal<>();

    /**
     * Runs {@code work} (inside the caller's transaction) remembering which accounts it locked, so
     * that its later {@link #lockAll} calls for the same members (accrual, then tier counting, then
     * tier evaluation of one sales batch) do not lock them again: two statements over the whole
     * batch saved per call. Only for work that uses no savepoints (rolling back to one would release
     * locks taken after it while this still remembered them).
     */
    void holdingLocks(Runnable work) {
        if (held.get() != null) {
            work.run();
            return;
        }
        held.set(new java.util.HashMap<>());
        try {
            work.run();
        } finally {
            held.remove();
        }
    }

    /** Marks (or, with null, unmarks) the locked account of a member merged into another. */
    void markMerged(long memberId, Long into) {
        jdbc.sql("update loyalty.account set merged_into = ? where member_id = ?")
                .params(into, memberId)
                .update();
        java.util.Map<Long, Long> held = this.held.get();
        if (held != null && held.containsKey(memberId)) {
            held.put(memberId, into == null ? NOT_MERGED : into);
        }
    }

    long entry(long memberId, EntryInfo info, long points, long debtPoints) {
        return jdbc.sql("""
                insert into loyalty.entry (member_id, kind, points, debt_points, sale_id, original_sale_id, redemption_id,
                    merge_id, store_id, reason, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                .params(
                        memberId,
                        info.kind().name(),
                        points,
                        debtPoints,
                        info.saleId(),
                        info.originalSaleId(),
                        info.redemptionId(),
                        info.mergeId(),
                        info.storeId(),
                        info.reason() == null ? "" : info.reason(),
                        info.by() == null ? "" : info.by())
                .query(Long.class)
                .single();
    }

    /**
     * Adds points (earn, adjustment, transfer): first pays off any debt (a DEBT_SETTLE entry), then
     * covers a negative balance, and puts the rest in a new lot. Returns the entry id.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    long credit(
            Account a, EntryInfo info, long points, LocalDate earnedOn, LocalDate availableFrom, LocalDate expiresOn) {
        long entryId = entry(a.memberId(), info, points, 0);
        long settle = Math.min(a.debt(), points);
        if (settle > 0) {
            entry(
                    a.memberId(),
                    new EntryInfo(
                            EntryKind.DEBT_SETTLE, info.saleId(), null, null, null, info.storeId(), "", info.by()),
                    -settle,
                    0);
        }
        long newBalance = a.balance() + points - settle;
        long lotPoints = Math.max(newBalance, 0) - Math.max(a.balance(), 0);
        if (lotPoints > 0) {
            jdbc.sql("""
                    insert into loyalty.lot (member_id, entry_id, points, remaining, earned_on, available_from, expires_on, sale_id)
                    values (?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(
                            a.memberId(),
                            entryId,
                            lotPoints,
                            lotPoints,
                            earnedOn,
                            availableFrom,
                            expiresOn,
                            info.saleId())
                    .update();
        }
        jdbc.sql("""
                update loyalty.account set balance = ?, debt = debt - ?, updated_at = now(),
                    lifetime_earned = lifetime_earned + ? where member_id = ?""")
                .params(newBalance, settle, info.kind() == EntryKind.EARN ? points : 0, a.memberId())
                .update();
        return entryId;
    }

    /** An open lot. */
    record Lot(long id, long remaining, LocalDate availableFrom, Long saleId) {}

    /**
     * Takes {@code points} from the member's lots: those of {@code preferSale} first (a return takes
     * back the points of its own sale), then by expiry date, pending lots only when
     * {@code includePending}. Returns the points actually taken (≤ points).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    long takeFromLots(
            long memberId, long entryId, long points, boolean includePending, Long preferSale, LocalDate today) {
        List<Lot> lots = jdbc.sql("""
                select id, remaining, available_from, sale_id from loyalty.lot
                where member_id = ? and remaining > 0 and (? or available_from <= ?)
                order by (sale_id = ?) is true desc, expires_on nulls last, id
                for update""")
                .params(memberId, includePending, today, preferSale)
                .query((rs, n) ->
                        new Lot(rs.getLong(1), rs.getLong(2), rs.getObject(3, LocalDate.class), (Long) rs.getObject(4)))
                .list();
        long left = points;
        List<Object[]> uses = new ArrayList<>();
        for (Lot lot : lots) {
            if (left == 0) {
                break;
            }
            long take = Math.min(left, lot.remaining());
            uses.add(new Object[] {lot.id(), take});
            left -= take;
        }
        if (!uses.isEmpty()) {
            Long[] ids = uses.stream().map(u -> (Long) u[0]).toArray(Long[]::new);
            Long[] takes = uses.stream().map(u -> (Long) u[1]).toArray(Long[]::new);
            jdbc.sql("""
                    update loyalty.lot l set remaining = l.remaining - u.take
                    from unnest(?::bigint[], ?::bigint[]) as u(id, take) where l.id = u.id""").params(ids, takes).update();
            jdbc.sql("""
                    insert into loyalty.lot_use (entry_id, lot_id, points)
                    select ?, u.id, -u.take from unnest(?::bigint[], ?::bigint[]) as u(id, take)""").params(entryId, ids, takes).update();
        }
        return points - left;
    }

    /** Sets the balance after a debit of {@code points} (and adds {@code newDebt}). */
    @Transactional(propagation = Propagation.MANDATORY)
    void debitBalance(long memberId, long points, long newDebt) {
        jdbc.sql(
                        "update loyalty.account set balance = balance - ?, debt = debt + ?, updated_at = now() where member_id = ?")
                .params(points, newDebt, memberId)
                .update();
    }

    /** Points that may be spent today: open lots no longer pending. */
    @Transactional(propagation = Propagation.MANDATORY)
    long spendable(long memberId, LocalDate today) {
        return jdbc.sql(
                        "select coalesce(sum(remaining), 0) from loyalty.lot where member_id = ? and remaining > 0 and available_from <= ?")
                .params(memberId, today)
                .query(Long.class)
                .single();
    }
}
