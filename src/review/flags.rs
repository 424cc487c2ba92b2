//! The flags: what the meeting must look at, each with its node and numbers. Each kind is a
//! small function over one period; [`find`] runs them all and lists flags by kind, then in
//! display order.

use super::ReviewOptions;
use crate::exact::Exact;
use crate::format::{grouped, share_limit};
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
    /// The numbers behind the flag, as printed.
    pub detail: String,
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
    fn money(&self, units: i128) -> String {
        grouped(units, self.ro.scale)
    }

    fn flag(&self, kind: Kind, node: NodeIx, detail: String) -> Flag {
        Flag { kind, node, detail }
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
            c.flag(
                Kind::NotReviewed,
                v,
                format!("forecast {} counted at confidence 1", c.money(p.forecast)),
            )
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
            let side = if c.pr.confidence[i] < lo { "below" } else { "above" };
            c.flag(
                Kind::OutsideBand,
                v,
                format!(
                    "confidence {} {side} the band {lo}–{hi}: forecast {} → adjusted {} ({})",
                    c.pr.confidence[i],
                    c.money(p.forecast),
                    c.money(p.adjusted),
                    signed(c, p.adjusted - p.forecast)
                ),
            )
        })
        .collect()
}

fn signed(c: &Ctx, units: i128) -> String {
    if units > 0 {
        format!("+{}", c.money(units))
    } else {
        c.money(units)
    }
}

fn manager_own_lines(c: &Ctx) -> Vec<Flag> {
    let tree = &c.pack.tree;
    nodes(c)
        .filter(|&(v, i)| !tree.is_leaf(v) && c.inputs.lines[i] > 0)
        .map(|(v, i)| {
            let n = c.inputs.lines[i];
            let unit = if n == 1 { "line" } else { "lines" };
            c.flag(
                Kind::ManagerOwnLines,
                v,
                format!("{n} own {unit}, {}", c.money(c.pr.printed[i].own)),
            )
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
        let diff = sum - target;
        let dir = if diff > 0 { "over" } else { "short" };
        let of = if with.len() == kids.len() {
            "children's targets".to_string()
        } else {
            format!("targets of {} of {} children", with.len(), kids.len())
        };
        out.push(c.flag(
            Kind::TargetsDoNotAddUp,
            v,
            format!(
                "{of} sum to {} against {}: {dir} by {}",
                c.money(sum),
                c.money(target),
                c.money(diff.abs())
            ),
        ));
    }
    out
}

fn target_without_forecast(c: &Ctx) -> Vec<Flag> {
    nodes(c)
        .filter_map(|(v, i)| {
            let t = c.pr.printed[i].target?;
            (c.lines[i] == 0).then(|| {
                c.flag(
                    Kind::TargetWithoutForecast,
                    v,
                    format!("target {}, no forecast line at or under it", c.money(t)),
                )
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
            c.flag(
                Kind::ForecastWithoutTarget,
                v,
                format!(
                    "forecast {}, no target while others at its level have one",
                    c.money(c.pr.printed[i].forecast)
                ),
            )
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
                c.flag(
                    Kind::RepConcentration,
                    v,
                    format!(
                        "raw {} is {} of {}'s {} (limit {})",
                        c.money(part),
                        crate::format::share(part, whole, c.ro.rounding),
                        super::who(c.pack, team),
                        c.money(whole),
                        share_limit(limit)
                    ),
                )
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
            out.push(c.flag(
                Kind::DealConcentration,
                v,
                format!(
                    "deal {} of {} is {} of {}'s {} (limit {})",
                    d.deal_id,
                    c.money(part),
                    crate::format::share(part, whole, c.ro.rounding),
                    super::who(c.pack, team),
                    c.money(whole),
                    share_limit(limit)
                ),
            ));
        }
    }
    out
}
