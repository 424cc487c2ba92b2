//! The layer waterfall: from the sum of every raw forecast line to the national forecast, one
//! step per hierarchy level, then the target and the gap.
//!
//! Stage `k` is the national total with the confidences given to the nodes at depth `k` and
//! below applied, and those above left at 1:
//! `S(k) = Σ adjusted(v) over depth k + Σ own(u) over depth < k`. `S(deepest + 1)` is the raw
//! total and `S(1)` the national forecast. The step of level `k` (the confidences that the
//! managers at depth `k − 1` gave their direct reports) is `S(k) − S(k + 1) = Σ (adjusted −
//! forecast) over depth k`. With printed values, `forecast(P) = Σ children adjusted + own(P)`
//! holds exactly, so the steps add up exactly, as printed, to the national forecast.

use crate::model::Pack;
use crate::rollup::{PeriodRollup, RATIO_SCALE};

/// One level's step.
#[derive(Debug, Clone)]
pub struct Step {
    /// The depth of the nodes whose confidence this step applies.
    pub depth: u32,
    /// The level labels of the managers who gave these confidences (depth − 1).
    pub given_by: String,
    /// The level labels of the nodes judged.
    pub on: String,
    /// The total before this step, money units.
    pub before: i128,
    /// What the confidences changed, money units (negative: a haircut).
    pub change: i128,
    /// `change / before` in units of 10^-4; `None` where `before` is zero.
    pub ratio: Option<i128>,
    /// The total after this step.
    pub after: i128,
}

/// One period's waterfall.
#[derive(Debug, Clone)]
pub struct Waterfall {
    /// Σ of every forecast line, no multipliers.
    pub raw: i128,
    /// From the deepest level up to the root's direct reports.
    pub steps: Vec<Step>,
    /// The national forecast: `raw + Σ steps`, exactly.
    pub forecast: i128,
    pub target: Option<i128>,
    /// `forecast − target`, money units.
    pub gap: Option<i128>,
    /// `forecast / target` in units of 10^-4 (the roll-up's, from the exact values).
    pub attainment: Option<i128>,
    /// `gap / target` in units of 10^-4, signed (−27.36% is 27.36% short of the target): the
    /// printed gap over the printed target, so that the row checks by hand. `None` without a
    /// target or where it is zero.
    pub gap_ratio: Option<i128>,
}

/// The distinct non-empty level labels of the nodes at `depth` (managers only if asked), in
/// display order, joined by `/`; `depth N` where none is given.
pub fn level_label(pack: &Pack, depth: u32, managers_only: bool) -> String {
    let tree = &pack.tree;
    let mut labels: Vec<&str> = Vec::new();
    for &v in &tree.order {
        if tree.depth[v as usize] != depth || (managers_only && tree.is_leaf(v)) {
            continue;
        }
        let l = pack.org[v as usize].level.as_str();
        if !l.is_empty() && !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        format!("depth {depth}")
    } else {
        labels.join("/")
    }
}

/// The waterfall of one period from its printed values.
pub fn build(pack: &Pack, pr: &PeriodRollup, mode: crate::exact::Rounding) -> Waterfall {
    let tree = &pack.tree;
    let max_depth = tree.depth.iter().copied().max().unwrap_or(0);
    let mut change = vec![0i128; max_depth as usize + 1];
    for &v in &tree.order {
        let i = v as usize;
        let p = &pr.printed[i];
        change[tree.depth[i] as usize] += p.adjusted - p.forecast;
    }
    let root = &pr.printed[tree.root as usize];
    let mut total = root.raw;
    let mut steps = Vec::new();
    for depth in (1..=max_depth).rev() {
        let c = change[depth as usize];
        steps.push(Step {
            depth,
            given_by: level_label(pack, depth - 1, true),
            on: level_label(pack, depth, false),
            before: total,
            change: c,
            ratio: crate::exact::div_round(c, total, RATIO_SCALE, mode),
            after: total + c,
        });
        total += c;
    }
    debug_assert_eq!(total, root.forecast, "the waterfall ties to the national forecast");
    Waterfall {
        raw: root.raw,
        steps,
        forecast: root.forecast,
        target: root.target,
        gap: root.gap,
        attainment: root.attainment,
        gap_ratio: root
            .gap
            .zip(root.target)
            .and_then(|(g, t)| crate::exact::div_round(g, t, RATIO_SCALE, mode)),
    }
}
