//! Confidence as the managers return it: every sheet of a `confidence.xlsx` (the workbook
//! `template` writes has one sheet per manager), or every workbook and CSV in a `confidence/`
//! folder (one file per manager who answered). The tables are read as one confidence table;
//! each line remembers its file, sheet and row, so a problem points at the manager's own file
//! (`confidence/周海涛.xlsx[周海涛]!I3`).
//!
//! - A sheet or file without a confidence table (no 被评估人 and 信心指数 header) is listed as not
//!   read, like any file a pack does not read.
//! - Under the template's header (`信心指数（留空为未评估）`) an empty cell is "not reviewed".
//! - The same subject answered twice for the same period is a problem at the second answer,
//!   naming the first; only the first is passed on.

use super::headers;
use super::reshape::LineMap;
use super::{
    cell, csv_reader, read_text, sniff_delimiter, workbook, InputData, InputFile, ReadOptions,
};
use crate::problem::{quoted, FileKind, Problem, Problems};
use crate::t;
use std::collections::HashMap;
use std::path::Path;

/// The confidence tables found, as one CSV text in the contract's shape.
pub struct Collected {
    pub text: Vec<u8>,
    pub map: LineMap,
    /// Sheets and files with no confidence table (`confidence/readme.docx`).
    pub not_read: Vec<String>,
    /// Problems found collecting (answers given twice), with their places named.
    pub problems: Vec<Problem>,
}

/// Whether `file` is confidence that managers returned: a folder, or a workbook of several
/// sheets read whole.
pub fn applies(file: &InputFile) -> bool {
    let InputData::Path(p) = &file.data else { return false };
    if p.is_dir() {
        return true;
    }
    file.sheet.is_none()
        && workbook::is_workbook(&p.to_string_lossy())
        && workbook::sheet_names(p).is_ok_and(|s| s.len() > 1)
}

/// One table to read: where it is, as the user sees it, and its text.
struct Source {
    shown: String,
    text: Vec<u8>,
    /// A sheet's row of each text line (`None`: a CSV, whose lines are its rows).
    rows: Option<Vec<u32>>,
}

/// Reads every confidence table of a folder or a workbook (see the module notes).
pub fn collect(file: &InputFile, opts: ReadOptions) -> Result<Collected, Problem> {
    let InputData::Path(path) = &file.data else {
        return Err(Problem::file(
            file.kind,
            t!("not a folder or a workbook", "既不是文件夹也不是工作簿"),
        ));
    };
    let mut sources = Vec::new();
    let mut not_read = Vec::new();
    let sheets_of = |p: &Path, shown: &str, sources: &mut Vec<Source>| -> Result<(), Problem> {
        let names = workbook::sheet_names(p)
            .map_err(|why| Problem::file(file.kind, t!("{shown}: {}", "{shown}：{}", why)))?;
        for sheet in names {
            let s = workbook::read_sheet(p, Some(&sheet)).map_err(|why| {
                Problem::file(file.kind, t!("{shown}[{sheet}]: {}", "{shown}[{sheet}]：{}", why))
            })?;
            sources.push(Source {
                shown: format!("{shown}[{sheet}]"),
                text: s.text,
                rows: Some(s.rows),
            });
        }
        Ok(())
    };
    if path.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map_err(|e| {
                let (shown, e) = (&file.display, crate::text::of_io(&e));
                Problem::file(
                    file.kind,
                    t!("{shown}: cannot be read: {}", "{shown}：无法读取：{}", e),
                )
            })?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && !n.starts_with("~$"))
            .collect();
        names.sort();
        for name in names {
            let p = path.join(&name);
            let shown = format!("{}/{name}", file.display.trim_end_matches('/'));
            if p.is_dir() {
                not_read.push(format!("{shown}/"));
            } else if workbook::is_workbook(&name) {
                sheets_of(&p, &shown, &mut sources)?;
            } else if name.to_lowercase().ends_with(".csv") {
                let f = InputFile {
                    kind: file.kind,
                    display: shown.clone(),
                    data: InputData::Path(p),
                    sheet: None,
                    shape: None,
                };
                let mut ps = Problems::default();
                match read_text(&f, opts, &mut ps) {
                    Ok(Some(text)) => sources.push(Source { shown, text, rows: None }),
                    _ => {
                        return Err(ps.into_first().unwrap_or_else(|| {
                            Problem::file(
                                file.kind,
                                t!("{shown}: cannot be read", "{shown}：无法读取"),
                            )
                        }))
                    }
                }
            } else {
                not_read.push(shown);
            }
        }
    } else {
        sheets_of(path, &file.display, &mut sources)?;
    }
    Ok(combine(file.kind, &sources, not_read))
}

/// The tables of `sources` as one: the contract's header, then every answer with its place.
fn combine(kind: FileKind, sources: &[Source], mut not_read: Vec<String>) -> Collected {
    let mut w =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let names: Vec<&str> = headers::CONFIDENCE.iter().map(|c| c.name).collect();
    let _ = w.write_record(&names);
    let mut map = LineMap::default();
    // The header line: the first source's.
    map.rows.push(1);
    map.source_of.push(0);
    let mut problems = Vec::new();
    let mut first: HashMap<(String, String), (usize, u32)> = HashMap::new();
    let mut labels: Option<Vec<(String, String, Option<u32>)>> = None;
    for (k, s) in sources.iter().enumerate() {
        map.sources.push(s.shown.clone());
        let row_of = |line: u64| -> u32 {
            match &s.rows {
                Some(r) => r.get(line.saturating_sub(1) as usize).copied().unwrap_or(u32::MAX),
                None => u32::try_from(line).unwrap_or(u32::MAX),
            }
        };
        let mut rdr = csv_reader(sniff_delimiter(&s.text), &s.text[..]);
        let mut cols = None;
        for rec in rdr.records() {
            let Ok(rec) = rec else { break };
            let line = rec.position().map_or(1, |p| p.line());
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let Some(c) = &cols else {
                let cells: Vec<&str> = rec.iter().collect();
                match headers::match_headers(kind, line, &cells, headers::CONFIDENCE) {
                    Ok(c) => {
                        if labels.is_none() {
                            labels = Some(
                                names
                                    .iter()
                                    .enumerate()
                                    .filter_map(|(i, n)| {
                                        c.get(i).map(|at| {
                                            (
                                                n.to_string(),
                                                c.label(i).to_string(),
                                                u32::try_from(at).ok(),
                                            )
                                        })
                                    })
                                    .collect(),
                            );
                        }
                        cols = Some(c);
                    }
                    Err(_) => break,
                }
                continue;
            };
            let (subject, confidence) = (cell(&rec, c, 0), cell(&rec, c, 3));
            if confidence.is_empty() && headers::blank_is_not_reviewed(c.label(3)) {
                continue;
            }
            let row = row_of(line);
            let key = (subject.to_string(), crate::period::normalize(cell(&rec, c, 2)));
            if !subject.is_empty() {
                if let Some(&(at, at_row)) = first.get(&key) {
                    let there = place(&sources[at].shown, at_row, c.get(3));
                    let mut p = Problem::file(
                        kind,
                        t!(
                            "{} is answered twice: here and at {there}",
                            "{} 被回答了两次：这里和 {there}",
                            quoted(subject)
                        ),
                    )
                    .at_column(c.label(3), c.get(3))
                    .hint(t!(
                        "keep one answer: clear the other cell (or remove the returned file that is out of date)",
                        "只保留一个回答：清空另一个单元格（或删除已过时的回收文件）"
                    ));
                    p.line = Some(u64::from(row));
                    p.path = Some(s.shown.clone().into());
                    problems.push(p);
                    continue;
                }
                first.insert(key, (k, row));
            }
            let out: Vec<&str> = (0..names.len()).map(|i| cell(&rec, c, i)).collect();
            let lines = 1 + out.iter().map(|x| x.matches('\n').count()).sum::<usize>();
            for _ in 0..lines {
                map.rows.push(row);
                map.source_of.push(k as u32);
            }
            let _ = w.write_record(&out);
        }
        if cols.is_none() {
            not_read.push(s.shown.clone());
        }
    }
    map.columns = labels.unwrap_or_default();
    Collected { text: w.into_inner().unwrap_or_default(), map, not_read, problems }
}

/// `confidence/周海涛.xlsx[周海涛]!I3`, or `confidence/a.csv:3`.
fn place(shown: &str, row: u32, column: Option<usize>) -> String {
    match (shown.ends_with(']'), column) {
        (true, Some(c)) => format!("{shown}!{}{row}", crate::problem::column_letters(c as u32)),
        (true, None) => format!("{shown}!{row}:{row}"),
        (false, _) => format!("{shown}:{row}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_several_tables_become_one_with_their_places() {
        let src = |shown: &str, text: &str| Source {
            shown: shown.into(),
            text: text.as_bytes().to_vec(),
            rows: Some(vec![1, 2, 3, 4]),
        };
        let c = combine(
            FileKind::Confidence,
            &[
                src("c/a.xlsx[周]", "被评估人,评估人,期间,信心指数（留空为未评估）,备注\nA,S1,2026-Q4,0.9,\nB,S1,2026-Q4,,\n"),
                src("c/b.xlsx[吴]", "被评估人,评估人,期间,信心指数（留空为未评估）,备注\nA,S1,2026-Q4,1.1,again\n"),
                src("c/b.xlsx[notes]", "just,some,notes\n"),
            ],
            Vec::new(),
        );
        assert_eq!(
            String::from_utf8(c.text).unwrap(),
            "subject_id,reviewer_id,period,confidence,note\nA,S1,2026-Q4,0.9,\n"
        );
        assert_eq!(c.map.rows, [1, 2]);
        assert_eq!(c.not_read, ["c/b.xlsx[notes]"]);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(
            c.problems[0].message.en,
            "\"A\" is answered twice: here and at c/a.xlsx[周]!D2"
        );
    }
}
