//! rollup.json: the same rows as rollup.csv (text not formula-guarded), plus the settings that
//! produced them and the audit record (`audit`: the tool's version, its options, every input
//! file's name, size, SHA-256 and rows read and used). Keys are the names of [`COLUMNS`](crate::contract::COLUMNS). Money and
//! ratios are JSON strings holding the exact printed decimal, so no JSON parser turns them into
//! binary floating point; an empty cell is `null`. One row per line keeps diffs readable. A
//! scenario's roll-up (rollup.scenario.json) also lists the changes it applied.

use super::write_rows;
use crate::audit::Audit;
use crate::contract::{row, row_count, Cell, RollupRow, COLUMNS};
use crate::exact::{format_units, UNITS_BUF};
use crate::model::Pack;
use crate::rollup::{Rollup, RATIO_SCALE};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Header<'a> {
    /// Decimals of money values.
    scale: u32,
    /// Decimals of `attainment`.
    ratio_scale: u32,
    /// `half-up` (四舍五入) or `half-even`.
    rounding: &'a str,
    /// The periods, in row order.
    periods: Vec<&'a str>,
    /// Where the numbers came from: the tool, its options and every input file's SHA-256.
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<&'a Audit>,
}

/// Writes rollup.json to `out`. Rows are written cell by cell, as [`RollupRow`] serializes them
/// (a property test holds the two to byte equality); strings go through serde_json's escaping.
pub fn render(
    pack: &Pack,
    rollup: &Rollup,
    audit: Option<&Audit>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let header = Header {
        scale: rollup.opts.scale,
        ratio_scale: RATIO_SCALE,
        rounding: rollup.opts.rounding.as_str(),
        periods: pack.periods.iter().map(|p| p.period.as_str()).collect(),
        audit,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let head = serde_json::to_vec(&header)?;
    // `{"scale":…,"periods":[…]}` → `{"scale":…,"periods":[…],"rows":[` + rows + `]}`
    buf.extend_from_slice(&head[..head.len() - 1]);
    buf.extend_from_slice(b",\"rows\":[");
    out.write_all(&buf)?;
    write_rows(row_count(pack), out, &|buf, k| {
        buf.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
        write_row(buf, &row(pack, rollup, false, k));
    })?;
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// Appends one row as a JSON object to `buf`.
pub fn write_row(buf: &mut Vec<u8>, r: &RollupRow) {
    let mut tmp = [0u8; UNITS_BUF];
    for (k, (col, cell)) in COLUMNS.iter().zip(r.cells()).enumerate() {
        buf.extend_from_slice(if k == 0 { b"{\"" } else { b",\"" });
        buf.extend_from_slice(col.name.as_bytes());
        buf.extend_from_slice(b"\":");
        match cell {
            Cell::Text(t) => text(buf, t.text),
            Cell::Count(n) => {
                buf.extend_from_slice(format_units(&mut tmp, i128::from(n), 0).as_bytes())
            }
            Cell::Money(Some(m)) => quoted(buf, format_units(&mut tmp, m.units, m.scale)),
            Cell::Money(None) => buf.extend_from_slice(b"null"),
            Cell::Confidence(c) => quoted(buf, c.format_shortest(&mut tmp)),
            Cell::Flag(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
        }
    }
    buf.push(b'}');
}

/// A number's text as a JSON string (it has nothing to escape).
fn quoted(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// Text with nothing to escape goes in as it is; anything else through serde_json.
fn text(buf: &mut Vec<u8>, t: &str) {
    if t.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        quoted(buf, t);
    } else {
        // A str always serializes.
        let _ = serde_json::to_writer(&mut *buf, t);
    }
}
