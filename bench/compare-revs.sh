#!/usr/bin/env bash
# Is this tree slower than an earlier commit? Builds REV (default: main's first parent) in a
# temporary worktree and this tree, generates the benchmark's 10M-line pack, and times the full
# run (every check, rollup.csv and rollup.json written) of both with hyperfine.
#
#   bash bench/compare-revs.sh 6ce93ed            # REV against the working tree
#   LINES=1M bash bench/compare-revs.sh HEAD~3
#
# Prints hyperfine's summary, then PAIRS (default 15) alternating pairs of runs with the median
# ratio of this tree's time to REV's and its min–max (on a shared machine, load drifts between
# hyperfine's two blocks of runs; pairs see the same load), and the CPU model; checks that both
# wrote the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD~1}
size=${LINES:-10M}
case $size in
  1M) gen="--reps 10000 --lines-per-rep 100" ;;
  10M) gen="--reps 100000 --lines-per-rep 100" ;;
  *) echo "LINES is 1M or 10M"; exit 2 ;;
esac
command -v hyperfine > /dev/null || apt-get install -y -qq hyperfine > /dev/null
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$rev" > /dev/null
(cd "$work/base" && CARGO_TARGET_DIR=target/compare-base cargo build --release --quiet)
cargo build --release --quiet
base=$work/base/target/compare-base/release/forecast-rollup
this=target/release/forecast-rollup
pack=bench/data/$size
if [ ! -f "$pack/.stamp" ] || [ "$(cat "$pack/.stamp")" != "gen $gen --periods 1 --depth 4 --seed 1" ]; then
  rm -rf "$pack"
  # shellcheck disable=SC2086  # the arguments are words on purpose
  "$this" gen "$pack" $gen --periods 1 --depth 4 --seed 1
  echo "gen $gen --periods 1 --depth 4 --seed 1" > "$pack/.stamp"
fi
mkdir -p "$work/o1" "$work/o2"
# The files both write: rollup.csv and rollup.json (a tree that also writes rollup.xlsx by
# default is told --formats csv,json; the workbook writer is timed on its own below).
formats() { if "$1" run --help | grep -q -- --formats; then echo "--formats csv,json"; fi; }
base_f=$(formats "$base")
this_f=$(formats "$this")
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
hyperfine -N --warmup 1 --runs "${RUNS:-10}" \
  -n "$rev" "$base run $pack --out $work/o1 $base_f" \
  -n "this tree" "$this run $pack --out $work/o2 $this_f"
cmp "$work/o1/rollup.csv" "$work/o2/rollup.csv" && cmp "$work/o1/rollup.json" "$work/o2/rollup.json" \
  && echo "same rollup.csv and rollup.json"
# Paired runs: REV then this tree, back to back, PAIRS times.
for _ in $(seq "${PAIRS:-15}"); do
  # shellcheck disable=SC2086  # the flags are words on purpose
  s=$(date +%s%N); "$base" run "$pack" --out "$work/o1" $base_f > /dev/null 2>&1
  # shellcheck disable=SC2086
  m=$(date +%s%N); "$this" run "$pack" --out "$work/o2" $this_f > /dev/null 2>&1
  e=$(date +%s%N); echo "$((m - s)) $((e - m))"
done | python3 -c '
import statistics, sys
pairs = [tuple(map(int, line.split())) for line in sys.stdin]
ratios = sorted(t / b for b, t in pairs)
print(f"paired: {len(pairs)} pairs, REV median {statistics.median(b for b, _ in pairs) / 1e9:.3f} s, "
      f"this tree median {statistics.median(t for _, t in pairs) / 1e9:.3f} s, "
      f"this/REV median {statistics.median(ratios):.3f} (min {ratios[0]:.3f}, max {ratios[-1]:.3f})")'
# The workbook writer, on its own (this tree only): rollup.xlsx of the same pack.
if [ -n "$this_f" ]; then
  hyperfine -N --warmup 1 --runs "${RUNS:-10}" -n "this tree, rollup.xlsx only" \
    "$this run $pack --out $work/o3 --formats xlsx"
fi
