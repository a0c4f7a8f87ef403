-- Sales for the insights benchmark (bench/insights.sh), set-based, for every member in
-- members.member: each member has a purchase rate and a lifetime (the BG/NBD story: buyers at
-- different rates who may stop for good), :per tickets on average over the last :days days, two
-- lines a ticket; after a first line of an even-numbered category the second line is, 80 % of the
-- time, the next category (and its brand), so association mining at the default thresholds finds
-- about one rule per even category (k => k+1; the reverse stays below confidence 0.5). Written as the sales import writes (source
-- IMPORT, no points); fingerprints are dummies (these tickets are never replayed).
\set ON_ERROR_STOP on
\timing on
set synchronous_commit = off;
set work_mem = '256MB';

create temp table cat as
    select row_number() over (order by c.id) - 1 as k, c.id,
           (select b.id from organization.brand b where b.category_id = c.id order by b.id limit 1) as brand_id
    from organization.category c where c.parent_id is not null;
create temp table st as select row_number() over (order by id) - 1 as k, id from organization.store where status = 'ACTIVE';
create temp table bm as
    select m.id as member_id,
           greatest(1, round(-ln(1 - random()) * :per))::int as n,            -- tickets of the member
           (random() * :days)::int as first_ago,                               -- first purchase, days ago
           0.2 + 0.8 * random() as life,                                        -- share of the time until they stopped
           (random() * (select count(*) from st))::int % (select count(*) from st) as store_k
    from members.member m;

insert into sales.sale (kind, store_id, pos_txn_id, business_date, occurred_at, member_id, gross_fen, discount_fen,
                        total_fen, quantity, line_count, source, accrue_points, fingerprint)
select 'SALE', st.id, 'BI-' || bm.member_id || '-' || g, d, d + time '12:00', bm.member_id,
       2 * 19900, 0, 2 * 19900, 2, 2, 'IMPORT', false, '\x00'
from bm
cross join lateral generate_series(1, bm.n) g
cross join lateral (select current_date - bm.first_ago + case when g = 1 then 0
                        else (random() * bm.first_ago * bm.life)::int end as d) x
join st on st.k = bm.store_k;

insert into sales.sale_line (sale_id, line_no, store_id, business_date, sku, brand_id, category_id, quantity,
                             unit_price_fen, discount_fen, amount_fen)
select s.id, l.no, s.store_id, s.business_date, 'SKU-' || c.k, c.brand_id, c.id, 1, 19900, 0, 19900
from sales.sale s
cross join lateral (select (random() * (select count(*) from cat) + 0 * s.id)::int % (select count(*) from cat) as k1,
                           random() + 0 * s.id < 0.8 as partner,
                           (random() * (select count(*) from cat) + 0 * s.id)::int % (select count(*) from cat) as kr) r
cross join lateral (values (1, r.k1),
                           (2, case when r.partner and r.k1 % 2 = 0 then (r.k1 + 1) % (select count(*) from cat)
                                    else r.kr end)) l(no, k)
join cat c on c.k = l.k
where s.pos_txn_id like 'BI-%';
analyze sales.sale;
analyze sales.sale_line;
select (select count(*) from members.member) as members, (select count(*) from sales.sale) as tickets,
       (select count(*) from sales.sale_line) as lines;
