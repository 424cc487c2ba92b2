//! `verify PACK OUT_DIR`: whether the rollup files in OUT_DIR are exactly what PACK gives.
//!
//! The options come from the audit record of OUT_DIR's rollup.json; the pack is read, checked
//! and rolled up again with them, each rollup file OUT_DIR holds is rendered again in memory
//! and compared byte for byte. What differs is named: an input whose SHA-256 changed (or that
//! came or went), and the first row and cell of each output that differs.

use crate::audit::{self, Audit, InputRecord};
use crate::load::number::parse_confidence;
use crate::load::ReadOptions;
use crate::pipeline::{self, Options};
use crate::problem::Failure;
use crate::report;
use crate::rollup::RollupOptions;
use crate::scenario::{Origin, Request, Requests};
use crate::t;
use crate::text::{said, SaidContext, Text};
use crate::validate::CheckOptions;
use std::path::Path;

/// The rollup files `verify` can recompute, in the order they are checked.
pub const FILES: [&str; 4] = ["rollup.csv", "rollup.json", "rollup.xlsx", "rollup.parquet"];

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verdict {
    /// The files compared and found equal.
    pub equal: Vec<String>,
    /// Each difference, said: an input that changed, an output that differs.
    pub differences: Vec<Text>,
    /// Notes that are not differences (a different version of the tool, files not checked).
    pub notes: Vec<Text>,
}

impl Verdict {
    pub fn matches(&self) -> bool {
        self.differences.is_empty() && !self.equal.is_empty()
    }
}

/// A scenario's files, recomputed with the changes its audit record lists.
pub const SCENARIO_FILES: [&str; 5] = [
    "rollup.scenario.csv",
    "compare.scenario.csv",
    "rollup.scenario.json",
    "rollup.scenario.xlsx",
    "rollup.scenario.parquet",
];

/// Recomputes OUT_DIR's rollup files from `pack_dir` with the options its audit record states:
/// the pack's own files (from rollup.json's record) and a scenario's (from
/// rollup.scenario.json's, which also lists the changes).
pub fn verify(pack_dir: &Path, out_dir: &Path) -> Result<Verdict, Failure> {
    let mut v = Verdict::default();
    let base = out_dir.join("rollup.json").is_file();
    let scenario = out_dir.join("rollup.scenario.json").is_file();
    if base || !scenario {
        check_set(pack_dir, out_dir, false, &mut v)?;
    }
    if scenario {
        check_set(pack_dir, out_dir, true, &mut v)?;
    }
    v.notes.dedup();
    let mut seen = Vec::new();
    v.differences.retain(|d| {
        let new = !seen.contains(d);
        seen.push(d.clone());
        new
    });
    let mut others: Vec<String> = std::fs::read_dir(out_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .filter(|n| !FILES.contains(&n.as_str()) && !SCENARIO_FILES.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    others.sort();
    if !others.is_empty() {
        let list = others.join(", ");
        v.notes.push(t!(
            "not checked (verify recomputes the rollup files): {list}",
            "未核对（verify 只重算 rollup 文件）：{list}"
        ));
    }
    Ok(v)
}

/// One set of files: the pack's (`rollup.json`'s record) or the scenario's.
fn check_set(
    pack_dir: &Path,
    out_dir: &Path,
    scenario: bool,
    v: &mut Verdict,
) -> Result<(), Failure> {
    let json = if scenario { "rollup.scenario.json" } else { "rollup.json" };
    let json_path = out_dir.join(json);
    let shown = crate::load::folder::display(&json_path);
    let bytes = std::fs::read(&json_path).said(|| {
        t!(
            "cannot read {shown}: verify reads the options of the run from its audit record",
            "无法读取 {shown}：verify 要从它的审计记录读出那次运行的选项"
        )
    })?;
    let Some(recorded) = audit_of(&bytes) else {
        v.differences.push(t!(
            "{shown} has no audit record (it was written by an earlier version, or edited): there is nothing to verify it against",
            "{shown} 没有审计记录（由较早的版本写出，或被修改过）：无从核对"
        ));
        return Ok(());
    };
    if recorded.version != audit::VERSION {
        let (was, now) = (&recorded.version, audit::VERSION);
        v.notes.push(t!(
            "written by forecast-rollup {was}, verified with {now}: a difference may come from the version",
            "由 forecast-rollup {was} 写出，用 {now} 核对：差异可能来自版本不同"
        ));
    }
    let s = &recorded.settings;
    // The scenario's changes, as recorded, asked for again.
    let requests = scenario.then(|| Requests {
        list: recorded
            .scenario
            .iter()
            .map(|c| Request {
                kind: c.kind,
                id: c.id.clone(),
                period: c.period.clone().unwrap_or_default(),
                value: c.value.clone().unwrap_or_default(),
                note: c.note.clone(),
                origin: Origin::Flag(c.source.clone()),
            })
            .collect(),
        ..Requests::default()
    });
    let opts = Options {
        read: ReadOptions { encoding: s.encoding()? },
        max_confidence: parse_confidence(&s.max_confidence).map_err(|_| {
            let m = &s.max_confidence;
            anyhow::Error::new(said(t!(
                "the audit record's max_confidence {m:?} is not a number",
                "审计记录里的 max_confidence {m:?} 不是数字"
            )))
        })?,
        check: CheckOptions { strict: s.strict, only_period: s.period.clone() },
        rollup: RollupOptions { scale: s.scale, rounding: s.rounding()? },
        deals: false,
        deal_ids: requests.as_ref().and_then(Requests::deal_ids).map(std::sync::Arc::new),
        hash: true,
    };
    let files = pipeline::folder(pack_dir);
    // The inputs as they are now, against the record (the scenario file is outside the pack:
    // its changes are in the record itself). Taken once: from the run when the pack reads
    // (forecasts.csv hashed as it is read), else from the files alone.
    let pack_inputs: Vec<InputRecord> =
        recorded.inputs.iter().filter(|r| r.role != "scenario").cloned().collect();
    let no_outputs = |v: &mut Verdict, n: u64| {
        let shown = crate::load::folder::display(pack_dir);
        v.differences.push(t!(
            "the pack now has {n} problem(s), so it gives no outputs (forecast-rollup check {shown} lists them)",
            "该数据包现在有 {n} 个问题，因此不产生任何输出（forecast-rollup check {shown} 会列出它们）"
        ));
    };
    let checked = match pipeline::run(&files, &opts, pipeline::MAIN_PACK) {
        Ok(c) => c,
        Err(Failure::Input(ps)) => {
            let now = audit::record(&files, Some(pack_dir), None, s.clone())?;
            compare_inputs(&pack_inputs, &now.inputs, &mut v.differences);
            no_outputs(v, ps.total());
            return Ok(());
        }
        Err(other) => return Err(other),
    };
    let mut audit = audit::record(&files, Some(pack_dir), Some(&checked.pack.stats), s.clone())?;
    compare_inputs(&pack_inputs, &audit.inputs, &mut v.differences);
    let lang = s.lang()?;
    let what_if = match &requests {
        Some(r) => match pipeline::scenario(&checked, r, &opts) {
            Ok(w) => Some(w),
            Err(Failure::Input(ps)) => {
                no_outputs(v, ps.total());
                return Ok(());
            }
            Err(other) => return Err(other),
        },
        None => None,
    };
    if let Some(w) = &what_if {
        audit = audit.with_scenario(&w.scenario.changes, None)?;
        audit.inputs.extend(recorded.inputs.iter().filter(|r| r.role == "scenario").cloned());
    }
    let (pack, rollup) = match &what_if {
        Some(w) => (&w.pack, &w.rollup),
        None => (&checked.pack, &checked.rollup),
    };
    let names: &[&str] = if scenario { &SCENARIO_FILES } else { &FILES };
    for name in names {
        let path = out_dir.join(name);
        if !path.is_file() {
            continue;
        }
        let shown = crate::load::folder::display(&path);
        let file = std::fs::read(&path).said(|| t!("cannot read {shown}", "无法读取 {shown}"))?;
        let mut again = Vec::new();
        let kind = name.rsplit('.').next().unwrap_or("");
        match (kind, &what_if) {
            ("csv", Some(w)) if name.starts_with("compare") => {
                let sides = report::scenario::Sides {
                    base: (&checked.pack, &checked.rollup),
                    scenario: (&w.pack, &w.rollup),
                    changes: &w.scenario,
                };
                report::scenario::render_csv(&sides, s.bom, &mut again)?
            }
            ("csv", _) => report::csv::render(pack, rollup, s.bom, &mut again)?,
            ("json", _) => report::json::render(pack, rollup, Some(&audit), &mut again)?,
            ("xlsx", _) => report::xlsx::render(pack, rollup, lang, Some(&audit), &mut again)?,
            _ => report::parquet::render(pack, rollup, &mut again)?,
        }
        if file == again {
            v.equal.push(shown);
        } else {
            v.differences.push(first_difference(name, &shown, &file, &again));
        }
    }
    Ok(())
}

/// The audit record of a rollup.json, if it has one.
fn audit_of(bytes: &[u8]) -> Option<Audit> {
    #[derive(serde::Deserialize)]
    struct Head {
        audit: Option<Audit>,
    }
    serde_json::from_slice::<Head>(bytes).ok()?.audit
}

/// Each input that changed, came or went since the record.
fn compare_inputs(was: &[InputRecord], now: &[InputRecord], out: &mut Vec<Text>) {
    let key = |r: &InputRecord| (r.role.clone(), r.file.clone(), r.sheet.clone());
    let shown = |r: &InputRecord| match &r.sheet {
        Some(s) => format!("{}[{s}]", r.file),
        None => r.file.clone(),
    };
    for w in was {
        let file = shown(w);
        match now.iter().find(|n| key(n) == key(w)) {
            None => out.push(t!(
                "{file} ({}) was read for these outputs and is not in the pack now",
                "{file}（{}）是这些输出读过的文件，现在不在数据包里",
                w.role
            )),
            Some(n) if n.sha256 != w.sha256 => {
                let (a, b) =
                    (&w.sha256[..w.sha256.len().min(12)], &n.sha256[..12.min(n.sha256.len())]);
                let (x, y) = (grouped(w.bytes), grouped(n.bytes));
                out.push(t!(
                    "{file} changed since these outputs were written: SHA-256 {a}… then, {b}… now ({x} bytes then, {y} now)",
                    "{file} 在这些输出写出之后被改动了：SHA-256 当时为 {a}…，现在为 {b}…（当时 {x} 字节，现在 {y} 字节）"
                ));
            }
            Some(_) => {}
        }
    }
    for n in now.iter().filter(|n| !was.iter().any(|w| key(w) == key(n))) {
        let file = shown(n);
        out.push(t!(
            "{file} ({}) is in the pack now but was not read for these outputs",
            "{file}（{}）现在在数据包里，但这些输出没有读过它",
            n.role
        ));
    }
}

fn grouped(n: u64) -> String {
    crate::format::grouped(i128::from(n), 0)
}

/// The first row and cell where a file differs from its recomputed bytes.
fn first_difference(name: &str, shown: &str, file: &[u8], again: &[u8]) -> Text {
    match name {
        n if n.ends_with(".csv") || n.ends_with(".json") => {
            let (a, b) = (String::from_utf8_lossy(file), String::from_utf8_lossy(again));
            let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
            let first = |from: usize| {
                (from..la.len().max(lb.len())).find(|&k| la.get(k) != lb.get(k))
            };
            // rollup.json's first line holds the audit record, which differs whenever an
            // input does (said above): the first row that differs says more.
            let from = usize::from(name.ends_with(".json"));
            let k = first(from).or_else(|| first(0)).unwrap_or(la.len().min(lb.len()));
            let line = k + 1;
            let (x, y) = (la.get(k).copied().unwrap_or(""), lb.get(k).copied().unwrap_or(""));
            let cell = if name.ends_with(".csv") {
                csv_cell(la.first().copied().unwrap_or(""), x, y)
            } else {
                json_cell(x, y)
            };
            match cell {
                Some((column, was, is)) => t!(
                    "{shown}:{line}: {column} is {was:?} in the file, {is:?} recomputed from the pack",
                    "{shown}:{line}：{column} 在文件里是 {was:?}，从数据包重新计算是 {is:?}"
                ),
                None if la.len() != lb.len() => {
                    let (m, n) = (la.len(), lb.len());
                    t!(
                        "{shown}:{line}: the file has {m} lines, the recomputed one {n}",
                        "{shown}:{line}：文件有 {m} 行，重新计算的有 {n} 行"
                    )
                }
                None => t!(
                    "{shown}:{line}: the line differs from the one recomputed from the pack",
                    "{shown}:{line}：这一行与从数据包重新计算的不同"
                ),
            }
        }
        n if n.ends_with(".xlsx") => match xlsx_cell(file, again) {
            Some((place, was, is)) => t!(
                "{shown}{place}: {was:?} in the file, {is:?} recomputed from the pack",
                "{shown}{place}：文件里是 {was:?}，从数据包重新计算是 {is:?}"
            ),
            None => t!(
                "{shown} differs from the workbook recomputed from the pack (in its formatting or structure; every cell's value is the same)",
                "{shown} 与从数据包重新计算的工作簿不同（在格式或结构上；每个单元格的值都相同）"
            ),
        },
        _ => {
            let at = file.iter().zip(again).position(|(x, y)| x != y).unwrap_or(file.len().min(again.len()));
            t!(
                "{shown} differs from the file recomputed from the pack, from byte {at}",
                "{shown} 与从数据包重新计算的文件不同，从第 {at} 字节开始"
            )
        }
    }
}

/// The first differing cell of two CSV lines: (column name, in the file, recomputed).
fn csv_cell(header: &str, a: &str, b: &str) -> Option<(String, String, String)> {
    let (h, x, y) =
        (csv_fields(header.trim_start_matches('\u{feff}')), csv_fields(a), csv_fields(b));
    let k = (0..x.len().max(y.len())).find(|&k| x.get(k) != y.get(k))?;
    let name = h.get(k).cloned().unwrap_or_else(|| format!("#{}", k + 1));
    Some((name, x.get(k).cloned().unwrap_or_default(), y.get(k).cloned().unwrap_or_default()))
}

/// The first differing key of two JSON rows (one object a line), in the columns' order.
fn json_cell(a: &str, b: &str) -> Option<(String, String, String)> {
    let parse = |s: &str| -> Option<serde_json::Map<String, serde_json::Value>> {
        serde_json::from_str(s.trim_end_matches(',')).ok()
    };
    let (x, y) = (parse(a)?, parse(b)?);
    let show = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    crate::contract::COLUMNS
        .iter()
        .find(|c| x.get(c.name) != y.get(c.name))
        .map(|c| (c.name.to_string(), show(x.get(c.name)), show(y.get(c.name))))
}

/// The first differing cell of two workbooks: (`[sheet]!C5`, in the file, recomputed).
fn xlsx_cell(a: &[u8], b: &[u8]) -> Option<(String, String, String)> {
    use crate::load::workbook::read_sheet_bytes;
    let names = |bytes: &[u8]| crate::load::workbook::sheet_names_bytes(bytes).unwrap_or_default();
    let (na, nb) = (names(a), names(b));
    for (k, sheet) in na.iter().enumerate() {
        if nb.get(k) != Some(sheet) {
            let is = nb.get(k).cloned().unwrap_or_default();
            return Some((format!("[{}]", k + 1), sheet.clone(), is));
        }
        let (x, y) =
            (read_sheet_bytes(a, Some(sheet)).ok()?, read_sheet_bytes(b, Some(sheet)).ok()?);
        let (tx, ty) = (String::from_utf8_lossy(&x.text), String::from_utf8_lossy(&y.text));
        let (lx, ly): (Vec<&str>, Vec<&str>) = (tx.lines().collect(), ty.lines().collect());
        if let Some(r) = (0..lx.len().max(ly.len())).find(|&r| lx.get(r) != ly.get(r)) {
            let row = x.rows.get(r).or(y.rows.get(r)).copied().unwrap_or(r as u32 + 1);
            let (fx, fy) = (
                csv_fields(lx.get(r).copied().unwrap_or("")),
                csv_fields(ly.get(r).copied().unwrap_or("")),
            );
            let c = (0..fx.len().max(fy.len())).find(|&c| fx.get(c) != fy.get(c)).unwrap_or(0);
            let col = crate::problem::column_letters(c as u32);
            return Some((
                format!("[{sheet}]!{col}{row}"),
                fx.get(c).cloned().unwrap_or_default(),
                fy.get(c).cloned().unwrap_or_default(),
            ));
        }
    }
    None
}

fn csv_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
    r.records()
        .next()
        .and_then(Result::ok)
        .map(|rec| rec.iter().map(str::to_string).collect())
        .unwrap_or_default()
}
