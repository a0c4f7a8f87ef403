#!/usr/bin/env bash
# POS ingest benchmark (issue 4 "Performance"; part of the suite of issue 9). Not part of
# ./mvnw verify; no timed assertions.
#
#   bench/sales.sh [members]          # default 1000000 members
#   REUSE=1 bench/sales.sh            # measure again on the data directory of a previous run
#
# What it does, on localhost only:
#   1. packages Patron into target-bench-sales/ and, on a new data directory ($DATA, default
#      /tmp/patron-bench-sales), runs the demo generator (stores, counters, brands, staff) and the
#      set-based member generator bench/members-data.sql ($1 members with cards);
#   2. starts the packaged jar as a user would (embedded PostgreSQL, fsync and synchronous_commit
#      on, PORT=18100, PATRON_DB_PORT=15440);
#   3. drives it over HTTP from a separate process on the same machine (closed loop):
#        - POST /api/v1/sales, 3 lines per sale, 70% with a member card, 1, 2, 4, 8 and 16 clients,
#          with wrk and bench/sales-wrk.lua (LOADGEN=java: bench/SalesLoad.java)
#        - POST /api/v1/sales/batch, 1,000 sales of 3 lines per request, 1 and 2 clients (SalesLoad.java)
#      each 30 s after 10 s warm-up ($SECONDS_RUN, $WARMUP), all after a JIT warm-up of single sales
#      ($JIT_WARMUP, default 180 s, not recorded);
#   4. measures the raw PostgreSQL baseline in the same run: the same kind of rows (sale, 3 lines,
#      1 payment) inserted by pgbench with one transaction per sale (1 and 8 clients) — Patron / raw
#      is the ratio to report.
#   Batches also report the CPU time of Patron and its PostgreSQL per sale (RESULT cpu-per-sale), each
#   batch run starting right after a checkpoint; FEED_DISABLED=loyalty runs without points and tiers
#   (issue 5 compares the two).
#   Prints every figure and the load average; docs/PERFORMANCE.md keeps the latest with the method.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATA=${DATA:-/tmp/patron-bench-sales}
WORK=${WORK:-/tmp/patron-bench-sales-work}
SECONDS_RUN=${SECONDS_RUN:-30}
WARMUP=${WARMUP:-10}
CLIENTS=${CLIENTS:-"1 2 4 8 16"}
BATCH_CLIENTS=${BATCH_CLIENTS-"1 2"}
REDEEM=${REDEEM:-1}
RAW=${RAW:-1}
# FEED_DISABLED=loyalty measures ingest without points and tiers (issue 5: "accrual adds at most 30 %")
[ -n "${FEED_DISABLED:-}" ] && export PATRON_SALES_FEED_DISABLED=$FEED_DISABLED
# FEED_PAUSED=loyalty records loyalty's deliveries during the load without applying them; after the
# batch load the consumer is resumed and the CPU of its drain alone is measured: its cost and the
# cost of the rest of ingest from one run (bench/accrual-share.sh)
FEED_PAUSED=${FEED_PAUSED:-}
[ -n "$FEED_PAUSED" ] && export PATRON_SALES_FEED_PAUSED=$FEED_PAUSED
REUSE=${REUSE:-0}
mkdir -p "$WORK"
# the bootstrap API key is remembered with the data directory (a different one would clash with it)
[ "$REUSE" = 1 ] && [ -f "$WORK/key" ] && KEY=$(cat "$WORK/key")
KEY=${KEY:-bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)}
echo "$KEY" > "$WORK/key"
BASE=http://localhost:18100
PSQL=(psql -X -q -h localhost -p 15440 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
command -v pgbench >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-contrib || true; }

# JAR=path measures an already packaged jar (bench/accrual-share.sh compares two builds)
JAR=${JAR:-}
if [ -z "$JAR" ]; then
    ./mvnw -o -q -Dbuild.dir=target-bench-sales package -DskipTests
    JAR=target-bench-sales/patron.jar
fi
export PATRON_DB_DATA_DIR=$DATA PORT=18100 PATRON_DB_PORT=15440 PATRON_BOOTSTRAP_API_KEY=$KEY
if [ "$REUSE" != 1 ]; then
    rm -rf "$DATA"
    echo "== demo organisation"
    java -jar "$JAR" demo --seed 7 > "$WORK/demo.log" 2>&1
fi
java ${JAVA_OPTS:--Xmx1g} -jar "$JAR" > "$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done
if [ "$REUSE" != 1 ]; then
    echo "== generating $N members"
    time "${PSQL[@]}" -v start=1000000 -v count="$N" -f bench/members-data.sql > "$WORK/generate.log"
fi
"${PSQL[@]}" -Atc "select c.code || ',' || s.code || ',' || b.code from organization.counter c
    join organization.store s on s.id = c.store_id join organization.counter_brand cb on cb.counter_id = c.id
    join organization.brand b on b.id = cb.brand_id where c.status = 'ACTIVE' and s.status = 'ACTIVE'" > "$WORK/counters.txt"
# the member cards the load names ($CARDS_SAMPLED, default 100,000 of them, 10 % of the default 1M
# members): with 10,000 each sampled member gained about 100 tickets over a few runs, far above a
# real member's year, and member-history work (facts, tier figures) grew from run to run
# (KEEP_CARDS=1 with REUSE=1 names the same cards as the previous run: runs that compare builds on
# the same data then also see the same members)
CARDS_SAMPLED=${CARDS_SAMPLED:-100000}
if [ "${KEEP_CARDS:-0}" != 1 ] || [ ! -s "$WORK/cards.txt" ]; then
    "${PSQL[@]}" -Atc "select number from members.card tablesample bernoulli (least(100, 200.0 * $CARDS_SAMPLED / greatest($N, 1)))
        where status = 'ACTIVE' limit $CARDS_SAMPLED" > "$WORK/cards.txt"
fi
echo "== $(wc -l < "$WORK/counters.txt") counter/brand pairs, $(wc -l < "$WORK/cards.txt") cards sampled"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# single sales: wrk (C, LuaJIT) by default — the Java client took half a core of the two at 16
# clients; LOADGEN=java uses bench/SalesLoad.java instead
LOADGEN=${LOADGEN:-wrk}
# RESULT lines are read by bench/run.sh: name, throughput per second, p50 and p99 in ms
wrk_result() {
    awk -v name="$1" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 } / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /Non-2xx/ { bad = $NF }
        END { printf "RESULT %s | %.0f/s | p50 %.1f ms | p99 %.1f ms | non-2xx %d\n", name, rps, p50, p99, bad }' "$2"
}
command -v wrk >/dev/null || [ "$LOADGEN" = java ] || $SUDO apt-get install -y wrk
# after each load: how long the sales feed's consumers (points, tiers, KPIs, facts) took to catch up —
# an ingest rate is only sustainable if this stays short
drain() {
    local t0 left
    t0=$(date +%s.%N)
    while left=$("${PSQL[@]}" -Atc "select count(*) from sales.feed_delivery
            where consumer <> all(string_to_array('$FEED_PAUSED', ','))"); [ "$left" != 0 ]; do sleep 0.2; done
    echo "RESULT feed-drain $1 | $(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f') s after the load"
}
# CPU time (user + system, ms) of Patron's JVM and of its PostgreSQL server with all its backends,
# living and ended — the cost of ingest, steadier than a rate on 2 shared cores (issue 5 compares
# it with and without accrual: FEED_DISABLED=loyalty)
PG_PID=$(head -1 "$DATA/pg/postmaster.pid" 2>/dev/null || true)
cpu_ms() {
    local pids="$APP" total=0 p
    [ -n "$PG_PID" ] && pids="$pids $PG_PID $(pgrep -P "$PG_PID" | tr '\n' ' ')"
    for p in $pids; do
        # after the command name: utime, stime (12th, 13th), and for the server the ended backends'
        # cutime, cstime (14th, 15th)
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null \
            | awk -v all="$([ "$p" = "$PG_PID" ] && echo 1)" '{v = $12 + $13 + (all ? $14 + $15 : 0)} END {print v + 0}')))
    done
    echo $((total * 1000 / $(getconf CLK_TCK)))
}
sales_count() { "${PSQL[@]}" -Atc "select count(*) from sales.sale"; }
# JIT warm-up (not recorded): C2 kept compiling for about three minutes of load after a start (80 s of
# compiler CPU on one of the two cores); single sales measured before it settled ran at half the rate
# (16 clients, consumers off: 365/s in the first minute, 1,250/s after three)
JIT_WARMUP=${JIT_WARMUP:-180}
if [ "$JIT_WARMUP" -gt 0 ] && [ -n "$CLIENTS$BATCH_CLIENTS" ] && command -v wrk >/dev/null; then
    echo "== JIT warm-up: ${JIT_WARMUP} s of single sales, 16 clients (not recorded)"
    PATRON_KEY=$KEY COUNTERS=$WORK/counters.txt CARDS=$WORK/cards.txt BUSINESS_DATE=$(date -d yesterday +%F) \
        RUN=jit-$(date +%s%N) wrk -t1 -c16 -d"${JIT_WARMUP}s" -s bench/sales-wrk.lua "$BASE/api/v1/sales" > /dev/null
    drain "JIT warm-up"
fi
for c in $CLIENTS; do
    if [ "$LOADGEN" = wrk ]; then
        export PATRON_KEY=$KEY COUNTERS=$WORK/counters.txt CARDS=$WORK/cards.txt BUSINESS_DATE=$(date -d yesterday +%F)
        RUN=wu$c-$(date +%s%N) wrk -t1 -c"$c" -d"${WARMUP}s" -s bench/sales-wrk.lua "$BASE/api/v1/sales" > /dev/null
        echo "single clients=$c (wrk, ${SECONDS_RUN}s):"
        cpu0=$(cpu_ms); n0=$(sales_count)
        RUN=w$c-$(date +%s%N) wrk -t1 -c"$c" -d"${SECONDS_RUN}s" --latency -s bench/sales-wrk.lua "$BASE/api/v1/sales" \
            > "$WORK/wrk-$c.txt"
        grep -E "Requests/sec|Latency  |50%|75%|90%|99%|Non-2xx|requests in" "$WORK/wrk-$c.txt"
        wrk_result "single-sale c=$c" "$WORK/wrk-$c.txt"
        drain "single c=$c"
        cpu1=$(cpu_ms); n1=$(sales_count)
        echo "RESULT cpu-per-sale single c=$c | $(echo "scale=1; ($cpu1 - $cpu0) * 1000 / ($n1 - $n0)" | bc) us CPU per sale (app + PostgreSQL, drain included; $((n1 - n0)) sales)"
    else
        java bench/SalesLoad.java "$BASE" "$KEY" single "$c" "$SECONDS_RUN" "$WARMUP" "$WORK/counters.txt" "$WORK/cards.txt"
    fi
done
for c in $BATCH_CLIENTS; do
    # every measured run starts right after a checkpoint: where one falls inside a run, the full-page
    # writes that follow it made runs of the same code differ by 20 % and more
    "${PSQL[@]}" -c checkpoint
    cpu0=$(cpu_ms); n0=$(sales_count)
    java bench/SalesLoad.java "$BASE" "$KEY" batch "$c" "$SECONDS_RUN" "$WARMUP" "$WORK/counters.txt" "$WORK/cards.txt" 3 1000
    drain "batch c=$c"
    cpu1=$(cpu_ms); n1=$(sales_count)
    echo "RESULT cpu-per-sale batch c=$c | $(echo "scale=1; ($cpu1 - $cpu0) * 1000 / ($n1 - $n0)" | bc) us CPU per sale (app + PostgreSQL, warm-up and drain included; $((n1 - n0)) sales)"
    for consumer in ${FEED_PAUSED//,/ }; do
        # the paused consumer's backlog of this run alone, after a checkpoint as the load had
        "${PSQL[@]}" -c checkpoint
        d0=$(cpu_ms); t0=$(date +%s.%N)
        curl -sf -X POST -H "Authorization: Bearer $KEY" "$BASE/api/v1/sales/feed/$consumer/resume" > /dev/null
        while left=$("${PSQL[@]}" -Atc "select count(*) from sales.feed_delivery where consumer = '$consumer'"); [ "$left" != 0 ]; do
            sleep 0.2
        done
        d1=$(cpu_ms)
        echo "RESULT paused-consumer $consumer batch c=$c | $(echo "scale=1; ($d1 - $d0) * 1000 / ($n1 - $n0)" | bc) us CPU per sale to apply the backlog of $((n1 - n0)) sales in $(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f') s; ingest without it $(echo "scale=1; ($cpu1 - $cpu0) * 1000 / ($n1 - $n0)" | bc) us; share $(echo "scale=1; ($d1 - $d0) * 100 / ($cpu1 - $cpu0)" | bc) %"
        curl -sf -X POST -H "Authorization: Bearer $KEY" "$BASE/api/v1/sales/feed/$consumer/pause" > /dev/null
    done
done
if command -v wrk >/dev/null && [ "$REDEEM" = 1 ]; then
    echo "== points redemption at the POS: POST /api/v1/points/redeem, 1 point, members with points"
    "${PSQL[@]}" -Atc "select c.number from members.card c join loyalty.account a on a.member_id = c.member_id
        where a.balance > 100 and c.status = 'ACTIVE' limit 5000" > "$WORK/points-cards.txt"
    STORE1=$(cut -d, -f2 "$WORK/counters.txt" | head -1)
    for c in 1 8; do
        PATRON_KEY=$KEY CARDS=$WORK/points-cards.txt STORE=$STORE1 RUN=r$c-$(date +%s%N) \
            wrk -t1 -c"$c" -d"${SECONDS_RUN}s" --latency -s bench/redeem-wrk.lua "$BASE/api/v1/points/redeem" > "$WORK/redeem-$c.txt"
        wrk_result "redeem c=$c" "$WORK/redeem-$c.txt"
    done
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== outbox right after the load: $("${PSQL[@]}" -Atc "select count(*) from event_publication where completion_date is null") undelivered publications"
echo "== sales feed consumers: $("${PSQL[@]}" -Atc "select string_agg(distinct consumer, ', ') from sales.feed_delivery") (disabled: ${FEED_DISABLED:-none})"
echo "== sales recorded: $("${PSQL[@]}" -Atc "select count(*) || ' tickets, ' || (select count(*) from sales.sale_line) || ' lines' from sales.sale")"

if command -v pgbench >/dev/null && [ "$RAW" = 1 ]; then
    echo "== raw PostgreSQL baseline: one transaction per sale (sale + 3 lines + 1 payment), pgbench"
    cat > "$WORK/raw.sql" <<'SQL'
\set store random(1, 20)
\set price random(1000, 99900)
BEGIN;
WITH s AS (INSERT INTO sales.sale (kind, store_id, pos_txn_id, business_date, occurred_at, member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source, accrue_points, fingerprint)
  VALUES ('SALE', :store, 'RAW-' || :client_id || '-' || nextval('sales.sale_id_seq'), current_date - 1, now(), NULL, 3 * :price, 0, 3 * :price, 3, 3, 'POS', true, '\x00')
  RETURNING id, store_id, business_date),
 l AS (INSERT INTO sales.sale_line (sale_id, line_no, store_id, business_date, sku, quantity, unit_price_fen, discount_fen, amount_fen)
  SELECT s.id, g, s.store_id, s.business_date, 'SKU', 1, :price, 0, :price FROM s, generate_series(1, 3) g)
INSERT INTO sales.sale_payment (sale_id, seq, method, amount_fen) SELECT id, 1, 'CASH', 3 * :price FROM s;
END;
SQL
    for c in 1 8; do
        pgbench -n -h localhost -p 15440 -U postgres -c "$c" -j "$c" -T "$SECONDS_RUN" -f "$WORK/raw.sql" postgres 2>&1 \
            | grep -E "^tps|latency average" | sed "s/^/raw c=$c: /" | tee "$WORK/raw-$c.txt"
        echo "RESULT raw-sale c=$c | $(grep -oP 'tps = \K[0-9.]+' "$WORK/raw-$c.txt" | cut -d. -f1)/s"
    done
    echo "== raw PostgreSQL baseline: the accrual transaction in one statement (sale + 3 lines + payment +"
    echo "   ledger entry + balance upsert) — issue 9's reference; members -1..-100000 so it can be removed"
    cat > "$WORK/raw-accrual.sql" <<'SQL'
\set store random(1, 20)
\set member random(1, 100000)
\set price random(1000, 99900)
WITH s AS (INSERT INTO sales.sale (kind, store_id, pos_txn_id, business_date, occurred_at, member_id, gross_fen, discount_fen, total_fen, quantity, line_count, source, accrue_points, fingerprint)
  VALUES ('SALE', :store, 'RAW-' || :client_id || '-' || nextval('sales.sale_id_seq'), current_date - 1, now(), -:member, 3 * :price, 0, 3 * :price, 3, 3, 'POS', true, '\x00')
  RETURNING id, store_id, business_date),
 l AS (INSERT INTO sales.sale_line (sale_id, line_no, store_id, business_date, sku, quantity, unit_price_fen, discount_fen, amount_fen)
  SELECT s.id, g, s.store_id, s.business_date, 'SKU', 1, :price, 0, :price FROM s, generate_series(1, 3) g),
 p AS (INSERT INTO sales.sale_payment (sale_id, seq, method, amount_fen) SELECT id, 1, 'CASH', 3 * :price FROM s),
 e AS (INSERT INTO loyalty.entry (member_id, kind, points, sale_id, store_id, created_by) SELECT -:member, 'EARN', 3 * :price / 100, id, store_id, 'raw' FROM s)
INSERT INTO loyalty.account AS a (member_id, balance, lifetime_earned) VALUES (-:member, 3 * :price / 100, 3 * :price / 100)
  ON CONFLICT (member_id) DO UPDATE SET balance = a.balance + excluded.balance, lifetime_earned = a.lifetime_earned + excluded.lifetime_earned;
SQL
    for c in 1 8; do
        pgbench -n -h localhost -p 15440 -U postgres -c "$c" -j "$c" -T "$SECONDS_RUN" -f "$WORK/raw-accrual.sql" postgres 2>&1 \
            | grep -E "^tps|latency average" | sed "s/^/raw accrual c=$c: /" | tee "$WORK/raw-accrual-$c.txt"
        echo "RESULT raw-accrual c=$c | $(grep -oP 'tps = \K[0-9.]+' "$WORK/raw-accrual-$c.txt" | cut -d. -f1)/s"
    done
    # raw entries have no lots: skip the FK checks (lot/lot_use/redemption.entry_id have no index, entries are never deleted by Patron)
    "${PSQL[@]}" -c "set session_replication_role = replica" -c "delete from loyalty.entry where member_id < 0" -c "delete from loyalty.account where member_id < 0"
    "${PSQL[@]}" -c "delete from sales.sale_payment p using sales.sale s where s.id = p.sale_id and s.pos_txn_id like 'RAW-%'" \
        -c "delete from sales.sale_line l using sales.sale s where s.id = l.sale_id and s.pos_txn_id like 'RAW-%'" \
        -c "delete from sales.sale where pos_txn_id like 'RAW-%'"
fi
# issue 9: the app's heap after the load (started with -Xmx1g unless JAVA_OPTS says otherwise)
jcmd "$APP" GC.run > /dev/null 2>&1 || true
echo "RESULT heap-sales | $(jcmd "$APP" GC.heap_info 2>/dev/null | grep -oP 'heap\s+total \d+K, used \K\d+' | head -1 | awk '{printf "%.0f", $1 / 1024}') MB used after a full GC | ${JAVA_OPTS:--Xmx1g}"
