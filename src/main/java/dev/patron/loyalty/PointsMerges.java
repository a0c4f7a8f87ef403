package dev.patron.loyalty;

import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import java.time.LocalDate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * A merge moves the merged member's points to the survivor: their open lots (keeping earning and
 * expiry dates) and balance (TRANSFER_OUT / TRANSFER_IN entries), and any debt. An un-merge moves
 * back what is left of those lots. Idempotent: entries are keyed by the merge id.
 */
@Component
class PointsMerges {

    private final JdbcClient jdbc;
    private final PointsLedger ledger;

    PointsMerges(JdbcClient jdbc, PointsLedger ledger) {
        this.jdbc = jdbc;
        this.ledger = ledger;
    }

    @ApplicationModuleListener
    void on(MembersMerged e) {
        move(e.mergeId(), e.mergedId(), e.survivorId(), false);
    }

    @ApplicationModuleListener
    void on(MembersUnmerged e) {
        move(e.mergeId(), e.survivorId(), e.mergedId(), true);
    }

    private void move(long mergeId, long from, long to, boolean undo) {
        // lock both accounts in id order
        PointsLedger.Account first = ledger.lock(Math.min(from, to));
        PointsLedger.Account second = ledger.lock(Math.max(from, to));
        PointsLedger.Account source = first.memberId() == from ? first : second;
        PointsLedger.Account target = first.memberId() == to ? first : second;
        if (jdbc.sql(
                                "select count(*) from loyalty.entry where merge_id = ? and kind = 'TRANSFER_OUT' and member_id = ?")
                        .params(mergeId, from)
                        .query(Long.class)
                        .single()
                > 0) {
            return; // done before
        }
        // later sales of the merged member credit the survivor (Accrual reads this under the lock)
        ledger.markMerged(undo ? to : from, undo ? null : to);
        long lotsMoved;
        if (undo) {
            // the lots that came from this member at the merge, with what is left of them
            lotsMoved = jdbc.sql("""
                    select coalesce(sum(l.remaining), 0) from loyalty.lot l
                    where l.member_id = ? and l.id in (select u.lot_id from loyalty.lot_use u
                        join loyalty.entry e on e.id = u.entry_id where e.merge_id = ? and e.kind = 'TRANSFER_IN')""").params(from, mergeId).query(Long.class).single();
        } else {
            lotsMoved = Math.max(source.balance(), 0);
        }
        long balanceMoved = undo ? Math.min(lotsMoved, Math.max(source.balance(), 0)) : source.balance();
        long debtMoved = undo ? 0 : source.debt();
        PointsLedger.EntryInfo out =
                new PointsLedger.EntryInfo(EntryKind.TRANSFER_OUT, null, null, null, mergeId, null, "", "system");
        PointsLedger.EntryInfo in =
                new PointsLedger.EntryInfo(EntryKind.TRANSFER_IN, null, null, null, mergeId, null, "", "system");
        long outId = ledger.entry(from, out, -balanceMoved, 0);
        long inId = ledger.entry(to, in, balanceMoved, 0);
        String lotFilter = undo
                ? "l.member_id = ? and l.remaining > 0 and l.id in (select u.lot_id from loyalty.lot_use u join loyalty.entry e on e.id = u.entry_id where e.merge_id = ? and e.kind = 'TRANSFER_IN')"
                : "l.member_id = ? and l.remaining > 0 and ?::bigint is not null";
        if (balanceMoved >= 0 && target.balance() >= 0) {
            jdbc.sql(
                            "insert into loyalty.lot_use (entry_id, lot_id, points) select ?, l.id, l.remaining from loyalty.lot l where "
                                    + lotFilter)
                    .params(inId, from, mergeId)
                    .update();
            jdbc.sql(
                            "insert into loyalty.lot_use (entry_id, lot_id, points) select ?, l.id, -l.remaining from loyalty.lot l where "
                                    + lotFilter)
                    .params(outId, from, mergeId)
                    .update();
            jdbc.sql("update loyalty.lot l set member_id = ? where " + lotFilter)
                    .params(to, from, mergeId)
                    .update();
            jdbc.sql(
                            "update loyalty.account set balance = balance - ?, debt = debt - ?, updated_at = now() where member_id = ?")
                    .params(balanceMoved, debtMoved, from)
                    .update();
            jdbc.sql(
                            "update loyalty.account set balance = balance + ?, debt = debt + ?, updated_at = now() where member_id = ?")
                    .params(balanceMoved, debtMoved, to)
                    .update();
        } else {
            // a negative balance on either side: settle through the ledger primitives so lots stay consistent
            jdbc.sql("update loyalty.entry set points = 0 where id in (?, ?)")
                    .params(outId, inId)
                    .update();
            if (balanceMoved > 0) {
                ledger.takeFromLots(from, outId, balanceMoved, true, null, LocalDate.now(LoyaltyManagement.ZONE));
                jdbc.sql("update loyalty.entry set points = ? where id = ?")
                        .params(-balanceMoved, outId)
                        .update();
                ledger.debitBalance(from, balanceMoved, 0);
                jdbc.sql("delete from loyalty.entry where id = ?").param(inId).update();
                LocalDate today = LocalDate.now(LoyaltyManagement.ZONE);
                ledger.credit(ledger.lock(to), in, balanceMoved, today, today, null);
            } else {
                // the merged member owes points: the survivor takes the negative balance over
                jdbc.sql("update loyalty.entry set points = ? where id = ?")
                        .params(-balanceMoved, outId)
                        .update();
                jdbc.sql("update loyalty.entry set points = ? where id = ?")
                        .params(balanceMoved, inId)
                        .update();
                jdbc.sql("update loyalty.account set balance = balance - ? where member_id = ?")
                        .params(balanceMoved, from)
                        .update();
                long survivorBalance = target.balance();
                long takeFromLots = Math.min(-balanceMoved, Math.max(survivorBalance, 0));
                if (takeFromLots > 0) {
                    ledger.takeFromLots(to, inId, takeFromLots, true, null, LocalDate.now(LoyaltyManagement.ZONE));
                }
                jdbc.sql("update loyalty.account set balance = balance + ? where member_id = ?")
                        .params(balanceMoved, to)
                        .update();
            }
            if (debtMoved > 0) {
                jdbc.sql("update loyalty.account set debt = debt - ? where member_id = ?")
                        .params(debtMoved, from)
                        .update();
                jdbc.sql("update loyalty.account set debt = debt + ? where member_id = ?")
                        .params(debtMoved, to)
                        .update();
            }
        }
    }
}
