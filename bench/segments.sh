#!/usr/bin/env bash
# RFM and rule-segment refresh at scale (issue 6; workload 5 of issue 9). Not part of ./mvnw verify;
# no assertions.
#
#   bench/segments.sh [members] [tickets]   # default 1,000,000 members, 3,333,334 tickets (10M lines)
#
#   1. packages Patron, creates a NEW data directory ($DATA) with the demo chain (demo --seed 7) and
#      starts the jar as a user would (PORT=18120, PATRON_DB_PORT=15520, fsync on);
#   2. generates the members (bench/members-data.sql) and the tickets (bench/segments-data.sql, written
#      straight into the sales tables: the facts are then computed by the refresh timed below);
#   3. times the full rebuild of facts + RFM as of yesterday (POST /api/v1/rfm/refresh?full=true,
#      cold), the nightly roll from yesterday to today (POST /api/v1/rfm/refresh: facts of the members
#      whose 12-month window moved, RFM of everybody) and a warm full rebuild; beside raw-SQL
#      baselines in plain statements into unlogged tables: the same facts (for the rebuild) and
#      recency, frequency, monetary and the three quintile scores of every member (for the roll);
#   4. for five rule definitions (profile + facts, an event on a brand, an RFM cell, birthdays, lapsed
#      members) times the builder's preview (POST /api/v1/segments/preview: count and 20 members),
#      then creates each segment over the API and times its full refresh beside the raw SQL of the
#      same condition writing the member ids into an unlogged table;
#   5. incremental: records single sales over the API for members not yet in a "bought at store X
#      today" segment and measures the time until GET /api/v1/members/{id}/segments lists it
#      (through the sales feed, member facts and MemberFactsChanged); the re-evaluation's server
#      timer over all calls and over those after the first WARM (default 10) sales.
#   6. the nightly's segment part: every segment refreshed as the job does it after the roll
#      (POST /api/v1/segments/refresh, two at a time), and the nightly total (roll + that).
# Prints RESULT lines (read by bench/run.sh). KEEP=1 keeps the data directory.
#
# Large scale (issue 6: 10M members, 100M lines): the data takes about an hour to write, so it can be
# written once and reused. CHUNK=n writes the tickets n at a time (less temporary disk; the same
# tickets). REUSE=1 starts the new jar on an existing $DATA as it is (migrations apply; nothing is
# generated, FIRST=1 unless given) — e.g. 11M members from bench/members.sh plus a demo chain and
# tickets from bench/segments-data.sql. WARM_REBUILD=0 skips the second full rebuild and
# RAW_FACTS=0 the raw facts baseline (each as long as a full rebuild at that scale). SKIP_REBUILD=1
# (with REUSE=1) starts from the facts already in $DATA, refreshed as of yesterday by an earlier run.
# After the roll, FULL_RFM=1 (default) times RFM ranked afresh from all tickets twice: the RFM window
# set to 6 months and back (the settings change recomputes every row, Rfm.scoreAll).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
T=${2:-3333334}
DATA=${DATA:-/tmp/patron-bench-segments}
WORK=${WORK:-/tmp/patron-bench-segments-work}
KEEP=${KEEP:-0}
REUSE=${REUSE:-0}
CHUNK=${CHUNK:-$T}
WARM_REBUILD=${WARM_REBUILD:-1}
RAW_FACTS=${RAW_FACTS:-1}
SKIP_REBUILD=${SKIP_REBUILD:-0}
FULL_RFM=${FULL_RFM:-1}
INCREMENTAL=${INCREMENTAL:-20}
KEY=${KEY:-bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)}
BASE=http://localhost:18120
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h localhost -p 15520 -U postgres -d postgres)
# the raw baselines' current_date is the chain's day, as Patron's "today" (Asia/Shanghai): between
# 16:00 and 24:00 UTC the server's UTC date is a day behind and the windows would differ
export PGTZ=Asia/Shanghai
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
mkdir -p "$WORK"
./mvnw -o -q -Dbuild.dir=target-bench-segments package -DskipTests
JAR=target-bench-segments/patron.jar
export PATRON_DB_DATA_DIR=$DATA PATRON_DB_PORT=15520 PORT=18120 PATRON_BOOTSTRAP_API_KEY=$KEY
if [ "$REUSE" = 1 ]; then
    [ -d "$DATA" ] || { echo "REUSE=1 but no $DATA" >&2; exit 1; }
    KEEP=1
else
    rm -rf "$DATA"
    java -jar "$JAR" demo --seed 7 > "$WORK/demo.log" 2>&1
fi
java ${JAVA_OPTS:--Xmx1g} -jar "$JAR" > "$WORK/app.log" 2>&1 &
APP=$!
cleanup() {
    kill $APP 2>/dev/null || true
    wait $APP 2>/dev/null || true
    [ "$KEEP" = 1 ] || rm -rf "$DATA"
}
trap cleanup EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done
api() { curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
secs() { echo "$2 - $1" | bc | xargs printf '%.2f'; }

if [ "$REUSE" = 1 ]; then
    FIRST=${FIRST:-1}
    echo "== reusing $DATA"
else
    echo "== generating $N members and $T tickets (3 lines each)"
    FIRST=$("${PSQL[@]}" -Atc "select coalesce(max(id), 0) + 1 from members.member")
    "${PSQL[@]}" -v start=2000000 -v count="$N" -f bench/members-data.sql > "$WORK/members.log"
    s=$(date +%s.%N)
    for ((t0 = 0; t0 < T; t0 += CHUNK)); do
        "${PSQL[@]}" -v tickets="$((T - t0 < CHUNK ? T - t0 : CHUNK))" -v t0="$t0" -v first_member="$FIRST" \
            -f bench/segments-data.sql
    done
    echo "tickets generated in $(secs "$s" "$(date +%s.%N)") s"
    "${PSQL[@]}" -c "vacuum analyze" > /dev/null
fi
"${PSQL[@]}" -Atc "select 'data: ' || (select count(*) from members.member) || ' members, ' || (select count(*) from sales.sale) || ' tickets, ' || (select count(*) from sales.sale_line) || ' lines, ' || pg_size_pretty(pg_database_size('postgres'))"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

YESTERDAY=$(TZ=Asia/Shanghai date -d yesterday +%F)
if [ "$SKIP_REBUILD" = 1 ]; then
    echo "== facts as of $("${PSQL[@]}" -Atc "select facts_as_of from segments.rfm_settings") kept from an earlier run"
else
echo "== full rebuild of every member's facts + RFM as of $YESTERDAY (POST /api/v1/rfm/refresh?full=true), cold"
s=$(date +%s.%N)
R=$(api -X POST "$BASE/api/v1/rfm/refresh?full=true&asOf=$YESTERDAY")
e=$(date +%s.%N)
echo "$R"
echo "RESULT facts-rebuild $N members | $(secs "$s" "$e") s (cold)"
fi
echo "== the nightly roll to today (POST /api/v1/rfm/refresh): facts of the members whose 12-month window moved, RFM of everybody"
s=$(date +%s.%N)
R=$(api -X POST "$BASE/api/v1/rfm/refresh")
e=$(date +%s.%N)
echo "$R"
echo "RESULT rfm-refresh $N members | $(secs "$s" "$e") s (roll from $YESTERDAY: $(echo "$R" | grep -oP '"facts":\K[0-9]+') members' facts recomputed, $(echo "$R" | grep -oP '"rfm":\K[0-9]+') RFM rows written)"
ROLL_S=$(secs "$s" "$e")
if [ "$FULL_RFM" = 1 ]; then
    # "full RFM" of the issue from the tickets, not from the rolled rows: a change of the RFM window
    # ranks every member afresh over all tickets (Rfm.scoreAll); to 6 months and back to 12
    echo "== full RFM from the tickets: the RFM window set to 6 months and back (PUT /api/v1/rfm/settings)"
    SETTINGS=$(api "$BASE/api/v1/rfm/settings")
    for months in 6 "$(echo "$SETTINGS" | grep -oP '"windowMonths":\K[0-9]+')"; do
        s=$(date +%s.%N)
        api -X PUT "$BASE/api/v1/rfm/settings" -d "$(echo "$SETTINGS" | sed -E "s/\"windowMonths\":[0-9]+/\"windowMonths\":$months/")" > /dev/null
        e=$(date +%s.%N)
        echo "RESULT rfm-full $N members | $(secs "$s" "$e") s (every member ranked afresh from the tickets, window $months months)"
    done
fi
if [ "$WARM_REBUILD" = 1 ]; then
    echo "== full rebuild as of today, warm (POST /api/v1/rfm/refresh?full=true)"
    s=$(date +%s.%N)
    R=$(api -X POST "$BASE/api/v1/rfm/refresh?full=true")
    e=$(date +%s.%N)
    echo "RESULT facts-rebuild-warm $N members | $(secs "$s" "$e") s"
fi
if [ "$RAW_FACTS" = 1 ]; then
echo "== raw SQL baseline of the rebuild: the same facts (lifetime and 12-month figures, favourite brand, category, store) into an unlogged table"
"${PSQL[@]}" -c "drop table if exists bench_raw_facts" > /dev/null
s=$(date +%s.%N)
"${PSQL[@]}" <<'SQL'
set work_mem = '256MB';
create unlogged table bench_raw_facts as
with t as (select id, kind, store_id, business_date, total_fen, member_id from sales.sale where member_id is not null),
agg as (
    select member_id, min(business_date) filter (where kind = 'SALE') as first_date,
        max(business_date) filter (where kind = 'SALE') as last_date,
        count(distinct business_date) filter (where kind = 'SALE') as days,
        count(distinct business_date) filter (where kind = 'SALE' and business_date > current_date - 365) as days_12m,
        count(*) filter (where kind = 'SALE') as tickets,
        count(*) filter (where kind = 'SALE' and business_date > current_date - 365) as tickets_12m,
        sum(total_fen) as spend, coalesce(sum(total_fen) filter (where business_date > current_date - 365), 0) as spend_12m,
        count(*) filter (where kind = 'RETURN') as return_tickets,
        coalesce(-sum(total_fen) filter (where kind = 'RETURN'), 0) as returned
    from t group by member_id),
by_dim as (
    select t.member_id, l.brand_id, l.category_id, grouping(l.brand_id, l.category_id) as g, sum(l.amount_fen) as net
    from t join sales.sale_line l on l.sale_id = t.id
    group by grouping sets ((t.member_id, l.brand_id), (t.member_id, l.category_id))),
fb as (select distinct on (member_id) member_id, brand_id from by_dim where g = 1 and brand_id is not null and net > 0
       order by member_id, net desc, brand_id),
fc as (select distinct on (member_id) member_id, category_id from by_dim where g = 2 and category_id is not null and net > 0
       order by member_id, net desc, category_id),
fs as (select distinct on (member_id) member_id, store_id from (select member_id, store_id, sum(total_fen) as net from t
       group by member_id, store_id) x where net > 0 order by member_id, net desc, store_id)
select a.*, fb.brand_id, fc.category_id, fs.store_id from agg a left join fb using (member_id)
left join fc using (member_id) left join fs using (member_id);
SQL
e=$(date +%s.%N)
echo "RESULT raw-facts $N members | $(secs "$s" "$e") s ($("${PSQL[@]}" -Atc "select count(*) from bench_raw_facts") members)"
"${PSQL[@]}" -c "drop table bench_raw_facts" > /dev/null
fi
echo "== raw SQL baseline: R, F, M and quintile scores of every member in one statement"
"${PSQL[@]}" -c "drop table if exists bench_raw_rfm" > /dev/null
s=$(date +%s.%N)
"${PSQL[@]}" <<'SQL'
create unlogged table bench_raw_rfm as
with m as (
    select member_id, current_date - max(business_date) as recency, count(distinct business_date) as frequency,
        sum(total_fen) as monetary
    from sales.sale where member_id is not null and business_date > current_date - 365
    group by member_id)
select member_id, recency, frequency, monetary,
    6 - ntile(5) over (order by recency) as r, ntile(5) over (order by frequency) as f, ntile(5) over (order by monetary) as m
from m;
SQL
e=$(date +%s.%N)
echo "RESULT raw-rfm $N members | $(secs "$s" "$e") s ($("${PSQL[@]}" -Atc "select count(*) from bench_raw_rfm") members with a purchase in 12 months)"
"${PSQL[@]}" -c "drop table bench_raw_rfm" > /dev/null

echo "== rule segments: full refresh through the API, beside the raw SQL of the same condition"
BRAND=$("${PSQL[@]}" -Atc "select b.code from organization.brand b join organization.counter_brand cb on cb.brand_id = b.id group by b.code order by count(*) desc limit 1")
BRAND_ID=$("${PSQL[@]}" -Atc "select id from organization.brand where code = '$BRAND'")
declare -A DEF RAW
DEF[women-spend]='{"field":"gender","operator":"eq","value":"FEMALE"},{"field":"spend12mFen","operator":"gte","value":50000}'
RAW[women-spend]="select m.id from members.member m join segments.member_fact f on f.member_id = m.id where m.gender = 'FEMALE' and f.spend_12m_fen >= 50000"
DEF[brand-90d]="{\"field\":\"bought\",\"operator\":\"inLastDays\",\"brand\":\"$BRAND\",\"days\":90}"
RAW[brand-90d]="select s.member_id from sales.sale s join sales.sale_line l on l.sale_id = s.id where l.brand_id = $BRAND_ID and s.business_date > current_date - 90 and s.member_id is not null group by s.member_id having sum(l.amount_fen) >= 1"
DEF[active-fans]='{"field":"rfmCell","operator":"in","value":["ACTIVE_FAN","ACTIVE_OLD"]}'
RAW[active-fans]="select member_id from segments.member_rfm where r_band = 'ACTIVE' and f_band in ('FAN', 'OLD')"
DEF[birthday-30d]='{"field":"birthday","operator":"nextDays","value":30}'
RAW[birthday-30d]="select id from members.member where to_char(birthday, 'MM-DD') = any(array(select to_char(current_date + d, 'MM-DD') from generate_series(0, 30) d)) or (to_char(birthday, 'MM-DD') = '02-29' and exists (select 1 from generate_series(0, 30) d where to_char(current_date + d, 'MM-DD') = '02-28' and extract(day from (date_trunc('year', current_date + d) + interval '2 months' - interval '1 day')) = 28))"
DEF[lapsed-180d]='{"field":"notBought","operator":"inLastDays","days":180},{"field":"purchaseDays","operator":"gte","value":1}'
RAW[lapsed-180d]="select member_id from segments.member_fact where purchase_days >= 1 and last_purchase_date <= current_date - 180"
for name in women-spend brand-90d active-fans birthday-30d lapsed-180d; do
    # the builder's preview (issue 6: "preview counts within 2 s at 1M members"): count and 20 sample
    # members of the definition, nothing stored; timed on the second call, as a marketer editing sees it
    for run in 1 2; do
        s=$(date +%s.%N)
        P=$(api -X POST "$BASE/api/v1/segments/preview" -d "{\"version\":1,\"root\":{\"group\":\"AND\",\"items\":[${DEF[$name]}]}}")
        e=$(date +%s.%N)
    done
    echo "RESULT segment-preview $name | $(secs "$s" "$e") s | $(echo "$P" | grep -oP '"count":\K[0-9]+') members (count and 20 sample members)"
    ID=$(api -X POST "$BASE/api/v1/segments" -d "{\"name\":\"bench $name $(date +%s%N)\",\"definition\":{\"version\":1,\"root\":{\"group\":\"AND\",\"items\":[${DEF[$name]}]}}}" \
        | sed -E 's/^\{"id":([0-9]+).*/\1/')
    for run in 1 2; do
        s=$(date +%s.%N)
        R=$(api -X POST "$BASE/api/v1/segments/$ID/refresh")
        e=$(date +%s.%N)
    done
    size=$(echo "$R" | grep -oP '"(size|members|memberCount)":\K[0-9]+' | head -1 || true)
    echo "RESULT segment-refresh $name | $(secs "$s" "$e") s | ${size:-?} members"
    "${PSQL[@]}" -c "drop table if exists bench_raw_seg" > /dev/null
    s=$(date +%s.%N)
    "${PSQL[@]}" -c "create unlogged table bench_raw_seg as ${RAW[$name]}" > /dev/null
    e=$(date +%s.%N)
    echo "RESULT raw-segment $name | $(secs "$s" "$e") s | $("${PSQL[@]}" -Atc "select count(*) from bench_raw_seg") members"
done
"${PSQL[@]}" -c "drop table if exists bench_raw_seg" > /dev/null

echo "== the nightly's segment part: every segment as the job refreshes them after the roll (POST /api/v1/segments/refresh)"
s=$(date +%s.%N)
R=$(api -X POST "$BASE/api/v1/segments/refresh")
e=$(date +%s.%N)
echo "$R"
echo "RESULT segments-refresh-all $(echo "$R" | grep -oP '"segments":\K[0-9]+') segments | $(secs "$s" "$e") s"
echo "RESULT nightly-total $N members | $(echo "$ROLL_S + $(secs "$s" "$e")" | bc) s (facts and RFM roll + every segment)"

echo "== incremental: a sale at the store puts its member in 'bought at store today' (sale → GET /members/{id}/segments)"
STORE=$("${PSQL[@]}" -Atc "select s.code || ',' || c.code from organization.counter c join organization.store s on s.id = c.store_id where c.status = 'ACTIVE' and s.status = 'ACTIVE' order by c.id limit 1")
SCODE=${STORE%%,*}
CCODE=${STORE##*,}
SEG=$(api -X POST "$BASE/api/v1/segments" -d "{\"name\":\"bench today at $SCODE $(date +%s%N)\",\"definition\":{\"version\":1,\"root\":{\"group\":\"AND\",\"items\":[{\"field\":\"bought\",\"operator\":\"inLastDays\",\"store\":\"$SCODE\",\"days\":1}]}}}" \
    | sed -E 's/^\{"id":([0-9]+).*/\1/')
api -X POST "$BASE/api/v1/segments/$SEG/refresh" > /dev/null
"${PSQL[@]}" -Atc "select id from members.member where id >= $FIRST and id not in (select member_id from segments.segment_member where segment_id = $SEG) order by random() limit $INCREMENTAL" > "$WORK/incremental.txt"
: > "$WORK/incremental-ms.txt"
TODAY=$(TZ=Asia/Shanghai date +%F)
# the re-evaluation timer (count and sum) after the first WARM sales: the rest is the warm figure
WARM=${WARM:-10}
reevaluation() {
    curl -sf -H "Authorization: Bearer $KEY" "$BASE/actuator/prometheus" \
        | awk '/^patron_segments_reevaluation_seconds_count/ { c = $2 } /^patron_segments_reevaluation_seconds_sum/ { s = $2 } END { print c + 0, s + 0 }'
}
n=0
while read -r M; do
    n=$((n + 1))
    [ "$n" -ne $((WARM + 1)) ] || { sleep 1; read -r C0 S0 <<<"$(reevaluation)"; }
    s=$(date +%s%N)
    api -X POST "$BASE/api/v1/sales" -d "{\"storeCode\":\"$SCODE\",\"posTransactionId\":\"SEG-INC-$M-$s\",\"businessDate\":\"$TODAY\",\"memberId\":$M,\"lines\":[{\"sku\":\"S1\",\"counterCode\":\"$CCODE\",\"quantity\":1,\"unitPriceFen\":1000}],\"payments\":[{\"method\":\"CASH\",\"amountFen\":1000}]}" > /dev/null
    until api "$BASE/api/v1/members/$M/segments" | grep -q "\"segmentId\":$SEG[,}]"; do
        sleep 0.01
        [ $(( $(date +%s%N) - s )) -lt 60000000000 ] || { echo "member $M not in the segment after 60 s" >&2; exit 1; }
    done
    echo $(( ($(date +%s%N) - s) / 1000000 )) >> "$WORK/incremental-ms.txt"
done < "$WORK/incremental.txt"
sort -n "$WORK/incremental-ms.txt" | awk '{a[NR]=$1} END {printf "RESULT segment-incremental %d sales | p50 %d ms | max %d ms (sale recorded → member listed in the segment)\n", NR, a[int((NR+1)/2)], a[NR]}'
# the re-evaluation itself (every rule segment for the members of one MemberFactsChanged event), server side
curl -sf -H "Authorization: Bearer $KEY" "$BASE/actuator/prometheus" | grep -E '^patron_segments_reevaluation_seconds_(count|sum|max)' \
    | awk '{v[$1]=$2} END {for (k in v) { if (k ~ /_count/) c=v[k]; if (k ~ /_sum/) s=v[k]; if (k ~ /_max/) m=v[k] }
        if (c > 0) printf "RESULT segment-reevaluation %d calls | mean %.1f ms | max %.1f ms (all rule segments, one call per facts event)\n", c, 1000 * s / c, 1000 * m }'
if [ -n "${C0:-}" ]; then
    read -r C1 S1 <<<"$(reevaluation)"
    awk -v c="$((C1 - C0))" -v s="$(echo "$S1 - $S0" | bc -l)" -v w="$WARM" 'BEGIN { if (c > 0)
        printf "RESULT segment-reevaluation-warm %d calls | mean %.1f ms (after the first %d sales)\n", c, 1000 * s / c, w }'
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# issue 9: the app's heap after the load (started with -Xmx1g unless JAVA_OPTS says otherwise)
jcmd "$APP" GC.run > /dev/null 2>&1 || true
echo "RESULT heap-segments | $(jcmd "$APP" GC.heap_info 2>/dev/null | grep -oP 'heap\s+total \d+K, used \K\d+' | head -1 | awk '{printf "%.0f", $1 / 1024}') MB used after a full GC | ${JAVA_OPTS:--Xmx1g}"
