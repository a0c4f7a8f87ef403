package dev.patron.segments;

import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Member facts: the one place that computes what a member did ({@code segments.member_fact}, see
 * docs/segments.md) — first and last purchase, purchase days, tickets, net spend (12 months and
 * lifetime), average ticket and interval, favourite brand, category and store, returns. Recomputed
 * from {@code sales.v_sale} / {@code v_sale_line} for the members concerned in one set-based
 * statement (never incremented, so recomputing again changes nothing), and for everybody by the
 * daily refresh as the 12-month windows move.
 *
 * <p>Reading a member's facts ({@link #sheet}): any staff role with all stores — facts summarise
 * purchases in every store, so staff limited to some stores see the purchase panel of their stores
 * instead.
 */
@Service
public class MemberFacts {

    /** Business dates are in the chain's zone (seed 000: a Chinese department store). */
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private final JdbcClient jdbc;

    MemberFacts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Today in the chain's zone: the as-of day of the facts kept current by events. */
    public static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    /** The member's facts and RFM row; 404 for an unknown member. */
    @Transactional(readOnly = true)
    public MemberFactSheet sheet(long memberId) {
        CurrentStaff.requireAllStores();
        boolean exists = jdbc.sql("select exists (select 1 from members.v_member where id = ?)")
                .param(memberId)
                .query(Boolean.class)
                .single();
        if (!exists) {
            throw PatronException.notFound("facts.memberNotFound", memberId);
        }
        return new MemberFactSheet(
                memberId, facts(memberId).orElse(null), rfm(memberId).orElse(null));
    }

    Optional<MemberFactSheet.Facts> facts(long memberId) {
        return jdbc.sql("""
                select f.first_purchase_date, f.last_purchase_date, f.purchase_days, f.purchase_days_12m, f.tickets,
                       f.tickets_12m, f.spend_fen, f.spend_12m_fen, f.avg_ticket_fen, f.avg_interval_days,
                       f.favourite_brand_id, b.code, b.name, f.favourite_category_id, c.code, c.name,
                       f.favourite_store_id, s.code, s.name, f.return_tickets, f.returned_fen,
                       greatest(f.as_of, (select facts_as_of from segments.rfm_settings where id = 1))
                from segments.member_fact f
                left join organization.v_brand b on b.id = f.favourite_brand_id
                left join organization.v_category c on c.id = f.favourite_category_id
                left join organization.v_store s on s.id = f.favourite_store_id
                where f.member_id = ?""").param(memberId).query(MemberFacts::facts).optional();
    }

    private static MemberFactSheet.Facts facts(ResultSet rs, int n) throws SQLException {
        return new MemberFactSheet.Facts(
                rs.getObject(1, LocalDate.class),
                rs.getObject(2, LocalDate.class),
                rs.getInt(3),
                rs.getInt(4),
                rs.getInt(5),
                rs.getInt(6),
                rs.getLong(7),
                rs.getLong(8),
                rs.getLong(9),
                rs.getBigDecimal(10),
                named(rs, 11),
                named(rs, 14),
                named(rs, 17),
                rs.getInt(20),
                rs.getLong(21),
                rs.getObject(22, LocalDate.class));
    }

    private static MemberFactSheet.Named named(ResultSet rs, int col) throws SQLException {
        long id = rs.getLong(col);
        return rs.wasNull() ? null : new MemberFactSheet.Named(id, rs.getString(col + 1), rs.getString(col + 2));
    }

    Optional<MemberFactSheet.Rfm> rfm(long memberId) {
        return jdbc.sql("""
                select r.recency_days, r.frequency, r.monetary_fen, r.r_band, r.f_band, c.name_zh, c.name_en,
                       c.strategy_zh, c.strategy_en, c.contact_every_days, r.r_score, r.f_score, r.m_score, r.as_of
                from segments.member_rfm r join segments.rfm_cell c on c.r_band = r.r_band and c.f_band = r.f_band
                where r.member_id = ?""")
                .param(memberId)
                .query((rs, n) -> new MemberFactSheet.Rfm(
                        rs.getInt(1),
                        rs.getInt(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        (Integer) rs.getObject(10),
                        score(rs, 11),
                        score(rs, 12),
                        score(rs, 13),
                        rs.getObject(14, LocalDate.class)))
                .optional();
    }

    private static Integer score(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    /**
     * Recomputes the facts of the members of {@code source} (or of everybody) as of {@code asOf} in
     * one statement: upserts a row per member with a ticket, deletes the rows of members (of the
     * source) left without one. Returns the rows written.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    long recompute(TicketSource source, LocalDate asOf) {
        List<Object> params = new ArrayList<>();
        params.add(asOf);
        params.addAll(source.params());
        String gone;
        if (source.targeted()) {
            gone = "delete from segments.member_fact f where f.member_id = any(?::bigint[])"
                    + " and not exists (select 1 from agg where agg.member_id = f.member_id)";
            params.add(source.memberIds());
        } else {
            gone =
                    "delete from segments.member_fact f where not exists (select 1 from agg where agg.member_id = f.member_id)";
        }
        String sql = """
                with p as (select ?::date as as_of),
                t as (%s),
                agg as (
                    select member_id,
                           min(business_date) filter (where kind = 'SALE') as first_date,
                           max(business_date) filter (where kind = 'SALE') as last_date,
                           count(distinct business_date) filter (where kind = 'SALE') as days,
                           count(distinct business_date) filter (where kind = 'SALE'
                               and business_date > (select as_of from p) - 365) as days_12m,
                           count(*) filter (where kind = 'SALE') as tickets,
                           count(*) filter (where kind = 'SALE' and business_date > (select as_of from p) - 365) as tickets_12m,
                           sum(total_fen) as spend,
                           coalesce(sum(total_fen) filter (where business_date > (select as_of from p) - 365), 0) as spend_12m,
                           count(*) filter (where kind = 'RETURN') as return_tickets,
                           coalesce(-sum(total_fen) filter (where kind = 'RETURN'), 0) as returned
                    from t group by member_id
                ),
                by_dim as (
                    select t.member_id, l.brand_id, l.category_id, grouping(l.brand_id, l.category_id) as g,
                           sum(l.amount_fen) as net
                    from t join sales.v_sale_line l on l.sale_id = t.id
                    group by grouping sets ((t.member_id, l.brand_id), (t.member_id, l.category_id))
                ),
                fav_brand as (
                    select distinct on (member_id) member_id, brand_id from by_dim
                    where g = 1 and brand_id is not null and net > 0 order by member_id, net desc, brand_id
                ),
                fav_category as (
                    select distinct on (member_id) member_id, category_id from by_dim
                    where g = 2 and category_id is not null and net > 0 order by member_id, net desc, category_id
                ),
                fav_store as (
                    select distinct on (member_id) member_id, store_id from (
                        select member_id, store_id, sum(total_fen) as net from t group by member_id, store_id) x
                    where net > 0 order by member_id, net desc, store_id
                ),
                gone as (%s)
                insert into segments.member_fact as f (member_id, first_purchase_date, last_purchase_date, purchase_days,
                    purchase_days_12m, tickets, tickets_12m, spend_fen, spend_12m_fen, avg_ticket_fen, avg_interval_days,
                    favourite_brand_id, favourite_category_id, favourite_store_id, return_tickets, returned_fen, as_of,
                    updated_at)
                select a.member_id, a.first_date, a.last_date, a.days, a.days_12m, a.tickets, a.tickets_12m, a.spend,
                       a.spend_12m,
                       case when a.tickets > 0 then round(a.spend::numeric / a.tickets)::bigint else 0 end,
                       case when a.days >= 2 then round((a.last_date - a.first_date)::numeric / (a.days - 1), 2) end,
                       fb.brand_id, fc.category_id, fs.store_id, a.return_tickets, a.returned, (select as_of from p), now()
                from agg a
                left join fav_brand fb on fb.member_id = a.member_id
                left join fav_category fc on fc.member_id = a.member_id
                left join fav_store fs on fs.member_id = a.member_id
                order by a.member_id
                on conflict (member_id) do update set
                    first_purchase_date = excluded.first_purchase_date, last_purchase_date = excluded.last_purchase_date,
                    purchase_days = excluded.purchase_days, purchase_days_12m = excluded.purchase_days_12m,
                    tickets = excluded.tickets, tickets_12m = excluded.tickets_12m, spend_fen = excluded.spend_fen,
                    spend_12m_fen = excluded.spend_12m_fen, avg_ticket_fen = excluded.avg_ticket_fen,
                    avg_interval_days = excluded.avg_interval_days, favourite_brand_id = excluded.favourite_brand_id,
                    favourite_category_id = excluded.favourite_category_id,
                    favourite_store_id = excluded.favourite_store_id, return_tickets = excluded.return_tickets,
                    returned_fen = excluded.returned_fen, as_of = excluded.as_of, updated_at = excluded.updated_at""".formatted(source.sql(), gone);
        return jdbc.sql(sql).params(params).update();
    }

    /** The window of the 12-month facts (the literal 365 in {@link #recompute}): a ticket counts as of a day when dated after it minus 365 days. */
    static final int WINDOW_DAYS = 365;

    /**
     * The members whose facts as of {@code to} may differ from those as of {@code from} without any
     * sales event: a ticket left their 12-month window (dated in (from - 365, to - 365]), or a ticket
     * dated after {@code from} (up to {@code to}) may have been recorded before its business day and
     * so skipped by the event's recompute. Ascending ids; two range scans of the tickets by date.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    List<Long> windowMoved(LocalDate from, LocalDate to) {
        return jdbc.sql("""
                select member_id from sales.v_sale
                where member_id is not null and business_date > ?::date and business_date <= ?::date
                union
                select member_id from sales.v_sale
                where member_id is not null and business_date > ?::date and business_date <= ?::date
                order by 1""")
                .params(from.minusDays(WINDOW_DAYS), to.minusDays(WINDOW_DAYS), from, to)
                .query(Long.class)
                .list();
    }

    static List<Long> ids(Collection<Long> ids) {
        return ids.stream().distinct().sorted().toList();
    }
}
