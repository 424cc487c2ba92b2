//! The report a sales-ops lead projects in the meeting: per period a headline, the tree indented
//! by level with aligned columns (Chinese names are double width), a totals row, and the review
//! notes (nodes not reviewed, managers' own deals, nodes below target).

use crate::format::{grouped, percent};
use crate::model::Pack;
use crate::problem::sanitize;
use crate::rollup::{Printed, Rollup};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write as _;

/// Language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

/// Options of the terminal report.
#[derive(Debug, Clone, Copy)]
pub struct TerminalOptions {
    pub lang: Lang,
    /// Show nodes down to this depth (0 = the root only).
    pub depth: Option<u32>,
}

struct Labels {
    headers: [&'static str; 10],
    total: &'static str,
    national: &'static str,
    vs_target: &'static str,
    no_target: &'static str,
    not_reviewed: &'static str,
    own_deals: &'static str,
    below_target: &'static str,
    line: &'static str,
    lines: &'static str,
    legend: &'static str,
    hidden: &'static str,
}

const EN: Labels = Labels {
    headers: ["Node", "ID", "Raw", "Forecast", "Conf.", "Adjusted", "Target", "Gap", "Attain.", ""],
    total: "Total",
    national: "forecast",
    vs_target: "target",
    no_target: "no target",
    not_reviewed: "Not reviewed (counted at confidence 1)",
    own_deals: "Managers' own deals (supervisors should not sign deals)",
    below_target: "Below target",
    line: "line",
    lines: "lines",
    legend: "▼ below target   ? not reviewed   ! manager's own deals",
    hidden: "deeper nodes not shown: --depth N shows more, --out writes every row",
};

const ZH: Labels = Labels {
    headers: [
        "节点",
        "编号",
        "原始预测",
        "预测",
        "信心指数",
        "调整后",
        "目标",
        "差额",
        "达成率",
        "",
    ],
    total: "合计",
    national: "预测",
    vs_target: "目标",
    no_target: "无目标",
    not_reviewed: "未评估（按信心指数 1 计）",
    own_deals: "管理者自签单（主管不签单）",
    below_target: "未达标",
    line: "条",
    lines: "条",
    legend: "▼ 未达标   ? 未评估   ! 管理者自签单",
    hidden: "个更深层级的节点未显示：--depth N 显示更多，--out 写出全部",
};

/// How many names a note lists before "and N more".
const NOTE_NAMES: usize = 12;

/// Without `--depth`, the table shows the levels that fit in this many rows: a national
/// pack of 100,000 reps is read from the files, not from 110,000 lines on a projector.
const AUTO_ROWS: usize = 200;

/// The deepest level to show: `--depth`, or the deepest whose rows (with all above) fit in
/// [`AUTO_ROWS`].
fn shown_depth(pack: &Pack, asked: Option<u32>) -> u32 {
    if let Some(d) = asked {
        return d;
    }
    super::levels_that_fit(pack.tree.depth.iter().copied(), AUTO_ROWS)
}

/// Renders the report; `banner` (the demo notice) goes on the first line.
pub fn render(pack: &Pack, rollup: &Rollup, opts: TerminalOptions, banner: Option<&str>) -> String {
    let l = match opts.lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    };
    let scale = rollup.opts.scale;
    let money = |u: i128| grouped(u, scale);
    let tree = &pack.tree;
    let mut out = String::new();
    if let Some(b) = banner {
        out.push_str(b);
        out.push_str("\n\n");
    }
    let max_depth = shown_depth(pack, opts.depth);
    for (inputs, pr) in pack.periods.iter().zip(&rollup.periods) {
        let root = &pr.printed[tree.root as usize];
        let _ =
            write!(out, "{}  {} {}", sanitize(&inputs.period), l.national, money(root.forecast));
        match (root.target, root.attainment) {
            (Some(t), Some(a)) => {
                let _ = writeln!(out, "  {} {} ({})", l.vs_target, money(t), percent(a));
            }
            (Some(t), None) => {
                let _ = writeln!(out, "  {} {}", l.vs_target, money(t));
            }
            _ => {
                let _ = writeln!(out, "  ({})", l.no_target);
            }
        }
        let mut table = Table::new();
        table
            .load_preset(&compact_preset())
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(l.headers.to_vec());
        let mut hidden = 0usize;
        for &v in &tree.order {
            let i = v as usize;
            let depth = tree.depth[i];
            if depth > max_depth {
                hidden += 1;
                continue;
            }
            let org = &pack.org[i];
            let p = &pr.printed[i];
            let name = if org.name.is_empty() { &org.id } else { &org.name };
            let marks = crate::report::marks(pack, inputs, p, v);
            table.add_row(row_cells(
                format!("{}{}", "  ".repeat(depth as usize), sanitize(name)),
                sanitize(&org.id),
                p,
                &pr.confidence[i].to_string(),
                &money,
                marks,
            ));
        }
        let total_lines: u64 = inputs.lines.iter().map(|&n| u64::from(n)).sum();
        let unit = if total_lines == 1 { l.line } else { l.lines };
        table.add_row(row_cells(
            format!("{} ({total_lines} {unit})", l.total),
            String::new(),
            root,
            "",
            &money,
            String::new(),
        ));
        for col in 2..9 {
            if let Some(c) = table.column_mut(col) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&table.to_string());
        out.push('\n');
        if hidden > 0 {
            let _ = writeln!(out, "({hidden} {})", l.hidden);
        }
        notes(&mut out, pack, inputs, pr, l, &money);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", l.legend);
    out
}

/// Rules above and below the table and under the header, none between rows: a tall tree stays
/// readable on a projector.
fn compact_preset() -> String {
    let mut chars: Vec<char> = presets::UTF8_HORIZONTAL_ONLY.chars().collect();
    chars[9] = ' ';
    chars[10] = ' ';
    chars.into_iter().collect()
}

fn row_cells(
    node: String,
    id: String,
    p: &Printed,
    confidence: &str,
    money: &dyn Fn(i128) -> String,
    marks: String,
) -> Vec<Cell> {
    let opt = |x: Option<i128>| x.map(money).unwrap_or_default();
    vec![
        Cell::new(node),
        Cell::new(id),
        Cell::new(money(p.raw)),
        Cell::new(money(p.forecast)),
        Cell::new(confidence),
        Cell::new(money(p.adjusted)),
        Cell::new(opt(p.target)),
        Cell::new(opt(p.gap)),
        Cell::new(p.attainment.map(percent).unwrap_or_default()),
        Cell::new(marks),
    ]
}

fn notes(
    out: &mut String,
    pack: &Pack,
    inputs: &crate::model::PeriodInputs,
    pr: &crate::rollup::PeriodRollup,
    l: &Labels,
    money: &dyn Fn(i128) -> String,
) {
    let tree = &pack.tree;
    let who = |i: usize| {
        let r = &pack.org[i];
        if r.name.is_empty() {
            sanitize(&r.id)
        } else {
            format!("{} {}", sanitize(&r.name), sanitize(&r.id))
        }
    };
    let list = |out: &mut String, title: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let _ = write!(out, "{title}: {}", items.len());
        let shown: Vec<&str> = items.iter().take(NOTE_NAMES).map(String::as_str).collect();
        let _ = write!(out, " — {}", shown.join(", "));
        if items.len() > NOTE_NAMES {
            let _ = write!(out, ", … +{}", items.len() - NOTE_NAMES);
        }
        out.push('\n');
    };
    let order = tree.order.iter().map(|&v| v as usize);
    let not_reviewed: Vec<String> = order
        .clone()
        .filter(|&i| i != tree.root as usize && inputs.confidence[i].is_none())
        .map(who)
        .collect();
    list(out, l.not_reviewed, not_reviewed);
    let own: Vec<String> = order
        .clone()
        .filter(|&i| !tree.is_leaf(i as u32) && inputs.lines[i] > 0)
        .map(|i| {
            let n = inputs.lines[i];
            let unit = if n == 1 { l.line } else { l.lines };
            format!("{} ({n} {unit}, {})", who(i), money(pr.printed[i].own))
        })
        .collect();
    list(out, l.own_deals, own);
    let below: Vec<String> = order
        .filter(|&i| pr.printed[i].target.is_some_and(|t| pr.printed[i].forecast < t))
        .map(|i| {
            let p = &pr.printed[i];
            format!("{} ({})", who(i), p.gap.map(money).unwrap_or_default())
        })
        .collect();
    list(out, l.below_target, below);
}
