//! rollup.csv for finance: UTF-8 (BOM only with `--bom`), `\n` line ends, plain `.` decimals.

use super::rows;
use crate::model::Pack;
use crate::rollup::Rollup;

/// Renders rollup.csv.
pub(crate) fn render(pack: &Pack, rollup: &Rollup, bom: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(pack.tree.len() * pack.periods.len() * 120 + 256);
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    for row in rows(pack, rollup, true) {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}
