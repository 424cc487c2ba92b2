//! The report a sales-ops lead projects in the meeting: per period a headline, the tree indented
//! by level with aligned columns (Chinese names are double width), a totals row, and the review
//! notes (nodes not reviewed, managers' own deals, nodes below target).
//!
//! **It fits the window.** With a width (the terminal's, or `--width`), no line is longer: the
//! table drops columns in this order until it fits: ID, Adjusted, Raw, Conf., Target, Gap;
//! then the names are cut (with `…`); the notes and the legend are broken at words. Node,
//! Forecast, Attain. and the marks always stay.
//!
//! **Colour** (a terminal, `--color`): below target red, an uplift (confidence above 1) green, a
//! haircut (below 1) yellow, not reviewed magenta; the marks say the same without colour.

use crate::format::{grouped, percent};
use crate::model::Pack;
use crate::problem::sanitize;
use crate::rollup::{Printed, Rollup};
use comfy_table::{presets, Cell, CellAlignment, Color, ContentArrangement, Table};
use std::fmt::Write as _;

pub use crate::text::Lang;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_lists_between_items_and_measures_chinese_as_double() {
        assert_eq!(display_width("全国 CN"), 7);
        assert_eq!(display_width("\u{1b}[38;5;9m红\u{1b}[39m"), 2);
        let text =
            "Below target: 3 — 全国 CN (-1.00), 北方大区 DQ-N (-2.00), 孙晓梅 ZG-BJ1 (-3.00)";
        assert_eq!(
            wrap(text, Some(40), 2),
            "Below target: 3 — 全国 CN (-1.00),\n  北方大区 DQ-N (-2.00),\n  孙晓梅 ZG-BJ1 (-3.00)"
        );
        for line in wrap(text, Some(40), 2).lines() {
            assert!(display_width(line) <= 40, "{line}");
        }
        assert_eq!(wrap("short", Some(40), 2), "short");
        assert_eq!(wrap(text, None, 2), text);
        assert_eq!(cut("北方大区·赵立新", 9), "北方大区…");
        assert_eq!(items("差额 -100,374.44，达成率 66%"), ["差额 -100,374.44，", "达成率 66%"]);
        for line in
            wrap("目标 1,000,000.00，差额 -100,374.44（达成率 89.96%）", Some(24), 2).lines()
        {
            assert!(!line.ends_with(','), "{line}");
        }
    }
}

/// Options of the terminal report.
#[derive(Debug, Clone, Copy)]
pub struct TerminalOptions {
    pub lang: Lang,
    /// Show nodes down to this depth (0 = the root only).
    pub depth: Option<u32>,
    /// The width every line must fit in (`None`: no limit, as for a file or a pipe).
    pub width: Option<usize>,
    /// Colour the table (ANSI escapes).
    pub color: bool,
}

/// The columns the table drops, in this order, until it fits the width.
pub const DROP_ORDER: [usize; 6] = [1, 5, 2, 4, 6, 7];

/// Columns a text takes on a terminal: East Asian wide characters take two, escapes none.
pub fn display_width(text: &str) -> usize {
    let mut w = 0;
    let mut escape = false;
    for c in text.chars() {
        if escape {
            escape = !c.is_ascii_alphabetic();
            continue;
        }
        if c == '\u{1b}' {
            escape = true;
            continue;
        }
        w += match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            0x0300..=0x036F | 0x200B..=0x200F => 0,
            _ => 1,
        };
    }
    w
}

/// `text` broken into lines of at most `width` columns: after `, `, `、`, `，`, `；`, `。` or `：` where it can (a
/// list's items stay whole), else at spaces, else anywhere; the lines after the first are
/// indented by `indent` spaces.
pub fn wrap(text: &str, width: Option<usize>, indent: usize) -> String {
    let Some(width) = width.filter(|&w| w > indent + 8) else { return text.to_string() };
    let mut out = String::new();
    let mut line = String::new();
    let mut line_w = 0;
    let put = |piece: &str, out: &mut String, line: &mut String, line_w: &mut usize| {
        let w = display_width(piece.trim_end());
        if *line_w > indent && *line_w + w > width {
            out.push_str(line.trim_end());
            out.push('\n');
            *line = " ".repeat(indent);
            *line_w = indent;
        }
        let piece = if *line_w <= indent { piece.trim_start() } else { piece };
        line.push_str(piece);
        *line_w += display_width(piece);
    };
    for item in items(text) {
        // A list's item (a name and an amount) is kept whole; a clause of prose is not.
        if display_width(item.trim()) <= 40.min(width - indent) {
            put(item, &mut out, &mut line, &mut line_w);
            continue;
        }
        for word in item.split_inclusive(' ') {
            if display_width(word.trim()) + indent <= width {
                put(word, &mut out, &mut line, &mut line_w);
                continue;
            }
            for c in word.chars() {
                put(&c.to_string(), &mut out, &mut line, &mut line_w);
            }
        }
    }
    out.push_str(line.trim_end());
    out
}

/// `text` in pieces that end after `, ` (never inside a number: `1,234.56` stays whole), `、`,
/// `，`, `；`, `。` or `：`.
fn items(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let end = match c {
            ',' => next.is_none_or(|n| n == ' '),
            '、' | '，' | '；' | '。' | '：' => true,
            _ => false,
        };
        if end {
            let cut = i + c.len_utf8();
            out.push(&text[start..cut]);
            start = cut;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `text` cut to `width` columns, ending in `…` when cut.
pub(crate) fn cut(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = display_width(&c.to_string());
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
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

/// The deepest level to show: `--depth`, or the deepest whose rows (with all above) fit in
/// [`super::TREE_ROWS`].
fn shown_depth(pack: &Pack, asked: Option<u32>) -> u32 {
    if let Some(d) = asked {
        return d;
    }
    super::levels_that_fit(pack.tree.depth.iter().copied(), super::TREE_ROWS)
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
        let mut rows: Vec<Row> = Vec::new();
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
            let conf = pr.confidence[i];
            let tone = Tone {
                below: p.target.is_some_and(|t| p.forecast < t),
                not_reviewed: v != tree.root && inputs.confidence[i].is_none(),
                confidence: if conf.is_one() {
                    None
                } else {
                    Some(conf > crate::exact::Exact::ONE)
                },
                change: None,
            };
            rows.push(Row {
                indent: "  ".repeat(depth as usize),
                cells: row_cells(
                    sanitize(name),
                    sanitize(&org.id),
                    p,
                    &conf.to_string(),
                    &money,
                    marks,
                ),
                tone,
            });
        }
        let total_lines: u64 = inputs.lines.iter().map(|&n| u64::from(n)).sum();
        let unit = if total_lines == 1 { l.line } else { l.lines };
        rows.push(Row {
            indent: String::new(),
            cells: row_cells(
                format!("{} ({total_lines} {unit})", l.total),
                String::new(),
                root,
                "",
                &money,
                String::new(),
            ),
            tone: Tone::default(),
        });
        out.push_str(&fit_table(&l.headers, &rows, opts));
        out.push('\n');
        if hidden > 0 {
            let _ = writeln!(out, "{}", wrap(&format!("({hidden} {})", l.hidden), opts.width, 1));
        }
        notes(&mut out, opts.width, pack, inputs, pr, l, &money);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", wrap(l.legend, opts.width, 0));
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
) -> Vec<String> {
    let opt = |x: Option<i128>| x.map(money).unwrap_or_default();
    vec![
        node,
        id,
        money(p.raw),
        money(p.forecast),
        confidence.to_string(),
        money(p.adjusted),
        opt(p.target),
        opt(p.gap),
        p.attainment.map(percent).unwrap_or_default(),
        marks,
    ]
}

/// What a row's colours say.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tone {
    pub below: bool,
    pub not_reviewed: bool,
    /// `Some(true)`: an uplift (confidence above 1), `Some(false)`: a haircut.
    pub confidence: Option<bool>,
    /// A scenario's change of the row's number: `Some(true)` up, `Some(false)` down.
    pub change: Option<bool>,
}

/// One row of a table: its cells (the first, a name, without its indent) and its colours.
pub(crate) struct Row {
    pub indent: String,
    pub cells: Vec<String>,
    pub tone: Tone,
}

/// How a table is laid out: its header, which columns hold numbers (right-aligned), the
/// columns it drops, in order, until it fits, and the colour of a cell.
pub(crate) struct Layout<'a> {
    pub headers: &'a [&'a str],
    pub right: &'a dyn Fn(usize) -> bool,
    pub drop: &'a [usize],
    pub color: &'a dyn Fn(Tone, usize) -> Option<Color>,
}

/// The report's colours: see the module notes.
fn report_color(t: Tone, c: usize) -> Option<Color> {
    match c {
        0 if t.below => Some(Color::Red),
        0 if t.not_reviewed => Some(Color::Magenta),
        7 | 8 if t.below => Some(Color::Red),
        4 | 5 => match t.confidence {
            Some(true) => Some(Color::Green),
            Some(false) => Some(Color::Yellow),
            None => None,
        },
        9 if t.not_reviewed => Some(Color::Magenta),
        9 if t.below => Some(Color::Red),
        _ => None,
    }
}

/// The report's table with the columns that fit `opts.width` (see the module notes).
fn fit_table(headers: &[&str; 10], rows: &[Row], opts: TerminalOptions) -> String {
    let layout = Layout {
        headers,
        right: &|c| (2..9).contains(&c),
        drop: &DROP_ORDER,
        color: &report_color,
    };
    fit(&layout, rows, opts)
}

/// A table with the columns that fit `opts.width`: columns dropped in `layout.drop`'s order,
/// then names cut last.
pub(crate) fn fit(layout: &Layout, rows: &[Row], opts: TerminalOptions) -> String {
    let headers = layout.headers;
    let mut shown: Vec<usize> = (0..headers.len()).collect();
    let render = |shown: &[usize], name_width: Option<usize>| -> String {
        let mut table = Table::new();
        table.load_preset(&compact_preset()).set_content_arrangement(ContentArrangement::Disabled);
        if opts.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(shown.iter().map(|&c| headers[c]).collect::<Vec<_>>());
        for r in rows {
            let cells = shown.iter().map(|&c| {
                let text = if c == 0 {
                    let name = format!("{}{}", r.indent, r.cells[0]);
                    match name_width {
                        Some(w) => cut(&name, w),
                        None => name,
                    }
                } else {
                    r.cells[c].clone()
                };
                let mut cell = Cell::new(text);
                if opts.color {
                    if let Some(col) = (layout.color)(r.tone, c) {
                        cell = cell.fg(col);
                    }
                }
                cell
            });
            table.add_row(cells.collect::<Vec<_>>());
        }
        for (k, &c) in shown.iter().enumerate() {
            if (layout.right)(c) {
                if let Some(col) = table.column_mut(k) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        table.to_string()
    };
    let widest = |text: &str| text.lines().map(display_width).max().unwrap_or(0);
    let Some(limit) = opts.width else { return render(&shown, None) };
    let mut text = render(&shown, None);
    for &drop in layout.drop {
        if widest(&text) <= limit {
            return text;
        }
        shown.retain(|&c| c != drop);
        text = render(&shown, None);
    }
    let over = widest(&text).saturating_sub(limit);
    if over == 0 {
        return text;
    }
    let names = rows
        .iter()
        .map(|r| display_width(&r.indent) + display_width(&r.cells[0]))
        .max()
        .unwrap_or(0);
    render(&shown, Some(names.saturating_sub(over).max(4)))
}

#[allow(clippy::too_many_arguments)]
fn notes(
    out: &mut String,
    width: Option<usize>,
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
        let mut line = format!("{title}: {}", items.len());
        let shown: Vec<&str> = items.iter().take(NOTE_NAMES).map(String::as_str).collect();
        let _ = write!(line, " — {}", shown.join(", "));
        if items.len() > NOTE_NAMES {
            let _ = write!(line, ", … +{}", items.len() - NOTE_NAMES);
        }
        out.push_str(&wrap(&line, width, 2));
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
