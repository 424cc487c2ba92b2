//! `pack.toml`: how the files of a pack folder that do not have the contract's shape (a CRM's
//! deal export, an HR system's employee list) map onto its roles. This module reads and checks
//! the file; [`super::reshape`] applies it.
//!
//! ```toml
//! [forecasts]
//! file = "商机导出.xlsx"        # a CSV or workbook in the folder
//! sheet = "商机"                # for a workbook (default: the first sheet)
//! rep = "负责人"                # an org id, or else a unique org name
//! amount = "商机金额"
//! deal = "商机编号"             # optional
//! date = "预计成交日期"         # derive the period from this date (or: period = "期间")
//! every = "quarter"             # quarter (default) | month | half | year
//! fiscal_year_start = 1         # month the fiscal year starts (default 1)
//! drop = { "商机状态组" = ["输单", "无效"] }
//!
//! [org]
//! file = "员工.csv"
//! id = "工号"
//! name = "姓名"
//! unit = "部门"                 # a department path (or: parent = "直属上级工号")
//! head = { "岗位" = ["主管", "区域经理", "大区经理"] }
//! root = "全国"
//! ```
//!
//! Every key is checked: an unknown key, a wrong type, a missing required column, a file
//! outside the folder are problems that point at `pack.toml:LINE: [section] key`.

use crate::period::{Every, FiscalName};
use crate::problem::{quoted, FileKind, Problem};
use crate::t;
use crate::text::Text;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One section of pack.toml: where a role's rows come from and which columns mean what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub role: FileKind,
    /// The file in the folder (`None`: the role's usual file).
    pub file: Option<Key<String>>,
    pub sheet: Option<String>,
    /// 1-based row of the header.
    pub header_row: u32,
    /// (field, the user's column), e.g. `("rep", "负责人")`, in the order of [`fields`].
    pub columns: Vec<(&'static str, Key<String>)>,
    pub keep: Vec<Filter>,
    pub drop: Vec<Filter>,
    pub period: PeriodFrom,
    /// For `[org]`: a department path, or plain parent ids.
    pub tree: Option<Tree>,
}

/// A value with the pack.toml line it was written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<T> {
    pub value: T,
    pub line: u64,
}

/// `keep`/`drop`: a column and the values that select a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub column: Key<String>,
    pub values: Vec<String>,
}

/// Where a row's period comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodFrom {
    /// No period (confidence for every period).
    None,
    /// A column of period labels.
    Column(Key<String>),
    /// A column of dates.
    Date {
        column: Key<String>,
        every: Every,
        fiscal_start: u32,
        named: FiscalName,
        format: Option<String>,
    },
}

/// How `[org]` builds the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    /// `parent = "直属上级工号"`: each row names its parent's id.
    Parent,
    /// `unit = "部门"`: each row sits in a department path.
    Unit { separator: String, head: Option<Filter>, root: String },
}

impl Section {
    /// The user's column for a field (`"amount"` → `"商机金额"`).
    pub fn column(&self, field: &str) -> Option<&Key<String>> {
        self.columns.iter().find(|(f, _)| *f == field).map(|(_, c)| c)
    }

    /// `[forecasts]`, as pack.toml names the section.
    pub fn name(&self) -> &'static str {
        section_name(self.role)
    }
}

/// The sections of a pack.toml, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackToml {
    pub sections: Vec<Section>,
}

impl PackToml {
    pub fn section(&self, role: FileKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.role == role)
    }
}

const SECTIONS: [(&str, FileKind); 4] = [
    ("org", FileKind::Org),
    ("forecasts", FileKind::Forecasts),
    ("confidence", FileKind::Confidence),
    ("targets", FileKind::Targets),
];

fn section_name(role: FileKind) -> &'static str {
    SECTIONS.iter().find(|(_, k)| *k == role).map_or("", |(n, _)| n)
}

/// A role's column fields: (key, required). The contract's column each fills is
/// [`contract_column`]; what it holds, [`field_meaning`].
pub fn fields(role: FileKind) -> &'static [(&'static str, bool)] {
    match role {
        FileKind::Org => {
            &[("id", true), ("name", false), ("parent", false), ("level", false), ("unit", false)]
        }
        FileKind::Forecasts => &[("rep", true), ("amount", true), ("deal", false)],
        FileKind::Confidence => {
            &[("subject", true), ("reviewer", false), ("confidence", true), ("note", false)]
        }
        FileKind::Targets => &[("node", true), ("target", true)],
        _ => &[],
    }
}

/// What a field's column holds, for a message ("which column holds …?").
pub fn field_meaning(role: FileKind, key: &str) -> Text {
    match (role, key) {
        (FileKind::Org, "id") => t!("each person's id (工号)", "每个人的 id（工号）"),
        (FileKind::Org, "name") => t!("each person's name", "每个人的姓名"),
        (FileKind::Org, "parent") => t!("the parent's id", "上级的 id"),
        (FileKind::Org, "level") => t!("a level label", "层级名称"),
        (FileKind::Org, "unit") => t!("the department path", "部门路径"),
        (_, "rep") => {
            t!("the rep: an org id or a unique name", "销售：组织架构里的 id 或唯一的姓名")
        }
        (_, "amount") => t!("the amount", "金额"),
        (_, "deal") => t!("the deal's id", "商机的 id"),
        (_, "subject") => {
            t!("the node judged: an id or a unique name", "被评估的节点：id 或唯一的姓名")
        }
        (_, "reviewer") => t!("the reviewer: an id or a unique name", "评估人：id 或唯一的姓名"),
        (_, "confidence") => t!("the confidence (0.9, 110%)", "信心指数（0.9、110%）"),
        (_, "note") => t!("a note", "备注"),
        (_, "node") => t!("the node: an id or a unique name", "节点：id 或唯一的姓名"),
        (_, "target") => t!("the target amount", "目标金额"),
        (_, other) => t!("{other}", "{other}"),
    }
}

/// The contract's column a pack.toml field fills.
pub fn contract_column(field: &str) -> &'static str {
    match field {
        "id" => "id",
        "name" => "name",
        "parent" | "unit" => "parent_id",
        "level" => "level",
        "rep" => "rep_id",
        "amount" => "amount",
        "deal" => "deal_id",
        "subject" => "subject_id",
        "reviewer" => "reviewer_id",
        "confidence" => "confidence",
        "note" => "note",
        "node" => "node_id",
        "target" => "target",
        "period" | "date" => "period",
        _ => "",
    }
}

const COMMON: [&str; 5] = ["file", "sheet", "header_row", "keep", "drop"];
const PERIOD_KEYS: [&str; 6] =
    ["period", "date", "every", "fiscal_year_start", "fiscal_year_named_by", "date_format"];
const ORG_KEYS: [&str; 3] = ["unit_separator", "head", "root"];

/// Reads pack.toml's text; every problem found is returned (none: the mapping).
pub fn parse(text: &str) -> Result<PackToml, Vec<Problem>> {
    let line_of = |at: usize| -> u64 {
        1 + text.as_bytes()[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64
    };
    let table = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let msg = e.message().trim().to_string();
            let p = match e.span() {
                Some(s) => problem_at(
                    line_of(s.start),
                    None,
                    t!("not valid TOML: {msg}", "不是有效的 TOML：{msg}"),
                ),
                None => Problem::file(
                    FileKind::Mapping,
                    t!("not valid TOML: {msg}", "不是有效的 TOML：{msg}"),
                ),
            };
            return Err(vec![p.hint(t!(
                "pack.toml is TOML: [section] lines, then key = \"value\" lines; text in double quotes",
                "pack.toml 是 TOML 格式：先写 [节] 行，再写 键 = \"值\" 行；文字放在双引号里"
            ))]);
        }
    };
    let mut problems = Vec::new();
    let mut out = PackToml::default();
    for (name, value) in &table {
        let line = line_of(name.span().start);
        let Some((_, role)) = SECTIONS.iter().find(|(n, _)| *n == name.get_ref().as_ref()) else {
            let known = SECTIONS.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
            problems.push(
                problem_at(line, None, t!("unknown section [{}]", "未知的节 [{}]", name.get_ref()))
                    .hint(near_hint(
                        name.get_ref(),
                        &known,
                        t!(
                            "sections: [org], [forecasts], [confidence], [targets]",
                            "可用的节：[org]、[forecasts]、[confidence]、[targets]"
                        ),
                    )),
            );
            continue;
        };
        let DeValue::Table(t) = value.get_ref() else {
            problems.push(problem_at(
                line,
                None,
                t!("{0} must be a [{0}] section", "{0} 必须是 [{0}] 节", name.get_ref()),
            ));
            continue;
        };
        if let Some(s) = section(*role, line, t, &line_of, &mut problems) {
            out.sections.push(s);
        }
    }
    out.sections.sort_by_key(|s| s.role);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn problem_at(line: u64, key: Option<&str>, message: Text) -> Problem {
    let mut p = Problem::file(FileKind::Mapping, message);
    p.line = Some(line);
    if let Some(k) = key {
        p.column = Some(k.to_string());
    }
    p
}

fn near_hint(word: &str, known: &[String], otherwise: Text) -> Text {
    match crate::suggest::nearest(word, known.iter().map(String::as_str)) {
        Some(n) => t!("did you mean {n}? ({})", "是否想写 {n}？（{}）", otherwise),
        None => otherwise,
    }
}

type Table<'i> = DeTable<'i>;

fn section(
    role: FileKind,
    section_line: u64,
    t: &Table,
    line_of: &dyn Fn(usize) -> u64,
    problems: &mut Vec<Problem>,
) -> Option<Section> {
    let sname = section_name(role);
    let at = |k: &str| format!("[{sname}] {k}");
    let before = problems.len();
    let field_keys: Vec<&str> = fields(role).iter().map(|(k, _)| *k).collect();
    let mut allowed: Vec<&str> = COMMON.to_vec();
    allowed.extend(&field_keys);
    if role != FileKind::Org {
        allowed.extend(PERIOD_KEYS);
    } else {
        allowed.extend(ORG_KEYS);
    }
    let get = |k: &str| t.iter().find(|(n, _)| n.get_ref().as_ref() == k);
    for (k, _) in t {
        let key = k.get_ref().as_ref();
        if !allowed.contains(&key) {
            let known: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
            problems.push(
                problem_at(line_of(k.span().start), Some(&at(key)), t!("unknown key", "未知的键"))
                    .hint(near_hint(
                        key,
                        &known,
                        t!("[{sname}] takes {}", "[{sname}] 可用的键：{}", allowed.join(", ")),
                    )),
            );
        }
    }
    let text = |k: &str, problems: &mut Vec<Problem>| -> Option<Key<String>> {
        let (n, v) = get(k)?;
        let line = line_of(n.span().start);
        match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => {
                Some(Key { value: s.trim().to_string(), line })
            }
            DeValue::String(_) => {
                problems.push(problem_at(line, Some(&at(k)), t!("is empty", "为空")));
                None
            }
            _ => {
                problems.push(
                    problem_at(
                        line,
                        Some(&at(k)),
                        t!("must be text in double quotes", "必须是放在双引号里的文字"),
                    )
                    .hint(t!("{k} = \"…\"", "{k} = \"…\"")),
                );
                None
            }
        }
    };
    let integer = |k: &str, lo: u32, hi: u32, problems: &mut Vec<Problem>| -> Option<Key<u32>> {
        let (n, v) = get(k)?;
        let line = line_of(n.span().start);
        let value = match v.get_ref() {
            DeValue::Integer(i) => i.as_str().parse::<u32>().ok(),
            DeValue::String(s) => s.trim().parse::<u32>().ok(),
            _ => None,
        };
        match value.filter(|n| (lo..=hi).contains(n)) {
            Some(value) => Some(Key { value, line }),
            None => {
                problems.push(problem_at(
                    line,
                    Some(&at(k)),
                    t!(
                        "must be a whole number from {lo} to {hi}",
                        "必须是 {lo} 到 {hi} 之间的整数"
                    ),
                ));
                None
            }
        }
    };
    let file = text("file", problems);
    if let Some(f) = &file {
        if let Some(why) = outside_folder(&f.value) {
            problems.push(
                problem_at(f.line, Some(&at("file")), t!("{} {}", "{} {}", quoted(&f.value), why))
                    .hint(t!(
                        "name a file inside the pack folder, by its name (e.g. file = \"商机导出.xlsx\")",
                        "请写数据包文件夹里的文件名（例如 file = \"商机导出.xlsx\"）"
                    )),
            );
        }
    }
    let sheet = text("sheet", problems).map(|k| k.value);
    let header_row = integer("header_row", 1, 1 << 20, problems).map_or(1, |k| k.value);
    let mut columns = Vec::new();
    for (k, required) in fields(role) {
        match text(k, problems) {
            Some(c) => columns.push((*k, c)),
            None if *required && get(k).is_none() => {
                problems.push(
                    problem_at(
                        section_line,
                        None,
                        t!(
                            "[{sname}] has no {k}: which column holds {}?",
                            "[{sname}] 没有 {k}：哪一列是{}？",
                            field_meaning(role, k)
                        ),
                    )
                    .hint(t!(
                        "add {k} = \"COLUMN\" under [{sname}]",
                        "请在 [{sname}] 下加 {k} = \"列名\""
                    )),
                );
            }
            None => {}
        }
    }
    let keep = filters("keep", t, &at, line_of, problems);
    let drop = filters("drop", t, &at, line_of, problems);
    let mut period = PeriodFrom::None;
    let mut tree = None;
    if role == FileKind::Org {
        let has = |k: &str| columns.iter().any(|(f, _)| *f == k);
        match (has("parent"), has("unit")) {
            (true, true) => {
                let line = columns.iter().find(|(f, _)| *f == "unit").map_or(1, |(_, c)| c.line);
                problems.push(
                    problem_at(line, Some(&at("unit")), t!(
                        "[org] has both parent and unit: the tree comes from one of them",
                        "[org] 同时有 parent 和 unit：组织树只能来自其中一个"
                    ))
                    .hint(t!(
                        "keep parent = \"…\" for a column of parents' ids, or unit = \"…\" for department paths",
                        "上级 id 列请保留 parent = \"…\"，部门路径列请保留 unit = \"…\""
                    )),
                );
            }
            (false, false) => problems.push(
                problem_at(section_line, None, t!(
                    "[org] has neither parent nor unit: where does the tree come from?",
                    "[org] 既没有 parent 也没有 unit：组织树从哪里来？"
                ))
                .hint(t!(
                    "add parent = \"COLUMN\" (each person's manager's id) or unit = \"COLUMN\" (a department path such as 华东大区/上海区/一组)",
                    "请加 parent = \"列名\"（每个人上级的 id）或 unit = \"列名\"（部门路径，如 华东大区/上海区/一组）"
                )),
            ),
            (true, false) => tree = Some(Tree::Parent),
            (false, true) => {
                let separator = text("unit_separator", problems).map_or("/".to_string(), |k| k.value);
                let mut heads = filters("head", t, &at, line_of, problems);
                if heads.len() > 1 {
                    problems.push(problem_at(heads[1].column.line, Some(&at("head")), t!(
                        "names more than one column: heads are told by one column (岗位)",
                        "指定了不止一列：负责人只能由一列（岗位）来判断"
                    )));
                }
                let root = text("root", problems).map_or("全国".to_string(), |k| k.value);
                tree = Some(Tree::Unit { separator, head: heads.drain(..).next(), root });
            }
        }
        if tree != Some(Tree::Parent) && has("level") {
            let line = columns.iter().find(|(f, _)| *f == "level").map_or(1, |(_, c)| c.line);
            problems.push(
                problem_at(line, Some(&at("level")), t!(
                    "is read with parent only; with unit, a node's level is its head's cell in the head column",
                    "只与 parent 一起读取；用 unit 时，节点的层级是其负责人在 head 列里的值"
                ))
                .hint(t!(
                    "remove level, or use head = {{ \"岗位\" = [\"主管\", …] }}",
                    "请删除 level，或改用 head = {{ \"岗位\" = [\"主管\", …] }}"
                )),
            );
        }
        for k in ORG_KEYS {
            if tree != Some(Tree::Parent) {
                break;
            }
            if let Some((n, _)) = get(k) {
                problems.push(problem_at(
                    line_of(n.span().start),
                    Some(&at(k)),
                    t!("is read with unit only", "只与 unit 一起读取"),
                ));
            }
        }
    } else {
        let column = text("period", problems);
        let date = text("date", problems);
        let date_keys = ["every", "fiscal_year_start", "fiscal_year_named_by", "date_format"];
        match (column, date) {
            (Some(c), Some(d)) => problems.push(
                problem_at(d.line, Some(&at("date")), t!(
                    "and period = {} are both given: the period comes from one of them",
                    "和 period = {} 同时给出：期间只能来自其中一个",
                    quoted(&c.value)
                ))
                .hint(t!(
                    "keep period = \"…\" for a column of period labels (2026-Q4), or date = \"…\" for a column of close dates",
                    "期间标签列（2026-Q4）请保留 period = \"…\"，成交日期列请保留 date = \"…\""
                )),
            ),
            (Some(c), None) => {
                for k in date_keys {
                    if let Some((n, _)) = get(k) {
                        problems.push(problem_at(line_of(n.span().start), Some(&at(k)), t!(
                            "is read with date only (the period column's labels are used as written)",
                            "只与 date 一起读取（期间列的标签按原样使用）"
                        )));
                    }
                }
                period = PeriodFrom::Column(c);
            }
            (None, Some(d)) => {
                let every = match text("every", problems) {
                    None => Some(Every::Quarter),
                    Some(k) => match k.value.to_lowercase().as_str() {
                        "quarter" | "季度" | "季" => Some(Every::Quarter),
                        "month" | "月" | "月度" => Some(Every::Month),
                        "half" | "半年" => Some(Every::Half),
                        "year" | "年" | "年度" => Some(Every::Year),
                        _ => {
                            problems.push(problem_at(k.line, Some(&at("every")), t!(
                                "{} is not a period length",
                                "{} 不是期间长度",
                                quoted(&k.value)
                            ))
                            .hint(t!(
                                "every = \"quarter\", \"month\", \"half\" or \"year\"",
                                "every = \"quarter\"（季度）、\"month\"（月）、\"half\"（半年）或 \"year\"（年）"
                            )));
                            None
                        }
                    },
                };
                let fiscal_start = integer("fiscal_year_start", 1, 12, problems).map_or(1, |k| k.value);
                let named = match text("fiscal_year_named_by", problems) {
                    None => Some(FiscalName::End),
                    Some(k) => match k.value.to_lowercase().as_str() {
                        "end" => Some(FiscalName::End),
                        "start" => Some(FiscalName::Start),
                        _ => {
                            problems.push(problem_at(k.line, Some(&at("fiscal_year_named_by")), t!(
                                "{} is neither \"end\" nor \"start\"",
                                "{} 既不是 \"end\" 也不是 \"start\"",
                                quoted(&k.value)
                            ))
                            .hint(t!(
                                "\"end\" (the default): April 2026 – March 2027 is FY2027; \"start\": FY2026",
                                "\"end\"（默认）：2026 年 4 月至 2027 年 3 月为 FY2027；\"start\"：FY2026"
                            )));
                            None
                        }
                    },
                };
                let format = text("date_format", problems);
                if let Some(f) = &format {
                    if !valid_format(&f.value) {
                        problems.push(problem_at(f.line, Some(&at("date_format")), t!(
                            "{} is not a date format with a year, a month and a day",
                            "{} 不是含年、月、日的日期格式",
                            quoted(&f.value)
                        ))
                        .hint(t!(
                            "use %Y (year), %m (month), %d (day), e.g. \"%m/%d/%Y\" for 11/30/2026 or \"%d.%m.%Y\" for 30.11.2026",
                            "请用 %Y（年）、%m（月）、%d（日），例如 11/30/2026 用 \"%m/%d/%Y\"，30.11.2026 用 \"%d.%m.%Y\""
                        )));
                    }
                }
                if let (Some(every), Some(named)) = (every, named) {
                    period = PeriodFrom::Date { column: d, every, fiscal_start, named, format: format.map(|k| k.value) };
                }
            }
            (None, None) => {
                if role != FileKind::Confidence {
                    problems.push(
                        problem_at(section_line, None, t!(
                            "[{sname}] has neither period nor date: which column says the period?",
                            "[{sname}] 既没有 period 也没有 date：哪一列是期间？"
                        ))
                        .hint(t!(
                            "add date = \"COLUMN\" (a close date; the quarter is derived) or period = \"COLUMN\" (labels such as 2026-Q4) under [{sname}]",
                            "请在 [{sname}] 下加 date = \"列名\"（成交日期，由它推出季度）或 period = \"列名\"（如 2026-Q4 的标签）"
                        )),
                    );
                }
                for k in date_keys {
                    if let Some((n, _)) = get(k) {
                        problems.push(problem_at(line_of(n.span().start), Some(&at(k)), t!("is read with date only", "只与 date 一起读取")));
                    }
                }
            }
        }
    }
    (problems.len() == before).then_some(Section {
        role,
        file,
        sheet,
        header_row,
        columns,
        keep,
        drop,
        period,
        tree,
    })
}

/// `keep = { "商机状态组" = ["进行中", "赢单"] }`.
fn filters(
    key: &str,
    t: &Table,
    at: &dyn Fn(&str) -> String,
    line_of: &dyn Fn(usize) -> u64,
    problems: &mut Vec<Problem>,
) -> Vec<Filter> {
    let Some((n, v)) = t.iter().find(|(n, _)| n.get_ref().as_ref() == key) else {
        return Vec::new();
    };
    let line = line_of(n.span().start);
    let shape = || {
        problem_at(
            line,
            Some(&at(key)),
            t!("must be a table of columns and their values", "必须是由列名和取值组成的表"),
        )
        .hint(t!(
            "{key} = {{ \"商机状态组\" = [\"进行中\", \"赢单\"] }}",
            "{key} = {{ \"商机状态组\" = [\"进行中\", \"赢单\"] }}"
        ))
    };
    let DeValue::Table(inner) = v.get_ref() else {
        problems.push(shape());
        return Vec::new();
    };
    let mut out = Vec::new();
    for (col, values) in inner {
        let line = line_of(col.span().start);
        let list: Option<Vec<String>> = match values.get_ref() {
            DeValue::Array(a) => a
                .iter()
                .map(|v: &Spanned<DeValue>| match v.get_ref() {
                    DeValue::String(s) => Some(s.trim().to_string()),
                    DeValue::Integer(i) => Some(i.as_str().to_string()),
                    _ => None,
                })
                .collect(),
            DeValue::String(s) => Some(vec![s.trim().to_string()]),
            _ => None,
        };
        match list {
            Some(values) if !values.is_empty() => out.push(Filter {
                column: Key { value: col.get_ref().trim().to_string(), line },
                values,
            }),
            _ => problems.push(shape()),
        }
    }
    out
}

/// Why a `file =` path is refused: absolute, or climbing out of the folder.
fn outside_folder(path: &str) -> Option<Text> {
    let p = std::path::Path::new(path);
    if p.is_absolute()
        || path.starts_with(['/', '\\'])
        || path.get(1..3).is_some_and(|s| s == ":\\" || s == ":/")
    {
        return Some(t!(
            "is an absolute path: pack.toml reads only files inside its own folder",
            "是绝对路径：pack.toml 只读取它自己文件夹里的文件"
        ));
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some(t!(
            "climbs out of the pack folder (..): pack.toml reads only files inside its own folder",
            "跳出了数据包文件夹（..）：pack.toml 只读取它自己文件夹里的文件"
        ));
    }
    None
}

/// Whether a strftime format names a year, a month and a day.
fn valid_format(f: &str) -> bool {
    let has = |c: &[&str]| c.iter().any(|x| f.contains(x));
    has(&["%Y", "%y", "%F", "%D"])
        && (has(&["%m", "%b", "%B", "%F", "%D"]))
        && has(&["%d", "%e", "%F", "%D"])
        && chrono::format::StrftimeItems::new(f).all(|i| !matches!(i, chrono::format::Item::Error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(_) => Vec::new(),
            Err(ps) => ps
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}{}",
                        p.line.unwrap_or(0),
                        p.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(),
                        p.message.en
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn reads_the_sections_of_a_crm_pack() {
        let t = parse(
            "[forecasts]\nfile = \"商机导出.xlsx\"\nsheet = \"商机\"\nrep = \"负责人\"\namount = \"商机金额\"\n\
             date = \"预计成交日期\"\nfiscal_year_start = 4\ndrop = { \"商机状态组\" = [\"输单\", \"无效\"] }\n\
             [org]\nid = \"工号\"\nname = \"姓名\"\nunit = \"部门\"\nhead = { \"岗位\" = [\"主管\"] }\n",
        )
        .unwrap();
        let f = t.section(FileKind::Forecasts).unwrap();
        assert_eq!(f.column("rep").unwrap().value, "负责人");
        assert_eq!(f.drop[0].values, ["输单", "无效"]);
        assert!(matches!(
            &f.period,
            PeriodFrom::Date { fiscal_start: 4, every: Every::Quarter, named: FiscalName::End, .. }
        ));
        let o = t.section(FileKind::Org).unwrap();
        assert!(matches!(&o.tree, Some(Tree::Unit { root, .. }) if root == "全国"));
    }

    #[test]
    fn every_wrong_key_points_at_its_line() {
        assert_eq!(
            problems("[forecasts]\nrep = \"a\"\namout = \"b\"\namount = \"c\"\nperiod = \"p\"\nevery = \"week\"\n"),
            ["3: [forecasts] amout: unknown key", "6: [forecasts] every: is read with date only (the period column's labels are used as written)"]
        );
        assert_eq!(problems("[forecast]\n"), ["1: unknown section [forecast]"]);
        assert_eq!(
            problems("[targets]\nnode = \"n\"\ntarget = 5\nperiod = \"p\"\n"),
            ["3: [targets] target: must be text in double quotes"]
        );
        assert_eq!(
            problems("[org]\nfile = \"../other/员工.csv\"\nid = \"工号\"\nparent = \"上级\"\n"),
            ["2: [org] file: \"../other/员工.csv\" climbs out of the pack folder (..): pack.toml reads only files inside its own folder"]
        );
        assert_eq!(
            problems("[org]\nfile = \"/etc/passwd\"\nid = \"工号\"\nparent = \"上级\"\n"),
            ["2: [org] file: \"/etc/passwd\" is an absolute path: pack.toml reads only files inside its own folder"]
        );
        assert_eq!(problems("[forecasts\n"), ["1: not valid TOML: unclosed table, expected `]`"]);
        assert_eq!(
            problems("[forecasts]\nrep = \"r\"\namount = \"a\"\ndate = \"d\"\ndate_format = \"%m/%Y\"\n"),
            ["5: [forecasts] date_format: \"%m/%Y\" is not a date format with a year, a month and a day"]
        );
        assert_eq!(
            problems("[confidence]\nsubject = \"s\"\n"),
            ["1: [confidence] has no confidence: which column holds the confidence (0.9, 110%)?"]
        );
    }
}
