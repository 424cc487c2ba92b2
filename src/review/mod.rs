//! The 扒皮会 review: what a sales-ops lead prepares for the forecast review meeting, computed
//! from a validated pack and its roll-up.
//!
//! Per period: the layer waterfall ([`waterfall`]), the agenda of every manager ([`agenda`]),
//! the flags ([`flags`]) and, with `--previous`, what moved since the last review ([`moved`]).
//! With `--history`, whose judgment to trust ([`history`]). Every money value shown is a
//! printed value of a roll-up (integer units of `10^-scale`), so every number in the review
//! adds up exactly as printed. The renderers live in `report::review`.

pub mod agenda;
pub mod flags;
pub mod history;
pub mod moved;
pub mod waterfall;

use crate::exact::Exact;
use crate::model::{Deal, NodeIx, Pack};
use crate::pipeline;
use crate::problem::{Failure, FileKind, Outcome, Problem, Problems};
use crate::rollup::Rollup;
use crate::t;
use crate::text::Text;
use std::path::PathBuf;

/// The last review to compare with.
#[derive(Debug, Clone)]
pub enum Previous {
    /// Its pack folder: changes deal by deal.
    Pack(PathBuf),
    /// The rollup.json that `run --out` wrote: changes node by node only.
    RollupJson(PathBuf),
}

/// `review`'s thresholds and comparisons, resolved from the flags.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// A confidence strictly below this is flagged.
    pub band_low: Exact,
    /// A confidence strictly above this is flagged.
    pub band_high: Exact,
    /// A rep or deal carrying strictly more than this share of its team's raw is flagged.
    pub concentration: Exact,
    /// Pseudo-periods in which a rep booked exactly their forecast, added to their record.
    pub prior_periods: u32,
    /// Rows per list in the terminal.
    pub top: usize,
    pub previous: Option<Previous>,
}

/// One period's review.
#[derive(Debug)]
pub struct PeriodReview {
    /// Index into `pack.periods` and `rollup.periods`.
    pub index: usize,
    pub waterfall: waterfall::Waterfall,
    pub agenda: Vec<agenda::Agenda>,
    pub flags: Vec<flags::Flag>,
    pub moved: Option<moved::Moved>,
}

/// The whole review, ready to render.
#[derive(Debug)]
pub struct Review<'a> {
    pub pack: &'a Pack,
    pub rollup: &'a Rollup,
    pub options: ReviewOptions,
    pub periods: Vec<PeriodReview>,
    /// What `--previous` named, as typed, and whether deal-level changes were possible.
    pub previous: Option<(String, bool)>,
    pub history: Option<history::History>,
    /// Set when the review is of a scenario (`pack` and `rollup` are then the scenario's):
    /// the pack as given and the changes.
    pub baseline: Option<Baseline<'a>>,
}

/// The pack as given (the baseline) beside a review of a scenario, and the scenario's changes.
#[derive(Debug, Clone, Copy)]
pub struct Baseline<'a> {
    pub pack: &'a Pack,
    pub rollup: &'a Rollup,
    pub scenario: &'a crate::scenario::Scenario,
}

impl Review<'_> {
    pub fn scale(&self) -> u32 {
        self.rollup.opts.scale
    }

    /// `Name (ID)`, or the id alone where the name is empty.
    pub fn who(&self, v: NodeIx) -> String {
        who(self.pack, v)
    }
}

pub fn who(pack: &Pack, v: NodeIx) -> String {
    let r = &pack.org[v as usize];
    crate::format::who(&r.name, &r.id)
}

/// A value of the review that needs more than 38 digits to be exact: an input problem (the
/// amounts and confidences in `file`), never rounded.
pub fn too_many_digits(file: FileKind, what: Text) -> Failure {
    let mut ps = Problems::default();
    ps.push(Problem::file(file, what).hint(t!(
        "amounts times the confidences of every level above: give confidences fewer decimals",
        "金额乘以上面每一层的信心指数：请减少信心指数的小数位"
    )));
    Failure::Input(ps)
}

/// Number of forecast lines at or under each node, in one period.
pub fn subtree_lines(pack: &Pack, lines: &[u32]) -> Vec<u64> {
    let tree = &pack.tree;
    let mut out: Vec<u64> = lines.iter().map(|&n| u64::from(n)).collect();
    for &v in tree.order.iter().rev() {
        if v != tree.root {
            let p = tree.parent[v as usize] as usize;
            out[p] += out[v as usize];
        }
    }
    out
}

/// What the pack under review is compared with, read by the pipeline.
pub enum Compared {
    /// The last review's pack, rolled up (deal by deal).
    Pack(Box<pipeline::Checked>),
    /// The last review's rollup.json (node by node).
    RollupJson(moved::Before),
}

/// Computes the review of a validated pack (read with its deals) against the previous review
/// and the history, if given.
pub fn build<'a>(
    pack: &'a Pack,
    rollup: &'a Rollup,
    options: &ReviewOptions,
    previous: Option<Compared>,
    history: Option<pipeline::History>,
) -> Outcome<Review<'a>> {
    let previous = match previous {
        None => None,
        Some(Compared::Pack(checked)) => Some(moved::Before::from_pack(*checked)),
        Some(Compared::RollupJson(before)) => Some(before),
    };
    let mut periods = Vec::with_capacity(pack.periods.len());
    for (index, (inputs, pr)) in pack.periods.iter().zip(&rollup.periods).enumerate() {
        let period_deals: Vec<&Deal> =
            pack.deals.iter().filter(|d| d.period as usize == index).collect();
        let moved = match &previous {
            Some(b) => Some(moved::compare(pack, rollup, index, &period_deals, b)?),
            None => None,
        };
        periods.push(PeriodReview {
            index,
            waterfall: waterfall::build(pack, pr, rollup.opts.rounding),
            agenda: agenda::build(pack, inputs, pr),
            flags: flags::find(pack, inputs, pr, &period_deals, options, rollup.opts),
            moved,
        });
    }
    let history = match history {
        Some(h) => Some(history::judge(h, pack, rollup, options, rollup.opts)?),
        None => None,
    };
    Ok(Review {
        pack,
        rollup,
        options: options.clone(),
        periods,
        previous: options.previous.as_ref().map(|p| match p {
            Previous::Pack(d) => (pipeline::display(d), true),
            Previous::RollupJson(f) => (pipeline::display(f), false),
        }),
        history,
        baseline: None,
    })
}
