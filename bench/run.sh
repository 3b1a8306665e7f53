#!/usr/bin/env bash
# relais — benchmarks. Builds in release mode, generates (or reuses) a
# dataset, starts `relais serve`, drives HTTP load with wrk, and prints one
# table: requests/s, p50, p99, errors, peak RSS. See docs/PERFORMANCE.md.
#
#   bench/run.sh [--size smoke|10k|1m|10m|departement|national] [--engine sqlite|postgres|both]
#                [--duration 10s] [--connections 64] [--bin PATH] [--data DIR]
#
# --bin skips the release build and uses that binary (the test suite's smoke
# run uses the debug one). Datasets live in DIR (default bench/data, not
# versioned) and are reused when present: delete them to regenerate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SIZE=departement
ENGINE=sqlite
DURATION=10s
CONNECTIONS=64
BIN=""
DATA=$ROOT/bench/data
PORT=${RELAIS_BENCH_PORT:-18181}
PG_ADMIN=${RELAIS_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}

while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --engine) ENGINE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$SIZE" in
  smoke) GEN_ARGS=(--structures 2 --persons 300 --requests 3000) ;;
  departement|national) GEN_ARGS=(--size "$SIZE") ;;
  # How cost grows: 10 thousand, 1 million and 10 million interventions.
  10k) GEN_ARGS=(--structures 2 --persons 1000 --requests 5000) ;;
  1m) GEN_ARGS=(--structures 20 --persons 50000 --requests 500000) ;;
  10m) GEN_ARGS=(--structures 200 --persons 500000 --requests 5000000) ;;
  *) echo "bench: --size is smoke, 10k, 1m, 10m, departement or national" >&2; exit 2 ;;
esac
case "$ENGINE" in
  sqlite) ENGINES=(sqlite) ;;
  postgres) ENGINES=(postgres) ;;
  both) ENGINES=(sqlite postgres) ;;
  *) echo "bench: --engine is sqlite, postgres or both" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null 2>&1 || true
  fi
  command -v wrk >/dev/null || { echo "bench: wrk is required (apt-get install wrk)" >&2; exit 2; }
}
command -v curl >/dev/null || { echo "bench: curl is required" >&2; exit 2; }

if [ -z "$BIN" ]; then
  echo "==> building relais in release mode" >&2
  cargo build --release -p relais >&2
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/relais
fi
[ -x "$BIN" ] || { echo "bench: no relais binary at $BIN" >&2; exit 2; }
mkdir -p "$DATA"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

ms() { # wrk latency ("1.23ms", "850.00us", "1.02s") in milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.0f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}

ROWS=()
row() { ROWS+=("$(printf '| %-7s | %-38s | %9s | %8s | %8s | %6s |' "$@")"); }

# run NAME CONNECTIONS wrk-args… : one measurement, one table row.
run() {
  local name=$1 conns=$2; shift 2
  local out
  local threads=2
  [ "$conns" -lt 2 ] && threads=1
  out=$(wrk -t"$threads" -c"$conns" -d"$DURATION" --timeout 30s --latency "$@" 2>&1) || true
  local rps p50 p99 errors non2xx sock
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  sock=$(awk -F'[ ,]+' '/Socket errors:/ {print $4+$6+$8+$10}' <<<"$out")
  errors=$(( ${non2xx:-0} + ${sock:-0} ))
  # No "Requests/sec" line means wrk itself failed: say so in the table.
  [ -n "$rps" ] || { echo "$out" >&2; rps=failed; }
  row "$ENGINE_NOW" "$name" "$rps" "$p50" "$p99" "$errors"
}

wait_up() {
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "bench: the server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1
}

for ENGINE_NOW in "${ENGINES[@]}"; do
  DIR=$DATA/$SIZE-$ENGINE_NOW
  mkdir -p "$DIR"
  [ -s "$DIR/key" ] || "$BIN" keys generate > "$DIR/key"
  export RELAIS_DATA_KEY_FILE=$DIR/key
  unset RELAIS_DATA_KEY
  if [ "$ENGINE_NOW" = sqlite ]; then
    URL="sqlite://$DIR/relais.db"
  else
    DBNAME="relais_bench_$SIZE"
    URL="${PG_ADMIN%/*}/$DBNAME"
  fi
  if [ ! -s "$DIR/summary.txt" ]; then
    echo "==> generating the $SIZE dataset on $ENGINE_NOW" >&2
    if [ "$ENGINE_NOW" = postgres ]; then
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DBNAME" >/dev/null
      psql "$PG_ADMIN" -qc "CREATE DATABASE $DBNAME" >/dev/null
    else
      rm -f "$DIR"/relais.db*
    fi
    start=$(date +%s.%N)
    "$BIN" gen --database "$URL" "${GEN_ARGS[@]}" > "$DIR/summary.tmp"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN {printf "gen_seconds=%.1f\n", e - s}' >> "$DIR/summary.tmp"
    mv "$DIR/summary.tmp" "$DIR/summary.txt"
  fi
  cat "$DIR/summary.txt" >&2
  GEN_SECONDS=$(sed -n 's/^gen_seconds=//p' "$DIR/summary.txt")
  PERSON=$(sed -n 's/.*sample_person=\([^ ]*\).*/\1/p' "$DIR/summary.txt")
  LAST=$(sed -n 's/.*sample_last_name=\(.*\)$/\1/p' "$DIR/summary.txt")

  # Every run works on a fresh copy: the intake measurement adds requests.
  if [ "$ENGINE_NOW" = sqlite ]; then
    cp "$DIR/relais.db" "$WORK/run.db"
    [ -f "$DIR/relais.db-wal" ] && cp "$DIR/relais.db-wal" "$WORK/run.db-wal"
    URL="sqlite://$WORK/run.db"
  else
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS ${DBNAME}_run" >/dev/null
    psql "$PG_ADMIN" -qc "CREATE DATABASE ${DBNAME}_run TEMPLATE $DBNAME" >/dev/null
    URL="${PG_ADMIN%/*}/${DBNAME}_run"
  fi
  RELAIS_LOG=warn RELAIS_LOGIN_ATTEMPTS_PER_IP=100000 RELAIS_REQUIRE_TOTP=false \
    "$BIN" serve --listen "127.0.0.1:$PORT" --database "$URL" > "$WORK/serve.log" 2>&1 &
  SERVER_PID=$!
  wait_up
  BASE="http://127.0.0.1:$PORT"
  AGENT=$("$BIN" token create --email agent@gen-1.test --label bench --database "$URL")
  SUP=$("$BIN" token create --email agent5@gen-1.test --label bench --database "$URL")
  ADMIN=$("$BIN" token create --email admin@gen.test --label bench --database "$URL")
  # A browser session for the pages.
  curl -sS -c "$WORK/jar" "$BASE/login" > "$WORK/login.html"
  CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/login.html" | head -1)
  curl -sS -b "$WORK/jar" -c "$WORK/jar" -o /dev/null \
    --data-urlencode "csrf=$CSRF" --data-urlencode "email=agent@gen-1.test" \
    --data-urlencode "password=gen-relais-2026" "$BASE/login"
  SESSION=$(awk '$6 == "relais_session" {print $7}' "$WORK/jar")
  [ -n "$SESSION" ] || { echo "bench: could not sign in" >&2; exit 1; }
  COOKIE="Cookie: relais_session=$SESSION"

  # Search with one typo: the last name with its second letter doubled.
  TYPO=$(python3 -c 'import sys,urllib.parse; n=sys.argv[1]; print(urllib.parse.quote(n[:2]+n[1:]))' "$LAST")
  YEAR=$(date +%Y)
  LAST_MONTH=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
  cat > "$WORK/intake.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $AGENT"
wrk.body = '{"anonymous": {"age_bracket": "40_59"}, "procedure": "Actualisation mensuelle", "category": "travail", "operator": "France Travail", "channel": "walk_in", "status": "done", "outcome": "done", "intervention": {"mode": "done_with", "duration_minutes": 15}}'
LUA

  run "person search, 1 typo" "$CONNECTIONS" -H "Authorization: Bearer $AGENT" "$BASE/api/v1/persons?q=$TYPO"
  run "person page" "$CONNECTIONS" -H "$COOKIE" "$BASE/persons/$PERSON"
  run "home page" "$CONNECTIONS" -H "$COOKIE" "$BASE/"
  run "request list, filtered" "$CONNECTIONS" -H "$COOKIE" "$BASE/requests?status=open&category=social"
  run "mandate list" "$CONNECTIONS" -H "$COOKIE" "$BASE/mandates"
  run "stats, one structure-year (1 conn)" 1 -H "Authorization: Bearer $SUP" "$BASE/api/v1/stats?from=$YEAR-01-01&to=$YEAR-12-31&group_by=category"
  run "stats, whole instance-year (1 conn)" 1 -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/stats?from=$YEAR-01-01&to=$YEAR-12-31&group_by=category&scope=instance"
  run "dashboard, one structure-year (1 conn)" 1 -H "Authorization: Bearer $SUP" "$BASE/api/v1/dashboard?from=$YEAR-01-01&to=$YEAR-12-31"
  run "monthly report PDF (1 conn)" 1 -H "Authorization: Bearer $SUP" "$BASE/api/v1/reports/monthly?month=$LAST_MONTH"
  # Last: it adds requests that the reads above would otherwise count.
  run "intake POST" "$CONNECTIONS" -s "$WORK/intake.lua" "$BASE/api/v1/help-requests"
  RSS=$(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$SERVER_PID/status")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ "$ENGINE_NOW" = postgres ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS ${DBNAME}_run" >/dev/null
  fi
  ROWS+=("$(printf '| %-7s | %-38s | %s |' "$ENGINE_NOW" "peak RSS of relais serve" "$RSS")")
  ROWS+=("$(printf '| %-7s | %-38s | %s s |' "$ENGINE_NOW" "relais gen ($SIZE)" "$GEN_SECONDS")")
done

echo
echo "relais benchmark — size $SIZE, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d), wrk -t2 -c$CONNECTIONS -d$DURATION"
printf '| %-7s | %-38s | %9s | %8s | %8s | %6s |\n' engine what "req/s" "p50 ms" "p99 ms" errors
printf '|%s|%s|%s|%s|%s|%s|\n' --------- ---------------------------------------- ----------- ---------- ---------- --------
printf '%s\n' "${ROWS[@]}"
