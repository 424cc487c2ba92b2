//! rollup.json: the same rows as rollup.csv (text not formula-guarded), plus the settings that
//! produced them. Money and ratios are JSON strings holding the exact printed decimal, so no
//! JSON parser turns them into binary floating point. One row per line keeps diffs readable.

#[cfg(test)]
use super::rows;
use super::{row, row_count, write_rows, Money, RollupRow};
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
}

/// Writes rollup.json to `out`. Rows are written by hand, field by field as [`RollupRow`]
/// serializes them (a test holds the two to byte equality); strings go through serde_json's
/// escaping.
pub fn render(pack: &Pack, rollup: &Rollup, out: &mut dyn Write) -> anyhow::Result<()> {
    let header = Header {
        scale: rollup.opts.scale,
        ratio_scale: RATIO_SCALE,
        rounding: rollup.opts.rounding.as_str(),
        periods: pack.periods.iter().map(|p| p.period.as_str()).collect(),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let head = serde_json::to_vec(&header)?;
    // `{"scale":…,"periods":[…]}` → `{"scale":…,"periods":[…],"rows":[` + rows + `]}`
    buf.extend_from_slice(&head[..head.len() - 1]);
    buf.extend_from_slice(b",\"rows\":[");
    out.write_all(&buf)?;
    write_rows(row_count(pack), out, &|buf, k| {
        buf.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
        // Rows hold text and numbers only; serde_json cannot fail on them.
        let _ = write_row(buf, &row(pack, rollup, false, k));
    })?;
    out.write_all(b"\n]}\n")?;
    Ok(())
}

fn write_row(buf: &mut Vec<u8>, r: &RollupRow) -> serde_json::Result<()> {
    let mut first = true;
    let mut key = |buf: &mut Vec<u8>, name: &str| {
        buf.extend_from_slice(if first { b"{\"" } else { b",\"" });
        first = false;
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(b"\":");
    };
    // Text with nothing to escape goes in as it is; anything else through serde_json.
    let text = |buf: &mut Vec<u8>, t: &str| {
        if t.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            buf.push(b'"');
            buf.extend_from_slice(t.as_bytes());
            buf.push(b'"');
            Ok(())
        } else {
            serde_json::to_writer(&mut *buf, t)
        }
    };
    let money = |buf: &mut Vec<u8>, m: Option<Money>| match m {
        Some(m) => {
            let mut tmp = [0u8; UNITS_BUF];
            buf.push(b'"');
            buf.extend_from_slice(format_units(&mut tmp, m.units, m.scale).as_bytes());
            buf.push(b'"');
        }
        None => buf.extend_from_slice(b"null"),
    };
    key(buf, "period");
    text(buf, r.period.text)?;
    key(buf, "node_id");
    text(buf, r.node_id.text)?;
    key(buf, "name");
    text(buf, r.name.text)?;
    key(buf, "level");
    text(buf, r.level.text)?;
    key(buf, "parent_id");
    text(buf, r.parent_id.text)?;
    key(buf, "depth");
    let mut tmp = [0u8; UNITS_BUF];
    buf.extend_from_slice(format_units(&mut tmp, i128::from(r.depth), 0).as_bytes());
    key(buf, "raw");
    money(buf, Some(r.raw));
    key(buf, "forecast");
    money(buf, Some(r.forecast));
    key(buf, "confidence");
    buf.push(b'"');
    buf.extend_from_slice(r.confidence.0.format_shortest(&mut tmp).as_bytes());
    buf.push(b'"');
    key(buf, "adjusted");
    money(buf, Some(r.adjusted));
    key(buf, "contribution");
    money(buf, Some(r.contribution));
    key(buf, "target");
    money(buf, r.target);
    key(buf, "gap");
    money(buf, r.gap);
    key(buf, "attainment");
    money(buf, r.attainment);
    key(buf, "own");
    money(buf, Some(r.own));
    key(buf, "own_contribution");
    money(buf, Some(r.own_contribution));
    key(buf, "reviewed");
    buf.extend_from_slice(if r.reviewed { b"true" } else { b"false" });
    key(buf, "note");
    text(buf, r.note.text)?;
    buf.push(b'}');
    Ok(())
}

/// Rows through serde_json, for the equality test.
#[cfg(test)]
pub fn rows_with_serde(pack: &Pack, rollup: &Rollup) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, row) in rows(pack, rollup, false).enumerate() {
        out.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut out, &row).unwrap();
    }
    out
}
