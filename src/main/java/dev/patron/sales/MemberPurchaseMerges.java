package dev.patron.sales;

import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code sales.member_purchase} (first and last purchase day, which decides "new member
 * sales") right across member merges. A merge gives the survivor the earlier first and the later
 * last day of both (least/greatest: idempotent, and independent of when {@link MemberMerges} moves
 * the tickets). An un-merge recomputes both members from their tickets in one statement, reading a
 * ticket moved by that merge as the merged member's whether or not it has been moved back yet.
 */
@Component
class MemberPurchaseMerges {

    private final JdbcClient jdbc;

    MemberPurchaseMerges(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @ApplicationModuleListener
    void on(MembersMerged e) {
        jdbc.sql("""
                insert into sales.member_purchase as m (member_id, first_date, last_date)
                select ?, first_date, last_date from sales.member_purchase where member_id = ?
                on conflict (member_id) do update set
                    first_date = least(m.first_date, excluded.first_date),
                    last_date = greatest(m.last_date, excluded.last_date)""").params(e.survivorId(), e.mergedId()).update();
    }

    @ApplicationModuleListener
    void on(MembersUnmerged e) {
        jdbc.sql("""
                with t as (
                    select coalesce(mm.from_member_id, s.member_id) as member_id, s.business_date
                    from sales.sale s
                    left join sales.merge_move mm on mm.sale_id = s.id and mm.merge_id = ?
                    where s.kind = 'SALE' and s.member_id in (?, ?)
                ),
                agg as (
                    select member_id, min(business_date) as first_date, max(business_date) as last_date
                    from t where member_id in (?, ?) group by member_id
                ),
                gone as (
                    delete from sales.member_purchase
                    where member_id in (?, ?) and member_id not in (select member_id from agg)
                )
                insert into sales.member_purchase as m (member_id, first_date, last_date)
                select member_id, first_date, last_date from agg order by member_id
                on conflict (member_id) do update set first_date = excluded.first_date, last_date = excluded.last_date""")
                .params(
                        e.mergeId(),
                        e.survivorId(),
                        e.mergedId(),
                        e.survivorId(),
                        e.mergedId(),
                        e.survivorId(),
                        e.mergedId())
                .update();
    }
}
