//! What `--help` shows after the flags: worked examples for each command, the exit codes and
//! the numbers a pack may hold. `-h` shows [`MORE`], a pointer here.
//!
//! The examples are real: they run from a checkout on its `fixtures/` packs, and the test
//! `help::every_example_in_the_help_runs_and_exits_as_documented` runs each one and checks its
//! exit code, so the help cannot drift from the program. In an `Examples` section, a line
//! indented by four spaces is a command (ending in `# exits N` when N is not 0); a line indented
//! by two describes the commands under it. The values between backticks in `Numbers` are put in
//! a pack by the test `help::every_number_in_the_help_is_read_or_refused_as_it_says`.

/// The `after_help` of every command: what `--help` adds.
pub(crate) const MORE: &str =
    "Worked examples, the exit codes and the numbers read: --help (forecast-rollup help COMMAND)";

/// Where the examples run from, and where what they write goes.
macro_rules! examples {
    () => {
        "\
Examples, to run from a checkout (the packs are its fixtures/; files are written to new folders):
"
    };
}

/// One exit-code policy for every command (main.rs `ExitStatus`).
macro_rules! exit_codes {
    () => {
        "
Exit codes:
  0  done; also --help, --version, and a stdout closed early (`| head`)
  2  the input is wrong: the pack's files, its pack.toml or the command line. Every problem is
     listed on stderr (a file's at its file:line, with a hint), and nothing is written
  1  anything else, with one message on stderr: a file that cannot be read or written, an --out
     that is a file, a bug
"
    };
}

/// What load/number.rs reads and refuses, and what load/confidence.rs adds for confidences.
macro_rules! numbers {
    () => {
        "
Numbers (the same in CSV files and in workbook cells):
  Money: forecasts.csv's amount (预测金额), targets.csv's target (目标), actuals.csv's amount
    read:     `1234`  `1234.5`  `-12.30`  `+5`  `1,234.56`  `¥1,234.56`  `￥1234`  `¥-12`
              `1200元`  `(1,234.56)` = -1234.56  `−500`  `１２３４．５` (full width)
              `-` and `¥-` = 0 (Excel's accounting zero); spaces around; at most 28 digits
    refused:  `1.23E+06` (scientific: Excel's display, the digits are already lost),
              `1.05万` `3亿` (write 10500), `1.234,56` `12,75` (decimal comma), `1,23,456`
              (Indian grouping), `10 500` (spaced digits), `$12` `USD 12` (one currency: yuan),
              `90%`, `#N/A`, `'1234` (Excel's text mark), `?26,500.00` (a GBK export that lost
              its ¥), an empty cell, text
  Confidence (信心指数) in confidence.csv: a multiplier or a percentage
    read:     `0.5`  `1`  `1.25`  `0`  `90%` = 0.9  `112.5%`  `１２５％`, up to --max-confidence
              (default 2); in the template's 信心指数 column an empty cell is \"not reviewed\"
    refused:  `-0.5`, `0,9` (decimal comma), `9` and `12.5` above the maximum (\"did you mean
              0.9 (90%)?\"), `1.25%` (under 10% with a %: \"did you mean 125%?\"), `high`, an
              empty cell (leave the row out for a node not reviewed)
  --max-confidence, --band-low, --band-high and --concentration read 2 or 200% the same way.
"
    };
}

/// `forecast-rollup --help`.
pub(crate) const TOP: &str = concat!(
    examples!(),
    "
  The built-in demo pack, rolled up and printed:
    forecast-rollup

  A pack folder: org.csv, forecasts.csv (预测), confidence.csv (信心指数), targets.csv (目标):
    forecast-rollup run fixtures/handcalc

  Validate only; a pack with problems lists every one of them and writes nothing:
    forecast-rollup check fixtures/handcalc
    forecast-rollup check fixtures/invalid/several_problems_at_once    # exits 2

  The 扒皮会 review, with what moved since the last one:
    forecast-rollup review fixtures/review/planted --previous fixtures/review/planted_previous

  What if we give 华南 (RG-S) 0.9? The scenario beside the pack as given, which is not changed:
    forecast-rollup run --set RG-S=0.9

  A command's own examples, and tab completion for a shell:
    forecast-rollup help run
    forecast-rollup help completions
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup run --help`.
pub(crate) const RUN: &str = concat!(
    examples!(),
    "
  The built-in demo pack (fixtures/demo), as the room sees it:
    forecast-rollup run

  The README's hand-computed pack:
    forecast-rollup run fixtures/handcalc

  One period of a five-level pack, the tree down to depth 2 (national is 0), in Chinese:
    forecast-rollup run fixtures/deep_utf8 --period 2026-Q4 --depth 2 --lang zh

  Also write out/rollup.csv, out/rollup.json and out/rollup.xlsx (every file whole, or none):
    forecast-rollup run fixtures/handcalc --out out

  Only rollup.csv, with the BOM Excel needs to show Chinese; rollup.json on stdout:
    forecast-rollup run fixtures/handcalc --out out --formats csv --bom
    forecast-rollup run fixtures/handcalc --format json

  What if we give 华南 (RS) 0.9? Baseline and scenario side by side at every node it touches:
    forecast-rollup run fixtures/scenario --set RS=0.9

  A deal lost and a target moved, in one period (ID@P); a confidence as a percentage:
    forecast-rollup run fixtures/scenario --drop-deal D-1 --set-target RS@2026-Q4=300 --set A=100%

  A scenario file, a change per row with its note; out/rollup.scenario.csv, .json, .xlsx and
  out/compare.scenario.csv are written beside the baseline's files, never over them:
    forecast-rollup run fixtures/scenario --scenario fixtures/scenario/whatif.csv --out out

  An id that is not in org.csv, named at its flag with \"did you mean\":
    forecast-rollup run fixtures/scenario --set rs=0.9    # exits 2

  A CRM's own exports, read through the pack.toml beside them:
    forecast-rollup run fixtures/crm/wukong

  Amounts as exports write them (¥, ￥, 元, full width, accounting negatives) are read:
    forecast-rollup run fixtures/valid/fullwidth_digits_and_yen

  An amount in 万 is refused, with the whole number to write instead:
    forecast-rollup run fixtures/invalid/wan_unit_amount    # exits 2

  An --out that names a file, not a folder:
    forecast-rollup run fixtures/handcalc --out fixtures/handcalc/org.csv    # exits 1
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup check --help`.
pub(crate) const CHECK: &str = concat!(
    examples!(),
    "
  The rows read from each file and what the data covers, on stdout:
    forecast-rollup check fixtures/handcalc

  A CRM export: the mapping its pack.toml made, and the rows each file used and left out:
    forecast-rollup check fixtures/crm/salesforce

  Also the folder that review --history reads (earlier packs and their actuals.csv):
    forecast-rollup check fixtures/review/trust --history fixtures/history

  Every problem of every file at once, each at its file:line with a hint; nothing written:
    forecast-rollup check fixtures/invalid/several_problems_at_once    # exits 2

  A 信心指数 of 9 or 12.5 is refused (\"did you mean 0.9 (90%)?\"):
    forecast-rollup check fixtures/invalid/confidence_9_and_12_5    # exits 2

  --strict: a node nobody gave a confidence is a problem instead of counting at 1:
    forecast-rollup check fixtures/handcalc --strict    # exits 2
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup review --help`.
pub(crate) const REVIEW: &str = concat!(
    examples!(),
    "
  The 扒皮会 review in the terminal: headline, tree, layer waterfall, flags, agendas:
    forecast-rollup review fixtures/review/planted

  What moved since the last review, deal by deal (its pack folder):
    forecast-rollup review fixtures/review/planted --previous fixtures/review/planted_previous

  The same node by node, from the rollup.json that run --out wrote for the last review:
    forecast-rollup run fixtures/review/planted_previous --out last
    forecast-rollup review fixtures/review/planted --previous last/rollup.json

  Whose judgment to trust: earlier packs and what was booked (actuals.csv):
    forecast-rollup review fixtures/review/trust --history fixtures/history

  Also write out/review.md, out/review.html and out/review.xlsx, in Chinese:
    forecast-rollup review fixtures/review/planted --out out --lang zh

  Flag a confidence under 70% (default 0.6) and a rep or deal over 40% of its team (default 50%):
    forecast-rollup review fixtures/review/planted --band-low 70% --concentration 0.4

  The review of a scenario (its waterfall, flags and agendas), the baseline beside each period;
  --out writes review.scenario.md, .html and .xlsx:
    forecast-rollup review fixtures/scenario --scenario fixtures/scenario/whatif.csv

  A band whose low end is above its high end:
    forecast-rollup review fixtures/review/planted --band-low 1.5    # exits 2
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup template --help`.
pub(crate) const TEMPLATE: &str = concat!(
    examples!(),
    "
  out/confidence.xlsx: a sheet per manager, their direct reports, an empty 信心指数 to fill in:
    forecast-rollup template fixtures/handcalc --out out

  With the confidence each report was given last quarter beside the empty cell:
    forecast-rollup template fixtures/history/2025-Q4 --previous fixtures/history/2025-Q3 --out out

  A pack with two periods (the demo has 2026-Q4 and 2027-Q1) needs --period:
    forecast-rollup template --out out    # exits 2
    forecast-rollup template --period 2026-Q4 --out out --lang zh

  Then put the filled workbook in the pack folder as confidence.xlsx, or the managers' own files
  in a confidence/ folder there, and run the pack as usual.
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup init --help`.
pub(crate) const INIT: &str = concat!(
    examples!(),
    "
  Draft pack.toml for a folder of CRM exports (Salesforce-style CSVs copied from a fixture),
  see which column it took for what, then check the pack it maps:
    mkdir exports
    cp fixtures/crm/salesforce/*.csv exports
    forecast-rollup init exports
    forecast-rollup check exports

  A pack.toml already in the folder is not replaced; --force replaces it:
    forecast-rollup init exports    # exits 2
    forecast-rollup init exports --force

  A file where the folder should be:
    forecast-rollup init fixtures/crm/salesforce/Users.csv    # exits 1
",
    exit_codes!(),
    numbers!()
);

/// `forecast-rollup verify --help`.
pub(crate) const VERIFY: &str = concat!(
    examples!(),
    "
  Roll a pack up into out/, then check that out/ is exactly what the pack gives:
    forecast-rollup run fixtures/handcalc --out out
    forecast-rollup verify fixtures/handcalc out

  Against another pack, every input that differs is named, with the first cell of each file:
    forecast-rollup verify fixtures/deep_utf8 out    # exits 2
",
    "
Exit codes:
  0  every rollup file in OUT_DIR is exactly what PACK_DIR gives with the recorded options
  2  one is not, or an input changed since: each difference is listed on stdout
  1  anything else, with one message on stderr: OUT_DIR has no rollup.json, a file that cannot
     be read, a bug
"
);

/// `forecast-rollup completions --help`.
pub(crate) const COMPLETIONS: &str = concat!(
    "\
Examples:

  The script for bash, on stdout; PowerShell's, into a file:
    forecast-rollup completions bash
    forecast-rollup completions powershell > forecast-rollup.ps1

Installing (once):
  bash        in ~/.bashrc:  source <(forecast-rollup completions bash)
  zsh         mkdir -p ~/.zfunc && forecast-rollup completions zsh > ~/.zfunc/_forecast-rollup
              and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath)
  fish        forecast-rollup completions fish > ~/.config/fish/completions/forecast-rollup.fish
  PowerShell  in your profile (notepad $PROFILE):
                forecast-rollup completions powershell | Out-String | Invoke-Expression
  elvish      in ~/.config/elvish/rc.elv:  eval (forecast-rollup completions elvish | slurp)
",
    exit_codes!()
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns a line takes in a terminal: CJK and full-width characters take two.
    fn width(line: &str) -> usize {
        line.chars()
            .map(|c| match c as u32 {
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
                0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
                _ => 1,
            })
            .sum()
    }

    #[test]
    fn every_line_fits_in_100_columns() {
        for text in [MORE, TOP, RUN, CHECK, REVIEW, TEMPLATE, INIT, VERIFY, COMPLETIONS] {
            for line in text.lines() {
                assert!(width(line) <= 100, "{} columns: {line}", width(line));
            }
        }
    }
}
