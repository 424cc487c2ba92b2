//! review.md: the layout as Markdown (GitHub flavour: pipe tables). Every cell and heading is
//! escaped, so a name such as `*王*|<b>` prints as written and cannot break a table. The tree's
//! names are indented by level.

use super::{Block, Doc, Table};
use std::fmt::Write as _;

/// Text as Markdown that renders exactly as written, on one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "# {}\n", escape(t));
            }
            Block::Section(t) => {
                let _ = writeln!(out, "## {}\n", escape(t));
            }
            Block::Part(t) => {
                let _ = writeln!(out, "### {}\n", escape(t));
            }
            Block::Minor(t) => {
                let _ = writeln!(out, "#### {}\n", escape(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", escape(t));
            }
            Block::Table(t) => table(&mut out, t),
            Block::Chart(_) => {}
        }
    }
    out
}

fn table(out: &mut String, t: &Table) {
    let cells: Vec<String> = t.header.iter().map(|h| escape(h)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let rules: Vec<&str> = t.right.iter().map(|&r| if r { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |", rules.join(" | "));
    for (k, row) in t.rows.iter().enumerate() {
        let mut cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        // A tree's names are indented by an em space per level: an entity, because renderers
        // trim the whitespace around a cell's text, Unicode spaces included.
        if let (Some(&d), Some(first)) = (t.indent.get(k), cells.first_mut()) {
            first.insert_str(0, &"&emsp;".repeat(d as usize));
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}
