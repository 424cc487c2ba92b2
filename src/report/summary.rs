//! What the person running the meeting reads before it: `check`'s account of every input row,
//! and per period a coverage line (lines used, reps with a forecast, nodes reviewed, nodes
//! with a target), the periods that have targets but no forecast line (the target nobody
//! forecast), and the files in the pack folder that were not read.

use crate::load::PackFiles;
use crate::model::Pack;
use crate::problem::FileKind;
use std::fmt::Write as _;

/// `check`'s answer on a valid pack: every input row accounted for, file by file.
pub fn check(pack: &Pack, files: &PackFiles) -> String {
    let s = pack.stats;
    let f = s.forecasts;
    let blank = |n: u64| if n > 0 { format!(", {n} blank skipped") } else { String::new() };
    let mut out = format!("ok: {} nodes, {} period(s)\n", s.org_rows, pack.periods.len());
    let name = |k: FileKind| files.display(k);
    let _ = writeln!(out, "  {}: {} rows{}", name(FileKind::Org), s.org_rows, blank(s.org_blank));
    let mut lines = format!("{} lines read, {} used", f.read, f.used);
    if f.other_period > 0 {
        let _ = write!(lines, ", {} in other periods (--period)", f.other_period);
    }
    let _ = writeln!(out, "  {}: {lines}, 0 refused{}", name(FileKind::Forecasts), blank(f.blank));
    if files.confidence.is_some() {
        let (n, b) = (s.confidence_rows, s.confidence_blank);
        let _ = writeln!(out, "  {}: {n} rows{}", name(FileKind::Confidence), blank(b));
    }
    if files.targets.is_some() {
        let (n, b) = (s.target_rows, s.target_blank);
        let _ = writeln!(out, "  {}: {n} rows{}", name(FileKind::Targets), blank(b));
    }
    out.push_str(&mapping(files));
    out
}

/// What pack.toml did, file by file: which column became which, and how many rows were used.
///
/// ```text
/// mapped by pack.toml:
///   forecasts ← 商机导出.xlsx[商机]: 35 of 40 rows used
///     rep_id ← "负责人" (an org id, or a unique name)
///     period ← the period of "预计成交日期" (calendar quarters)
///     left out by drop: 商机状态组 = 输单: 3, 商机状态组 = 无效: 2
/// ```
pub fn mapping(files: &PackFiles) -> String {
    let Some(path) = &files.mapping else { return String::new() };
    let mut out = format!("mapped by {path}:\n");
    for a in &files.shapes {
        let role = a.role.file_name().trim_end_matches(".csv");
        let blank =
            if a.blank > 0 { format!(", {} blank skipped", a.blank) } else { String::new() };
        let _ = writeln!(out, "  {role} ← {}: {} of {} rows used{blank}", a.source, a.used, a.rows);
        for c in &a.columns {
            let _ = writeln!(out, "    {c}");
        }
        for how in ["drop", "keep"] {
            let list = left_out(&a.left_out, how);
            if !list.is_empty() {
                let by = if how == "drop" { "by drop" } else { "not in keep" };
                let _ = writeln!(out, "    left out ({by}): {list}");
            }
        }
    }
    out
}

/// `商机状态组 = 输单: 3, 商机状态组 = 无效: 2`: the rows left out one way, by column and value.
fn left_out(left: &[(&'static str, String, String, u64)], how: &str) -> String {
    let parts: Vec<String> = left
        .iter()
        .filter(|(h, ..)| *h == how)
        .map(|(_, col, value, n)| {
            let v = if value.is_empty() { "(empty)" } else { value.as_str() };
            format!("{col} = {v}: {n}")
        })
        .collect();
    parts.join(", ")
}

/// One line per period, then the files not read:
///
/// ```text
/// 2026-Q4: 264 lines used; 48 of 48 reps with a forecast; 58 of 63 nodes reviewed; 12 nodes with a target
/// 2026-H2: no forecast line; 2 nodes with a target (a target nobody forecast)
/// not read: README.txt, expected/
/// ```
pub fn coverage(pack: &Pack, files: &PackFiles) -> String {
    let tree = &pack.tree;
    let nodes = tree.len();
    let reps = (0..nodes as u32).filter(|&v| v != tree.root && tree.is_leaf(v)).count();
    let mut out = String::new();
    for p in &pack.periods {
        let lines: u64 = p.lines.iter().map(|&n| u64::from(n)).sum();
        let targets = p.target.iter().filter(|t| t.is_some()).count();
        let with_target = format!("{targets} {} with a target", noun(targets));
        if lines == 0 {
            let _ = writeln!(
                out,
                "{}: no forecast line; {with_target} (a target nobody forecast)",
                p.period
            );
            continue;
        }
        let forecasting = (0..nodes as u32)
            .filter(|&v| v != tree.root && tree.is_leaf(v) && p.lines[v as usize] > 0)
            .count();
        let reviewed = p.confidence.iter().filter(|c| c.is_some()).count();
        let _ = writeln!(
            out,
            "{}: {lines} {} used; {forecasting} of {reps} reps with a forecast; {reviewed} of {} nodes reviewed; {with_target}",
            p.period,
            if lines == 1 { "line" } else { "lines" },
            nodes - 1,
        );
    }
    for a in &files.shapes {
        let left: u64 = a.left_out.iter().map(|(.., n)| n).sum();
        if left > 0 {
            let _ = writeln!(
                out,
                "left out by pack.toml: {left} {} of {} ({})",
                if left == 1 { "row" } else { "rows" },
                a.source,
                ["drop", "keep"]
                    .iter()
                    .map(|h| left_out(&a.left_out, h))
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !files.not_read.is_empty() {
        let _ = writeln!(out, "not read: {}", files.not_read.join(", "));
    }
    out
}

fn noun(n: usize) -> &'static str {
    if n == 1 {
        "node"
    } else {
        "nodes"
    }
}

/// What `init` took for what, for the terminal.
pub fn drafted(d: &crate::init::Draft, path: &str, dir: &str) -> String {
    let mut out = format!("drafted {path}: check it, then run `forecast-rollup check {dir}`\n");
    for (role, source, taken) in &d.taken {
        let _ = writeln!(out, "  {} ← {source}", role.file_name().trim_end_matches(".csv"));
        let width = taken.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, col) in taken {
            let _ = writeln!(out, "    {k:<width$}  {col}");
        }
    }
    if !d.unused.is_empty() {
        let _ = writeln!(out, "  not taken: {}", d.unused.join(", "));
    }
    out
}

/// What a command wrote, one file a line, for stderr: `wrote out/rollup.csv (12,345 bytes)`.
pub fn written(files: &[(std::path::PathBuf, u64)]) -> String {
    let mut out = String::new();
    for (path, size) in files {
        let shown = crate::load::folder::display(path);
        let unit = if *size == 1 { "byte" } else { "bytes" };
        let _ = writeln!(
            out,
            "wrote {shown} ({} {unit})",
            crate::format::grouped(i128::from(*size), 0)
        );
    }
    out
}

/// What `template` wrote, for the terminal.
pub fn template(period: &str, sheets: &[String]) -> String {
    format!(
        "confidence.xlsx for {period}: {} manager sheet(s) ({}). Send each manager their sheet; put the filled workbook in the pack folder as confidence.xlsx, or the returned workbooks in a confidence/ folder.",
        sheets.len(),
        sheets.join(", ")
    )
}
