//! The flags: what the meeting must look at, each with its node and numbers. Each kind is a
//! small function over one period; [`find`] runs them all and lists flags by kind, then in
//! display order.

use super::ReviewOptions;
use crate::exact::{div_round, Exact, RATIO_SCALE};
use crate::model::{Deal, NodeIx, Pack, PeriodInputs};
use crate::rollup::{PeriodRollup, RollupOptions};

/// What a flag is about, in the order flags are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    NotReviewed,
    OutsideBand,
    ManagerOwnLines,
    TargetsDoNotAddUp,
    TargetWithoutForecast,
    ForecastWithoutTarget,
    RepConcentration,
    DealConcentration,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::NotReviewed => "not reviewed (未评估)",
            Kind::OutsideBand => "confidence outside the band",
            Kind::ManagerOwnLines => "manager's own deals (主管不签单)",
            Kind::TargetsDoNotAddUp => "targets do not add up",
            Kind::TargetWithoutForecast => "target with no forecast",
            Kind::ForecastWithoutTarget => "forecast with no target",
            Kind::RepConcentration => "one rep carries the team",
            Kind::DealConcentration => "one deal carries the team",
        }
    }
}

/// One flag.
#[derive(Debug, Clone)]
pub struct Flag {
    pub kind: Kind,
    pub node: NodeIx,
    /// The numbers behind the flag, as printed (money in units of the roll-up's scale).
    pub detail: Detail,
}

/// The numbers behind a flag; the report puts them into words.
#[derive(Debug, Clone)]
pub enum Detail {
    /// Counted at confidence 1.
    NotReviewed {
        forecast: i128,
    },
    OutsideBand {
        confidence: Exact,
        low: Exact,
        high: Exact,
        forecast: i128,
        adjusted: i128,
    },
    ManagerOwnLines {
        lines: u32,
        own: i128,
    },
    /// `with` of the `children` have a target; theirs sum to `sum` against the node's `target`.
    TargetsDoNotAddUp {
        with: usize,
        children: usize,
        sum: i128,
        target: i128,
    },
    TargetWithoutForecast {
        target: i128,
    },
    ForecastWithoutTarget {
        forecast: i128,
    },
    /// A rep's (`deal_id: None`) or a deal's `part` of its `team`'s raw `whole`.
    Concentration {
        deal_id: Option<String>,
        part: i128,
        whole: i128,
        /// `part / whole` in units of 10^-3 (rounded by `--rounding`).
        share: Option<i128>,
        team: NodeIx,
        limit: Exact,
    },
}

struct Ctx<'a> {
    pack: &'a Pack,
    inputs: &'a PeriodInputs,
    pr: &'a PeriodRollup,
    deals: &'a [&'a Deal],
    options: &'a ReviewOptions,
    ro: RollupOptions,
    /// Forecast lines at or under each node.
    lines: Vec<u64>,
}

impl Ctx<'_> {
    fn flag(&self, kind: Kind, node: NodeIx, detail: Detail) -> Flag {
        Flag { kind, node, detail }
    }

    /// `part / whole` in units of 10^-3.
    fn share(&self, part: i128, whole: i128) -> Option<i128> {
        div_round(part, whole, RATIO_SCALE - 1, self.ro.rounding)
    }
}

/// Whether `part / whole > limit`, exactly (`whole > 0`).
fn above(part: i128, whole: i128, limit: Exact) -> bool {
    // part / whole > limit  ⇔  part > limit × whole, both sides exact.
    let (Some(w), Some(p)) = (Exact::new(whole, 0), Exact::new(part, 0)) else { return false };
    w.checked_mul(limit).is_some_and(|lw| p > lw)
}

type Check = fn(&Ctx) -> Vec<Flag>;

const CHECKS: &[Check] = &[
    not_reviewed,
    outside_band,
    manager_own_lines,
    targets_do_not_add_up,
    target_without_forecast,
    forecast_without_target,
    rep_concentration,
    deal_concentration,
];

/// Every flag of one period.
pub fn find(
    pack: &Pack,
    inputs: &PeriodInputs,
    pr: &PeriodRollup,
    deals: &[&Deal],
    options: &ReviewOptions,
    ro: RollupOptions,
) -> Vec<Flag> {
    let lines = super::subtree_lines(pack, &inputs.lines);
    let ctx = Ctx { pack, inputs, pr, deals, options, ro, lines };
    let mut rank = vec![0usize; pack.tree.len()];
    for (k, &v) in pack.tree.order.iter().enumerate() {
        rank[v as usize] = k;
    }
    let mut out: Vec<Flag> = CHECKS.iter().flat_map(|check| check(&ctx)).collect();
    // Stable: a kind's own order (a deal's size) survives among flags of one node.
    out.sort_by_key(|f| (f.kind, rank[f.node as usize]));
    out
}

fn nodes<'a>(c: &'a Ctx) -> impl Iterator<Item = (NodeIx, usize)> + 'a {
    c.pack.tree.order.iter().map(|&v| (v, v as usize))
}

fn not_reviewed(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    nodes(c)
        .filter(|&(v, i)| v != tree.root && c.inputs.confidence[i].is_none())
        .map(|(v, i)| {
            let p = &c.pr.printed[i];
            c.flag(Kind::NotReviewed, v, Detail::NotReviewed { forecast: p.forecast })
        })
        .collect()
}

fn outside_band(c: &Ctx) -> Vec<Flag> {
    let (lo, hi) = (c.options.band_low, c.options.band_high);
    nodes(c)
        .filter(|&(_, i)| c.inputs.confidence[i].is_some())
        .filter(|&(_, i)| c.pr.confidence[i] < lo || c.pr.confidence[i] > hi)
        .map(|(v, i)| {
            let p = &c.pr.printed[i];
            c.flag(
                Kind::OutsideBand,
                v,
                Detail::OutsideBand {
                    confidence: c.pr.confidence[i],
                    low: lo,
                    high: hi,
                    forecast: p.forecast,
                    adjusted: p.adjusted,
                },
            )
        })
        .collect()
}

fn manager_own_lines(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    nodes(c)
        .filter(|&(v, i)| !tree.is_leaf(v) && c.inputs.lines[i] > 0)
        .map(|(v, i)| {
            let (lines, own) = (c.inputs.lines[i], c.pr.printed[i].own);
            c.flag(Kind::ManagerOwnLines, v, Detail::ManagerOwnLines { lines, own })
        })
        .collect()
}

fn targets_do_not_add_up(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    let mut out = Vec::new();
    for (v, i) in nodes(c) {
        let Some(target) = c.pr.printed[i].target else { continue };
        let kids = tree.children(v);
        let with: Vec<i128> =
            kids.iter().filter_map(|&k| c.pr.printed[k as usize].target).collect();
        if with.is_empty() {
            continue;
        }
        let sum: i128 = with.iter().sum();
        if sum == target {
            continue;
        }
        let detail =
            Detail::TargetsDoNotAddUp { with: with.len(), children: kids.len(), sum, target };
        out.push(c.flag(Kind::TargetsDoNotAddUp, v, detail));
    }
    out
}

fn target_without_forecast(c: &Ctx) -> Vec<Flag> {
    nodes(c)
        .filter_map(|(v, i)| {
            let t = c.pr.printed[i].target?;
            (c.lines[i] == 0).then(|| {
                c.flag(Kind::TargetWithoutForecast, v, Detail::TargetWithoutForecast { target: t })
            })
        })
        .collect()
}

/// Only at depths where targets are set this period: a pack with targets down to the regions
/// does not flag every rep.
fn forecast_without_target(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    let max = tree.depth.iter().copied().max().unwrap_or(0) as usize;
    let mut targeted = vec![false; max + 1];
    for (_, i) in nodes(c) {
        if c.pr.printed[i].target.is_some() {
            targeted[tree.depth[i] as usize] = true;
        }
    }
    nodes(c)
        .filter(|&(_, i)| {
            c.lines[i] > 0 && c.pr.printed[i].target.is_none() && targeted[tree.depth[i] as usize]
        })
        .map(|(v, i)| {
            let forecast = c.pr.printed[i].forecast;
            c.flag(Kind::ForecastWithoutTarget, v, Detail::ForecastWithoutTarget { forecast })
        })
        .collect()
}

/// A rep whose raw is more than the set share of its team's raw (teams of two or more).
fn rep_concentration(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    let limit = c.options.concentration;
    nodes(c)
        .filter(|&(v, _)| v != tree.root && tree.is_leaf(v))
        .filter_map(|(v, i)| {
            let team = tree.parent[i];
            let whole = c.pr.printed[team as usize].raw;
            let part = c.pr.printed[i].raw;
            (tree.children(team).len() >= 2 && whole > 0 && above(part, whole, limit)).then(|| {
                let share = c.share(part, whole);
                let detail =
                    Detail::Concentration { deal_id: None, part, whole, share, team, limit };
                c.flag(Kind::RepConcentration, v, detail)
            })
        })
        .collect()
}

/// A deal (with a deal_id) worth more than the set share of its team's raw: the team of a rep
/// is its manager's group; a manager's own deal is measured against the manager's group.
fn deal_concentration(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    let limit = c.options.concentration;
    let mut out = Vec::new();
    let mut deals: Vec<&&Deal> = c.deals.iter().filter(|d| !d.deal_id.is_empty()).collect();
    deals.sort_by_key(|d| std::cmp::Reverse(d.amount));
    for d in deals {
        let v = d.node;
        let team = if tree.is_leaf(v) && v != tree.root { tree.parent[v as usize] } else { v };
        let whole = c.pr.printed[team as usize].raw;
        let Some(part) = d.amount.round_units(c.ro.scale, c.ro.rounding) else { continue };
        if whole > 0 && above(part, whole, limit) {
            let detail = Detail::Concentration {
                deal_id: Some(d.deal_id.clone()),
                part,
                whole,
                share: c.share(part, whole),
                team,
                limit,
            };
            out.push(c.flag(Kind::DealConcentration, v, detail));
        }
    }
    out
}
