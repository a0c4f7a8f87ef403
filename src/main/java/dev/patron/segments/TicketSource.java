package dev.patron.segments;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The members' tickets that facts and RFM are computed from: a SQL select over {@code sales.v_sale}
 * with columns {@code id, kind, store_id, business_date, total_fen, member_id}, and its parameters.
 * For a merge, the merged member's tickets are read as the survivor's whether or not sales has moved
 * them yet; for an un-merge, the tickets that merge moved are read as the merged member's whether or
 * not sales has moved them back yet ({@code sales.v_merge_move}), so the listeners never depend on
 * the order in which the modules handle the event.
 *
 * <p>A source also names the stored rows (facts, RFM) it answers for ({@link #owns}): a member the
 * source has no ticket for any more loses a row only inside that scope.
 */
record TicketSource(String sql, List<Object> params, Long[] memberIds, String scope, List<Object> scopeParams) {

    /** Every member's tickets up to {@code asOf}, of one store when {@code storeId} is not null. */
    static TicketSource all(LocalDate asOf, Long storeId) {
        List<Object> p = new ArrayList<>();
        p.add(asOf);
        String sql = """
                select s.id, s.kind, s.store_id, s.business_date, s.total_fen, s.member_id
                from sales.v_sale s where s.member_id is not null and s.business_date <= ?::date""";
        if (storeId != null) {
            sql += " and s.store_id = ?::bigint";
            p.add(storeId);
        }
        return new TicketSource(sql, p, null, "true", List.of());
    }

    /**
     * The tickets up to {@code asOf} of the members with an id from {@code lo} to {@code hi}
     * (inclusive): a full rebuild goes range by range, so that no one statement sorts every line.
     */
    static TicketSource range(long lo, long hi, LocalDate asOf) {
        String sql = """
                select s.id, s.kind, s.store_id, s.business_date, s.total_fen, s.member_id
                from sales.v_sale s
                where s.member_id between ?::bigint and ?::bigint and s.business_date <= ?::date""";
        return new TicketSource(
                sql, List.of(lo, hi, asOf), null, "%1$s between ?::bigint and ?::bigint", List.of(lo, hi));
    }

    /** These members' tickets up to {@code asOf}. */
    static TicketSource members(Collection<Long> memberIds, LocalDate asOf) {
        return members(memberIds, asOf, null, null, null);
    }

    /** The survivor's tickets including those of the merged member (moved yet or not). */
    static TicketSource merged(long survivorId, long mergedId, LocalDate asOf) {
        return members(List.of(survivorId, mergedId), asOf, mergedId, survivorId, null);
    }

    /** Both members' tickets as they are once merge {@code mergeId} is undone (moved back yet or not). */
    static TicketSource unmerged(long mergeId, long survivorId, long mergedId, LocalDate asOf) {
        return members(List.of(survivorId, mergedId), asOf, null, null, mergeId);
    }

    private static TicketSource members(
            Collection<Long> memberIds, LocalDate asOf, Long remapFrom, Long remapTo, Long mergeId) {
        Long[] ids = memberIds.stream().distinct().sorted().toArray(Long[]::new);
        List<Object> p = new ArrayList<>();
        p.add(remapFrom);
        p.add(remapTo);
        p.add(mergeId);
        p.add(ids);
        p.add(asOf);
        return new TicketSource("""
                select s.id, s.kind, s.store_id, s.business_date, s.total_fen,
                       case when s.member_id = ?::bigint then ?::bigint
                            else coalesce(mm.from_member_id, s.member_id) end as member_id
                from sales.v_sale s
                left join sales.v_merge_move mm on mm.sale_id = s.id and mm.merge_id = ?::bigint
                where s.member_id = any(?::bigint[]) and s.business_date <= ?::date""", p, ids, "%1$s = any(?::bigint[])", List.of((Object) ids));
    }

    /**
     * The condition on the member id column {@code column} that selects the stored rows of this
     * source's members (parameters: {@link #scopeParams}).
     */
    String owns(String column) {
        return scope.formatted(column);
    }

    boolean targeted() {
        return memberIds != null;
    }
}
