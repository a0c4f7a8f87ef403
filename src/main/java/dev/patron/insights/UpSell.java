package dev.patron.insights;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Up-sell: the next price level within a category (seed 002 §9 and 003 §8.2: sell the customer the
 * better product of what they already buy). At each mining run the unit prices of the category's
 * kept SALE lines in the window are cut at their quartiles into four price bands (band 1 =
 * cheapest quarter of lines; a category needs {@value #MIN_LINES} lines), and the best-selling
 * brands of each band (by lines) are kept. A member's typical price in a category is the median
 * unit price of their lines there; when its band is not the top one, the offer is the next band up
 * (its price range and top brands).
 */
@Component
class UpSell {

    static final int MIN_LINES = 20;
    static final int BRANDS_PER_BAND = 3;

    private final JdbcClient jdbc;

    UpSell(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Computes the run's price bands and their top brands, set-based; in the caller's transaction. */
    void computeBands(long runId, LocalDate from, LocalDate to, Long[] storeIds) {
        String stores = storeIds == null ? "" : " and store_id = any(:stores)";
        String banded = """
                with lines as (
                    select category_id, brand_id, unit_price_fen from sales.v_sale_line
                    where quantity > 0 and returned_quantity < quantity and category_id is not null
                      and business_date between :from and :to""" + stores + """
                ),
                cuts as (
                    select category_id,
                           percentile_disc(array[0.25, 0.5, 0.75]) within group (order by unit_price_fen) as q
                    from lines group by category_id having count(*) >= :minLines),
                banded as (
                    select l.category_id, l.brand_id, l.unit_price_fen,
                           case when l.unit_price_fen <= c.q[1] then 1 when l.unit_price_fen <= c.q[2] then 2
                                when l.unit_price_fen <= c.q[3] then 3 else 4 end as band
                    from lines l join cuts c using (category_id))
                """;
        run(banded + """
                insert into insights.price_band (run_id, category_id, band, min_fen, max_fen, lines)
                select :run, category_id, band, min(unit_price_fen), max(unit_price_fen), count(*)
                from banded group by category_id, band""", runId, from, to, storeIds);
        run(banded + """
                insert into insights.price_band_brand (run_id, category_id, band, brand_id, rank, lines)
                select :run, category_id, band, brand_id, rank, lines from (
                    select category_id, band, brand_id, count(*) as lines,
                           row_number() over (partition by category_id, band order by count(*) desc, brand_id) as rank
                    from banded where brand_id is not null group by category_id, band, brand_id) x
                where rank <= :brands""", runId, from, to, storeIds);
    }

    private void run(String sql, long runId, LocalDate from, LocalDate to, Long[] storeIds) {
        var statement = jdbc.sql(sql)
                .param("run", runId)
                .param("from", from)
                .param("to", to)
                .param("minLines", MIN_LINES)
                .param("brands", BRANDS_PER_BAND);
        if (storeIds != null) {
            statement = statement.param("stores", storeIds);
        }
        statement.update();
    }

    /** One up-sell offer before names are attached. */
    record Row(
            long categoryId,
            long typicalFen,
            int band,
            int nextBand,
            long nextFrom,
            long nextTo,
            List<Long> brandIds) {}

    /** The member's offers from the bands of {@code runId}: categories they buy most first. */
    List<Row> forMember(long memberId, long runId, LocalDate since, LocalDate to, int limit) {
        List<Row> out = new ArrayList<>();
        jdbc.sql("""
                with mine as (
                    select l.category_id, count(*) as lines,
                           percentile_disc(0.5) within group (order by l.unit_price_fen) as typical
                    from sales.v_sale s join sales.v_sale_line l on l.sale_id = s.id
                    where s.member_id = :member and s.kind = 'SALE' and l.quantity > 0
                      and l.returned_quantity < l.quantity and l.category_id is not null
                      and s.business_date between :since and :to
                    group by l.category_id),
                placed as (
                    select m.category_id, m.lines, m.typical,
                           coalesce((select min(b.band) from insights.price_band b
                                     where b.run_id = :run and b.category_id = m.category_id and m.typical <= b.max_fen),
                                    (select max(b.band) from insights.price_band b
                                     where b.run_id = :run and b.category_id = m.category_id)) as band
                    from mine m),
                offers as (
                    select p.category_id, p.lines, p.typical, p.band, nb.band as next_band, nb.min_fen, nb.max_fen
                    from placed p
                    join lateral (select * from insights.price_band b
                                  where b.run_id = :run and b.category_id = p.category_id and b.band > p.band
                                  order by b.band limit 1) nb on true
                    where p.band is not null)
                select o.category_id, o.typical, o.band, o.next_band, o.min_fen, o.max_fen,
                       coalesce((select array_agg(pb.brand_id order by pb.rank) from insights.price_band_brand pb
                                 where pb.run_id = :run and pb.category_id = o.category_id and pb.band = o.next_band),
                                '{}') as brands
                from offers o order by o.lines desc, o.category_id limit :limit""")
                .param("member", memberId)
                .param("run", runId)
                .param("since", since)
                .param("to", to)
                .param("limit", limit)
                .query(rs -> {
                    out.add(new Row(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getInt(3),
                            rs.getInt(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            List.of((Long[]) rs.getArray(7).getArray())));
                });
        return out;
    }

    static BigDecimal yuan(long fen) {
        return BigDecimal.valueOf(fen, 2);
    }
}
