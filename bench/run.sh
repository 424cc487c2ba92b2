#!/usr/bin/env bash
# The benchmark: forecast-rollup against its DuckDB and Polars peers on generated packs of
# 100k, 1M and 10M forecast lines (and, with BENCH_100M=1, the engine's peak memory on 100M);
# writes bench/RESULTS.md.
#
#   bash bench/run.sh
#
# Installs what it needs (bench/.venv with the pinned peers, hyperfine, GNU time), builds with
# `cargo build --release`, generates the packs into bench/data/ (kept between runs), and for
# each pack: measures every command's peak RSS once with /usr/bin/time, times every command
# with hyperfine, then runs paired rounds (bench/paired.py: the engine on its default threads,
# the engine on 1 thread, the DuckDB peer and the Polars peer back to back, the order rotating
# each round), from which bench/report.py takes the targets' ratios round by round.
#
# Environment:
#   PAIRS=N                  paired rounds on every pack (default 12 on 100k and 1M, 8 on 10M;
#                            multiples of 4, so each of the 4 commands goes first equally often)
#   BENCH_100M=1             also generate a 100M-line pack (bench/data/100M, about 3.5 GB on
#                            disk, kept like the others) and measure the engine's peak RSS and
#                            wall time on it, one run (most of the extra time, a minute or so,
#                            goes to generating the pack the first time). Off by default: the
#                            targets table then says "not measured (BENCH_100M=1)"
#   BENCH_SMALL=1            tiny packs (2k, 10k, 20k lines; 50k in place of 100M), 2 hyperfine
#                            runs and 3 paired rounds each: tries the script, measures nothing
#                            worth keeping
#   FORECAST_ROLLUP=/path    time this binary instead of building target/release/forecast-rollup
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/venv.sh disable=SC1091  # (shellcheck -x from the repository root reads it)
source bench/venv.sh

say() { echo "== $*"; }

# ---------------------------------------------------------------- what is measured
# label | generator arguments | hyperfine runs | paired rounds
# BIG (BENCH_100M=1): label | generator arguments; the engine alone, one run
if [ "${BENCH_SMALL:-}" = 1 ]; then
  PACKS=(
    "2k|--reps 200 --lines-per-rep 10|2|3"
    "10k|--reps 100 --lines-per-rep 100|2|3"
    "20k|--reps 200 --lines-per-rep 100|2|3"
  )
  BIG="50k|--reps 500 --lines-per-rep 100"
else
  PACKS=(
    "100k|--reps 10000 --lines-per-rep 10|10|12"
    "1M|--reps 10000 --lines-per-rep 100|10|12"
    "10M|--reps 100000 --lines-per-rep 100|5|8"
  )
  BIG="100M|--reps 100000 --lines-per-rep 1000"
fi
COMMON_GEN="--periods 1 --depth 4 --seed 1"
DATA=bench/data
OUT=$DATA/out
# The commands of a paired round (names as in the commands list below)
PAIRED=("forecast-rollup" "forecast-rollup, 1 thread" "DuckDB peer" "Polars peer")

# ---------------------------------------------------------------- tools
say "tools"
# shellcheck disable=SC2119  # ensure_venv without arguments: bench/.venv
ensure_venv
missing=()
command -v hyperfine > /dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
  apt_install "${missing[@]}"
fi

if [ -n "${FORECAST_ROLLUP:-}" ]; then
  BIN=$FORECAST_ROLLUP
  say "using $BIN (FORECAST_ROLLUP; not built here)"
else
  say "cargo build --release"
  cargo build --release
  BIN=target/release/forecast-rollup
fi

# ---------------------------------------------------------------- packs
# gen_pack LABEL ARGS: generate DATA/LABEL unless its .stamp says it already holds these arguments
gen_pack() {
  local label=$1 args=$2
  local pack=$DATA/$label
  local stamp="gen $args $COMMON_GEN"
  if [ -f "$pack/.stamp" ] && [ "$(cat "$pack/.stamp")" = "$stamp" ]; then
    say "pack $label: already generated ($stamp)"
    return
  fi
  say "pack $label: $stamp"
  rm -rf "$pack" "$pack.tmp"
  # shellcheck disable=SC2086  # the arguments are words on purpose
  "$BIN" gen "$pack.tmp" $args $COMMON_GEN
  echo "$stamp" > "$pack.tmp/.stamp"
  mv "$pack.tmp" "$pack"
}

mkdir -p "$DATA" "$OUT"
for spec in "${PACKS[@]}"; do
  IFS='|' read -r label args _ <<< "$spec"
  gen_pack "$label" "$args"
done
if [ "${BENCH_100M:-}" = 1 ]; then
  IFS='|' read -r big_label big_args <<< "$BIG"
  if [ "${BENCH_SMALL:-}" != 1 ] && [ ! -f "$DATA/$big_label/.stamp" ]; then
    avail_gib=$(df --output=avail -BG "$DATA" | tail -n 1 | tr -dc 0-9)
    if ((avail_gib < 5)); then
      echo "run.sh: BENCH_100M=1 wants 5 GiB free in $DATA for the $big_label pack (about" \
        "3.5 GB) and its outputs; ${avail_gib} GiB are free" >&2
      exit 1
    fi
  fi
  gen_pack "$big_label" "$big_args"
fi

# ---------------------------------------------------------------- timings
for spec in "${PACKS[@]}"; do
  IFS='|' read -r label args runs pairs <<< "$spec"
  pairs=${PAIRS:-$pairs}
  pack=$DATA/$label
  out=$OUT/$label
  rm -rf "$out"
  mkdir -p "$out/engine" "$out/engine-1thread"

  # name | command, exactly as hyperfine, /usr/bin/time and paired.py run it: without a shell
  # (hyperfine -N, so that the short runs are not blurred by a shell's start-up), stdout to
  # /dev/null
  commands=(
    "forecast-rollup|$BIN run $pack --out $out/engine --formats csv,json"
    "forecast-rollup, 1 thread|env RAYON_NUM_THREADS=1 $BIN run $pack --out $out/engine-1thread --formats csv,json"
    "DuckDB peer|$PY bench/peer_duckdb.py $pack $out/duckdb.csv"
    "DuckDB peer --validate|$PY bench/peer_duckdb.py $pack $out/duckdb-validate.csv --validate"
    "Polars peer|$PY bench/peer_polars.py $pack $out/polars.csv"
    "Polars peer --validate|$PY bench/peer_polars.py $pack $out/polars-validate.csv --validate"
  )

  say "pack $label: warm the page cache"
  cat "$pack"/*.csv > /dev/null

  say "pack $label: peak RSS of each command (once, /usr/bin/time -f %M)"
  : > "$out/commands.tsv"
  for entry in "${commands[@]}"; do
    name=${entry%%|*}
    cmd=${entry#*|}
    read -ra argv <<< "$cmd"
    /usr/bin/time -f %M -o "$out/rss.txt" "${argv[@]}" > /dev/null
    printf '%s\t%s\t%s\n' "$name" "$cmd" "$(tail -n 1 "$out/rss.txt")" >> "$out/commands.tsv"
  done
  rm -f "$out/rss.txt"

  say "pack $label: hyperfine, $runs runs each"
  # hyperfine sends the commands' stdout to /dev/null (its default --output=null)
  hf=(hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/hyperfine.json")
  for entry in "${commands[@]}"; do
    hf+=(--command-name "${entry%%|*}" "${entry#*|}")
  done
  "${hf[@]}"

  say "pack $label: paired runs, $pairs rounds of ${#PAIRED[@]} commands back to back"
  paired=()
  for want in "${PAIRED[@]}"; do
    for entry in "${commands[@]}"; do
      if [ "${entry%%|*}" = "$want" ]; then paired+=("$want" "${entry#*|}"); fi
    done
  done
  "$PY" bench/paired.py --rounds "$pairs" --json "$out/paired.json" -- "${paired[@]}"
done

# ---------------------------------------------------------------- 100M: the engine's peak memory
big=()
if [ "${BENCH_100M:-}" = 1 ]; then
  pack=$DATA/$big_label
  out=$OUT/$big_label
  rm -rf "$out"
  mkdir -p "$out/engine"
  cmd="$BIN run $pack --out $out/engine --formats csv,json"
  say "pack $big_label: warm the page cache"
  cat "$pack"/*.csv > /dev/null
  say "pack $big_label: peak RSS and wall time of the engine (once, /usr/bin/time -f '%M %e')"
  read -ra argv <<< "$cmd"
  /usr/bin/time -f '%M %e' -o "$out/time.txt" "${argv[@]}" > /dev/null
  read -r kib secs < <(tail -n 1 "$out/time.txt")
  printf '%s\t%s\t%s\t%s\n' "forecast-rollup" "$cmd" "$kib" "$secs" > "$out/peak.tsv"
  rm -f "$out/time.txt"
  say "pack $big_label: $((kib / 1024)) MiB peak, $secs s"
  big=(--big "$big_label")
fi

# ---------------------------------------------------------------- agreement and report
IFS='|' read -r first _ <<< "${PACKS[0]}"
say "pack $first: agree.py"
agree_rc=0
agree_line=$("$PY" bench/agree.py "$DATA/$first" "$OUT/$first/engine/rollup.csv" \
  "$OUT/$first/duckdb.csv" "$OUT/$first/duckdb-validate.csv" \
  "$OUT/$first/polars.csv" "$OUT/$first/polars-validate.csv") || agree_rc=$?
echo "$agree_line"

say "bench/RESULTS.md"
labels=()
for spec in "${PACKS[@]}"; do labels+=("${spec%%|*}"); done
small=()
[ "${BENCH_SMALL:-}" = 1 ] && small=(--small)
if ! "$PY" bench/report.py --bin "$BIN" --data "$DATA" --out "$OUT" --agree "${agree_line%%$'\n'*}" \
    "${small[@]}" "${big[@]}" "${labels[@]}" > bench/RESULTS.md.tmp; then
  rm -f bench/RESULTS.md.tmp
  echo "run.sh: report.py failed; bench/RESULTS.md left as it was" >&2
  exit 1
fi
mv bench/RESULTS.md.tmp bench/RESULTS.md
echo "wrote bench/RESULTS.md"
exit "$agree_rc"
