#!/usr/bin/env bash
# Campaigns benchmark (issue 7 "Performance"). Not part of ./mvnw verify.
#
#   bench/campaigns.sh [members]        # default 1000000 (about a third have an e-mail address)
#
#   1. packages Patron and starts the jar (embedded PostgreSQL, new data dir $DATA) with the
#      dispatcher every second and the tracking rate limit lifted;
#   2. starts a local SMTP sink (GreenMail from ~/.m2, bench/SmtpSink.java);
#   3. generates the members set-based (bench/members-data.sql), grants e-mail marketing consent to
#      those with an address and creates a SCHEDULED e-mail campaign over all of them with a 10 %
#      control group (bench/campaigns-data.sql);
#   4. reports the audience resolution at send time (SCHEDULED → RUNNING: one set-based insert that
#      checks consent, address, age, bounces and duplicates for every member) and the sending rate to
#      the SMTP server (SENT messages / (last sent_at − started_at));
#   5. runs wrk against the tracking endpoints (open pixel and click redirect of the mails received)
#      and reports requests/s and latency percentiles.
# Issue targets: 1M audience resolved < 30 s; >= 500 e-mails/s; tracking p99 < 20 ms at 500 req/s
# (wrk runs open-loop at full speed here; read p99 together with the rate reached).
# Prints RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATA=${DATA:-/tmp/patron-bench-campaigns}
WORK=${WORK:-/tmp/patron-bench-campaigns-work}
mkdir -p "$WORK"
rm -f "$WORK"/dump "$WORK"/urls.txt "$WORK"/count.txt
KEY=bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)
BASE=http://localhost:18300
SMTP_PORT=${SMTP_PORT:-13025}
PSQL=(psql -X -q -h localhost -p 15460 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
command -v wrk >/dev/null || $SUDO apt-get install -y wrk

./mvnw -o -q -Dbuild.dir=target-bench-campaigns package -DskipTests
./mvnw -o -q -Dbuild.dir=target-bench-campaigns dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$WORK/cp.txt" > /dev/null
java -cp "$(cat "$WORK/cp.txt")" bench/SmtpSink.java "$SMTP_PORT" "$WORK" > "$WORK/smtp.log" 2>&1 &
SINK=$!
export PATRON_DB_DATA_DIR=$DATA PORT=18300 PATRON_DB_PORT=15460 PATRON_BOOTSTRAP_API_KEY=$KEY
rm -rf "$DATA"
java -jar target-bench-campaigns/patron.jar --patron.campaigns.dispatch-interval=PT1S \
    --patron.campaigns.dispatch-initial-delay=PT1S --patron.campaigns.tracking-per-second=1000000 \
    > "$WORK/app.log" 2>&1 &
APP=$!
trap 'kill $APP $SINK 2>/dev/null || true; wait $APP $SINK 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "$BASE/login"; do sleep 1; kill -0 $APP; done
H=(-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
SETTINGS=$(curl -sf "${H[@]}" "$BASE/api/v1/campaigns/settings" | python3 -c "
import json, sys
s = json.load(sys.stdin)
s.update(smtpHost='127.0.0.1', smtpPort=$SMTP_PORT, publicBaseUrl='$BASE', ratePerSecond=5000, batchSize=1000,
         frequencyCap=50, quietStart='00:00', quietEnd='00:00')
print(json.dumps(s))")
curl -sf -X PUT "${H[@]}" -d "$SETTINGS" "$BASE/api/v1/campaigns/settings" > /dev/null

echo "== generating $N members"
"${PSQL[@]}" -v start=0 -v count="$N" -f bench/members-data.sql > "$WORK/generate.log"
CAMPAIGN=$("${PSQL[@]}" -At -f bench/campaigns-data.sql | sed -n 's/^campaign //p')
echo "== campaign $CAMPAIGN, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
until [ "$("${PSQL[@]}" -Atc "select status from campaigns.campaign where id = $CAMPAIGN")" = FINISHED ]; do
    sleep 1
    kill -0 $APP
done
read -r AUD PENDING_MS ELIGIBLE <<<"$("${PSQL[@]}" -Atc "
    select count(*), (select round(extract(epoch from (min(coalesce(claimed_at, sent_at)) - c.started_at)) * 1000)
                      from campaigns.message where campaign_id = c.id),
           (select count(*) from campaigns.message where campaign_id = c.id and status <> 'SUPPRESSED')
    from campaigns.audience_member a join campaigns.campaign c on c.id = a.campaign_id
    where a.campaign_id = $CAMPAIGN group by c.id, c.started_at" | tr '|' ' ')"
echo "RESULT audience-resolution $AUD members | messages created and first claim after ${PENDING_MS} ms | $ELIGIBLE to send"
read -r SENT SECS <<<"$("${PSQL[@]}" -Atc "
    select count(*), extract(epoch from (max(m.sent_at) - c.started_at))
    from campaigns.message m join campaigns.campaign c on c.id = m.campaign_id
    where m.campaign_id = $CAMPAIGN and m.status = 'SENT' group by c.started_at" | tr '|' ' ')"
echo "RESULT email-sending $SENT e-mails | $(echo "scale=0; $SENT / $SECS" | bc)/s | ${SECS}s to the SMTP sink"

touch "$WORK/dump"
while [ -e "$WORK/dump" ]; do sleep 0.5; done
echo "== the sink received $(cat "$WORK/count.txt") mails, $(wc -l < "$WORK/urls.txt") tracking links"
sed "s|^$BASE||" "$WORK/urls.txt" | head -100000 > "$WORK/paths.txt"
cat > "$WORK/tracking.lua" <<LUA
local paths = {}
for line in io.lines("$WORK/paths.txt") do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(1, #paths)]) end
LUA
wrk -t2 -c8 -d20s --latency -s "$WORK/tracking.lua" "$BASE" > "$WORK/tracking.txt"
awk '/Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
    END { printf "RESULT tracking c=8 | %.0f/s | p50 %s | p99 %s | non-2xx/3xx %s\n", rps, p50, p99, bad + 0 }' \
    "$WORK/tracking.txt"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
