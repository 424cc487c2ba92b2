//! Every file in a pack folder accounted for: read in its role, or listed as not read.
//!
//! A file takes a role by its name, in English or Chinese, case ignored, ending in `.csv` or in
//! a workbook's `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods` (its first sheet is read). A
//! workbook of another name whose sheets are named after the roles (`pack.xlsx` with sheets
//! `org`, `预测`, …) gives those roles its sheets:
//!
//! | role | names |
//! |---|---|
//! | org | `org`, `组织架构`, `组织结构`, `组织`, `架构` |
//! | forecasts | `forecasts`, `预测`, `预测明细`, `销售预测` |
//! | confidence | `confidence`, `信心指数`, `信心`, `系数` |
//! | targets | `targets`, `目标`, `销售目标`, `业绩目标` |
//!
//! A file whose name nearly is one of these (`confidences.csv`, `forecast.csv`,
//! `forecasts.txt`, `forecasts.xlsx`) while that role has no file is an error naming both: it
//! would otherwise be ignored, and the number would change without a word. Two files for one
//! role are an error. Anything else is listed as not read. Hidden files (`.name`) and Office's
//! lock files (`~$name`) are left out of the list.

use super::{InputData, InputFile, PackFiles};
use crate::problem::{FileKind, Problem};
use crate::t;
use crate::text::Text;

use std::path::Path;

/// The names of each role's file, without `.csv`; the first is the one the README uses.
pub const ROLE_NAMES: [(FileKind, &[&str]); 4] = [
    (FileKind::Org, &["org", "组织架构", "组织结构", "组织", "架构"]),
    (FileKind::Forecasts, &["forecasts", "预测", "预测明细", "销售预测"]),
    (FileKind::Confidence, &["confidence", "信心指数", "信心", "系数"]),
    (FileKind::Targets, &["targets", "目标", "销售目标", "业绩目标"]),
];

/// What a pack folder holds: the files found for each role, the problems found finding them,
/// and the files not read.
#[derive(Debug, Default)]
pub struct Scan {
    /// Per role (as [`ROLE_NAMES`]), the files named for it, with the sheet for a workbook
    /// whose sheets are named after the roles.
    pub found: [Vec<(String, Option<String>)>; 4],
    pub problems: Vec<Problem>,
    /// Files and folders (with a trailing `/`) that no role reads, sorted.
    pub not_read: Vec<String>,
    /// The folder's pack.toml (its name as found, case kept).
    pub mapping: Option<String>,
}

fn role_index(kind: FileKind) -> usize {
    ROLE_NAMES.iter().position(|(k, _)| *k == kind).unwrap_or(0)
}

/// The role a file name gives, if it is `<a role name>.csv` or `<a role name>.<a workbook's
/// extension>` (case ignored).
fn role_of(name: &str) -> Option<FileKind> {
    let lower = name.to_lowercase();
    let (stem, ext) = lower.rsplit_once('.')?;
    if ext != "csv" && !super::workbook::EXTENSIONS.contains(&ext) {
        return None;
    }
    role_named(stem)
}

/// The role a name (a file's stem, a sheet's name) gives.
fn role_named(name: &str) -> Option<FileKind> {
    let name = name.trim().to_lowercase();
    ROLE_NAMES.iter().find(|(_, names)| names.contains(&name.as_str())).map(|(k, _)| *k)
}

/// The role a file name nearly gives: a role name with another extension (`forecasts.txt`,
/// `forecasts.csv.bak`), with a copy's or a download's decoration (`confidence (1).csv`,
/// `预测 - 副本.csv`, `forecasts_20261130.csv`, `目标2026Q4.csv`), or one or two edits from a
/// role name (`confidences.csv`).
fn near_role(name: &str) -> Option<FileKind> {
    let lower = name.to_lowercase();
    // `forecasts.csv.bak`, `confidence.csv.tmp`: the role's name before its first dot.
    let stem = lower.split('.').next().unwrap_or(&lower).trim();
    for (kind, names) in ROLE_NAMES {
        if names.contains(&stem) {
            return Some(kind);
        }
    }
    // Copies and dated names: a role name followed by decoration.
    let decorated = |n: &str| {
        stem.strip_prefix(n).is_some_and(|rest| {
            let rest = rest.trim_start_matches([' ', '-', '_', '(', '（', '—']);
            rest.is_empty()
                || rest.starts_with(|c: char| c.is_ascii_digit())
                || ["副本", "copy", "复制", "new", "新", "最新", "old", "旧", "final", "终"]
                    .iter()
                    .any(|w| rest.starts_with(w))
        })
    };
    for (kind, names) in ROLE_NAMES {
        // The longer names first: 预测明细 before 预测.
        if names.iter().any(|n| decorated(n)) {
            return Some(kind);
        }
    }
    let all = ROLE_NAMES.iter().flat_map(|(_, names)| names.iter().copied());
    let near = crate::suggest::nearest(stem, all)?;
    ROLE_NAMES.iter().find(|(_, names)| names.contains(&near)).map(|(k, _)| *k)
}

/// Looks at every entry of `dir` (not recursively).
pub fn scan(dir: &Path) -> std::io::Result<Scan> {
    let mut names: Vec<(String, bool)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path().is_dir()))
        .filter(|(n, _)| !n.starts_with('.') && !n.starts_with("~$"))
        .collect();
    names.sort();
    let mut scan = Scan::default();
    let mut near: [Vec<String>; 4] = Default::default();
    for (name, is_dir) in &names {
        if !is_dir && name.eq_ignore_ascii_case("pack.toml") {
            scan.mapping = Some(name.clone());
            continue;
        }
        // A folder named after the confidence role holds the workbooks managers returned
        // (`confidence/`, `信心指数/`): see [`super::returned`].
        if *is_dir && role_named(name) == Some(FileKind::Confidence) {
            scan.found[role_index(FileKind::Confidence)].push((name.clone(), None));
            continue;
        }
        if !is_dir {
            if let Some(kind) = role_of(name) {
                scan.found[role_index(kind)].push((name.clone(), None));
                continue;
            }
            // A workbook whose sheets are named after the roles: one pack in one file. Its
            // other sheets are accounted for like other files.
            if super::workbook::is_workbook(name) {
                let sheets = super::workbook::sheet_names(&dir.join(name)).unwrap_or_default();
                if sheets.iter().any(|s| role_named(s).is_some()) {
                    for sheet in sheets {
                        match role_named(&sheet) {
                            Some(kind) => {
                                scan.found[role_index(kind)].push((name.clone(), Some(sheet)))
                            }
                            None => scan.not_read.push(format!("{name}[{sheet}]")),
                        }
                    }
                    continue;
                }
            }
            if let Some(kind) = near_role(name) {
                near[role_index(kind)].push(name.clone());
            }
        }
        scan.not_read.push(if *is_dir { format!("{name}/") } else { name.clone() });
    }
    for (k, (kind, names)) in ROLE_NAMES.iter().enumerate() {
        let expected = format!("{}.csv", names[0]);
        match scan.found[k].as_slice() {
            [] => {
                for n in &near[k] {
                    scan.problems.push(near_miss(*kind, &expected, n));
                }
            }
            [(only, _)] => {
                for n in &near[k] {
                    scan.problems.push(
                        Problem::file(
                            *kind,
                            t!(
                                "{only} is read, and {n} looks like another copy of it: which one is meant?",
                                "读取的是 {only}，而 {n} 看起来是它的另一份副本：到底用哪一个？"
                            ),
                        )
                        .hint(t!(
                            "move the copy that is not meant out of the folder ({n} is named like a second download or a Windows copy)",
                            "请把不要的那份副本移出文件夹（{n} 的名字像是第二次下载或 Windows 复制出来的）"
                        )),
                    );
                }
            }
            many => {
                let listed: Vec<String> = many
                    .iter()
                    .map(|(n, sheet)| match sheet {
                        Some(s) => crate::problem::quoted(&format!("{n}[{s}]")),
                        None => crate::problem::quoted(n),
                    })
                    .collect();
                scan.problems.push(
                    Problem::file(
                        *kind,
                        t!(
                            ("{} files are the {}: {}; which one is meant?", many.len(), names[0], listed.join(" and ")),
                            ("有 {} 个文件都是 {}：{}；到底用哪一个？", many.len(), names[0], listed.join(" 和 "))
                        ),
                    )
                    .hint(t!(
                        "keep one and move the others out of the folder ({expected} may also be named {})",
                        "只保留一个，把其余的移出文件夹（{expected} 也可以叫 {}）",
                        names[1..].iter().map(|n| format!("{n}.csv")).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
    }
    Ok(scan)
}

fn near_miss(kind: FileKind, expected: &str, name: &str) -> Problem {
    let lower = name.to_lowercase();
    let workbook =
        [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et"].iter().any(|x| lower.ends_with(x));
    let hint = if workbook {
        t!(
            "{name} is a workbook: open it in Excel/WPS and save it as \"CSV UTF-8\" named {expected}",
            "{name} 是工作簿：请用 Excel/WPS 打开，另存为“CSV UTF-8”，命名为 {expected}"
        )
    } else {
        let role = kind.file_name().trim_end_matches(".csv");
        t!(
            "if it is the {role} file, rename it to {expected}",
            "如果它就是 {role} 文件，请改名为 {expected}"
        )
    };
    let shown = crate::problem::quoted(name);
    Problem::file(
        kind,
        t!(
            "not in the folder, but {shown} is (and it is not read)",
            "不在文件夹里，但有 {shown}（它没有被读取）"
        ),
    )
    .hint(hint)
}

/// The pack's files from a scan of `dir`: each role's file where one was found (the expected
/// name where none was, for org.csv and forecasts.csv), or where the folder's pack.toml says.
pub fn pack_files(dir: &Path, scan: &Scan) -> PackFiles {
    let file = |k: usize| -> Option<InputFile> {
        let kind = ROLE_NAMES[k].0;
        let (name, sheet) = scan.found[k].first().cloned()?;
        let path = dir.join(name);
        Some(InputFile {
            kind,
            display: display(&path),
            data: InputData::Path(path),
            sheet,
            shape: None,
        })
    };
    let required = |k: usize| {
        file(k).unwrap_or_else(|| {
            let (kind, names) = ROLE_NAMES[k];
            let path = dir.join(format!("{}.csv", names[0]));
            InputFile {
                kind,
                display: display(&path),
                data: InputData::Path(path),
                sheet: None,
                shape: None,
            }
        })
    };
    let mut files = PackFiles {
        org: required(0),
        forecasts: required(1),
        confidence: file(2),
        targets: file(3),
        found: scan.problems.clone(),
        not_read: scan.not_read.clone(),
        mapping: None,
        shapes: Vec::new(),
        held: Vec::new(),
    };
    if let Some(name) = &scan.mapping {
        apply_mapping(dir, name, scan, &mut files);
    }
    files
}

/// Reads the folder's pack.toml and points each role it maps at the file it names. Its
/// problems are listed; a role whose section has a problem is not read.
fn apply_mapping(dir: &Path, name: &str, scan: &Scan, files: &mut PackFiles) {
    let path = dir.join(name);
    files.mapping = Some(display(&path));
    let all = [FileKind::Org, FileKind::Forecasts, FileKind::Confidence, FileKind::Targets];
    let text = match std::fs::read(&path) {
        Ok(b) if b.len() > 1 << 20 => Err(Problem::file(
            FileKind::Mapping,
            t!(
                "more than 1 MiB: a pack.toml is a few lines; is it the right file?",
                "超过 1 MiB：pack.toml 只有几行；是不是选错了文件？"
            ),
        )),
        Ok(b) => String::from_utf8(b).map_err(|_| {
            Problem::file(FileKind::Mapping, t!("not UTF-8 text", "不是 UTF-8 文本")).hint(t!(
                "save pack.toml as UTF-8 (Notepad: Save As → Encoding: UTF-8)",
                "请把 pack.toml 存为 UTF-8（记事本：另存为 → 编码：UTF-8）"
            ))
        }),
        Err(e) => {
            let e = crate::text::of_io(&e);
            Err(Problem::file(FileKind::Mapping, t!("cannot be read: {}", "无法读取：{}", e)))
        }
    };
    let parsed = text
        .map_err(|p| vec![p])
        .and_then(|t| super::packtoml::parse(t.strip_prefix('\u{feff}').unwrap_or(&t)));
    let mapping = match parsed {
        Ok(m) => m,
        Err(problems) => {
            files.found.extend(problems);
            files.held.extend(all);
            return;
        }
    };
    let entries: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut used: Vec<(String, Option<String>)> = Vec::new();
    for section in &mapping.sections {
        let k = role_index(section.role);
        let role_name = ROLE_NAMES[k].1[0];
        let at = |key: &str, line: u64, message: Text| {
            let mut p = Problem::file(FileKind::Mapping, message);
            p.line = Some(line);
            p.column = Some(format!("[{}] {key}", section.name()));
            p
        };
        let by_name = scan.found[k].first().cloned();
        let chosen: Result<(String, Option<String>), Problem> = match &section.file {
            Some(f) => {
                let target = dir.join(&f.value);
                let inside = match (std::fs::canonicalize(dir), std::fs::canonicalize(&target)) {
                    (Ok(d), Ok(t)) => Some(t.starts_with(d)),
                    _ => None,
                };
                match inside {
                    None => {
                        let near =
                            crate::suggest::nearest(&f.value, entries.iter().map(String::as_str));
                        Err(at(
                            "file",
                            f.line,
                            t!(
                                "{} is not in the folder",
                                "{} 不在文件夹里",
                                crate::problem::quoted(&f.value)
                            ),
                        )
                        .maybe_hint(near.map(|n| {
                            t!("did you mean {}?", "是否想写 {}？", crate::problem::quoted(n))
                        })))
                    }
                    Some(false) => Err(at(
                        "file",
                        f.line,
                        t!(
                            "{} leads out of the pack folder (a link to a file elsewhere)",
                            "{} 指向数据包文件夹之外（链接到别处的文件）",
                            crate::problem::quoted(&f.value)
                        ),
                    )
                    .hint(t!(
                        "copy the file into the pack folder",
                        "请把该文件复制到数据包文件夹里"
                    ))),
                    Some(true) if target.is_dir() => Err(at(
                        "file",
                        f.line,
                        t!(
                            "{} is a folder, not a file",
                            "{} 是文件夹，不是文件",
                            crate::problem::quoted(&f.value)
                        ),
                    )),
                    Some(true) => {
                        // The role's usual file is also in the folder: which one is meant?
                        match &by_name {
                            Some((other, _)) if other != &f.value => Err(at(
                                "file",
                                f.line,
                                t!(
                                    "reads {}, and {} is also in the folder: which one is meant?",
                                    "读取的是 {}，而文件夹里还有 {}：到底用哪一个？",
                                    crate::problem::quoted(&f.value),
                                    crate::problem::quoted(other)
                                ),
                            )
                            .hint(t!(
                                "move {other} out of the folder, or remove [{}] from pack.toml to read it",
                                "请把 {other} 移出文件夹，或从 pack.toml 删除 [{}] 以读取它",
                                section.name()
                            ))),
                            _ => Ok((f.value.clone(), section.sheet.clone())),
                        }
                    }
                }
            }
            None => match &by_name {
                Some((n, sheet)) => Ok((n.clone(), section.sheet.clone().or(sheet.clone()))),
                None => {
                    let name = section.name();
                    let mut p = Problem::file(
                        FileKind::Mapping,
                        t!(
                            "[{name}] names no file, and the folder has no {role_name}.csv or {role_name}.xlsx",
                            "[{name}] 没有指定文件，文件夹里也没有 {role_name}.csv 或 {role_name}.xlsx"
                        ),
                    );
                    p.column = None;
                    Err(p.hint(t!(
                        "add file = \"…\" under [{name}]: the name of the export in the folder",
                        "请在 [{name}] 下加 file = \"…\"：文件夹里导出文件的名字"
                    )))
                }
            },
        };
        let (name, sheet) = match chosen {
            Ok(c) => c,
            Err(p) => {
                files.found.push(p);
                files.held.push(section.role);
                continue;
            }
        };
        let path = dir.join(&name);
        let input = InputFile {
            kind: section.role,
            display: display(&path),
            data: InputData::Path(path),
            sheet: sheet.clone(),
            shape: Some(std::sync::Arc::new(section.clone())),
        };
        used.push((name, sheet));
        match section.role {
            FileKind::Org => files.org = input,
            FileKind::Forecasts => files.forecasts = input,
            FileKind::Confidence => files.confidence = Some(input),
            _ => files.targets = Some(input),
        }
        // A name that nearly is this role's is no longer a near miss: pack.toml says where
        // the role's rows are.
        files.found.retain(|p| {
            !(p.file == section.role
                && p.line.is_none()
                && p.message.en.contains("not in the folder, but"))
        });
    }
    // The files pack.toml reads are read; a workbook's other sheets are not.
    let mut not_read = Vec::new();
    for entry in std::mem::take(&mut files.not_read) {
        let (file, sheet) = match entry.strip_suffix(']').and_then(|e| e.split_once('[')) {
            Some((f, s)) => (f.to_string(), Some(s.to_string())),
            None => (entry.clone(), None),
        };
        let mine: Vec<&Option<String>> =
            used.iter().filter(|(f, _)| *f == file).map(|(_, s)| s).collect();
        if mine.is_empty() {
            not_read.push(entry);
            continue;
        }
        if !super::workbook::is_workbook(&file) {
            continue;
        }
        // The workbook is opened once: its sheets, and which is first (read when pack.toml
        // names no sheet).
        let all_sheets = super::workbook::sheet_names(&dir.join(&file)).unwrap_or_default();
        let first_of_book = all_sheets.first().cloned();
        let sheets = match sheet {
            Some(s) => vec![s],
            None => all_sheets,
        };
        for s in sheets {
            let read = mine.iter().any(|m| match m {
                Some(m) => m.trim() == s.trim(),
                None => Some(&s) == first_of_book.as_ref(),
            });
            if !read {
                not_read.push(format!("{file}[{s}]"));
            }
        }
    }
    not_read.sort();
    files.not_read = not_read;
}

/// Whether a folder holds a pack: an org file by its role's name, or a pack.toml.
pub fn is_pack(dir: &Path) -> bool {
    scan(dir).is_ok_and(|s| s.mapping.is_some() || !s.found[0].is_empty())
}

/// A path as typed, without a leading `./`.
pub fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_roles_in_english_and_chinese_case_ignored() {
        assert_eq!(role_of("org.csv"), Some(FileKind::Org));
        assert_eq!(role_of("Confidence.CSV"), Some(FileKind::Confidence));
        assert_eq!(role_of("预测.csv"), Some(FileKind::Forecasts));
        assert_eq!(role_of("目标.csv"), Some(FileKind::Targets));
        assert_eq!(role_of("forecasts.txt"), None);
        assert_eq!(role_of("预测.xlsx"), Some(FileKind::Forecasts));
        assert_eq!(role_of("Org.XLS"), Some(FileKind::Org));
        assert_eq!(near_role("forecasts.txt"), Some(FileKind::Forecasts));
        assert_eq!(near_role("forecasts.et"), Some(FileKind::Forecasts));
        assert_eq!(near_role("confidences.csv"), Some(FileKind::Confidence));
        assert_eq!(near_role("forecast.csv"), Some(FileKind::Forecasts));
        assert_eq!(near_role("target.csv"), Some(FileKind::Targets));
        assert_eq!(near_role("README.md"), None);
        assert_eq!(near_role("confidence (1).csv"), Some(FileKind::Confidence));
        assert_eq!(near_role("预测 - 副本.csv"), Some(FileKind::Forecasts));
        assert_eq!(near_role("forecasts_20261130.csv"), Some(FileKind::Forecasts));
        assert_eq!(near_role("目标2026Q4.csv"), Some(FileKind::Targets));
        assert_eq!(near_role("forecasts.csv.bak"), Some(FileKind::Forecasts));
        assert_eq!(near_role("organisation.csv"), None);
        assert_eq!(near_role("notes.txt"), None);
    }
}
