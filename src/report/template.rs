//! confidence.xlsx for the managers to fill in (`forecast-rollup template`): one sheet per
//! manager, named after them, listing their direct reports with each one's raw forecast and
//! forecast for the period (and the confidence given last time, with `--previous`), and an
//! empty 信心指数 and 备注 cell per report. The confidence cell accepts only a number from 0 to
//! the maximum (a multiplier, or a percentage typed with `%`, which Excel stores as the same
//! number); everything else on the sheet is protected (no password: it guards against slips,
//! not people).
//!
//! Each sheet is a confidence table in the contract's shape (被评估人, 评估人, 期间, the
//! confidence column, 备注, plus columns to read by), so the filled workbook is read back as
//! the pack's confidence as it is: put it in the pack folder as `confidence.xlsx`, or the
//! workbooks managers return into a `confidence/` folder. The confidence column's header says
//! that a blank is "not reviewed" ([`BLANK_NOT_REVIEWED`]), which is how it is read.

use crate::exact::{format_units, UNITS_BUF};
use crate::load::headers::BLANK_NOT_REVIEWED;
use crate::model::Pack;
use crate::report::terminal::Lang;
use crate::report::xlsx::exact_double;
use crate::rollup::Rollup;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::io::Write;

/// What the template is for.
pub struct Template<'a> {
    pub pack: &'a Pack,
    pub rollup: &'a Rollup,
    /// Index of the period in `pack.periods`.
    pub period: usize,
    /// The confidence each node was given in the previous pack (its text as printed).
    pub previous: Option<&'a HashMap<String, String>>,
    pub max_confidence: Decimal,
    pub lang: Lang,
}

/// The columns, by language: subject, name, level, raw, forecast, last time, reviewer, period,
/// confidence, note.
fn headers(lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::Zh => [
            "被评估人",
            "姓名",
            "层级",
            "原始预测",
            "预测",
            "上次信心指数",
            "评估人",
            "期间",
            BLANK_NOT_REVIEWED[0],
            "备注",
        ],
        Lang::En => [
            "subject_id",
            "name",
            "level",
            "raw",
            "forecast",
            "last confidence",
            "reviewer_id",
            "period",
            BLANK_NOT_REVIEWED[1],
            "note",
        ],
    }
}

/// Writes confidence.xlsx to `out`; the sheet names it used come back (one per manager).
pub fn render(t: &Template, out: &mut dyn Write) -> anyhow::Result<Vec<String>> {
    let (bytes, names) = workbook(t).map_err(|e| anyhow::anyhow!("confidence.xlsx: {e}"))?;
    out.write_all(&bytes)?;
    Ok(names)
}

fn workbook(t: &Template) -> Result<(Vec<u8>, Vec<String>), XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("forecast-rollup confidence")
            .set_creation_datetime(&created),
    );
    let pack = t.pack;
    let tree = &pack.tree;
    let mut names: Vec<String> = Vec::new();
    for &v in &tree.order {
        if tree.is_leaf(v) {
            continue;
        }
        let manager = &pack.org[v as usize];
        let shown = if manager.name.trim().is_empty() { &manager.id } else { &manager.name };
        let name = sheet_name(shown, &manager.id, &names);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        names.push(name);
        sheet(ws, t, v)?;
    }
    if names.is_empty() {
        wb.add_worksheet();
    }
    Ok((wb.save_to_buffer()?, names))
}

fn sheet(ws: &mut Worksheet, t: &Template, manager: u32) -> Result<(), XlsxError> {
    let (pack, rollup) = (t.pack, t.rollup);
    let scale = rollup.opts.scale;
    let money = if scale == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(scale as usize))
    };
    let header = crate::report::xlsx::header_format().set_text_wrap();
    let text = Format::new().set_num_format("@");
    let money_fmt = Format::new().set_num_format(&money);
    let input = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin);
    let input_text = input.clone().set_num_format("@");
    let input_conf = input.set_num_format("0.00##");
    for (c, h) in headers(t.lang).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
    }
    let printed = &rollup.periods[t.period].printed;
    let period = &pack.periods[t.period].period;
    let reviewer = &pack.org[manager as usize].id;
    let children = pack.tree.children(manager);
    let mut tmp = [0u8; UNITS_BUF];
    for (k, &child) in children.iter().enumerate() {
        let r = (k + 1) as u32;
        let org = &pack.org[child as usize];
        let p = &printed[child as usize];
        ws.write_string_with_format(r, 0, &org.id, &text)?;
        ws.write_string(r, 1, &org.name)?;
        ws.write_string(r, 2, &org.level)?;
        for (c, units) in [(3u16, p.raw), (4, p.forecast)] {
            let s = format_units(&mut tmp, units, scale).to_string();
            match exact_double(&s) {
                Some(v) => ws.write_number_with_format(r, c, v, &money_fmt)?,
                None => ws.write_string(r, c, &s)?,
            };
        }
        if let Some(last) = t.previous.and_then(|m| m.get(&org.id)) {
            match exact_double(last) {
                Some(v) => ws.write_number(r, 5, v)?,
                None => ws.write_string(r, 5, last)?,
            };
        }
        ws.write_string_with_format(r, 6, reviewer, &text)?;
        ws.write_string_with_format(r, 7, period, &text)?;
        ws.write_blank(r, 8, &input_conf)?;
        ws.write_blank(r, 9, &input_text)?;
    }
    let last = children.len() as u32;
    if last > 0 {
        let max = t.max_confidence.to_f64().unwrap_or(2.0);
        let (title, message, error) = match t.lang {
            Lang::Zh => (
                "信心指数",
                format!("填倍数（0.9）或百分比（90%），0 到 {max}；留空 = 未评估"),
                format!("信心指数是 0 到 {max} 之间的倍数（0.9）或百分比（90%）"),
            ),
            Lang::En => (
                "Confidence",
                format!(
                    "A multiplier (0.9) or a percentage (90%), 0 to {max}; blank = not reviewed"
                ),
                format!("A confidence is a multiplier (0.9) or a percentage (90%) from 0 to {max}"),
            ),
        };
        let rule = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, max))
            .ignore_blank(true)
            .set_input_title(title)?
            .set_input_message(&message)?
            .set_error_title(title)?
            .set_error_message(&error)?
            .set_error_style(DataValidationErrorStyle::Stop);
        ws.add_data_validation(1, 8, last, 8, &rule)?;
    }
    ws.set_freeze_panes(1, 2)?;
    for (c, w) in [14, 16, 10, 14, 14, 12, 12, 10, 18, 36].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_row_height(0, 32)?;
    // Protected against slips, not people: no password. Sorting and filtering stay allowed.
    let options = ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&options);
    // A4, the sheet's name at the top of every printed page.
    ws.set_landscape().set_paper_size(9).set_header("&C&A");
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A manager's sheet name: their name as Excel allows it (their id where they have none); a
/// second manager of that name gets their id added, then a number.
fn sheet_name(shown: &str, id: &str, taken: &[String]) -> String {
    use crate::report::xlsx::{clean_sheet_name, sheet_name as unique};
    let base = clean_sheet_name(shown);
    let base = if base.is_empty() { clean_sheet_name(id) } else { base };
    let free = |n: &str| !taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    if free(&base) {
        return base;
    }
    let room = 31usize.saturating_sub(id.chars().count() + 1);
    let with_id =
        clean_sheet_name(&format!("{} {id}", base.chars().take(room).collect::<String>()));
    if free(&with_id) {
        return with_id;
    }
    unique(&base, id, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_sheets_are_named_uniquely_within_31_characters() {
        assert_eq!(sheet_name("周海涛", "ZG-01", &[]), "周海涛");
        assert_eq!(sheet_name("周海涛", "ZG-02", &["周海涛".into()]), "周海涛 ZG-02");
        assert_eq!(sheet_name("", "ZG-03", &[]), "ZG-03");
        assert_eq!(sheet_name("华东/华南", "R", &[]), "华东_华南");
        assert_eq!(sheet_name(&"长".repeat(40), "X", &[]).chars().count(), 31);
    }
}
