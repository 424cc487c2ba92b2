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
pub mod reshape;
pub mod returned;
pub mod targets;
pub mod workbook;

use crate::problem::{FileKind, InputProblem, Problem, Problems, Source};
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
            FileKind::Actuals | FileKind::Rollup | FileKind::CommandLine => kind.file_name().into(),
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
            format!(
                "more than {} MiB of text; {} is read whole and this is far more than \
                 any organisation needs: is it the right file?",
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
        return InputProblem(Problem::file(file.kind, long.to_string())).into();
    }
    anyhow::Error::new(e).context(format!("cannot read {}", file.display))
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
            format!(
                "the file ends in the middle of a {} character: it looks cut off",
                e.encoding.label()
            ),
        )
        .hint("export or copy the file again; a complete file ends with a whole line");
    }
    if e.bytes == [0] {
        let at = before.len() - line_start + 1;
        return Problem::at(
            src,
            format!(
                "a NUL byte (0x00) at byte {at} of the line: this is not a CSV text file \
                 (UTF-16 saved without its BOM, a binary file, or a damaged copy)"
            ),
        )
        .hint("open it in Excel/WPS and save it again as \"CSV UTF-8 (comma delimited)\"");
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
        format!("not valid {} at {at} of the line ({})", e.encoding.label(), hex.join(" ")),
    );
    match e.encoding {
        encoding::Encoding::Utf8 => p.hint(
            "a cell holds bytes that are not UTF-8 (damaged, or pasted from another program): retype it; \
             if the whole file was saved by Excel/WPS as GBK, pass --encoding gb18030",
        ),
        _ => p.hint("save the file again as \"CSV UTF-8\" and rerun"),
    }
}

/// Files that are not text at all, recognised by their first bytes.
pub fn not_csv(kind: FileKind, head: &[u8]) -> Option<Problem> {
    let what = if head.starts_with(b"PK\x03\x04") {
        "an Excel workbook (.xlsx) or another zip file"
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        "an old Excel workbook (.xls)"
    } else if head.starts_with(b"%PDF") {
        "a PDF"
    } else if head.starts_with(b"\x1F\x8B") {
        "a gzip-compressed file"
    } else if is_markup(head) {
        "a web page or XML file (Excel's \"Web Page\" or \"XML Spreadsheet\" format)"
    } else {
        return None;
    };
    Some(
        Problem::file(kind, format!("this is {what}, not a CSV file"))
            .hint("open it in Excel/WPS and use Save As → \"CSV UTF-8 (comma delimited)\""),
    )
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
                problems.push(Problem::at(Source::new(file.kind, before.line()), e.to_string()));
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
            let what =
                if text.is_empty() { "the file is empty" } else { "the file has no header row" };
            problems.push(Problem::file(file.kind, what).hint(format!(
                "the first line must name the columns: {}",
                specs.iter().filter(|s| s.required).map(|s| s.name).collect::<Vec<_>>().join(",")
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
        format!("the header row is repeated here (first at line {first}): were two exports pasted together?"),
    )
    .hint("delete this line, and check that the rows after it are not a second copy of rows above")
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
                format!(
                    "a quoted cell that starts on this line runs over {spans_lines} lines (its closing quote \
                     is missing or misplaced), so they were read as one row ({got} fields, the header has {want})"
                ),
            )
            .hint("look for a stray \" in this row: close the quote, or double it (\"\") inside a quoted cell"),
        );
    }
    (got != want).then(|| {
        Problem::at(
            Source::new(kind, line),
            format!("the row has {got} fields but the header has {want}"),
        )
        .hint(if got > want {
            "a value probably contains an unquoted comma (like 1,234.56): quote it or remove the separator"
        } else {
            "cells are missing: check the row for a lost delimiter or a line break inside a value"
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
    /// Keep each deal's sum as well as each rep's.
    pub deals: bool,
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
                problems.push(Problem::file(f.kind, "this is a folder, not a file").hint(format!(
                    "name the CSV file itself, e.g. {}",
                    p.join(f.kind.file_name()).display()
                )));
                continue;
            }
        }
        if !f.exists() && !reported.contains(&f.kind) {
            problems.push(Problem::file(f.kind, "file not found").hint(format!(
                "a pack folder holds org.csv and forecasts.csv (confidence.csv and targets.csv are optional); {} is missing",
                f.display
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
    // side by side; forecasts.csv needs org's ids and all the threads.
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
            problems.push(Problem::file(FileKind::Org, "the file has a header but no rows").hint(
                "export the organisation again: the root (national) and every rep need a row",
            ));
        }
    }
    let (org, org_blank) = org.unwrap_or_default();
    let ids = crate::model::IdIndex::new(&org);
    let org_time = t.elapsed();
    // Without org.csv's ids, forecasts.csv is still read for its own problems; its rep ids
    // are not checked (that would list every line), and the list says so.
    let forecasts = if present(&files.forecasts) {
        let f = forecasts::load(
            &files.forecasts,
            opts,
            &ids,
            only_period,
            how.deals,
            org_rows,
            problems,
        );
        settle(f, problems)?
    } else {
        None
    };
    if !org_rows && forecasts.is_some() {
        problems.note(
            FileKind::Forecasts,
            "rep ids not checked: org.csv was not read (see above); check again once that is fixed",
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
            Problem::file(FileKind::Forecasts, "no forecast lines: the file has only its header")
                .hint("export the forecast lines again; a roll-up of nothing is not a forecast"),
        );
    }
    let stats = crate::model::PackStats {
        org_rows: org.len() as u64,
        org_blank,
        forecasts: forecasts.stats,
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
