//! Column names and their Chinese aliases, and matching a file's header row against them.
//! Headers are matched after trimming spaces and ignoring case; column order never matters and
//! extra columns are ignored (CRM exports carry dozens).

use crate::problem::{quoted, FileKind, Problem, Source};
use crate::t;

/// One column a file may have.
#[derive(Debug)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases, required }
}

pub const ORG: &[ColumnSpec] = &[
    col("id", &["编号", "工号"], true),
    col("parent_id", &["上级编号", "上级"], true),
    col("name", &["姓名", "名称"], false),
    col("level", &["层级", "职级"], false),
];

pub const FORECASTS: &[ColumnSpec] = &[
    col("rep_id", &["销售编号", "工号"], true),
    col("period", &["期间", "季度"], true),
    col("amount", &["预测金额", "金额"], true),
    col("deal_id", &["商机编号"], false),
];

/// The confidence column's header in the sheets `template` writes: an empty cell under it is
/// "not reviewed" (counted at 1), not an error, since a manager leaves a report blank on purpose.
pub const BLANK_NOT_REVIEWED: [&str; 2] =
    ["信心指数（留空为未评估）", "confidence (blank = not reviewed)"];

/// Whether a confidence header is one of [`BLANK_NOT_REVIEWED`].
pub fn blank_is_not_reviewed(label: &str) -> bool {
    let n = normalize(label);
    BLANK_NOT_REVIEWED.iter().any(|a| normalize(a) == n)
}

pub const CONFIDENCE: &[ColumnSpec] = &[
    col("subject_id", &["被评估人"], true),
    col("reviewer_id", &["评估人"], false),
    col("period", &["期间", "季度"], false),
    col("confidence", &["信心指数", "系数", BLANK_NOT_REVIEWED[0], BLANK_NOT_REVIEWED[1]], true),
    col("note", &["备注"], false),
];

pub const TARGETS: &[ColumnSpec] = &[
    col("node_id", &["节点编号", "编号"], true),
    col("period", &["期间", "季度"], true),
    col("target", &["目标", "目标金额"], true),
];

/// A scenario file (`--scenario FILE`): one change per row, each with a note saying why.
/// `change` is `set` (a confidence), `set-target` or `drop-deal`, or in Chinese 信心指数,
/// 目标, 删除商机.
pub const SCENARIO: &[ColumnSpec] = &[
    col("change", &["变更", "调整"], true),
    col("id", &["编号", "节点编号", "商机编号"], true),
    col("period", &["期间", "季度"], false),
    col("value", &["值", "数值"], false),
    col("note", &["备注", "说明"], true),
];

/// actuals.csv (in a history folder): what each rep really booked in a period.
pub const ACTUALS: &[ColumnSpec] = &[
    col("rep_id", &["销售编号", "工号"], true),
    col("period", &["期间", "季度"], true),
    col("amount", &["实际金额", "成交金额", "金额"], true),
];

/// The most columns a header may have: Excel's and WPS's limit (16,384, column XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// Where each spec'd column sits in a file, and what the user called it.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Field index per spec, in spec order.
    pub index: Vec<Option<usize>>,
    /// The header text as found, per spec (the canonical name where absent).
    pub label: Vec<String>,
    /// Number of fields in the header row.
    pub width: usize,
}

impl Columns {
    pub fn get(&self, spec: usize) -> Option<usize> {
        self.index[spec]
    }

    pub fn label(&self, spec: usize) -> &str {
        &self.label[spec]
    }
}

pub fn normalize(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_lowercase()
}

/// Matches a header row; problems name the columns found and the nearest alias.
pub fn match_headers(
    file: FileKind,
    line: u64,
    headers: &[&str],
    specs: &[ColumnSpec],
) -> Result<Columns, Vec<Problem>> {
    let src = Source::new(file, line);
    if headers.len() > MAX_COLUMNS {
        return Err(vec![Problem::at(
            src,
            t!(
                "the header has {} columns, more than the {MAX_COLUMNS} a spreadsheet can hold: this is not a table export",
                "表头有 {} 列，超过了电子表格最多的 {MAX_COLUMNS} 列：这不是表格导出",
                headers.len()
            ),
        )
        .hint(t!(
            "check that this is the right file and that its delimiter is a comma",
            "请确认文件没有选错，且分隔符是逗号"
        ))]);
    }
    // With `\n` as the only line end, a file whose lines end with CR alone (old Mac Excel) reads
    // as one long line whose header cells run into the data.
    if let Some(h) = headers.iter().find(|h| h.trim().contains('\r')) {
        return Err(vec![Problem::at(
            src,
            t!(
                "the header runs past a bare CR into the next line ({}): the file's lines end with CR only, \
                 as old Mac Excel writes them",
                "表头越过单独的 CR 延续到了下一行（{}）：该文件只用 CR 换行，旧版 Mac Excel 就是这样写的",
                quoted(h.trim())
            ),
        )
        .hint(t!(
            "save the file again as \"CSV UTF-8 (comma delimited)\" (lines ending in CRLF or LF)",
            "请把文件另存为“CSV UTF-8（逗号分隔）”（以 CRLF 或 LF 换行）"
        ))]);
    }
    let mut index = vec![None; specs.len()];
    let mut label: Vec<String> = specs.iter().map(|s| s.name.to_string()).collect();
    let mut problems = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let n = normalize(h);
        if n.is_empty() {
            continue;
        }
        let Some(k) = specs.iter().position(|s| s.name == n || s.aliases.contains(&n.as_str()))
        else {
            continue;
        };
        match index[k] {
            None => {
                index[k] = Some(i);
                label[k] = h.trim().to_string();
            }
            Some(first) => problems.push(
                Problem::at(
                    src,
                    t!(
                        "columns {} ({}) and {} ({}) both mean {}",
                        "第 {} 列（{}）和第 {} 列（{}）都表示 {}",
                        first + 1,
                        quoted(headers[first].trim()),
                        i + 1,
                        quoted(h.trim()),
                        specs[k].name
                    ),
                )
                .hint(t!("rename or delete one of them", "请重命名或删除其中一列")),
            ),
        }
    }
    let question_marks = |h: &&&str| {
        let h = h.trim();
        !h.is_empty() && h.chars().all(|c| c == '?' || c == '_' || c == ' ')
    };
    if index.iter().all(Option::is_none) && headers.iter().filter(question_marks).count() >= 2 {
        let found: Vec<String> = headers.iter().take(8).map(|h| quoted(h.trim())).collect();
        return Err(vec![Problem::at(
            src,
            t!(
                "the column names are question marks ({}): the file was saved in a Western code page \
                 (LibreOffice's default CSV export, Excel's \"CSV (comma delimited)\" on a non-Chinese \
                 system), which turns every Chinese character into ?",
                "列名都是问号（{}）：文件是用西文代码页保存的（LibreOffice 默认的 CSV 导出，\
                 或非中文系统上 Excel 的“CSV（逗号分隔）”），每个汉字都变成了 ?",
                found.join(", ")
            ),
        )
        .hint(t!(
            "export again as \"CSV UTF-8\" (LibreOffice: Character set = Unicode (UTF-8)); the names in the \
             rows were lost the same way",
            "请重新导出为“CSV UTF-8”（LibreOffice：字符集 = Unicode (UTF-8)）；各行里的名字也以同样方式丢失了"
        ))]);
    }
    if index.iter().all(Option::is_none) && !headers.iter().all(|h| h.trim().is_empty()) {
        let found: Vec<String> = headers.iter().take(8).map(|h| quoted(h.trim())).collect();
        let required: Vec<&str> = specs.iter().filter(|s| s.required).map(|s| s.name).collect();
        return Err(vec![Problem::at(
            src,
            t!(
                "the first line is not a header: none of its cells ({}{}) names a column",
                "第一行不是表头：它的单元格（{}{}）没有一个是列名",
                found.join(", "),
                if headers.len() > 8 { ", …" } else { "" }
            ),
        )
        .hint(t!(
            "add a first line naming the columns: {} (or their Chinese names)",
            "请加一行表头作为第一行：{}（或它们的中文名）",
            required.join(",")
        ))]);
    }
    for (k, spec) in specs.iter().enumerate() {
        if spec.required && index[k].is_none() {
            // The template's header is not a name to suggest for a typed file.
            let names: Vec<&str> =
                spec.aliases.iter().copied().filter(|n| !BLANK_NOT_REVIEWED.contains(n)).collect();
            let names = names.join(", ");
            let found: Vec<String> =
                headers.iter().filter(|h| !h.trim().is_empty()).map(|h| quoted(h.trim())).collect();
            let found =
                if found.is_empty() { t!("none", "无") } else { t!("{}", "{}", found.join(", ")) };
            let mut p = Problem::at(
                src,
                t!(
                    "missing required column {} (or {}); columns found: {}",
                    "缺少必需的列 {}（或 {}）；找到的列：{}",
                    spec.name,
                    names,
                    found
                ),
            );
            if let Some((h, alias)) = nearest(headers, spec) {
                p = p.hint(if h.contains(['万', '千']) {
                    t!(
                        "column {} is in 万元 or 千元, and amounts are read in yuan: convert the column to yuan in the sheet (×10,000 for 万元), then name it {alias}",
                        "列 {} 的单位是万元或千元，而金额按元读取：请在表中把该列换算成元（万元 ×10,000），再命名为 {alias}",
                        quoted(h.trim())
                    )
                } else {
                    t!("rename column {} to {alias}", "请把列 {} 改名为 {alias}", quoted(h.trim()))
                });
            }
            problems.push(p);
        }
    }
    if problems.is_empty() {
        Ok(Columns { index, label, width: headers.len() })
    } else {
        Err(problems)
    }
}

/// The header closest to one of a spec's names, if any is close.
fn nearest<'a>(headers: &[&'a str], spec: &ColumnSpec) -> Option<(&'a str, &'static str)> {
    let names = std::iter::once(spec.name).chain(spec.aliases.iter().copied());
    let mut best: Option<(usize, &str, &str)> = None;
    for name in names {
        for h in headers {
            let n = normalize(h).replace([' ', '-'], "_");
            if n.is_empty() {
                continue;
            }
            let abbreviation = n.len() >= 3 && n.chars().next() == name.chars().next() && {
                let mut rest = name.chars();
                n.chars().all(|c| rest.any(|x| x == c))
            };
            let d = if n.contains(name) || abbreviation { 0 } else { edit_distance(&n, name) };
            let limit = (name.chars().count() / 3).max(1);
            if d <= limit && best.is_none_or(|b| d < b.0) {
                best = Some((d, h, name));
            }
        }
    }
    best.map(|(_, h, n)| (h, n))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_aliases_case_and_spaces() {
        let c = match_headers(
            FileKind::Forecasts,
            1,
            &[" 销售编号 ", "X", "AMOUNT", "期间"],
            FORECASTS,
        )
        .unwrap();
        assert_eq!(c.index, vec![Some(0), Some(3), Some(2), None]);
        assert_eq!(c.label(0), "销售编号");
    }

    #[test]
    fn names_missing_columns_the_columns_found_and_the_nearest_alias() {
        let e = match_headers(FileKind::Forecasts, 1, &["rep id", "period", "amt"], FORECASTS)
            .unwrap_err();
        let text: Vec<String> = e
            .iter()
            .map(|p| format!("{} | {:?}", p.message.en, p.hint.as_ref().map(|h| &h.en)))
            .collect();
        assert_eq!(
            text,
            vec![
                "missing required column rep_id (or 销售编号, 工号); columns found: \"rep id\", \"period\", \"amt\" | Some(\"rename column \\\"rep id\\\" to rep_id\")",
                "missing required column amount (or 预测金额, 金额); columns found: \"rep id\", \"period\", \"amt\" | Some(\"rename column \\\"amt\\\" to amount\")",
            ]
        );
    }

    #[test]
    fn refuses_two_columns_with_one_meaning() {
        let e = match_headers(FileKind::Org, 1, &["编号", "工号", "上级"], ORG).unwrap_err();
        assert_eq!(e[0].message.en, "columns 1 (\"编号\") and 2 (\"工号\") both mean id");
    }
}
