//! The review in the terminal: the layout as plain text, tables aligned by display width
//! (Chinese names are double width), the tree indented by level, lists cut at `--top` rows.
//! Cell text is escaped for the terminal: control and bidi characters cannot reorder or hide
//! what is printed.

use super::{Block, Doc, Table};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement};
use std::fmt::Write as _;

/// Text made safe for a terminal, kept whole (notes and flags are not shortened).
pub fn clean(text: &str) -> String {
    crate::problem::escape_terminal(text, None)
}

/// Renders the layout; each list shows its first `top` rows.
pub fn render(doc: &Doc, top: usize) -> String {
    let mut out = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "{}\n", clean(t));
            }
            Block::Section(t) => {
                let t = clean(t);
                let _ = writeln!(out, "\n{t}\n{}", "═".repeat(t.chars().count().min(100)));
            }
            Block::Part(t) => {
                let _ = writeln!(out, "\n── {} ──", clean(t));
            }
            Block::Minor(t) => {
                let _ = writeln!(out, "\n▸ {}", clean(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}", clean(t));
            }
            Block::Table(t) => table(&mut out, t, top),
            Block::Chart(_) => {}
        }
    }
    out
}

fn table(out: &mut String, t: &Table, top: usize) {
    let mut chars: Vec<char> = presets::UTF8_HORIZONTAL_ONLY.chars().collect();
    chars[9] = ' ';
    chars[10] = ' ';
    let preset: String = chars.into_iter().collect();
    let mut table = comfy_table::Table::new();
    table
        .load_preset(&preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(t.header.clone());
    let shown = if t.list { top.min(t.rows.len()) } else { t.rows.len() };
    for (k, row) in t.rows[..shown].iter().enumerate() {
        let depth = t.indent.get(k).map_or(0, |&d| d as usize);
        table.add_row(
            row.iter()
                .enumerate()
                .map(|(j, c)| {
                    let pad = if j == 0 { "  ".repeat(depth) } else { String::new() };
                    Cell::new(pad + &clean(c))
                })
                .collect::<Vec<_>>(),
        );
    }
    for (k, &right) in t.right.iter().enumerate() {
        if right {
            if let Some(c) = table.column_mut(k) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let _ = writeln!(out, "{table}");
    if shown < t.rows.len() {
        let _ = writeln!(
            out,
            "… and {} more (--top N shows more; --out writes every row)",
            t.rows.len() - shown
        );
    }
}
