//! rollup.csv for finance: UTF-8 (BOM only with `--bom`), `\n` line ends, plain `.` decimals,
//! the columns of [`COLUMNS`](crate::contract::COLUMNS).
//!
//! Rows are written cell by cell through the csv crate's writer, which does the quoting; text
//! that a spreadsheet would run as a formula gets a leading `'` first. A property test holds
//! this writer to byte equality with `csv::Writer::serialize` of the same rows.

use super::write_rows;
use crate::contract::{row, row_count, Cell, RollupRow, COLUMNS};
use crate::exact::{format_units, UNITS_BUF};
use crate::model::Pack;
use crate::rollup::Rollup;
use std::io::Write;

/// Writes rollup.csv to `out`.
pub fn render(pack: &Pack, rollup: &Rollup, bom: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut head = Vec::with_capacity(256);
    if bom {
        head.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut w = writer(&mut head);
    w.write_record(COLUMNS.iter().map(|c| c.name))?;
    drop(w);
    out.write_all(&head)?;
    write_rows(row_count(pack), out, &|buf, k| write_row(buf, &row(pack, rollup, true, k)))?;
    Ok(())
}

/// The one csv writer set-up of the outputs: `\n` line ends, quotes only where needed. A
/// writer is made per row, so its buffer is a row's size, not the crate's default 8 KiB (which
/// it would zero for every row).
fn writer(buf: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256)
        .from_writer(buf)
}

/// Appends one row (with its line end) to `buf`.
pub fn write_row(buf: &mut Vec<u8>, r: &RollupRow) {
    let mut w = writer(buf);
    let mut tmp = [0u8; UNITS_BUF];
    let mut guarded = String::new();
    for cell in r.cells() {
        // Writing into a Vec cannot fail.
        let _ = match cell {
            Cell::Text(t) if t.guarded() => {
                guarded.clear();
                guarded.push('\'');
                guarded.push_str(t.text);
                w.write_field(&guarded)
            }
            Cell::Text(t) => w.write_field(t.text),
            Cell::Count(n) => w.write_field(format_units(&mut tmp, i128::from(n), 0)),
            Cell::Money(Some(m)) => w.write_field(format_units(&mut tmp, m.units, m.scale)),
            Cell::Money(None) => w.write_field(""),
            Cell::Confidence(c) => w.write_field(c.format_shortest(&mut tmp)),
            Cell::Flag(b) => w.write_field(if b { "true" } else { "false" }),
        };
    }
    let _ = w.write_record(None::<&[u8]>);
    let _ = w.flush();
}
