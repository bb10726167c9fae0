#!/usr/bin/env bash
# The read path of the klantcontacten register in the production shape: the three registers on
# PostgreSQL behind the gateway, seeded with klantcontacten that each have a betrokkene and an
# onderwerpobject. With a second binary (`BENCH_BASELINE=path`), both run side by side on their
# own databases and are measured in alternating rounds, so the ratio is of one run on one
# machine. Each figure is the median of BENCH_ROUNDS runs of BENCH_SECONDS seconds with wrk.
#
#   BENCH_BASELINE=/tmp/old-klantinteracties tests/bench/reads.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
SEED=${BENCH_KLANTCONTACTEN:-5000}
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p klantinteracties
BINS=("current:target/release/klantinteracties")
[ -n "${BENCH_BASELINE:-}" ] && BINS=("baseline:$BENCH_BASELINE" "${BINS[@]}")

WORK=$(mktemp -d)
PIDS=()
DBS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${DBS[@]}"; do psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME BIN: the three registers and a gateway on fresh databases; prints "URL TOKEN".
start() {
  local name=$1 bin=$2 prefix="ki_bench_$$_$1" base=${ADMIN_URL%/*}
  for db in relatiebeheer klantcontacten klanttaak auth; do
    psql -q "$ADMIN_URL" -c "CREATE DATABASE ${prefix}_$db" >/dev/null
    DBS+=("${prefix}_$db")
  done
  local rb kc kt gw
  rb=$(free_port); kc=$(free_port); kt=$(free_port); gw=$(free_port)
  (
    export KLANTINTERACTIES_DATABASE__RELATIEBEHEER="$base/${prefix}_relatiebeheer"
    export KLANTINTERACTIES_DATABASE__KLANTCONTACTEN="$base/${prefix}_klantcontacten"
    export KLANTINTERACTIES_DATABASE__KLANTTAAK="$base/${prefix}_klanttaak"
    export KLANTINTERACTIES_DATABASE__AUTH="$base/${prefix}_auth"
    export KLANTINTERACTIES_PEERS__RELATIEBEHEER="http://127.0.0.1:$rb"
    export KLANTINTERACTIES_PEERS__KLANTCONTACTEN="http://127.0.0.1:$kc"
    export KLANTINTERACTIES_PEERS__KLANTTAAK="http://127.0.0.1:$kt"
    export KLANTINTERACTIES_SERVICE_TOKEN="bench-$name-0123456789abcdef0123456789abcdef"
    KLANTINTERACTIES_LOGBOEK__SLEUTEL=$("$bin" logboek sleutel 2>/dev/null || true)
    export KLANTINTERACTIES_LOGBOEK__SLEUTEL
    export KLANTINTERACTIES_LOG_LEVEL=warn
    export KLANTINTERACTIES_DATA_DIR="$WORK/data-$name"
    for register in relatiebeheer klantcontacten klanttaak; do
      KLANTINTERACTIES_REGISTER=$register "$bin" migrate >/dev/null
    done
    "$bin" token create --identifier "bench-$name" | tail -n 1 >"$WORK/$name.token"
    for pair in relatiebeheer:$rb klantcontacten:$kc klanttaak:$kt; do
      KLANTINTERACTIES_REGISTER=${pair%%:*} exec_bg "$bin" serve --bind "127.0.0.1:${pair##*:}"
    done
    exec_bg "$bin" gateway --bind "127.0.0.1:$gw" --relatiebeheer "http://127.0.0.1:$rb" \
      --klantcontacten "http://127.0.0.1:$kc" --klanttaak "http://127.0.0.1:$kt"
    wait
  ) >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    [ -s "$WORK/$name.token" ] && curl -fs "http://127.0.0.1:$gw/_healthz/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "http://127.0.0.1:$gw/klantinteracties/api/v1 $(cat "$WORK/$name.token")"
}
exec_bg() { "$@" & }

declare -A BASE TOKEN
for entry in "${BINS[@]}"; do
  name=${entry%%:*}
  read -r BASE[$name] TOKEN[$name] < <(start "$name" "${entry#*:}")
  echo "seeding $SEED klantcontacten for $name..." >&2
  AUTH="Authorization: Token ${TOKEN[$name]}"
  until [ "$(curl -fs -H "$AUTH" "${BASE[$name]}/klantcontacten?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')" -ge "$SEED" ]; do
    wrk -t2 -c8 -d2s -s tests/bench/maak.lua -H "$AUTH" -H "Content-Type: application/json" "${BASE[$name]}/maak-klantcontact" >/dev/null
  done
done

# measure NAME FIGURE PATH: one wrk run; appends "name figure req/s p50-ms" to the results.
measure() {
  local out
  out=$(wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Token ${TOKEN[$1]}" "${BASE[$1]}$3")
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers for $1 $3" >&2; exit 1; fi
  echo "$1|$2|$(echo "$out" | awk '/Requests\/sec/ {print $2}')|$(echo "$out" | awk '$1=="50%" {print $2}')" >>"$WORK/results"
}
FIGURES=(
  "list (100 per page)|/klantcontacten?pageSize=100"
  "list expand=hadBetrokkenen|/klantcontacten?pageSize=100&expand=hadBetrokkenen"
  "list expand=gingOverOnderwerpobjecten|/klantcontacten?pageSize=100&expand=gingOverOnderwerpobjecten"
  "list (10 per page)|/klantcontacten?pageSize=10"
)
for _ in $(seq "$ROUNDS"); do
  for figure in "${FIGURES[@]}"; do
    for entry in "${BINS[@]}"; do measure "${entry%%:*}" "${figure%%|*}" "${figure#*|}"; done
  done
done

python3 - "$WORK/results" "$ROUNDS" "$SECONDS_PER_RUN" "$SEED" <<'PY'
import sys, statistics, collections
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    return float(v)
runs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    name, figure, rps, p50 = line.strip().split("|")
    runs[(name, figure)].append((float(rps), ms(p50)))
    if figure not in order:
        order.append(figure)
names = list(dict.fromkeys(k[0] for k in runs))
print(f"klantcontacten reads, three registers on PostgreSQL behind the gateway, {sys.argv[4]} klantcontacten,")
print(f"8 clients, median of {sys.argv[2]} x {sys.argv[3]}s per figure, binaries in alternating rounds")
for figure in order:
    cells = []
    med = {}
    for name in names:
        rps = statistics.median(r for r, _ in runs[(name, figure)])
        p50 = statistics.median(p for _, p in runs[(name, figure)])
        med[name] = rps
        cells.append(f"{name} {rps:7.0f} req/s p50 {p50:6.2f} ms")
    ratio = f"   x{med['current'] / med['baseline']:.2f}" if "baseline" in med else ""
    print(f"  {figure:40s} " + "   ".join(cells) + ratio)
PY
