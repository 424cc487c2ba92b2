//! The deal lines of a pack, which the roll-up does not keep (it folds them into per-rep sums
//! as it streams). The review reads forecasts.csv once more, plainly, for the deal-level bridge
//! and the concentration flags. The pack has been validated by then, so rows the engine
//! refused cannot appear; a line whose rep or period is not in the pack is skipped.

use crate::exact::Exact;
use crate::load::number::{cell_message, parse_amount};
use crate::load::{cell, headers, read_table, InputFile, ReadOptions};
use crate::model::{NodeIx, Pack};
use crate::problem::{Problem, Problems, Source};
use std::collections::{BTreeMap, HashMap};

/// One deal of one rep (or manager) in one period: the sum of its lines.
#[derive(Debug, Clone)]
pub(crate) struct Deal {
    pub node: NodeIx,
    /// Index into `pack.periods`.
    pub period: u32,
    /// As given; empty for the lines without a deal_id, summed into one item per node.
    pub deal_id: String,
    pub amount: Exact,
}

/// Reads the pack's forecasts.csv into deals, sorted by period, node and deal_id.
pub(crate) fn read(
    file: &InputFile,
    pack: &Pack,
    opts: ReadOptions,
    problems: &mut Problems,
) -> anyhow::Result<Option<Vec<Deal>>> {
    let mut node_of: HashMap<&str, NodeIx> = HashMap::with_capacity(pack.org.len());
    for (i, r) in pack.org.iter().enumerate() {
        node_of.entry(r.id.as_str()).or_insert(i as NodeIx);
    }
    let period_of: HashMap<&str, u32> =
        pack.periods.iter().enumerate().map(|(i, p)| (p.period.as_str(), i as u32)).collect();
    let mut sums: BTreeMap<(u32, NodeIx, String), Exact> = BTreeMap::new();
    let mut overflow = false;
    let table =
        read_table(file, headers::FORECASTS, opts, problems, |line, rec, cols, problems| {
            let (Some(&node), Some(&period)) =
                (node_of.get(cell(rec, cols, 0)), period_of.get(cell(rec, cols, 1)))
            else {
                return;
            };
            let raw = cell(rec, cols, 2);
            let amount = match parse_amount(raw) {
                Ok(d) => Exact::from_decimal(d),
                Err(e) => {
                    let src = Source::new(file.kind, line);
                    problems.push(Problem::at(src, cell_message(raw, &e)).column(cols.label(2)));
                    return;
                }
            };
            let key = (period, node, cell(rec, cols, 3).to_string());
            let sum = sums.entry(key).or_insert(Exact::ZERO);
            match sum.checked_add(amount) {
                Some(s) => *sum = s,
                None => overflow = true,
            }
        })?;
    if overflow {
        anyhow::bail!("a deal's lines in {} add up to more than 38 digits", file.display);
    }
    Ok(table.map(|_| {
        sums.into_iter()
            .map(|((period, node, deal_id), amount)| Deal { node, period, deal_id, amount })
            .collect()
    }))
}
