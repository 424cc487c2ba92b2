//! The agenda of every manager: their direct reports with the numbers the meeting argues about,
//! most important first.
//!
//! "Most important" is the money at stake on the line: the size of the manager's own judgment
//! on it (`|adjusted − forecast|`, a haircut or an uplift) plus how far it falls short of its
//! target (`max(0, target − forecast)`). Ties keep display order.

use crate::model::{NodeIx, Pack, PeriodInputs};
use crate::rollup::{PeriodRollup, Printed};

/// One direct report on a manager's agenda.
#[derive(Debug, Clone)]
pub struct Item {
    pub node: NodeIx,
    pub printed: Printed,
    /// The confidence the manager gave (shortest exact form); `None`: not reviewed.
    pub confidence: Option<crate::exact::Exact>,
    /// `adjusted − forecast`, money units.
    pub haircut: i128,
    /// What orders the agenda, money units.
    pub at_stake: i128,
    /// The reviewer's note (备注).
    pub note: String,
}

/// One manager's part of the meeting.
#[derive(Debug, Clone)]
pub struct Agenda {
    pub manager: NodeIx,
    pub printed: Printed,
    /// The manager's own lines, if any (a flag of its own).
    pub own_lines: u32,
    pub items: Vec<Item>,
}

/// Every manager's agenda, managers in display order.
pub fn build(pack: &Pack, inputs: &PeriodInputs, pr: &PeriodRollup) -> Vec<Agenda> {
    let tree = &pack.tree;
    let mut out = Vec::new();
    for &m in &tree.order {
        if tree.is_leaf(m) {
            continue;
        }
        let mut items: Vec<Item> = tree
            .children(m)
            .iter()
            .map(|&c| {
                let i = c as usize;
                let p = pr.printed[i];
                let haircut = p.adjusted - p.forecast;
                let short = p.target.map_or(0, |t| (t - p.forecast).max(0));
                let given = inputs.confidence[i];
                Item {
                    node: c,
                    printed: p,
                    confidence: given.map(|_| pr.confidence[i]),
                    haircut,
                    at_stake: haircut.abs() + short,
                    note: given
                        .map(|g| pack.confidence_rows[g.row as usize].note.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        // A stable sort keeps display order among equals.
        items.sort_by_key(|it| std::cmp::Reverse(it.at_stake));
        out.push(Agenda {
            manager: m,
            printed: pr.printed[m as usize],
            own_lines: inputs.lines[m as usize],
            items,
        });
    }
    out
}
