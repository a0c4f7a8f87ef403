#!/usr/bin/env bash
# Loyalty benchmark (issue 5 "Performance"; part of the suite of issue 9). Not part of ./mvnw verify.
#
#   bench/loyalty.sh [lots] [lots-per-member]     # default 10000000 lots, 10 per member (1M members)
#
#   1. packages Patron and starts the jar as a user would (embedded PostgreSQL, fsync and
#      synchronous_commit on) on a new data directory ($DATA, default /tmp/patron-bench-loyalty);
#   2. writes the points history set-based with bench/loyalty-data.sql (one EARN entry per lot; 90 %
#      of the lots expired yesterday);
#   3. runs the expiry as the nightly job does, through POST /api/v1/loyalty/expiry/run (same code,
#      same cluster lock), and reports its duration and the points expired, then checks that balances
#      still equal their ledgers for a sample of members;
#   4. shows the plan of a balance read (GET /api/v1/members/{id}/points reads loyalty.account by
#      primary key) and times that endpoint with wrk.
# Prints RESULT lines (read by bench/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
LOTS=${1:-10000000}
PER=${2:-10}
DATA=${DATA:-/tmp/patron-bench-loyalty}
WORK=${WORK:-/tmp/patron-bench-loyalty-work}
mkdir -p "$WORK"
KEY=bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)
BASE=http://localhost:18200
PSQL=(psql -X -q -h localhost -p 15450 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
command -v wrk >/dev/null || $SUDO apt-get install -y wrk

./mvnw -o -q -Dbuild.dir=target-bench-loyalty package -DskipTests
export PATRON_DB_DATA_DIR=$DATA PORT=18200 PATRON_DB_PORT=15450 PATRON_BOOTSTRAP_API_KEY=$KEY
rm -rf "$DATA"
java -jar target-bench-loyalty/patron.jar > "$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done
FIRST=$("${PSQL[@]}" -Atc "select coalesce(max(member_id), 0) + 1000000 from loyalty.account")
echo "== writing $LOTS lots ($PER per member)"
time "${PSQL[@]}" -v lots="$LOTS" -v per="$PER" -v first="$FIRST" -f bench/loyalty-data.sql
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
RUN=$(curl -sf -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{}' \
    "$BASE/api/v1/loyalty/expiry/run")
end=$(date +%s.%N)
echo "$RUN"
SECS=$(echo "$end - $start" | bc)
EXPIRED=$("${PSQL[@]}" -Atc "select count(*) from loyalty.lot where remaining = 0 and expires_on < current_date")
echo "RESULT expiry $LOTS lots | $(echo "scale=0; $EXPIRED / $SECS" | bc)/s | $EXPIRED lots expired in ${SECS}s | $RUN"
BAD=$("${PSQL[@]}" -Atc "select count(*) from loyalty.account a where a.member_id between $FIRST and $FIRST + 999
    and a.balance <> (select sum(points) from loyalty.entry e where e.member_id = a.member_id)")
echo "== members whose balance differs from their ledger (sample of 1,000): $BAD"
echo "== plan of the balance read"
"${PSQL[@]}" -c "explain (analyze, buffers) select member_id, balance, debt, lifetime_earned from loyalty.account where member_id = $((FIRST + 12345))"
cat > "$WORK/points.lua" <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/members/" .. ($FIRST + math.random(0, $LOTS / $PER - 1)) .. "/points",
    { ["Authorization"] = "Bearer $KEY" })
end
LUA
wrk -t1 -c4 -d20s --latency -s "$WORK/points.lua" "$BASE" > "$WORK/points.txt"
awk '/Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 }
    END { printf "RESULT points-balance c=4 | %.0f/s | p50 %s | p99 %s\n", rps, p50, p99 }' "$WORK/points.txt"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
