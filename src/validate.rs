//! Checks on the loaded rows, each a small function that returns its problems, all listed in
//! [`CHECKS`] and all run, so a user sees every problem at once. Checks that need the stream of
//! forecast lines (unknown reps, repeated deals, unreadable amounts) run while it is read, in
//! `load::forecasts`, because ten million lines are never held in memory.
//!
//! [`validate`] then builds the [`Pack`] the roll-up needs, or returns `None` if anything is wrong.

use crate::exact::Exact;
use crate::load::Loaded;
use crate::model::{fold_id, ConfidenceNote, Given, NodeIx, OrgRow, Pack, PeriodInputs, Tree};
use crate::problem::{quoted, FileKind, Problem, Problems};
use crate::t;
use crate::text::Text;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

/// A hash of [`fold_id`]`(id)`, computed without building the folded string.
fn fold_hash(id: &str) -> u64 {
    let mut h = FxHasher::default();
    for c in crate::model::folded_chars(id) {
        h.write_u32(c as u32);
    }
    h.finish()
}

/// Options that change what counts as a problem.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--strict`: a node with no confidence for a period is a problem, not a note.
    pub strict: bool,
    /// `--period`: keep one period.
    pub only_period: Option<String>,
}

/// Where each row's parent_id points.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParentRef {
    Root,
    Node(NodeIx),
    Unknown,
}

fn parent_refs(l: &Loaded) -> Vec<ParentRef> {
    l.org
        .iter()
        .map(|r| {
            if r.parent_id.is_empty() {
                ParentRef::Root
            } else {
                l.ids.get_str(&r.parent_id).map_or(ParentRef::Unknown, ParentRef::Node)
            }
        })
        .collect()
}

type Check = fn(&Loaded) -> Vec<Problem>;

/// What a check needs read: a check whose input could not be read does not run (its problems
/// would all be follow-ons of the problem already listed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
    Nothing,
    Org,
    Forecasts,
}

/// Every check on the loaded rows, in the order their problems are most useful.
const CHECKS: &[(Check, Needs)] = &[
    (check_org_not_empty, Needs::Org),
    (check_org_totals, Needs::Org),
    (check_ids, Needs::Org),
    (check_roots, Needs::Org),
    (check_parents, Needs::Org),
    (check_cycles, Needs::Org),
    (check_confidence_subjects, Needs::Org),
    (check_confidence_repeats, Needs::Nothing),
    (check_target_nodes, Needs::Org),
    (check_target_repeats, Needs::Nothing),
    (check_period_spellings, Needs::Nothing),
    (check_confidence_periods, Needs::Forecasts),
    (check_period_dates, Needs::Nothing),
    (check_period_kinds, Needs::Forecasts),
];

/// A period label folded for comparison: case, spaces and the punctuation `-_/.` dropped, so
/// that `FY26 Q4` and `FY26-Q4` meet.
fn fold_period(p: &str) -> String {
    fold_id(p).chars().filter(|c| !matches!(c, '-' | '_' | '/' | '.')).collect()
}

/// A confidence for a period that no forecast line has applies to nothing: last quarter's
/// rows, or a period written another way. (Periods are already in their canonical spelling.)
fn check_confidence_periods(l: &Loaded) -> Vec<Problem> {
    let periods = &l.forecasts.periods;
    if periods.is_empty() {
        return Vec::new();
    }
    l.confidence
        .iter()
        .filter(|r| !r.period.is_empty() && !periods.contains(&r.period))
        // A spelling of a forecast period, or a date, is reported once, by its own check.
        .filter(|r| periods.iter().all(|p| fold_period(p) != fold_period(&r.period)))
        .filter(|r| crate::period::date_month(&r.period).is_none())
        // In a calendar pack a label that is no period is reported by check_period_kinds.
        .filter(|r| {
            crate::period::kind(&r.period).is_some()
                || periods.iter().all(|p| crate::period::kind(p).is_none())
        })
        .map(|r| {
            let near = crate::suggest::nearest(&r.period, periods.iter().map(String::as_str));
            let hint = match near {
                Some(p) => t!("did you mean {}?", "是否想写 {}？", quoted(p)),
                None => t!(
                    "forecasts.csv has {}; leave the period empty for a confidence that holds in every period",
                    "forecasts.csv 里的期间有 {}；对所有期间都适用的信心指数请把期间留空",
                    list(periods)
                ),
            };
            Problem::at(
                r.src,
                t!(
                    "{}: no forecast line has this period",
                    "{}：没有任何预测行属于这个期间",
                    quoted(&r.period)
                ),
            )
            .column("period")
            .hint(hint)
        })
        .collect()
}

/// A problem of forecasts.csv's period number `i`, at the first line that has it (and says
/// so: later lines may have it too).
fn first_line_of(l: &Loaded, i: usize, message: Text) -> Problem {
    match l.forecasts.first_lines.get(i).filter(|&&line| line != u64::MAX) {
        Some(&line) => Problem::at(
            crate::problem::Source::new(FileKind::Forecasts, line),
            t!("{} (the first line with it)", "{}（这是含有它的第一行）", message),
        ),
        None => Problem::file(FileKind::Forecasts, message),
    }
}

/// A date in a period column (`2026-11-30`): not a period, and each date would be one. Often a
/// spreadsheet's doing: `2026-11` typed into a cell becomes the date 2026-11-01.
fn check_period_dates(l: &Loaded) -> Vec<Problem> {
    let problem = |p: Problem, month: String| {
        let hint = if month.is_empty() {
            t!(
                "write the period (2026-11, 2026-Q4); if a spreadsheet made this a date, format the column as Text",
                "请写期间（2026-11、2026-Q4）；如果是电子表格把它变成了日期，请把该列设为“文本”格式"
            )
        } else {
            t!(
                "write the period: {} for the month, or its quarter; if a spreadsheet made this a date, format the column as Text",
                "请写期间：月份写 {}，或写它所在的季度；如果是电子表格把它变成了日期，请把该列设为“文本”格式",
                quoted(&month)
            )
        };
        p.hint(hint)
    };
    let mut out = Vec::new();
    for (i, p) in l.forecasts.periods.iter().enumerate() {
        if let Some(m) = crate::period::date_month(p) {
            let msg = t!(
                "{} in the period column is a date, not a period",
                "期间列里的 {} 是日期，不是期间",
                quoted(p)
            );
            out.push(problem(first_line_of(l, i, msg), m));
        }
    }
    let rows = l.confidence.iter().map(|r| (&r.period, r.src));
    for (period, src) in rows.chain(l.targets.iter().map(|r| (&r.period, r.src))) {
        if let Some(m) = crate::period::date_month(period) {
            let msg = t!("{} is a date, not a period", "{} 是日期，不是期间", quoted(period));
            out.push(problem(Problem::at(src, msg).column("period"), m));
        }
    }
    out
}

/// The calendar period a label that is none probably meant: with the year of the forecasts
/// (`四季度`, `Q4` → `2026-Q4`), with its century (`26Q4`), or the nearest by spelling.
fn meant_period(label: &str, periods: &[String]) -> Text {
    let years: std::collections::BTreeSet<&str> =
        periods.iter().filter(|p| crate::period::kind(p).is_some()).map(|p| &p[..4]).collect();
    for y in &years {
        for attempt in [format!("{y}{label}"), format!("{y}年{label}")] {
            if let Some(c) = crate::period::canonical(&attempt).filter(|c| periods.contains(c)) {
                return t!(
                    "did you mean {}? (the year is missing)",
                    "是否想写 {}？（缺了年份）",
                    quoted(&c)
                );
            }
        }
    }
    let t = label.trim();
    if t.len() > 2 && t.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
        if let Some(c) = crate::period::canonical(&format!("20{t}")).filter(|c| periods.contains(c))
        {
            return t!("did you mean {}?", "是否想写 {}？", quoted(&c));
        }
    }
    match crate::suggest::nearest(label, periods.iter().map(String::as_str)) {
        Some(p) => t!("did you mean {}?", "是否想写 {}？", quoted(p)),
        None => t!("forecasts.csv has {}", "forecasts.csv 里的期间有 {}", list(periods)),
    }
}

/// In a pack whose forecast lines name calendar periods, every period must be one that this
/// tool reads: another label (`26Q4`, `四季度`, `2026-Q5`) would roll up, without a word, as a
/// period of its own. And forecast lines give periods of one length: a month beside quarters
/// would be counted in neither.
fn check_period_kinds(l: &Loaded) -> Vec<Problem> {
    use crate::period::{date_month, kind};
    let periods = &l.forecasts.periods;
    let calendar: Vec<&String> = periods.iter().filter(|p| kind(p).is_some()).collect();
    let mut out = Vec::new();
    if calendar.is_empty() {
        // Forecasts in free labels (FY2026Q4) and targets in calendar periods: two namings of
        // the same periods, never a target nobody forecast.
        if periods.iter().any(|p| date_month(p).is_none()) {
            for t in l.targets.iter().filter(|t| kind(&t.period).is_some()) {
                out.push(
                    Problem::at(
                        t.src,
                        t!(
                            "{} is a calendar period, but forecasts.csv names its periods otherwise ({})",
                            "{} 是自然期间，但 forecasts.csv 的期间是另一种写法（{}）",
                            quoted(&t.period),
                            list(periods)
                        ),
                    )
                    .column("period")
                    .hint(t!(
                        "write the periods the same way in both files",
                        "请在两个文件里用同一种写法写期间"
                    )),
                );
            }
        }
        return out;
    }
    // Reported by their own checks: dates, and spellings of another label.
    let other = |p: &str| {
        kind(p).is_none()
            && date_month(p).is_none()
            && periods.iter().filter(|q| fold_period(q) == fold_period(p)).count() == 1
    };
    for (i, p) in periods.iter().enumerate().filter(|(_, p)| other(p)) {
        let msg = t!(
            "{} in the period column is not a period this tool reads, beside {}: it would be rolled up as a period of its own",
            "期间列里的 {} 不是本工具能读的期间（旁边是 {}）：它会被单独汇总成一个期间",
            quoted(p),
            quoted(calendar[0])
        );
        out.push(first_line_of(l, i, msg).hint(meant_period(p, periods)));
    }
    let mut kinds: Vec<(&str, &String)> =
        calendar.iter().filter_map(|p| Some((kind(p)?, *p))).collect();
    kinds.sort();
    kinds.dedup_by_key(|(k, _)| *k);
    if kinds.len() > 1 {
        let en: Vec<String> = kinds.iter().map(|(k, p)| format!("{} (a {k})", quoted(p))).collect();
        let zh: Vec<String> = kinds
            .iter()
            .map(|(k, p)| {
                let k = match *k {
                    "quarter" => "季度",
                    "month" => "月",
                    "half" => "半年",
                    "year" => "年",
                    other => other,
                };
                format!("{}（{k}）", quoted(p))
            })
            .collect();
        out.push(
            Problem::file(
                FileKind::Forecasts,
                t!(
                    (
                        "forecast lines give periods of different lengths: {}; a line of a shorter period inside a longer one would be counted in neither",
                        en.join(", ")
                    ),
                    (
                        "预测行的期间长短不一：{}；较长期间里的较短期间行两边都不会计入",
                        zh.join("、")
                    )
                ),
            )
            .hint(t!(
                "give every forecast line a period of one length: quarters (2026-Q4) or months (2026-11)",
                "所有预测行请用同一种长度的期间：季度（2026-Q4）或月（2026-11）"
            )),
        );
    }
    let rows = l.confidence.iter().filter(|r| !r.period.is_empty()).map(|r| (&r.period, r.src));
    for (period, src) in rows.chain(l.targets.iter().map(|r| (&r.period, r.src))) {
        let spelled = periods.iter().any(|q| fold_period(q) == fold_period(period));
        if kind(period).is_none() && date_month(period).is_none() && !spelled {
            out.push(
                Problem::at(
                    src,
                    t!(
                        "{} is not a period this tool reads",
                        "{} 不是本工具能读的期间",
                        quoted(period)
                    ),
                )
                .column("period")
                .hint(meant_period(period, periods)),
            );
        }
    }
    out
}

/// `"2026-Q3", "2026-Q4"`, or the first few and how many more.
fn list(items: &[String]) -> Text {
    let shown: Vec<String> = items.iter().take(6).map(|p| quoted(p)).collect();
    match items.len() {
        n if n > 6 => t!("{} and {} more", "{} 等（另有 {} 个）", shown.join(", "), n - 6),
        _ => t!("{}", "{}", shown.join(", ")),
    }
}

/// `FY26-Q4` beside `FY26 Q4` would silently become two periods.
fn check_period_spellings(l: &Loaded) -> Vec<Problem> {
    let mut all: Vec<(&str, Option<crate::problem::Source>)> =
        l.forecasts.periods.iter().map(|p| (p.as_str(), None)).collect();
    all.extend(l.targets.iter().map(|t| (t.period.as_str(), Some(t.src))));
    all.extend(
        l.confidence
            .iter()
            .filter(|c| !c.period.is_empty())
            .map(|c| (c.period.as_str(), Some(c.src))),
    );
    let mut first: FxHashMap<String, &str> = FxHashMap::default();
    let mut out = Vec::new();
    for (p, src) in all {
        let f = fold_period(p);
        match first.get(&f) {
            Some(&q) if q != p => {
                let msg = t!(
                    "periods {} and {} differ only by case, spaces or punctuation: they would be rolled up as two periods",
                    "期间 {} 和 {} 只有大小写、空格或标点不同：它们会被汇总成两个期间",
                    quoted(q),
                    quoted(p)
                );
                let problem = match src {
                    Some(s) => Problem::at(s, msg),
                    None => Problem::file(FileKind::Forecasts, msg),
                };
                out.push(problem.hint(t!(
                    "write it {}, as it is written first",
                    "请按第一次出现的写法写成 {}",
                    quoted(q)
                )));
            }
            Some(_) => {}
            None => {
                first.insert(f, p);
            }
        }
    }
    out
}

/// A totals row in org.csv (`合计`) is no person or unit; it would be a rep or a second root.
fn check_org_totals(l: &Loaded) -> Vec<Problem> {
    l.org
        .iter()
        .filter(|r| crate::model::is_totals_label(&r.id))
        .map(|r| crate::model::totals_row(r.src, &r.id).column("id"))
        .collect()
}

fn check_org_not_empty(l: &Loaded) -> Vec<Problem> {
    if l.org.is_empty() {
        vec![Problem::file(
            FileKind::Org,
            t!("the file has a header but no rows", "文件只有表头，没有数据行"),
        )]
    } else {
        vec![]
    }
}

fn check_ids(l: &Loaded) -> Vec<Problem> {
    let mut out = Vec::new();
    // Keyed by a hash of the folded id (no allocation per id); a hash match is confirmed by
    // comparing the folded ids themselves.
    let mut folded: FxHashMap<u64, &OrgRow> =
        FxHashMap::with_capacity_and_hasher(l.org.len(), Default::default());
    for (i, r) in l.org.iter().enumerate() {
        if r.id.is_empty() {
            let (name, parent) = (quoted(&r.name), quoted(&r.parent_id));
            let message = match (r.name.is_empty(), r.parent_id.is_empty()) {
                (false, false) => t!(
                    "empty cell (the row of {name} under {parent})",
                    "单元格为空（{parent} 下 {name} 的那一行）"
                ),
                (false, true) => {
                    t!("empty cell (the row of {name})", "单元格为空（{name} 的那一行）")
                }
                (true, false) => {
                    t!("empty cell (a row under {parent})", "单元格为空（{parent} 下的一行）")
                }
                (true, true) => t!("empty cell", "单元格为空"),
            };
            out.push(Problem::at(r.src, message).column("id").hint(t!(
                "every person or unit needs a unique id",
                "每个人或单位都需要一个唯一的 id"
            )));
            continue;
        }
        // The id index keeps the first row of each id: another row is a repeat.
        if let Some(first) = l.ids.get_str(&r.id).filter(|&f| f as usize != i) {
            let first = &l.org[first as usize];
            out.push(Problem::at(
                r.src,
                t!(
                    "duplicate id {} (first at line {})",
                    "id {} 重复（首次在第 {} 行）",
                    quoted(&r.id),
                    first.src.line
                ),
            ));
            continue;
        }
        let key = fold_hash(&r.id);
        if let Some(first) = folded.get(&key).filter(|f| fold_id(&f.id) == fold_id(&r.id)) {
            out.push(
                Problem::at(
                    r.src,
                    t!(
                        "id {} differs from {} (line {}) only by case or spaces",
                        "id {} 与 {}（第 {} 行）只有大小写或空格不同",
                        quoted(&r.id),
                        quoted(&first.id),
                        first.src.line
                    ),
                )
                .hint(t!(
                    "ids that look the same get mixed up in other files: make them clearly different",
                    "看起来一样的 id 在其他文件里会被混淆：请让它们明显不同"
                )),
            );
        } else {
            folded.entry(key).or_insert(r);
        }
    }
    out
}

fn check_roots(l: &Loaded) -> Vec<Problem> {
    // A totals row is reported once, as one (check_org_totals).
    let roots: Vec<&OrgRow> = l
        .org
        .iter()
        .filter(|r| r.parent_id.is_empty() && !crate::model::is_totals_label(&r.id))
        .collect();
    // A root whose parent_id was filled with a placeholder ("0", "-") is reported once, by
    // check_parents, at its line.
    let placeholder_root = l.org.iter().any(|r| is_placeholder(&r.parent_id));
    match roots.as_slice() {
        [] if placeholder_root => vec![],
        [] if !l.org.is_empty() => {
            vec![Problem::file(
                FileKind::Org,
                t!("no root: every row has a parent_id", "没有根节点：每一行都有 parent_id"),
            )
            .hint(t!(
                "leave parent_id empty on the one national (全国) row",
                "请在唯一的全国那一行把 parent_id 留空"
            ))]
        }
        [] | [_] => vec![],
        [first, rest @ ..] => rest
            .iter()
            .map(|r| {
                Problem::at(
                    r.src,
                    t!(
                        "a second root {}: {} (line {}) has no parent_id either",
                        "第二个根节点 {}：{}（第 {} 行）也没有 parent_id",
                        quoted(&r.id),
                        quoted(&first.id),
                        first.src.line
                    ),
                )
                .hint(t!(
                    "a pack has one root (national); give every other row its parent_id",
                    "一个数据包只有一个根节点（全国）；其他每一行都要写 parent_id"
                ))
            })
            .collect(),
    }
}

/// What people type for "no parent" instead of leaving the cell empty.
fn is_placeholder(parent_id: &str) -> bool {
    matches!(
        parent_id.to_lowercase().as_str(),
        "0" | "-" | "—" | "无" | "none" | "null" | "n/a" | "na" | "root" | "#n/a"
    )
}

fn check_parents(l: &Loaded) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in &l.org {
        if r.parent_id.is_empty() {
            continue;
        }
        if r.parent_id == r.id {
            out.push(Problem::at(
                r.src,
                t!("{} is its own parent", "{} 是它自己的上级", quoted(&r.id)),
            ));
        } else if l.ids.get_str(&r.parent_id).is_none() {
            let hint = if is_placeholder(&r.parent_id) {
                Some(t!(
                    "if this is the root (national) row, leave parent_id empty",
                    "如果这是根节点（全国）那一行，请把 parent_id 留空"
                ))
            } else {
                l.ids.hint(&r.parent_id)
            };
            out.push(
                Problem::at(
                    r.src,
                    t!(
                        "parent_id {} is not an id in org.csv",
                        "parent_id {} 不是 org.csv 里的 id",
                        quoted(&r.parent_id)
                    ),
                )
                .maybe_hint(hint),
            );
        }
    }
    out
}

/// Finds every cycle of parent links once (walking up with an explicit path, no recursion).
fn check_cycles(l: &Loaded) -> Vec<Problem> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let parents = parent_refs(l);
    let mut state = vec![NEW; l.org.len()];
    let mut out = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    for start in 0..l.org.len() {
        path.clear();
        let mut v = start;
        loop {
            match state[v] {
                NEW => {
                    state[v] = ON_PATH;
                    path.push(v);
                    match parents[v] {
                        ParentRef::Node(p) if p as usize != v => v = p as usize,
                        _ => break,
                    }
                }
                ON_PATH => {
                    let at = path.iter().position(|&x| x == v).unwrap_or(0);
                    let cycle = &path[at..];
                    let first = *cycle.iter().min().unwrap_or(&v);
                    let mut ids: Vec<String> =
                        cycle.iter().map(|&i| quoted(&l.org[i].id)).collect();
                    ids.push(quoted(&l.org[v].id));
                    let lines: Vec<String> =
                        cycle.iter().map(|&i| l.org[i].src.line.to_string()).collect();
                    out.push(
                        Problem::at(
                            l.org[first].src,
                            t!(
                                "cycle of parents: {} (lines {})",
                                "上级关系成环：{}（第 {} 行）",
                                ids.join(" → "),
                                lines.join(", ")
                            ),
                        )
                        .hint(t!(
                            "one of these rows has the wrong parent_id",
                            "其中某一行的 parent_id 写错了"
                        )),
                    );
                    break;
                }
                _ => break,
            }
        }
        for &i in &path {
            state[i] = DONE;
        }
    }
    out
}

fn check_confidence_subjects(l: &Loaded) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in &l.confidence {
        let Some(s) = l.ids.get_str(&r.subject_id) else {
            out.push(
                Problem::at(
                    r.src,
                    t!(
                        "{} is not an id in org.csv",
                        "{} 不是 org.csv 里的 id",
                        quoted(&r.subject_id)
                    ),
                )
                .column("subject_id")
                .maybe_hint(l.ids.hint(&r.subject_id)),
            );
            continue;
        };
        let subject = &l.org[s as usize];
        // A parent that is no id is reported once, on its org.csv row; its reviewers are not
        // reported again as "not the parent".
        if !subject.parent_id.is_empty() && l.ids.get_str(&subject.parent_id).is_none() {
            continue;
        }
        if subject.parent_id.is_empty() {
            out.push(
                Problem::at(
                    r.src,
                    t!(
                        "{} is the root: nobody above it gives it a confidence",
                        "{} 是根节点：它上面没有人给它信心指数",
                        quoted(&r.subject_id)
                    ),
                )
                .column("subject_id"),
            );
            continue;
        }
        if !r.reviewer_id.is_empty() && r.reviewer_id != subject.parent_id {
            let known = l.ids.get_str(&r.reviewer_id).is_some();
            let msg = if known {
                t!(
                    "reviewer {} is not the parent of {} (its parent is {})",
                    "评估人 {} 不是 {} 的上级（它的上级是 {}）",
                    quoted(&r.reviewer_id),
                    quoted(&r.subject_id),
                    quoted(&subject.parent_id)
                )
            } else {
                t!(
                    "reviewer {} is not an id in org.csv (the parent of {} is {})",
                    "评估人 {} 不是 org.csv 里的 id（{} 的上级是 {}）",
                    quoted(&r.reviewer_id),
                    quoted(&r.subject_id),
                    quoted(&subject.parent_id)
                )
            };
            out.push(Problem::at(r.src, msg).column("reviewer_id").hint(t!(
                "a confidence is given by the subject's direct manager (its parent in org.csv)",
                "信心指数由被评估者的直属上级（org.csv 里的上级）给出"
            )));
        }
    }
    out
}

fn check_confidence_repeats(l: &Loaded) -> Vec<Problem> {
    let mut first: FxHashMap<(&str, &str), u64> = FxHashMap::default();
    let mut out = Vec::new();
    for r in &l.confidence {
        match first.get(&(r.subject_id.as_str(), r.period.as_str())) {
            Some(line) => {
                let msg = if r.period.is_empty() {
                    t!(
                        "a second row with an empty period (every period) for {} (first at line {line})",
                        "{} 的第二行空期间（适用所有期间）的记录（首次在第 {line} 行）",
                        quoted(&r.subject_id)
                    )
                } else {
                    t!(
                        "a second confidence for {} in period {} (first at line {line})",
                        "{} 在期间 {} 的第二个信心指数（首次在第 {line} 行）",
                        quoted(&r.subject_id),
                        quoted(&r.period)
                    )
                };
                out.push(Problem::at(r.src, msg).hint(t!(
                    "keep one row per subject and period",
                    "每个被评估者每个期间只保留一行"
                )));
            }
            None => {
                first.insert((&r.subject_id, &r.period), r.src.line);
            }
        }
    }
    out
}

fn check_target_nodes(l: &Loaded) -> Vec<Problem> {
    l.targets
        .iter()
        .filter(|r| l.ids.get_str(&r.node_id).is_none())
        .map(|r| {
            Problem::at(
                r.src,
                t!("{} is not an id in org.csv", "{} 不是 org.csv 里的 id", quoted(&r.node_id)),
            )
            .column("node_id")
            .maybe_hint(l.ids.hint(&r.node_id))
        })
        .collect()
}

fn check_target_repeats(l: &Loaded) -> Vec<Problem> {
    let mut first: FxHashMap<(&str, &str), u64> = FxHashMap::default();
    let mut out = Vec::new();
    for r in &l.targets {
        match first.get(&(r.node_id.as_str(), r.period.as_str())) {
            Some(line) => out.push(Problem::at(
                r.src,
                t!(
                    "a second target for {} in period {} (first at line {line})",
                    "{} 在期间 {} 的第二个目标（首次在第 {line} 行）",
                    quoted(&r.node_id),
                    quoted(&r.period)
                ),
            )),
            None => {
                first.insert((&r.node_id, &r.period), r.src.line);
            }
        }
    }
    out
}

/// Runs every check; if none finds a problem, builds the pack the roll-up runs on.
pub fn validate(l: Loaded, opts: &CheckOptions, problems: &mut Problems) -> Option<Pack> {
    let mut org_ok = l.org_read;
    let runs = |needs: Needs| match needs {
        Needs::Nothing => true,
        Needs::Org => l.org_read,
        Needs::Forecasts => l.forecasts_read,
    };
    // One task per check, so that the long ones (the ids of a 100,000-rep org) do not queue
    // the short ones behind them on one thread.
    let found: Vec<Vec<Problem>> = CHECKS
        .par_iter()
        .with_max_len(1)
        .map(|&(check, needs)| if runs(needs) { check(&l) } else { Vec::new() })
        .collect();
    for found in found {
        org_ok &= found.iter().all(|p| p.file != FileKind::Org);
        problems.extend(found);
    }
    if !l.org_read && (!l.confidence.is_empty() || !l.targets.is_empty()) {
        for (file, rows) in
            [(FileKind::Confidence, l.confidence.len()), (FileKind::Targets, l.targets.len())]
        {
            if rows > 0 {
                problems.note(
                    file,
                    t!(
                        "ids not checked: org.csv was not read (see above); check again once that is fixed",
                        "未检查 id：org.csv 没有读入（见上文）；修正后请再检查一次"
                    ),
                );
            }
        }
    }
    if !l.complete {
        return None;
    }
    let mut periods: Vec<String> = l.forecasts.periods.clone();
    periods.extend(l.targets.iter().map(|t| t.period.clone()));
    periods.sort();
    periods.dedup();
    if let Some(only) = &opts.only_period {
        if !periods.contains(only) {
            let shown: Vec<String> = periods.iter().map(|p| quoted(p)).collect();
            let near = periods.iter().find(|p| fold_id(p) == fold_id(only));
            let hint = match near {
                Some(p) => t!("did you mean {}?", "是否想写 {}？", quoted(p)),
                None if shown.is_empty() => t!("the pack has no periods", "数据包里没有期间"),
                None => t!("periods in the pack: {}", "数据包里的期间：{}", shown.join(", ")),
            };
            problems.push(
                Problem::file(
                    FileKind::CommandLine,
                    t!(
                        "--period {}: no forecast line or target has this period",
                        "--period {}：没有任何预测行或目标属于这个期间",
                        quoted(only)
                    ),
                )
                .hint(hint),
            );
            return None;
        }
        periods.retain(|p| p == only);
    }
    if !org_ok {
        return None;
    }
    let parents: Vec<Option<NodeIx>> = parent_refs(&l)
        .into_iter()
        .map(|p| match p {
            ParentRef::Node(n) => Some(n),
            _ => None,
        })
        .collect();
    let tree = Tree::new(&parents);
    let inputs = period_inputs(&l, &tree, &periods);
    if opts.strict {
        for p in &inputs {
            for &v in &tree.order {
                if v != tree.root && p.confidence[v as usize].is_none() {
                    let r = &l.org[v as usize];
                    problems.push(
                        Problem::at(
                            r.src,
                            t!(
                                "{} has no confidence for period {} (--strict)",
                                "{} 在期间 {} 没有信心指数（--strict）",
                                quoted(&r.id),
                                quoted(&p.period)
                            ),
                        )
                        .hint(t!(
                            "add a confidence.csv row with subject_id {} and reviewer_id {}, or drop --strict to count it at 1",
                            "请在 confidence.csv 加一行，subject_id 为 {}、reviewer_id 为 {}；或去掉 --strict，按 1 计",
                            r.id,
                            r.parent_id
                        )),
                    );
                }
            }
        }
    }
    if !problems.is_empty() {
        return None;
    }
    let confidence_rows =
        l.confidence.into_iter().map(|r| ConfidenceNote { note: r.note }).collect();
    // Deals were numbered by the periods of forecasts.csv; the pack's periods add targets'.
    let place: Vec<Option<u32>> = (l.forecasts.periods.iter())
        .map(|p| periods.iter().position(|q| q == p).map(|i| i as u32))
        .collect();
    let mut deals = l.forecasts.deals;
    deals.retain_mut(|d| match place[d.period as usize] {
        Some(i) => {
            d.period = i;
            true
        }
        None => false,
    });
    Some(Pack { org: l.org, tree, periods: inputs, confidence_rows, deals, stats: l.stats })
}

fn period_inputs(l: &Loaded, tree: &Tree, periods: &[String]) -> Vec<PeriodInputs> {
    let n = tree.len();
    let fc_index: FxHashMap<&str, usize> =
        l.forecasts.periods.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();
    periods
        .iter()
        .map(|period| {
            let (own, lines) = match fc_index.get(period.as_str()) {
                Some(&i) => (l.forecasts.sums[i].clone(), l.forecasts.counts[i].clone()),
                None => (vec![Exact::ZERO; n], vec![0; n]),
            };
            let mut confidence: Vec<Option<Given>> = vec![None; n];
            // Rows for every period first, then rows for this period override them.
            for specific in [false, true] {
                for (k, r) in l.confidence.iter().enumerate() {
                    if r.period.is_empty() == specific || (specific && r.period != *period) {
                        continue;
                    }
                    if let Some(s) = l.ids.get_str(&r.subject_id) {
                        confidence[s as usize] =
                            Some(Given { value: Exact::from_decimal(r.confidence), row: k as u32 });
                    }
                }
            }
            let mut target = vec![None; n];
            for r in l.targets.iter().filter(|r| r.period == *period) {
                if let Some(v) = l.ids.get_str(&r.node_id) {
                    target[v as usize] = Some(Exact::from_decimal(r.target));
                }
            }
            PeriodInputs { period: period.clone(), own, lines, confidence, target }
        })
        .collect()
}
