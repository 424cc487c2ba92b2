//! review.xlsx: the review laid out by [`super::document`], one sheet per part of a period
//! (the waterfall, the flags, the agendas, what moved) and per part of the history, so that a
//! person can sort, filter and print each. The agendas of all managers are one table with the
//! manager in its first column, so a sort or a filter works across them. Number columns hold
//! numbers (money with a thousands format, shares as percentages), written exactly as the
//! review prints them (see [`crate::report::xlsx`]).

use super::{Block, Doc, Table};
use crate::report::xlsx::exact_double;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::io::Write;

/// Writes review.xlsx to `out`.
pub fn render(doc: &Doc, out: &mut dyn Write) -> anyhow::Result<()> {
    let bytes = workbook(doc).map_err(|e| anyhow::anyhow!("review.xlsx: {e}"))?;
    out.write_all(&bytes)?;
    Ok(())
}

/// One sheet: its name and its tables, each with the heading it was under.
struct Sheet {
    name: String,
    tables: Vec<(Option<String>, Table)>,
}

/// The sheets of the layout: one per part (`Block::Part`), named by its section's period.
fn sheets(doc: &Doc) -> Vec<Sheet> {
    let mut out: Vec<Sheet> = Vec::new();
    let mut section = String::new();
    let mut minor: Option<String> = None;
    for b in &doc.blocks {
        match b {
            Block::Section(s) => {
                section = short_section(s);
            }
            Block::Part(p) => {
                let name = format!("{section} {}", short_part(p)).trim().to_string();
                out.push(Sheet { name, tables: Vec::new() });
                minor = None;
            }
            Block::Minor(m) => minor = Some(m.clone()),
            Block::Table(t) => {
                if out.is_empty() {
                    out.push(Sheet { name: section.clone(), tables: Vec::new() });
                }
                if let Some(s) = out.last_mut() {
                    s.tables.push((minor.clone(), t.clone()));
                }
            }
            Block::Title(_) | Block::Para(_) | Block::Chart(_) => {}
        }
    }
    out.retain(|s| !s.tables.is_empty());
    out
}

/// `2026-Q4: national forecast …` → `2026-Q4`; the history's section → `History`.
fn short_section(s: &str) -> String {
    match s.split_once([':', '：']) {
        Some((period, _)) => period.trim().to_string(),
        None if s.to_lowercase().contains("history") => "History".into(),
        None if s.contains("历史") => "历史".into(),
        None => s.chars().take(12).collect(),
    }
}

/// `Layer waterfall (逐层瀑布)` → `Layer waterfall`; `Reps: record and …` → `Reps`.
fn short_part(p: &str) -> String {
    // What moved since a folder: the folder's path is no part of a sheet's name.
    if p.starts_with("What moved since") {
        return "What moved".into();
    }
    if p.starts_with('自') && p.ends_with("以来的变化") {
        return "变化".into();
    }
    let p = p.split(" (").next().unwrap_or(p);
    let p = p.split([':', '：']).next().unwrap_or(p);
    p.trim().to_string()
}

fn workbook(doc: &Doc) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new().set_title("forecast-rollup review").set_creation_datetime(&created),
    );
    let bold = crate::report::xlsx::header_format();
    let heading = Format::new().set_bold();
    let mut taken: Vec<String> = Vec::new();
    for sheet in sheets(doc) {
        let ws = wb.add_worksheet();
        let name = crate::report::xlsx::sheet_name(&sheet.name, "review", &taken);
        ws.set_name(&name)?;
        taken.push(name);
        // Tables of one shape (the agendas) become one table, their heading a first column.
        let same = sheet.tables.windows(2).all(|w| w[0].1.header == w[1].1.header);
        let merged = same && sheet.tables.len() > 1;
        let mut r: u32 = 0;
        let mut widths: Vec<usize> = Vec::new();
        let mut note_width = |c: usize, text: &str| {
            let w = text.chars().map(|ch| if ch >= '\u{1100}' { 2 } else { 1 }).sum::<usize>();
            if widths.len() <= c {
                widths.resize(c + 1, 8);
            }
            widths[c] = widths[c].max(w.min(60));
        };
        let lead = usize::from(merged);
        // The header row of the table being written (of the one merged table: its first).
        let mut first_header = 0;
        for (k, (minor, table)) in sheet.tables.iter().enumerate() {
            if !merged {
                if k > 0 {
                    r += 1;
                }
                if let Some(m) = minor {
                    ws.write_string_with_format(r, 0, m, &heading)?;
                    r += 1;
                }
            }
            if !merged || k == 0 {
                first_header = r;
                if merged {
                    ws.write_string_with_format(r, 0, doc_manager(doc), &bold)?;
                }
                for (c, h) in table.header.iter().enumerate() {
                    ws.write_string_with_format(r, (c + lead) as u16, *h, &bold)?;
                    note_width(c + lead, h);
                }
                r += 1;
            }
            for (n, row) in table.rows.iter().enumerate() {
                if merged {
                    let m = minor.as_deref().unwrap_or("");
                    ws.write_string(r, 0, m)?;
                    note_width(0, m);
                }
                for (c, cell) in row.iter().enumerate() {
                    let col = (c + lead) as u16;
                    note_width(c + lead, cell);
                    let numeric = table.right.get(c).copied().unwrap_or(false);
                    match numeric.then(|| number(cell)).flatten() {
                        Some((v, fmt)) => ws.write_number_with_format(
                            r,
                            col,
                            v,
                            &Format::new().set_num_format(fmt),
                        )?,
                        None if cell.is_empty() => ws,
                        // The tree's names, indented by depth as in rollup.xlsx.
                        None => match table.indent.get(n).filter(|_| c == 0) {
                            Some(&d) => ws.write_string_with_format(
                                r,
                                col,
                                cell,
                                &Format::new().set_indent(d.min(u32::from(u8::MAX)) as u8),
                            )?,
                            None => ws.write_string(r, col, cell)?,
                        },
                    };
                }
                r += 1;
            }
            let last_table = k + 1 == sheet.tables.len();
            if (merged && last_table) || sheet.tables.len() == 1 {
                let last_col = (table.header.len() + lead).saturating_sub(1) as u16;
                ws.autofilter(first_header, 0, r.saturating_sub(1).max(first_header), last_col)?;
                ws.set_freeze_panes(first_header + 1, 0)?;
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w + 2) as f64)?;
        }
        // A4, the sheet's name at the top of every printed page.
        ws.set_landscape().set_paper_size(9).set_header("&C&A");
        ws.set_print_fit_to_pages(1, 0);
    }
    if taken.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer()
}

/// The merged agenda table's first column: the manager, in the review's language.
fn doc_manager(doc: &Doc) -> &'static str {
    if doc.zh {
        "管理者"
    } else {
        "Manager"
    }
}

/// A formatted number of the review (`1,234.56`, `+12.30`, `-3.04%`, `0.9`) as a number and its
/// Excel format; `None` for text (`—`, a name).
fn number(cell: &str) -> Option<(f64, String)> {
    let t = cell.trim();
    let (body, percent) = match t.strip_suffix('%') {
        Some(b) => (b, true),
        None => (t, false),
    };
    let plain: String = body.chars().filter(|&c| c != ',').collect();
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return None;
    }
    let decimals = plain.split_once('.').map_or(0, |(_, f)| f.len());
    let grouped = body.contains(',');
    if percent {
        // 85.66% is the decimal 0.8566, shown with its two decimals: the point moves two
        // places in the text, never through a float division.
        let d =
            rust_decimal::Decimal::from_str_exact(plain).ok()? / rust_decimal::Decimal::ONE_HUNDRED;
        let v = exact_double(&d.normalize().to_string())?;
        return Some((v, format!("0.{}%", "0".repeat(decimals.max(1)))));
    }
    let v = exact_double(plain)?;
    let whole = plain.trim_start_matches('-').split('.').next().unwrap_or("").len();
    let fmt = match (grouped || whole > 3, decimals) {
        (true, 0) => "#,##0".to_string(),
        (true, d) => format!("#,##0.{}", "0".repeat(d)),
        (false, 0) => "0".to_string(),
        (false, d) => format!("0.{}", "0".repeat(d)),
    };
    Some((v, fmt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_numbers_become_numbers_with_their_format() {
        assert_eq!(number("1,234.56"), Some((1234.56, "#,##0.00".into())));
        assert_eq!(number("+12.30"), Some((12.3, "0.00".into())));
        assert_eq!(number("-3.04%"), Some((-0.0304, "0.00%".into())));
        assert_eq!(number("85.66%"), Some((0.8566, "0.00%".into())));
        assert_eq!(number("-5.95%"), Some((-0.0595, "0.00%".into())));
        assert_eq!(number("0.9"), Some((0.9, "0.0".into())));
        assert_eq!(number("—"), None);
        assert_eq!(number("张伟"), None);
        assert_eq!(short_section("2026-Q4: national forecast 1.00"), "2026-Q4");
        assert_eq!(short_part("Layer waterfall (逐层瀑布)"), "Layer waterfall");
        assert_eq!(short_section("2026-Q4：全国预测 1.00"), "2026-Q4");
        assert_eq!(short_part("销售：实绩比与建议信心指数"), "销售");
        assert_eq!(short_part("标记 (8)"), "标记");
    }
}
