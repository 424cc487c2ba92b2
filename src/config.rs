//! What the run needs, resolved from what the user typed: the pack's files (or the built-in demo),
//! read, check and roll-up options, outputs. The only place for checks that involve more than
//! one flag.

use crate::cli::{Command, InputArgs, Opts, RunArgs};
use crate::load::number::parse_confidence;
use crate::load::{InputData, InputFile, PackFiles, ReadOptions};
use crate::problem::FileKind;
use crate::report::terminal::{Lang, TerminalOptions};
use crate::report::Format;
use crate::rollup::RollupOptions;
use crate::validate::CheckOptions;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// The built-in demo pack, compiled in so `forecast-rollup` with no arguments shows a report.
const DEMO: [(FileKind, &[u8]); 4] = [
    (FileKind::Org, include_bytes!("../fixtures/demo/org.csv")),
    (FileKind::Forecasts, include_bytes!("../fixtures/demo/forecasts.csv")),
    (FileKind::Confidence, include_bytes!("../fixtures/demo/confidence.csv")),
    (FileKind::Targets, include_bytes!("../fixtures/demo/targets.csv")),
];

pub(crate) const DEMO_BANNER: &str =
    "Demo: the built-in pack (fixtures/demo). To roll up your own: forecast-rollup run PACK_DIR";

/// A flag value, pack folder or input file that cannot work: the input is wrong, so exit 2 like
/// clap's own usage errors.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// An input file past a size limit (see `load::MAX_SMALL_FILE`, `load::encoding::MAX_LINE`).
    #[error("{0}")]
    TooLarge(String),
    #[error("--max-confidence {0:?}: give a positive multiplier (2) or percentage (200%)")]
    MaxConfidence(String),
    #[error("pack folder {0} does not exist (or is not a folder)")]
    PackDir(String),
}

/// What the command does after validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Check,
    Run,
}

#[derive(Debug)]
pub(crate) struct Config {
    pub mode: Mode,
    pub files: PackFiles,
    pub demo: bool,
    pub read: ReadOptions,
    pub max_confidence: Decimal,
    pub check: CheckOptions,
    pub rollup: RollupOptions,
    pub format: Format,
    pub terminal: TerminalOptions,
    pub out: Option<PathBuf>,
    pub bom: bool,
    pub timings: bool,
    pub threads: Option<usize>,
}

impl Config {
    pub(crate) fn from_opts(opts: Opts) -> anyhow::Result<Config> {
        let (mode, run) = match opts.command {
            None => (Mode::Run, RunArgs::default_run()),
            Some(Command::Run(r)) => (Mode::Run, r),
            Some(Command::Check(input)) => {
                (Mode::Check, RunArgs { input, ..RunArgs::default_run() })
            }
            // main.rs runs the generator before any Config is built.
            Some(Command::Gen(_)) => anyhow::bail!("gen takes no pack"),
        };
        let input = &run.input;
        let max_confidence = parse_confidence(&input.max_confidence)
            .ok()
            .filter(|d| *d > Decimal::ZERO)
            .ok_or_else(|| ConfigError::MaxConfidence(input.max_confidence.clone()))?;
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
            read: ReadOptions { encoding: input.encoding },
            max_confidence,
            check: CheckOptions { strict: input.strict, only_period: input.period.clone() },
            rollup: RollupOptions { scale: run.scale, rounding: run.rounding },
            format: run.format,
            terminal: TerminalOptions { lang, depth: run.depth },
            out: run.out.clone(),
            bom: run.bom,
            timings: run.timings,
            threads: input.threads,
        })
    }

    /// Input paths on disk, so that an output never overwrites one.
    pub(crate) fn input_paths(&self) -> Vec<PathBuf> {
        let f = &self.files;
        [Some(&f.org), Some(&f.forecasts), f.confidence.as_ref(), f.targets.as_ref()]
            .into_iter()
            .flatten()
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
            rounding: crate::exact::Rounding::HalfUp,
            ..RunArgs::default()
        }
    }
}

/// The display name of a path: as typed, without a leading `./`.
fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn pack_files(input: &InputArgs) -> anyhow::Result<(PackFiles, bool)> {
    let overrides = [&input.org, &input.forecasts, &input.confidence, &input.targets];
    if input.pack_dir.is_none() && overrides.iter().all(|o| o.is_none()) {
        let demo = |k: FileKind| InputFile {
            kind: k,
            display: format!("demo/{}", k.file_name()),
            data: InputData::Embedded(DEMO[k as usize].1),
        };
        let files = PackFiles {
            org: demo(FileKind::Org),
            forecasts: demo(FileKind::Forecasts),
            confidence: Some(demo(FileKind::Confidence)),
            targets: Some(demo(FileKind::Targets)),
        };
        return Ok((files, true));
    }
    if let Some(dir) = &input.pack_dir {
        if !dir.is_dir() {
            return Err(ConfigError::PackDir(dir.display().to_string()).into());
        }
    }
    let file = |kind: FileKind, over: &Option<PathBuf>| -> Option<InputFile> {
        let path = match (over, &input.pack_dir) {
            (Some(p), _) => p.clone(),
            (None, Some(dir)) => dir.join(kind.file_name()),
            (None, None) => PathBuf::from(kind.file_name()),
        };
        Some(InputFile { kind, display: display(&path), data: InputData::Path(path) })
    };
    let optional = |kind: FileKind, over: &Option<PathBuf>| -> Option<InputFile> {
        // An optional file named on the command line must exist; in a folder it may be absent.
        let f = file(kind, over)?;
        (over.is_some() || f.exists()).then_some(f)
    };
    let files = PackFiles {
        org: file(FileKind::Org, &input.org).expect("always some"),
        forecasts: file(FileKind::Forecasts, &input.forecasts).expect("always some"),
        confidence: optional(FileKind::Confidence, &input.confidence),
        targets: optional(FileKind::Targets, &input.targets),
    };
    Ok((files, false))
}
