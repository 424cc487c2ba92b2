#!/usr/bin/env bash
# The benchmark: forecast-rollup against its DuckDB and Polars peers on generated packs of
# 100k, 1M and 10M forecast lines; writes bench/RESULTS.md.
#
#   bash bench/run.sh
#
# Installs what it needs (bench/.venv with the pinned peers, hyperfine, GNU time), builds with
# `cargo build --release`, generates the packs into bench/data/ (kept between runs), times every
# command with hyperfine and measures its peak RSS once with /usr/bin/time.
#
# Environment:
#   BENCH_SMALL=1            tiny packs (2k, 10k, 20k lines) and 2 runs each: tries the script,
#                            measures nothing worth keeping
#   FORECAST_ROLLUP=/path    time this binary instead of building target/release/forecast-rollup
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/venv.sh

say() { echo "== $*"; }

# ---------------------------------------------------------------- what is measured
# label | generator arguments | hyperfine runs
if [ "${BENCH_SMALL:-}" = 1 ]; then
  PACKS=(
    "2k|--reps 200 --lines-per-rep 10|2"
    "10k|--reps 100 --lines-per-rep 100|2"
    "20k|--reps 200 --lines-per-rep 100|2"
  )
else
  PACKS=(
    "100k|--reps 10000 --lines-per-rep 10|10"
    "1M|--reps 10000 --lines-per-rep 100|10"
    "10M|--reps 100000 --lines-per-rep 100|5"
  )
fi
COMMON_GEN="--periods 1 --depth 4 --seed 1"
DATA=bench/data
OUT=$DATA/out

# ---------------------------------------------------------------- tools
say "tools"
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
mkdir -p "$DATA" "$OUT"
for spec in "${PACKS[@]}"; do
  IFS='|' read -r label args runs <<< "$spec"
  pack=$DATA/$label
  stamp="gen $args $COMMON_GEN"
  if [ -f "$pack/.stamp" ] && [ "$(cat "$pack/.stamp")" = "$stamp" ]; then
    say "pack $label: already generated ($stamp)"
    continue
  fi
  say "pack $label: $stamp"
  rm -rf "$pack" "$pack.tmp"
  # shellcheck disable=SC2086  # the arguments are words on purpose
  "$BIN" gen "$pack.tmp" $args $COMMON_GEN
  echo "$stamp" > "$pack.tmp/.stamp"
  mv "$pack.tmp" "$pack"
done

# ---------------------------------------------------------------- timings
for spec in "${PACKS[@]}"; do
  IFS='|' read -r label args runs <<< "$spec"
  pack=$DATA/$label
  out=$OUT/$label
  rm -rf "$out"
  mkdir -p "$out/engine" "$out/engine-1thread"

  # name | command, exactly as hyperfine and /usr/bin/time run it: without a shell (hyperfine -N,
  # so that the short runs are not blurred by a shell's start-up), stdout to /dev/null
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
done

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
"$PY" bench/report.py --bin "$BIN" --data "$DATA" --out "$OUT" --agree "${agree_line%%$'\n'*}" \
  "${small[@]}" "${labels[@]}" > bench/RESULTS.md.tmp
mv bench/RESULTS.md.tmp bench/RESULTS.md
echo "wrote bench/RESULTS.md"
exit "$agree_rc"
