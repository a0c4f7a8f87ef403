package dev.patron.sales;

import dev.patron.members.MembersMerged;
import dev.patron.members.MembersUnmerged;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Follows member merges: the merged member's tickets move to the survivor (each move remembered by
 * merge id), and an un-merge moves exactly those back. Both are idempotent, so a redelivered event
 * changes nothing.
 */
@Component
class MemberMerges {

    private final JdbcClient jdbc;

    MemberMerges(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @ApplicationModuleListener
    void on(MembersMerged e) {
        jdbc.sql("""
                insert into sales.merge_move (merge_id, sale_id, from_member_id)
                select ?, id, member_id from sales.sale where member_id = ?
                on conflict do nothing""").params(e.mergeId(), e.mergedId()).update();
        jdbc.sql("""
                update sales.sale s set member_id = ? from sales.merge_move m
                where m.merge_id = ? and m.sale_id = s.id and s.member_id = m.from_member_id""").params(e.survivorId(), e.mergeId()).update();
    }

    @ApplicationModuleListener
    void on(MembersUnmerged e) {
        jdbc.sql("""
                update sales.sale s set member_id = m.from_member_id from sales.merge_move m
                where m.merge_id = ? and m.sale_id = s.id""").param(e.mergeId()).update();
        jdbc.sql("delete from sales.merge_move where merge_id = ?")
                .param(e.mergeId())
                .update();
    }
}
