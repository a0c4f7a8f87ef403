-- Writes a historical sales CSV of :lines line items for the demo chain to :file (psql variables),
-- for bench/sales-import.sh. Set-based: tickets t = 1..T have 1 + t % 5 lines (3 on average) at one
-- counter (department-store counters ring up their own tickets), with that counter's first brand, a
-- category, 1-2 items at 10.00-59.90 yuan, a discount on lines after the first; 40 % of the tickets
-- carry a member card of the demo members; every 50th ticket is a RETURN of one item of ticket t-49
-- (same counter, a later or equal business date). Business dates run over 690 days to 2026-11-20.
\set tickets ceil(:lines/3.0)::bigint
\o :file
copy (
with c as (
    select (row_number() over (order by c.id) - 1)::int as i, c.code, s.code as store_code,
           coalesce((select b.code from organization.counter_brand cb join organization.brand b on b.id = cb.brand_id
                     where cb.counter_id = c.id order by b.id limit 1), '') as brand
    from organization.counter c join organization.store s on s.id = c.store_id
    where c.status = 'ACTIVE' and s.status = 'ACTIVE'),
nc as (select count(*)::int as n from c),
k as (select array_agg(code order by id) as a, count(*)::int as n from organization.category),
m as (select array_agg(number order by id) as a, greatest(count(*), 1)::int as n from members.card where status = 'ACTIVE'),
t as (
    select t, case when t % 50 = 0 and t > 50 then t - 49 end as orig,
           date '2026-11-20' - 689 + (t * 690 / (:tickets + 1))::int as day
    from generate_series(1::bigint, :tickets) t),
rows as (
    select t.t, l, t.orig, t.day, c.store_code, c.code as counter, c.brand,
           k.a[1 + (t.t % k.n)::int] as category,
           case when t.t % 5 < 2 then m.a[1 + (t.t % m.n)::int] end as card,
           1000 + ((coalesce(t.orig, t.t) * 31 + l * 17) % 500) * 100 as price,
           1 + (t.t + l) % 2 as qty,
           case when l = 1 then 0 else ((t.t + l) % 4) * 100 end as disc
    from t cross join nc cross join k cross join m
    cross join lateral generate_series(1, case when t.orig is null then 1 + (t.t % 5)::int else 1 end) l
    join c on c.i = (coalesce(t.orig, t.t) * 7919 % nc.n)::int)
select 'store_code,pos_transaction_id,business_date,occurred_at,pos_terminal,cashier,card_number,kind,'
       || 'original_pos_transaction_id,line_no,sku,name,brand_code,category_code,counter_code,quantity,'
       || 'unit_price_fen,discount_fen,amount_fen,payment_method'
union all
(select concat_ws(',', store_code, 'H' || t, day,
        day || ' ' || lpad((10 + t % 11)::text, 2, '0') || ':' || lpad((t % 60)::text, 2, '0') || ':00',
        'POS-' || (t % 8 + 1), 'C' || lpad((t % 40)::text, 3, '0'),
        coalesce(case when orig is null then card end, ''),
        case when orig is null then 'SALE' else 'RETURN' end,
        case when orig is not null then 'H' || orig else '' end,
        l, 'SKU' || ((coalesce(orig, t) * 13 + l * 7) % 5000), '商品' || ((coalesce(orig, t) * 13 + l * 7) % 5000),
        brand, category, counter,
        case when orig is null then qty else -1 end, price,
        case when orig is null then disc else 0 end,
        case when orig is null then qty * price - disc else -price end,
        case t % 3 when 0 then 'MOBILE_PAY' when 1 then 'BANK_CARD' else 'CASH' end)
 from rows limit :lines)
) to stdout;
\o
