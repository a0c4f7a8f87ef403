-- Tickets for bench/segments.sh, written set-based straight into the sales tables of a running
-- Patron (as bench/members-data.sql does for members): :tickets SALE tickets of 3 lines over the
-- 730 days before yesterday, 70 % named by a member (members with id >= :first_member, Zipf-like:
-- low ids buy more often), every line at a counter of the ticket's store with the counter's first
-- brand and a category; pos ids 'SEG-<n>'. Tickets :t0 + 1 … :t0 + :tickets (:t0 default 0): a
-- large set is written in chunks (bench/segments.sh CHUNK), each ticket the same whatever the
-- chunking. The member hash is taken modulo 2^31 - 1; until 2026-11-28 it was modulo 1,000,003,
-- which gave at most about a million distinct buyers whatever the member count. Bypasses the API
-- and the sales feed on purpose: member facts and segments are then computed by the full refreshes
-- this benchmark times.
set synchronous_commit = off;
\if :{?t0}
\else
\set t0 0
\endif
create temp table seg_counter as
    select (row_number() over (order by c.id) - 1)::int as i, c.id, c.store_id,
        (select cb.brand_id from organization.counter_brand cb where cb.counter_id = c.id order by cb.brand_id limit 1) as brand_id
    from organization.counter c join organization.store s on s.id = c.store_id
    where c.status = 'ACTIVE' and s.status = 'ACTIVE';
create temp table seg_category as select (row_number() over (order by id) - 1)::int as i, id from organization.category;
select count(*) as counters from seg_counter \gset
select count(*) as categories from seg_category \gset
select min(id) as m0, count(*) as mn from members.member where id >= :first_member \gset
create temp table seg_ticket as
    select t, (t * 7919 % :counters)::int as ci,
        case when t % 10 < 7 then :m0 + floor(:mn * power(((t * 2654435761) % 2147483647) / 2147483647.0, 2))::bigint end as member_id,
        current_date - 1 - ((t * 104729) % 730)::int as day,
        1000 + ((t * 31) % 500) * 100 as price
    from generate_series(:t0 + 1::bigint, :t0 + :tickets::bigint) t;
insert into sales.sale (kind, store_id, pos_txn_id, business_date, occurred_at, member_id, gross_fen, discount_fen,
    total_fen, quantity, line_count, source, accrue_points, fingerprint)
select 'SALE', c.store_id, 'SEG-' || t.t, t.day, t.day + time '12:00' + (t.t % 600) * interval '1 minute', t.member_id,
    3 * t.price, 0, 3 * t.price, 3, 3, 'IMPORT', false, '\x00'
from seg_ticket t join seg_counter c on c.i = t.ci
order by t.t;
insert into sales.sale_line (sale_id, line_no, store_id, business_date, sku, brand_id, category_id, counter_id,
    quantity, unit_price_fen, discount_fen, amount_fen)
select s.id, g, s.store_id, s.business_date, 'SKU' || ((t.t * 13 + g) % 5000), c.brand_id, k.id, c.id, 1, t.price, 0, t.price
from seg_ticket t join seg_counter c on c.i = t.ci
join sales.sale s on s.store_id = c.store_id and s.pos_txn_id = 'SEG-' || t.t
cross join generate_series(1, 3) g
join seg_category k on k.i = ((t.t + g) % :categories)::int
order by s.id, g;
analyze sales.sale;
analyze sales.sale_line;
