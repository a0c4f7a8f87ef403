package dev.patron.loyalty;

import dev.patron.members.MemberReferences;
import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import java.util.Map;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Feeds the tier engine from {@code SalesRecorded}: each member ticket once (keyed by sale id in
 * {@code loyalty.tier_sale}, set-based for the whole event) with its amount and its points, then
 * upgrades the event's members whose rolling figure now reaches a higher level. With the POINTS
 * basis the sale's points must be in the ledger first: the accrual of the event is run here too,
 * in this transaction (it is idempotent per sale and locks the same accounts in the same order, so
 * whichever listener runs first does it and the other finds it done). Also moves the counted sales
 * and the higher tier on member merges (and back on un-merges), once per merge id.
 */
@Component
class TierQualification {

    private final JdbcClient jdbc;
    private final PointsLedger ledger;
    private final MemberReferences members;
    private final Tiers tiers;
    private final Accrual accrual;

    TierQualification(JdbcClient jdbc, Tiers tiers, Accrual accrual, PointsLedger ledger, MemberReferences members) {
        this.jdbc = jdbc;
        this.tiers = tiers;
        this.ledger = ledger;
        this.members = members;
        // the plain object: its listener method runs in this transaction and thread (not async)
        Object target = AopProxyUtils.getSingletonTarget(accrual);
        this.accrual = target instanceof Accrual a ? a : accrual;
    }

    /** The event's accrual (with the POINTS basis, which counts the sale's points) then {@link #count}. */
    void on(SalesRecorded event) {
        if (event.sales().stream().noneMatch(s -> s.memberId() != null)) {
            return;
        }
        String basis = jdbc.sql("select basis from loyalty.tier_program where id = 1")
                .query(String.class)
                .single();
        Map<Long, Long> points = "POINTS".equals(basis) ? accrual.on(event) : Map.of();
        count(event, points);
    }

    /**
     * Counts the event's member tickets for the tiers and upgrades whom they lift; the sales' points,
     * if any, must be accrued already (see {@link LoyaltySalesConsumer}). {@code earnedPoints}: the
     * points of sales the accrual just earned (sale id → points), so that they need not be read back
     * from the ledger; for the others (returns, sales earned before) the ledger says.
     */
    void count(SalesRecorded event, Map<Long, Long> earnedPoints) {
        List<RecordedSale> relevant =
                event.sales().stream().filter(s -> s.memberId() != null).toList();
        if (relevant.isEmpty()) {
            return;
        }
        int n = relevant.size();
        Long[] sale = new Long[n];
        Long[] member = new Long[n];
        String[] date = new String[n];
        Long[] amount = new Long[n];
        Long[] original = new Long[n];
        Long[] known = new Long[n];
        for (int i = 0; i < n; i++) {
            RecordedSale s = relevant.get(i);
            sale[i] = s.saleId();
            member[i] = s.memberId();
            date[i] = s.businessDate().toString();
            amount[i] = s.totalFen();
            original[i] = s.kind() == SaleKind.RETURN ? s.originalSaleId() : null;
            known[i] = earnedPoints.get(s.saleId());
        }
        // a buyer merged away since the sale counts for the survivor; locking the accounts keeps a merge
        // that is under way from moving this member's counted sales before these rows are committed.
        // FOR UPDATE, the lock the tier evaluation below takes anyway: a weaker lock upgraded later in
        // the same transaction deadlocks with accrual waiting between the two.
        Map<Long, Long> mergedAway = ledger.lockAll(java.util.Arrays.asList(member));
        if (!mergedAway.isEmpty()) {
            Map<Long, Long> survivors = members.activeIds(mergedAway.keySet());
            for (int i = 0; i < n; i++) {
                member[i] = survivors.getOrDefault(member[i], member[i]);
            }
        }
        // a return counts on its original sale's date (when that sale was counted)
        List<Long> changed = jdbc.sql("""
                with x(sale_id, member_id, business_date, amount_fen, original_sale_id, points) as (
                    select * from unnest(?::bigint[], ?::bigint[], ?::date[], ?::bigint[], ?::bigint[], ?::bigint[]))
                insert into loyalty.tier_sale (sale_id, member_id, business_date, amount_fen, points)
                select x.sale_id, x.member_id, coalesce(o.business_date, x.business_date), x.amount_fen,
                    -- the points the accrual just computed, else one lookup in each partial unique index
                    -- (entry_earn_once, entry_reverse_once; "kind in (...)" matched neither and scanned
                    -- the whole ledger per sale)
                    coalesce(x.points,
                        coalesce((select e.points from loyalty.entry e where e.kind = 'EARN' and e.sale_id = x.sale_id), 0)
                        + coalesce((select e.points - e.debt_points from loyalty.entry e
                                    where e.kind = 'REVERSE' and e.sale_id = x.sale_id), 0))
                from x left join loyalty.tier_sale o on o.sale_id = x.original_sale_id
                order by x.sale_id
                on conflict (sale_id) do nothing
                returning member_id""")
                .params(sale, member, date, amount, original, known)
                .query(Long.class)
                .list();
        if (!changed.isEmpty()) {
            tiers.evaluate(new java.util.TreeSet<>(changed), LoyaltyManagement.today(), "system");
        }
    }

    @ApplicationModuleListener
    void on(MembersMerged e) {
        tiers.merge(e.mergeId(), e.survivorId(), e.mergedId(), LoyaltyManagement.today());
    }

    @ApplicationModuleListener
    void on(MembersUnmerged e) {
        tiers.unmerge(e.mergeId(), e.survivorId(), e.mergedId(), LoyaltyManagement.today());
    }
}
