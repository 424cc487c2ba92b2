//! What the run needs, resolved from what the user typed: the pack's files (or the built-in demo),
//! read, check and roll-up options, outputs. The only place for checks that involve more than
//! one flag.

use crate::cli::{ColorChoice, Command, InputArgs, Opts, OutFormat, ReviewArgs, RunArgs};
use forecast_rollup::exact::Exact;
use forecast_rollup::load::number::parse_confidence;
use forecast_rollup::load::{folder, InputData, InputFile, PackFiles, ReadOptions};
use forecast_rollup::pipeline::Options;
use forecast_rollup::problem::{quoted, Failure, FileKind, Problem, Problems};
use forecast_rollup::report::terminal::{Lang, TerminalOptions};
use forecast_rollup::report::Format;
use forecast_rollup::review::{Previous, ReviewOptions};
use forecast_rollup::rollup::RollupOptions;
use forecast_rollup::validate::CheckOptions;
use rust_decimal::Decimal;
use std::io::IsTerminal;
use std::path::PathBuf;

/// The built-in demo pack, compiled in so `forecast-rollup` with no arguments shows a report.
const DEMO: [(FileKind, &[u8]); 4] = [
    (FileKind::Org, include_bytes!("../fixtures/demo/org.csv")),
    (FileKind::Forecasts, include_bytes!("../fixtures/demo/forecasts.csv")),
    (FileKind::Confidence, include_bytes!("../fixtures/demo/confidence.csv")),
    (FileKind::Targets, include_bytes!("../fixtures/demo/targets.csv")),
];

pub(crate) const DEMO_BANNER: &str =
    "Demo: the built-in pack (fixtures/demo). To roll up your own: forecast-rollup run PACK_DIR";

/// A flag value or a path on the command line that cannot work: an input problem of the
/// command line (exit 2, listed like every other problem), with its fix.
fn usage(message: String, hint: impl Into<String>) -> Failure {
    let mut ps = Problems::default();
    ps.push(Problem::file(FileKind::CommandLine, message).hint(hint));
    Failure::Input(ps)
}

/// What the command does after validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Check,
    Run,
    Review,
    /// `template`: confidence.xlsx for the managers.
    Template,
}

#[derive(Debug)]
pub(crate) struct Config {
    pub mode: Mode,
    pub files: PackFiles,
    pub demo: bool,
    /// How the pack is read, checked and rolled up.
    pub pipeline: Options,
    pub format: Format,
    pub terminal: TerminalOptions,
    pub out: Option<PathBuf>,
    /// The files `--out` writes (`--formats`), each a name in the folder.
    pub outputs: Vec<&'static str>,
    pub bom: bool,
    pub timings: bool,
    pub threads: Option<usize>,
    /// `review`'s options; `None` for the other commands.
    pub review: Option<ReviewOptions>,
    /// `check --history DIR` or `review --history DIR`.
    pub history: Option<PathBuf>,
    /// `template --previous PACK_DIR`.
    pub template_previous: Option<PathBuf>,
}

impl Config {
    pub(crate) fn from_opts(opts: Opts) -> Result<Config, Failure> {
        let mut review = None;
        let mut history = None;
        let mut template_previous = None;
        let (mode, run) = match opts.command {
            None => (Mode::Run, RunArgs::default_run()),
            Some(Command::Run(r)) => (Mode::Run, r),
            Some(Command::Check(c)) => {
                history = c.history;
                (Mode::Check, RunArgs { input: c.input, ..RunArgs::default_run() })
            }
            Some(Command::Review(r)) => {
                let (run, options, hist) = review_options(r)?;
                review = Some(options);
                history = hist;
                (Mode::Review, run)
            }
            // main.rs runs the generator before any Config is built.
            Some(Command::Template(t)) => {
                template_previous = t.previous;
                let run =
                    RunArgs { input: t.input, out: t.out, lang: t.lang, ..RunArgs::default_run() };
                (Mode::Template, run)
            }
            Some(Command::Gen(_) | Command::Init(_)) => {
                return Err(anyhow::anyhow!("gen and init take no pack").into())
            }
        };
        let input = &run.input;
        let max_confidence = parse_confidence(&input.max_confidence)
            .ok()
            .filter(|d| *d > Decimal::ZERO)
            .ok_or_else(|| {
                usage(
                    format!(
                        "--max-confidence {}: not a positive multiplier or percentage",
                        quoted(&input.max_confidence)
                    ),
                    "give a positive multiplier (2) or percentage (200%)",
                )
            })?;
        let (files, demo) = pack_files(input)?;
        let lang = run.lang.unwrap_or_else(|| {
            let lang = std::env::var("LC_ALL")
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var("LANG").ok())
                .unwrap_or_default();
            if lang.starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        });
        Ok(Config {
            mode,
            files,
            demo,
            pipeline: Options {
                read: ReadOptions { encoding: input.encoding },
                max_confidence,
                check: CheckOptions {
                    strict: input.strict,
                    only_period: input.period.as_deref().map(forecast_rollup::period::normalize),
                },
                rollup: RollupOptions { scale: run.scale, rounding: run.rounding },
                deals: mode == Mode::Review,
            },
            format: run.format,
            terminal: TerminalOptions {
                lang,
                depth: run.depth,
                width: run.width.or_else(terminal_width),
                color: match run.color {
                    ColorChoice::Always => true,
                    ColorChoice::Never => false,
                    ColorChoice::Auto => {
                        std::io::stdout().is_terminal()
                            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                            && std::env::var("TERM").map_or(true, |t| t != "dumb")
                    }
                },
            },
            out: run.out.clone(),
            outputs: outputs(mode, &run.formats)?,
            bom: run.bom,
            timings: run.timings,
            threads: input.threads,
            review,
            history,
            template_previous,
        })
    }

    /// Input paths on disk, so that an output never overwrites one.
    pub(crate) fn input_paths(&self) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter_map(|f| match &f.data {
                InputData::Path(p) => Some(p.clone()),
                InputData::Embedded(_) | InputData::Bytes(_) => None,
            })
            .collect()
    }
}

impl RunArgs {
    fn default_run() -> RunArgs {
        RunArgs {
            input: InputArgs { max_confidence: "2".into(), ..InputArgs::default() },
            format: Format::Table,
            scale: 2,
            rounding: forecast_rollup::exact::Rounding::HalfUp,
            ..RunArgs::default()
        }
    }
}

/// The width of the terminal stdout writes to; `None` for a file or a pipe.
fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// The files `--out` writes: every format of the command, or those `--formats` lists.
fn outputs(mode: Mode, formats: &[OutFormat]) -> Result<Vec<&'static str>, Failure> {
    let all: &[(OutFormat, &'static str)] = match mode {
        Mode::Review => &[
            (OutFormat::Md, "review.md"),
            (OutFormat::Html, "review.html"),
            (OutFormat::Xlsx, "review.xlsx"),
        ],
        _ => &[
            (OutFormat::Csv, "rollup.csv"),
            (OutFormat::Json, "rollup.json"),
            (OutFormat::Xlsx, "rollup.xlsx"),
            (OutFormat::Parquet, "rollup.parquet"),
        ],
    };
    if formats.is_empty() {
        return Ok(all.iter().map(|(_, n)| *n).collect());
    }
    let mut names = Vec::new();
    for f in formats {
        match all.iter().find(|(k, _)| k == f) {
            Some((_, n)) if !names.contains(n) => names.push(*n),
            Some(_) => {}
            None => {
                let listed: Vec<String> =
                    all.iter().map(|(k, _)| format!("{k:?}").to_lowercase()).collect();
                return Err(usage(
                    format!(
                        "--formats: {} is not a file this command writes",
                        format!("{f:?}").to_lowercase()
                    ),
                    format!("give a comma list of {}", listed.join(", ")),
                ));
            }
        }
    }
    Ok(names)
}

/// `review`'s flags: thresholds checked one by one and together, the previous review and the
/// history folder found on disk.
fn review_options(r: ReviewArgs) -> Result<(RunArgs, ReviewOptions, Option<PathBuf>), Failure> {
    let ratio = |flag: &'static str, value: &str| -> Result<Exact, Failure> {
        parse_confidence(value)
            .ok()
            .filter(|d| *d >= Decimal::ZERO)
            .map(Exact::from_decimal)
            .ok_or_else(|| {
                usage(
                    format!("{flag} {}: not a multiplier or a percentage", quoted(value)),
                    "give a multiplier (0.6) or a percentage (60%)",
                )
            })
    };
    let band_low = ratio("--band-low", &r.band_low)?;
    let band_high = ratio("--band-high", &r.band_high)?;
    if band_low >= band_high {
        return Err(usage(
            format!(
                "--band-low {} is not below --band-high {}: the band would be empty",
                r.band_low, r.band_high
            ),
            "give a --band-low below --band-high (the defaults are 0.6 and 1.4)",
        ));
    }
    let concentration = ratio("--concentration", &r.concentration)?;
    if concentration.is_zero() || concentration > Exact::ONE {
        return Err(usage(
            format!(
                "--concentration {}: not a share above 0 and at most 1",
                quoted(&r.concentration)
            ),
            "give a share above 0 and at most 1 (0.5) or 100% (50%)",
        ));
    }
    let previous =
        match r.previous {
            None => None,
            Some(p) if p.is_dir() => Some(Previous::Pack(p)),
            Some(p) if p.is_file() => Some(Previous::RollupJson(p)),
            Some(p) => return Err(usage(
                format!("--previous {}: not found", p.display()),
                "give the last review's pack folder or the rollup.json that run --out wrote for it",
            )),
        };
    if let Some(h) = &r.history {
        if !h.is_dir() {
            return Err(usage(
                format!("--history {}: not found, or not a folder", h.display()),
                "give a folder that holds the earlier packs (one folder each) and an actuals.csv",
            ));
        }
    }
    let options = ReviewOptions {
        band_low,
        band_high,
        concentration,
        prior_periods: r.prior_periods,
        top: r.top.max(1),
        previous,
    };
    let run = RunArgs {
        input: r.input,
        out: r.out,
        formats: r.formats,
        lang: r.lang,
        width: r.width,
        scale: r.scale,
        rounding: r.rounding,
        ..RunArgs::default_run()
    };
    Ok((run, options, r.history))
}

/// A PACK_DIR that is not a folder: a file of a pack (name the folder that holds it) or
/// nothing at all.
fn not_a_pack_folder(dir: &std::path::Path) -> Failure {
    if dir.is_file() {
        let parent =
            dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        return usage(
            format!("{} is a file, not a pack folder", dir.display()),
            format!(
                "give the folder that holds the pack's files: forecast-rollup run {} (or name one file with --org, --forecasts, --confidence, --targets)",
                parent.display()
            ),
        );
    }
    usage(
        format!("pack folder {} does not exist", dir.display()),
        "give the folder that holds org.csv and forecasts.csv (and optionally confidence.csv and targets.csv)",
    )
}

fn pack_files(input: &InputArgs) -> Result<(PackFiles, bool), Failure> {
    let overrides = [&input.org, &input.forecasts, &input.confidence, &input.targets];
    if input.pack_dir.is_none() && overrides.iter().all(|o| o.is_none()) {
        let demo = |k: FileKind| InputFile {
            kind: k,
            display: format!("demo/{}", k.file_name()),
            data: InputData::Embedded(DEMO[k as usize - FileKind::Org as usize].1),
            sheet: None,
            shape: None,
        };
        let files = PackFiles {
            org: demo(FileKind::Org),
            forecasts: demo(FileKind::Forecasts),
            confidence: Some(demo(FileKind::Confidence)),
            targets: Some(demo(FileKind::Targets)),
            found: Vec::new(),
            not_read: Vec::new(),
            mapping: None,
            shapes: Vec::new(),
            held: Vec::new(),
        };
        return Ok((files, true));
    }
    if let Some(dir) = &input.pack_dir {
        if !dir.is_dir() {
            return Err(not_a_pack_folder(dir));
        }
    }
    // The folder's files by name; a file named on the command line takes its role instead.
    let mut files = match &input.pack_dir {
        Some(dir) => {
            let scan = folder::scan(dir).map_err(|e| {
                anyhow::Error::new(e).context(format!("cannot read the folder {}", dir.display()))
            })?;
            folder::pack_files(dir, &scan)
        }
        None => folder::pack_files(std::path::Path::new("."), &folder::Scan::default()),
    };
    let named = |kind: FileKind, path: &PathBuf| InputFile {
        kind,
        display: forecast_rollup::pipeline::display(path),
        data: InputData::Path(path.clone()),
        sheet: None,
        shape: None,
    };
    if let Some(p) = &input.org {
        files.org = named(FileKind::Org, p);
    }
    if let Some(p) = &input.forecasts {
        files.forecasts = named(FileKind::Forecasts, p);
    }
    if let Some(p) = &input.confidence {
        files.confidence = Some(named(FileKind::Confidence, p));
    }
    if let Some(p) = &input.targets {
        files.targets = Some(named(FileKind::Targets, p));
    }
    let overridden = |k: FileKind| match k {
        FileKind::Org => input.org.is_some(),
        FileKind::Forecasts => input.forecasts.is_some(),
        FileKind::Confidence => input.confidence.is_some(),
        FileKind::Targets => input.targets.is_some(),
        _ => false,
    };
    files.found.retain(|p| !overridden(p.file));
    files.held.retain(|k| !overridden(*k));
    Ok((files, false))
}
