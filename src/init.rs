//! `forecast-rollup init DIR`: looks at the files in a folder of CRM and HR exports, recognises
//! the columns of the common exports (WukongCRM, 纷享销客, 销售易, Salesforce, HubSpot,
//! Dynamics; an employee list by department path or by manager), and drafts a commented
//! pack.toml for the user to check. It only guesses what the headers and a sample of rows say;
//! what it could not tell (a fiscal year, whose post heads a unit) is left as a comment.

use crate::load::headers::normalize;
use crate::load::{self, packtoml, workbook, InputData, InputFile, ReadOptions};
use crate::problem::{quoted, FileKind, Problem, Problems};
use crate::t;
use crate::text::{Lang, Text};
use std::fmt::Write as _;
use std::path::Path;

/// A drafted pack.toml and what it took for what.
#[derive(Debug)]
pub struct Draft {
    pub toml: String,
    /// Per role: the source and the columns taken, for the terminal.
    pub taken: Vec<Taken>,
    /// Files and sheets that no role took.
    pub unused: Vec<String>,
}

/// A role, the table it takes (`商机导出.xlsx[商机]`) and each key with its column.
pub type Taken = (FileKind, String, Vec<(String, String)>);

/// A table in the folder: a CSV file or a workbook's sheet, its header and a sample of rows.
struct Table {
    file: String,
    sheet: Option<String>,
    /// Whether the sheet is its workbook's first (then `sheet =` is not needed).
    first_sheet: bool,
    header_row: u32,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn shown(&self) -> String {
        match &self.sheet {
            Some(s) => format!("{}[{s}]", self.file),
            None => self.file.clone(),
        }
    }

    /// The first header that is one of `names` (compared without case, spaces or `_`).
    fn find(&self, names: &[&str]) -> Option<usize> {
        // Full-width brackets (`商机金额（元）`) are the ASCII ones.
        let squash = |s: &str| -> String {
            normalize(s)
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '_')
                .map(|c| match c {
                    '（' => '(',
                    '）' => ')',
                    c => c,
                })
                .collect()
        };
        names.iter().find_map(|n| {
            let n = squash(n);
            self.headers.iter().position(|h| squash(h) == n)
        })
    }

    fn values(&self, col: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().filter_map(move |r| r.get(col)).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

const REP: &[&str] = &[
    "负责人",
    "商机负责人",
    "销售负责人",
    "负责人工号",
    "负责人姓名",
    "销售",
    "销售人员",
    "销售员",
    "业务员",
    "所有人",
    "归属人",
    "Opportunity Owner",
    "Deal owner",
    "Owner",
    "Owner Name",
    "owner_name",
    "owner_id",
    "Sales Rep",
    "Salesperson",
    "rep_id",
    "销售编号",
];
const AMOUNT: &[&str] = &[
    "商机金额",
    "预计金额",
    "预计成交金额",
    "预测金额",
    "销售金额",
    "合同金额",
    "金额",
    "商机金额(元)",
    "Amount",
    "Deal amount",
    "Opportunity Amount",
    "Amount (converted)",
    "Expected Revenue",
    "Est. Revenue",
    "Estimated Revenue",
    "amount",
];
const CLOSE_DATE: &[&str] = &[
    "预计成交日期",
    "预计签单日期",
    "预计结单日期",
    "结单日期",
    "预计成交时间",
    "成交日期",
    "预计完成日期",
    "预计签约日期",
    "Close Date",
    "close_date",
    "closeDate",
    "Expected Close Date",
    "Est. Close Date",
    "Estimated Close Date",
    "Deal close date",
];
const PERIOD: &[&str] = &["期间", "季度", "period", "Fiscal Period", "Quarter", "财务期间"];
const DEAL: &[&str] = &[
    "商机编号",
    "商机ID",
    "商机id",
    "Opportunity ID",
    "Deal ID",
    "Record ID",
    "deal_id",
    "opportunity_id",
    "商机编码",
];
const STATUS: &[&str] = &[
    "商机状态组",
    "商机状态",
    "状态",
    "商机阶段",
    "销售阶段",
    "阶段",
    "Stage",
    "Deal Stage",
    "Opportunity Stage",
    "Status",
];
/// Values of a status column that are not forecast: lost, invalid, cancelled.
const NOT_FORECAST: &[&str] = &[
    "输单",
    "无效",
    "丢单",
    "作废",
    "已取消",
    "取消",
    "失败",
    "赢单失败",
    "closed lost",
    "lost",
    "closedlost",
    "invalid",
    "cancelled",
    "canceled",
    "dead",
];
const PERSON_ID: &[&str] =
    &["工号", "员工编号", "员工工号", "员工ID", "User ID", "Employee ID", "Employee Number", "id"];
const NAME: &[&str] =
    &["姓名", "员工姓名", "名称", "Full Name", "Name", "Employee Name", "User Name"];
const UNIT: &[&str] = &[
    "部门全路径",
    "部门路径",
    "所属部门路径",
    "部门",
    "所属部门",
    "主属部门",
    "Department",
    "Department Path",
    "Org Unit",
];
const PARENT: &[&str] = &[
    "直属上级工号",
    "上级工号",
    "直属上级编号",
    "汇报对象工号",
    "上级编号",
    "直属上级",
    "上级",
    "Manager ID",
    "Reports To ID",
    "Manager Employee ID",
    "parent_id",
];
const POST: &[&str] =
    &["岗位", "职位", "职务", "岗位名称", "Title", "Job Title", "Position", "Role"];
/// Posts that head a unit.
const HEAD_WORDS: &[&str] = &[
    "主管",
    "经理",
    "总监",
    "总经理",
    "负责人",
    "组长",
    "manager",
    "director",
    "head",
    "lead",
    "vp",
];
const SUBJECT: &[&str] = &["被评估人", "被评估人工号", "被评估人姓名", "subject", "subject_id"];
const REVIEWER: &[&str] = &["评估人", "评估人工号", "评估人姓名", "reviewer", "reviewer_id"];
const CONFIDENCE: &[&str] = &["信心指数", "系数", "信心", "confidence", "multiplier"];
const NOTE: &[&str] = &["备注", "说明", "note", "notes", "comment"];
const NODE: &[&str] = &[
    "节点",
    "节点编号",
    "部门",
    "团队",
    "负责人",
    "姓名",
    "工号",
    "Owner",
    "Node",
    "node_id",
    "Team",
    "User",
];
const TARGET: &[&str] =
    &["目标", "目标金额", "销售目标", "业绩目标", "指标", "Quota", "Target", "Target Amount"];

/// Reads every CSV and workbook sheet in `dir` and drafts a pack.toml; problems when no file
/// looks like a deal list or forecasts.
pub fn draft(dir: &Path, opts: ReadOptions, lang: Lang) -> Result<Draft, Problems> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') && !n.starts_with("~$"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut tables = Vec::new();
    let mut unused = Vec::new();
    for name in &names {
        let lower = name.to_lowercase();
        if lower == "pack.toml" {
            continue;
        }
        let path = dir.join(name);
        if workbook::is_workbook(name) {
            let sheets = workbook::sheet_names(&path).unwrap_or_default();
            for (k, sheet) in sheets.iter().enumerate() {
                match workbook::read_sheet(&path, Some(sheet)) {
                    Ok(s) => match table(name, Some(sheet.clone()), k == 0, &s.text, Some(&s.rows))
                    {
                        Some(t) => tables.push(t),
                        None => unused.push(format!("{name}[{sheet}]")),
                    },
                    Err(_) => unused.push(format!("{name}[{sheet}]")),
                }
            }
        } else if lower.ends_with(".csv") || lower.ends_with(".txt") || lower.ends_with(".tsv") {
            let file = InputFile {
                kind: FileKind::Forecasts,
                display: name.clone(),
                data: InputData::Path(path),
                sheet: None,
                shape: None,
            };
            match load::read_text(&file, opts, &mut Problems::default()) {
                Ok(Some(text)) => match table(name, None, true, &text, None) {
                    Some(t) => tables.push(t),
                    None => unused.push(name.clone()),
                },
                _ => unused.push(name.clone()),
            }
        } else {
            unused.push(name.clone());
        }
    }
    let mut used = vec![false; tables.len()];
    let mut draft = Draft { toml: String::new(), taken: Vec::new(), unused: Vec::new() };
    let mut sections = String::new();
    for role in [FileKind::Forecasts, FileKind::Org, FileKind::Targets, FileKind::Confidence] {
        let best = (0..tables.len())
            .filter(|&i| !used[i])
            .filter_map(|i| score(role, &tables[i]).map(|s| (s, i)))
            .max_by_key(|&(s, i)| (s, std::cmp::Reverse(i)));
        let Some((_, i)) = best else { continue };
        used[i] = true;
        let (text, taken) = section(role, &tables[i], lang);
        sections.push_str(&text);
        draft.taken.push((role, tables[i].shown(), taken));
    }
    if !draft.taken.iter().any(|(r, ..)| *r == FileKind::Forecasts) {
        let seen: Vec<String> = tables
            .iter()
            .map(|t| {
                let more = if t.headers.len() > 6 { ", …" } else { "" };
                format!(
                    "{} ({}{more})",
                    t.shown(),
                    t.headers.iter().take(6).map(|h| quoted(h)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let mut ps = Problems::default();
        ps.push(
            Problem::file(
                FileKind::Mapping,
                t!(
                    "no file in {} looks like a deal export (an owner, an amount and a close date or period): {}",
                    "{} 里没有像商机导出的文件（要有负责人、金额和成交日期或期间）：{}",
                    crate::load::folder::display(dir),
                    if seen.is_empty() {
                        t!("no CSV or workbook found", "没有找到 CSV 或工作簿")
                    } else {
                        t!("{}", "{}", seen.join("; "))
                    }
                ),
            )
            .hint(t!(
                "put the CRM's deal export (CSV or .xlsx) in the folder, or write pack.toml by hand (README, \"From a CRM export\")",
                "请把 CRM 的商机导出（CSV 或 .xlsx）放进该文件夹，或手写 pack.toml（见 README“From a CRM export”）"
            )),
        );
        ps.name_files(0, &|_| crate::load::folder::display(&dir.join("pack.toml")));
        return Err(ps);
    }
    let roles: Vec<&str> =
        draft.taken.iter().map(|(r, ..)| r.file_name().trim_end_matches(".csv")).collect();
    let head = t!(
        "# pack.toml drafted by `forecast-rollup init` from the files in this folder ({}).\n\
         # Check every line, then run `forecast-rollup check` on the folder: it prints the mapping\n\
         # it used and the rows it left out. The README's \"From a CRM export\" lists every key.\n",
        "# 本 pack.toml 由 `forecast-rollup init` 根据本文件夹里的文件起草（{}）。\n\
         # 请逐行检查，然后对该文件夹运行 `forecast-rollup check`：它会列出所用的映射\n\
         # 和被排除的行。README 的“From a CRM export”一节列出了每个键。\n",
        roles.join(", ")
    );
    let _ = writeln!(draft.toml, "{}", head.get(lang));
    draft.toml.push_str(&sections);
    for (i, t) in tables.iter().enumerate() {
        if !used[i] {
            unused.push(t.shown());
        }
    }
    unused.sort();
    draft.unused = unused;
    // What was drafted must read back: a draft that does not parse would be a bug here.
    debug_assert!(packtoml::parse(&draft.toml).is_ok(), "{}", draft.toml);
    Ok(draft)
}

/// The header (the first row with three or more cells among the first ten) and up to 500 rows.
fn table(
    file: &str,
    sheet: Option<String>,
    first: bool,
    text: &[u8],
    rows: Option<&[u32]>,
) -> Option<Table> {
    let mut rdr = load::csv_reader(load::sniff_delimiter(text), text);
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut out = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        let Ok(rec) = rec else { break };
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        let filled = cells.iter().filter(|c| !c.is_empty()).count();
        match &header {
            None if k >= 10 => return None,
            None if filled >= 3 => {
                let line = rec.position().map_or(1, |p| p.line());
                let row =
                    rows.and_then(|r| r.get(line as usize - 1).copied()).unwrap_or(line as u32);
                header = Some((row, cells));
            }
            None => {}
            Some(_) if filled == 0 => {}
            Some(_) if out.len() < 500 => out.push(cells),
            Some(_) => break,
        }
    }
    let (header_row, headers) = header?;
    Some(Table {
        file: file.to_string(),
        sheet,
        first_sheet: first,
        header_row,
        headers,
        rows: out,
    })
}

/// How well a table fits a role: `None` when a required column is missing.
fn score(role: FileKind, t: &Table) -> Option<u32> {
    let has = |names: &[&str]| t.find(names).is_some();
    let count = |lists: &[&[&str]]| lists.iter().filter(|l| has(l)).count() as u32;
    match role {
        FileKind::Forecasts => (has(REP) && has(AMOUNT) && (has(CLOSE_DATE) || has(PERIOD)))
            .then(|| 3 + count(&[DEAL, STATUS])),
        FileKind::Org => {
            (has(PERSON_ID) && (has(UNIT) || has(PARENT))).then(|| 2 + count(&[NAME, POST]))
        }
        FileKind::Targets => {
            (has(NODE) && has(TARGET) && (has(PERIOD) || has(CLOSE_DATE))).then_some(3)
        }
        FileKind::Confidence => {
            (has(SUBJECT) && has(CONFIDENCE)).then(|| 2 + count(&[REVIEWER, NOTE, PERIOD]))
        }
        _ => None,
    }
}

/// The section for `role` from table `t`, and what it took.
fn section(role: FileKind, t: &Table, lang: Lang) -> (String, Vec<(String, String)>) {
    let say = |t: Text| t.get(lang).to_string();
    let name = role.file_name().trim_end_matches(".csv");
    let mut s = format!("[{name}]\n");
    let mut taken = Vec::new();
    let _ = writeln!(s, "file = {}", toml_str(&t.file));
    if let Some(sheet) = &t.sheet {
        if !t.first_sheet {
            let _ = writeln!(s, "sheet = {}", toml_str(sheet));
        } else {
            let note = say(t!("(the first sheet is read)", "（读取第一张工作表）"));
            let _ = writeln!(s, "# sheet = {}   {note}", toml_str(sheet));
        }
    }
    if t.header_row > 1 {
        let note = say(t!("the rows above are a title", "上面几行是标题"));
        let _ = writeln!(s, "header_row = {}        # {note}", t.header_row);
    }
    let mut key = |s: &mut String, k: &str, col: usize, comment: &str| {
        let h = &t.headers[col];
        let pad = 16usize.saturating_sub(k.len() + width(h));
        if comment.is_empty() {
            let _ = writeln!(s, "{k} = {}", toml_str(h));
        } else {
            let _ = writeln!(s, "{k} = {}{}  # {comment}", toml_str(h), " ".repeat(pad));
        }
        taken.push((k.to_string(), h.clone()));
    };
    match role {
        FileKind::Forecasts => {
            if let Some(c) = t.find(REP) {
                key(
                    &mut s,
                    "rep",
                    c,
                    &say(t!(
                        "an org id (工号), or else a unique name",
                        "组织架构里的 id（工号），否则为唯一的姓名"
                    )),
                );
            }
            if let Some(c) = t.find(AMOUNT) {
                key(&mut s, "amount", c, "");
            }
            if let Some(c) = t.find(DEAL) {
                key(
                    &mut s,
                    "deal",
                    c,
                    &say(t!(
                        "a deal counted twice for one rep and period is an error",
                        "同一销售同一期间里重复出现的商机是错误"
                    )),
                );
            }
            period_keys(&mut s, t, &mut key, lang);
            if let Some(c) = t.find(STATUS) {
                let mut lost: Vec<String> = Vec::new();
                for v in t.values(c) {
                    let l = v.to_lowercase();
                    if NOT_FORECAST.iter().any(|w| l == *w || l.contains(w))
                        && !lost.iter().any(|x| x == v)
                    {
                        lost.push(v.to_string());
                    }
                }
                let h = &t.headers[c];
                let list = |vals: &[String]| {
                    vals.iter().map(|v| toml_str(v)).collect::<Vec<_>>().join(", ")
                };
                let mut seen: Vec<&str> = Vec::new();
                for v in t.values(c) {
                    if !seen.contains(&v) && seen.len() < 20 {
                        seen.push(v);
                    }
                }
                let listed = seen.join(", ");
                let _ = writeln!(
                    s,
                    "{}",
                    say(t!("# {h} in the file: {listed}", "# 文件里的 {h}：{listed}"))
                );
                if lost.is_empty() {
                    let note = say(t!(
                        "rows whose {h} is one of these are not forecast",
                        "{h} 为其中之一的行不计入预测"
                    ));
                    let _ = writeln!(s, "# drop = {{ {} = [\"…\"] }}   # {note}", toml_str(h));
                } else {
                    let note = say(t!(
                        "lost and invalid deals are not forecast",
                        "输单和无效的商机不计入预测"
                    ));
                    let _ =
                        writeln!(s, "drop = {{ {} = [{}] }}   # {note}", toml_str(h), list(&lost));
                    taken.push(("drop".into(), format!("{h} = {}", lost.join(", "))));
                }
            }
        }
        FileKind::Org => {
            let id = t.find(PERSON_ID);
            if let Some(c) = id {
                key(&mut s, "id", c, "");
            }
            if let Some(c) = t.find(NAME) {
                key(&mut s, "name", c, "");
            }
            let post = t.find(POST);
            match (t.find(UNIT), t.find(PARENT)) {
                (Some(u), _) => {
                    key(
                        &mut s,
                        "unit",
                        u,
                        &say(t!(
                            "a department path: every prefix is a node of the tree",
                            "部门路径：每一级前缀都是组织树的一个节点"
                        )),
                    );
                    let sep = guess_separator(t.values(u));
                    if sep != "/" {
                        let _ = writeln!(s, "unit_separator = {}", toml_str(&sep));
                    }
                    match post {
                        Some(p) => {
                            let mut heads: Vec<String> = Vec::new();
                            for v in t.values(p) {
                                let l = v.to_lowercase();
                                if HEAD_WORDS.iter().any(|w| l.contains(w))
                                    && !heads.iter().any(|x| x == v)
                                {
                                    heads.push(v.to_string());
                                }
                            }
                            let h = &t.headers[p];
                            let list =
                                heads.iter().map(|v| toml_str(v)).collect::<Vec<_>>().join(", ");
                            let note = say(t!(
                                "whoever holds one of these posts heads the unit they sit in",
                                "担任其中任一岗位的人是其所在单位的负责人"
                            ));
                            let _ =
                                writeln!(s, "head = {{ {} = [{list}] }}   # {note}", toml_str(h));
                            taken.push(("head".into(), format!("{h} = {}", heads.join(", "))));
                        }
                        None => {
                            let note =
                                say(t!("who heads the unit they sit in", "谁是其所在单位的负责人"));
                            let _ = writeln!(
                                s,
                                "# head = {{ \"岗位\" = [\"主管\", \"区域经理\"] }}   # {note}"
                            );
                        }
                    }
                    let note = say(t!(
                        "the id and name of the node above the top units",
                        "最上层单位之上那个节点的 id 和名称"
                    ));
                    let _ = writeln!(s, "root = \"全国\"        # {note}");
                }
                (None, Some(p)) => {
                    key(
                        &mut s,
                        "parent",
                        p,
                        &say(t!(
                            "each person's manager's id; empty for the top",
                            "每个人上级的 id；最顶层留空"
                        )),
                    );
                    if let Some(c) = post {
                        key(&mut s, "level", c, "");
                    }
                }
                (None, None) => {}
            }
        }
        FileKind::Targets => {
            if let Some(c) = t.find(NODE) {
                key(
                    &mut s,
                    "node",
                    c,
                    &say(t!(
                        "an org id, a department path, or a unique name",
                        "组织架构里的 id、部门路径或唯一的姓名"
                    )),
                );
            }
            if let Some(c) = t.find(TARGET) {
                key(&mut s, "target", c, "");
            }
            period_keys(&mut s, t, &mut key, lang);
        }
        _ => {
            if let Some(c) = t.find(SUBJECT) {
                key(
                    &mut s,
                    "subject",
                    c,
                    &say(t!(
                        "an org id, or else a unique name",
                        "组织架构里的 id，否则为唯一的姓名"
                    )),
                );
            }
            if let Some(c) = t.find(REVIEWER) {
                key(
                    &mut s,
                    "reviewer",
                    c,
                    &say(t!("must be the subject's manager", "必须是被评估者的上级")),
                );
            }
            if let Some(c) = t.find(CONFIDENCE) {
                key(&mut s, "confidence", c, &say(t!("0.9, 1.1 or 110%", "0.9、1.1 或 110%")));
            }
            if let Some(c) = t.find(NOTE) {
                key(&mut s, "note", c, "");
            }
            if t.find(PERIOD).is_some() || t.find(CLOSE_DATE).is_some() {
                period_keys(&mut s, t, &mut key, lang);
            } else {
                let note = say(t!(
                    "# no period column: each row applies to every period",
                    "# 没有期间列：每一行适用于所有期间"
                ));
                let _ = writeln!(s, "{note}");
            }
        }
    }
    s.push('\n');
    (s, taken)
}

/// `period = …`, or `date = …` with the date format the sample needs and the fiscal year left
/// for the user.
fn period_keys(
    s: &mut String,
    t: &Table,
    key: &mut dyn FnMut(&mut String, &str, usize, &str),
    lang: Lang,
) {
    let say = |t: Text| t.get(lang).to_string();
    if let Some(c) = t.find(PERIOD) {
        key(s, "period", c, &say(t!("period labels such as 2026-Q4", "期间标签，例如 2026-Q4")));
        return;
    }
    let Some(c) = t.find(CLOSE_DATE) else { return };
    key(
        s,
        "date",
        c,
        &say(t!("the period is the quarter this date falls in", "期间是该日期所在的季度")),
    );
    let note = say(t!("or \"month\", \"half\", \"year\"", "或 \"month\"、\"half\"、\"year\""));
    let _ = writeln!(s, "every = \"quarter\"      # {note}");
    let note = say(t!(
        "if the fiscal year starts in April (FY2027-Q1 = Apr–Jun 2026)",
        "如果财年从 4 月开始（FY2027-Q1 = 2026 年 4–6 月）"
    ));
    let _ = writeln!(s, "# fiscal_year_start = 4  # {note}");
    let note = match date_format(t.values(c)) {
        DateOrder::Plain => return,
        DateOrder::MonthFirst => (
            "%m/%d/%Y",
            t!(
                "month first, as the sample's dates show (11/30/2026)",
                "月份在前，样本里的日期就是这样（11/30/2026）"
            ),
        ),
        DateOrder::DayFirst => (
            "%d/%m/%Y",
            t!(
                "day first, as the sample's dates show (30/11/2026)",
                "日在前，样本里的日期就是这样（30/11/2026）"
            ),
        ),
        DateOrder::Unknown => (
            "%m/%d/%Y",
            t!(
            "CHECK: the sample's dates (3/4/2026) read both ways; US exports put the month first",
            "请核对：样本里的日期（3/4/2026）两种读法都行；美式导出把月份放在前面"
        ),
        ),
    };
    let _ = writeln!(s, "date_format = \"{}\"  # {}", note.0, say(note.1));
}

enum DateOrder {
    Plain,
    MonthFirst,
    DayFirst,
    Unknown,
}

/// Whether the sample's dates need a `date_format`, and which.
fn date_format<'a>(values: impl Iterator<Item = &'a str>) -> DateOrder {
    let (mut ambiguous, mut month_first, mut day_first) = (false, false, false);
    for v in values {
        let day = v.split([' ', 'T']).next().unwrap_or(v);
        let parts: Vec<&str> = day.split(['/', '-', '.']).collect();
        if parts.len() != 3 || parts[0].len() == 4 {
            continue;
        }
        let (a, b) = (parts[0].parse::<u32>().unwrap_or(0), parts[1].parse::<u32>().unwrap_or(0));
        match (a > 12, b > 12) {
            (false, true) => month_first = true,
            (true, false) => day_first = true,
            (false, false) if a != b => ambiguous = true,
            _ => {}
        }
    }
    match (month_first, day_first, ambiguous) {
        (true, false, _) => DateOrder::MonthFirst,
        (false, true, _) => DateOrder::DayFirst,
        (false, false, true) | (true, true, _) => DateOrder::Unknown,
        _ => DateOrder::Plain,
    }
}

/// The separator of department paths: `/` unless the sample uses another.
fn guess_separator<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut counts = [0usize; 5];
    let seps = ["/", "\\", ">", "-", "|"];
    for v in values {
        for (k, s) in seps.iter().enumerate() {
            if v.contains(s) {
                counts[k] += 1;
            }
        }
    }
    let best = (0..seps.len()).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
    if counts[best] == 0 {
        "/".into()
    } else {
        seps[best].into()
    }
}

/// Columns a text takes in a terminal or editor: CJK characters take two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c >= '\u{1100}' { 2 } else { 1 }).sum()
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_order_of_day_and_month_from_the_sample() {
        assert!(matches!(
            date_format(["11/30/2026", "3/4/2027"].into_iter()),
            DateOrder::MonthFirst
        ));
        assert!(matches!(date_format(["30/11/2026", "3/4/2027"].into_iter()), DateOrder::DayFirst));
        assert!(matches!(date_format(["3/4/2027"].into_iter()), DateOrder::Unknown));
        assert!(matches!(date_format(["2026-11-30 10:00"].into_iter()), DateOrder::Plain));
        assert_eq!(toml_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(guess_separator(["华东>上海>一组"].into_iter()), ">");
    }
}
