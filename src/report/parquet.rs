//! rollup.parquet, for typed imports: the rows and columns of rollup.csv with their types kept,
//! so that DuckDB, pandas/pyarrow, Polars or Spark read money as exact decimals and ids as text
//! without being told.
//!
//! - Text (period, ids, name, level, note) is a UTF-8 `STRING`, as given: programs read this
//!   file, so, as in rollup.json, no formula guard. A blank cell is NULL, as every CSV importer
//!   reads rollup.csv's blank cells.
//! - Money is `DECIMAL(38, --scale)`, attainment `DECIMAL(38, 4)`, and confidence
//!   `DECIMAL(38, s)`, `s` the most decimals any confidence of the run has, at least 4. Each
//!   value is the 16-byte big-endian two's-complement integer of its units
//!   (FIXED_LEN_BYTE_ARRAY): exactly the decimal rollup.csv prints. A value past 38 digits is an
//!   error, never rounded.
//! - `depth` is a 32-bit integer, `reviewed` a boolean.
//!
//! The writer is this file, not the `parquet` crate (the README gives the build-time numbers):
//! row groups of [`ROW_GROUP`] rows, one PLAIN-encoded, uncompressed data page per column and
//! row group, definition levels as RLE runs, and the footer in Thrift's compact protocol.
//! Nothing depends on the clock or the thread count, and `created_by` names the version only,
//! so the same inputs give the same bytes.

use crate::contract::{row, row_count, Cell, Kind, COLUMNS};
use crate::exact::{Exact, POW10, RATIO_SCALE};
use crate::model::Pack;
use crate::rollup::Rollup;
use crate::t;
use crate::text::said;
use std::io::Write;

/// Rows per row group.
pub const ROW_GROUP: usize = 1 << 16;

/// Digits of every decimal column: the most that 16 bytes hold.
pub const PRECISION: u32 = 38;

/// The fewest decimals of the confidence column, so that its type stays the same from run to
/// run for the usual multipliers (`0.9`, `1.25`, `87.5%`).
pub const CONFIDENCE_SCALE: u32 = 4;

/// The columns that may be NULL: the text that may be blank and the money that may be missing.
const NULLABLE: [&str; 7] = ["name", "level", "parent_id", "note", "target", "gap", "attainment"];

/// `created_by`: the tool and its version, nothing that changes between runs of one build.
const CREATED_BY: &str = concat!("forecast-rollup version ", env!("CARGO_PKG_VERSION"));

/// Physical types (parquet.thrift `Type`).
const BOOLEAN: i32 = 0;
const INT32: i32 = 1;
const BYTE_ARRAY: i32 = 6;
const FIXED_LEN_BYTE_ARRAY: i32 = 7;
/// Encodings.
const PLAIN: i32 = 0;
const RLE: i32 = 3;
/// Converted types.
const UTF8: i32 = 0;
const DECIMAL: i32 = 5;
const INT_32: i32 = 17;

/// What a column is stored as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Physical {
    Text,
    Int32,
    Bool,
    Decimal { scale: u32 },
}

/// A column of the file.
#[derive(Debug, Clone, Copy)]
struct Spec {
    name: &'static str,
    physical: Physical,
    nullable: bool,
}

/// A value that the file cannot hold.
/// Writes rollup.parquet to `out`.
pub fn render(pack: &Pack, rollup: &Rollup, out: &mut dyn Write) -> anyhow::Result<()> {
    let specs = schema(rollup);
    let rows = row_count(pack);
    let mut file = FileWriter { out, pos: 0, groups: Vec::new() };
    file.write(b"PAR1")?;
    let mut start = 0;
    while start < rows {
        let end = (start + ROW_GROUP).min(rows);
        let mut chunks: Vec<Chunk> = specs.iter().map(|s| Chunk::new(*s)).collect();
        for k in start..end {
            let r = row(pack, rollup, false, k);
            for (chunk, cell) in chunks.iter_mut().zip(r.cells()) {
                chunk.push(cell).map_err(|e| unfit(e, r.period.text, r.node_id.text))?;
            }
        }
        file.row_group(chunks, end - start)?;
        start = end;
    }
    let footer = file_metadata(&specs, rows, &file.groups);
    file.write(&footer)?;
    file.write(&(footer.len() as u32).to_le_bytes())?;
    file.write(b"PAR1")?;
    Ok(())
}

/// The columns: [`COLUMNS`], each with its Parquet type.
fn schema(rollup: &Rollup) -> Vec<Spec> {
    let confidence_scale = rollup
        .periods
        .iter()
        .flat_map(|p| p.confidence.iter())
        .map(|c| c.decimals())
        .fold(CONFIDENCE_SCALE, u32::max);
    COLUMNS
        .iter()
        .map(|c| Spec {
            name: c.name,
            physical: match c.kind {
                Kind::Text => Physical::Text,
                Kind::Count => Physical::Int32,
                Kind::Flag => Physical::Bool,
                Kind::Money => Physical::Decimal { scale: rollup.opts.scale },
                Kind::Ratio => Physical::Decimal { scale: RATIO_SCALE },
                Kind::Confidence => Physical::Decimal { scale: confidence_scale },
            },
            nullable: NULLABLE.contains(&c.name),
        })
        .collect()
}

/// Why a cell cannot be written, before the row is named.
#[derive(Debug)]
enum CellError {
    /// A decimal of more than [`PRECISION`] digits (its text).
    TooLong(&'static str, String),
    /// A depth past a 32-bit integer.
    TooDeep(u32),
}

fn unfit(e: CellError, period: &str, node: &str) -> anyhow::Error {
    anyhow::Error::new(said(match e {
        CellError::TooLong(col, v) => t!(
            "rollup.parquet: {col} of {node} in {period} is {v}, more than the {PRECISION} digits of a Parquet DECIMAL; the other files hold it (use --formats csv,json,xlsx, or a smaller --scale)",
            "rollup.parquet：{period} 中 {node} 的 {col} 为 {v}，超过 Parquet DECIMAL 的 {PRECISION} 位数字；其他文件可以容纳（用 --formats csv,json,xlsx，或更小的 --scale）"
        ),
        CellError::TooDeep(d) => t!(
            "rollup.parquet: the depth of {node} in {period} is {d}, more than a 32-bit integer holds",
            "rollup.parquet：{period} 中 {node} 的层深为 {d}，超过 32 位整数的范围"
        ),
    }))
}

/// The 16 bytes of `units` at the column's scale, or why not.
fn decimal_bytes(col: &'static str, value: Exact, scale: u32) -> Result<[u8; 16], CellError> {
    let too_long = || {
        let mut buf = [0u8; crate::exact::UNITS_BUF];
        CellError::TooLong(col, value.format_shortest(&mut buf).to_string())
    };
    let units = value.exact_units(scale).ok_or_else(too_long)?;
    if units.unsigned_abs() >= POW10[PRECISION as usize] as u128 {
        return Err(too_long());
    }
    Ok(units.to_be_bytes())
}

/// One column's values in one row group, encoded as they go.
struct Chunk {
    spec: Spec,
    /// PLAIN-encoded non-null values.
    values: Vec<u8>,
    /// The definition levels (nullable columns only).
    levels: Levels,
    /// Booleans written so far (PLAIN packs them 8 to a byte).
    bits: usize,
}

impl Chunk {
    fn new(spec: Spec) -> Chunk {
        Chunk { spec, values: Vec::new(), levels: Levels::default(), bits: 0 }
    }

    fn push(&mut self, cell: Cell) -> Result<(), CellError> {
        let name = self.spec.name;
        let present = match (self.spec.physical, cell) {
            (Physical::Text, Cell::Text(t)) if t.text.is_empty() && self.spec.nullable => false,
            (Physical::Text, Cell::Text(t)) => {
                self.values.extend_from_slice(&(t.text.len() as u32).to_le_bytes());
                self.values.extend_from_slice(t.text.as_bytes());
                true
            }
            (Physical::Int32, Cell::Count(n)) => {
                let n = i32::try_from(n).map_err(|_| CellError::TooDeep(n))?;
                self.values.extend_from_slice(&n.to_le_bytes());
                true
            }
            (Physical::Bool, Cell::Flag(b)) => {
                if self.bits.is_multiple_of(8) {
                    self.values.push(0);
                }
                if b {
                    if let Some(last) = self.values.last_mut() {
                        *last |= 1 << (self.bits % 8);
                    }
                }
                self.bits += 1;
                true
            }
            (Physical::Decimal { scale }, Cell::Money(Some(m))) => {
                let v = Exact::from_parts(m.units, m.scale);
                self.values.extend_from_slice(&decimal_bytes(name, v, scale)?);
                true
            }
            (Physical::Decimal { scale }, Cell::Confidence(c)) => {
                self.values.extend_from_slice(&decimal_bytes(name, c, scale)?);
                true
            }
            (Physical::Decimal { .. }, Cell::Money(None)) => false,
            // The schema is made from the same COLUMNS as the cells: no other pairing occurs.
            _ => false,
        };
        if self.spec.nullable {
            self.levels.push(present);
        }
        Ok(())
    }
}

/// Definition levels (1 present, 0 NULL) in the RLE/bit-packed hybrid, as RLE runs only:
/// `varint(run length << 1)` then the level in one byte.
#[derive(Default)]
struct Levels {
    encoded: Vec<u8>,
    run: Option<(bool, u32)>,
}

impl Levels {
    fn push(&mut self, level: bool) {
        match &mut self.run {
            Some((l, n)) if *l == level => *n += 1,
            _ => {
                self.flush();
                self.run = Some((level, 1));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((level, n)) = self.run.take() {
            varint(&mut self.encoded, u64::from(n) << 1);
            self.encoded.push(u8::from(level));
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.flush();
        self.encoded
    }
}

/// Where each column chunk of a row group went.
struct Placed {
    spec: Spec,
    offset: u64,
    size: u64,
}

struct Group {
    rows: usize,
    columns: Vec<Placed>,
}

struct FileWriter<'a> {
    out: &'a mut dyn Write,
    pos: u64,
    groups: Vec<Group>,
}

impl FileWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// One data page per column: its header, then the definition levels (with their 4-byte
    /// length, as a v1 page has them) and the values.
    fn row_group(&mut self, chunks: Vec<Chunk>, rows: usize) -> std::io::Result<()> {
        let mut columns = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let spec = chunk.spec;
            let levels = if spec.nullable { Some(chunk.levels.finish()) } else { None };
            let data_len = chunk.values.len() + levels.as_ref().map_or(0, |l| 4 + l.len());
            let header = page_header(rows, data_len);
            let offset = self.pos;
            self.write(&header)?;
            if let Some(l) = &levels {
                self.write(&(l.len() as u32).to_le_bytes())?;
                self.write(l)?;
            }
            self.write(&chunk.values)?;
            columns.push(Placed { spec, offset, size: self.pos - offset });
        }
        self.groups.push(Group { rows, columns });
        Ok(())
    }
}

fn page_header(values: usize, data_len: usize) -> Vec<u8> {
    let mut t = Compact::default();
    t.i32(1, 0); // DATA_PAGE
    t.i32(2, data_len as i32);
    t.i32(3, data_len as i32);
    t.begin(5);
    t.i32(1, values as i32);
    t.i32(2, PLAIN);
    t.i32(3, RLE);
    t.i32(4, RLE);
    t.end();
    t.finish()
}

/// The footer: FileMetaData.
fn file_metadata(specs: &[Spec], rows: usize, groups: &[Group]) -> Vec<u8> {
    let mut t = Compact::default();
    t.i32(1, 1);
    t.list(2, STRUCT, specs.len() + 1);
    t.element();
    t.binary(4, b"schema");
    t.i32(5, specs.len() as i32);
    t.end();
    for s in specs {
        t.element();
        schema_element(&mut t, s);
        t.end();
    }
    t.i64(3, rows as i64);
    t.list(4, STRUCT, groups.len());
    for (k, g) in groups.iter().enumerate() {
        t.element();
        t.list(1, STRUCT, g.columns.len());
        for c in &g.columns {
            t.element();
            t.i64(2, 0);
            t.begin(3);
            t.i32(1, physical_type(c.spec.physical));
            let encodings: &[i32] = if c.spec.nullable { &[PLAIN, RLE] } else { &[PLAIN] };
            t.list(2, I32, encodings.len());
            for e in encodings {
                t.i32_element(*e);
            }
            t.list(3, BINARY, 1);
            t.binary_element(c.spec.name.as_bytes());
            t.i32(4, 0); // UNCOMPRESSED
            t.i64(5, g.rows as i64);
            t.i64(6, c.size as i64);
            t.i64(7, c.size as i64);
            t.i64(9, c.offset as i64);
            t.end();
            t.end();
        }
        let size: u64 = g.columns.iter().map(|c| c.size).sum();
        t.i64(2, size as i64);
        t.i64(3, g.rows as i64);
        t.i64(5, g.columns.first().map_or(0, |c| c.offset) as i64);
        t.i64(6, size as i64);
        t.i16(7, k as i16);
        t.end();
    }
    t.binary(6, CREATED_BY.as_bytes());
    t.finish()
}

fn physical_type(p: Physical) -> i32 {
    match p {
        Physical::Text => BYTE_ARRAY,
        Physical::Int32 => INT32,
        Physical::Bool => BOOLEAN,
        Physical::Decimal { .. } => FIXED_LEN_BYTE_ARRAY,
    }
}

/// A leaf of the schema: its type, repetition, name, and both the converted type and the
/// logical type that readers of every age look for.
fn schema_element(t: &mut Compact, s: &Spec) {
    t.i32(1, physical_type(s.physical));
    if let Physical::Decimal { .. } = s.physical {
        t.i32(2, 16);
    }
    t.i32(3, i32::from(s.nullable)); // REQUIRED 0, OPTIONAL 1
    t.binary(4, s.name.as_bytes());
    match s.physical {
        Physical::Text => {
            t.i32(6, UTF8);
            t.begin(10);
            t.begin(1); // STRING
            t.end();
            t.end();
        }
        Physical::Int32 => {
            t.i32(6, INT_32);
            t.begin(10);
            t.begin(10); // INTEGER
            t.i8(1, 32);
            t.bool(2, true);
            t.end();
            t.end();
        }
        Physical::Bool => {}
        Physical::Decimal { scale } => {
            t.i32(6, DECIMAL);
            t.i32(7, scale as i32);
            t.i32(8, PRECISION as i32);
            t.begin(10);
            t.begin(5); // DECIMAL
            t.i32(1, scale as i32);
            t.i32(2, PRECISION as i32);
            t.end();
            t.end();
        }
    }
}

/// Compact-protocol type codes.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const I8: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const STRUCT: u8 = 12;

/// A Thrift compact-protocol writer for one top-level struct: fields in increasing id order,
/// nested structs with [`Compact::begin`] / [`Compact::end`], list elements that are structs
/// with [`Compact::element`] / [`Compact::end`].
#[derive(Default)]
struct Compact {
    buf: Vec<u8>,
    /// The id of the last field written in the open struct.
    last: i16,
    /// `last` of each enclosing struct.
    outer: Vec<i16>,
}

impl Compact {
    fn field(&mut self, id: i16, ty: u8) {
        let delta = id - self.last;
        if (1..=15).contains(&delta) {
            self.buf.push((delta as u8) << 4 | ty);
        } else {
            self.buf.push(ty);
            varint(&mut self.buf, u64::from(((id << 1) ^ (id >> 15)) as u16));
        }
        self.last = id;
    }

    fn i32(&mut self, id: i16, v: i32) {
        self.field(id, I32);
        varint(&mut self.buf, u64::from(((v << 1) ^ (v >> 31)) as u32));
    }

    fn i64(&mut self, id: i16, v: i64) {
        self.field(id, I64);
        varint(&mut self.buf, ((v << 1) ^ (v >> 63)) as u64);
    }

    fn i16(&mut self, id: i16, v: i16) {
        self.field(id, I16);
        varint(&mut self.buf, u64::from(((v << 1) ^ (v >> 15)) as u16));
    }

    fn i8(&mut self, id: i16, v: i8) {
        self.field(id, I8);
        self.buf.push(v as u8);
    }

    /// A bool field is its type code alone.
    fn bool(&mut self, id: i16, v: bool) {
        self.field(id, if v { BOOL_TRUE } else { BOOL_FALSE });
    }

    fn binary(&mut self, id: i16, b: &[u8]) {
        self.field(id, BINARY);
        self.binary_element(b);
    }

    fn list(&mut self, id: i16, elem: u8, n: usize) {
        self.field(id, LIST);
        if n < 15 {
            self.buf.push((n as u8) << 4 | elem);
        } else {
            self.buf.push(0xF0 | elem);
            varint(&mut self.buf, n as u64);
        }
    }

    fn i32_element(&mut self, v: i32) {
        varint(&mut self.buf, u64::from(((v << 1) ^ (v >> 31)) as u32));
    }

    fn binary_element(&mut self, b: &[u8]) {
        varint(&mut self.buf, b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    /// Opens a struct field.
    fn begin(&mut self, id: i16) {
        self.field(id, STRUCT);
        self.element();
    }

    /// Opens a struct that is a list element (it has no field header).
    fn element(&mut self) {
        self.outer.push(self.last);
        self.last = 0;
    }

    /// Closes the innermost struct.
    fn end(&mut self) {
        self.buf.push(0);
        self.last = self.outer.pop().unwrap_or(0);
    }

    /// Closes the top-level struct and returns its bytes.
    fn finish(mut self) -> Vec<u8> {
        self.buf.push(0);
        self.buf
    }
}

/// Unsigned LEB128.
fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{error_chain, Lang};

    #[test]
    fn compact_protocol_bytes_are_thrifts() {
        let mut t = Compact::default();
        t.i32(1, 1); // delta 1, i32, zigzag(1) = 2
        t.i64(3, -1); // delta 2, i64, zigzag(-1) = 1
        t.begin(20); // delta 17: long form, struct, zigzag(20) = 40
        t.bool(1, true);
        t.end();
        t.list(21, I32, 2);
        t.i32_element(-2);
        t.i32_element(300);
        t.binary(22, b"ab");
        assert_eq!(
            t.finish(),
            [
                0x15, 0x02, 0x26, 0x01, 0x0C, 40, 0x11, 0x00, 0x19, 0x25, 0x03, 0xD8, 0x04, 0x18,
                2, b'a', b'b', 0x00
            ]
        );
    }

    #[test]
    fn a_list_of_fifteen_or_more_has_its_size_after_the_header() {
        let mut t = Compact::default();
        t.list(1, STRUCT, 19);
        assert_eq!(t.finish(), [0x19, 0xFC, 19, 0x00]);
    }

    #[test]
    fn definition_levels_are_rle_runs() {
        let mut l = Levels::default();
        for present in [true, true, true, false, true] {
            l.push(present);
        }
        assert_eq!(l.finish(), [6, 1, 2, 0, 2, 1]);
        let mut l = Levels::default();
        for _ in 0..200 {
            l.push(false);
        }
        assert_eq!(l.finish(), [0x90, 0x03, 0]);
    }

    #[test]
    fn a_decimal_is_its_units_in_sixteen_big_endian_bytes() {
        let d = |m: i128, s: u32| Exact::new(m, s).unwrap();
        let b = decimal_bytes("raw", d(-12345, 2), 2).unwrap();
        assert_eq!(i128::from_be_bytes(b), -12345);
        // A confidence of 0.9 in a column of scale 4 is 9000 units.
        assert_eq!(i128::from_be_bytes(decimal_bytes("c", d(9, 1), 4).unwrap()), 9000);
        let max = POW10[38] - 1;
        assert_eq!(i128::from_be_bytes(decimal_bytes("raw", d(max, 2), 2).unwrap()), max);
    }

    #[test]
    fn a_decimal_past_38_digits_or_the_scale_is_an_error_never_rounded() {
        let d = |m: i128, s: u32| Exact::new(m, s).unwrap();
        match decimal_bytes("raw", d(POW10[38], 2), 2) {
            Err(CellError::TooLong("raw", v)) => {
                assert_eq!(v, "1000000000000000000000000000000000000")
            }
            other => panic!("{other:?}"),
        }
        assert!(decimal_bytes("raw", d(-POW10[38], 2), 2).is_err());
        assert!(decimal_bytes("c", d(12345, 5), 4).is_err());
        let e = unfit(CellError::TooLong("raw", "1.5".into()), "2026-Q4", "00123");
        let (en, zh) = (error_chain(&e, Lang::En), error_chain(&e, Lang::Zh));
        assert!(en.starts_with("rollup.parquet: raw of 00123 in 2026-Q4 is 1.5"), "{en}");
        assert!(zh.starts_with("rollup.parquet：2026-Q4 中 00123 的 raw 为 1.5"), "{zh}");
    }

    #[test]
    fn every_nullable_column_is_a_column() {
        for n in NULLABLE {
            assert!(COLUMNS.iter().any(|c| c.name == n), "{n}");
        }
    }
}
