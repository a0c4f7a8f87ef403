#!/usr/bin/env bash
# Campaigns benchmark (issue 7 "Performance"). Not part of ./mvnw verify.
#
#   bench/campaigns.sh [members]        # default 1000000 (about a third have an e-mail address)
#
#   1. packages Patron and starts the jar (embedded PostgreSQL, new data dir $DATA) with the
#      dispatcher every second and the tracking rate limit lifted;
#   2. starts a local SMTP sink: Postfix's smtp-sink (Debian package postfix), the SMTP test server
#      made for benchmarking clients, dumping each mail to a file (GreenMail, the sink of the tests,
#      tops out at about 400 mails/s on this machine with a client that does nothing else);
#   3. generates the members set-based (bench/members-data.sql), grants e-mail marketing consent to
#      those with an address and creates a SCHEDULED e-mail campaign over all of them with a 10 %
#      control group (bench/campaigns-data.sql);
#   4. reports the audience resolution at send time (SCHEDULED → RUNNING: one set-based insert that
#      checks consent, address, age, bounces and duplicates for every member) and the sending rate to
#      the SMTP server (SENT messages / (last sent_at − started_at));
#   5. runs wrk against the tracking endpoints (open pixel and click redirect of the mails received)
#      and reports requests/s and latency percentiles.
# Issue targets: 1M audience resolved < 30 s; >= 500 e-mails/s; tracking p99 < 20 ms at 500 req/s
# (wrk runs closed-loop at full speed: its p99 goes with the rate reached; then bench/MemberLoad.java
# sends 500/s on a fixed schedule, TRACK_RATE and TRACK_SECONDS, and reports client- and server-side
# percentiles).
# Prints RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATA=${DATA:-/tmp/patron-bench-campaigns}
WORK=${WORK:-/tmp/patron-bench-campaigns-work}
mkdir -p "$WORK"
rm -rf "$WORK"/mails "$WORK"/urls.txt
mkdir -p "$WORK"/mails
KEY=bench-$(head -c 64 /dev/urandom | sha256sum | head -c 34)
BASE=http://localhost:18300
SMTP_PORT=${SMTP_PORT:-13025}
PSQL=(psql -X -q -h localhost -p 15460 -U postgres -d postgres)
SUDO=$(command -v sudo || true)
command -v psql >/dev/null || { $SUDO apt-get update && $SUDO apt-get install -y postgresql-client; }
command -v wrk >/dev/null || $SUDO apt-get install -y wrk
if ! command -v smtp-sink >/dev/null && [ ! -x /usr/sbin/smtp-sink ]; then
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y postfix
fi

./mvnw -o -q -Dbuild.dir=target-bench-campaigns package -DskipTests
# -u: smtp-sink drops privileges to that user; 1024: the listen backlog
PATH=$PATH:/usr/sbin smtp-sink -u "$(id -un)" -d "$WORK/mails/%H%M%S." 127.0.0.1:"$SMTP_PORT" 1024 > "$WORK/smtp.log" 2>&1 &
SINK=$!
export PATRON_DB_DATA_DIR=$DATA PORT=18300 PATRON_DB_PORT=15460 PATRON_BOOTSTRAP_API_KEY=$KEY
rm -rf "$DATA"
java ${JAVA_OPTS:-} -jar target-bench-campaigns/patron.jar --patron.campaigns.dispatch-interval=PT1S \
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

# the tracking links of the received mails (quoted-printable: soft line breaks and =3D undone)
python3 - "$WORK/mails" "$WORK/urls.txt" <<'PY'
import os, re, sys
link = re.compile(r'(https?://[^\s"<>]+/t/[oc]/[A-Za-z0-9_-]+)')
urls, n = [], 0
for name in os.listdir(sys.argv[1]):
    with open(os.path.join(sys.argv[1], name), encoding='utf-8', errors='replace') as f:
        body = f.read().replace('=\r\n', '').replace('=\n', '').replace('=3D', '=')
    n += 1
    urls += link.findall(body)
open(sys.argv[2], 'w').write('\n'.join(urls) + '\n')
print(f'== the sink received {n} mails, {len(urls)} tracking links')
PY
# (head reads the file itself: "sed | head" fails the script under pipefail when head stops early)
head -100000 "$WORK/urls.txt" | sed "s|^$BASE||" > "$WORK/paths.txt"
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
# the target's own shape: 500 requests/s on a fixed schedule (open loop, bench/MemberLoad.java),
# half open pixels and half click redirects, each token drawn at random from the mails received
TRACK_RATE=${TRACK_RATE:-500}
TRACK_SECONDS=${TRACK_SECONDS:-60}
sed -n 's|.*/t/o/||p' "$WORK/paths.txt" > "$WORK/opens.txt"
sed -n 's|.*/t/c/||p' "$WORK/paths.txt" > "$WORK/clicks.txt"
HALF=$(echo "scale=1; $TRACK_RATE / 2" | bc)
java bench/MemberLoad.java "$BASE" "$KEY" /t/o/ "$WORK/opens.txt" "$HALF" "$TRACK_SECONDS" 10 '/t/o/{token}' \
    > "$WORK/opens.out" 2>&1 &
OPENS=$!
java bench/MemberLoad.java "$BASE" "$KEY" /t/c/ "$WORK/clicks.txt" "$HALF" "$TRACK_SECONDS" 10 '/t/c/{token}' \
    > "$WORK/clicks.out" 2>&1
wait $OPENS
for kind in opens clicks; do
    sed "s/^/RESULT tracking $kind at $HALF\/s (fixed rate): /" "$WORK/$kind.out"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
