//! One pipeline: a pack's files and the options → a validated, rolled-up pack, or every problem
//! found in it. `run`, `check` and `review` use it for the pack they are given, and `review`
//! for the `--previous` pack and the `--history` packs, so every pack is read, checked and
//! rolled up the same way.
//!
//! Problems come back as one value ([`Failure::Input`]) with each file named as the user sees
//! it and numbered by pack, so that problems of several packs merge into one sorted list.

use crate::load::forecasts::LoadTimings;
use crate::load::{self, actuals, InputData, InputFile, PackFiles, ReadOptions};
use crate::model::{fold_id, Pack};
use crate::problem::{gather, quoted, Failure, FileKind, Outcome, Problem, Problems};
use crate::rollup::{self, Rollup, RollupOptions};
use crate::scenario::{self, Requests, Scenario};
use crate::t;
use crate::text::said;

use crate::validate::{self, CheckOptions};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything that changes how a pack is read, checked and rolled up.
#[derive(Debug, Clone)]
pub struct Options {
    pub read: ReadOptions,
    /// The largest confidence allowed (`--max-confidence`).
    pub max_confidence: Decimal,
    pub check: CheckOptions,
    pub rollup: RollupOptions,
    /// Keep each deal's sum (the review's bridge and concentration flags need them); taken
    /// from the same streaming pass over forecasts.csv.
    pub deals: bool,
    /// Take forecasts.csv's SHA-256 in the same pass (the audit record needs it).
    pub hash: bool,
    /// Without `deals`, keep the sums of these deals only (a scenario's `--drop-deal`), and
    /// of their near misses: see [`crate::load::forecasts::KeepDeals::Named`].
    pub deal_ids: Option<std::sync::Arc<Vec<String>>>,
}

/// Which pack of a run a problem belongs to; sorts the merged list pack by pack.
pub type PackNo = u16;

/// The pack a command is given.
pub const MAIN_PACK: PackNo = 0;
/// The pack of the last review (`review --previous`).
pub const PREVIOUS_PACK: PackNo = 1;
/// The first of the history's packs (`--history`); the others follow in folder order.
pub const FIRST_HISTORY_PACK: PackNo = 2;

/// A validated, rolled-up pack.
pub struct Checked {
    pub files: PackFiles,
    pub pack: Pack,
    pub rollup: Rollup,
    pub timings: StageTimes,
}

/// Where a pack's time went, for `--timings`.
#[derive(Debug, Default, Clone, Copy)]
pub struct StageTimes {
    pub load: LoadTimings,
    pub read: Duration,
    pub validate: Duration,
    pub rollup: Duration,
}

/// Reads, checks and rolls up the pack in `files` (pack number `no` of the run).
pub fn run(files: &PackFiles, opts: &Options, no: PackNo) -> Outcome<Checked> {
    let mut problems = Problems::default();
    let mut times = StageTimes::default();
    let t = Instant::now();
    // Workbook sheets and the files pack.toml maps are read as the contract's CSV text; their
    // problems then cite the source's rows and cells.
    let prepared = load::reshape::prepare(files, opts.read, no);
    let files = &prepared.files;
    let only_period = opts.check.only_period.as_deref();
    let named: Vec<String> = opts
        .deal_ids
        .iter()
        .flat_map(|ids| ids.iter())
        .map(|i| crate::suggest::look_alike(i))
        .collect();
    let read = load::ReadPack {
        read: opts.read,
        max_confidence: opts.max_confidence,
        only_period,
        deals: match (&opts.deals, &opts.deal_ids) {
            (true, _) => load::forecasts::KeepDeals::All,
            (false, Some(_)) => load::forecasts::KeepDeals::Named(&named),
            (false, None) => load::forecasts::KeepDeals::None,
        },
        hash: opts.hash,
    };
    let loaded = load::pack(files, read, &mut problems)?;
    times.read = t.elapsed();
    if let Some(l) = &loaded {
        times.load = l.forecasts.timings;
    }
    let t = Instant::now();
    let pack = loaded.and_then(|l| validate::validate(l, &opts.check, &mut problems));
    times.validate = t.elapsed();
    let converted = prepared.problems;
    let failed = !converted.is_empty();
    let named = |mut ps: Problems| {
        for (kind, map) in &prepared.maps {
            ps.map_columns(*kind, &map.columns);
            if map.sources.is_empty() {
                ps.map_lines(*kind, &map.rows);
            } else {
                ps.map_sources(*kind, no, &map.rows, &map.source_of, &map.sources);
            }
        }
        ps.name_files(no, &|k| files.display(k));
        ps.absorb(converted.clone());
        Failure::Input(ps)
    };
    let pack = pack.filter(|_| !failed);
    let Some(pack) = pack else { return Err(named(problems)) };
    let t = Instant::now();
    let rollup = rollup::compute(&pack, opts.rollup).map_err(named)?;
    times.rollup = t.elapsed();
    Ok(Checked { files: files.clone(), pack, rollup, timings: times })
}

/// A scenario as given: its file (`--scenario FILE`) and its flags (`--set`, `--set-target`,
/// `--drop-deal`), each already read as a [`scenario::Request`].
#[derive(Debug, Clone, Default)]
pub struct ScenarioInput {
    pub file: Option<InputFile>,
    pub flags: Vec<scenario::Request>,
}

/// The changes a scenario asks for: the file's rows, then the flags. Read on its own, before
/// the pack is checked, so that the file's problems are listed with the pack's: a file that
/// cannot be read is an error here; the problems of its rows travel in
/// [`Requests::problems`], to be listed with those of the other changes.
pub fn scenario_requests(input: &ScenarioInput, read: ReadOptions) -> Outcome<Requests> {
    let mut problems = Problems::default();
    let mut requests = Requests::default();
    let mut read_whole = true;
    if let Some(file) = &input.file {
        requests.file = Some(file.display.clone());
        if !file.exists() {
            problems.push(
                Problem::file(FileKind::Scenario, t!("file not found", "找不到文件")).hint(t!(
                    "--scenario names a CSV file of changes: change,id,period,value,note",
                    "--scenario 要写一个变更的 CSV 文件：change,id,period,value,note"
                )),
            );
            read_whole = false;
        } else {
            match load::settle(load::scenario::load(file, read, &mut problems), &mut problems)? {
                Some(read) => {
                    requests.labels = read.labels;
                    requests.list.extend(read.rows.into_iter().map(|r| scenario::Request {
                        kind: r.kind,
                        id: r.id,
                        period: r.period,
                        value: r.value,
                        note: r.note,
                        origin: scenario::Origin::Row(r.src),
                    }));
                }
                None => read_whole = false,
            }
        }
    }
    requests.list.extend(input.flags.iter().cloned());
    problems.name_files(MAIN_PACK, &|k| scenario_file_name(&requests, k));
    if read_whole {
        requests.problems = problems;
        Ok(requests)
    } else {
        Err(Failure::Input(problems))
    }
}

fn scenario_file_name(requests: &Requests, kind: FileKind) -> String {
    match (&requests.file, kind) {
        (Some(f), FileKind::Scenario) => f.clone(),
        _ => kind.file_name().to_string(),
    }
}

/// A scenario rolled up beside the pack it changes.
pub struct ScenarioRollup {
    /// The changes, as applied (what an audit record keeps).
    pub scenario: Scenario,
    /// The changed copy of the pack.
    pub pack: Pack,
    pub rollup: Rollup,
}

/// The scenario's changes checked against the validated pack `base`, applied to a copy of it
/// and rolled up by the same roll-up; `base` is not modified. Every problem of every change
/// is listed, at its flag or its file and line.
pub fn scenario(base: &Checked, requests: &Requests, opts: &Options) -> Outcome<ScenarioRollup> {
    let named = |mut ps: Problems| {
        ps.name_files(MAIN_PACK, &|k| match k {
            FileKind::Scenario | FileKind::CommandLine => scenario_file_name(requests, k),
            _ => base.files.display(k),
        });
        Failure::Input(ps)
    };
    let changes = scenario::resolve(&base.pack, requests, opts.max_confidence).map_err(named)?;
    let pack = scenario::apply(&base.pack, &changes).map_err(named)?;
    let rollup = rollup::compute(&pack, opts.rollup).map_err(named)?;
    Ok(ScenarioRollup { scenario: changes, pack, rollup })
}

/// The files of a pack folder, found by their names (see [`crate::load::folder`]); a folder
/// that cannot be listed gives the expected names, whose absence is then the problem.
pub fn folder(dir: &Path) -> PackFiles {
    let scan = crate::load::folder::scan(dir).unwrap_or_default();
    crate::load::folder::pack_files(dir, &scan)
}

/// A path as typed, without a leading `./`.
pub use crate::load::folder::display;

/// A history folder (`--history DIR`), read and checked: its earlier packs and what was booked.
pub struct History {
    /// Folder name and its pack, sorted by name.
    pub packs: Vec<(String, Checked)>,
    /// (id, period) → exact sum booked.
    pub actuals: HashMap<(String, String), crate::exact::Exact>,
    pub actual_rows: u64,
    pub booked_periods: BTreeSet<String>,
}

/// Reads every pack folder in `dir` (each through [`run`]) and `dir/actuals.csv`, whose ids
/// must be in `current` or in one of those packs. Every problem of every file is gathered.
pub fn history(dir: &Path, opts: &Options, current: &Pack) -> Outcome<History> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| {
            let shown = dir.display();
            anyhow::Error::new(said(t!("cannot read {shown}", "无法读取 {shown}")).because(e))
        })?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir() && crate::load::folder::is_pack(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut all = Problems::default();
    let folders = names.len();
    let mut packs = Vec::new();
    let mut ok = true;
    let opts = Options { check: CheckOptions::default(), ..opts.clone() };
    for (k, name) in names.into_iter().enumerate() {
        let no = FIRST_HISTORY_PACK.saturating_add(k as PackNo);
        match gather(run(&folder(&dir.join(&name)), &opts, no), &mut all)? {
            Some(p) => packs.push((name, p)),
            None => ok = false,
        }
    }
    let path = dir.join("actuals.csv");
    let file = InputFile {
        kind: FileKind::Actuals,
        display: display(&path),
        data: InputData::Path(path),
        sheet: None,
        shape: None,
    };
    let mut problems = Problems::default();
    if packs.is_empty() && ok {
        problems.push(
            Problem::file(
                FileKind::Actuals,
                t!("no earlier pack beside it", "旁边没有以前的数据包"),
            )
            .hint(t!(
                "put each earlier pack in its own folder inside the history folder (e.g. 2026-Q1/org.csv)",
                "请把以前的每个数据包放在历史文件夹里各自的子文件夹中（例如 2026-Q1/org.csv）"
            )),
        );
    }
    let actuals_no = FIRST_HISTORY_PACK.saturating_add(folders as PackNo);
    let finish = |mut problems: Problems, mut all: Problems| -> Failure {
        problems.name_files(actuals_no, &|_| file.display.clone());
        all.absorb(problems);
        Failure::Input(all)
    };
    if !file.exists() {
        problems.push(Problem::file(FileKind::Actuals, t!("file not found", "找不到文件")).hint(
            t!(
                "a history folder holds actuals.csv (rep_id,period,amount: what was really booked)",
                "历史文件夹里要有 actuals.csv（rep_id,period,amount：实际成交额）"
            ),
        ));
        return Err(finish(problems, all));
    }
    let rows = load::settle(actuals::load(&file, opts.read, &mut problems), &mut problems)?;
    let mut known: HashMap<&str, ()> = HashMap::new();
    for r in current.org.iter().chain(packs.iter().flat_map(|(_, p)| p.pack.org.iter())) {
        known.insert(r.id.as_str(), ());
    }
    let mut folded: HashMap<String, &str> = HashMap::new();
    for id in known.keys() {
        folded.entry(fold_id(id)).or_insert(id);
    }
    let mut sums: HashMap<(String, String), crate::exact::Exact> = HashMap::new();
    let mut booked_periods = BTreeSet::new();
    let actual_rows = rows.as_ref().map_or(0, |r| r.len() as u64);
    for r in rows.iter().flatten() {
        if !known.contains_key(r.rep_id.as_str()) {
            let near = folded.get(&fold_id(&r.rep_id));
            problems.push(
                Problem::at(r.src, t!("unknown rep_id {}", "未知的 rep_id {}", quoted(&r.rep_id)))
                    .column("rep_id")
                    .hint(match near {
                        Some(id) => t!("did you mean {}?", "是否想写 {}？", quoted(id)),
                        None => t!(
                            "every rep_id must be an id in org.csv of an earlier pack",
                            "每个 rep_id 都必须是以前某个数据包 org.csv 里的 id"
                        ),
                    }),
            );
            continue;
        }
        booked_periods.insert(r.period.clone());
        let sum = sums.entry((r.rep_id.clone(), r.period.clone())).or_default();
        match sum.checked_add(crate::exact::Exact::from_decimal(r.amount)) {
            Some(s) => *sum = s,
            None => problems.push(
                Problem::at(
                    r.src,
                    t!(
                        "the amounts of {} need more than 38 digits",
                        "{} 的金额需要超过 38 位数字",
                        r.rep_id
                    ),
                )
                .column("amount"),
            ),
        }
    }
    if !ok || !problems.is_empty() || !all.is_empty() {
        return Err(finish(problems, all));
    }
    Ok(History { packs, actuals: sums, actual_rows, booked_periods })
}
