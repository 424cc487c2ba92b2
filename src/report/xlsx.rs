//! rollup.xlsx, for the people in the room: one sheet per period, named after it, with the rows
//! and columns of rollup.csv. Ids and names are text (leading zeros kept), money a number with
//! a thousands format at the run's scale, confidence a number, attainment a percentage; a row
//! below target is marked; the tree is an Excel outline (each manager's team folds and
//! unfolds), names are indented by depth; the header and the id and name columns are frozen,
//! and filters are on.
//!
//! A number cell holds the decimal rollup.csv prints. Excel keeps a number as a binary double,
//! so a cell is written as a number only when that double's shortest decimal form is the
//! printed decimal itself (every amount of up to 15 significant digits); a value that would
//! not come back the same is written as text, never rounded. The workbook's creation date is
//! fixed, so the same inputs give the same bytes.

use crate::audit::Audit;
use crate::contract::{row, Cell, COLUMNS};
use crate::exact::{format_units, UNITS_BUF};
use crate::model::Pack;
use crate::report::terminal::Lang;
use crate::rollup::Rollup;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::io::Write;

/// Excel's deepest outline level.
const MAX_OUTLINE: u32 = 7;

/// rollup.csv's column names in Chinese, in [`COLUMNS`] order.
const ZH: [&str; 18] = [
    "期间",
    "编号",
    "名称",
    "层级",
    "上级编号",
    "层深",
    "原始预测",
    "预测",
    "信心指数",
    "调整后预测",
    "对全国贡献",
    "目标",
    "差距",
    "达成率",
    "本人签单",
    "本人贡献",
    "已评估",
    "备注",
];

/// The header of column `k` in `lang`.
pub fn header(lang: Lang, k: usize) -> &'static str {
    match lang {
        Lang::En => COLUMNS[k].name,
        Lang::Zh => ZH[k],
    }
}

/// Writes rollup.xlsx to `out`.
pub fn render(
    pack: &Pack,
    rollup: &Rollup,
    lang: Lang,
    audit: Option<&Audit>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let bytes =
        workbook(pack, rollup, lang, audit).map_err(|e| anyhow::anyhow!("rollup.xlsx: {e}"))?;
    out.write_all(&bytes)?;
    Ok(())
}

pub struct Formats {
    header: Format,
    text: Format,
    money: Format,
    money_below: Format,
    ratio: Format,
    percent: Format,
    percent_below: Format,
    count: Format,
    names: Vec<Format>,
    names_below: Vec<Format>,
}

pub fn formats(scale: u32) -> Formats {
    let money = if scale == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(scale as usize))
    };
    // Excel's "Bad" cell style: dark red on light red.
    let below = |f: Format| {
        f.set_font_color(Color::RGB(0x9C0006)).set_background_color(Color::RGB(0xFFC7CE))
    };
    let name = |depth: u8| Format::new().set_indent(depth);
    Formats {
        header: header_format(),
        text: Format::new().set_num_format("@"),
        money: Format::new().set_num_format(&money),
        money_below: below(Format::new().set_num_format(&money)),
        ratio: Format::new().set_num_format("0.####"),
        percent: Format::new().set_num_format("0.00%"),
        percent_below: below(Format::new().set_num_format("0.00%")),
        count: Format::new(),
        names: (0..16).map(name).collect(),
        names_below: (0..16).map(|d| below(name(d))).collect(),
    }
}

fn workbook(
    pack: &Pack,
    rollup: &Rollup,
    lang: Lang,
    audit: Option<&Audit>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new().set_title("forecast-rollup").set_creation_datetime(&created),
    );
    let f = formats(rollup.opts.scale);
    let n = pack.tree.len();
    let mut names: Vec<String> = Vec::new();
    for (p, period) in pack.periods.iter().enumerate() {
        let ws = wb.add_worksheet();
        let name = sheet_name(&period.period, "period", &names);
        ws.set_name(&name)?;
        names.push(name);
        sheet(ws, pack, rollup, lang, &f, p * n, n)?;
    }
    if pack.periods.is_empty() {
        let ws = wb.add_worksheet();
        for k in 0..COLUMNS.len() {
            ws.write_string_with_format(0, k as u16, header(lang, k), &f.header)?;
        }
    }
    if let Some(a) = audit {
        let ws = wb.add_worksheet();
        let title = match lang {
            Lang::En => "Sources",
            Lang::Zh => "来源",
        };
        ws.set_name(sheet_name(title, "sources", &names))?;
        sources_sheet(ws, a, lang, &f)?;
    }
    wb.save_to_buffer()
}

/// The audit record: the settings, then one row per input file with its SHA-256.
pub fn sources_sheet(
    ws: &mut Worksheet,
    a: &Audit,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut r = 0u32;
    for (label, value) in super::audit::settings(a, lang) {
        ws.write_string_with_format(r, 0, &label, &f.header)?;
        ws.write_string_with_format(r, 1, &value, &f.text)?;
        r += 1;
    }
    r += 1;
    for (k, h) in super::audit::input_header(lang).iter().enumerate() {
        ws.write_string_with_format(r, k as u16, *h, &f.header)?;
    }
    for row in super::audit::input_rows(a) {
        r += 1;
        for (k, v) in row.iter().enumerate() {
            ws.write_string_with_format(r, k as u16, v, &f.text)?;
        }
    }
    for (k, w) in [36.0, 28.0, 14.0, 14.0, 66.0, 12.0, 12.0].iter().enumerate() {
        ws.set_column_width(k as u16, *w)?;
    }
    Ok(())
}

/// One period's rows `first..first + n` (display order) on `ws`.
fn sheet(
    ws: &mut Worksheet,
    pack: &Pack,
    rollup: &Rollup,
    lang: Lang,
    f: &Formats,
    first: usize,
    n: usize,
) -> Result<(), XlsxError> {
    let col = |name: &str| COLUMNS.iter().position(|c| c.name == name).unwrap_or(0) as u16;
    let (name_col, gap_col, att_col) = (col("name"), col("gap"), col("attainment"));
    for k in 0..COLUMNS.len() {
        ws.write_string_with_format(0, k as u16, header(lang, k), &f.header)?;
    }
    let mut tmp = [0u8; UNITS_BUF];
    let mut depths = Vec::with_capacity(n);
    for i in 0..n {
        let r = row(pack, rollup, false, first + i);
        let excel_row = (i + 1) as u32;
        let below = r.gap.is_some_and(|g| g.units < 0);
        let depth = r.depth;
        depths.push(depth);
        for (c, cell) in r.cells().into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) if c == name_col => {
                    let d = depth.min(15) as usize;
                    let fmt = if below { &f.names_below[d] } else { &f.names[d] };
                    ws.write_string_with_format(excel_row, c, t.text, fmt)?;
                }
                Cell::Text(t) => {
                    ws.write_string_with_format(excel_row, c, t.text, &f.text)?;
                }
                Cell::Count(v) => {
                    ws.write_number_with_format(excel_row, c, f64::from(v), &f.count)?;
                }
                Cell::Money(None) => {}
                Cell::Money(Some(m)) => {
                    let text = format_units(&mut tmp, m.units, m.scale).to_string();
                    let fmt = match (c == att_col, below && (c == gap_col || c == att_col)) {
                        (true, true) => &f.percent_below,
                        (true, false) => &f.percent,
                        (false, true) => &f.money_below,
                        (false, false) => &f.money,
                    };
                    number(ws, excel_row, c, &text, fmt)?;
                }
                Cell::Confidence(v) => {
                    let text = v.format_shortest(&mut tmp).to_string();
                    number(ws, excel_row, c, &text, &f.ratio)?;
                }
                Cell::Flag(b) => {
                    ws.write_boolean(excel_row, c, b)?;
                }
            }
        }
    }
    // The outline: each node's descendants are one group under it (display order is the
    // tree's pre-order, so they are the rows after it down to the next row no deeper).
    let mut open: Vec<(u32, usize)> = Vec::new(); // (depth, row index)
    for (i, &d) in depths.iter().enumerate().chain(std::iter::once((n, &0))) {
        while open.last().is_some_and(|&(od, _)| od >= d) {
            let (od, at) = open.pop().unwrap_or_default();
            if i > at + 1 && od < MAX_OUTLINE {
                ws.group_rows((at + 2) as u32, i as u32)?;
            }
        }
        if i < n {
            open.push((d, i));
        }
    }
    ws.set_freeze_panes(1, name_col + 1)?;
    ws.autofilter(0, 0, n as u32, (COLUMNS.len() - 1) as u16)?;
    ws.set_column_width(0, 10)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(name_col, 28)?;
    for k in (name_col + 1)..COLUMNS.len() as u16 {
        ws.set_column_width(k, 14)?;
    }
    // A4, the sheet's name at the top of every printed page.
    ws.set_landscape().set_paper_size(9).set_header("&C&A");
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// A decimal as a number cell when Excel's double shows it exactly as printed; else as text.
fn number(ws: &mut Worksheet, r: u32, c: u16, text: &str, fmt: &Format) -> Result<(), XlsxError> {
    match exact_double(text) {
        Some(v) => ws.write_number_with_format(r, c, v, fmt)?,
        None => ws.write_string(r, c, text)?,
    };
    Ok(())
}

/// The double whose shortest decimal form is `text`'s value, if there is one and it has at
/// most the 15 significant digits Excel shows.
pub fn exact_double(text: &str) -> Option<f64> {
    // Excel shows (and keeps, when a cell is edited) 15 significant digits.
    let digits = trimmed(text).chars().filter(char::is_ascii_digit).collect::<String>();
    if digits.trim_start_matches('0').len() > 15 {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    let back = format!("{v}");
    // -0 is written as 0.
    (trimmed(&back) == trimmed(text)).then_some(if v == 0.0 { 0.0 } else { v })
}

/// A decimal without trailing fraction zeros (`1234.50` → `1234.5`, `-0` → `0`).
fn trimmed(s: &str) -> String {
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A header row's cells in every workbook written: bold, light blue, a rule below.
pub fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
}

/// A name as Excel allows a sheet's: no `[]:*?/\\` or control characters (`_` instead), no
/// leading or trailing `'` or space, at most 31 characters.
pub fn clean_sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '_' } else { c })
        .collect();
    clean.trim_matches(|c: char| c == '\'' || c.is_whitespace()).chars().take(31).collect()
}

/// A sheet name for `name` ([`clean_sheet_name`]; `fallback` where nothing is left), made
/// unique among `taken` (case ignored, as Excel compares them) with ` (2)`, ` (3)`, ….
pub fn sheet_name(name: &str, fallback: &str, taken: &[String]) -> String {
    let clean = clean_sheet_name(name);
    let base = if clean.is_empty() { fallback.to_string() } else { clean };
    let mut out = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.to_lowercase() == out.to_lowercase()) {
        let suffix = format!(" ({k})");
        out = base.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_cell_only_where_the_double_shows_the_printed_decimal() {
        assert_eq!(exact_double("1234.50"), Some(1234.5));
        assert_eq!(exact_double("0.8750"), Some(0.875));
        assert_eq!(exact_double("-0.00"), Some(-0.0));
        assert_eq!(exact_double("9999999999999.99"), Some(9999999999999.99));
        // 17 significant digits: no double prints as this.
        assert_eq!(exact_double("123456789012345.67"), None);
        assert_eq!(exact_double("12345678901234567890.00"), None);
    }

    #[test]
    fn sheet_names_are_what_excel_allows() {
        assert_eq!(sheet_name("2026-Q4", "p", &[]), "2026-Q4");
        assert_eq!(sheet_name("FY26/Q4", "p", &[]), "FY26_Q4");
        assert_eq!(sheet_name("2026-q4", "p", &["2026-Q4".into()]), "2026-q4 (2)");
        assert_eq!(sheet_name(&"长".repeat(40), "p", &[]).chars().count(), 31);
        assert_eq!(sheet_name(" '' ", "p", &[]), "p");
    }
}
