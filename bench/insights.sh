#!/usr/bin/env bash
# Insights benchmark (issue 8 "Performance"; part of the suite of issue 9). Not part of ./mvnw
# verify; no timed assertions.
#
#   bench/insights.sh [members] [tickets-per-member]   # default 1000000 members, ~10 tickets each
#   bench/insights.sh 10000000                          # 10M members on request (~100M tickets)
#   REUSE=1 bench/insights.sh                           # time again on the data of a previous run
#
#   1. packages Patron into target-bench-insights/ and, on a new data directory ($DATA, default
#      /tmp/patron-bench-insights), creates the demo organisation (demo --seed 7 without members or
#      sales), the members set-based (bench/members-data.sql) and their tickets set-based
#      (bench/insights-data.sql: per-member rates and lifetimes over the last 2 years, 2 lines a
#      ticket with planted category pairs);
#   2. starts the packaged jar as a user would (embedded PostgreSQL, PORT=18300, PATRON_DB_PORT=15460);
#   3. probes phone lookups (5/s) idle, during the fit and during the mining (the fit must not
#      hold the database), and times through the API: the value-model fit (POST /api/v1/insights/value-model/fit, default
#      window = the last 52 weeks; the fit aggregates the statistics in SQL, fits in memory and
#      rescores every member set-based) and a category-level rule mining run
#      (POST /api/v1/insights/association-rules/mine, polled until DONE; reads the baskets of the
#      last 12 months, mines with FP-Growth and refills every member's next best categories).
# Prints RESULT lines (read by bench/run.sh) and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
PER=${2:-10}
DAYS=${DAYS:-730}   # tickets spread over the last DAYS days
DATA=${DATA:-/tmp/patron-bench-insights}
WORK=${WORK:-/tmp/patron-bench-insights-work}
REUSE=${REUSE:-0}
mkdir -p "$WORK"
[ "$REUSE" = 1 ] && [ -f "$WORK/key" ] && KEY=$(cat "$WORK/key")
KEY=${KEY:-bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)}
echo "$KEY" > "$WORK/key"
BASE=http://localhost:18300
PSQL=(psql -X -q -h localhost -p 15460 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }

./mvnw -o -q -Dbuild.dir=target-bench-insights package -DskipTests
export PATRON_DB_DATA_DIR=$DATA PORT=18300 PATRON_DB_PORT=15460 PATRON_BOOTSTRAP_API_KEY=$KEY
if [ "$REUSE" != 1 ]; then
    rm -rf "$DATA"
    echo "== demo organisation"
    java -jar target-bench-insights/patron.jar demo --seed=7 --members=0 --sales-months=0 > "$WORK/demo.log" 2>&1
fi
java ${JAVA_OPTS:--Xmx1g} -jar target-bench-insights/patron.jar > "$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done
if [ "$REUSE" != 1 ]; then
    echo "== generating $N members"
    time "${PSQL[@]}" -v start=1000000 -v count="$N" -f bench/members-data.sql > "$WORK/members.log"
    echo "== generating their tickets (~$PER each)"
    time "${PSQL[@]}" -v per="$PER" -v days="$DAYS" -f bench/insights-data.sql | tee "$WORK/sales.log" | tail -3
fi
TICKETS=$("${PSQL[@]}" -Atc "select count(*) from sales.sale")

# "the fit must not hold the database": a probe looks a random member up by phone five times a
# second (each lookup also commits its durable audit row) while the app is idle (30 s unrecorded,
# then 60 s), during the fit and during the mining; the phase is read from $WORK/phase
"${PSQL[@]}" -Atc "select phone from members.member where phone is not null and id % 9973 = 0 limit 500" > "$WORK/probe-phones.txt"
: > "$WORK/probe.txt"
echo warmup > "$WORK/phase"
(
    while :; do
        phase=$(cat "$WORK/phase")
        [ "$phase" = done ] && break
        p=$(shuf -n1 "$WORK/probe-phones.txt")
        curl -s -o /dev/null -w "$phase %{http_code} %{time_total}\n" -H "Authorization: Bearer $KEY" \
            "$BASE/api/v1/members/lookup?phone=${p/+/%2B}" >> "$WORK/probe.txt" || true
        sleep 0.2
    done
) &
PROBE=$!
trap 'echo done > "$WORK/phase"; kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT
sleep 30; echo idle > "$WORK/phase"; sleep 60
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo fit > "$WORK/phase"

start=$(date +%s.%N)
FIT=$(curl -s -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -H 'Accept-Language: en' \
    -d '{}' "$BASE/api/v1/insights/value-model/fit")
end=$(date +%s.%N)
SECS=$(echo "$end - $start" | bc)
SUMMARY=$(echo "$FIT" | grep -oE '"(status|members|repeatBuyers|cells|logLikelihood|r|alpha|a|b)":[^,]*' | tr '\n' ' ')
echo "RESULT value-model-fit $N members, $TICKETS tickets | ${SECS}s | $SUMMARY"

echo mining > "$WORK/phase"
start=$(date +%s.%N)
RUN=$(curl -s -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"level":"category"}' "$BASE/api/v1/insights/association-rules/mine")
ID=$(echo "$RUN" | grep -oE '"id":[0-9]+' | head -1 | cut -d: -f2)
[ -n "$ID" ] || { echo "mining did not start: $RUN"; exit 1; }
while :; do
    RUN=$(curl -s -H "Authorization: Bearer $KEY" "$BASE/api/v1/insights/association-rule-runs/$ID")
    echo "$RUN" | grep -q '"status":"RUNNING"' || break
    sleep 1
done
end=$(date +%s.%N)
SECS=$(echo "$end - $start" | bc)
SUMMARY=$(echo "$RUN" | grep -oE '"(status|baskets|frequentItemsets|rules|membersScored|durationMs)":[^,]*' | tr '\n' ' ')
echo "RESULT rule-mining category $TICKETS baskets | ${SECS}s | $SUMMARY"
echo done > "$WORK/phase"
wait $PROBE || true
for phase in idle fit mining; do
    grep "^$phase " "$WORK/probe.txt" | sort -g -k3 | awk -v ph="$phase" '
        { n++; if ($2 != 200) bad++; v[n] = $3 * 1000 }
        END { if (!n) exit;
              printf "RESULT lookup-probe %s | %d lookups, %d not 200 | p50 %.1f ms | p95 %.1f ms | p99 %.1f ms | max %.1f ms\n",
                     ph, n, bad + 0, v[int(n * 0.5) + 1], v[int(n * 0.95) + 1], v[int(n * 0.99) + 1], v[n] }' || true
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# issue 9: the app's heap after the load (started with -Xmx1g unless JAVA_OPTS says otherwise)
jcmd "$APP" GC.run > /dev/null 2>&1 || true
echo "RESULT heap-insights | $(jcmd "$APP" GC.heap_info 2>/dev/null | grep -oP 'heap\s+total \d+K, used \K\d+' | head -1 | awk '{printf "%.0f", $1 / 1024}') MB used after a full GC | ${JAVA_OPTS:--Xmx1g}"
