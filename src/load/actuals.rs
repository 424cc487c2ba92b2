//! `actuals.csv` (in a history folder): what each rep really booked in a period. Several rows
//! of one rep and period are summed (one row per booked deal is fine). Only `review --history`
//! and `check --history` read it.

use super::number::{cell_message, parse_amount, NumberError};
use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{Problem, Problems, Source};
use crate::t;
use rust_decimal::Decimal;

/// One row of actuals.csv, parsed.
#[derive(Debug, Clone)]
pub struct ActualRow {
    pub rep_id: String,
    pub period: String,
    pub amount: Decimal,
    pub src: Source,
}

/// Reads actuals.csv; an empty id or period or an unreadable amount becomes a problem.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<Vec<ActualRow>> {
    let mut rows = Vec::new();
    let read = read_table(file, headers::ACTUALS, opts, problems, |line, rec, cols, problems| {
        let src = Source::new(file.kind, line);
        let rep_id = cell(rec, cols, 0);
        let period = cell(rec, cols, 1);
        let raw = cell(rec, cols, 2);
        let mut ok = true;
        if rep_id.is_empty() {
            problems.push(
                Problem::at(src, t!("empty cell", "单元格为空"))
                    .at_column(cols.label(0), cols.get(0)),
            );
            ok = false;
        }
        if period.is_empty() {
            problems.push(
                Problem::at(src, t!("empty cell", "单元格为空"))
                    .at_column(cols.label(1), cols.get(1))
                    .hint(t!(
                        "every booked amount needs its period, e.g. 2026-Q1",
                        "每笔实际成交额都要写期间，例如 2026-Q1"
                    )),
            );
            ok = false;
        }
        let amount = match parse_amount(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let hint = match e {
                    NumberError::Empty | NumberError::NotANumber => Some(t!(
                        "write what was booked as a number (0 if nothing was booked)",
                        "请把实际成交额写成数字（没有成交写 0）"
                    )),
                    _ => e.hint(),
                };
                problems.push(
                    Problem::at(src, cell_message(raw, &e))
                        .at_column(cols.label(2), cols.get(2))
                        .maybe_hint(hint),
                );
                None
            }
        };
        if let (true, Some(amount)) = (ok, amount) {
            rows.push(ActualRow {
                rep_id: rep_id.to_string(),
                period: crate::period::normalize(period),
                amount,
                src,
            });
        }
    })?;
    Ok(read.map(|_| rows))
}
