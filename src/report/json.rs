//! rollup.json: the same rows as rollup.csv (text not formula-guarded), plus the settings that
//! produced them. Money and ratios are JSON strings holding the exact printed decimal, so no
//! JSON parser turns them into binary floating point. One row per line keeps diffs readable.

use super::rows;
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

/// Writes rollup.json to `out`.
pub(crate) fn render(pack: &Pack, rollup: &Rollup, out: &mut dyn Write) -> anyhow::Result<()> {
    let header = Header {
        scale: rollup.opts.scale,
        ratio_scale: RATIO_SCALE,
        rounding: rollup.opts.rounding.as_str(),
        periods: pack.periods.iter().map(|p| p.period.as_str()).collect(),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let head = serde_json::to_vec(&header)?;
    // `{"scale":…,"periods":[…]}` → `{"scale":…,"periods":[…],"rows":[` + rows + `]}`
    out.write_all(&head[..head.len() - 1])?;
    out.write_all(b",\"rows\":[")?;
    for (k, row) in rows(pack, rollup, false).enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &row)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(())
}
