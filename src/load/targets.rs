//! `targets.csv`: the target (目标) of one node for one period.

use super::number::parse_amount;
use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{quoted, Problem, Problems, Source};
use rust_decimal::Decimal;

/// One row of targets.csv, parsed.
#[derive(Debug, Clone)]
pub(crate) struct TargetRow {
    pub node_id: String,
    pub period: String,
    pub target: Decimal,
    pub src: Source,
}

/// Reads targets.csv; a row with an empty period or an unreadable target becomes a problem.
pub(crate) fn load(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<(Vec<TargetRow>, u64)> {
    let Some(t) = read_table(file, headers::TARGETS, opts, problems)? else { return Ok(None) };
    let mut rows = Vec::with_capacity(t.records.len());
    for (line, rec) in &t.records {
        let src = Source::new(file.kind, *line);
        let node_id = cell(rec, &t.columns, 0);
        let period = cell(rec, &t.columns, 1);
        let raw = cell(rec, &t.columns, 2);
        let mut ok = true;
        if node_id.is_empty() {
            problems.push(Problem::at(src, "empty node_id").column(t.columns.label(0)));
            ok = false;
        }
        if period.is_empty() {
            problems.push(Problem::at(src, "empty period").column(t.columns.label(1)));
            ok = false;
        }
        let target = match parse_amount(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(
                    Problem::at(src, format!("{} {e}", quoted(raw)))
                        .column(t.columns.label(2))
                        .maybe_hint(e.hint()),
                );
                None
            }
        };
        if let (true, Some(target)) = (ok, target) {
            rows.push(TargetRow {
                node_id: node_id.to_string(),
                period: period.to_string(),
                target,
                src,
            });
        }
    }
    Ok(Some((rows, t.blank)))
}
