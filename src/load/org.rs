//! `org.csv`: the people and units of the hierarchy, one row each.

use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::model::OrgRow;
use crate::problem::{Problems, Source};

/// Reads org.csv; rows are kept even when invalid so that later checks can name them.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<(Vec<OrgRow>, u64)> {
    let mut rows = Vec::new();
    let Some(t) = read_table(file, headers::ORG, opts, problems, |line, rec, cols, _| {
        rows.push(OrgRow {
            id: cell(rec, cols, 0).to_string(),
            parent_id: cell(rec, cols, 1).to_string(),
            name: cell(rec, cols, 2).to_string(),
            level: cell(rec, cols, 3).to_string(),
            src: Source::new(file.kind, line),
        })
    })?
    else {
        return Ok(None);
    };
    Ok(Some((rows, t.blank)))
}
