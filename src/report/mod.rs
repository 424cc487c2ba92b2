//! Renderers are pure functions of the roll-up returning bytes; placing files (write beside,
//! then rename) happens once, in [`write_outputs`].

pub mod csv;
pub mod json;
pub mod review;
pub mod terminal;

use crate::exact::{format_units, UNITS_BUF};
use crate::model::Pack;
use crate::rollup::{Printed, Rollup, RATIO_SCALE};
use anyhow::Context;
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The indented tree for a terminal or a projector.
    #[default]
    Table,
    /// rollup.csv, as written by --out.
    Csv,
    /// rollup.json, as written by --out.
    Json,
}

/// Money as a plain decimal string with exactly `scale` decimals: `-1234.50`.
#[derive(Debug, Clone, Copy)]
pub struct Money {
    pub units: i128,
    pub scale: u32,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; UNITS_BUF];
        s.serialize_str(format_units(&mut buf, self.units, self.scale))
    }
}

/// A text cell. In CSV (`guard`), text that a spreadsheet would run as a formula gets a leading
/// `'`; JSON is read by programs, not spreadsheets, and keeps the text as given.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub text: &'a str,
    pub guard: bool,
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.guard && self.text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            s.serialize_str(&format!("'{}", self.text))
        } else {
            s.serialize_str(self.text)
        }
    }
}

/// A confidence in its shortest exact form: `0.9`, `1`, `1.25`.
#[derive(Debug, Clone, Copy)]
pub struct Ratio(pub crate::exact::Exact);

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// One row of rollup.csv and of rollup.json's `rows`: one node in one period. The field order is
/// the column order of the contract; the last three columns are this tool's additions.
#[derive(Debug, Serialize)]
pub struct RollupRow<'a> {
    /// The period label as given, e.g. `2026-Q4`.
    pub period: Text<'a>,
    /// The node's id in org.csv.
    pub node_id: Text<'a>,
    /// Display name as given (may be empty).
    pub name: Text<'a>,
    /// Level label as given (may be empty).
    pub level: Text<'a>,
    /// The parent's id; empty for the root.
    pub parent_id: Text<'a>,
    /// 0 at the root.
    pub depth: u32,
    /// Sum of every forecast line at or under the node, no multipliers. Money, `scale` decimals.
    pub raw: Money,
    /// The node's own number: its lines, plus its children's `adjusted`. Money.
    pub forecast: Money,
    /// The multiplier the parent gave this node, shortest exact form; `1` for the root or when
    /// none was given.
    pub confidence: Ratio,
    /// `forecast × confidence`: what the node carries into its parent's forecast. Money.
    pub adjusted: Money,
    /// The node's share of the root's forecast: `adjusted` × every ancestor's confidence. Money.
    pub contribution: Money,
    /// The node's target for the period; empty where none. Money.
    pub target: Option<Money>,
    /// Printed `forecast` − printed `target`; empty where no target. Money.
    pub gap: Option<Money>,
    /// Printed `forecast` / printed `target`, a ratio at 4 decimals; empty where the target is
    /// missing or zero.
    pub attainment: Option<Money>,
    /// The node's own forecast lines (a rep's are all of its lines; a manager's are flagged).
    /// Money. With it, `raw` = Σ children `raw` + `own` and `forecast` = Σ children `adjusted`
    /// + `own` tie exactly as printed.
    pub own: Money,
    /// What the node's own lines contribute to the root: `own × confidence × every ancestor's
    /// confidence`. Money. `contribution` = Σ children `contribution` + `own_contribution`.
    pub own_contribution: Money,
    /// Whether the parent gave this node a confidence for the period (`true` for the root).
    pub reviewed: bool,
    /// The reviewer's note on the confidence row that applies (备注), as given.
    pub note: Text<'a>,
}

/// The rows of the roll-up in output order: periods in order, nodes depth-first (the serde
/// reference the hand-written writers are tested against).
#[cfg(test)]
pub fn rows<'a>(
    pack: &'a Pack,
    rollup: &'a Rollup,
    guard: bool,
) -> impl Iterator<Item = RollupRow<'a>> + 'a {
    (0..row_count(pack)).map(move |k| row(pack, rollup, guard, k))
}

/// How many rows the outputs have: one per node per period.
pub fn row_count(pack: &Pack) -> usize {
    pack.tree.len() * pack.periods.len()
}

/// Row `k` of the outputs: period `k / nodes`, node number `k % nodes` in display order.
pub fn row<'a>(pack: &'a Pack, rollup: &'a Rollup, guard: bool, k: usize) -> RollupRow<'a> {
    let scale = rollup.opts.scale;
    let t = move |text: &'a str| Text { text, guard };
    let m = move |units: i128| Money { units, scale };
    let n = pack.tree.len();
    let (inputs, pr) = (&pack.periods[k / n], &rollup.periods[k / n]);
    let v = pack.tree.order[k % n];
    let i = v as usize;
    let org = &pack.org[i];
    let p: &Printed = &pr.printed[i];
    RollupRow {
        period: t(&inputs.period),
        node_id: t(&org.id),
        name: t(&org.name),
        level: t(&org.level),
        parent_id: t(&org.parent_id),
        depth: pack.tree.depth[i],
        raw: m(p.raw),
        forecast: m(p.forecast),
        confidence: Ratio(pr.confidence[i]),
        adjusted: m(p.adjusted),
        contribution: m(p.contribution),
        target: p.target.map(m),
        gap: p.gap.map(m),
        attainment: p.attainment.map(|units| Money { units, scale: RATIO_SCALE }),
        own: m(p.own),
        own_contribution: m(p.own_contribution),
        reviewed: v == pack.tree.root || inputs.confidence[i].is_some(),
        note: t(
            inputs.confidence[i].map_or("", |g| pack.confidence_rows[g.row as usize].note.as_str())
        ),
    }
}

/// Rows rendered by `render_row` and written in order: in batches, each batch cut into one
/// part per thread, so that a large file keeps both cores busy while memory holds one batch.
pub fn write_rows(
    total: usize,
    out: &mut dyn Write,
    render_row: &(dyn Fn(&mut Vec<u8>, usize) + Sync),
) -> std::io::Result<()> {
    const BATCH: usize = 1 << 15;
    let parts = rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let step = (end - start).div_ceil(parts);
        let buffers: Vec<Vec<u8>> = (start..end)
            .step_by(step.max(1))
            .collect::<Vec<usize>>()
            .into_par_iter()
            .map(|from| {
                let mut buf = Vec::with_capacity(step * 160);
                for k in from..(from + step).min(end) {
                    render_row(&mut buf, k);
                }
                buf
            })
            .collect();
        for b in &buffers {
            out.write_all(b)?;
        }
        start = end;
    }
    Ok(())
}

/// One output file: its name and the renderer that writes it.
pub type Output<'a> = (&'a str, &'a (dyn Fn(&mut dyn Write) -> anyhow::Result<()> + Sync));

/// Writes each output into `dir` whole or not at all: every file is rendered into a temporary
/// name beside its final one (the files in parallel), and only when all are complete are they
/// renamed into place. A run killed at any point leaves the previous outputs as they were; a
/// failed run removes its temporary files. The files are not fsync'ed: the rename already
/// makes the replacement atomic for any reader, a sync would add power-loss durability at the
/// cost of most of a small run's time, and every output can be made again from its inputs.
pub fn write_outputs(dir: &Path, outputs: &[Output], inputs: &[PathBuf]) -> anyhow::Result<()> {
    if !dir.is_dir() {
        anyhow::bail!(
            "output folder {} does not exist (or is not a folder); create it first",
            dir.display()
        );
    }
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| p.canonicalize().ok()).collect();
    for (name, _) in outputs {
        let target = dir.join(name);
        if let Ok(canon) = target.canonicalize() {
            if inputs.contains(&canon) {
                anyhow::bail!(
                    "refusing to write {}: it is one of the input files",
                    target.display()
                );
            }
        }
    }
    remove_stale_temps(dir, outputs);
    let temps: Vec<(PathBuf, PathBuf)> = outputs
        .iter()
        .map(|(name, _)| (dir.join(format!(".{name}.{}.tmp", std::process::id())), dir.join(name)))
        .collect();
    let written: Vec<anyhow::Result<()>> = outputs
        .par_iter()
        .zip(&temps)
        .map(|((_, render), (tmp, _))| {
            let file = std::fs::File::create(tmp)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            render(&mut w).with_context(|| format!("cannot write {}", tmp.display()))?;
            w.flush().with_context(|| format!("cannot write {}", tmp.display()))?;
            Ok(())
        })
        .collect();
    let result = written.into_iter().collect::<anyhow::Result<()>>().and_then(|()| {
        for (tmp, target) in &temps {
            std::fs::rename(tmp, target).with_context(|| {
                format!("cannot rename {} to {}", tmp.display(), target.display())
            })?;
        }
        Ok(())
    });
    if result.is_err() {
        for (tmp, _) in &temps {
            let _ = std::fs::remove_file(tmp);
        }
    }
    result
}

/// Removes `.NAME.PID.tmp` files that a killed run left beside these outputs. A file is
/// removed only when its process is gone (Linux's /proc says so); elsewhere nothing is
/// touched.
fn remove_stale_temps(dir: &Path, outputs: &[Output]) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else { continue };
        for (output, _) in outputs {
            let pid = name
                .strip_prefix('.')
                .and_then(|n| n.strip_prefix(*output))
                .and_then(|n| n.strip_prefix('.'))
                .and_then(|n| n.strip_suffix(".tmp"))
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(pid) = pid {
                if !Path::new("/proc").join(pid.to_string()).exists() {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// The marks of a node in a period: `▼` below target, `?` not reviewed, `!` a manager with
/// forecast lines of its own.
pub fn marks(
    pack: &Pack,
    inputs: &crate::model::PeriodInputs,
    printed: &Printed,
    v: crate::model::NodeIx,
) -> String {
    let i = v as usize;
    let mut marks = String::new();
    if printed.target.is_some_and(|t| printed.forecast < t) {
        marks.push('▼');
    }
    if v != pack.tree.root && inputs.confidence[i].is_none() {
        marks.push('?');
    }
    if !pack.tree.is_leaf(v) && inputs.lines[i] > 0 {
        marks.push('!');
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pack folder through the real pipeline.
    fn rolled_up(dir: &std::path::Path) -> (Pack, Rollup) {
        let opts = crate::pipeline::Options {
            read: crate::load::ReadOptions { encoding: Default::default() },
            max_confidence: 2.into(),
            check: Default::default(),
            rollup: crate::rollup::RollupOptions { scale: 2, rounding: Default::default() },
            deals: false,
        };
        match crate::pipeline::run(&crate::pipeline::folder(dir), &opts, 0) {
            Ok(c) => (c.pack, c.rollup),
            Err(_) => panic!("a valid pack"),
        }
    }

    #[test]
    fn hand_written_writers_equal_serde_byte_for_byte() {
        let odd = tempfile::tempdir().unwrap();
        std::fs::write(
            odd.path().join("org.csv"),
            "id,parent_id,name,level\nCN,,\"=SUM(A1), \"\"x\"\"\",+n\n@R,CN,\"two\nlines\",-\n",
        )
        .unwrap();
        std::fs::write(
            odd.path().join("forecasts.csv"),
            "rep_id,period,amount\n@R,\"2026,Q1\",-1.005\n",
        )
        .unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let dirs =
            [root.join("demo"), root.join("handcalc"), root.join("deep_utf8"), odd.path().into()];
        for dir in dirs {
            let (pack, rollup) = rolled_up(&dir);
            for bom in [false, true] {
                let mut fast = Vec::new();
                csv::render(&pack, &rollup, bom, &mut fast).unwrap();
                assert_eq!(fast, csv::render_with_serde(&pack, &rollup, bom), "{}", dir.display());
            }
            let mut fast = Vec::new();
            json::render(&pack, &rollup, &mut fast).unwrap();
            let text = String::from_utf8(fast).unwrap();
            let rows = String::from_utf8(json::rows_with_serde(&pack, &rollup)).unwrap();
            let start = text.find(",\"rows\":[").unwrap() + 9;
            assert_eq!(&text[start..text.len() - 4], rows, "{}", dir.display());
            let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(parsed["rows"].is_array());
        }
    }

    #[test]
    fn guards_formula_text_in_csv_only() {
        let csv = serde_json::to_string(&Text { text: "=1+2", guard: true }).unwrap();
        let json = serde_json::to_string(&Text { text: "=1+2", guard: false }).unwrap();
        assert_eq!((csv.as_str(), json.as_str()), ("\"'=1+2\"", "\"=1+2\""));
        let plain = serde_json::to_string(&Text { text: "张三", guard: true }).unwrap();
        assert_eq!(plain, "\"张三\"");
    }
}
