#!/usr/bin/env bash
# Throughput, latency, write time and memory of both shapes, side by side in one run:
#
# - embedded: every register in one process on SQLite files (the default);
# - production: the three registers as separate processes, each on its own PostgreSQL
#   database, behind the gateway (standing in for the Ingress);
# - Open Klant, when BENCH_OPENKLANT_URL (its base URL, e.g. http://127.0.0.1:8100) and
#   BENCH_OPENKLANT_TOKEN name one.
#
# Every server is seeded the same way through its API (tests/bench/seed.py: partijen with a BSN
# and an e-mail address, klantcontacten each with a betrokkene; one client, 8 threads), then
# each read is measured with wrk at 1 and 16 clients, the servers taking turns per figure; then
# how long our registers take to show one register's write in the other (tests/bench/lag.py).
# A server that is seeded already (Open Klant, which takes long) is not seeded again.
#
#   BENCH_PARTIJEN=10000 BENCH_KLANTCONTACTEN=20000 BENCH_SECONDS=10 tests/bench/bench.sh
#
# The Logboek's cost: the BSN lookup and the partij detail (each answer shows a person with a
# BSN, so each read writes a Logboek record) on the production shape's databases, with the
# Logboek and without (a second set of registers on the same databases with
# KLANTINTERACTIES_LOGBOEK__ENABLED=false), taking turns; BENCH_LOGBOEK=0 leaves it out.
#
# BENCH_SCALE=99 measures the production shape once more with its data multiplied by 100 in the
# databases themselves (1,000,000 partijen and 2,000,000 klantcontacten from the default seed).
set -euo pipefail
cd "$(dirname "$0")/../.."

PARTIJEN=${BENCH_PARTIJEN:-10000}
KLANTCONTACTEN=${BENCH_KLANTCONTACTEN:-20000}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SHAPES=${BENCH_SHAPES:-embedded production}
API=/klantinteracties/api/v1

command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
if [[ " $SHAPES " == *" production "* ]] && ! psql -qAt "$ADMIN_URL" -c 'SELECT 1' >/dev/null 2>&1; then
  echo "no PostgreSQL server at $ADMIN_URL: the production shape needs one (set BENCH_DATABASE_URL," >&2
  echo "or BENCH_SHAPES=embedded to measure the embedded default alone)" >&2
  exit 1
fi
cargo build --release -q -p klantinteracties
BIN=$PWD/target/release/klantinteracties

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
wait_ready() { for _ in $(seq 150); do curl -fs "$1/_healthz/readyz" >/dev/null 2>&1 && return; sleep 0.2; done; echo "$1 did not get ready" >&2; exit 1; }

declare -A URL TOKEN MEMORY_PIDS
SERVERS=()
export KLANTINTERACTIES_LOG_LEVEL=warn

start_embedded() {
  local port dir=$WORK/embedded
  port=$(free_port)
  mkdir -p "$dir"
  TOKEN[embedded]=$("$BIN" token create --identifier bench --data-dir "$dir" | tail -n 1)
  "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$WORK/embedded.log" 2>&1 &
  PIDS+=($!)
  MEMORY_PIDS[embedded]=$!
  URL[embedded]="http://127.0.0.1:$port"
  wait_ready "${URL[embedded]}"
  SERVERS+=(embedded)
}

start_production() {
  local prefix="ki_bench_$$" base=${ADMIN_URL%/*} rb kc kt gw pids=()
  for db in relatiebeheer klantcontacten klanttaak auth; do
    psql -q "$ADMIN_URL" -c "CREATE DATABASE ${prefix}_$db" >/dev/null
    DBS+=("${prefix}_$db")
  done
  rb=$(free_port); kc=$(free_port); kt=$(free_port); gw=$(free_port)
  export KLANTINTERACTIES_DATABASE__RELATIEBEHEER="$base/${prefix}_relatiebeheer"
  export KLANTINTERACTIES_DATABASE__KLANTCONTACTEN="$base/${prefix}_klantcontacten"
  export KLANTINTERACTIES_DATABASE__KLANTTAAK="$base/${prefix}_klanttaak"
  export KLANTINTERACTIES_DATABASE__AUTH="$base/${prefix}_auth"
  export KLANTINTERACTIES_PEERS__RELATIEBEHEER="http://127.0.0.1:$rb"
  export KLANTINTERACTIES_PEERS__KLANTCONTACTEN="http://127.0.0.1:$kc"
  export KLANTINTERACTIES_PEERS__KLANTTAAK="http://127.0.0.1:$kt"
  export KLANTINTERACTIES_SERVICE_TOKEN="bench-$$-0123456789abcdef0123456789abcdef"
  KLANTINTERACTIES_LOGBOEK__SLEUTEL=$("$BIN" logboek sleutel)
  export KLANTINTERACTIES_LOGBOEK__SLEUTEL
  # Where the registers keep their Logboek journals.
  export KLANTINTERACTIES_DATA_DIR="$WORK/production-data"
  for register in relatiebeheer klantcontacten klanttaak; do
    KLANTINTERACTIES_REGISTER=$register "$BIN" migrate >/dev/null
  done
  TOKEN[production]=$("$BIN" token create --identifier bench | tail -n 1)
  for pair in relatiebeheer:$rb klantcontacten:$kc klanttaak:$kt; do
    KLANTINTERACTIES_REGISTER=${pair%%:*} "$BIN" serve --bind "127.0.0.1:${pair##*:}" >>"$WORK/production.log" 2>&1 &
    PIDS+=($!)
    pids+=($!)
  done
  "$BIN" gateway --bind "127.0.0.1:$gw" --relatiebeheer "http://127.0.0.1:$rb" \
    --klantcontacten "http://127.0.0.1:$kc" --klanttaak "http://127.0.0.1:$kt" >>"$WORK/production.log" 2>&1 &
  PIDS+=($!)
  MEMORY_PIDS[production]="${pids[*]}"
  URL[production]="http://127.0.0.1:$gw"
  wait_ready "${URL[production]}"
  SERVERS+=(production)
}

# The production shape's databases served by a second set of registers that keep no Logboek.
start_unlogged() {
  local rb kc kt gw
  rb=$(free_port); kc=$(free_port); kt=$(free_port); gw=$(free_port)
  for pair in relatiebeheer:$rb klantcontacten:$kc klanttaak:$kt; do
    KLANTINTERACTIES_LOGBOEK__ENABLED=false KLANTINTERACTIES_REGISTER=${pair%%:*} \
      KLANTINTERACTIES_PEERS__RELATIEBEHEER="http://127.0.0.1:$rb" \
      KLANTINTERACTIES_PEERS__KLANTCONTACTEN="http://127.0.0.1:$kc" \
      KLANTINTERACTIES_PEERS__KLANTTAAK="http://127.0.0.1:$kt" \
      "$BIN" serve --bind "127.0.0.1:${pair##*:}" >>"$WORK/unlogged.log" 2>&1 &
    PIDS+=($!)
  done
  "$BIN" gateway --bind "127.0.0.1:$gw" --relatiebeheer "http://127.0.0.1:$rb" \
    --klantcontacten "http://127.0.0.1:$kc" --klanttaak "http://127.0.0.1:$kt" >>"$WORK/unlogged.log" 2>&1 &
  PIDS+=($!)
  URL[unlogged]="http://127.0.0.1:$gw"
  TOKEN[unlogged]=${TOKEN[production]}
  ln -s "$WORK/data-production" "$WORK/data-unlogged"
  wait_ready "${URL[unlogged]}"
}

for shape in $SHAPES; do "start_$shape"; done
if [ -n "${BENCH_OPENKLANT_URL:-}" ]; then
  URL[openklant]=${BENCH_OPENKLANT_URL%/}
  TOKEN[openklant]=${BENCH_OPENKLANT_TOKEN:?BENCH_OPENKLANT_TOKEN names its token}
  MEMORY_PIDS[openklant]=$(pgrep -d ' ' uwsgi || true)
  SERVERS+=(openklant)
fi

# Peak resident memory (VmHWM) of a server's processes together, in MB.
peak_mb() {
  local kb=0 pid
  for pid in ${MEMORY_PIDS[$1]:-}; do
    kb=$((kb + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo $((kb / 1024))
}

# Proportional memory (Pss) of a server's processes together, now, in MB: what they hold
# between them, each page they share (the binary, the libraries) counted once.
pss_mb() {
  local kb=0 pid
  for pid in ${MEMORY_PIDS[$1]:-}; do
    kb=$((kb + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo $((kb / 1024))
}

RESULTS=$WORK/results
for server in "${SERVERS[@]}"; do
  mkdir -p "$WORK/data-$server"
  echo "seeding $server ($PARTIJEN partijen, $KLANTCONTACTEN klantcontacten)..." >&2
  python3 tests/bench/seed.py "${URL[$server]}$API" "${TOKEN[$server]}" "$PARTIJEN" "$KLANTCONTACTEN" 8 \
    "$WORK/data-$server" >"$WORK/seed-$server.json"
  echo "$server|seed|$(cat "$WORK/seed-$server.json")" >>"$RESULTS"
  # The seed leaves PostgreSQL with many dirty buffers: a read that must evict one waits for the
  # WAL to reach the disk while the next checkpoint writes them all. Checkpoint now, so that the
  # reads measure the steady state the other servers (seeded long before) are in.
  [ "$server" = production ] && psql -q "$ADMIN_URL" -c CHECKPOINT
  echo "$server|peak RSS after seed|$(peak_mb "$server")" >>"$RESULTS"
  echo "$server|PSS after seed|$(pss_mb "$server")" >>"$RESULTS"
done

export BENCH_WRK=$PWD/tests/bench/wrk BENCH_API=$API
FIGURES=(lookup detail partijen klantcontacten)
# measure NAME SERVER...: every figure at 1 and 16 clients, the servers taking turns; a server's
# figures are recorded under NAME when one is given (the same server measured again later), or
# under its name in AS.
declare -A AS
measure() {
  local as=$1 figure clients threads server out errors
  shift
  for figure in "${FIGURES[@]}"; do
    for clients in 1 16; do
      threads=$((clients < 2 ? 1 : 2))
      for server in "$@"; do
        run() {
          BENCH_TOKEN=${TOKEN[$server]} BENCH_DATA=$WORK/data-$server \
            wrk -t"$threads" -c"$clients" -d"$1" --latency -s "tests/bench/wrk/$figure.lua" "${URL[$server]}"
        }
        run 2s >/dev/null
        out=$(run "${SECONDS_PER_RUN}s")
        errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
        [ -n "$errors" ] && echo "$server answered $errors requests of $figure with an error" >&2
        echo "${as:-${AS[$server]:-$server}}|$figure|$clients|$(echo "$out" | awk '/Requests\/sec/ {print $2}')|$(echo "$out" | awk '$1=="50%" {print $2}')|$(echo "$out" | awk '$1=="99%" {print $2}')|${errors:-0}" >>"$RESULTS"
      done
    done
  done
}
measure "" "${SERVERS[@]}"
for server in "${SERVERS[@]}"; do
  echo "$server|peak RSS after reads|$(peak_mb "$server")" >>"$RESULTS"
  echo "$server|PSS after reads|$(pss_mb "$server")" >>"$RESULTS"
done

if [ "${BENCH_LOGBOEK:-1}" = 1 ] && [ -n "${URL[production]:-}" ]; then
  start_unlogged
  AS=([production]=logged [unlogged]=unlogged)
  ALL_FIGURES=("${FIGURES[@]}")
  FIGURES=(lookup detail)
  measure "" production unlogged
  FIGURES=("${ALL_FIGURES[@]}")
  AS=()
fi

# BENCH_SCALE=99: the production shape's data multiplied by 100 straight in its databases
# (tests/bench/scale/), then the same figures measured again.
if [ "${BENCH_SCALE:-0}" -gt 0 ] && [ -n "${URL[production]:-}" ]; then
  echo "multiplying the production shape's data by $((BENCH_SCALE + 1))..." >&2
  started=$(date +%s)
  psql -q "$KLANTINTERACTIES_DATABASE__RELATIEBEHEER" -v copies="$BENCH_SCALE" \
    -f tests/bench/scale/relatiebeheer.sql -f tests/bench/scale/common.sql
  psql -q "$KLANTINTERACTIES_DATABASE__KLANTCONTACTEN" -v copies="$BENCH_SCALE" \
    -f tests/bench/scale/klantcontacten.sql -f tests/bench/scale/common.sql
  echo "scaled|loaded|$((PARTIJEN * (BENCH_SCALE + 1)))|$((KLANTCONTACTEN * (BENCH_SCALE + 1)))|$(($(date +%s) - started))" >>"$RESULTS"
  measure scaled production
fi

python3 tests/bench/report.py "$RESULTS" "$PARTIJEN" "$KLANTCONTACTEN" "$SECONDS_PER_RUN"

for server in "${SERVERS[@]}"; do
  [ "$server" = openklant ] && continue
  echo -e "\n${server}:"
  python3 tests/bench/lag.py "${URL[$server]}$API" "${TOKEN[$server]}" 200
done
