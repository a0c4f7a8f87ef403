#!/usr/bin/env bash
# Historical sales import benchmark (issue 4): not part of ./mvnw verify, no assertions.
#
#   bench/sales-import.sh [lines]          # default 10000000 CSV lines (line items)
#
# What it does, on localhost only:
#   1. packages Patron into target-import/ (./mvnw -o -q -Dbuild.dir=target-import package -DskipTests),
#      fills a NEW data directory ($DATA, default /tmp/patron-bench-import) with the demo chain
#      (java -jar patron.jar demo --seed 7: 20 stores, 150 counters, 80 brands, 1,000 members) and
#      starts Patron as a user would: PORT=18090, PATRON_DB_PORT=15490, a bootstrap admin API key;
#   2. writes a CSV of that many lines for the demo stores, counters, brands, categories and member
#      cards with bench/sales-import-data.sql (psql \copy; tickets of 1-5 lines, 3 on average, 40 %
#      with a member card, every 50th ticket a return of an earlier one);
#   3. times the import end to end through the API: upload (POST /api/v1/sales-imports, the file as
#      the body) and run (POST /api/v1/sales-imports/{id}/run, then GET the job every 2 s until DONE),
#      printing the job's phase as it goes and the tickets/lines in the database afterwards;
#   4. stops Patron and deletes the CSV and the data directory (KEEP=1 keeps them).
# Needs psql and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-10000000}
DATA=${DATA:-/tmp/patron-bench-import}
WORK=${WORK:-/tmp/patron-bench-import-work}
KEEP=${KEEP:-0}
KEY=${KEY:-bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)}
BASE=http://localhost:18090
PSQL=(psql -X -q -h localhost -p 15490 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
mkdir -p "$WORK"

./mvnw -o -q -Dbuild.dir=target-import package -DskipTests
JAR=target-import/patron.jar
rm -rf "$DATA"
PATRON_DB_DATA_DIR=$DATA PATRON_DB_PORT=15490 java -jar "$JAR" demo --seed 7 > "$WORK/demo.log" 2>&1
PATRON_DB_DATA_DIR=$DATA PORT=18090 PATRON_DB_PORT=15490 PATRON_BOOTSTRAP_API_KEY=$KEY \
    java ${JAVA_OPTS:--Xmx1g} -jar "$JAR" > "$WORK/app.log" 2>&1 &
APP=$!
cleanup() {
    kill $APP 2>/dev/null || true
    wait $APP 2>/dev/null || true
    if [ "$KEEP" != 1 ]; then rm -rf "$DATA" "$WORK/sales.csv"; fi
}
trap cleanup EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done

echo "== generating $LINES CSV lines"
s=$(date +%s.%N)
"${PSQL[@]}" -v lines="$LINES" -v file="$WORK/sales.csv" -f bench/sales-import-data.sql
e=$(date +%s.%N)
echo "generated in $(echo "$e - $s" | bc) s: $(du -h "$WORK/sales.csv" | cut -f1), $(($(wc -l < "$WORK/sales.csv") - 1)) lines"

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
JOB=$(curl -sf -X POST -T "$WORK/sales.csv" -H "Authorization: Bearer $KEY" -H 'Content-Type: text/csv' \
    "$BASE/api/v1/sales-imports?fileName=sales.csv" | sed -E 's/.*"jobId":([0-9]+).*/\1/')
t1=$(date +%s.%N)
echo "uploaded as job $JOB in $(echo "$t1 - $t0" | bc) s"
curl -sf -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"mode":"SKIP_BAD_TICKETS","accruePoints":false}' "$BASE/api/v1/sales-imports/$JOB/run" > /dev/null
last=""
while true; do
    J=$(curl -sf -H "Authorization: Bearer $KEY" "$BASE/api/v1/sales-imports/$JOB")
    status=$(echo "$J" | sed -E 's/.*"status":"([A-Z]+)".*/\1/')
    phase=$(echo "$J" | sed -E 's/.*"phase":"([A-Z]*)".*/\1/')
    if [ "$phase" != "$last" ]; then
        echo "$(echo "$(date +%s.%N) - $t1" | bc | xargs printf '%7.1f') s  $status $phase"
        last=$phase
    fi
    [ "$status" = RUNNING ] || break
    sleep 2
done
t2=$(date +%s.%N)
echo "$J"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$J" | python3 -c "
import json, sys
j = json.load(sys.stdin)
up, run = $t1 - $t0, $t2 - $t1
total = up + run
print(f\"upload {up:.1f} s, run {run:.1f} s, total {total:.1f} s for {j['totalRows']:,} lines / {j['totalTickets']:,} tickets\")
print(f\"imported {j['importedTickets']:,} tickets ({j['importedRows']:,} lines), skipped {j['skippedTickets']:,}, failed {j['failedTickets']:,}\")
print(f\"{j['totalRows'] / total:,.0f} lines/s end to end ({j['totalRows'] / run:,.0f} lines/s for the run alone)\")
print(f\"RESULT sales-import {j['totalRows']} lines | {j['totalRows'] / total:.0f}/s | total {total:.1f} s\")
"
echo "== raw PostgreSQL baseline: COPY of the same CSV into an unindexed table of text columns (no checks)"
cols=$(head -1 "$WORK/sales.csv" | tr -d '\r')
n=$(echo "$cols" | awk -F, '{print NF}')
"${PSQL[@]}" -c "drop table if exists bench_raw_copy" \
    -c "create table bench_raw_copy ($(seq 1 "$n" | sed 's/^/c/; s/$/ text/' | paste -sd,))" > /dev/null
c0=$(date +%s.%N)
"${PSQL[@]}" -c "\\copy bench_raw_copy from '$WORK/sales.csv' with (format csv, header true)"
c1=$(date +%s.%N)
echo "RESULT raw-copy $LINES lines | $(echo "$LINES / ($c1 - $c0)" | bc)/s | total $(echo "$c1 - $c0" | bc) s"
"${PSQL[@]}" -c "drop table bench_raw_copy"
grep -E "Sales import [0-9]+:" "$WORK/app.log" || true
"${PSQL[@]}" -Atc "select 'in the database: ' || (select count(*) from sales.sale) || ' tickets, ' || (select count(*) from sales.sale_line) || ' lines, ' || (select count(*) from sales.sale where kind = 'RETURN') || ' returns, ' || pg_size_pretty(pg_database_size('postgres'))"
# issue 9: the app's heap after the load (started with -Xmx1g unless JAVA_OPTS says otherwise)
jcmd "$APP" GC.run > /dev/null 2>&1 || true
echo "RESULT heap-import | $(jcmd "$APP" GC.heap_info 2>/dev/null | grep -oP 'heap\s+total \d+K, used \K\d+' | head -1 | awk '{printf "%.0f", $1 / 1024}') MB used after a full GC | ${JAVA_OPTS:--Xmx1g}"
