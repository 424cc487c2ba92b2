//! `confidence.csv`: a manager's multiplier (信心指数) on one direct report, for one period or
//! (period empty) for every period.

use super::number::{cell_message, parse_confidence, NumberError};
use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{quoted, Problem, Problems, Source};
use crate::t;
use crate::text::Text;
use rust_decimal::Decimal;

/// One row of confidence.csv, parsed.
#[derive(Debug, Clone)]
pub struct ConfidenceRow {
    pub subject_id: String,
    pub reviewer_id: String,
    /// Empty: every period.
    pub period: String,
    pub confidence: Decimal,
    pub note: String,
    pub src: Source,
}

/// The multiplier a confidence above the maximum probably meant: `9` → 0.9 (90%), `12.5` →
/// 1.25 (125%), `90` → 0.9 (90%); a tenth or a hundredth of it, whichever is a plausible
/// multiplier (0.3 to the maximum).
fn above_max_hint(raw: &str, confidence: Decimal, max: Decimal) -> Text {
    let plausible = |x: Decimal| x >= Decimal::new(3, 1) && x <= max;
    let show =
        |x: Decimal| format!("{} ({}%)", x.normalize(), (x * Decimal::ONE_HUNDRED).normalize());
    let c = confidence.normalize();
    let far = || {
        let pct = (max * Decimal::ONE_HUNDRED).normalize();
        t!(
            "a confidence is a multiplier from 0 to {max} ({pct}%); this one is far outside it",
            "信心指数是 0 到 {max}（{pct}%）之间的倍数；这个值远在范围之外"
        )
    };
    let raise = || {
        t!("if {c} is meant, raise --max-confidence", "如果本意就是 {c}，请调高 --max-confidence")
    };
    let can_raise = confidence <= max * Decimal::TEN;
    if raw.contains(['%', '％']) {
        return if can_raise { raise() } else { far() };
    }
    let tenth = confidence / Decimal::TEN;
    let hundredth = confidence / Decimal::ONE_HUNDRED;
    let guess = if plausible(tenth) {
        let s = show(tenth);
        Some(t!("did you mean {s}?", "是否想写 {s}？"))
    } else if plausible(hundredth) {
        let s = show(hundredth);
        Some(t!("did you mean {s}? Write percentages with %.", "是否想写 {s}？百分比请带 %。"))
    } else {
        None
    };
    match (guess, can_raise) {
        (Some(g), true) => g.join(
            &t!(
                "If {c} is meant, raise --max-confidence",
                "如果本意就是 {c}，请调高 --max-confidence"
            ),
            " ",
            "",
        ),
        (Some(g), false) => g,
        (None, true) => raise(),
        (None, false) => far(),
    }
}

/// Why a cell is no confidence: the message (after the cell's place) and the fix.
#[derive(Debug, Clone)]
pub struct BadConfidence {
    pub message: Text,
    pub hint: Option<Text>,
    /// Empty or not a number at all (the hint then says how a confidence is written).
    pub not_a_number: bool,
}

/// A confidence cell read and checked as every confidence is (confidence.csv, a scenario's
/// `--set`): a multiplier or a percentage, from 0 to `max`, refusing the slips a spreadsheet
/// makes (`1.25%` typed into a % cell, `9` for 0.9).
pub fn confidence_value(raw: &str, max: Decimal) -> Result<Decimal, BadConfidence> {
    let bad =
        |message: Text, hint: Option<Text>| BadConfidence { message, hint, not_a_number: false };
    let confidence = match parse_confidence(raw) {
        Ok(c) => c,
        Err(e) => {
            let not_a_number = matches!(e, NumberError::NotANumber | NumberError::Empty);
            let hint = match e {
                NumberError::NotANumber | NumberError::Empty => Some(t!(
                    "write a multiplier (0.5, 1, 1.25) or a percentage (90%)",
                    "请写倍数（0.5、1、1.25）或百分比（90%）"
                )),
                NumberError::DecimalComma | NumberError::EuropeanGrouping => Some(t!(
                    "write the multiplier with a point: 0.85, or as a percentage: 85%",
                    "倍数请用小数点：0.85，或写成百分比：85%"
                )),
                _ => e.hint(),
            };
            return Err(BadConfidence { message: cell_message(raw, &e), hint, not_a_number });
        }
    };
    if confidence.is_sign_negative() && !confidence.is_zero() {
        return Err(bad(
            t!("{} is negative", "{} 是负数", quoted(raw)),
            Some(t!(
                "a confidence is a multiplier from 0 to {max}",
                "信心指数是 0 到 {max} 之间的倍数"
            )),
        ));
    }
    let tiny = Decimal::new(1, 1);
    if raw.contains(['%', '％']) && confidence > Decimal::ZERO && confidence < tiny {
        let meant = confidence * Decimal::ONE_HUNDRED;
        return Err(bad(
            t!(
                "{} is a multiplier of {}: a confidence this small is almost never meant",
                "{} 即倍数 {}：这么小的信心指数几乎不会是本意",
                quoted(raw),
                confidence.normalize()
            ),
            Some(t!(
                "did you mean {}% ({})? A number typed into a cell formatted as % shows this way: type {}% or format the column as Number",
                "是否想写 {}%（{}）？在设为百分比格式的单元格里输入数字会显示成这样：请输入 {}%，或把该列设为“数值”格式",
                (meant * Decimal::ONE_HUNDRED).normalize(),
                meant.normalize(),
                (meant * Decimal::ONE_HUNDRED).normalize()
            )),
        ));
    }
    if confidence > max {
        return Err(bad(
            t!("{} is above the maximum of {max}", "{} 超过了上限 {max}", quoted(raw)),
            Some(above_max_hint(raw, confidence, max)),
        ));
    }
    Ok(confidence)
}

/// Reads confidence.csv; a row whose number cannot be read becomes a problem.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    max_confidence: Decimal,
    problems: &mut Problems,
) -> ReadResult<(Vec<ConfidenceRow>, u64)> {
    let mut rows = Vec::new();
    let read = read_table(
        file,
        headers::CONFIDENCE,
        opts,
        problems,
        |line, rec, cols, problems| {
            let src = Source::new(file.kind, line);
            let subject_id = cell(rec, cols, 0);
            if subject_id.is_empty() {
                problems.push(
                    Problem::at(src, t!("empty cell", "单元格为空"))
                        .at_column(cols.label(0), cols.get(0)),
                );
                return;
            }
            let raw = cell(rec, cols, 3);
            let label = cols.label(3);
            if raw.is_empty() && headers::blank_is_not_reviewed(label) {
                return;
            }
            let confidence = match confidence_value(raw, max_confidence) {
                Ok(c) => c,
                Err(bad) => {
                    let hint = match bad.not_a_number {
                        true => Some(t!(
                            "write a multiplier (0.5, 1, 1.25) or a percentage (90%); delete the row to leave the node unreviewed",
                            "请写倍数（0.5、1、1.25）或百分比（90%）；删除该行则该节点为未评估"
                        )),
                        false => bad.hint,
                    };
                    problems.push(
                        Problem::at(src, bad.message)
                            .at_column(label, cols.get(3))
                            .maybe_hint(hint),
                    );
                    return;
                }
            };
            rows.push(ConfidenceRow {
                subject_id: subject_id.to_string(),
                reviewer_id: cell(rec, cols, 1).to_string(),
                period: crate::period::normalize(cell(rec, cols, 2)),
                confidence,
                note: cell(rec, cols, 4).to_string(),
                src,
            });
        },
    )?;
    let Some(t) = read else { return Ok(None) };
    Ok(Some((rows, t.blank)))
}
