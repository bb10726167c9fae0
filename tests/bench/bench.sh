#!/usr/bin/env bash
# Throughput and latency of the relatiebeheer register at two sizes (default 10k and 1M
# partijen), on the embedded SQLite default or on PostgreSQL with BENCH_DATABASE_URL; first, the
# lag of the read models between the registers (tests/bench/lag.py).
#
# Partijen (each with a BSN) and e-mail addresses are seeded through the API. Each figure is the
# median of BENCH_ROUNDS runs of BENCH_SECONDS seconds with wrk against a release build, at 1 and
# 16 concurrent clients. The last table compares the lookups' median latency across sizes.
#
#   BENCH_SIZES="10000 1000000" BENCH_ROUNDS=3 BENCH_SECONDS=3 tests/bench/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${BENCH_SIZES:-10000 1000000}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-18080}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release -q -p klantinteracties
BIN=target/release/klantinteracties
DATA=$(mktemp -d)
RESULTS=$DATA/results.txt
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

ARGS=(--data-dir "$DATA")
BACKEND=SQLite
if [ -n "${BENCH_DATABASE_URL:-}" ]; then ARGS=(--database-url "$BENCH_DATABASE_URL"); BACKEND=PostgreSQL; fi
TOKEN=$(KLANTINTERACTIES_LOG_LEVEL=warn $BIN token create --identifier "bench-$$" "${ARGS[@]}" | tail -n 1)
KLANTINTERACTIES_LOG_LEVEL=warn $BIN serve --bind "127.0.0.1:$PORT" "${ARGS[@]}" >"$DATA/serve.log" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT/klantinteracties/api/v1"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_healthz/readyz" >/dev/null && break; sleep 0.2; done

AUTH="Authorization: Token $TOKEN"
JSON="Content-Type: application/json"
# Every wrk run that creates gets its own range of numbers (BSNs, addresses): measurement runs
# 100k each from 0, seeding runs 4M each from 50M (BSNs have 8 free digits).
echo 0 >"$DATA/run-offset"
echo 50000000 >"$DATA/seed-offset"
next_offset() { # FILE STEP
  local o; o=$(cat "$1"); echo $((o + $2)) >"$1"; echo "$o $(($2 / 2))"
}
api() { curl -sf -H "$AUTH" -H "$JSON" "$@"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
count() { api "$BASE/$1?pageSize=1" | field '["count"]'; }

# Fixtures the lookups look for: two organisaties with the same vestigingsnummer under different
# KvK numbers, an address and a category.
kvk_org() {
  local org kvk
  org=$(api -X POST "$BASE/partijen" -d "{\"soortPartij\":\"organisatie\",\"indicatieActief\":true,\"partijIdentificatoren\":[{\"partijIdentificator\":{\"codeObjecttype\":\"niet_natuurlijk_persoon\",\"codeSoortObjectId\":\"kvk_nummer\",\"objectId\":\"$1\",\"codeRegister\":\"hr\"}}]}")
  kvk=$(echo "$org" | field '["partijIdentificatoren"][0]["uuid"]')
  api -X POST "$BASE/partij-identificatoren" -d "{\"identificeerdePartij\":{\"uuid\":\"$(echo "$org" | field '["uuid"]')\"},\"subIdentificatorVan\":{\"uuid\":\"$kvk\"},\"partijIdentificator\":{\"codeObjecttype\":\"vestiging\",\"codeSoortObjectId\":\"vestigingsnummer\",\"objectId\":\"000012345678\",\"codeRegister\":\"hr\"}}" >/dev/null
  echo "$org" | field '["uuid"]'
}
ORG=$(kvk_org 12345678)
kvk_org 87654321 >/dev/null
api -X POST "$BASE/digitaleadressen" -d "{\"verstrektDoorPartij\":{\"uuid\":\"$ORG\"},\"adres\":\"info@bakkerij.example.nl\",\"soortDigitaalAdres\":\"email\"}" >/dev/null
CAT=$(api -X POST "$BASE/categorieen" -d '{"naam":"Ondernemer"}' | field '["uuid"]')
api -X POST "$BASE/categorie-relaties" -d "{\"partij\":{\"uuid\":\"$ORG\"},\"categorie\":{\"uuid\":\"$CAT\"}}" >/dev/null

# With BENCH_DATABASE_URL only relatiebeheer is served, so there is no lag to measure.
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  python3 tests/bench/lag.py "$BASE" "$TOKEN" "${BENCH_LAG_SAMPLES:-200}"
  echo
fi

# seed N: partijen (and a tenth as many addresses) through the API until there are N.
seed() {
  local target=$1 have
  have=$(count partijen)
  [ "$have" -ge "$target" ] && return
  echo "seeding $target partijen through the API (have $have)..." >&2
  wrk -t2 -c8 -d3600s -s tests/bench/create.lua -H "$AUTH" -H "$JSON" "$BASE/partijen" -- $(next_offset "$DATA/seed-offset" 4000000) >/dev/null &
  local partij_seeder=$!
  wrk -t1 -c2 -d3600s -s tests/bench/adres.lua -H "$AUTH" -H "$JSON" "$BASE/digitaleadressen" -- $(next_offset "$DATA/seed-offset" 4000000) >/dev/null &
  local adres_seeder=$!
  local started=$SECONDS
  while true; do
    have=$(count partijen)
    [ "$(count digitaleadressen)" -ge $((target / 10)) ] && kill $adres_seeder 2>/dev/null || true
    [ "$have" -ge "$target" ] && break
    sleep 2
  done
  kill $partij_seeder $adres_seeder 2>/dev/null || true
  wait $partij_seeder $adres_seeder 2>/dev/null || true
  echo "  seeded in $((SECONDS - started)) s" >&2
}

# run SIZE NAME CONNECTIONS URL [wrk args...]: median req/s, p50 and p99 of ROUNDS runs.
run() {
  local size=$1 name=$2 conns=$3 url=$4; shift 4
  local threads=$(( conns < 2 ? 1 : 2 )) results=()
  for _ in $(seq "$ROUNDS"); do
    out=$(wrk -t"$threads" -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" -H "$JSON" "$@" "$url" -- $(next_offset "$DATA/run-offset" 100000))
    if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers for $name: $url" >&2; exit 1; fi
    results+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="50%" {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')")
  done
  printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    return float(v)
rows = [line.split() for line in sys.stdin if line.strip()]
rps = statistics.median(float(r[0]) for r in rows)
p50 = statistics.median(ms(r[1]) for r in rows)
p99 = statistics.median(ms(r[2]) for r in rows)
size, name, conns = sys.argv[1:4]
print(f"%-9s %-30s %3s clients %9.0f req/s   p50 %8.2f ms   p99 %8.2f ms" % (size, name, conns, rps, p50, p99))
with open(sys.argv[4], "a") as out:
    out.write(f"{size}\t{name}\t{conns}\t{rps}\t{p50}\t{p99}\n")
' "$size" "$name" "$conns" "$RESULTS"
}

echo "relatiebeheer on $BACKEND, median of $ROUNDS x ${SECONDS_PER_RUN}s per figure"
for size in $SIZES; do
  seed "$size"
  SAMPLE=$(api "$BASE/partijen?soortPartij=persoon&pageSize=1")
  UUID=$(echo "$SAMPLE" | field '["results"][0]["uuid"]')
  BSN=$(echo "$SAMPLE" | field '["results"][0]["partijIdentificatoren"][0]["partijIdentificator"]["objectId"]')
  ADRES=$(api "$BASE/digitaleadressen?pageSize=1" | field '["results"][0]["adres"]')
  echo "-- $(count partijen) partijen, $(count digitaleadressen) digitale adressen"
  for c in 1 16; do
    run "$size" "create persoon+BSN" $c "$BASE/partijen" -s tests/bench/create.lua
    run "$size" "detail" $c "$BASE/partijen/$UUID"
    run "$size" "detail expand" $c "$BASE/partijen/$ORG?expand=digitaleAdressen,categorieRelaties"
    run "$size" "list (100 per page)" $c "$BASE/partijen"
    run "$size" "lookup: BSN" $c "$BASE/partijen?partijIdentificator__codeSoortObjectId=bsn&partijIdentificator__objectId=$BSN"
    run "$size" "lookup: vestiging under KvK" $c "$BASE/partijen?partijIdentificator__objectId=000012345678&subIdentificatorVan__objectId=12345678"
    run "$size" "lookup: categorie" $c "$BASE/partijen?categorierelatie__categorie__naam=Ondernemer"
    run "$size" "lookup: identificator" $c "$BASE/partij-identificatoren?partijIdentificatorObjectId=$BSN"
    run "$size" "lookup: e-mail address" $c "$BASE/digitaleadressen?adres=$ADRES"
  done
done

python3 - "$RESULTS" <<'PY'
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
sizes = list(dict.fromkeys(r[0] for r in rows))
if len(sizes) < 2:
    sys.exit(0)
small, large = sizes[0], sizes[-1]
p50 = {(r[0], r[1], r[2]): float(r[4]) for r in rows}
print(f"\np50 latency at {large} partijen relative to {small} (1.00 = no slower)")
for (size, name, conns), value in p50.items():
    if size == small and (large, name, conns) in p50:
        print(f"  %-30s %3s clients  %5.2fx" % (name, conns, p50[(large, name, conns)] / value))
PY
