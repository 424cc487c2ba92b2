//! Reading a forecast pack: files → typed rows that remember their file and line.
//!
//! `org.csv`, `confidence.csv` and `targets.csv` are small (one row per person) and are read
//! whole. `forecasts.csv` can hold ten million lines and is streamed in blocks, parsed in
//! parallel and folded into per-rep totals as it goes (see [`forecasts`]). Every problem found
//! is a [`Problem`] value added to one list; loading never stops at the first.

pub mod actuals;
pub mod confidence;
pub mod encoding;
pub mod folder;
pub mod forecasts;
pub mod headers;
pub mod number;
pub mod org;
pub mod packtoml;
pub mod prefetch;
pub mod reshape;
pub mod returned;
pub mod scenario;
pub mod targets;
pub mod workbook;

use crate::problem::{FileKind, InputProblem, Problem, Problems, Source};
use crate::t;
use crate::text::{said, Text};
use encoding::{EncodingChoice, ReadError, TextReader};
use headers::{ColumnSpec, Columns};
use std::path::PathBuf;

/// Everything read from a pack, before validation.
pub struct Loaded {
    /// Whether every file was read far enough to build a pack; when not, the rows of the files
    /// that were read are still here, so that their own checks run (a problem in one file
    /// never hides another file's problems).
    pub complete: bool,
    /// Whether org.csv's rows were read: checks of ids against org.csv run only then.
    pub org_read: bool,
    /// Whether forecasts.csv was read (its periods are known).
    pub forecasts_read: bool,
    pub org: Vec<crate::model::OrgRow>,
    pub ids: crate::model::IdIndex,
    pub forecasts: forecasts::ForecastTotals,
    pub confidence: Vec<confidence::ConfidenceRow>,
    pub targets: Vec<targets::TargetRow>,
    pub stats: crate::model::PackStats,
}

/// Where a file's bytes come from: disk, the demo pack compiled into the binary, or bytes held
/// in memory (the fuzzer's packs, a library user's).
#[derive(Debug, Clone)]
pub enum InputData {
    Path(PathBuf),
    Embedded(&'static [u8]),
    Bytes(Vec<u8>),
}

/// One input file of a pack.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub kind: FileKind,
    /// The name printed in messages: the path as the user gave it (with `[sheet]` for a
    /// workbook's sheet).
    pub display: String,
    pub data: InputData,
    /// For a workbook: the sheet to read (`None`: the first).
    pub sheet: Option<String>,
    /// pack.toml's section for this file: it is converted to the contract's shape before it
    /// is read ([`reshape`]).
    pub shape: Option<std::sync::Arc<packtoml::Section>>,
}

impl InputFile {
    pub fn open(&self) -> std::io::Result<Box<dyn std::io::Read + Send + '_>> {
        Ok(match &self.data {
            InputData::Path(p) => Box::new(std::fs::File::open(p)?),
            InputData::Embedded(b) => Box::new(*b),
            InputData::Bytes(b) => Box::new(b.as_slice()),
        })
    }

    pub fn exists(&self) -> bool {
        match &self.data {
            InputData::Path(p) => p.is_file(),
            InputData::Embedded(_) | InputData::Bytes(_) => true,
        }
    }
}

/// The files of one pack.
#[derive(Debug, Clone)]
pub struct PackFiles {
    pub org: InputFile,
    pub forecasts: InputFile,
    pub confidence: Option<InputFile>,
    pub targets: Option<InputFile>,
    /// Problems found finding the files in the folder (a near miss of a missing file's name,
    /// two files for one role): see [`folder`].
    pub found: Vec<Problem>,
    /// The folder's files that no role reads.
    pub not_read: Vec<String>,
    /// The folder's pack.toml as the user sees its path, when it has one.
    pub mapping: Option<String>,
    /// What pack.toml did with each file it maps (filled by [`reshape::prepare`]).
    pub shapes: Vec<reshape::Account>,
    /// Roles whose file is not read because a problem with it is already listed (in pack.toml,
    /// or converting it).
    pub held: Vec<FileKind>,
}

impl PackFiles {
    /// The role files there are: org, forecasts, then confidence and targets where given.
    pub fn iter(&self) -> impl Iterator<Item = &InputFile> {
        [Some(&self.org), Some(&self.forecasts), self.confidence.as_ref(), self.targets.as_ref()]
            .into_iter()
            .flatten()
    }

    pub fn display(&self, kind: FileKind) -> String {
        match kind {
            FileKind::Org => self.org.display.clone(),
            FileKind::Forecasts => self.forecasts.display.clone(),
            FileKind::Confidence => {
                self.confidence.as_ref().map_or(kind.file_name().into(), |f| f.display.clone())
            }
            FileKind::Targets => {
                self.targets.as_ref().map_or(kind.file_name().into(), |f| f.display.clone())
            }
            FileKind::Mapping => self.mapping.clone().unwrap_or_else(|| kind.file_name().into()),
            FileKind::Actuals | FileKind::Rollup | FileKind::Scenario | FileKind::CommandLine => {
                kind.file_name().into()
            }
        }
    }
}

/// Options that change how files are read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    pub encoding: EncodingChoice,
}

/// What reading a small file found besides its rows.
pub struct Table {
    /// Rows skipped because every cell was empty.
    pub blank: u64,
}

/// The outcome of reading a file: `Ok(None)` when a problem stopped it (the problem is in the
/// list); `Err` for an I/O failure, which is not an input problem (exit 1, not 2), or an
/// [`InputProblem`] that [`settle`] moves into the list.
pub type ReadResult<T> = Result<Option<T>, anyhow::Error>;

/// Moves an [`InputProblem`] raised inside a reader into the problem list, so that an input
/// problem never leaves the loader as an error.
pub fn settle<T>(result: ReadResult<T>, problems: &mut Problems) -> ReadResult<T> {
    match result {
        Err(e) => match e.downcast::<InputProblem>() {
            Ok(InputProblem(p)) => {
                problems.push(p);
                Ok(None)
            }
            Err(e) => Err(e),
        },
        ok => ok,
    }
}

/// Reads a whole file as UTF-8 text, adding a problem where it is not text.
pub fn read_text(
    file: &InputFile,
    opts: ReadOptions,
    problems: &mut Problems,
) -> ReadResult<Vec<u8>> {
    let src = file.open().map_err(|e| io_error(file, e))?;
    let mut reader = TextReader::new(src, opts.encoding).map_err(|e| io_error(file, e))?;
    if let Some(p) = not_csv(file.kind, reader.head()) {
        problems.push(p);
        return Ok(None);
    }
    let too_large = || -> anyhow::Error {
        InputProblem(Problem::file(
            file.kind,
            t!(
                "more than {} MiB of text; {} is read whole and this is far more than \
                 any organisation needs: is it the right file?",
                "文本超过 {} MiB；{} 会被整个读入，而这远超任何组织的需要：是不是选错了文件？",
                MAX_SMALL_FILE >> 20,
                file.kind.file_name()
            ),
        ))
        .into()
    };
    // UTF-8 and GB18030 text is never shorter than its file: refuse before reading it all.
    let on_disk = match &file.data {
        InputData::Path(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        _ => 0,
    };
    let never_shrinks =
        matches!(reader.encoding(), encoding::Encoding::Utf8 | encoding::Encoding::Gb18030);
    if never_shrinks && on_disk > MAX_SMALL_FILE as u64 {
        return Err(too_large());
    }
    let mut text = Vec::new();
    loop {
        match reader.read_text(&mut text) {
            Ok(true) if text.len() > MAX_SMALL_FILE => return Err(too_large()),
            Ok(true) => {}
            Ok(false) => return Ok(Some(text)),
            Err(ReadError::Io(e)) => return Err(io_error(file, e)),
            Err(ReadError::Decode(e)) => {
                problems.push(decode_problem(file.kind, &text, 1, &e));
                return Ok(None);
            }
        }
    }
}

pub fn io_error(file: &InputFile, e: std::io::Error) -> anyhow::Error {
    // A line past the limit is the input's fault, not the machine's: a problem (exit 2).
    if let Some(long) = e.get_ref().and_then(|x| x.downcast_ref::<encoding::LineTooLong>()) {
        return InputProblem(Problem::file(file.kind, long.text())).into();
    }
    let shown = &file.display;
    anyhow::Error::new(said(t!("cannot read {shown}", "无法读取 {shown}")).because(e))
}

/// The most text org.csv, confidence.csv or targets.csv may hold: 1 GiB. They are read whole;
/// ten million people fit in under half of it.
pub const MAX_SMALL_FILE: usize = 1 << 30;

/// A problem for bytes that are not text, at their line and byte in the line.
pub fn decode_problem(
    kind: FileKind,
    text: &[u8],
    first_line: u64,
    e: &encoding::DecodeError,
) -> Problem {
    let before = &text[..e.pos.min(text.len())];
    let line = first_line + memchr::memchr_iter(b'\n', before).count() as u64;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let src = Source::new(kind, line);
    if e.truncated {
        return Problem::at(
            src,
            t!(
                "the file ends in the middle of a {} character: it looks cut off",
                "文件在一个 {} 字符的中间结束：看起来被截断了",
                e.encoding.label()
            ),
        )
        .hint(t!(
            "export or copy the file again; a complete file ends with a whole line",
            "请重新导出或复制该文件；完整的文件以完整的一行结束"
        ));
    }
    if e.bytes == [0] {
        let at = before.len() - line_start + 1;
        return Problem::at(
            src,
            t!(
                "a NUL byte (0x00) at byte {at} of the line: this is not a CSV text file \
                 (UTF-16 saved without its BOM, a binary file, or a damaged copy)",
                "该行第 {at} 字节是 NUL 字节（0x00）：这不是 CSV 文本文件\
                 （不带 BOM 保存的 UTF-16、二进制文件，或损坏的副本）"
            ),
        )
        .hint(t!(
            "open it in Excel/WPS and save it again as \"CSV UTF-8 (comma delimited)\"",
            "请用 Excel/WPS 打开，再另存为“CSV UTF-8（逗号分隔）”"
        ));
    }
    let hex: Vec<String> = e.bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    // In a UTF-8 file the byte offset is what a hex editor shows; in other encodings the text
    // has been converted, so count characters instead.
    let at = match e.encoding {
        encoding::Encoding::Utf8 => format!("byte {}", before.len() - line_start + 1),
        _ => format!(
            "character {}",
            String::from_utf8_lossy(&before[line_start..]).chars().count() + 1
        ),
    };
    let p = Problem::at(
        src,
        t!(
            "not valid {} at {at} of the line ({})",
            "该行 {at} 处不是有效的 {}（{}）",
            e.encoding.label(),
            hex.join(" ")
        ),
    );
    match e.encoding {
        encoding::Encoding::Utf8 => p.hint(t!(
            "a cell holds bytes that are not UTF-8 (damaged, or pasted from another program): retype it; \
             if the whole file was saved by Excel/WPS as GBK, pass --encoding gb18030",
            "某个单元格含有非 UTF-8 的字节（已损坏，或从其他程序粘贴而来）：请重新输入；\
             如果整个文件是 Excel/WPS 以 GBK 保存的，请加 --encoding gb18030"
        )),
        _ => p.hint(t!(
            "save the file again as \"CSV UTF-8\" and rerun",
            "请把文件另存为“CSV UTF-8”后重新运行"
        )),
    }
}

/// A record the csv reader could not read, as a message. (The reader here is flexible about
/// row lengths, so what is left is text that is not UTF-8, or the read itself failing.)
pub fn csv_error(e: &csv::Error) -> Text {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            let field = err.field() + 1;
            t!(
                "field {field} of this row is not valid UTF-8",
                "这一行的第 {field} 个字段不是有效的 UTF-8"
            )
        }
        csv::ErrorKind::Io(io) => {
            let why = crate::text::of_error(&anyhow::anyhow!("{io}"));
            t!("the file could not be read here: {}", "此处无法读取文件：{}", why)
        }
        _ => t!("the row could not be read: {}", "无法读取这一行：{}", e),
    }
}

/// Files that are not text at all, recognised by their first bytes.
pub fn not_csv(kind: FileKind, head: &[u8]) -> Option<Problem> {
    let what = if head.starts_with(b"PK\x03\x04") {
        t!("an Excel workbook (.xlsx) or another zip file", "Excel 工作簿（.xlsx）或其他 zip 文件")
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        t!("an old Excel workbook (.xls)", "旧版 Excel 工作簿（.xls）")
    } else if head.starts_with(b"%PDF") {
        t!("a PDF", "PDF 文件")
    } else if head.starts_with(b"\x1F\x8B") {
        t!("a gzip-compressed file", "gzip 压缩文件")
    } else if is_markup(head) {
        t!(
            "a web page or XML file (Excel's \"Web Page\" or \"XML Spreadsheet\" format)",
            "网页或 XML 文件（Excel 的“网页”或“XML 电子表格”格式）"
        )
    } else {
        return None;
    };
    Some(Problem::file(kind, t!("this is {}, not a CSV file", "这是{}，不是 CSV 文件", what)).hint(
        t!(
            "open it in Excel/WPS and use Save As → \"CSV UTF-8 (comma delimited)\"",
            "请用 Excel/WPS 打开，再“另存为”→“CSV UTF-8（逗号分隔）”"
        ),
    ))
}

/// HTML or XML: what Excel writes when "Save As" picks a web page or XML spreadsheet, often
/// renamed to .csv.
fn is_markup(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head).trim_ascii_start();
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    [&b"<html"[..], b"<!doctype", b"<?xml", b"<table"].iter().any(|p| lower.starts_with(p))
}

/// The field delimiter, decided from the header line: a comma, unless the header has none and
/// is split by tabs (Excel's "Unicode text") or semicolons (Excel in European locales).
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    let header = &text[..end];
    if header.contains(&b',') {
        b','
    } else if header.contains(&b'\t') {
        b'\t'
    } else if header.contains(&b';') {
        b';'
    } else {
        b','
    }
}

/// The one csv reader set-up of the loader: no header handling (the loader matches headers
/// itself), any line end, rows of any width (checked against the header with a message that
/// names the cause), the delimiter sniffed from the header line.
pub fn csv_reader(delimiter: u8, text: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text)
}

/// Reads a small file whole, matches its header and hands each data record with its line to
/// `each`; `None` when a problem stops the file.
pub fn read_table(
    file: &InputFile,
    specs: &[ColumnSpec],
    opts: ReadOptions,
    problems: &mut Problems,
    mut each: impl FnMut(u64, &csv::StringRecord, &Columns, &mut Problems),
) -> ReadResult<Table> {
    let Some(text) = read_text(file, opts, problems)? else { return Ok(None) };
    let mut rdr = csv_reader(sniff_delimiter(&text), text.as_slice());
    let mut rec = csv::StringRecord::new();
    let mut header: Option<(u64, Columns)> = None;
    let mut header_cells: Vec<String> = Vec::new();
    let mut blank = 0;
    loop {
        let before = rdr.position().clone();
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(Problem::at(Source::new(file.kind, before.line()), csv_error(&e)));
                return Ok(None);
            }
        }
        let (line, spans) = record_lines(&before, rdr.position(), &text);
        if rec.iter().all(|f| f.trim().is_empty()) {
            if header.is_some() {
                blank += 1;
            }
            continue;
        }
        match &header {
            None => {
                let cells: Vec<&str> = rec.iter().collect();
                match headers::match_headers(file.kind, line, &cells, specs) {
                    Ok(c) => {
                        header_cells = cells.iter().map(|h| headers::normalize(h)).collect();
                        header = Some((line, c));
                    }
                    Err(ps) => {
                        problems.extend(ps);
                        return Ok(None);
                    }
                }
            }
            Some((first, cols)) => {
                if rec.iter().map(headers::normalize).eq(header_cells.iter().cloned()) {
                    problems.push(repeated_header(file.kind, line, *first));
                    continue;
                }
                // Empty cells past the header's last column (a sheet's stray formatting,
                // exported as trailing commas) hold nothing that could shift: not a problem.
                let width =
                    trailing_empty_trimmed(rec.len(), cols.width, |i| rec.get(i).unwrap_or(""));
                if let Some(p) = check_width(file.kind, line, width, cols.width, spans) {
                    problems.push(p);
                    continue;
                }
                each(line, &rec, cols, problems);
            }
        }
    }
    match header {
        Some(_) => Ok(Some(Table { blank })),
        None => {
            let what = if text.is_empty() {
                t!("the file is empty", "文件是空的")
            } else {
                t!("the file has no header row", "文件没有表头行")
            };
            let names =
                specs.iter().filter(|s| s.required).map(|s| s.name).collect::<Vec<_>>().join(",");
            problems.push(Problem::file(file.kind, what).hint(t!(
                "the first line must name the columns: {names}",
                "第一行必须是列名：{names}"
            )));
            Ok(None)
        }
    }
}

/// The header row again in the middle of a file: two exports pasted together, whose rows may
/// now be in the file twice.
pub fn repeated_header(kind: FileKind, line: u64, first: u64) -> Problem {
    Problem::at(
        Source::new(kind, line),
        t!(
            "the header row is repeated here (first at line {first}): were two exports pasted together?",
            "表头行在这里重复出现（首次在第 {first} 行）：是否把两次导出粘贴到了一起？"
        ),
    )
    .hint(t!(
        "delete this line, and check that the rows after it are not a second copy of rows above",
        "请删除这一行，并检查其后的行是不是上面各行的第二份副本"
    ))
}

/// The line a record starts on and how many lines it touches, from the reader's positions
/// before and after it. (The csv reader's own record position points at the blank lines it
/// skipped before the record, not at the record.)
pub fn record_lines(before: &csv::Position, after: &csv::Position, text: &[u8]) -> (u64, u64) {
    let from = before.byte() as usize;
    let skipped = text.get(from..).map_or(0, |t| t.iter().take_while(|&&b| b == b'\n').count());
    let start = before.line() + skipped as u64;
    let end = after.byte() as usize;
    let last_line = after.line() - u64::from(end > 0 && text.get(end - 1) == Some(&b'\n'));
    (start, last_line.saturating_sub(start) + 1)
}

/// A row's width with its empty cells past the header's width left out: `got` when a cell
/// past the header holds something.
pub fn trailing_empty_trimmed<'a>(
    got: usize,
    want: usize,
    cell: impl Fn(usize) -> &'a str,
) -> usize {
    if got > want && (want..got).all(|i| cell(i).trim().is_empty()) {
        want
    } else {
        got
    }
}

/// A row with more or fewer fields than the header: usually an unquoted comma inside a value
/// (an amount written `1,234.56` without quotes), which would shift every later column.
pub fn check_width(
    kind: FileKind,
    line: u64,
    got: usize,
    want: usize,
    spans_lines: u64,
) -> Option<Problem> {
    if got != want && spans_lines > 1 {
        return Some(
            Problem::at(
                Source::new(kind, line),
                t!(
                    "a quoted cell that starts on this line runs over {spans_lines} lines (its closing quote \
                     is missing or misplaced), so they were read as one row ({got} fields, the header has {want})",
                    "从这一行开始的带引号单元格跨了 {spans_lines} 行（缺少右引号或位置不对），\
                     因此它们被读成了一行（{got} 个字段，表头有 {want} 个）"
                ),
            )
            .hint(t!(
                "look for a stray \" in this row: close the quote, or double it (\"\") inside a quoted cell",
                "请在这一行里找多余的 \"：补上右引号，或在带引号的单元格里把它写成两个（\"\"）"
            )),
        );
    }
    (got != want).then(|| {
        Problem::at(
            Source::new(kind, line),
            t!(
                "the row has {got} fields but the header has {want}",
                "这一行有 {got} 个字段，但表头有 {want} 个"
            ),
        )
        .hint(if got > want {
            t!(
                "a value probably contains an unquoted comma (like 1,234.56): quote it or remove the separator",
                "某个值可能含有未加引号的逗号（如 1,234.56）：请给它加引号或去掉分隔符"
            )
        } else {
            t!(
                "cells are missing: check the row for a lost delimiter or a line break inside a value",
                "缺少单元格：请检查这一行是否丢了分隔符，或某个值里有换行"
            )
        })
    })
}

/// A cell by spec position, trimmed; `""` where the column is absent.
pub fn cell<'r>(rec: &'r csv::StringRecord, cols: &Columns, spec: usize) -> &'r str {
    cols.get(spec).and_then(|i| rec.get(i)).map_or("", |s| s.trim())
}

/// Reads every file of a pack. Returns `None` if a file could not be read far enough to
/// check the others against it (org.csv above all: forecasts are checked against its ids).
/// How to read a pack.
#[derive(Debug, Clone, Copy)]
pub struct ReadPack<'a> {
    pub read: ReadOptions,
    pub max_confidence: rust_decimal::Decimal,
    /// `--period`: sum only this period's lines (every line is still checked).
    pub only_period: Option<&'a str>,
    /// Which deals' sums to keep as well as each rep's.
    pub deals: forecasts::KeepDeals<'a>,
    /// Take forecasts.csv's SHA-256 as it is read (for the audit record).
    pub hash: bool,
}

pub fn pack(
    files: &PackFiles,
    how: ReadPack,
    problems: &mut Problems,
) -> anyhow::Result<Option<Loaded>> {
    let (opts, max_confidence, only_period) = (how.read, how.max_confidence, how.only_period);
    problems.extend(files.found.iter().cloned());
    let reported: Vec<FileKind> =
        files.found.iter().map(|p| p.file).chain(files.held.iter().copied()).collect();
    for f in files.iter() {
        if let InputData::Path(p) = &f.data {
            if p.is_dir() {
                let example = p.join(f.kind.file_name());
                let example = example.display();
                problems.push(
                    Problem::file(
                        f.kind,
                        t!("this is a folder, not a file", "这是文件夹，不是文件"),
                    )
                    .hint(t!(
                        "name the CSV file itself, e.g. {example}",
                        "请写 CSV 文件本身，例如 {example}"
                    )),
                );
                continue;
            }
        }
        if !f.exists() && !reported.contains(&f.kind) {
            let shown = &f.display;
            problems.push(Problem::file(f.kind, t!("file not found", "找不到文件")).hint(t!(
                "a pack folder holds org.csv and forecasts.csv (confidence.csv and targets.csv are optional); {shown} is missing",
                "数据包文件夹里要有 org.csv 和 forecasts.csv（confidence.csv 和 targets.csv 可选）；缺少 {shown}"
            )));
        }
    }
    let missing = !problems.is_empty();
    // A file whose problem is already listed (a workbook that cannot be read, two files for
    // its role) is not read further.
    let present = |f: &InputFile| {
        !reported.contains(&f.kind)
            && f.exists()
            && !matches!(&f.data, InputData::Path(p) if p.is_dir())
    };
    // org.csv, confidence.csv and targets.csv are independent until validation: read them
    // side by side; forecasts.csv needs org's ids and all the threads, but its first blocks
    // are read (and hashed) meanwhile.
    let started = if present(&files.forecasts) {
        forecasts::start(&files.forecasts, how.hash)
    } else {
        forecasts::Started::default()
    };
    let t = std::time::Instant::now();
    let ((org, org_problems), ((confidence, conf_problems), (targets, target_problems))) =
        rayon::join(
            || {
                let mut p = Problems::default();
                if !present(&files.org) {
                    return (Ok(None), p);
                }
                let rows = org::load(&files.org, opts, &mut p);
                (settle(rows, &mut p), p)
            },
            || {
                rayon::join(
                    || {
                        let mut p = Problems::default();
                        let rows = match &files.confidence {
                            Some(f) if !present(f) => Ok(None),
                            Some(f) => confidence::load(f, opts, max_confidence, &mut p),
                            None => Ok(Some((Vec::new(), 0))),
                        };
                        (settle(rows, &mut p), p)
                    },
                    || {
                        let mut p = Problems::default();
                        let rows = match &files.targets {
                            Some(f) if !present(f) => Ok(None),
                            Some(f) => targets::load(f, opts, &mut p),
                            None => Ok(Some((Vec::new(), 0))),
                        };
                        (settle(rows, &mut p), p)
                    },
                )
            },
        );
    for p in [org_problems, conf_problems, target_problems] {
        problems.absorb(p);
    }
    let (org, confidence, targets) = (org?, confidence?, targets?);
    let others_time = t.elapsed();
    let t = std::time::Instant::now();
    let org_rows = org.as_ref().is_some_and(|(rows, _)| !rows.is_empty());
    if let Some((rows, _)) = &org {
        if rows.is_empty() {
            problems.push(
                Problem::file(
                    FileKind::Org,
                    t!("the file has a header but no rows", "文件只有表头，没有数据行"),
                )
                .hint(t!(
                    "export the organisation again: the root (national) and every rep need a row",
                    "请重新导出组织架构：根节点（全国）和每位销售都要有一行"
                )),
            );
        }
    }
    let (org, org_blank) = org.unwrap_or_default();
    let ids = crate::model::IdIndex::new(&org);
    let org_time = t.elapsed();
    // Without org.csv's ids, forecasts.csv is still read for its own problems; its rep ids
    // are not checked (that would list every line), and the list says so.
    let forecasts = if present(&files.forecasts) {
        let read = forecasts::How {
            opts,
            only_period,
            keep_deals: how.deals,
            check_ids: org_rows,
            hash: how.hash,
        };
        let f = forecasts::load(&files.forecasts, started, read, &ids, problems);
        settle(f, problems)?
    } else {
        None
    };
    if !org_rows && forecasts.is_some() {
        problems.note(
            FileKind::Forecasts,
            t!(
                "rep ids not checked: org.csv was not read (see above); check again once that is fixed",
                "未检查销售 id：org.csv 没有读入（见上文）；修正后请再检查一次"
            ),
        );
    }
    let complete =
        !missing && org_rows && forecasts.is_some() && confidence.is_some() && targets.is_some();
    let forecasts_read = forecasts.is_some();
    let mut forecasts = forecasts.unwrap_or_default();
    let (confidence, confidence_blank) = confidence.unwrap_or_default();
    let (targets, target_blank) = targets.unwrap_or_default();
    forecasts.timings.org = org_time;
    forecasts.timings.others = others_time;
    if forecasts_read && forecasts.stats.read == 0 {
        problems.push(
            Problem::file(
                FileKind::Forecasts,
                t!("no forecast lines: the file has only its header", "没有预测行：文件只有表头"),
            )
            .hint(t!(
                "export the forecast lines again; a roll-up of nothing is not a forecast",
                "请重新导出预测行；什么都没有的汇总不是预测"
            )),
        );
    }
    let stats = crate::model::PackStats {
        org_rows: org.len() as u64,
        org_blank,
        forecasts: forecasts.stats,
        forecasts_digest: forecasts.digest,
        confidence_rows: confidence.len() as u64,
        confidence_blank,
        target_rows: targets.len() as u64,
        target_blank,
    };
    let org_read = org_rows;
    Ok(Some(Loaded {
        complete,
        org_read,
        forecasts_read,
        org,
        ids,
        forecasts,
        confidence,
        targets,
        stats,
    }))
}
