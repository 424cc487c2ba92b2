#!/usr/bin/env bash
# Smoke test of the benchmark's moving parts, small enough for CI (seconds once installed):
# a generated 300-rep pack through the engine and through both peers (plain and --validate),
# agree.py on the outputs, and --validate refusing a pack with an unknown rep and a repeated deal.
#
#   bash bench/smoke.sh                       # expects target/release/forecast-rollup
#   FORECAST_ROLLUP=/path/to/bin bash bench/smoke.sh
#
# Builds nothing. Creates bench/.venv with the pinned peers (bench/requirements.txt) if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/venv.sh

BIN=${FORECAST_ROLLUP:-target/release/forecast-rollup}
if [ ! -x "$BIN" ]; then
  echo "smoke: no binary at $BIN (run cargo build --release, or set FORECAST_ROLLUP)" >&2
  exit 1
fi
start=$SECONDS

ensure_venv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pack=$tmp/pack

step() { echo "== $*"; }

step "generate a 300-rep pack (2 periods, manager lines)"
"$BIN" gen "$pack" --reps 300 --lines-per-rep 10 --depth 4 --periods 2 --seed 1 --manager-lines

step "engine"
mkdir "$tmp/engine"
"$BIN" run "$pack" --out "$tmp/engine" --formats csv,json > /dev/null

for peer in duckdb polars; do
  step "peer $peer"
  "$PY" "bench/peer_$peer.py" "$pack" "$tmp/$peer.csv"
  step "peer $peer --validate"
  "$PY" "bench/peer_$peer.py" "$pack" "$tmp/$peer-validate.csv" --validate
  cmp "$tmp/$peer.csv" "$tmp/$peer-validate.csv"
done

step "agree"
"$PY" bench/agree.py "$pack" "$tmp/engine/rollup.csv" \
  "$tmp/duckdb.csv" "$tmp/polars.csv" "$tmp/duckdb-validate.csv" "$tmp/polars-validate.csv"

step "--validate refuses an unknown rep_id and a repeated deal_id"
cp -r "$pack" "$tmp/bad"
{
  echo "NOBODY,2026-Q1,10.00,X-1"
  sed -n 2p "$pack/forecasts.csv"   # the first line again: its deal_id repeats
} >> "$tmp/bad/forecasts.csv"
for peer in duckdb polars; do
  rc=0
  "$PY" "bench/peer_$peer.py" "$tmp/bad" "$tmp/bad-$peer.csv" --validate 2> "$tmp/bad-$peer.err" || rc=$?
  if [ "$rc" != 2 ] || [ -e "$tmp/bad-$peer.csv" ] \
      || ! grep -q NOBODY "$tmp/bad-$peer.err" || ! grep -q "repeated" "$tmp/bad-$peer.err"; then
    echo "smoke: peer $peer --validate should exit 2, name both problems and write nothing (exit $rc):" >&2
    cat "$tmp/bad-$peer.err" >&2
    exit 1
  fi
done

echo "smoke ok ($((SECONDS - start)) s)"
