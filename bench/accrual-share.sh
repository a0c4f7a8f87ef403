#!/usr/bin/env bash
# Accrual's share of sale ingest (issue 5: "accrual adds at most 30 % to the sale ingest cost").
# Not part of ./mvnw verify; no assertions.
#
#   bench/accrual-share.sh [rounds]      # default 3 rounds
#
# Needs the data directory of a previous bench/sales.sh run ($DATA, default /tmp/patron-bench-sales,
# and its $WORK). It copies that directory once to $SNAPSHOT and then, for every run, restores the
# copy first, so that every run starts from the same data: runs on a growing directory get slower
# from one run to the next, which in earlier series moved the result by 5–10 points. Each round
# runs the batch load (1,000 sales × 3 lines, 1 client, $SECONDS_RUN s after 8 s warm-up) with
# loyalty on and with loyalty off (FEED_DISABLED=loyalty: no points, no tiers), the order rotating
# from round to round; the same cards every run (KEEP_CARDS). It prints per run the rate and the
# CPU per sale (bench/sales.sh: Patron's JVM and every PostgreSQL process), and at the end the
# means and what loyalty adds by each measure. JAR=path compares a given build instead of packaging.
#
#   SINGLE=16 bench/accrual-share.sh [rounds]
#
# measures single sales instead (POST /api/v1/sales, wrk with that many clients, CPU per sale from
# bench/sales.sh the same way), for the issue's other ingest path.
#
#   MODES=paused bench/accrual-share.sh [rounds]
#
# measures both costs within each run instead: the load with the loyalty consumer paused (its
# deliveries recorded, not applied), then, after the load, the CPU of loyalty applying that backlog
# alone, in batches of 1,000 tickets as under load (FEED_PAUSED in bench/sales.sh). Runs of the same
# code differ by up to 12 % here; two figures from one run share the machine's state.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
export DATA=${DATA:-/tmp/patron-bench-sales} WORK=${WORK:-/tmp/patron-bench-sales-work}
SNAPSHOT=${SNAPSHOT:-$DATA-snapshot}
SECONDS_RUN=${SECONDS_RUN:-60}
[ -d "$DATA/pg" ] || { echo "no data directory $DATA: run bench/sales.sh first" >&2; exit 1; }
if [ -z "${JAR:-}" ]; then
    ./mvnw -o -q -Dbuild.dir=target-bench-sales package -DskipTests
    JAR=$PWD/target-bench-sales/patron.jar
fi
export JAR
if [ ! -d "$SNAPSHOT" ]; then
    echo "== snapshot of $DATA in $SNAPSHOT"
    cp -a "$DATA" "$SNAPSHOT"
fi
LOG=$WORK/accrual-share
mkdir -p "$LOG"
read -r -a modes <<< "${MODES:-on off}"
for i in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((${#modes[@]} - 1))); do
        mode=${modes[$(( (k + i - 1) % ${#modes[@]} ))]}
        rm -rf "$DATA" && cp -a "$SNAPSHOT" "$DATA" && sync && sleep "${PAUSE:-30}"
        unset FEED_DISABLED FEED_PAUSED
        [ "$mode" = off ] && export FEED_DISABLED=loyalty
        [ "$mode" = paused ] && export FEED_PAUSED=loyalty
        # paused: the backlog is applied in batches of one request's 1,000 tickets, as when loyalty
        # keeps up (the default lets a lagging consumer take up to 5,000 at once, which is cheaper)
        opts="-Xmx1g"
        [ "$mode" = paused ] && opts="$opts -Dpatron.sales.feed.batch-tickets=1000"
        if [ -n "${SINGLE:-}" ]; then
            single=$SINGLE batch=""
        else
            single=" " batch=1
        fi
        JAVA_OPTS="$opts" JIT_WARMUP=${JIT_WARMUP:-0} REUSE=1 KEEP_CARDS=1 CLIENTS="$single" BATCH_CLIENTS="$batch" REDEEM=0 RAW=0 SECONDS_RUN=$SECONDS_RUN WARMUP=8 \
            bash bench/sales.sh > "$LOG/$mode-$i.log" 2>&1
        if [ -n "${SINGLE:-}" ]; then
            rate=$(grep -oP "RESULT single-sale c=$SINGLE \| \K[0-9]+" "$LOG/$mode-$i.log")
            cpu=$(grep -oP "RESULT cpu-per-sale single c=$SINGLE \| \K[0-9.]+" "$LOG/$mode-$i.log")
        else
            rate=$(grep -oP 'RESULT batch-1000 c=1 \| \K[0-9]+' "$LOG/$mode-$i.log")
            cpu=$(grep -oP 'RESULT cpu-per-sale batch c=1 \| \K[0-9.]+' "$LOG/$mode-$i.log")
        fi
        echo "RUN $mode $i | $rate sales/s | $cpu us CPU per sale" | tee -a "$LOG/runs.txt"
        grep 'RESULT paused-consumer' "$LOG/$mode-$i.log" | tee -a "$LOG/paused.txt" || true
    done
done
if [ "${MODES:-on off}" = paused ]; then
    tail -n "$ROUNDS" "$LOG/paused.txt" | grep -oP 'share \K[0-9.]+' | awk '
        { s += $1; n++; if (n == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
        END { printf "RESULT accrual-share | loyalty applying its backlog alone: %.1f %% of the CPU of the rest of ingest (mean of %d runs, %.1f–%.1f)\n", s / n, n, lo, hi }'
    exit 0
fi
tail -n $((2 * ROUNDS)) "$LOG/runs.txt" | awk '
    { rate[$2] += $5; cpu[$2] += $8; n[$2]++ }
    END {
        ron = rate["on"] / n["on"]; roff = rate["off"] / n["off"]; con = cpu["on"] / n["on"]; coff = cpu["off"] / n["off"]
        printf "RESULT accrual-share | loyalty on %.0f sales/s, %.1f us/sale; off %.0f sales/s, %.1f us/sale\n", ron, con, roff, coff
        printf "RESULT accrual-share | added by loyalty: %.1f %% by rate, %.1f %% by CPU (target: at most 30 %%)\n", (roff / ron - 1) * 100, (con / coff - 1) * 100
    }'
