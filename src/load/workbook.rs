//! Workbooks wherever a CSV is read (.xlsx, .xlsm, .xlsb, .xls, .ods, through calamine): one
//! sheet becomes the text of a CSV file, with each cell as the user sees it, and the readers
//! take it from there like any CSV. A problem then points at the sheet's row and cell
//! (`org.xlsx[组织]!C17`), through the map of text lines to sheet rows kept here.
//!
//! Cell values:
//! - text as it is; an integer as its digits;
//! - a number as the formula bar shows it: the stored double at 15 significant digits, written
//!   out in full (`26500`, `0.125`, `123456789012346000`), never through float arithmetic; an id
//!   of more than 15 digits stored as a number is then seen by the "digits lost" check;
//! - a date as `2026-11-30` (with its time if it has one), so a date in a period column is the
//!   "date, not a period" problem;
//! - a formula's cached value; an error value as Excel shows it (`#N/A`, `#REF!`), which the
//!   readers refuse where a value is needed;
//! - TRUE/FALSE.
//!
//! Workbooks are untrusted: a zip whose entries claim more than [`MAX_UNPACKED`] bytes in all,
//! or a sheet whose cells reach past Excel's 1,048,576 rows or 16,384 columns, is refused before
//! anything is unpacked or allocated for it.

use super::{InputData, InputFile};
use crate::problem::Problem;
use crate::t;
use crate::text::Text;
use calamine::{Data, DataRef, Reader};
use std::path::Path;

/// The file name endings read as workbooks.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// The most a workbook's zip entries may unpack to, in all: 1 GiB (a sheet of a million forecast
/// lines unpacks to about 150 MB).
pub const MAX_UNPACKED: u64 = 1 << 30;

const MAX_ROWS: u32 = 1 << 20;
const MAX_COLS: u32 = 1 << 14;

/// Whether a file name is a workbook's.
pub fn is_workbook(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.rsplit_once('.').is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

/// A sheet as CSV text, and the sheet row each line of the text comes from.
#[derive(Debug)]
pub struct SheetText {
    pub sheet: String,
    pub text: Vec<u8>,
    /// `rows[k]` is the 1-based sheet row of text line `k + 1`.
    pub rows: Vec<u32>,
}

/// The sheet names of a workbook, in order.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, Text> {
    check_zip(path)?;
    let wb = calamine::open_workbook_auto(path).map_err(|e| why(&e.to_string()))?;
    Ok(wb.sheet_names())
}

/// The sheet names of a workbook held in memory, in order.
pub fn sheet_names_bytes(bytes: &[u8]) -> Result<Vec<String>, Text> {
    check_zip_reader(std::io::Cursor::new(bytes))?;
    guarded(|| {
        let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| why(&e.to_string()))?;
        Ok(wb.sheet_names())
    })
}

/// What a calamine error means to the user.
fn why(e: &str) -> Text {
    let lower = e.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        t!(
            "the workbook is protected by a password: open it, remove the password (File → Info → Protect Workbook) and save it again",
            "工作簿受密码保护：请打开它，取消密码（文件 → 信息 → 保护工作簿）后再保存"
        )
    } else {
        t!(
            "the workbook cannot be read ({e}): open it in Excel/WPS and save it again as .xlsx",
            "无法读取该工作簿（{e}）：请用 Excel/WPS 打开，再另存为 .xlsx"
        )
    }
}

/// Refuses a zip (xlsx, xlsm, xlsb, ods) whose entries claim to unpack to more than
/// [`MAX_UNPACKED`]: a zip bomb, or not a workbook at all.
fn check_zip(path: &Path) -> Result<(), Text> {
    let file = std::fs::File::open(path).map_err(|e| crate::text::of_io(&e))?;
    check_zip_reader(std::io::BufReader::new(file))
}

fn check_zip_reader<R: std::io::Read + std::io::Seek>(mut r: R) -> Result<(), Text> {
    let mut head = [0u8; 4];
    let is_zip = r.read_exact(&mut head).is_ok() && &head == b"PK\x03\x04";
    if !is_zip {
        return Ok(());
    }
    r.rewind().map_err(|e| crate::text::of_io(&e))?;
    let mut zip = zip::ZipArchive::new(r).map_err(|e| why(&e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| why(&e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNPACKED {
        return Err(t!(
            "the workbook unpacks to {} MiB, more than the {} MiB any pack needs (a damaged or hostile file?)",
            "该工作簿解压后有 {} MiB，超过了任何数据包所需的 {} MiB（文件损坏或有恶意？）",
            total >> 20,
            MAX_UNPACKED >> 20
        ));
    }
    Ok(())
}

/// Reads one sheet (`None`: the first) of the workbook at `path` as CSV text.
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<SheetText, Text> {
    check_zip(path)?;
    guarded(|| {
        let wb = calamine::open_workbook_auto(path).map_err(|e| why(&e.to_string()))?;
        sheet_text(wb, sheet)
    })
}

/// [`read_sheet`] on a workbook's bytes (the fuzzer's, a library user's).
pub fn read_sheet_bytes(bytes: &[u8], sheet: Option<&str>) -> Result<SheetText, Text> {
    check_zip_reader(std::io::Cursor::new(bytes))?;
    guarded(|| {
        let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| why(&e.to_string()))?;
        sheet_text(wb, sheet)
    })
}

/// Runs the workbook reader so that a panic inside it on a malformed file (calamine trusts
/// some numbers in the XML: a cell reference past u32 overflows) is the file's problem, not
/// the end of the run. The panic's own message is kept off stderr.
fn guarded<T>(read: impl FnOnce() -> Result<T, Text>) -> Result<T, Text> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    std::panic::set_hook(hook);
    result.unwrap_or_else(|_| {
        Err(t!(
            "the workbook cannot be read (it is malformed: the reader stopped on it): open it in \
             Excel/WPS and save it again as .xlsx",
            "无法读取该工作簿（格式有误，读取时中断）：请用 Excel/WPS 打开，再另存为 .xlsx"
        ))
    })
}

fn sheet_text<RS: std::io::Read + std::io::Seek>(
    mut wb: calamine::Sheets<RS>,
    sheet: Option<&str>,
) -> Result<SheetText, Text> {
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned(),
        None => names.first().cloned(),
    }
    .ok_or_else(|| match sheet {
        Some(s) => {
            t!("the workbook has no sheet {}", "该工作簿没有工作表 {}", crate::problem::quoted(s))
        }
        None => t!("the workbook has no sheet", "该工作簿没有工作表"),
    })?;
    let mut out = Writer::default();
    match &mut wb {
        calamine::Sheets::Xlsx(x) => {
            let mut cells = x.worksheet_cells_reader(&name).map_err(|e| why(&e.to_string()))?;
            while let Some(cell) = cells.next_cell().map_err(|e| why(&e.to_string()))? {
                let (r, c) = cell.get_position();
                out.cell(r, c, &text_of_ref(cell.get_value()))?;
            }
        }
        calamine::Sheets::Xlsb(x) => {
            let mut cells = x.worksheet_cells_reader(&name).map_err(|e| why(&e.to_string()))?;
            while let Some(cell) = cells.next_cell().map_err(|e| why(&e.to_string()))? {
                let (r, c) = cell.get_position();
                out.cell(r, c, &text_of_ref(cell.get_value()))?;
            }
        }
        other => {
            let range = other.worksheet_range(&name).map_err(|e| why(&e.to_string()))?;
            let (h, w) = range.get_size();
            if h as u64 > u64::from(MAX_ROWS) || w as u64 > u64::from(MAX_COLS) {
                return Err(t!(
                    "the sheet is {h} rows by {w} columns, more than a spreadsheet holds",
                    "该工作表有 {h} 行 {w} 列，超出了电子表格的容量"
                ));
            }
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (dr, row) in range.rows().enumerate() {
                for (dc, v) in row.iter().enumerate() {
                    if *v != Data::Empty {
                        out.cell(r0 + dr as u32, c0 + dc as u32, &text_of(v))?;
                    }
                }
            }
        }
    }
    let (text, rows) = out.finish();
    Ok(SheetText { sheet: name, text, rows })
}

/// Builds the CSV text row by row, cells in column order, keeping the sheet's row numbers.
#[derive(Default)]
struct Writer {
    text: Vec<u8>,
    rows: Vec<u32>,
    /// The sheet row being written (0-based) and the next column.
    row: Option<u32>,
    col: u32,
    /// The fields of the first row (the header): a row with empty cells at its end is padded
    /// to it, as a spreadsheet's CSV export pads it.
    width: Option<u32>,
}

impl Writer {
    fn cell(&mut self, r: u32, c: u32, value: &str) -> Result<(), Text> {
        if r >= MAX_ROWS || c >= MAX_COLS {
            return Err(t!(
                "a cell at row {} column {} lies past the 1,048,576 rows and 16,384 columns a sheet can have",
                "第 {} 行第 {} 列的单元格超出了工作表最多 1,048,576 行、16,384 列的范围",
                u64::from(r) + 1,
                u64::from(c) + 1
            ));
        }
        if value.is_empty() {
            return Ok(());
        }
        match self.row {
            Some(cur) if cur == r => {}
            Some(cur) if r < cur => {
                return Err(t!("the sheet's rows are out of order", "工作表的行顺序错乱"))
            }
            _ => {
                // End the current row; blank lines for the rows in between (and before the
                // first), so that every line has its row.
                let from = match self.row {
                    Some(cur) => {
                        self.end_row();
                        cur + 1
                    }
                    None => 0,
                };
                for skipped in from..r {
                    self.rows.push(skipped + 1);
                    self.text.push(b'\n');
                }
                self.rows.push(r + 1);
                self.row = Some(r);
                self.col = 0;
            }
        }
        if c < self.col {
            return Err(t!("the sheet's cells are out of order", "工作表的单元格顺序错乱"));
        }
        // `self.col` fields are written in this row; a field after the first follows a comma.
        while self.col < c {
            if self.col > 0 {
                self.text.push(b',');
            }
            self.col += 1;
        }
        if self.col > 0 {
            self.text.push(b',');
        }
        let needs_quotes = value.contains([',', '"', '\n', '\r']);
        if needs_quotes {
            self.text.push(b'"');
            for ch in value.chars() {
                if ch == '"' {
                    self.text.push(b'"');
                }
                if ch == '\n' {
                    // A line break inside a cell: the next text line is still this row.
                    self.rows.push(r + 1);
                }
                let mut buf = [0u8; 4];
                self.text.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            self.text.push(b'"');
        } else {
            self.text.extend_from_slice(value.as_bytes());
        }
        self.col = c + 1;
        Ok(())
    }

    fn end_row(&mut self) {
        let width = *self.width.get_or_insert(self.col);
        while self.col < width {
            self.text.push(b',');
            self.col += 1;
        }
        self.text.push(b'\n');
    }

    fn finish(mut self) -> (Vec<u8>, Vec<u32>) {
        if self.row.is_some() {
            self.end_row();
        }
        (self.text, self.rows)
    }
}

fn text_of(v: &Data) -> String {
    match v {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => excel_number(*f),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => date_text(d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => error_text(e),
        Data::Empty => String::new(),
    }
}

fn text_of_ref(v: &DataRef) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => excel_number(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        DataRef::DateTime(d) => date_text(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => error_text(e),
        DataRef::Empty => String::new(),
    }
}

/// An error value as Excel shows it.
fn error_text(e: &calamine::CellErrorType) -> String {
    e.to_string()
}

fn date_text(d: &calamine::ExcelDateTime) -> String {
    let (y, mo, da, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// A stored double as the formula bar shows it: 15 significant digits, in full, trailing zeros
/// dropped. The digits come from the shortest round-trip of `{:.14e}`, and are placed by
/// string work only.
pub fn excel_number(f: f64) -> String {
    if !f.is_finite() {
        return "#NUM!".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let sci = format!("{f:.14e}"); // d.dddddddddddddde±x
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // The decimal point goes after digit number exp + 1.
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{body}")
}

/// Turns a workbook input into the CSV text of its sheet, for the readers; the line map and
/// the sheet's name come back with it. A file that is no workbook is left as it is.
pub fn as_csv(file: &InputFile) -> Result<Option<(InputFile, Vec<u32>)>, Problem> {
    let InputData::Path(path) = &file.data else { return Ok(None) };
    if !is_workbook(&path.to_string_lossy()) {
        return Ok(None);
    }
    let sheet = read_sheet(path, file.sheet.as_deref()).map_err(|why| {
        Problem::file(file.kind, why).hint(t!(
            "save the sheet as \"CSV UTF-8\" to see what it holds",
            "把该工作表另存为“CSV UTF-8”，看看里面是什么"
        ))
    })?;
    let converted = InputFile {
        kind: file.kind,
        display: file.display.clone(),
        data: InputData::Bytes(sheet.text),
        sheet: Some(sheet.sheet),
        shape: None,
    };
    Ok(Some((converted, sheet.rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_what_the_formula_bar_shows() {
        assert_eq!(excel_number(26500.0), "26500");
        assert_eq!(excel_number(0.125), "0.125");
        assert_eq!(excel_number(-1234.5), "-1234.5");
        assert_eq!(excel_number(0.1 + 0.2), "0.3");
        assert_eq!(excel_number(123456789012345678.0), "123456789012346000");
        assert_eq!(excel_number(1e-5), "0.00001");
        assert_eq!(excel_number(26500.01), "26500.01");
    }

    #[test]
    fn rows_keep_their_sheet_numbers() {
        let mut w = Writer::default();
        w.cell(0, 0, "id").unwrap();
        w.cell(0, 1, "name").unwrap();
        w.cell(3, 1, "a,\"b\"\nc").unwrap();
        let (text, rows) = w.finish();
        assert_eq!(String::from_utf8(text).unwrap(), "id,name\n\n\n,\"a,\"\"b\"\"\nc\"\n");
        let mut w = Writer::default();
        w.cell(0, 0, "a").unwrap();
        w.cell(0, 2, "c").unwrap();
        w.cell(1, 0, "x").unwrap();
        assert_eq!(String::from_utf8(w.finish().0).unwrap(), "a,,c\nx,,\n");
        assert_eq!(rows, [1, 2, 3, 4, 4]);
    }
}
