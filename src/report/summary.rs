//! What the person running the meeting reads before it: `check`'s account of every input row,
//! and per period a coverage line (lines used, reps with a forecast, nodes reviewed, nodes
//! with a target), the periods that have targets but no forecast line (the target nobody
//! forecast), and the files in the pack folder that were not read.

use crate::load::PackFiles;
use crate::model::Pack;
use crate::problem::FileKind;
use crate::t;
use crate::text::{plural, Lang, Text};
use std::fmt::Write as _;

/// `check`'s answer on a valid pack: every input row accounted for, file by file.
pub fn check(pack: &Pack, files: &PackFiles, lang: Lang) -> String {
    let s = pack.stats;
    let f = s.forecasts;
    let blank = |n: u64| {
        if n > 0 {
            t!(", {n} blank skipped", "，跳过 {n} 个空行")
        } else {
            Text::default()
        }
    };
    let (nodes, periods) = (s.org_rows, pack.periods.len());
    let mut out = String::new();
    let mut line = |t: Text| {
        out.push_str(t.get(lang));
        out.push('\n');
    };
    line(t!("ok: {nodes} nodes, {periods} period(s)", "通过：{nodes} 个节点，{periods} 个期间"));
    let name = |k: FileKind| files.display(k);
    let (org, org_blank) = (name(FileKind::Org), blank(s.org_blank));
    line(t!("  {org}: {nodes} rows{}", "  {org}：{nodes} 行{}", org_blank));
    let (read, used, other) = (f.read, f.used, f.other_period);
    let lines = if other > 0 {
        t!(
            "{read} lines read, {used} used, {other} in other periods (--period)",
            "读入 {read} 行，使用 {used} 行，{other} 行属于其他期间（--period）"
        )
    } else {
        t!("{read} lines read, {used} used", "读入 {read} 行，使用 {used} 行")
    };
    let (fc, fc_blank) = (name(FileKind::Forecasts), blank(f.blank));
    line(t!("  {fc}: {}, 0 refused{}", "  {fc}：{}，拒收 0 行{}", lines, fc_blank));
    if files.confidence.is_some() {
        let (n, b, file) =
            (s.confidence_rows, blank(s.confidence_blank), name(FileKind::Confidence));
        line(t!("  {file}: {n} rows{}", "  {file}：{n} 行{}", b));
    }
    if files.targets.is_some() {
        let (n, b, file) = (s.target_rows, blank(s.target_blank), name(FileKind::Targets));
        line(t!("  {file}: {n} rows{}", "  {file}：{n} 行{}", b));
    }
    out.push_str(&mapping(files, lang));
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
pub fn mapping(files: &PackFiles, lang: Lang) -> String {
    let Some(path) = &files.mapping else { return String::new() };
    let mut out = String::new();
    let mut line = |t: Text| {
        out.push_str(t.get(lang));
        out.push('\n');
    };
    line(t!("mapped by {path}:", "按 {path} 映射："));
    for a in &files.shapes {
        let role = a.role.file_name().trim_end_matches(".csv");
        let (source, used, rows, blank) = (&a.source, a.used, a.rows, a.blank);
        line(if blank > 0 {
            t!(
                "  {role} ← {source}: {used} of {rows} rows used, {blank} blank skipped",
                "  {role} ← {source}：{rows} 行中使用 {used} 行，跳过 {blank} 个空行"
            )
        } else {
            t!(
                "  {role} ← {source}: {used} of {rows} rows used",
                "  {role} ← {source}：{rows} 行中使用 {used} 行"
            )
        });
        for c in &a.columns {
            line(t!("    {}", "    {}", *c));
        }
        for how in ["drop", "keep"] {
            let list = left_out(&a.left_out, how, lang);
            if !list.is_empty() {
                line(if how == "drop" {
                    t!("    left out (by drop): {list}", "    排除（drop）：{list}")
                } else {
                    t!("    left out (not in keep): {list}", "    排除（不在 keep 中）：{list}")
                });
            }
        }
    }
    out
}

/// `商机状态组 = 输单: 3, 商机状态组 = 无效: 2`: the rows left out one way, by column and value.
fn left_out(left: &[(&'static str, String, String, u64)], how: &str, lang: Lang) -> String {
    let parts: Vec<String> = left
        .iter()
        .filter(|(h, ..)| *h == how)
        .map(|(_, col, value, n)| {
            let v = if value.is_empty() {
                t!("(empty)", "（空）")
            } else {
                t!("{value}", "{value}")
            };
            t!("{col} = {}: {n}", "{col} = {}：{n}", v).get(lang).to_string()
        })
        .collect();
    parts.join(if lang == Lang::Zh { "，" } else { ", " })
}

/// One line per period, then the files not read:
///
/// ```text
/// 2026-Q4: 264 lines used; 48 of 48 reps with a forecast; 58 of 63 nodes reviewed; 12 nodes with a target
/// 2026-H2: no forecast line; 2 nodes with a target (a target nobody forecast)
/// not read: README.txt, expected/
/// ```
pub fn coverage(pack: &Pack, files: &PackFiles, lang: Lang) -> String {
    let tree = &pack.tree;
    let nodes = tree.len();
    let reps = (0..nodes as u32).filter(|&v| v != tree.root && tree.is_leaf(v)).count();
    let mut out = String::new();
    let mut line = |t: Text| {
        out.push_str(t.get(lang));
        out.push('\n');
    };
    for p in &pack.periods {
        let lines: u64 = p.lines.iter().map(|&n| u64::from(n)).sum();
        let targets = p.target.iter().filter(|t| t.is_some()).count() as u64;
        let period = &p.period;
        if lines == 0 {
            line(t!(
                (
                    "{period}: no forecast line; {} with a target (a target nobody forecast)",
                    plural(targets, "node", "nodes")
                ),
                ("{period}：没有预测行；{} 个节点有目标（没人预测的目标）", targets)
            ));
            continue;
        }
        let forecasting = (0..nodes as u32)
            .filter(|&v| v != tree.root && tree.is_leaf(v) && p.lines[v as usize] > 0)
            .count();
        let reviewed = p.confidence.iter().filter(|c| c.is_some()).count();
        let others = nodes - 1;
        line(t!(
            (
                "{period}: {} used; {forecasting} of {reps} reps with a forecast; {reviewed} of {others} nodes reviewed; {} with a target",
                plural(lines, "line", "lines"),
                plural(targets, "node", "nodes")
            ),
            (
                "{period}：使用 {} 行；{reps} 位销售中 {forecasting} 位有预测；{others} 个节点中 {reviewed} 个已评估；{} 个节点有目标",
                lines,
                targets
            )
        ));
    }
    for a in &files.shapes {
        let left: u64 = a.left_out.iter().map(|(.., n)| n).sum();
        if left > 0 {
            let source = &a.source;
            let why = ["drop", "keep"]
                .iter()
                .map(|h| left_out(&a.left_out, h, lang))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            line(t!(
                ("left out by pack.toml: {} of {source} ({why})", plural(left, "row", "rows")),
                ("按 pack.toml 排除：{source} 的 {} 行（{why}）", left)
            ));
        }
    }
    if !files.not_read.is_empty() {
        let list = files.not_read.join(", ");
        line(t!("not read: {list}", "未读取：{list}"));
    }
    out
}

/// What `init` took for what, for the terminal.
pub fn drafted(d: &crate::init::Draft, path: &str, dir: &str, lang: Lang) -> String {
    let head = t!(
        "drafted {path}: check it, then run `forecast-rollup check {dir}`",
        "已起草 {path}：请检查，然后运行 `forecast-rollup check {dir}`"
    );
    let mut out = format!("{}\n", head.get(lang));
    for (role, source, taken) in &d.taken {
        let _ = writeln!(out, "  {} ← {source}", role.file_name().trim_end_matches(".csv"));
        let width = taken.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, col) in taken {
            let _ = writeln!(out, "    {k:<width$}  {col}");
        }
    }
    if !d.unused.is_empty() {
        let list = d.unused.join(", ");
        let _ = writeln!(out, "{}", t!("  not taken: {list}", "  未采用：{list}").get(lang));
    }
    out
}

/// What a command wrote, one file a line, for stderr: `wrote out/rollup.csv (12,345 bytes)`.
pub fn written(files: &[(std::path::PathBuf, u64)], lang: Lang) -> String {
    let mut out = String::new();
    for (path, size) in files {
        let shown = crate::load::folder::display(path);
        let n = crate::format::grouped(i128::from(*size), 0);
        let unit = if *size == 1 { "byte" } else { "bytes" };
        let line = t!(("wrote {shown} ({n} {unit})"), ("已写出 {shown}（{n} 字节）"));
        let _ = writeln!(out, "{}", line.get(lang));
    }
    out
}

/// What `template` wrote, for the terminal.
pub fn template(period: &str, sheets: &[String], lang: Lang) -> String {
    let (n, list) = (sheets.len(), sheets.join(", "));
    t!(
        "confidence.xlsx for {period}: {n} manager sheet(s) ({list}). Send each manager their sheet; put the filled workbook in the pack folder as confidence.xlsx, or the returned workbooks in a confidence/ folder.",
        "{period} 的 confidence.xlsx：{n} 张主管工作表（{list}）。请把各自的工作表发给每位主管；填好的工作簿以 confidence.xlsx 放进数据包文件夹，或把收回的工作簿放进 confidence/ 文件夹。"
    )
    .get(lang)
    .to_string()
}
