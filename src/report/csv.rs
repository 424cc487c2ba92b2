//! rollup.csv for finance: UTF-8 (BOM only with `--bom`), `\n` line ends, plain `.` decimals.

use super::rows;
use crate::model::Pack;
use crate::rollup::Rollup;
use std::io::Write;

/// Writes rollup.csv to `out`.
pub(crate) fn render(
    pack: &Pack,
    rollup: &Rollup,
    bom: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_writer(out);
    for row in rows(pack, rollup, true) {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(())
}
