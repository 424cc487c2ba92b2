//! `confidence.csv`: a manager's multiplier (信心指数) on one direct report, for one period or
//! (period empty) for every period.

use super::number::{cell_message, parse_confidence, NumberError};
use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{quoted, Problem, Problems, Source};
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
fn above_max_hint(raw: &str, confidence: Decimal, max: Decimal) -> String {
    let plausible = |x: Decimal| x >= Decimal::new(3, 1) && x <= max;
    let show =
        |x: Decimal| format!("{} ({}%)", x.normalize(), (x * Decimal::ONE_HUNDRED).normalize());
    let raise = if confidence <= max * Decimal::TEN {
        format!(" If {} is meant, raise --max-confidence", confidence.normalize())
    } else {
        String::new()
    };
    if raw.contains(['%', '％']) {
        return if raise.is_empty() {
            format!(
                "a confidence is a multiplier from 0 to {max} ({}%); this one is far outside it",
                (max * Decimal::ONE_HUNDRED).normalize()
            )
        } else {
            format!("if {} is meant, raise --max-confidence", confidence.normalize())
        };
    }
    let tenth = confidence / Decimal::TEN;
    let hundredth = confidence / Decimal::ONE_HUNDRED;
    if plausible(tenth) {
        format!("did you mean {}?{raise}", show(tenth))
    } else if plausible(hundredth) {
        format!("did you mean {}? Write percentages with %.{raise}", show(hundredth))
    } else if !raise.is_empty() {
        format!("if {} is meant, raise --max-confidence", confidence.normalize())
    } else {
        format!(
            "a confidence is a multiplier from 0 to {max} ({}%); this one is far outside it",
            (max * Decimal::ONE_HUNDRED).normalize()
        )
    }
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
                problems.push(Problem::at(src, "empty cell").at_column(cols.label(0), cols.get(0)));
                return;
            }
            let raw = cell(rec, cols, 3);
            let label = cols.label(3);
            if raw.is_empty() && headers::blank_is_not_reviewed(label) {
                return;
            }
            let confidence = match parse_confidence(raw) {
                Ok(c) => c,
                Err(e) => {
                    let hint = match e {
                    NumberError::NotANumber | NumberError::Empty => Some(
                        "write a multiplier (0.5, 1, 1.25) or a percentage (90%); delete the row to leave the node unreviewed".to_string(),
                    ),
                    NumberError::DecimalComma | NumberError::EuropeanGrouping => {
                        Some("write the multiplier with a point: 0.85, or as a percentage: 85%".to_string())
                    }
                    _ => e.hint().map(str::to_string),
                };
                    problems.push(
                        Problem::at(src, cell_message(raw, &e))
                            .at_column(label, cols.get(3))
                            .maybe_hint(hint),
                    );
                    return;
                }
            };
            if confidence.is_sign_negative() && !confidence.is_zero() {
                problems.push(
                    Problem::at(src, format!("{} is negative", quoted(raw)))
                        .at_column(label, cols.get(3))
                        .hint(format!("a confidence is a multiplier from 0 to {max_confidence}")),
                );
                return;
            }
            let tiny = Decimal::new(1, 1);
            if raw.contains(['%', '％']) && confidence > Decimal::ZERO && confidence < tiny {
                let meant = confidence * Decimal::ONE_HUNDRED;
                problems.push(
                    Problem::at(
                        src,
                        format!(
                            "{} is a multiplier of {}: a confidence this small is almost never meant",
                            quoted(raw),
                            confidence.normalize()
                        ),
                    )
                    .at_column(label, cols.get(3))
                    .hint(format!(
                        "did you mean {}% ({})? A number typed into a cell formatted as % shows this way: type {}% or format the column as Number",
                        (meant * Decimal::ONE_HUNDRED).normalize(),
                        meant.normalize(),
                        (meant * Decimal::ONE_HUNDRED).normalize()
                    )),
                );
                return;
            }
            if confidence > max_confidence {
                let hint = above_max_hint(raw, confidence, max_confidence);
                problems.push(
                    Problem::at(
                        src,
                        format!("{} is above the maximum of {max_confidence}", quoted(raw)),
                    )
                    .at_column(label, cols.get(3))
                    .hint(hint),
                );
                return;
            }
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
