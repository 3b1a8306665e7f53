#!/usr/bin/env bash
# relais — import benchmark: times `relais import places` on the real
# reference files (../shared/reference/data), first import then the same
# file again, on a fresh SQLite file and/or a fresh PostgreSQL database.
# Prints one line per file: rows, seconds, rows per second, peak RSS.
#
#   bench/import.sh [--engine sqlite|postgres|both] [--bin PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ENGINE=sqlite
BIN=""
DATA=${RELAIS_REFERENCE_DATA:-$ROOT/../shared/reference/data}
PG_ADMIN=${RELAIS_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) ENGINE=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -d "$DATA" ] || { echo "bench: no reference data at $DATA" >&2; exit 2; }
if [ -z "$BIN" ]; then
  cargo build --release -p relais >&2
  BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/relais
fi
FILES=(
  "france-services liste-fs-20240801.csv france-services"
  "lmn lmn-v0_data-inclusion-export_2023-02.json lieux-mediation-numerique"
  "lmn lmn-v1vocab_hub-du-sud-paca_2023-05-17_converted-2025-02-06.json lieux-mediation-numerique"
  "data-inclusion di-v0_structures_numi-extract_2023-04-06.json data-inclusion"
  "data-inclusion di-v0_services_2022-11-29.json data-inclusion"
)
run() {
  local engine=$1 url=$2
  printf '%-9s %-62s %7s %7s %9s %9s\n' engine file rows seconds rows/s rss_MiB
  for f in "${FILES[@]}"; do
    read -r format file dir <<<"$f"
    for pass in first again; do
      local start end rows rss
      start=$(date +%s.%N)
      out=$(/usr/bin/time -f '%M' -o /tmp/relais-import-rss "$BIN" import places --format "$format" \
        "$DATA/$dir/$file" --database "$url" 2>/dev/null | tail -1)
      end=$(date +%s.%N)
      rows=${out%% rows*}
      rss=$(( $(cat /tmp/relais-import-rss) / 1024 ))
      awk -v e="$engine" -v f="$file ($pass)" -v r="$rows" -v s="$start" -v t="$end" -v m="$rss" \
        'BEGIN { d = t - s; printf "%-9s %-62s %7d %7.2f %9.0f %9d\n", e, f, r, d, r / d, m }'
    done
  done
}
if [ "$ENGINE" = sqlite ] || [ "$ENGINE" = both ]; then
  dir=$(mktemp -d)
  run sqlite "sqlite://$dir/import.db"
  rm -rf "$dir"
fi
if [ "$ENGINE" = postgres ] || [ "$ENGINE" = both ]; then
  db=relais_import_bench_$$
  psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
  run postgres "${PG_ADMIN%/*}/$db"
  psql "$PG_ADMIN" -qc "DROP DATABASE $db" >/dev/null
fi
