//! A scenario file (`--scenario FILE`): changes to roll up beside the pack as given, one per
//! row, each with a note saying why. Read like every small file of a pack (UTF-8 or GBK, any
//! line end, a comma, tab or semicolon, headers in English or Chinese):
//!
//! ```text
//! change,id,period,value,note
//! set,RS,,0.9,what if we give 华南 0.9
//! set,A,2026-Q4,100%,A's big deal is signed
//! set-target,RS,2026-Q4,300,target moved to 华东
//! drop-deal,D-1,,,lost to a competitor
//! ```
//!
//! Here a row's own cells are checked (an empty id or note, a change that is none of these);
//! what the row names is checked against the validated pack later, as every change is.

use super::{cell, headers, read_table, InputFile, ReadOptions, ReadResult};
use crate::problem::{quoted, Problem, Problems, Source};
use crate::t;

/// What a change does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The confidence a node's manager gives it (`--set`).
    Set,
    /// A node's target for a period (`--set-target`).
    SetTarget,
    /// Every forecast line of a deal left out (`--drop-deal`).
    DropDeal,
}

impl ChangeKind {
    /// The name in a scenario file's `change` column, and the flag's without its `--`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Set => "set",
            ChangeKind::SetTarget => "set-target",
            ChangeKind::DropDeal => "drop-deal",
        }
    }

    /// The word of a `change` cell: the flag's name, or its Chinese (信心指数, 目标, 删除商机).
    pub fn parse(word: &str) -> Option<ChangeKind> {
        let w = crate::suggest::fold(word);
        let w = w.trim_start_matches('-');
        Some(match w {
            "set" | "set-confidence" | "confidence" | "信心指数" | "设信心指数" | "系数" => {
                ChangeKind::Set
            }
            "set-target" | "target" | "目标" | "设目标" => ChangeKind::SetTarget,
            "drop-deal" | "drop" | "删除商机" | "去掉商机" | "删商机" => {
                ChangeKind::DropDeal
            }
            _ => return None,
        })
    }
}

/// One row of a scenario file, its cells trimmed; the period in its canonical spelling.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub kind: ChangeKind,
    pub id: String,
    /// Empty: every period.
    pub period: String,
    pub value: String,
    pub note: String,
    pub src: Source,
}

/// A scenario file read: its rows and the names its header gives the columns.
#[derive(Debug, Clone, Default)]
pub struct ScenarioFile {
    pub rows: Vec<ChangeRow>,
    /// The header of each column as the file writes it, in [`headers::SCENARIO`] order.
    pub labels: Vec<String>,
}

/// Reads a scenario file; a row whose own cells are wrong becomes a problem.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<ScenarioFile> {
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut seen = 0u64;
    let read = read_table(file, headers::SCENARIO, opts, problems, |line, rec, cols, problems| {
        seen += 1;
        if labels.is_empty() {
            labels = (0..headers::SCENARIO.len()).map(|k| cols.label(k).to_string()).collect();
        }
        let src = Source::new(file.kind, line);
        let at = |k: usize, p: Problem| p.at_column(cols.label(k), cols.get(k));
        let word = cell(rec, cols, 0);
        let id = cell(rec, cols, 1);
        let note = cell(rec, cols, 4);
        let kind = ChangeKind::parse(word);
        let mut ok = true;
        if kind.is_none() {
            let what = if word.is_empty() {
                t!("empty cell", "单元格为空")
            } else {
                t!("{} is not a change this tool makes", "{} 不是本工具能做的变更", quoted(word))
            };
            problems.push(at(0, Problem::at(src, what)).hint(t!(
                "write set (a confidence), set-target or drop-deal (or 信心指数, 目标, 删除商机)",
                "请写 set（信心指数）、set-target（目标）或 drop-deal（删除商机）"
            )));
            ok = false;
        }
        if id.is_empty() {
            problems.push(at(1, Problem::at(src, t!("empty cell", "单元格为空"))).hint(t!(
                "write the node's id (set, set-target) or the deal's deal_id (drop-deal)",
                "请写节点的 id（set、set-target）或商机的 deal_id（drop-deal）"
            )));
            ok = false;
        }
        if note.is_empty() {
            problems.push(at(4, Problem::at(src, t!("empty cell", "单元格为空"))).hint(t!(
                "every change in a scenario says why: write a note",
                "情景里的每个变更都要说明原因：请写备注"
            )));
            ok = false;
        }
        if let (true, Some(kind)) = (ok, kind) {
            rows.push(ChangeRow {
                kind,
                id: id.to_string(),
                period: crate::period::normalize(cell(rec, cols, 2)),
                value: cell(rec, cols, 3).to_string(),
                note: note.to_string(),
                src,
            });
        }
    })?;
    if read.is_none() {
        return Ok(None);
    }
    if seen == 0 {
        problems.push(
            Problem::file(
                file.kind,
                t!("the file has a header but no changes", "文件只有表头，没有变更"),
            )
            .hint(t!(
                "write one change per row: change,id,period,value,note",
                "每行写一个变更：change,id,period,value,note"
            )),
        );
        return Ok(None);
    }
    if labels.is_empty() {
        labels = headers::SCENARIO.iter().map(|c| c.name.to_string()).collect();
    }
    Ok(Some(ScenarioFile { rows, labels }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_change_in_english_or_chinese() {
        assert_eq!(ChangeKind::parse("set"), Some(ChangeKind::Set));
        assert_eq!(ChangeKind::parse(" --Set-Target "), Some(ChangeKind::SetTarget));
        assert_eq!(ChangeKind::parse("删除商机"), Some(ChangeKind::DropDeal));
        assert_eq!(ChangeKind::parse("信心指数"), Some(ChangeKind::Set));
        assert_eq!(ChangeKind::parse("raise"), None);
    }
}
