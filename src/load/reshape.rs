//! Applying pack.toml: a file of another shape (a CRM's deal export, an employee list by
//! department path) becomes the contract's CSV text, and the readers take it from there like
//! any pack file. Each line of that text remembers the source row it came from and each
//! contract column the user's column, so every later problem points at the source file's row
//! and cell (`商机导出.xlsx[商机]!F17`), as a problem of an unmapped file does.
//!
//! What happens to the rows, in order:
//! 1. blank rows are skipped (counted, as in any file);
//! 2. `drop` leaves out a row whose column holds one of its values; `keep` leaves out a row
//!    whose column holds none of its values; both are counted per column and value;
//! 3. people (a forecast's rep, a confidence's subject and reviewer, a target's node) are
//!    resolved against the org: an id, else a department path, else a unique name;
//! 4. a date becomes its period ([`crate::period::of_date`]).
//!
//! A row whose date cannot be read, or whose person's name is shared, is a problem at its
//! cell; it is never dropped silently.

use super::headers::normalize;
use super::packtoml::{Filter, Key, PeriodFrom, Section, Tree};
use super::{csv_reader, read_text, sniff_delimiter, InputData, InputFile, PackFiles, ReadOptions};
use crate::period::{self, DateError, Every, FiscalName};
use crate::problem::{quoted, FileKind, Problem, Problems};
use crate::t;
use crate::text::Text;
use std::collections::HashMap;

/// What pack.toml did with one role's file: `check` prints it, so that a wrong mapping is seen
/// before the meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub role: FileKind,
    /// The source as the user sees it (`商机导出.xlsx[商机]`).
    pub source: String,
    /// One line per contract column: `rep_id ← 负责人 (an org id or a unique name)`.
    pub columns: Vec<Text>,
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Blank rows skipped.
    pub blank: u64,
    /// Rows passed on to the role's reader.
    pub used: u64,
    /// Rows left out by `keep`/`drop`: (`drop`|`keep`, column, value, count), sorted.
    pub left_out: Vec<(&'static str, String, String, u64)>,
}

/// How the lines and columns of a converted file map back to its source.
#[derive(Debug, Clone, Default)]
pub struct LineMap {
    /// `rows[k]`: the source row (sheet row or CSV line) of text line `k + 1`.
    pub rows: Vec<u32>,
    /// (contract column, the user's column, its 0-based position in the source).
    pub columns: Vec<(String, String, Option<u32>)>,
    /// For text gathered from several files or sheets ([`super::returned`]): each one as the
    /// user sees it, and per text line which one it came from. Empty: one source.
    pub sources: Vec<String>,
    pub source_of: Vec<u32>,
}

/// A pack's files ready for the readers: workbooks turned into CSV text, mapped files into the
/// contract's shape.
pub struct Prepared {
    pub files: PackFiles,
    /// Per converted file, how its lines and columns map back to the source.
    pub maps: Vec<(FileKind, LineMap)>,
    /// Problems found converting, already at their source rows and cells and named.
    pub problems: Problems,
}

/// Converts every workbook and every file pack.toml maps. Problems come back named for pack
/// number `pack`; a file that could not be converted is in [`PackFiles::found`] and is not
/// read further.
pub fn prepare(files: &PackFiles, opts: ReadOptions, pack: u16) -> Prepared {
    let mut out = files.clone();
    let mut maps = Vec::new();
    let mut problems = Problems::default();
    let mut held: Vec<(FileKind, Problem)> = Vec::new();
    let name = |mut ps: Problems, path: &str| {
        ps.name_files(pack, &|_| path.to_string());
        ps
    };
    let shaped = files.iter().any(|f| f.shape.is_some());
    // The org first: the other files' people are resolved against it.
    let mut people = People::default();
    let org = out.org.clone();
    match convert(&org, opts, None) {
        Ok(Some(c)) => {
            people = c.people;
            out.org = c.file;
            maps.push((FileKind::Org, c.map));
            out.shapes.extend(c.account);
            problems.absorb(name(c.problems, &out.org.display));
        }
        Ok(None) if shaped => people = People::from_contract_org(&org, opts),
        Ok(None) => {}
        Err(p) => held.push((FileKind::Org, p)),
    }
    people.source = out.org.display.clone();
    // Confidence returned by the managers: every sheet of a workbook, or a folder of them.
    if let Some(f) =
        out.confidence.as_mut().filter(|f| f.shape.is_none() && super::returned::applies(f))
    {
        match super::returned::collect(f, opts) {
            Ok(c) => {
                *f = InputFile { data: InputData::Bytes(c.text), sheet: None, ..f.clone() };
                maps.push((FileKind::Confidence, c.map));
                out.not_read.extend(c.not_read);
                out.not_read.sort();
                let mut ps = Problems::default();
                for mut p in c.problems {
                    p.pack = pack;
                    ps.push(p);
                }
                problems.absorb(ps);
            }
            Err(p) => held.push((FileKind::Confidence, p)),
        }
    }
    for slot in [Some(&mut out.forecasts), out.confidence.as_mut(), out.targets.as_mut()]
        .into_iter()
        .flatten()
    {
        match convert(slot, opts, Some(&people)) {
            Ok(Some(c)) => {
                *slot = c.file;
                maps.push((slot.kind, c.map));
                out.shapes.extend(c.account);
                problems.absorb(name(c.problems, &slot.display));
            }
            Ok(None) => {}
            Err(p) => held.push((slot.kind, p)),
        }
    }
    // A file that could not be converted is not read as it is: its problem says why.
    for (kind, p) in held {
        out.found.push(p);
        out.held.push(kind);
    }
    Prepared { files: out, maps, problems }
}

/// One file converted.
struct Converted {
    file: InputFile,
    map: LineMap,
    account: Option<Account>,
    problems: Problems,
    people: People,
}

/// A file read as text, its header found; its data records are read as they are needed
/// ([`Table::each`]), so a large export is never held as records.
struct Table {
    /// The source as the user sees it.
    display: String,
    kind: FileKind,
    header_row: u32,
    headers: Vec<String>,
    text: Vec<u8>,
    /// A workbook's sheet row of each text line (`None`: a CSV, whose lines are its rows).
    rows: Option<Vec<u32>>,
    delimiter: u8,
    /// Where the data after the header starts: byte offset and 1-based text line.
    data: (usize, u64),
}

/// What a pass over a table's records saw.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    rows: u64,
    blank: u64,
}

/// Converts one file: a workbook's sheet into CSV text, a mapped file into the contract's
/// shape. `Ok(None)`: a CSV file with no mapping, read as it is. `Err`: the file's problem (it
/// is not read further).
fn convert(
    file: &InputFile,
    opts: ReadOptions,
    people: Option<&People>,
) -> Result<Option<Converted>, Problem> {
    let Some(section) = file.shape.clone() else {
        return Ok(super::workbook::as_csv(file)?.map(|(converted, rows)| {
            let sheet = converted.sheet.clone().unwrap_or_default();
            let display = format!("{}[{sheet}]", converted.display);
            Converted {
                file: InputFile { display, ..converted },
                map: LineMap { rows, ..LineMap::default() },
                account: None,
                problems: Problems::default(),
                people: People::default(),
            }
        }));
    };
    let table = read_source(file, &section, opts)?;
    let mut problems = Problems::default();
    let mut people_out = People::default();
    let (text, map, account) = match section.tree {
        Some(Tree::Unit { .. }) | Some(Tree::Parent) if file.kind == FileKind::Org => {
            shape_org(&table, &section, &mut problems, &mut people_out)?
        }
        _ => shape_rows(&table, &section, people.unwrap_or(&People::default()), &mut problems)?,
    };
    Ok(Some(Converted {
        file: InputFile {
            kind: file.kind,
            display: table.display.clone(),
            data: InputData::Bytes(text),
            sheet: None,
            shape: None,
        },
        map,
        account: Some(account),
        problems,
        people: people_out,
    }))
}

/// Reads the source of a mapped file (a CSV in any encoding the tool reads, or a workbook's
/// sheet) into records, from the header row on.
fn read_source(file: &InputFile, section: &Section, opts: ReadOptions) -> Result<Table, Problem> {
    let (display, text, rows) = match super::workbook::as_csv(file)? {
        Some((converted, rows)) => {
            let sheet = converted.sheet.clone().unwrap_or_default();
            let InputData::Bytes(text) = converted.data else { unreachable!("as_csv gives bytes") };
            (format!("{}[{sheet}]", converted.display), text, Some(rows))
        }
        None => {
            let mut ps = Problems::default();
            match read_text(file, opts, &mut ps) {
                Ok(Some(text)) => (file.display.clone(), text, None),
                Ok(None) => {
                    return Err(ps.into_first().unwrap_or_else(|| {
                        Problem::file(file.kind, t!("cannot be read", "无法读取"))
                    }))
                }
                Err(e) => {
                    return Err(match e.downcast::<crate::problem::InputProblem>() {
                        Ok(crate::problem::InputProblem(p)) => p,
                        Err(e) => Problem::file(file.kind, crate::text::of_error(&e)),
                    })
                }
            }
        }
    };
    let row_of = |line: u64| -> u32 {
        match &rows {
            Some(r) => r.get(line.saturating_sub(1) as usize).copied().unwrap_or(u32::MAX),
            None => u32::try_from(line).unwrap_or(u32::MAX),
        }
    };
    // The delimiter is the header line's; rows above it (a title) may have none.
    let mut start = 0;
    let mut line = 1u64;
    while row_of(line) < section.header_row {
        match memchr::memchr(b'\n', &text[start..]) {
            Some(i) => {
                start += i + 1;
                line += 1;
            }
            None => break,
        }
    }
    let delimiter = sniff_delimiter(&text[start..]);
    let mut rdr = csv_reader(delimiter, &text[..]);
    let mut rec = csv::StringRecord::new();
    let mut header: Option<(u32, Vec<String>)> = None;
    loop {
        let at = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let mut p = Problem::file(file.kind, super::csv_error(&e));
                p.line = Some(u64::from(row_of(at)));
                return Err(p);
            }
        }
        let row = row_of(at);
        if row < section.header_row || rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        header = Some((row, rec.iter().map(|h| h.to_string()).collect()));
        break;
    }
    let Some((header_row, headers)) = header else {
        return Err(Problem::file(
            file.kind,
            t!(
                "{display}: no header row at or after row {}: the file is empty",
                "{display}：第 {} 行及以后没有表头行：文件是空的",
                section.header_row
            ),
        ));
    };
    let at = rdr.position();
    let data = (usize::try_from(at.byte()).unwrap_or(text.len()).min(text.len()), at.line());
    Ok(Table { display, kind: file.kind, header_row, headers, text, rows, delimiter, data })
}

impl Table {
    /// The source row of a text line.
    fn row_of(&self, line: u64) -> u32 {
        match &self.rows {
            Some(r) => r.get(line.saturating_sub(1) as usize).copied().unwrap_or(u32::MAX),
            None => u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    /// Hands each data record (blank ones skipped and counted) with its source row to `f`,
    /// until `f` says stop (`false`).
    fn each(&self, mut f: impl FnMut(u32, &csv::StringRecord) -> bool) -> Result<Counted, Problem> {
        let mut rdr = csv_reader(self.delimiter, &self.text[self.data.0..]);
        let mut rec = csv::StringRecord::new();
        let mut n = Counted::default();
        loop {
            let line = self.data.1 + rdr.position().line() - 1;
            match rdr.read_record(&mut rec) {
                Ok(false) => return Ok(n),
                Ok(true) => {}
                Err(e) => {
                    let mut p = Problem::file(self.kind, super::csv_error(&e));
                    p.line = Some(u64::from(self.row_of(line)));
                    return Err(p);
                }
            }
            if rec.iter().all(|c| c.trim().is_empty()) {
                n.blank += 1;
                continue;
            }
            n.rows += 1;
            if !f(self.row_of(line), &rec) {
                return Ok(n);
            }
        }
    }

    /// What was done with this table's rows, for `check`.
    fn account(
        &self,
        role: FileKind,
        columns: Vec<Text>,
        seen: Counted,
        used: u64,
        left: LeftOut,
    ) -> Account {
        Account {
            role,
            source: self.display.clone(),
            columns,
            rows: seen.rows,
            blank: seen.blank,
            used,
            left_out: left.sorted(),
        }
    }
}

/// The position of the user's column in the header, or the pack.toml problem naming it.
fn find(
    table: &Table,
    section: &Section,
    key: &str,
    column: &Key<String>,
) -> Result<usize, Problem> {
    let want = normalize(&column.value);
    if let Some(i) = table.headers.iter().position(|h| normalize(h) == want) {
        return Ok(i);
    }
    let mut p = Problem::file(
        FileKind::Mapping,
        t!(
            "no column {} in {} (its header, row {}, has {})",
            "{1} 里没有列 {0}（它的表头在第 {2} 行，有 {3}）",
            quoted(&column.value),
            table.display,
            table.header_row,
            listed(&table.headers)
        ),
    );
    p.line = Some(column.line);
    p.column = Some(format!("[{}] {key}", section.name()));
    // The header further down (a title row above it)?
    let mut lower = None;
    let mut looked = 0;
    let _ = table.each(|row, r| {
        looked += 1;
        if r.iter().any(|h| normalize(h) == want) {
            lower = Some((row, ()));
        }
        lower.is_none() && looked < 20
    });
    let hint = match lower {
        Some((row, _)) => {
            let name = section.name();
            t!(
                "the header is on row {row}: add header_row = {row} under [{name}]",
                "表头在第 {row} 行：请在 [{name}] 下加 header_row = {row}"
            )
        }
        None => {
            // `商机金额(元)` for `商机金额`: a unit or a note added to the header.
            let within = table.headers.iter().find(|h| {
                let h = normalize(h);
                !h.is_empty() && (h.contains(&want) || want.contains(&h))
            });
            let near =
                crate::suggest::nearest(&column.value, table.headers.iter().map(String::as_str));
            match within.map(String::as_str).or(near) {
                Some(n) => t!(
                    "did you mean {0}? write {key} = {0} under [{1}]",
                    "是否想写 {0}？请在 [{1}] 下写 {key} = {0}",
                    quoted(n.trim()),
                    section.name()
                ),
                None => t!(
                    "write the column's header exactly as the file has it",
                    "请按文件里的原样写出该列的表头"
                ),
            }
        }
    };
    Err(p.hint(hint))
}

fn listed(headers: &[String]) -> Text {
    let shown: Vec<String> = headers
        .iter()
        .filter(|h| !h.trim().is_empty())
        .take(12)
        .map(|h| quoted(h.trim()))
        .collect();
    let more = headers.len().saturating_sub(12);
    if more > 0 {
        t!("{} and {more} more", "{} 等（另有 {more} 列）", shown.join(", "))
    } else {
        t!("{}", "{}", shown.join(", "))
    }
}

/// `keep`/`drop` with the columns found: (column index, lower-cased values, the user's column).
struct Select {
    drop: Vec<(usize, Vec<String>, String)>,
    keep: Vec<(usize, Vec<String>, String)>,
}

impl Select {
    fn new(table: &Table, section: &Section) -> Result<Select, Problem> {
        let resolve =
            |fs: &[Filter], key: &str| -> Result<Vec<(usize, Vec<String>, String)>, Problem> {
                fs.iter()
                    .map(|f| {
                        let i = find(table, section, key, &f.column)?;
                        Ok((
                            i,
                            f.values.iter().map(|v| v.to_lowercase()).collect(),
                            f.column.value.clone(),
                        ))
                    })
                    .collect()
            };
        Ok(Select { drop: resolve(&section.drop, "drop")?, keep: resolve(&section.keep, "keep")? })
    }

    /// Why a row is left out: (`drop`|`keep`, column, the value found).
    fn left_out(&self, rec: &csv::StringRecord) -> Option<(&'static str, String, String)> {
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        for (i, values, col) in &self.drop {
            if values.contains(&cell(*i).to_lowercase()) {
                return Some(("drop", col.clone(), cell(*i).to_string()));
            }
        }
        for (i, values, col) in &self.keep {
            if !values.contains(&cell(*i).to_lowercase()) {
                return Some(("keep", col.clone(), cell(*i).to_string()));
            }
        }
        None
    }
}

/// Counts of rows left out, per (`drop`|`keep`, column, value).
#[derive(Default)]
struct LeftOut(HashMap<(&'static str, String, String), u64>);

impl LeftOut {
    fn add(&mut self, why: (&'static str, String, String)) {
        *self.0.entry(why).or_default() += 1;
    }

    fn sorted(self) -> Vec<(&'static str, String, String, u64)> {
        let mut v: Vec<_> = self.0.into_iter().map(|((a, b, c), n)| (a, b, c, n)).collect();
        v.sort();
        v
    }
}

/// Writes the contract's CSV text and the source row of each of its lines.
struct Out {
    w: csv::Writer<Vec<u8>>,
    rows: Vec<u32>,
}

impl Out {
    fn new(header: &[&str], row: u32) -> Out {
        let mut o = Out {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
            rows: Vec::new(),
        };
        o.record(header, row);
        o
    }

    fn record<S: AsRef<str>>(&mut self, cells: &[S], row: u32) {
        // A cell with a line break inside is one record over several lines.
        let lines = 1 + cells.iter().map(|c| c.as_ref().matches('\n').count()).sum::<usize>();
        self.rows.extend(std::iter::repeat_n(row, lines));
        // Writing to memory cannot fail.
        let _ = self.w.write_record(cells.iter().map(|c| c.as_ref().as_bytes()));
    }

    fn finish(self) -> (Vec<u8>, Vec<u32>) {
        (self.w.into_inner().unwrap_or_default(), self.rows)
    }
}

/// A problem at a source row and cell (not yet named: the pipeline names it).
fn at_cell(kind: FileKind, row: u32, header: &str, index: usize, message: Text) -> Problem {
    let mut p = Problem::file(kind, message).at_column(header, Some(index));
    p.line = Some(u64::from(row));
    p
}

/// forecasts, confidence and targets: columns renamed, people resolved, dates made periods.
fn shape_rows(
    table: &Table,
    section: &Section,
    people: &People,
    problems: &mut Problems,
) -> Result<(Vec<u8>, LineMap, Account), Problem> {
    let role = section.role;
    let (header, fields): (&[&str], &[&str]) = match role {
        FileKind::Forecasts => {
            (&["rep_id", "period", "amount", "deal_id"], &["rep", "period", "amount", "deal"])
        }
        FileKind::Confidence => (
            &["subject_id", "reviewer_id", "period", "confidence", "note"],
            &["subject", "reviewer", "period", "confidence", "note"],
        ),
        _ => (&["node_id", "period", "target"], &["node", "period", "target"]),
    };
    let person = |f: &str| matches!(f, "rep" | "subject" | "reviewer" | "node");
    // Per output column: the source column, if any.
    let mut source: Vec<Option<(usize, String)>> = Vec::new();
    let mut errors = Vec::new();
    for f in fields {
        let col = if *f == "period" {
            match &section.period {
                PeriodFrom::None => None,
                PeriodFrom::Column(c) => Some(("period", c)),
                PeriodFrom::Date { column, .. } => Some(("date", column)),
            }
        } else {
            section.column(f).map(|c| (*f, c))
        };
        source.push(match col {
            Some((key, c)) => match find(table, section, key, c) {
                Ok(i) => Some((i, table.headers[i].trim().to_string())),
                Err(p) => {
                    errors.push(p);
                    None
                }
            },
            None => None,
        });
    }
    let select = match Select::new(table, section) {
        Ok(s) => Some(s),
        Err(p) => {
            errors.push(p);
            None
        }
    };
    if let Some(first) = errors.first().cloned() {
        for p in errors.into_iter().skip(1) {
            problems.push(p);
        }
        return Err(first);
    }
    let select = select.expect("no error above");
    let mut out = Out::new(header, table.header_row);
    let mut left = LeftOut::default();
    let mut used = 0;
    let mut cells: Vec<String> = vec![String::new(); fields.len()];
    let seen = table.each(|row, rec| {
        if let Some(why) = select.left_out(rec) {
            left.add(why);
            return true;
        }
        for (k, f) in fields.iter().enumerate() {
            cells[k].clear();
            let Some((i, h)) = &source[k] else { continue };
            let raw = rec.get(*i).unwrap_or("").trim();
            if person(f) && !raw.is_empty() {
                match people.resolve(raw) {
                    Resolved::Node(id) => cells[k].push_str(id),
                    Resolved::Unknown => {
                        let near = people
                            .nearest(raw)
                            .map(|n| t!("did you mean {}?", "是否想写 {}？", quoted(n)));
                        problems.push(
                            at_cell(
                                role,
                                row,
                                h,
                                *i,
                                t!(
                                    "{} is neither an id nor a name in {}",
                                    "{} 既不是 {} 里的 id，也不是其中的姓名",
                                    quoted(raw),
                                    people.source
                                ),
                            )
                            .hint(near.unwrap_or_else(|| {
                                t!(
                                    "add the person to {}, or correct the cell",
                                    "请把此人加入 {}，或改正该单元格",
                                    people.source
                                )
                            })),
                        );
                        return true;
                    }
                    Resolved::Shared(ids) => {
                        problems.push(
                            at_cell(
                                role,
                                row,
                                h,
                                *i,
                                t!(
                                    "{} is the name of {} people in the org ({})",
                                    "组织架构里有 {1} 个人叫 {0}（{2}）",
                                    quoted(raw),
                                    ids.len(),
                                    ids.iter().map(|i| quoted(i)).collect::<Vec<_>>().join(", ")
                                ),
                            )
                            .hint(t!(
                                "write the person's id (工号) in this cell instead of the name",
                                "请在该单元格写此人的 id（工号），而不是姓名"
                            )),
                        );
                        return true;
                    }
                }
            } else if let (true, PeriodFrom::Date { every, fiscal_start, named, format, .. }) =
                (*f == "period", &section.period)
            {
                match period::parse_date(raw, format.as_deref()) {
                    Ok(d) => cells[k].push_str(&period::of_date(d, *every, *fiscal_start, *named)),
                    Err(e) => {
                        problems.push(date_problem(
                            role,
                            row,
                            h,
                            *i,
                            raw,
                            e,
                            format.as_deref(),
                            section.name(),
                        ));
                        return true;
                    }
                }
            } else {
                cells[k].push_str(raw);
            }
        }
        out.record(&cells, row);
        used += 1;
        true
    })?;
    let (text, rows) = out.finish();
    let mut columns = Vec::new();
    let mut described = Vec::new();
    for (k, f) in fields.iter().enumerate() {
        let Some((i, h)) = &source[k] else { continue };
        columns.push((header[k].to_string(), h.clone(), u32::try_from(*i).ok()));
        let how = match (*f, &section.period) {
            ("period", PeriodFrom::Date { every, fiscal_start, named, format, .. }) => {
                let every = describe_every(*every, *fiscal_start, *named);
                Some(match format {
                    Some(f) => t!("{}; dates as {f}", "{}；日期格式 {f}", every),
                    None => every,
                })
            }
            (f, _) if person(f) => {
                Some(t!("an org id, or a unique name", "组织架构里的 id，或唯一的姓名"))
            }
            _ => None,
        };
        let (column, shown) = (header[k], quoted(h));
        let from_date = *f == "period" && matches!(section.period, PeriodFrom::Date { .. });
        described.push(match (how, from_date) {
            (Some(how), true) => t!(
                "{column} ← the period of {shown} ({})",
                "{column} ← {shown} 所在的期间（{}）",
                how
            ),
            (Some(how), false) => t!("{column} ← {shown} ({})", "{column} ← {shown}（{}）", how),
            (None, _) => t!("{column} ← {shown}", "{column} ← {shown}"),
        });
    }
    let account = table.account(role, described, seen, used, left);
    Ok((text, LineMap { rows, columns, ..LineMap::default() }, account))
}

fn describe_every(every: Every, start: u32, named: FiscalName) -> Text {
    let what = match every {
        Every::Month => return t!("calendar months: 2026-11", "自然月：2026-11"),
        Every::Quarter => t!("quarters", "季度"),
        Every::Half => t!("halves", "半年"),
        Every::Year => t!("years", "年"),
    };
    if start <= 1 {
        return t!("calendar {}", "自然{}", what);
    }
    let month = [
        "",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][start as usize];
    let by = match named {
        FiscalName::End => t!("named by the year it ends in", "以结束的年份命名"),
        FiscalName::Start => t!("named by the year it starts in", "以开始的年份命名"),
    };
    t!("fiscal {}, the year from {month}, {}", "财年{0}，财年从 {start} 月开始，{1}", what, by)
}

#[allow(clippy::too_many_arguments)]
fn date_problem(
    role: FileKind,
    row: u32,
    h: &str,
    i: usize,
    raw: &str,
    e: DateError,
    format: Option<&str>,
    section: &str,
) -> Problem {
    let (message, hint) = match e {
        DateError::Empty => (
            t!(
                "no date: the period of this row comes from its date",
                "没有日期：这一行的期间要由日期推出"
            ),
            t!(
                "fill in the date, or leave such rows out with drop = {{ … }} under [{section}]",
                "请填上日期，或在 [{section}] 下用 drop = {{ … }} 排除这样的行"
            ),
        ),
        DateError::Ambiguous => (
            t!(
                "{} can be the date month/day/year or day/month/year",
                "{} 既可以是 月/日/年，也可以是 日/月/年",
                quoted(raw)
            ),
            t!(
                "say which: add date_format = \"%m/%d/%Y\" (US exports) or \"%d/%m/%Y\" under [{section}]",
                "请说明是哪种：在 [{section}] 下加 date_format = \"%m/%d/%Y\"（美式导出）或 \"%d/%m/%Y\""
            ),
        ),
        DateError::NotInFormat => (
            t!(
                "{} is not a date in date_format = {}",
                "{} 不是 date_format = {} 格式的日期",
                quoted(raw),
                quoted(format.unwrap_or(""))
            ),
            t!(
                "correct the cell, or date_format in pack.toml",
                "请改正该单元格，或改正 pack.toml 里的 date_format"
            ),
        ),
        DateError::NotADate => (
            t!("{} is not a date", "{} 不是日期", quoted(raw)),
            t!(
                "write the date as 2026-11-30 (or a date cell in a workbook)",
                "请把日期写成 2026-11-30（或在工作簿里用日期单元格）"
            ),
        ),
    };
    at_cell(role, row, h, i, message).hint(hint)
}

/// `[org]`: plain parents, or the department tree.
fn shape_org(
    table: &Table,
    section: &Section,
    problems: &mut Problems,
    people: &mut People,
) -> Result<(Vec<u8>, LineMap, Account), Problem> {
    let kind = FileKind::Org;
    let col = |f: &str| -> Result<Option<(usize, String)>, Problem> {
        match section.column(f) {
            Some(c) => {
                find(table, section, f, c).map(|i| Some((i, table.headers[i].trim().to_string())))
            }
            None => Ok(None),
        }
    };
    let id = col("id")?.expect("id is required");
    let name = col("name")?;
    let select = Select::new(table, section)?;
    // An org is small: its records are held for the two passes a department tree needs.
    let mut records = Vec::new();
    let seen = table.each(|row, rec| {
        records.push((row, rec.clone()));
        true
    })?;
    let get = |rec: &csv::StringRecord, c: &Option<(usize, String)>| -> String {
        c.as_ref().and_then(|(i, _)| rec.get(*i)).unwrap_or("").trim().to_string()
    };
    let mut left = LeftOut::default();
    let mut used = 0;
    let mut out = Out::new(&["id", "parent_id", "name", "level"], table.header_row);
    let mut columns = vec![("id".to_string(), id.1.clone(), u32::try_from(id.0).ok())];
    if let Some((i, h)) = &name {
        columns.push(("name".into(), h.clone(), u32::try_from(*i).ok()));
    }
    let shown = quoted(&id.1);
    let mut described = vec![t!("id ← {shown}", "id ← {shown}")];
    if let Some((_, h)) = &name {
        let shown = quoted(h);
        described.push(t!("name ← {shown}", "name ← {shown}"));
    }
    match section.tree.as_ref().expect("org has a tree") {
        Tree::Parent => {
            let parent = col("parent")?;
            let level = col("level")?;
            for (c, label) in [(&parent, "parent_id"), (&level, "level")] {
                if let Some((i, h)) = c {
                    columns.push((label.into(), h.clone(), u32::try_from(*i).ok()));
                    let shown = quoted(h);
                    described.push(if label == "parent_id" {
                        t!(
                            "{label} ← {shown} (an id, or a unique name)",
                            "{label} ← {shown}（id，或唯一的姓名）"
                        )
                    } else {
                        t!("{label} ← {shown}", "{label} ← {shown}")
                    });
                }
            }
            // Pass 1: everyone's id and name; pass 2: each parent, as an id or a unique name
            // (an HR export often has the manager's name: 汇报对象, 直属上级).
            let mut kept = Vec::new();
            for (row, rec) in &records {
                if let Some(why) = select.left_out(rec) {
                    left.add(why);
                    continue;
                }
                let (i, n) = (get(rec, &Some(id.clone())), get(rec, &name));
                people.add_id(&i, &i);
                if !n.is_empty() {
                    people.add_name(&n, &i);
                }
                kept.push((*row, rec, i, n));
            }
            for (row, rec, i, n) in kept {
                let (mut p, l) = (get(rec, &parent), get(rec, &level));
                // A name several people have stays as written: the check of parents names them
                // all ("that is the name of F002 and F003").
                if !p.is_empty() && !people.ids.contains_key(&p) {
                    if let Some([one]) = people.names.get(&p).map(Vec::as_slice) {
                        p = one.clone();
                    }
                }
                out.record(&[&i, &p, &n, &l], row);
                used += 1;
            }
        }
        Tree::Unit { separator, head, root } => {
            let unit = col("unit")?.expect("unit mode has a unit column");
            columns.push(("parent_id".into(), unit.1.clone(), u32::try_from(unit.0).ok()));
            described.push(t!(
                "parent_id ← the department path in {} (split at {})",
                "parent_id ← {} 里的部门路径（按 {} 分级）",
                quoted(&unit.1),
                quoted(separator)
            ));
            let head_col = match head {
                Some(h) => {
                    let i = find(table, section, "head", &h.column)?;
                    let values: Vec<String> = h.values.iter().map(|v| v.to_lowercase()).collect();
                    described.push(t!(
                        "a person whose {0} is {1} heads their unit (is its node); level ← {0}",
                        "{0} 为 {1} 的人是其单位的负责人（即该节点）；level ← {0}",
                        quoted(&h.column.value),
                        h.values.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(", ")
                    ));
                    columns.push((
                        "level".into(),
                        table.headers[i].trim().to_string(),
                        u32::try_from(i).ok(),
                    ));
                    Some((i, values))
                }
                None => None,
            };
            described.push(t!("the top units' parent: {}", "最上层单位的上级：{}", quoted(root)));
            let head_cell = |rec: &csv::StringRecord| -> String {
                head_col.as_ref().and_then(|(i, _)| rec.get(*i)).unwrap_or("").trim().to_string()
            };
            let is_head = |rec: &csv::StringRecord| -> bool {
                head_col
                    .as_ref()
                    .is_some_and(|(_, values)| values.contains(&head_cell(rec).to_lowercase()))
            };
            // Pass 1: who heads which unit; ids seen twice.
            let split = |path: &str| -> Vec<String> {
                path.split(separator.as_str())
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let mut heads: HashMap<String, (String, String, u32)> = HashMap::new();
            let mut seen_ids: HashMap<String, u32> = HashMap::new();
            let mut kept: Vec<(u32, &csv::StringRecord)> = Vec::new();
            for (row, rec) in &records {
                if let Some(why) = select.left_out(rec) {
                    left.add(why);
                    continue;
                }
                let pid = get(rec, &Some(id.clone()));
                if !pid.is_empty() {
                    if let Some(first) = seen_ids.insert(pid.clone(), *row) {
                        problems.push(
                            at_cell(
                                kind,
                                *row,
                                &id.1,
                                id.0,
                                t!(
                                    "{} is here and on row {first}: two people with one id",
                                    "{} 出现在这里和第 {first} 行：两个人用了同一个 id",
                                    quoted(&pid)
                                ),
                            )
                            .hint(t!(
                                "each person's id must be unique: correct one of the rows",
                                "每个人的 id 必须唯一：请改正其中一行"
                            )),
                        );
                    }
                }
                let parts = split(&get(rec, &Some(unit.clone())));
                if parts.is_empty() {
                    problems.push(
                        at_cell(
                            kind,
                            *row,
                            &unit.1,
                            unit.0,
                            t!(
                                "no department: this person sits in no unit of the tree",
                                "没有部门：此人不属于组织树的任何单位"
                            ),
                        )
                        .hint(t!(
                            "fill in the department path (e.g. 华东大区{separator}上海区{separator}一组), or leave the row out with drop = {{ … }} under [org]",
                            "请填上部门路径（例如 华东大区{separator}上海区{separator}一组），或在 [org] 下用 drop = {{ … }} 排除该行"
                        )),
                    );
                    continue;
                }
                let path = parts.join(separator);
                if is_head(rec) {
                    let who = get(rec, &name);
                    if let Some((_, other, first)) = heads.get(&path) {
                        let (hi, hh) =
                            head_col.as_ref().map_or((unit.0, unit.1.clone()), |(i, _)| {
                                (*i, table.headers[*i].trim().to_string())
                            });
                        problems.push(
                            at_cell(
                                kind,
                                *row,
                                &hh,
                                hi,
                                t!(
                                    "{} heads {} and so does {} (row {first}): a unit has one head",
                                    "{} 是 {} 的负责人，{} 也是（第 {first} 行）：一个单位只有一个负责人",
                                    quoted(&who),
                                    quoted(&path),
                                    quoted(other)
                                ),
                            )
                            .hint(t!(
                                "correct the position (岗位) of one of them, or their department",
                                "请改正其中一人的岗位或部门"
                            )),
                        );
                        continue;
                    }
                    heads.insert(path.clone(), (pid.clone(), who, *row));
                }
                kept.push((*row, rec));
            }
            // Unit names where paths were meant (most CRMs export 部门 as the unit's own name):
            // every unit would hang under the root, though their heads hold posts of different
            // levels. A wrong tree must not pass without a word.
            let flat = kept.iter().all(|(_, rec)| split(&get(rec, &Some(unit.clone()))).len() <= 1);
            let mut posts: Vec<String> = Vec::new();
            for (_, _, r) in heads.values() {
                if let Some((_, rec)) = records.iter().find(|(row, _)| row == r) {
                    let p = head_cell(rec);
                    if !posts.contains(&p) {
                        posts.push(p);
                    }
                }
            }
            posts.sort();
            if flat && posts.len() > 1 {
                let first = kept.first().map_or(table.header_row, |(r, _)| *r);
                problems.push(
                    at_cell(
                        kind,
                        first,
                        &unit.1,
                        unit.0,
                        t!(
                            "holds unit names, not paths: every unit would sit directly under {}, though their heads hold posts of different levels ({})",
                            "写的是单位名而不是路径：每个单位都会直接挂在 {} 下面，而它们负责人的岗位层级并不相同（{}）",
                            quoted(root),
                            posts.iter().map(|p| quoted(p)).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .hint(t!(
                        "export the department's full path (华东大区{separator}上海区{separator}一组; often 部门全路径 or 所属部门路径), or give each person's manager with parent = \"直属上级工号\" instead of unit",
                        "请导出部门的完整路径（华东大区{separator}上海区{separator}一组；常叫 部门全路径 或 所属部门路径），或不用 unit，改用 parent = \"直属上级工号\" 给出每个人的上级"
                    )),
                );
            }
            // Pass 2: the tree, in the order rows first mention each unit.
            out.record(&[root, "", root, ""], table.header_row);
            people.add_id(root, root);
            people.add_name(root, root);
            let mut units: HashMap<String, ()> = HashMap::new();
            for (row, rec) in kept {
                let parts = split(&get(rec, &Some(unit.clone())));
                for k in 1..=parts.len() {
                    let path = parts[..k].join(separator);
                    if units.insert(path.clone(), ()).is_some() {
                        continue;
                    }
                    let parent = if k == 1 { root.clone() } else { parts[..k - 1].join(separator) };
                    let last = &parts[k - 1];
                    let level = heads
                        .get(&path)
                        .map(|(_, _, r)| {
                            records
                                .iter()
                                .find(|(row, _)| row == r)
                                .map(|(_, rec)| head_cell(rec))
                                .unwrap_or_default()
                        })
                        .unwrap_or_default();
                    out.record(&[&path, &parent, last, &level], row);
                    people.add_id(&path, &path);
                    people.add_name(last, &path);
                    if let Some((hid, hname, _)) = heads.get(&path) {
                        if !hid.is_empty() {
                            people.add_id(hid, &path);
                        }
                        if !hname.is_empty() {
                            people.add_name(hname, &path);
                        }
                    }
                }
                used += 1;
                if is_head(rec) {
                    continue;
                }
                let (pid, pname) = (get(rec, &Some(id.clone())), get(rec, &name));
                people.add_id(&pid, &pid);
                if !pname.is_empty() {
                    people.add_name(&pname, &pid);
                }
                out.record(&[&pid, &parts.join(separator), &pname, &head_cell(rec)], row);
            }
        }
    }
    let (text, rows) = out.finish();
    let account = table.account(kind, described, seen, used, left);
    Ok((text, LineMap { rows, columns, ..LineMap::default() }, account))
}

/// The org's people and units, by id and by name, for the columns that name a person.
#[derive(Debug, Default, Clone)]
pub struct People {
    ids: HashMap<String, String>,
    names: HashMap<String, Vec<String>>,
    /// The org's file as the user sees it, for messages.
    pub source: String,
}

/// What a cell naming a person resolves to.
pub enum Resolved<'a> {
    /// An id, or the id of the one node of that name.
    Node(&'a str),
    /// A name that several nodes have.
    Shared(&'a [String]),
    /// Neither an id nor a name in the org.
    Unknown,
}

impl People {
    fn add_id(&mut self, id: &str, node: &str) {
        self.ids.entry(id.to_string()).or_insert_with(|| node.to_string());
    }

    fn add_name(&mut self, name: &str, node: &str) {
        let ids = self.names.entry(name.to_string()).or_default();
        if !ids.iter().any(|i| i == node) {
            ids.push(node.to_string());
        }
    }

    /// The node a cell names: an id, else a unique name; the cell as written when it names
    /// nothing (the readers then report the unknown id); `Err` with the ids when a name is
    /// shared.
    pub fn resolve<'a>(&'a self, cell: &'a str) -> Resolved<'a> {
        if let Some(node) = self.ids.get(cell) {
            return Resolved::Node(node);
        }
        match self.names.get(cell).map(Vec::as_slice) {
            Some([one]) => Resolved::Node(one),
            Some(many) if many.len() > 1 => Resolved::Shared(many),
            // An org that could not be read names nobody: its own problem says why.
            _ if self.ids.is_empty() => Resolved::Node(cell),
            _ => Resolved::Unknown,
        }
    }

    /// The id or name nearest to `cell` (a typo, a full-width character).
    fn nearest(&self, cell: &str) -> Option<&str> {
        crate::suggest::nearest(cell, self.ids.keys().chain(self.names.keys()).map(String::as_str))
    }

    /// The people of an org file in the contract's shape (id, name).
    fn from_contract_org(file: &InputFile, opts: ReadOptions) -> People {
        let mut people = People::default();
        let text = match super::workbook::as_csv(file) {
            Ok(Some((c, _))) => match c.data {
                InputData::Bytes(b) => b,
                _ => return people,
            },
            Ok(None) => match read_text(file, opts, &mut Problems::default()) {
                Ok(Some(t)) => t,
                _ => return people,
            },
            Err(_) => return people,
        };
        let mut rdr = csv_reader(sniff_delimiter(&text), &text[..]);
        let mut cols = None;
        for rec in rdr.records().map_while(Result::ok) {
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let Some(c) = &cols else {
                let cells: Vec<&str> = rec.iter().collect();
                match super::headers::match_headers(FileKind::Org, 1, &cells, super::headers::ORG) {
                    Ok(c) => cols = Some(c),
                    Err(_) => return people,
                }
                continue;
            };
            let (i, n) = (super::cell(&rec, c, 0), super::cell(&rec, c, 2));
            people.add_id(i, i);
            if !n.is_empty() {
                people.add_name(n, i);
            }
        }
        people
    }
}
