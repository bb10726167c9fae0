#!/usr/bin/env bash
# Throughput and latency of the relatiebeheer register on the embedded SQLite default (or on
# PostgreSQL with BENCH_DATABASE_URL): create, detail, list and the BSN lookup, at 1 and 16
# concurrent clients. Each figure is the median of ROUNDS runs of SECONDS seconds, measured with
# wrk against a release build on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_RUN=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
SEED=${BENCH_SEED:-2000}
PORT=${BENCH_PORT:-18080}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release -q -p klantinteracties
BIN=target/release/klantinteracties
DATA=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

ARGS=(--data-dir "$DATA")
if [ -n "${BENCH_DATABASE_URL:-}" ]; then ARGS=(--database-url "$BENCH_DATABASE_URL"); fi
TOKEN=$(KLANTINTERACTIES_LOG_LEVEL=warn $BIN token create --identifier "bench-$$" "${ARGS[@]}" | tail -n 1)
KLANTINTERACTIES_LOG_LEVEL=warn $BIN serve --bind "127.0.0.1:$PORT" "${ARGS[@]}" >"$DATA/serve.log" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT/klantinteracties/api/v1"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_healthz/readyz" >/dev/null && break; sleep 0.2; done

AUTH="Authorization: Token $TOKEN"
JSON="Content-Type: application/json"

echo "seeding $SEED partijen through the API..."
wrk -t2 -c8 -d60s -s tests/bench/create.lua -H "$AUTH" -H "$JSON" "$BASE/partijen" >/dev/null &
SEEDER=$!
while [ "$(curl -s -H "$AUTH" "$BASE/partijen?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')" -lt "$SEED" ]; do sleep 0.5; done
kill $SEEDER 2>/dev/null || true; wait $SEEDER 2>/dev/null || true

SAMPLE=$(curl -s -H "$AUTH" "$BASE/partijen?pageSize=1")
UUID=$(echo "$SAMPLE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["uuid"])')
BSN=$(echo "$SAMPLE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["partijIdentificatoren"][0]["partijIdentificator"]["objectId"])')

# run NAME CONNECTIONS URL [wrk args...]: prints the median req/s, p50 and p99 of ROUNDS runs.
run() {
  local name=$1 conns=$2 url=$3; shift 3
  local threads=$(( conns < 2 ? 1 : 2 ))
  local results=()
  for _ in $(seq "$ROUNDS"); do
    out=$(wrk -t"$threads" -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" -H "$JSON" "$@" "$url")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    results+=("$rps $p50 $p99")
  done
  printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit) and not (unit == "s" and v.endswith(("us", "ms"))):
            return float(v[: -len(unit)]) * f
    return float(v)
rows = [line.split() for line in sys.stdin if line.strip()]
rps = statistics.median(float(r[0]) for r in rows)
p50 = statistics.median(ms(r[1]) for r in rows)
p99 = statistics.median(ms(r[2]) for r in rows)
print(f"%-22s %3s clients  %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms" % (sys.argv[1], sys.argv[2], rps, p50, p99))
' "$name" "$conns"
}

COUNT=$(curl -s -H "$AUTH" "$BASE/partijen?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
echo "relatiebeheer, $COUNT partijen, $([ -n "${BENCH_DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite), median of $ROUNDS x ${SECONDS_PER_RUN}s"
for c in 1 16; do
  run "create persoon+BSN" $c "$BASE/partijen" -s tests/bench/create.lua
  run "detail" $c "$BASE/partijen/$UUID"
  run "list (100 per page)" $c "$BASE/partijen"
  run "BSN lookup" $c "$BASE/partijen?partijIdentificator__codeSoortObjectId=bsn&partijIdentificator__objectId=$BSN"
done
