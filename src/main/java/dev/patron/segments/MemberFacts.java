package dev.patron.segments;

import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Member facts: the one place that computes what a member did ({@code segments.member_fact}, see
 * docs/segments.md) — first and last purchase, purchase days, tickets, net spend (12 months and
 * lifetime), average ticket and interval, favourite brand, category and store, returns, and the
 * net spend per brand, category and store the favourites come from ({@code dim_net}). Two ways:
 * {@link #recompute} from all of {@code sales.v_sale} / {@code v_sale_line} for the members
 * concerned (merges, returns, members without a current row, the daily roll) or everybody (the full
 * rebuild) in one set-based statement, idempotent; and {@link #applySales}, which adds a batch's new
 * SALE tickets to current rows without reading the members' history — only tickets with an id above
 * the highest one the row counts ({@code max_sale_id}), so nothing is added twice.
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
                select greatest(r.as_of, st.last_full_as_of) - r.last_purchase_date, r.frequency, r.monetary_fen,
                       r.r_band, r.f_band, c.name_zh, c.name_en, c.strategy_zh, c.strategy_en, c.contact_every_days,
                       r.r_score, r.f_score, r.m_score, greatest(r.as_of, st.last_full_as_of)
                from segments.member_rfm r join segments.rfm_cell c on c.r_band = r.r_band and c.f_band = r.f_band
                left join segments.rfm_settings st on st.id = 1
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
        String gone = "delete from segments.member_fact f where " + source.owns("f.member_id")
                + " and not exists (select 1 from agg where agg.member_id = f.member_id)";
        params.addAll(source.scopeParams());
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
                           coalesce(-sum(total_fen) filter (where kind = 'RETURN'), 0) as returned,
                           max(id) as max_id
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
                by_store as (select member_id, store_id, sum(total_fen) as net from t group by member_id, store_id),
                fav_store as (
                    select distinct on (member_id) member_id, store_id from by_store
                    where net > 0 order by member_id, net desc, store_id
                ),
                dims as (
                    select member_id,
                           coalesce(jsonb_object_agg(brand_id::text, net) filter (where g = 1 and brand_id is not null),
                                    '{}'::jsonb) as b,
                           coalesce(jsonb_object_agg(category_id::text, net) filter (where g = 2 and category_id is not null),
                                    '{}'::jsonb) as c
                    from by_dim group by member_id
                ),
                stores as (select member_id, jsonb_object_agg(store_id::text, net) as s from by_store group by member_id),
                gone as (%s)
                insert into segments.member_fact as f (member_id, first_purchase_date, last_purchase_date, purchase_days,
                    purchase_days_12m, tickets, tickets_12m, spend_fen, spend_12m_fen, avg_ticket_fen, avg_interval_days,
                    favourite_brand_id, favourite_category_id, favourite_store_id, return_tickets, returned_fen, as_of,
                    updated_at, dim_net, max_sale_id)
                select a.member_id, a.first_date, a.last_date, a.days, a.days_12m, a.tickets, a.tickets_12m, a.spend,
                       a.spend_12m,
                       case when a.tickets > 0 then round(a.spend::numeric / a.tickets)::bigint else 0 end,
                       case when a.days >= 2 then round((a.last_date - a.first_date)::numeric / (a.days - 1), 2) end,
                       fb.brand_id, fc.category_id, fs.store_id, a.return_tickets, a.returned, (select as_of from p), now(),
                       jsonb_build_object('b', coalesce(d.b, '{}'::jsonb), 'c', coalesce(d.c, '{}'::jsonb),
                                          's', coalesce(st.s, '{}'::jsonb)),
                       a.max_id
                from agg a
                left join fav_brand fb on fb.member_id = a.member_id
                left join fav_category fc on fc.member_id = a.member_id
                left join fav_store fs on fs.member_id = a.member_id
                left join dims d on d.member_id = a.member_id
                left join stores st on st.member_id = a.member_id
                order by a.member_id
                on conflict (member_id) do update set
                    first_purchase_date = excluded.first_purchase_date, last_purchase_date = excluded.last_purchase_date,
                    purchase_days = excluded.purchase_days, purchase_days_12m = excluded.purchase_days_12m,
                    tickets = excluded.tickets, tickets_12m = excluded.tickets_12m, spend_fen = excluded.spend_fen,
                    spend_12m_fen = excluded.spend_12m_fen, avg_ticket_fen = excluded.avg_ticket_fen,
                    avg_interval_days = excluded.avg_interval_days, favourite_brand_id = excluded.favourite_brand_id,
                    favourite_category_id = excluded.favourite_category_id,
                    favourite_store_id = excluded.favourite_store_id, return_tickets = excluded.return_tickets,
                    returned_fen = excluded.returned_fen, as_of = excluded.as_of, updated_at = excluded.updated_at,
                    dim_net = excluded.dim_net, max_sale_id = excluded.max_sale_id""".formatted(source.sql(), gone);
        return jdbc.sql(sql).params(params).update();
    }

    private final LongAdder appliedIncrementally = new LongAdder();

    /** Members whose new sales {@link #applySales} applied since start (tests check the path is taken). */
    long appliedIncrementally() {
        return appliedIncrementally.sum();
    }

    /**
     * Applies new SALE tickets to the facts and RFM rows of their members without reading the
     * members' history, in two statements: the rows are locked, then one statement adds the tickets
     * (read from {@code sales.v_sale} by id, their lines from {@code v_sale_line}) to both rows and
     * returns the members it updated. A member is applied only when every ticket given for it is a
     * SALE of that member dated up to {@code asOf} with an id above the row's {@code max_sale_id}
     * (so not counted yet: a redelivered or already recomputed ticket is never added twice), and its
     * facts row has {@code dim_net} and is current as of {@code asOf} (its own or the daily roll's
     * day) and its RFM row is as of {@code asOf} and counts the same tickets (equal {@code
     * max_sale_id}: the two rows are written by separate statements, each with its own snapshot, so
     * a ticket committed in between, or one the roll ranked before its event came, may be counted in
     * one and not the other). A new business date counts as a purchase day when
     * no SALE ticket of the member already counted (id up to {@code max_sale_id}) has it. RFM scores
     * are placed by the breakpoints of the last full refresh, like {@link Rfm#rescore}. The other
     * members are left to the caller's full recompute.
     *
     * @param saleIds the tickets, each with its member in {@code memberIds} at the same index
     * @return the members applied, ascending
     */
    @Transactional(propagation = Propagation.MANDATORY)
    List<Long> applySales(Long[] saleIds, Long[] memberIds, LocalDate asOf) {
        Long[] members = ids(Arrays.asList(memberIds)).toArray(Long[]::new);
        // locked before the next statement takes its snapshot: it then sees the rows as any concurrent
        // writer (another feed instance, a merge, the roll) left them, and adds to exactly those values
        jdbc.sql("""
                select f.member_id from segments.member_fact f join segments.member_rfm r on r.member_id = f.member_id
                where f.member_id = any(?::bigint[]) order by f.member_id for update""").param(members).query(Long.class).list();
        // Written so that no CTE is joined to another on a key: the planner estimates one row for
        // each (the arrays' sizes are unknown to a generic plan), and a join of two CTEs then becomes
        // a nested loop over both — quadratic; a batch of 5,000 tickets took 17 s. Every join below
        // is a CTE against a table's index, or goes through an array.
        List<Long> applied = jdbc.sql(
                        """
                with p as (select ?::date as as_of),
                st as (
                    select r_active_days as r1, r_silent_days as r2, r_sleeping_days as r3, f_second_min as f2,
                           f_old_min as f3, f_fan_min as f6, facts_as_of, last_full_as_of,
                           ((select as_of from p) - make_interval(months => window_months))::date as win_start
                    from segments.rfm_settings where id = 1
                ),
                ev as (select distinct sale_id, member_id from unnest(?::bigint[], ?::bigint[]) as e(sale_id, member_id)),
                ok as (
                    select ev.member_id
                    from ev
                    join segments.member_fact f on f.member_id = ev.member_id
                    join segments.member_rfm r on r.member_id = ev.member_id
                    left join sales.v_sale s on s.id = ev.sale_id and s.member_id = ev.member_id
                    cross join st
                    where f.dim_net is not null and f.max_sale_id is not null and r.max_sale_id = f.max_sale_id
                      and greatest(f.as_of, st.facts_as_of) = (select as_of from p) and greatest(r.as_of, st.last_full_as_of) = (select as_of from p)
                    group by ev.member_id
                    having bool_and(coalesce(s.kind = 'SALE' and s.business_date <= (select as_of from p)
                                             and s.id > f.max_sale_id, false))
                ),
                b as (
                    -- the eligible members' new tickets; new_day: the first of the batch on its date, with no
                    -- counted SALE ticket (id up to max_sale_id) of the member that day
                    select s.id, s.member_id, s.store_id, s.business_date, s.total_fen,
                           row_number() over (partition by s.member_id, s.business_date order by s.id) = 1
                           and not exists (
                               select 1 from sales.v_sale o
                               where o.member_id = s.member_id and o.business_date = s.business_date and o.kind = 'SALE'
                                 and o.id <= f.max_sale_id) as new_day
                    from ev
                    join sales.v_sale s on s.id = ev.sale_id and s.member_id = ev.member_id
                    join segments.member_fact f on f.member_id = s.member_id
                    where ev.member_id = any(array(select member_id from ok))
                ),
                d as (
                    select member_id, max(id) as max_id, count(*) as tickets, sum(total_fen) as spend,
                           count(*) filter (where business_date > (select as_of from p) - 365) as tickets_12m,
                           coalesce(sum(total_fen) filter (where business_date > (select as_of from p) - 365), 0) as spend_12m,
                           coalesce(sum(total_fen) filter (where business_date > (select win_start from st)), 0) as spend_win,
                           count(*) filter (where new_day) as days,
                           count(*) filter (where new_day and business_date > (select as_of from p) - 365) as days_12m,
                           count(*) filter (where new_day and business_date > (select win_start from st)) as days_win,
                           min(business_date) as first_date, max(business_date) as last_date,
                           array_agg(id) as sale_ids, array_agg(store_id) as store_ids, array_agg(total_fen) as totals
                    from b group by member_id
                ),
                nf as materialized (
                    -- the maps once per member (the update reads them four times); a key the batch touches
                    -- gets its old net plus the batch's, with jsonb's || (net_add re-aggregated the whole
                    -- map per call: 0.1 ms each)
                    select f.member_id,
                           least(f.first_purchase_date, d.first_date) as first_date,
                           greatest(f.last_purchase_date, d.last_date) as last_date,
                           f.purchase_days + d.days as days,
                           f.purchase_days_12m + d.days_12m as days_12m,
                           f.tickets + d.tickets as tickets,
                           f.tickets_12m + d.tickets_12m as tickets_12m,
                           f.spend_fen + d.spend as spend,
                           f.spend_12m_fen + d.spend_12m as spend_12m,
                           %4$s as dim_b,
                           %5$s as dim_c,
                           %6$s as dim_s,
                           d.max_id
                    from d join segments.member_fact f on f.member_id = d.member_id
                ),
                banded as (
                    select x.*,
                           case when x.recency_days <= st.r1 then 'ACTIVE' when x.recency_days <= st.r2 then 'SILENT'
                                when x.recency_days <= st.r3 then 'SLEEPING' else 'LOST' end as r_band,
                           case when x.frequency >= st.f6 then 'FAN' when x.frequency >= st.f3 then 'OLD'
                                when x.frequency >= st.f2 then 'SECOND' else 'NEW' end as f_band
                    from (
                        select r.member_id, d.max_id, greatest(r.last_purchase_date, d.last_date) as last_purchase_date,
                               (select as_of from p) - greatest(r.last_purchase_date, d.last_date) as recency_days,
                               r.frequency + d.days_win::int as frequency,
                               r.monetary_fen + d.spend_win::bigint as monetary_fen
                        from d join segments.member_rfm r on r.member_id = d.member_id) x
                    cross join st
                ),
                uf as (
                    update segments.member_fact f set
                        first_purchase_date = nf.first_date, last_purchase_date = nf.last_date,
                        purchase_days = nf.days, purchase_days_12m = nf.days_12m, tickets = nf.tickets,
                        tickets_12m = nf.tickets_12m, spend_fen = nf.spend, spend_12m_fen = nf.spend_12m,
                        avg_ticket_fen = case when nf.tickets > 0 then round(nf.spend::numeric / nf.tickets)::bigint
                                              else 0 end,
                        avg_interval_days = case when nf.days >= 2
                                                 then round((nf.last_date - nf.first_date)::numeric / (nf.days - 1), 2) end,
                        favourite_brand_id = segments.net_top(nf.dim_b),
                        favourite_category_id = segments.net_top(nf.dim_c),
                        favourite_store_id = segments.net_top(nf.dim_s),
                        dim_net = jsonb_build_object('b', nf.dim_b, 'c', nf.dim_c, 's', nf.dim_s), max_sale_id = nf.max_id, as_of = (select as_of from p), updated_at = now()
                    from nf where f.member_id = nf.member_id
                    returning f.member_id
                ),
                ur as (
                    update segments.member_rfm r set
                        last_purchase_date = x.last_purchase_date, frequency = x.frequency, monetary_fen = x.monetary_fen,
                        r_band = x.r_band, f_band = x.f_band,
                        r_score = %1$s, f_score = %2$s, m_score = %3$s, max_sale_id = x.max_id
                    from banded x where r.member_id = x.member_id
                    returning r.member_id
                )
                select member_id from uf where member_id = any(array(select member_id from ur)) order by 1""".formatted(
                                        breakpointScore("-x.recency_days", "R"),
                                        breakpointScore("x.frequency", "F"),
                                        breakpointScore("x.monetary_fen", "M"),
                                        mergedNets(
                                                "b",
                                                "brand_id",
                                                "select l.brand_id, sum(l.amount_fen)::bigint as net from sales.v_sale_line l"
                                                        + " where l.sale_id = any(d.sale_ids) and l.brand_id is not null group by l.brand_id"),
                                        mergedNets(
                                                "c",
                                                "category_id",
                                                "select l.category_id, sum(l.amount_fen)::bigint as net from sales.v_sale_line l"
                                                        + " where l.sale_id = any(d.sale_ids) and l.category_id is not null"
                                                        + " group by l.category_id"),
                                        mergedNets(
                                                "s",
                                                "store_id",
                                                "select store_id, sum(total)::bigint as net"
                                                        + " from unnest(d.store_ids, d.totals) as u(store_id, total) group by store_id")))
                .params(asOf, saleIds, memberIds)
                .query(Long.class)
                .list();
        appliedIncrementally.add(applied.size());
        return applied;
    }

    /**
     * The member's net map {@code key} of {@code dim_net} with the batch's nets added: {@code nets}
     * selects (id column {@code id}, {@code net}) of the member's new tickets; each key it names gets
     * its old value plus the new one, through jsonb's {@code ||}, the others stay.
     */
    private static String mergedNets(String key, String id, String nets) {
        return """
                coalesce(f.dim_net -> '%1$s', '{}'::jsonb) || coalesce((
                    select jsonb_object_agg(%2$s::text, coalesce((f.dim_net -> '%1$s' ->> %2$s::text)::bigint, 0) + net)
                    from (%3$s) x), '{}'::jsonb)""".formatted(key, id, nets);
    }

    /** A score placed by the last full refresh's breakpoints, as {@link Rfm}'s incremental scoring does. */
    static String breakpointScore(String key, String dimension) {
        return """
                (select case when count(*) = 0 then null
                        else coalesce(max(score) filter (where min_key <= %s), 1) end
                 from segments.rfm_break where dimension = '%s')::smallint""".formatted(key, dimension);
    }

    /** The window of the 12-month facts (the literal 365 in {@link #recompute}): a ticket counts as of a day when dated after it minus 365 days. */
    static final int WINDOW_DAYS = 365;

    /** The members with a ticket dated after from − 365 up to to − 365: one that left their 12-month window. Ascending. */
    @Transactional(propagation = Propagation.MANDATORY)
    List<Long> leftWindow(LocalDate from, LocalDate to) {
        return jdbc.sql("""
                select distinct member_id from sales.v_sale
                where member_id is not null and business_date > ?::date and business_date <= ?::date
                order by 1""")
                .params(from.minusDays(WINDOW_DAYS), to.minusDays(WINDOW_DAYS))
                .query(Long.class)
                .list();
    }

    /** The members with a ticket dated after from up to to: an event may have left it out as dated in its future. Ascending. */
    @Transactional(propagation = Propagation.MANDATORY)
    List<Long> datedAfter(LocalDate from, LocalDate to) {
        return jdbc.sql("""
                select distinct member_id from sales.v_sale
                where member_id is not null and business_date > ?::date and business_date <= ?::date
                order by 1""").params(from, to).query(Long.class).list();
    }

    /**
     * What tickets leaving the 12-month window change, and nothing else: the 12-month figures of
     * their members go down by those tickets alone — one range scan of the tickets dated after
     * from − 365 up to to − 365, nobody's history read. Exact because a row holds its figures as of
     * {@code greatest(as_of, from)} (from = the last refresh, {@code facts_as_of}): the tickets
     * subtracted are those dated after that day − 365 and counted by the row ({@code id <= max_sale_id}:
     * a ticket whose event is still on its way is added by that event, which windows it as of its
     * day); each of their dates holding a SALE ticket was one purchase day. Lifetime figures,
     * favourites and {@code dim_net} do not depend on the day. The rows of these members are then
     * as of {@code to}. Rows without {@code max_sale_id} are left out. Returns the members updated
     * (every member with such a ticket and a row with {@code max_sale_id}), ascending.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    List<Long> leaveWindow(LocalDate from, LocalDate to) {
        return jdbc
                .sql("""
                with lv as (
                    select s.id, s.kind, s.business_date, s.total_fen, s.member_id from sales.v_sale s
                    where s.member_id is not null and s.business_date > ?::date and s.business_date <= ?::date
                ),
                d as (
                    select f.member_id,
                           count(distinct lv.business_date) filter (where c.counted and lv.kind = 'SALE') as days,
                           count(*) filter (where c.counted and lv.kind = 'SALE') as tickets,
                           coalesce(sum(lv.total_fen) filter (where c.counted), 0) as spend
                    from lv join segments.member_fact f on f.member_id = lv.member_id
                    cross join lateral (select lv.id <= f.max_sale_id
                        and lv.business_date > greatest(f.as_of, ?::date) - 365 as counted) c
                    where f.max_sale_id is not null
                    group by f.member_id
                )
                update segments.member_fact f set purchase_days_12m = f.purchase_days_12m - d.days,
                    tickets_12m = f.tickets_12m - d.tickets, spend_12m_fen = f.spend_12m_fen - d.spend,
                    as_of = ?::date, updated_at = now()
                from d where f.member_id = d.member_id
                returning f.member_id""")
                .params(from.minusDays(WINDOW_DAYS), to.minusDays(WINDOW_DAYS), from, to)
                .query(Long.class)
                .list()
                .stream()
                .sorted()
                .toList();
    }

    static List<Long> ids(Collection<Long> ids) {
        return ids.stream().distinct().sorted().toList();
    }
}
