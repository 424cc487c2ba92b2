//! What the run needs, resolved from what the user typed: the pack's files (or the built-in demo),
//! read, check and roll-up options, outputs. The only place for checks that involve more than
//! one flag.

use crate::cli::{
    ColorChoice, Command, InputArgs, Opts, OutFormat, ReviewArgs, RunArgs, ScenarioArgs,
};
use forecast_rollup::audit::{value_name, Settings};
use forecast_rollup::exact::Exact;
use forecast_rollup::load::number::parse_confidence;
use forecast_rollup::load::{folder, InputData, InputFile, PackFiles, ReadOptions};
use forecast_rollup::pipeline::{Options, ScenarioInput};
use forecast_rollup::problem::{quoted, Failure, FileKind, Problem, Problems};
use forecast_rollup::report::terminal::{Lang, TerminalOptions};
use forecast_rollup::report::Format;
use forecast_rollup::review::{Previous, ReviewOptions};
use forecast_rollup::rollup::RollupOptions;
use forecast_rollup::scenario::{ChangeKind, Request};
use forecast_rollup::t;
use forecast_rollup::text::{said, Text};
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

/// The line that says the report is the demo's.
pub(crate) fn demo_banner(lang: Lang) -> String {
    t!(
        "Demo: the built-in pack (fixtures/demo). To roll up your own: forecast-rollup run PACK_DIR",
        "演示：内置数据包（fixtures/demo）。汇总自己的数据：forecast-rollup run 数据包文件夹"
    )
    .get(lang)
    .to_string()
}

/// A flag value or a path on the command line that cannot work: an input problem of the
/// command line (exit 2, listed like every other problem), with its fix.
fn usage(message: Text, hint: Text) -> Failure {
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
    /// The pack folder, when one was given (the audit record names files inside it).
    pub pack_dir: Option<PathBuf>,
    /// What the audit record states of the options.
    pub settings: Settings,
    /// `--set`, `--set-target`, `--drop-deal`, `--scenario FILE` (run and review).
    pub scenario: Option<ScenarioInput>,
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
                (Mode::Check, RunArgs { input: c.input, lang: c.lang, ..RunArgs::default_run() })
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
            Some(
                Command::Gen(_)
                | Command::Init(_)
                | Command::Verify(_)
                | Command::Completions { .. },
            ) => return Err(anyhow::anyhow!("gen, init and completions take no pack").into()),
        };
        let input = &run.input;
        let max_confidence = parse_confidence(&input.max_confidence)
            .ok()
            .filter(|d| *d > Decimal::ZERO)
            .ok_or_else(|| {
                usage(
                    t!(
                        "--max-confidence {}: not a positive multiplier or percentage",
                        "--max-confidence {}：不是正的倍数或百分比",
                        quoted(&input.max_confidence)
                    ),
                    t!(
                        "give a positive multiplier (2) or percentage (200%)",
                        "请给出正的倍数（2）或百分比（200%）"
                    ),
                )
            })?;
        let (files, demo) = pack_files(input)?;
        let scenario = scenario_input(&run.what_if)?;
        let lang = run.lang.unwrap_or_else(Lang::from_env);
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
                // The audit record of rollup.json, rollup.xlsx, `--format json` and the
                // review's files needs forecasts.csv's SHA-256: taken while it is read.
                hash: run.out.is_some() || run.format == Format::Json,
                // A scenario's --drop-deal: set once its file is read (main.rs).
                deal_ids: None,
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
            outputs: outputs(mode, &run.formats, scenario.is_some())?,
            bom: run.bom,
            timings: run.timings,
            threads: input.threads,
            review,
            history,
            template_previous,
            pack_dir: input.pack_dir.clone(),
            settings: Settings {
                scale: run.scale,
                rounding: value_name(run.rounding),
                max_confidence: input.max_confidence.clone(),
                strict: input.strict,
                period: input.period.as_deref().map(forecast_rollup::period::normalize),
                encoding: value_name(input.encoding),
                bom: run.bom,
                lang: value_name(lang),
            },
            scenario,
        })
    }

    /// Input paths on disk, so that an output never overwrites one.
    pub(crate) fn input_paths(&self) -> Vec<PathBuf> {
        let scenario = self.scenario.as_ref().and_then(|s| s.file.as_ref());
        self.files
            .iter()
            .chain(scenario)
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
pub(crate) fn stdout_width() -> Option<usize> {
    terminal_width()
}

fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

/// A scenario's changes from the flags (each read as typed; every malformed one listed) and
/// its file; `None` without any.
fn scenario_input(a: &ScenarioArgs) -> Result<Option<ScenarioInput>, Failure> {
    if !a.given() {
        return Ok(None);
    }
    let mut ps = Problems::default();
    let mut flags = Vec::new();
    let typed = [
        (ChangeKind::Set, &a.set),
        (ChangeKind::SetTarget, &a.set_target),
        (ChangeKind::DropDeal, &a.drop_deal),
    ];
    for (kind, values) in typed {
        for v in values {
            match Request::from_flag(kind, v) {
                Ok(r) => flags.push(r),
                Err(p) => ps.push(p),
            }
        }
    }
    if !ps.is_empty() {
        return Err(Failure::Input(ps));
    }
    let file = a.scenario.as_ref().map(|path| InputFile {
        kind: FileKind::Scenario,
        display: forecast_rollup::pipeline::display(path),
        data: InputData::Path(path.clone()),
        sheet: None,
        shape: None,
    });
    Ok(Some(ScenarioInput { file, flags }))
}

/// The files `--out` writes: every format of the command, or those `--formats` lists. A
/// scenario's files are named as one (`rollup.scenario.csv`), so that they never replace the
/// pack's own; its csv is also the comparison with the baseline, `compare.scenario.csv`.
fn outputs(
    mode: Mode,
    formats: &[OutFormat],
    scenario: bool,
) -> Result<Vec<&'static str>, Failure> {
    let all: &[(OutFormat, &'static str)] = match (mode, scenario) {
        (Mode::Review, false) => &[
            (OutFormat::Md, "review.md"),
            (OutFormat::Html, "review.html"),
            (OutFormat::Xlsx, "review.xlsx"),
        ],
        (Mode::Review, true) => &[
            (OutFormat::Md, "review.scenario.md"),
            (OutFormat::Html, "review.scenario.html"),
            (OutFormat::Xlsx, "review.scenario.xlsx"),
        ],
        (_, false) => &[
            (OutFormat::Csv, "rollup.csv"),
            (OutFormat::Json, "rollup.json"),
            (OutFormat::Xlsx, "rollup.xlsx"),
            (OutFormat::Parquet, "rollup.parquet"),
        ],
        (_, true) => &[
            (OutFormat::Csv, "rollup.scenario.csv"),
            (OutFormat::Csv, "compare.scenario.csv"),
            (OutFormat::Json, "rollup.scenario.json"),
            (OutFormat::Xlsx, "rollup.scenario.xlsx"),
            (OutFormat::Parquet, "rollup.scenario.parquet"),
        ],
    };
    if formats.is_empty() {
        return Ok(all.iter().map(|(_, n)| *n).collect());
    }
    let mut names = Vec::new();
    for f in formats {
        let chosen: Vec<&'static str> =
            all.iter().filter(|(k, _)| k == f).map(|(_, n)| *n).collect();
        if chosen.is_empty() {
            let mut listed: Vec<String> =
                all.iter().map(|(k, _)| format!("{k:?}").to_lowercase()).collect();
            listed.dedup();
            let f = format!("{f:?}").to_lowercase();
            return Err(usage(
                t!(
                    "--formats: {f} is not a file this command writes",
                    "--formats：这个命令不写 {f} 文件"
                ),
                t!("give a comma list of {}", "请给出用逗号分隔的列表：{}", listed.join(", ")),
            ));
        }
        for n in chosen {
            if !names.contains(&n) {
                names.push(n);
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
                    t!(
                        "{flag} {}: not a multiplier or a percentage",
                        "{flag} {}：不是倍数或百分比",
                        quoted(value)
                    ),
                    t!(
                        "give a multiplier (0.6) or a percentage (60%)",
                        "请给出倍数（0.6）或百分比（60%）"
                    ),
                )
            })
    };
    let band_low = ratio("--band-low", &r.band_low)?;
    let band_high = ratio("--band-high", &r.band_high)?;
    if band_low >= band_high {
        return Err(usage(
            t!(
                "--band-low {} is not below --band-high {}: the band would be empty",
                "--band-low {} 不低于 --band-high {}：区间会是空的",
                r.band_low,
                r.band_high
            ),
            t!(
                "give a --band-low below --band-high (the defaults are 0.6 and 1.4)",
                "请让 --band-low 低于 --band-high（默认是 0.6 和 1.4）"
            ),
        ));
    }
    let concentration = ratio("--concentration", &r.concentration)?;
    if concentration.is_zero() || concentration > Exact::ONE {
        return Err(usage(
            t!(
                "--concentration {}: not a share above 0 and at most 1",
                "--concentration {}：不是大于 0 且不超过 1 的比例",
                quoted(&r.concentration)
            ),
            t!(
                "give a share above 0 and at most 1 (0.5) or 100% (50%)",
                "请给出大于 0 且不超过 1（0.5）或 100%（50%）的比例"
            ),
        ));
    }
    let previous = match r.previous {
        None => None,
        Some(p) if p.is_dir() => Some(Previous::Pack(p)),
        Some(p) if p.is_file() => Some(Previous::RollupJson(p)),
        Some(p) => {
            let shown = p.display();
            return Err(usage(
                    t!("--previous {shown}: not found", "--previous {shown}：找不到"),
                    t!(
                        "give the last review's pack folder or the rollup.json that run --out wrote for it",
                        "请给出上次评审的数据包文件夹，或 run --out 为它写出的 rollup.json"
                    ),
                ));
        }
    };
    if let Some(h) = &r.history {
        if !h.is_dir() {
            let shown = h.display();
            return Err(usage(
                t!(
                    "--history {shown}: not found, or not a folder",
                    "--history {shown}：找不到，或不是文件夹"
                ),
                t!(
                    "give a folder that holds the earlier packs (one folder each) and an actuals.csv",
                    "请给出一个文件夹，里面放以前的数据包（每个一个子文件夹）和 actuals.csv"
                ),
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
        what_if: r.what_if,
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
        let (shown, parent) = (dir.display(), parent.display());
        return usage(
            t!("{shown} is a file, not a pack folder", "{shown} 是文件，不是数据包文件夹"),
            t!(
                "give the folder that holds the pack's files: forecast-rollup run {parent} (or name one file with --org, --forecasts, --confidence, --targets)",
                "请给出存放数据包文件的文件夹：forecast-rollup run {parent}（或用 --org、--forecasts、--confidence、--targets 指定单个文件）"
            ),
        );
    }
    let shown = dir.display();
    usage(
        t!("pack folder {shown} does not exist", "数据包文件夹 {shown} 不存在"),
        t!(
            "give the folder that holds org.csv and forecasts.csv (and optionally confidence.csv and targets.csv)",
            "请给出存放 org.csv 和 forecasts.csv（以及可选的 confidence.csv 和 targets.csv）的文件夹"
        ),
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
                let shown = dir.display();
                let why = t!("cannot read the folder {shown}", "无法读取文件夹 {shown}");
                anyhow::Error::new(said(why).because(e))
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
