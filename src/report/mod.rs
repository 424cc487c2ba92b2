//! Renderers are pure functions of the roll-up returning bytes; placing files (write beside,
//! then rename) happens once, in [`write_outputs`].

pub mod audit;
pub mod csv;
pub mod json;
pub mod parquet;
pub mod review;
pub mod scenario;
pub mod summary;
pub mod template;
pub mod terminal;
pub mod xlsx;

use crate::model::Pack;
use crate::rollup::Printed;
use rayon::prelude::*;
use std::io::Write;

/// What goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The indented tree for a terminal or a projector.
    #[default]
    Table,
    /// rollup.csv, as written by --out.
    Csv,
    /// rollup.json, as written by --out.
    Json,
}

/// Rows rendered by `render_row` and written in order: in batches, each batch cut into one
/// part per thread, so that a large file keeps both cores busy while memory holds one batch.
pub fn write_rows(
    total: usize,
    out: &mut dyn Write,
    render_row: &(dyn Fn(&mut Vec<u8>, usize) + Sync),
) -> std::io::Result<()> {
    const BATCH: usize = 1 << 15;
    let parts = rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < total {
        let end = (start + BATCH).min(total);
        let step = (end - start).div_ceil(parts);
        let buffers: Vec<Vec<u8>> = (start..end)
            .step_by(step.max(1))
            .collect::<Vec<usize>>()
            .into_par_iter()
            .map(|from| {
                let mut buf = Vec::with_capacity(step * 160);
                for k in from..(from + step).min(end) {
                    render_row(&mut buf, k);
                }
                buf
            })
            .collect();
        for b in &buffers {
            out.write_all(b)?;
        }
        start = end;
    }
    Ok(())
}

/// Without a chosen depth, a tree shows the levels that fit in this many rows: a national
/// pack of 100,000 reps is read from the files, not from 110,000 lines on a projector.
pub const TREE_ROWS: usize = 200;

/// The deepest level whose items, with those of every level above, number at most `limit`
/// (the top level always shows): how much of a tree or a list of agendas fits on a screen.
/// `depths` is each item's depth.
pub fn levels_that_fit(depths: impl Iterator<Item = u32>, limit: usize) -> u32 {
    let mut per_level: Vec<usize> = Vec::new();
    for d in depths {
        let d = d as usize;
        if per_level.len() <= d {
            per_level.resize(d + 1, 0);
        }
        per_level[d] += 1;
    }
    let mut seen = 0;
    let mut shown = 0;
    for (d, n) in per_level.iter().enumerate() {
        seen += n;
        if seen > limit && d > 0 {
            break;
        }
        shown = d as u32;
    }
    shown
}

/// The marks of a node in a period: `▼` below target, `?` not reviewed, `!` a manager with
/// forecast lines of its own.
pub fn marks(
    pack: &Pack,
    inputs: &crate::model::PeriodInputs,
    printed: &Printed,
    v: crate::model::NodeIx,
) -> String {
    let i = v as usize;
    let mut marks = String::new();
    if printed.target.is_some_and(|t| printed.forecast < t) {
        marks.push('▼');
    }
    if v != pack.tree.root && inputs.confidence[i].is_none() {
        marks.push('?');
    }
    if !pack.tree.is_leaf(v) && inputs.lines[i] > 0 {
        marks.push('!');
    }
    marks
}

#[cfg(test)]
mod tests {
    use crate::contract::{Money, Ratio, RollupRow, Text, COLUMNS};
    use crate::exact::Exact;
    use proptest::prelude::*;

    /// Text a CRM export or a hostile file can hold: delimiters, quotes, line breaks, formula
    /// starts, control and bidi characters, backslashes, CJK and astral characters.
    fn hostile_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "",
            ",",
            "\"",
            "\"\"",
            "\n",
            "\r",
            "\r\n",
            "\t",
            "=",
            "+",
            "-",
            "@",
            "'",
            "\\",
            "\u{0}",
            "\u{1b}[31m",
            "\u{202e}",
            "\u{7f}",
            "#",
            ";",
            " ",
            "张三",
            "华东大区·王建国",
            "¥1,234",
            "😀",
            "a",
            "SUM(A1)",
            "\u{feff}",
        ]);
        prop::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
    }

    fn money() -> impl Strategy<Value = Money> {
        (any::<i64>(), 0u32..=10).prop_map(|(u, scale)| Money { units: i128::from(u), scale })
    }

    prop_compose! {
        fn rows()(texts in prop::collection::vec(hostile_text(), 6), depth in any::<u32>(),
                  m in prop::collection::vec(money(), 6), opt in prop::collection::vec(prop::option::of(money()), 3),
                  conf in (0i64..1_000_000, 0u32..6), reviewed in any::<bool>(), guard in any::<bool>())
                  -> (Vec<String>, u32, Vec<Money>, Vec<Option<Money>>, (i64, u32), bool, bool) {
            (texts, depth, m, opt, conf, reviewed, guard)
        }
    }

    proptest! {
        /// The cell-by-cell writers give exactly the bytes of serde through the csv crate and
        /// serde_json, on any text.
        #[test]
        fn writers_equal_serde_byte_for_byte_on_hostile_text(
            (texts, depth, m, opt, (cm, cs), reviewed, guard) in rows()
        ) {
            let t = |k: usize| Text { text: texts[k].as_str(), guard };
            let row = RollupRow {
                period: t(0),
                node_id: t(1),
                name: t(2),
                level: t(3),
                parent_id: t(4),
                depth,
                raw: m[0],
                forecast: m[1],
                confidence: Ratio(Exact::new(i128::from(cm), cs).unwrap()),
                adjusted: m[2],
                contribution: m[3],
                target: opt[0],
                gap: opt[1],
                attainment: opt[2],
                own: m[4],
                own_contribution: m[5],
                reviewed,
                note: t(5),
            };
            let mut serde_csv = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            serde_csv.serialize(&row).unwrap();
            let serde_csv = serde_csv.into_inner().unwrap();
            let header: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
            let mut fast = format!("{}\n", header.join(",")).into_bytes();
            super::csv::write_row(&mut fast, &row);
            prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&serde_csv));

            let plain = RollupRow { period: Text { guard: false, ..row.period }, ..row.clone() };
            let plain = RollupRow {
                node_id: Text { guard: false, ..plain.node_id },
                name: Text { guard: false, ..plain.name },
                level: Text { guard: false, ..plain.level },
                parent_id: Text { guard: false, ..plain.parent_id },
                note: Text { guard: false, ..plain.note },
                ..plain
            };
            let mut fast = Vec::new();
            super::json::write_row(&mut fast, &plain);
            let serde_json = serde_json::to_vec(&plain).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&serde_json));
        }
    }

    #[test]
    fn guards_formula_text_in_csv_only() {
        let csv = serde_json::to_string(&Text { text: "=1+2", guard: true }).unwrap();
        let json = serde_json::to_string(&Text { text: "=1+2", guard: false }).unwrap();
        assert_eq!((csv.as_str(), json.as_str()), ("\"'=1+2\"", "\"=1+2\""));
        let plain = serde_json::to_string(&Text { text: "张三", guard: true }).unwrap();
        assert_eq!(plain, "\"张三\"");
    }
}
