#!/usr/bin/env bash
# Fuzzes the production shape: the three registers as separate processes, each on its own
# PostgreSQL database, behind the gateway, with schemathesis (from PyPI) generating valid and
# invalid requests from the served openapi.json. Fails on any 5xx.
#
#   tests/fuzz/fuzz.sh [SECONDS]     (default 120; `make fuzz` runs longer)
#
# Needs a PostgreSQL server: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
# BIN names the binary (default target/release/klantinteracties, built when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_BUDGET=${1:-120}
ADMIN_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=${BIN:-target/release/klantinteracties}
[ -x "$BIN" ] || cargo build --release -q -p klantinteracties

WORK=$(mktemp -d)
TOOLS=${FUZZ_TOOLS:-$WORK/venv}
if [ ! -x "$TOOLS/bin/schemathesis" ]; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q 'schemathesis>=4,<5'
fi

BASE=${ADMIN_URL%/*}
PREFIX="ki_fuzz_$$"
DATABASES=(relatiebeheer klantcontacten klanttaak auth)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for name in "${DATABASES[@]}"; do
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS ${PREFIX}_$name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
for name in "${DATABASES[@]}"; do
  psql -q "$ADMIN_URL" -c "CREATE DATABASE ${PREFIX}_$name" >/dev/null
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RB=$(free_port); KC=$(free_port); KT=$(free_port); GW=$(free_port)
export KLANTINTERACTIES_DATABASE__RELATIEBEHEER="$BASE/${PREFIX}_relatiebeheer"
export KLANTINTERACTIES_DATABASE__KLANTCONTACTEN="$BASE/${PREFIX}_klantcontacten"
export KLANTINTERACTIES_DATABASE__KLANTTAAK="$BASE/${PREFIX}_klanttaak"
export KLANTINTERACTIES_DATABASE__AUTH="$BASE/${PREFIX}_auth"
export KLANTINTERACTIES_PEERS__RELATIEBEHEER="http://127.0.0.1:$RB"
export KLANTINTERACTIES_PEERS__KLANTCONTACTEN="http://127.0.0.1:$KC"
export KLANTINTERACTIES_PEERS__KLANTTAAK="http://127.0.0.1:$KT"
export KLANTINTERACTIES_SERVICE_TOKEN="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
export KLANTINTERACTIES_LOGBOEK__SLEUTEL="$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(64)).decode())')"
export KLANTINTERACTIES_LOG_FORMAT=json KLANTINTERACTIES_LOG_LEVEL=warn
# Where the registers keep their Logboek journals.
export KLANTINTERACTIES_DATA_DIR="$WORK/data"

for register in relatiebeheer klantcontacten klanttaak; do
  KLANTINTERACTIES_REGISTER=$register "$BIN" migrate >/dev/null
done
TOKEN=$("$BIN" token create --identifier fuzz | tail -n 1)
for pair in relatiebeheer:$RB klantcontacten:$KC klanttaak:$KT; do
  KLANTINTERACTIES_REGISTER=${pair%%:*} "$BIN" serve --bind "127.0.0.1:${pair##*:}" \
    >"$WORK/${pair%%:*}.log" 2>&1 &
  PIDS+=($!)
done
"$BIN" gateway --bind "127.0.0.1:$GW" --relatiebeheer "http://127.0.0.1:$RB" \
  --klantcontacten "http://127.0.0.1:$KC" --klanttaak "http://127.0.0.1:$KT" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$GW/_healthz/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "fuzzing the three registers on PostgreSQL behind the gateway for ${SECONDS_BUDGET}s"
status=0
"$TOOLS/bin/schemathesis" run "http://127.0.0.1:$GW/klantinteracties/api/v1/openapi.json" \
  --checks not_a_server_error \
  --mode all \
  --phases examples,coverage,fuzzing \
  --max-time "$SECONDS_BUDGET" \
  --workers 2 \
  --generation-allow-x00 true \
  --request-timeout 20 \
  --suppress-health-check all \
  --warnings off \
  -H "Authorization: Token $TOKEN" | tee "$WORK/schemathesis.out" || true
# Its exit code also counts errors of its own data generation (not answers of the API): a run
# fails on what the API answered, and when no case ran at all.
if grep -q '= FAILURES =' "$WORK/schemathesis.out"; then
  status=1
fi
if ! grep -Eq '[1-9][0-9]* generated' "$WORK/schemathesis.out"; then
  echo "schemathesis generated no test case"
  status=1
fi

# A panic or an unexpected error in a register is a failure too, even when answered.
if grep -h '"level":"ERROR"' "$WORK"/*.log | grep -v 'database lost' | head -n 20 | grep -q .; then
  echo "errors in the registers' logs:"
  grep -h '"level":"ERROR"' "$WORK"/*.log | head -n 20
  status=1
fi
exit "$status"
