#!/usr/bin/env bash
# Member benchmark (issue 3, "Performance"): not part of ./mvnw verify, no timed assertions.
#
#   bench/members.sh [members]        # default 1000000; issue 3's target scale is 10000000
#   REUSE=1 DATA=/tmp/... bench/members.sh   # measure again on members generated before
#   PATRON_DB_SHARED_BUFFERS=8GB bench/members.sh ...   # the embedded server's shared_buffers (and huge pages, HUGE_PAGES=0 not)
#   JIT_WARMUP=0 bench/members.sh ...    # no unrecorded warm-up load first (default 60 s)
#
# What it does, on localhost only:
#   1. packages Patron into target-bench/ (./mvnw -o -q -Dbuild.dir=target-bench package -DskipTests)
#      and starts it as a user would: java -jar target-bench/patron.jar with PORT=18080,
#      PATRON_DB_PORT=15432, PATRON_DB_DATA_DIR=$DATA (default /tmp/patron-bench-data, created new)
#      and a bootstrap admin API key;
#   2. generates the members set-based in the embedded PostgreSQL (bench/members-data.sql via psql:
#      member, PHONE/EMAIL/CARD identifiers, Luhn card numbers, card events, then VACUUM ANALYZE);
#   3. measures with bench/MemberLoad.java (open loop, fixed rate, latency from the scheduled send
#      time to the whole response, so it includes HTTP and any queueing; p50/p95/p99/max):
#        - GET /api/v1/members/lookup?phone=  random existing members, 200 requests/s, 60 s
#        - GET /api/v1/members/lookup?card=   random existing members, 200 requests/s, 60 s
#        - GET /api/v1/members?q=              name prefixes, pinyin, initials, 5 requests/s, 60 s
#      and, from /actuator/prometheus, the server-side p50/p95/p99 of the measured window (histogram
#      buckets before/after) and the mean per endpoint (count and sum before/after)
#   4. optionally (IMPORT_ROWS=1000000; IMPORT_PREFIX=166 the mobile prefix of the new phones, change it
#      to import again into the same data) times a CSV import end to end: upload
#      (POST /api/v1/member-imports) + run (POST /api/v1/member-imports/{id}/run).
#   Prints the figures and the load average; stops Patron at the end. docs/PERFORMANCE.md has the
#   latest figures and the method. Needs psql (apt-get install postgresql-client) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATA=${DATA:-/tmp/patron-bench-data}
WORK=${WORK:-/tmp/patron-bench}
RATE=${RATE:-200}
SECONDS_RUN=${SECONDS_RUN:-60}
SEARCH_RATE=${SEARCH_RATE:-5}
IMPORT_ROWS=${IMPORT_ROWS:-0}
JIT_WARMUP=${JIT_WARMUP:-60}
KEY=${KEY:-bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)}   # 40 characters
BASE=http://localhost:18080
PSQL=(psql -X -q -h localhost -p 15432 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
mkdir -p "$WORK"

REUSE=${REUSE:-0}   # REUSE=1: keep the members already in $DATA (no new data directory, no generation)
# HUGE_PAGES=1 (default when PATRON_DB_SHARED_BUFFERS is set): reserve huge pages for PostgreSQL's
# shared memory (its huge_pages=try then uses them). With 4 kB pages each backend takes a page fault
# the first time it touches each page of a 12GB buffer pool; at 13M members that doubled
# PostgreSQL's CPU per lookup (1.44 → 0.88 ms). Needs root; the reservation stays until reset
# (sysctl -w vm.nr_hugepages=0).
if [ -n "${PATRON_DB_SHARED_BUFFERS:-}" ] && [ "${HUGE_PAGES:-1}" = 1 ]; then
    SB_MB=$(echo "$PATRON_DB_SHARED_BUFFERS" | awk '/[Gg][Bb]$/ {print int($0) * 1024; next} /[Mm][Bb]$/ {print int($0); next} {print 0}')
    PAGES=$(( SB_MB * 103 / 100 / 2 + 64 ))   # shared buffers plus PostgreSQL's other shared memory, in 2 MB pages
    $SUDO sysctl -q -w vm.nr_hugepages=$PAGES || echo "huge pages not reserved (not root?): PostgreSQL uses 4 kB pages"
    echo "== huge pages: $(grep HugePages_Total /proc/meminfo)"
fi
./mvnw -o -q -Dbuild.dir=target-bench package -DskipTests
[ "$REUSE" = 1 ] || rm -rf "$DATA"
PATRON_DB_DATA_DIR=$DATA PORT=18080 PATRON_DB_PORT=15432 PATRON_BOOTSTRAP_API_KEY=$KEY \
    java ${JAVA_OPTS:--Xmx1g} -jar target-bench/patron.jar > "$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done

if [ "$REUSE" != 1 ]; then
    echo "== generating $N members"
    time "${PSQL[@]}" -v start=0 -v count="$N" -f bench/members-data.sql > "$WORK/generate.log"
fi

# PREWARM=1 (default): read the lookup relations (tables and b-tree indexes of member, identifier,
# card; not the trigram indexes of the name search) into memory first, as on a server that has been
# answering for a while: into PostgreSQL's shared buffers when PATRON_DB_SHARED_BUFFERS is set (the
# production setting for millions of members), else into the OS page cache. On this VM the kernel
# (DAMON pageout) drops page-cache pages untouched for about a minute, so without shared buffers
# random lookups over 10M members go to the disk.
if [ "${PREWARM:-1}" = 1 ]; then
    MODE=$([ -n "${PATRON_DB_SHARED_BUFFERS:-}" ] && echo buffer || echo read)
    echo "== prewarm ($MODE)"
    time "${PSQL[@]}" -Atc "create extension if not exists pg_prewarm" -c "select string_agg(c.relname || ' ' || pg_size_pretty(pg_relation_size(c.oid)) || ' ' || pg_prewarm(c.oid::regclass, '$MODE'), ', ' order by c.relkind desc, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_index x on x.indexrelid = c.oid left join pg_class t on t.oid = x.indrelid where n.nspname = 'members' and (c.relkind = 'r' and c.relname in ('member', 'identifier', 'card') or c.relkind = 'i' and t.relname in ('member', 'identifier', 'card') and c.relam = (select oid from pg_am where amname = 'btree'))"
fi

"${PSQL[@]}" -Atc "select phone from members.member tablesample bernoulli (1) limit 20000" > "$WORK/phones.txt"
"${PSQL[@]}" -Atc "select number from members.card tablesample bernoulli (1) limit 20000" > "$WORK/cards.txt"
"${PSQL[@]}" -Atc "select id from members.member tablesample bernoulli (1) where status = 'ACTIVE' limit 20000" > "$WORK/ids.txt"
# search terms: surname / full-name prefixes, pinyin prefixes, initials (what a desk agent types)
printf '%s\n' 王 李 张伟 陈静 欧阳 司马 上官子 刘芳 黄 周杰 wang zhangw liwei chenj ouyang sima zhaom xuj \
    zw lf cj hxy oy wyt > "$WORK/search.txt"

# server-side count and total seconds of a URI from Micrometer, for the mean over the run including
# warm-up; MemberLoad itself prints the server-side p50/p95/p99 of the measured window from the
# http_server_requests_seconds histogram buckets (management.metrics.distribution.* in application.yml)
server() { curl -sf -H "Authorization: Bearer $KEY" "$BASE/actuator/prometheus" |
    awk -v u="uri=\"$1\"" 'index($0, u) && /status="200"/ && /_count/ {c=$2} index($0, u) && /status="200"/ && /_sum/ {s=$2} END {print c+0, s+0}'; }
load() {
    local uri=${1%%\?*} before after
    [ "${uri: -1}" = / ] && uri="${uri}{id}"
    before=$(server "$uri")
    java bench/MemberLoad.java "$BASE" "$KEY" "$@"
    after=$(server "$uri")
    echo "$before $after" | awk '{n=$3-$1; if (n>0) printf "server-side mean (incl. warm-up): %.2f ms over %d requests\n", ($4-$2)*1000/n, n}'
}
# JIT_WARMUP (default 60): first send every measured request, unrecorded, so that the measured runs
# see a server that has been answering for a while, not the JIT's first minutes (C2 took most of a
# core): phone and card lookups at the measured rate for JIT_WARMUP s each (the card path has code
# of its own: its probe, the card presented), 360 views at half the rate and searches for half as
# long. Until 2026-11-27 only phones and 360 views were sent, at half the rate: the first measured
# runs then still compiled (phone and card p99 4.3-5.8 ms right after, 1.9-3.1 ms once warm).
if [ "$JIT_WARMUP" -gt 0 ]; then
    echo "== JIT warm-up: phone and card lookups $JIT_WARMUP s each at $RATE/s, 360 views and searches $((JIT_WARMUP / 2)) s (not recorded)"
    java bench/MemberLoad.java "$BASE" "$KEY" '/api/v1/members/lookup?phone=' "$WORK/phones.txt" "$RATE" "$JIT_WARMUP" 0 > /dev/null
    java bench/MemberLoad.java "$BASE" "$KEY" '/api/v1/members/lookup?card=' "$WORK/cards.txt" "$RATE" "$JIT_WARMUP" 0 > /dev/null
    java bench/MemberLoad.java "$BASE" "$KEY" '/api/v1/members/' "$WORK/ids.txt" "$((RATE / 2))" "$((JIT_WARMUP / 2))" 0 > /dev/null
    java bench/MemberLoad.java "$BASE" "$KEY" '/api/v1/members?q=' "$WORK/search.txt" "$SEARCH_RATE" "$((JIT_WARMUP / 2))" 0 > /dev/null
fi
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
load '/api/v1/members/lookup?phone=' "$WORK/phones.txt" "$RATE" "$SECONDS_RUN" 10
load '/api/v1/members/lookup?card=' "$WORK/cards.txt" "$RATE" "$SECONDS_RUN" 10
load '/api/v1/members/' "$WORK/ids.txt" "$RATE" "$SECONDS_RUN" 10     # the 360 view with its panels
load '/api/v1/members?q=' "$WORK/search.txt" "$SEARCH_RATE" "$SECONDS_RUN" 10
if command -v pgbench >/dev/null; then
    echo "== raw PostgreSQL baseline: the phone lookup as one indexed query (pgbench, 1 client, phones from the sample)"
    { echo "\set i random(1, $(wc -l < "$WORK/phones.txt"))"
      echo "SELECT m.id FROM members.identifier i JOIN members.member m ON m.id = i.member_id WHERE i.kind = 'PHONE' AND i.system = '' AND i.value = (SELECT phone FROM bench_phones WHERE n = :i);"
    } > "$WORK/raw-lookup.sql"
    "${PSQL[@]}" -c "drop table if exists bench_phones" -c "create table bench_phones (n serial primary key, phone text)" \
        -c "\copy bench_phones (phone) from '$WORK/phones.txt'"
    pgbench -n -h localhost -p 15432 -U postgres -c 1 -T 20 -f "$WORK/raw-lookup.sql" postgres 2>&1 | grep -E "^tps|latency average" | tee "$WORK/raw-lookup.txt"
    echo "RESULT raw-phone-lookup c=1 | $(grep -oP 'tps = \K[0-9.]+' "$WORK/raw-lookup.txt" | cut -d. -f1)/s | mean $(grep -oP 'latency average = \K[0-9.]+' "$WORK/raw-lookup.txt") ms"
    "${PSQL[@]}" -c "drop table bench_phones"
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$IMPORT_ROWS" -gt 0 ]; then
    echo "== import of $IMPORT_ROWS generated rows"
    "${PSQL[@]}" -c "\\copy (select 'name,phone,email,birthday,joined' union all select * from (select '测试' || g || ',' || '+86${IMPORT_PREFIX:-166}' || lpad(g::text, 8, '0') || ',i' || g || '@${IMPORT_PREFIX:-166}.import.bench,1980-01-01,2025-06-01' from generate_series(1, $IMPORT_ROWS) g) r) to '$WORK/import.csv'"
    t0=$(date +%s.%N)
    JOB=$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: text/csv' --data-binary @"$WORK/import.csv" \
        "$BASE/api/v1/member-imports?fileName=import.csv" | sed -E 's/.*"jobId":([0-9]+).*/\1/')
    t1=$(date +%s.%N)
    curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        -d '{"mapping":{"name":"name","phone":"phone","email":"email","birthday":"birthday","joined":"joinedOn"},"mode":"SKIP_BAD_ROWS"}' \
        "$BASE/api/v1/member-imports/$JOB/run"
    t2=$(date +%s.%N)
    echo
    echo "upload $(echo "$t1 - $t0" | bc) s, run $(echo "$t2 - $t1" | bc) s, total $(echo "$t2 - $t0" | bc) s"
    echo "RESULT member-import $IMPORT_ROWS rows | $(echo "scale=0; $IMPORT_ROWS / ($t2 - $t0)" | bc)/s | total $(echo "$t2 - $t0" | bc) s"
fi
# issue 9: the app's heap after the load (started with -Xmx1g unless JAVA_OPTS says otherwise)
jcmd "$APP" GC.run > /dev/null 2>&1 || true
echo "RESULT heap-members | $(jcmd "$APP" GC.heap_info 2>/dev/null | grep -oP 'heap\s+total \d+K, used \K\d+' | head -1 | awk '{printf "%.0f", $1 / 1024}') MB used after a full GC | ${JAVA_OPTS:--Xmx1g}"
