#!/usr/bin/env bash
# Manual check of the size limits on real sizes (too slow and too big for the test suite):
# a 2 GB forecasts.csv that is valid, one with a 2 GB line, and a 2 GB org.csv. Prints each
# run's exit code, first message and peak memory. Needs ~6 GB free in $TMPDIR.
#
#   scripts/huge-inputs.sh
# No pipefail: the generators below are `yes … | head -c N`, and `yes` ends on SIGPIPE by design.
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/forecast-rollup
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
measure() { /usr/bin/time -f "  peak memory %M KB, %e s" "$bin" check "$1" 2>&1 >/dev/null | head -n 3 || true; }

echo "== a valid 2 GB forecasts.csv (streamed: memory stays flat)"
mkdir -p "$dir/big"
printf 'id,parent_id\nCN,\nR,CN\n' > "$dir/big/org.csv"
{ echo "rep_id,period,amount"; yes 'R,2026-Q4,1234.56' | head -c 2000000000 | head -n -1; } > "$dir/big/forecasts.csv"
measure "$dir/big"

echo "== a 2 GB forecasts.csv with no line end after its header"
mkdir -p "$dir/line"
cp "$dir/big/org.csv" "$dir/line/"
{ echo "rep_id,period,amount"; head -c 2000000000 /dev/zero | tr '\0' '7'; } > "$dir/line/forecasts.csv"
measure "$dir/line"
rm -rf "$dir/line"

echo "== a 2 GB org.csv (read whole: refused past 1 GiB)"
mkdir -p "$dir/org"
{ echo "id,parent_id"; echo "CN,"; seq 1 200000000 | sed 's/.*/R&,CN/' | head -c 2000000000 | head -n -1; } > "$dir/org/org.csv"
printf 'rep_id,period,amount\nR1,P,1\n' > "$dir/org/forecasts.csv"
measure "$dir/org"
