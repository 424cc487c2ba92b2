#!/usr/bin/env bash
# Coverage-guided fuzzing of the number parser, the whole pack pipeline (load → validate →
# roll up → render), the workbook reader and pack.toml's mapping with cargo-fuzz (libFuzzer), on
# the stable toolchain.
#
#   scripts/fuzz.sh                 # all four targets, FUZZ_SECONDS (default 30) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh pack
#
# cargo-fuzz asks for nightly-only flags; RUSTC_BOOTSTRAP=1 lets the stable compiler accept them.
# No sanitizer (`-s none`): the engine has no unsafe code to check, and without one the fuzzer
# runs several times faster. Debug assertions are on (`-a`), so an arithmetic overflow is a
# crash, not a silent wrap.
#
# Inputs, per target (<target> is number, pack, workbook or mapping):
#   fuzz/corpus/<target>/         the working corpus: where new inputs go. Untracked (ignored),
#                                 it grows run after run on one machine; delete it at will.
#   fuzz/seeds/<target>/          committed seeds: a small set (a few hundred files at most for
#                                 both targets) that, with the fixture seeds, reaches nearly all
#                                 the coverage of a long run. Only read.
#   fuzz/fixture-seeds/<target>/  generated from fixtures/ at the start of every run (ignored).
# To refresh the committed seeds after a long run, keep them small: a set-cover merge on edges
# (not hit counts) on top of the fixture seeds picks few files, e.g. for pack (the fuzz binary
# is under the cargo target dir, in <triple>/release/)
#   cp -r fuzz/fixture-seeds/pack NEW
#   .../release/pack -set_cover_merge=1 -use_counters=0 NEW fuzz/seeds/pack fuzz/corpus/pack
# then commit the files it added to NEW as fuzz/seeds/pack; if they are more than a couple of
# hundred, only those adding the most edges.
#
# A crash is saved under fuzz/artifacts/<target>/ and the script fails. Every crash becomes a
# named regression test before (or with) its fix, in tests/cli/regressions.rs (a module of the
# tests/cli crate): the real binary on the input, through
# tests/cli/harness.rs (`tmp`, `run_in`, `assert_file`), asserting the exact exit code and
# output; the test's name is the bug as a sentence, with `// See: <commit>` for the fix. A pack
# input is the four files joined by a `=====` line (org, forecasts, confidence, targets; see
# fuzz/fuzz_targets/pack.rs): write each part into the test's folder and pass the flags the
# target derives from the input's length (--lang zh; --strict if even; --scale len % 7;
# --rounding half-even if len % 3 == 0). A number input goes in one amount cell of a small
# pack. A workbook input is saved under fixtures/regressions/ and copied into the test's pack as
# forecasts.xlsx. Then add the input to fuzz/seeds/<target>/ too.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never
seconds=${FUZZ_SECONDS:-30}
targets=("$@")
((${#targets[@]})) || targets=(number pack workbook mapping)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi
command -v c++ >/dev/null || { apt-get update -qq && apt-get install -y -qq g++; }

# Seeds from the fixture packs, rebuilt every run (not committed: the fixtures are).
seeds=fuzz/fixture-seeds
rm -rf "$seeds"
mkdir -p "$seeds/pack" "$seeds/number" "$seeds/workbook" "$seeds/mapping"
# Workbook seeds: every workbook in the fixtures.
find fixtures -name '*.xls*' -exec cp {} "$seeds/workbook/" \;
for dir in fixtures/*/ fixtures/invalid/*/ fixtures/valid/*/; do
  [[ -f "$dir/org.csv" ]] || continue
  name=$(echo "$dir" | tr '/' '_')
  {
    cat "$dir/org.csv"; printf '\n=====\n'
    cat "$dir/forecasts.csv" 2>/dev/null || true; printf '\n=====\n'
    if [[ -f "$dir/confidence.csv" ]]; then cat "$dir/confidence.csv"; else echo "subject_id,confidence"; fi
    printf '\n=====\n'
    if [[ -f "$dir/targets.csv" ]]; then cat "$dir/targets.csv"; else echo "node_id,period,target"; fi
  } > "$seeds/pack/$name"
done
# Mapping seeds: the CRM packs kept as CSV, with their pack.toml (a workbook's role is empty).
for dir in fixtures/crm/*/ fixtures/invalid/*/; do
  [[ -f "$dir/pack.toml" ]] || continue
  name=$(echo "$dir" | tr '/' '_')
  {
    cat "$dir/pack.toml"
    for role in org forecasts confidence targets; do
      printf '\n=====\n'
      file=$(sed -n "/^\[$role\]/,/^\[/s/^file *= *\"\(.*\)\".*/\1/p" "$dir/pack.toml" | head -n 1)
      if [[ -n "$file" && "$file" == *.csv && -f "$dir/$file" ]]; then cat "$dir/$file"; fi
    done
  } > "$seeds/mapping/$name"
done
# Number seeds: every distinct cell of the fixtures that holds a digit.
cat fixtures/*/forecasts.csv fixtures/*/targets.csv fixtures/*/confidence.csv \
    fixtures/invalid/*/forecasts.csv fixtures/invalid/*/targets.csv fixtures/invalid/*/confidence.csv \
    2>/dev/null | tr ',\t;' '\n\n\n' | LC_ALL=C grep -a '[0-9]' | sort -u | awk 'NR <= 2000' |
  while IFS= read -r cell; do
    printf '%s' "$cell" > "$seeds/number/$(printf '%s' "$cell" | cksum | cut -d' ' -f1)"
  done

status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
  echo "== building $t"
  if ! cargo fuzz build -s none -a -O "$t" 2> "fuzz/$t.build.log"; then
    tail -n 30 "fuzz/$t.build.log"
    echo "fuzz: $t does not build (see fuzz/$t.build.log); nothing was fuzzed"
    status=1
    continue
  fi
  echo "== fuzzing $t for ${seconds}s"
  # New inputs go to the first folder (the working corpus); the seed folders are only read.
  if ! cargo fuzz run -s none -a -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" "$seeds/$t" -- \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      2> "fuzz/$t.log"; then
    status=1
    tail -n 40 "fuzz/$t.log"
    echo "fuzz: $t crashed; the input is in fuzz/artifacts/$t/ (reproduce: cargo fuzz run -s none -a -O $t FILE)"
    echo "fuzz: make it a named test in tests/cli/regressions.rs (see the top of scripts/fuzz.sh)"
  else
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)' "fuzz/$t.log" || true
    echo "fuzz: $t ran ${seconds}s without a crash"
  fi
done
exit "$status"
