//! `targets.csv`: the target (目标) of one node for one period.

use super::number::{cell_message, parse_amount, NumberError};
use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{Problem, Problems, Source};
use crate::t;
use rust_decimal::Decimal;

/// One row of targets.csv, parsed.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub node_id: String,
    pub period: String,
    pub target: Decimal,
    pub src: Source,
}

/// Reads targets.csv; a row with an empty period or an unreadable target becomes a problem.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<(Vec<TargetRow>, u64)> {
    let mut rows = Vec::new();
    let read = read_table(file, headers::TARGETS, opts, problems, |line, rec, cols, problems| {
        let src = Source::new(file.kind, line);
        let node_id = cell(rec, cols, 0);
        let period = cell(rec, cols, 1);
        let raw = cell(rec, cols, 2);
        if crate::model::is_totals_label(node_id) {
            problems
                .push(crate::model::totals_row(src, node_id).at_column(cols.label(0), cols.get(0)));
            return;
        }
        let mut ok = true;
        if node_id.is_empty() {
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
                        "every target needs its period, e.g. 2026-Q4",
                        "每个目标都要写期间，例如 2026-Q4"
                    )),
            );
            ok = false;
        }
        let target = match parse_amount(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let hint = match e {
                    NumberError::Empty | NumberError::NotANumber => Some(t!(
                        "write the target as a number, or delete the row to leave the node without a target",
                        "请把目标写成数字，或删除该行，让该节点没有目标"
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
        if let (true, Some(target)) = (ok, target) {
            rows.push(TargetRow {
                node_id: node_id.to_string(),
                period: crate::period::normalize(period),
                target,
                src,
            });
        }
    })?;
    let Some(t) = read else { return Ok(None) };
    Ok(Some((rows, t.blank)))
}
