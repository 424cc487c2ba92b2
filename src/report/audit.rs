//! The audit record as people read it: a "Sources" sheet in rollup.xlsx and a "Sources"
//! section at the end of the review's files. (rollup.json carries the record as data.)

use crate::audit::Audit;
use crate::report::terminal::Lang;
use crate::t;
use crate::text::Text;

/// The record's settings as (label, value) pairs: the tool first, then every option that
/// changes a number or a byte of the outputs.
pub fn settings(a: &Audit, lang: Lang) -> Vec<(String, String)> {
    let s = &a.settings;
    let yes_no = |b: bool| if b { t!("yes", "是") } else { t!("no", "否") };
    let rows: Vec<(Text, String)> = vec![
        (t!("Tool", "工具"), format!("{} {}", a.tool, a.version)),
        (t!("Decimals of money (--scale)", "金额小数位（--scale）"), s.scale.to_string()),
        (t!("Rounding (--rounding)", "舍入（--rounding）"), s.rounding.clone()),
        (
            t!("Largest confidence (--max-confidence)", "信心指数上限（--max-confidence）"),
            s.max_confidence.clone(),
        ),
        (
            t!("No confidence is an error (--strict)", "缺信心指数即报错（--strict）"),
            yes_no(s.strict).get(lang).to_string(),
        ),
        (
            t!("Period kept (--period)", "只保留的期间（--period）"),
            s.period.clone().unwrap_or_else(|| t!("all", "全部").get(lang).to_string()),
        ),
        (t!("Encoding (--encoding)", "编码（--encoding）"), s.encoding.clone()),
        (
            t!("rollup.csv with a BOM (--bom)", "rollup.csv 带 BOM（--bom）"),
            yes_no(s.bom).get(lang).to_string(),
        ),
        (t!("Language (--lang)", "语言（--lang）"), s.lang.clone()),
    ];
    rows.into_iter().map(|(k, v)| (k.get(lang).to_string(), v)).collect()
}

/// The header of the inputs table.
pub fn input_header(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::En => ["Role", "File", "Sheet", "Bytes", "SHA-256", "Rows read", "Rows used"],
        Lang::Zh => ["角色", "文件", "工作表", "字节数", "SHA-256", "读入行数", "使用行数"],
    }
}

/// One row per input file, as text.
pub fn input_rows(a: &Audit) -> Vec<[String; 7]> {
    let grouped = |n: u64| crate::format::grouped(i128::from(n), 0);
    a.inputs
        .iter()
        .map(|r| {
            [
                r.role.clone(),
                r.file.clone(),
                r.sheet.clone().unwrap_or_default(),
                grouped(r.bytes),
                r.sha256.clone(),
                r.rows_read.map(grouped).unwrap_or_default(),
                r.rows_used.map(grouped).unwrap_or_default(),
            ]
        })
        .collect()
}
