//! What the user typed: clap's derive of the command line. `config.rs` turns it into what the
//! run needs.

use clap::{Args, Parser, Subcommand};
use forecast_rollup::exact::Rounding;
use forecast_rollup::load::encoding::EncodingChoice;
use forecast_rollup::report::terminal::Lang;
use forecast_rollup::report::Format;
use std::path::PathBuf;

/// Bottom-up sales forecast roll-up: each rep's forecast (预测), each manager's confidence
/// multiplier (信心指数) on each direct report, rolled up rep → supervisor → region → national and
/// set against targets (目标). Exact to the cent; the same inputs always give the same bytes.
///
/// With no command it runs the built-in demo pack.
#[derive(Debug, Parser)]
#[command(
    name = "forecast-rollup",
    version,
    max_term_width = 100,
    after_help = crate::help::MORE,
    after_long_help = crate::help::TOP
)]
pub(crate) struct Opts {
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Opts {
    /// The language of everything the command prints: its --lang, else the locale's.
    pub fn lang(&self) -> Lang {
        let flag = match &self.command {
            Some(Command::Run(r)) => r.lang,
            Some(Command::Check(c)) => c.lang,
            Some(Command::Review(r)) => r.lang,
            Some(Command::Template(t)) => t.lang,
            Some(Command::Init(i)) => i.lang,
            Some(Command::Verify(v)) => v.lang,
            Some(Command::Gen(_) | Command::Completions { .. }) | None => None,
        };
        flag.unwrap_or_else(Lang::from_env)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Roll up a pack and print the report; --out DIR also writes rollup.csv, rollup.json,
    /// rollup.xlsx and rollup.parquet.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::RUN)]
    Run(RunArgs),
    /// Validate a pack only: list every problem, exit 2 if there is any.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::CHECK)]
    Check(CheckArgs),
    /// The 扒皮会 review: layer waterfall, agenda per manager, flags, what moved since the last
    /// review (--previous) and whose judgment to trust (--history); --out DIR also writes
    /// review.md, review.html and review.xlsx.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::REVIEW)]
    Review(ReviewArgs),
    /// Write confidence.xlsx for the managers: one sheet per manager listing their direct
    /// reports with raw and forecast, and an empty 信心指数 and 备注 to fill in. The filled
    /// workbook (or a confidence/ folder of the returned ones) is read as the pack's confidence.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::TEMPLATE)]
    Template(TemplateArgs),
    /// Draft a pack.toml for a folder of CRM and HR exports: recognises the columns of the
    /// common exports and prints which column it took for what. Check it, then run `check`.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::INIT)]
    Init(InitArgs),
    /// Check that the rollup files in OUT_DIR are exactly what PACK_DIR gives: the pack is read
    /// again with the options recorded in OUT_DIR's rollup.json, and every input that changed
    /// and the first row and cell of every file that differs are named.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::VERIFY)]
    Verify(VerifyArgs),
    /// Print the shell completion script for bash, zsh, fish, powershell or elvish on stdout.
    #[command(after_help = crate::help::MORE, after_long_help = crate::help::COMPLETIONS)]
    Completions {
        /// The shell the script is for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a generated pack of any size (for benchmarks and scale tests).
    #[command(hide = true)]
    Gen(forecast_rollup::gen::Shape),
}

/// When to colour the terminal report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// A file `--out` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutFormat {
    Csv,
    Json,
    Xlsx,
    Parquet,
    Md,
    Html,
}

/// `template`'s arguments.
#[derive(Debug, Args, Default)]
pub(crate) struct TemplateArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The last review's pack folder: each report's confidence given then is shown beside the
    /// empty cell.
    #[arg(long, value_name = "PACK_DIR")]
    pub previous: Option<PathBuf>,

    /// Where to write confidence.xlsx (made if missing).
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,

    /// Language of the headers and messages in the workbook (default: Chinese if LANG starts
    /// with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

/// `init`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder holding the exports (a deal export, an employee list, targets, …).
    pub dir: PathBuf,

    /// Replace a pack.toml already in the folder.
    #[arg(long)]
    pub force: bool,

    /// Text encoding of CSV exports; auto reads a BOM, else UTF-8, else GB18030 (GBK).
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    pub encoding: EncodingChoice,

    /// Language of what it prints (default: Chinese if LC_ALL, LC_MESSAGES or LANG starts
    /// with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

/// `verify`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The pack folder the outputs were made from.
    pub pack_dir: PathBuf,

    /// The folder `run --out` wrote (its rollup.json holds the audit record).
    pub out_dir: PathBuf,

    /// Language of what it prints (default: Chinese if LC_ALL, LC_MESSAGES or LANG starts
    /// with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

/// Where the pack is and how to read it.
#[derive(Debug, Args, Default)]
pub(crate) struct InputArgs {
    /// The pack folder (org.csv, forecasts.csv, and optionally confidence.csv and targets.csv).
    /// Without it, the built-in demo pack.
    pub pack_dir: Option<PathBuf>,

    /// org.csv to use instead of PACK_DIR/org.csv.
    #[arg(long, value_name = "FILE")]
    pub org: Option<PathBuf>,

    /// forecasts.csv to use instead of PACK_DIR/forecasts.csv.
    #[arg(long, value_name = "FILE")]
    pub forecasts: Option<PathBuf>,

    /// confidence.csv to use instead of PACK_DIR/confidence.csv.
    #[arg(long, value_name = "FILE")]
    pub confidence: Option<PathBuf>,

    /// targets.csv to use instead of PACK_DIR/targets.csv.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,

    /// Text encoding of the files; auto reads a BOM, else UTF-8, else GB18030 (GBK).
    #[arg(long, value_enum, default_value_t = EncodingChoice::Auto)]
    pub encoding: EncodingChoice,

    /// Largest confidence allowed, as a multiplier (2) or a percentage (200%).
    #[arg(long, value_name = "X", default_value = "2")]
    pub max_confidence: String,

    /// Make a node with no confidence for a period an error instead of counting it at 1.
    #[arg(long)]
    pub strict: bool,

    /// Keep only this period (e.g. 2026-Q4). Every row is still checked.
    #[arg(long, value_name = "P")]
    pub period: Option<String>,

    /// Worker threads (default: one per core; RAYON_NUM_THREADS also works).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// A scenario: changes rolled up beside the pack as given, which is never changed.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct ScenarioArgs {
    /// What if: the confidence ID's manager gives ID, in every period (ID=0.9) or in one
    /// (ID@2026-Q4=90%). The pack as given is the baseline: the report shows both, and --out
    /// writes the scenario's files as *.scenario.* beside (never over) the baseline's.
    #[arg(long = "set", value_name = "ID[@P]=X")]
    pub set: Vec<String>,

    /// What if: ID's target for period P.
    #[arg(long, value_name = "ID@P=AMOUNT")]
    pub set_target: Vec<String>,

    /// What if: every forecast line of this deal left out (DEAL_ID@P: in one period).
    #[arg(long, value_name = "DEAL_ID[@P]")]
    pub drop_deal: Vec<String>,

    /// A CSV of changes, one per row with a note: change,id,period,value,note (change: set,
    /// set-target or drop-deal). The flags add to it.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

impl ScenarioArgs {
    pub fn given(&self) -> bool {
        self.scenario.is_some()
            || !self.set.is_empty()
            || !self.set_target.is_empty()
            || !self.drop_deal.is_empty()
    }
}

/// `check`: the pack, and optionally a history folder to validate with it.
#[derive(Debug, Args, Default)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Also check this history folder: each earlier pack in it and its actuals.csv.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Language of the problems and the account (default: Chinese if LC_ALL, LC_MESSAGES or
    /// LANG starts with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

/// `review`: the pack under review, what to compare it with, and the review's thresholds.
#[derive(Debug, Args, Default)]
pub(crate) struct ReviewArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub what_if: ScenarioArgs,

    /// The last review to compare with: its pack folder (changes deal by deal) or the
    /// rollup.json that `run --out` wrote for it (changes node by node only).
    #[arg(long, value_name = "PACK_DIR|rollup.json")]
    pub previous: Option<PathBuf>,

    /// Earlier packs (one folder each) and an actuals.csv (rep_id,period,amount) of what was
    /// booked: each rep's record against their raw forecasts, and each manager's against theirs.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Also write review.md, review.html and review.xlsx into this folder (created if missing;
    /// every file whole, or none).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Which files --out writes: a comma list of md, html, xlsx (default: all).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_enum)]
    pub formats: Vec<OutFormat>,

    /// Language of the review (default: Chinese if LANG starts with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Fit every line in N columns (default: the terminal's width; no limit for a file or a
    /// pipe).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,

    /// Flag a confidence below this multiplier (0.6) or percentage (60%).
    #[arg(long, value_name = "X", default_value = "0.6")]
    pub band_low: String,

    /// Flag a confidence above this multiplier (1.4) or percentage (140%).
    #[arg(long, value_name = "X", default_value = "1.4")]
    pub band_high: String,

    /// Flag a rep or a deal carrying more than this share of its team's raw forecast (0.5 or 50%).
    #[arg(long, value_name = "SHARE", default_value = "50%")]
    pub concentration: String,

    /// How hard a rep's record is pulled toward 1: as if each rep had this many more periods
    /// in which they booked exactly what they forecast.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub prior_periods: u32,

    /// Rows shown per list in the terminal (the files have every row).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Decimals of money.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub scale: u32,

    /// How a value exactly halfway is rounded: half-up (四舍五入, away from zero) or half-even.
    #[arg(long, value_enum, default_value_t = Rounding::HalfUp)]
    pub rounding: Rounding,
}

#[derive(Debug, Args, Default)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub what_if: ScenarioArgs,

    /// Also write rollup.csv, rollup.json, rollup.xlsx and rollup.parquet into this folder
    /// (created if missing; every file whole, or none).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Which files --out writes: a comma list of csv, json, xlsx, parquet (default: all).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_enum)]
    pub formats: Vec<OutFormat>,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Show the tree in the table down to this depth only (0 = national only).
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,

    /// Decimals of money in the outputs.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub scale: u32,

    /// How a value exactly halfway is rounded: half-up (四舍五入, away from zero) or half-even.
    #[arg(long, value_enum, default_value_t = Rounding::HalfUp)]
    pub rounding: Rounding,

    /// Start rollup.csv with a UTF-8 BOM, which Excel needs to show Chinese correctly.
    #[arg(long)]
    pub bom: bool,

    /// Language of the table's labels (default: Chinese if LANG starts with zh, else English).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Colour in the terminal: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Fit every line of the report in N columns (default: the terminal's width; no limit when
    /// stdout is a file or a pipe).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,

    /// Print the time each stage took on stderr.
    #[arg(long)]
    pub timings: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Opts::command().debug_assert();
    }
}
