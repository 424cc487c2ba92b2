//! The review in the terminal: the layout as plain text, tables aligned by display width
//! (Chinese names are double width), the tree indented by level, lists cut at `--top` rows.
//! Cell text is escaped for the terminal: control and bidi characters cannot reorder or hide
//! what is printed.

use super::{Block, Doc, Table};
use comfy_table::{presets, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Width};
use std::fmt::Write as _;

/// Text made safe for a terminal, kept whole (notes and flags are not shortened).
pub fn clean(text: &str) -> String {
    crate::problem::escape_terminal(text, None)
}

/// Columns a table drops, in this order, when its numbers alone are too wide for the
/// terminal (its text wraps inside its columns first); then columns from the right (never the
/// first two).
pub const DROP_ORDER: [&str; 17] = [
    "ID",
    "编号",
    "Adjusted",
    "调整后",
    "Raw",
    "原始预测",
    "Δ Adjusted",
    "Adjusted now",
    "Before",
    "Confidence given by",
    "信心指数给出者",
    "On",
    "被评估层",
    "Δ Own lines",
    "Δ Reports joined/left",
    "Conf.",
    "信心指数",
];

/// Renders the layout; each list shows its first `top` rows; with a width, every line fits in
/// it (tables as [`DROP_ORDER`] says, text broken at words).
pub fn render(doc: &Doc, top: usize, width: Option<usize>) -> String {
    let wrap = |t: &str, indent: usize| crate::report::terminal::wrap(t, width, indent);
    let mut out = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "{}\n", wrap(&clean(t), 0));
            }
            Block::Section(t) => {
                let t = wrap(&clean(t), 0);
                let rule = crate::report::terminal::display_width(t.lines().last().unwrap_or(""))
                    .min(width.unwrap_or(100))
                    .min(100);
                let _ = writeln!(out, "\n{t}\n{}", "═".repeat(rule));
            }
            Block::Part(t) => {
                let _ = writeln!(out, "\n{}", wrap(&format!("── {} ──", clean(t)), 3));
            }
            Block::Minor(t) => {
                let _ = writeln!(out, "\n{}", wrap(&format!("▸ {}", clean(t)), 2));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}", wrap(&clean(t), 0));
            }
            Block::Table(t) => table(&mut out, t, top, width, doc.zh),
            Block::Chart(_) => {}
        }
    }
    out
}

fn table(out: &mut String, t: &Table, top: usize, width: Option<usize>, zh: bool) {
    let shown = if t.list { top.min(t.rows.len()) } else { t.rows.len() };
    let cells: Vec<Vec<String>> = t.rows[..shown]
        .iter()
        .enumerate()
        .map(|(k, row)| {
            let depth = t.indent.get(k).map_or(0, |&d| d as usize);
            row.iter()
                .enumerate()
                .map(|(j, c)| {
                    let pad = if j == 0 { "  ".repeat(depth) } else { String::new() };
                    pad + &clean(c)
                })
                .collect()
        })
        .collect();
    let _ = writeln!(out, "{}", fit(t, &cells, width));
    if shown < t.rows.len() {
        let rest = t.rows.len() - shown;
        let more = if zh {
            format!("… 另有 {rest} 行（--top N 显示更多；--out 写出全部）")
        } else {
            format!("… and {rest} more (--top N shows more; --out writes every row)")
        };
        let _ = writeln!(out, "{}", crate::report::terminal::wrap(&more, width, 2));
    }
}

/// The table in `width` columns: text cells wrap inside their column (numbers never do); if
/// the numbers alone are too wide, the columns of [`DROP_ORDER`] go, then columns from the
/// right (never the first two).
fn fit(t: &Table, cells: &[Vec<String>], width: Option<usize>) -> String {
    use crate::report::terminal::display_width;
    let n = t.header.len();
    let col_width = |j: usize| {
        cells
            .iter()
            .map(|r| r.get(j).map_or(0, |c| display_width(c)))
            .chain([display_width(t.header[j])])
            .max()
            .unwrap_or(0)
    };
    let render = |keep: &[usize], wrap_to: Option<usize>| -> String {
        let mut chars: Vec<char> = presets::UTF8_HORIZONTAL_ONLY.chars().collect();
        chars[9] = ' ';
        chars[10] = ' ';
        let preset: String = chars.into_iter().collect();
        let mut table = comfy_table::Table::new();
        table
            .load_preset(&preset)
            .set_header(keep.iter().map(|&j| t.header[j]).collect::<Vec<_>>());
        match wrap_to {
            Some(w) => {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(u16::try_from(w).unwrap_or(u16::MAX));
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        for row in cells {
            table.add_row(
                keep.iter()
                    .map(|&j| Cell::new(row.get(j).map_or("", String::as_str)))
                    .collect::<Vec<_>>(),
            );
        }
        for (k, &j) in keep.iter().enumerate() {
            let right = t.right.get(j).copied().unwrap_or(false);
            if let Some(c) = table.column_mut(k) {
                if right {
                    c.set_cell_alignment(CellAlignment::Right);
                    // A number is never broken over two lines.
                    c.set_constraint(ColumnConstraint::ContentWidth);
                } else if j == 0 && !t.indent.is_empty() {
                    // The tree's names keep their indent and their line: columns go instead.
                    c.set_constraint(ColumnConstraint::ContentWidth);
                } else {
                    let least = col_width(j).min(12);
                    c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(least as u16)));
                }
            }
        }
        table.to_string()
    };
    let widest = |s: &str| s.lines().map(display_width).max().unwrap_or(0);
    let mut keep: Vec<usize> = (0..n).collect();
    let text = render(&keep, None);
    let Some(width) = width else { return text };
    if widest(&text) <= width {
        return text;
    }
    let by_name = DROP_ORDER.iter().filter_map(|h| t.header.iter().position(|x| x == h));
    let mut drops: Vec<usize> = Vec::new();
    for j in by_name.chain((2..n).rev()) {
        if !drops.contains(&j) {
            drops.push(j);
        }
    }
    let mut last = text;
    for d in 0..=drops.len() {
        keep = (0..n).filter(|j| !drops[..d].contains(j)).collect();
        if keep.len() < 2 {
            break;
        }
        let text = render(&keep, Some(width));
        if widest(&text) <= width {
            return text;
        }
        last = text;
    }
    last
}
