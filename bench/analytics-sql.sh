#!/usr/bin/env bash
# Analytics dashboards' SQL at scale (issue 6): not part of ./mvnw verify, no assertions.
#
#   bench/analytics-sql.sh [members] [tickets]      # default 1000000 members, 3300000 tickets (~10M lines)
#
# Starts a throw-away PostgreSQL (initdb in $DIR, port 15598), applies Patron's Flyway migrations in
# version order with psql, generates a chain (20 stores, 150 counters, 80 brands, 20 categories),
# members (birthday, gender, city, channel, joined over 3 years, preferred store) and tickets of 3
# lines over the last 2 years (70 % with a member, every 40th a return), then times the four
# dashboards' queries (the SQL Analytics.java runs, for all stores and for one store, period = the
# last 12 months) with EXPLAIN (ANALYZE, BUFFERS) written to $DIR/plans.txt. Stops and deletes the
# database afterwards (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS=${1:-1000000}
TICKETS=${2:-3300000}
DIR=${DIR:-/tmp/patron-bench-analytics}
PORT=${PORT:-15598}
KEEP=${KEEP:-0}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h localhost -p "$PORT" -U postgres -d postgres)
AS=()  # PostgreSQL refuses to run as root: then as the postgres user
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); fi
rm -rf "$DIR" && mkdir -p "$DIR"
[ ${#AS[@]} = 0 ] || chown postgres "$DIR"
"${AS[@]}" initdb -D "$DIR/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 > "$DIR/initdb.log"
"${AS[@]}" pg_ctl -D "$DIR/pg" -o "-p $PORT -c shared_buffers=512MB -c work_mem=64MB -c max_wal_size=4GB -c fsync=off" \
    -l "$DIR/pg.log" -w start > /dev/null
cleanup() {
    "${AS[@]}" pg_ctl -D "$DIR/pg" -m fast -w stop > /dev/null || true
    [ "$KEEP" = 1 ] || rm -rf "$DIR"
}
trap cleanup EXIT
for f in $(ls src/main/resources/db/migration/*/*.sql | awk -F/ '{print $NF" "$0}' | sort | awk '{print $2}'); do
    "${PSQL[@]}" -f "$f"
done
echo "schema ready; generating $MEMBERS members and $TICKETS tickets"
START=$(date +%s)
"${PSQL[@]}" -v members="$MEMBERS" -v tickets="$TICKETS" <<'SQL'
set synchronous_commit = off;
insert into organization.region(code, name) values ('R1', '华东区');
insert into organization.store(code, name, region_id)
    select 'S' || i, '门店' || i, (select id from organization.region) from generate_series(1, 20) i;
insert into organization.category(code, name) select 'K' || i, '品类' || i from generate_series(1, 20) i;
insert into organization.brand(code, name) select 'B' || i, '品牌' || i from generate_series(1, 80) i;
insert into organization.counter(code, name, store_id, supplier_name)
    select 'C' || i, '专柜' || i, 1 + i % 20, '供应商' from generate_series(1, 150) i;
insert into members.member(name, gender, birthday, city, preferred_store_id, join_store_id, joined_on, join_channel)
    select 'M' || i, (array['MALE','FEMALE','FEMALE',null])[1 + (i % 4)::int],
           case when i % 7 = 0 then null else date '1950-01-01' + (i * 7919 % 20000)::int end,
           (array['上海','杭州','苏州','南京','宁波','无锡','合肥',null])[1 + (i % 8)::int],
           1 + i % 20, 1 + (i / 3) % 20, current_date - (i * 104729 % 1095)::int,
           (array['STORE_DESK','POS','WEBSITE','ECOMMERCE','IMPORT'])[1 + (i % 5)::int]
    from generate_series(1::bigint, :members) i;
insert into loyalty.member_tier(member_id, tier_code, since)
    select id, (array['THREE_STAR','FOUR_STAR','FIVE_STAR'])[1 + (id % 3)::int], current_date from members.member where id % 10 = 0;
-- tickets: 3 lines each at one counter; 70 % with a member (a member's tickets cluster: member = hash of t)
insert into sales.sale(id, kind, store_id, pos_txn_id, original_sale_id, business_date, occurred_at, member_id,
                       gross_fen, discount_fen, total_fen, quantity, line_count, source, accrue_points, fingerprint)
    select t, 'SALE', 1 + (t * 7 % 150) % 20, 'T' || t, null, current_date - (t * 2654435761 % 730)::int, now(),
           case when t % 10 < 7 then 1 + (t * 48271 % :members) end,
           3 * 9900, 0, 3 * 9900, 3, 3, 'IMPORT', false, '\x00'
    from generate_series(1::bigint, :tickets) t;
update sales.sale set kind = 'RETURN', original_sale_id = id - 1, total_fen = -9900, gross_fen = -9900,
                      quantity = -1, line_count = 1
    where id % 40 = 0;
insert into sales.sale_line(sale_id, line_no, store_id, business_date, sku, brand_id, category_id, counter_id,
                            quantity, unit_price_fen, discount_fen, amount_fen)
    select s.id, l, s.store_id, s.business_date, 'SKU', 1 + (s.id + l) % 80, 1 + (s.id + l) % 20, 1 + s.id * 7 % 150,
           case when s.kind = 'SALE' then 1 else -1 end, 9900, 0, case when s.kind = 'SALE' then 9900 else -9900 end
    from sales.sale s cross join generate_series(1, 3) l where s.kind = 'SALE' or l = 1;
select setval('sales.sale_id_seq', (select max(id) from sales.sale));
vacuum analyze;
SQL
echo "data generated in $(( $(date +%s) - START )) s"
"${PSQL[@]}" -c "select (select count(*) from members.member) members, (select count(*) from sales.sale) tickets,
                 (select count(*) from sales.sale_line) lines"
# The dashboards' statements as Analytics.java builds them (all stores: no store filter; keep in step
# with the class), period = the last 12 months; \timing prints each statement's time.
run() {
    local name=$1
    echo "== $name"
    { echo "\\timing on"; echo "set work_mem = '64MB';"; cat; } | "${PSQL[@]}" -v from="'$(date -d '-11 months' +%Y-%m-01)'" \
        -v to="'$(date +%F)'" -v win=30 2>&1 | grep -E '^Time' | tail -1
}
run "structure (ALL)" <<'SQL'
select dim, count(*) from (
 select case when grouping(x.age) = 0 then 'age' when grouping(x.gender) = 0 then 'gender'
             when grouping(x.city) = 0 then 'city' when grouping(x.channel) = 0 then 'channel' else 'tier' end as dim,
        coalesce(x.age, x.gender, x.city, x.channel, x.tier) as key, count(*) as n
 from (select case when m.birthday is null then 'UNKNOWN' else case when a < 18 then '0-17' when a < 25 then '18-24'
              when a < 35 then '25-34' when a < 45 then '35-44' when a < 55 then '45-54' when a < 65 then '55-64'
              else '65+' end end as age, coalesce(m.gender, 'UNKNOWN') as gender,
              coalesce(nullif(btrim(m.city), ''), '') as city, m.join_channel as channel,
              coalesce(mt.tier_code, 'STANDARD') as tier
       from members.v_member m left join loyalty.v_member_tier mt on mt.member_id = m.id
       cross join lateral (select extract(year from age(cast(:to as date), m.birthday))::int as a) ag
       where m.status = 'ACTIVE' and m.joined_on <= :to) x
 group by grouping sets ((x.age), (x.gender), (x.city), (x.channel), (x.tier))) g group by dim;
SQL
run "new vs returning" <<'SQL'
with t as (select s.member_id, date_trunc('month', s.business_date)::date as m, s.kind, s.total_fen
           from sales.v_sale s where s.member_id is not null and s.business_date between :from and :to),
f as (select s.member_id, min(s.business_date) as first_date from sales.v_sale s
      where s.kind = 'SALE' and s.member_id is not null and s.business_date <= :to group by s.member_id),
per as (select t.m, t.member_id, coalesce(date_trunc('month', f.first_date)::date = t.m, false) as is_new,
               count(*) filter (where t.kind = 'SALE') as tickets, sum(t.total_fen) as net
        from t left join f on f.member_id = t.member_id group by t.m, t.member_id, f.first_date)
select m, is_new, count(*) filter (where tickets > 0), sum(tickets), sum(net) from per group by m, is_new;
SQL
run "behaviour: frequency" <<'SQL'
select n, count(*) from (select member_id, count(*) as n from (select distinct s.member_id, s.business_date as day
  from sales.v_sale s where s.kind = 'SALE' and s.member_id is not null and s.business_date between :from and :to) d
  group by member_id) x group by n;
SQL
run "behaviour: intervals" <<'SQL'
select gap, count(*) from (select day - lag(day) over (partition by member_id order by day) as gap from (
  select distinct s.member_id, s.business_date as day from sales.v_sale s
  where s.kind = 'SALE' and s.member_id is not null and s.business_date between :from and :to) d) g
where gap is not null group by gap;
SQL
run "behaviour: tickets" <<'SQL'
select count(*) filter (where s.kind = 'SALE'), coalesce(sum(s.total_fen), 0) from sales.v_sale s
where s.member_id is not null and s.business_date between :from and :to;
SQL
run "behaviour: brand shares" <<'SQL'
select l.brand_id, sum(l.amount_fen) from sales.v_sale_line l join sales.v_sale s on s.id = l.sale_id
where s.member_id is not null and l.business_date between :from and :to group by l.brand_id;
SQL
run "behaviour: return to counter" <<'SQL'
with cd as (select distinct s.member_id, l.counter_id, l.business_date as day
            from sales.v_sale_line l join sales.v_sale s on s.id = l.sale_id
            where s.kind = 'SALE' and s.member_id is not null and l.counter_id is not null
              and l.business_date between :from and cast(:to as date) + :win),
r as (select counter_id, day, lead(day) over w as next_day, row_number() over w as rn
      from cd window w as (partition by member_id, counter_id order by day))
select counter_id, count(*), count(*) filter (where next_day <= day + :win) from r where rn = 1 and day <= :to
group by counter_id;
SQL
run "cohorts" <<'SQL'
with c as (select m.id, date_trunc('month', m.joined_on)::date as cm from members.v_member m
           where m.status = 'ACTIVE' and m.joined_on >= date_trunc('month', cast(:from as date))
             and m.joined_on < date_trunc('month', cast(:to as date)) + interval '1 month')
select cm, k, count(distinct id) from (
  select c.id, c.cm, ((extract(year from s.business_date) - extract(year from c.cm)) * 12
         + extract(month from s.business_date) - extract(month from c.cm))::int as k
  from c join sales.v_sale s on s.member_id = c.id
  where s.kind = 'SALE' and s.business_date >= c.cm and s.business_date < c.cm + interval '12 months'
    and s.business_date < date_trunc('month', cast(:to as date)) + interval '1 month') a group by cm, k;
SQL
