//! The roll-up: exact values per node and period, then the printed values, allocated so that
//! every total ties exactly as printed.
//!
//! Exact pass (per period, periods in parallel): bottom-up in reverse display order, `raw` and
//! `forecast` of a node are its own lines plus its children's `raw` / `adjusted`, and
//! `adjusted = forecast × confidence`. Top-down, `mult` (the product of every strict ancestor's
//! confidence) gives `contribution = adjusted × mult` and, for the node's own lines,
//! `own_contribution = own × confidence × mult`. Nothing is rounded; a value that would need
//! more than 38 digits is a problem naming the node.
//!
//! Printed pass: each printed value is the exact value rounded to `scale` decimals, except where
//! a group must add up to a printed total. Top-down, for each node the group "children + own
//! lines" must sum to the node's printed `raw` (and `forecast`, and `contribution`). The
//! rounding residue (a few units of the last decimal) is allocated by the largest-remainder
//! method: the items whose exact values were rounded the furthest the other way move one unit,
//! ties broken by display order. So every printed value is within one unit of its exact value,
//! and every total ties to the last decimal. Where two cells hold the same exact number (a
//! confidence of 1 makes `adjusted` equal `forecast`), the allocation moves them last, so that
//! they print the same whenever possible.

use crate::exact::{Exact, Rounding};
use crate::model::{NodeIx, Pack, PeriodInputs, Tree};
use crate::problem::{quoted, Problem, Problems};
use crate::t;
use rayon::prelude::*;

/// How values are printed.
#[derive(Debug, Clone, Copy)]
pub struct RollupOptions {
    /// Decimals of money.
    pub scale: u32,
    pub rounding: Rounding,
}

pub use crate::exact::RATIO_SCALE;

/// One node's exact values in one period.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExactRow {
    pub own: Exact,
    pub raw: Exact,
    pub forecast: Exact,
    pub confidence: Exact,
    pub adjusted: Exact,
    pub contribution: Exact,
    pub own_contribution: Exact,
}

/// One node's printed values in one period: money in units of `10^-scale`, attainment in units
/// of `10^-4`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Printed {
    pub raw: i128,
    pub forecast: i128,
    pub adjusted: i128,
    pub contribution: i128,
    pub own: i128,
    pub own_contribution: i128,
    pub target: Option<i128>,
    pub gap: Option<i128>,
    pub attainment: Option<i128>,
}

/// One period's roll-up. The exact values are dropped once printed (at 100,000 reps they
/// would be the largest thing in memory); the confidences are kept for display.
#[derive(Debug)]
pub struct PeriodRollup {
    /// The confidence of each node, normalized (1 for the root and where none was given).
    pub confidence: Vec<Exact>,
    /// The product of the confidences on the path from each node up to the root, its own
    /// included: what one unit of the node's own lines is worth in the national forecast.
    pub national: Vec<Exact>,
    pub printed: Vec<Printed>,
}

/// The whole roll-up, periods in the pack's order.
#[derive(Debug)]
pub struct Rollup {
    pub opts: RollupOptions,
    pub periods: Vec<PeriodRollup>,
}

/// Rolls up every period in parallel; results are collected in period order.
pub fn compute(pack: &Pack, opts: RollupOptions) -> Result<Rollup, Problems> {
    let results: Vec<Result<PeriodRollup, Problem>> =
        pack.periods.par_iter().map(|p| period(pack, p, opts)).collect();
    let mut problems = Problems::default();
    let mut periods = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => periods.push(p),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(Rollup { opts, periods })
    } else {
        problems.finish();
        Err(problems)
    }
}

fn too_big(pack: &Pack, inputs: &PeriodInputs, v: NodeIx, what: &str) -> Problem {
    let r = &pack.org[v as usize];
    let what = match what {
        "raw forecast" => t!("raw forecast", "原始预测"),
        "forecast" => t!("forecast", "预测"),
        "adjusted forecast" => t!("adjusted forecast", "调整后预测"),
        "own lines" => t!("own lines", "本人签单"),
        "contribution" => t!("contribution", "贡献"),
        "target" => t!("target", "目标"),
        other => t!("{}", "{}", other),
    };
    Problem::at(
        r.src,
        t!(
            "{0}'s {2} for period {1} needs more than 38 digits to be exact",
            "{0} 在期间 {1} 的{2}需要超过 38 位数字才能精确表示",
            quoted(&r.id),
            quoted(&inputs.period),
            what
        ),
    )
    .hint(t!(
        "amounts times the confidences of every level above: give confidences fewer decimals",
        "金额乘以上面每一层的信心指数：请减少信心指数的小数位"
    ))
}

fn period(
    pack: &Pack,
    inputs: &PeriodInputs,
    opts: RollupOptions,
) -> Result<PeriodRollup, Problem> {
    let (exact, national) = exact_pass(pack, inputs)?;
    let printed = printed_pass(pack, inputs, &exact, opts)?;
    let confidence = exact.iter().map(|e| e.confidence).collect();
    Ok(PeriodRollup { confidence, national, printed })
}

/// The exact values of every node, and each node's national multiplier.
fn exact_pass(pack: &Pack, inputs: &PeriodInputs) -> Result<(Vec<ExactRow>, Vec<Exact>), Problem> {
    let tree = &pack.tree;
    let n = tree.len();
    let mut rows: Vec<ExactRow> = (0..n)
        .map(|v| ExactRow {
            own: inputs.own[v],
            raw: inputs.own[v],
            forecast: inputs.own[v],
            confidence: match inputs.confidence[v] {
                Some(g) if v as NodeIx != tree.root => g.value.normalized(),
                _ => Exact::ONE,
            },
            ..ExactRow::default()
        })
        .collect();
    // Children come after their parent in pre-order, so reverse pre-order finishes every child
    // before its parent.
    for &v in tree.order.iter().rev() {
        let i = v as usize;
        let row = rows[i];
        let adjusted = row
            .forecast
            .checked_mul(row.confidence)
            .ok_or_else(|| too_big(pack, inputs, v, "adjusted forecast"))?;
        rows[i].adjusted = adjusted;
        if v != tree.root {
            let p = tree.parent[i] as usize;
            let parent = &mut rows[p];
            parent.raw = parent
                .raw
                .checked_add(row.raw)
                .ok_or_else(|| too_big(pack, inputs, v, "raw forecast"))?;
            parent.forecast = parent
                .forecast
                .checked_add(adjusted)
                .ok_or_else(|| too_big(pack, inputs, v, "forecast"))?;
        }
    }
    // Top-down: the product of the confidences of every strict ancestor.
    let mut mult = vec![Exact::ONE; n];
    let mut national = vec![Exact::ONE; n];
    for &v in &tree.order {
        let i = v as usize;
        if v != tree.root {
            let p = tree.parent[i] as usize;
            mult[i] = mult[p]
                .checked_mul(rows[p].confidence)
                .ok_or_else(|| too_big(pack, inputs, v, "contribution"))?;
        }
        let row = &mut rows[i];
        national[i] = row
            .confidence
            .checked_mul(mult[i])
            .ok_or_else(|| too_big(pack, inputs, v, "contribution"))?;
        row.contribution = row
            .adjusted
            .checked_mul(mult[i])
            .ok_or_else(|| too_big(pack, inputs, v, "contribution"))?;
        row.own_contribution = row
            .own
            .checked_mul(national[i])
            .ok_or_else(|| too_big(pack, inputs, v, "contribution"))?;
    }
    Ok((rows, national))
}

/// How freely the allocation may move an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pin {
    /// Rounded on its own; moves first.
    Free,
    /// Printed like another cell holding the same exact value; moves only if it must.
    Soft,
    /// Already printed elsewhere; never moves.
    Hard,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    floor: i128,
    /// The fraction below `floor`'s next unit, as a comparable key (0: exact at this scale).
    frac: u128,
    value: i128,
    pin: Pin,
}

/// Rounds exact values to units of `10^-scale` that add up to `total` (the printed total),
/// by the same largest-remainder rule as every group of the roll-up. `None` if a value does
/// not fit.
pub fn allocate_exact(exact: &[Exact], total: i128, opts: RollupOptions) -> Option<Vec<i128>> {
    let mut items = Vec::with_capacity(exact.len());
    for x in exact {
        let (floor, frac) = x.floor_units(opts.scale)?;
        let value = x.round_units(opts.scale, opts.rounding)?;
        items.push(Item { floor, frac, value, pin: Pin::Free });
    }
    allocate(total, &mut items).then(|| items.iter().map(|it| it.value).collect())
}

/// Makes `items` sum to `total` by moving the fewest, most-deserving items one unit.
/// Returns `false` only if no item may move (a bug, reported as such).
fn allocate(total: i128, items: &mut [Item]) -> bool {
    let sum: i128 = items.iter().map(|it| it.value).sum();
    let mut diff = total - sum;
    if diff == 0 {
        return true;
    }
    let step: i128 = diff.signum();
    let mut candidates: Vec<usize> = (0..items.len())
        .filter(|&i| {
            let it = items[i];
            it.pin != Pin::Hard
                && it.frac > 0
                && if step > 0 { it.value == it.floor } else { it.value == it.floor + 1 }
        })
        .collect();
    // Up: largest fraction first (rounded down the most). Down: smallest fraction first.
    candidates.sort_by_key(|&i| {
        let it = items[i];
        (it.pin, if step > 0 { u128::MAX - it.frac } else { it.frac }, i)
    });
    for i in candidates {
        if diff == 0 {
            break;
        }
        items[i].value += step;
        diff -= step;
    }
    if diff == 0 {
        return true;
    }
    // Out of items that may move within a unit of their exact values: spread what is left
    // over the movable items in order. This keeps the tie; it is reachable only when a hard
    // pinned cell took the other side of a rounding.
    let movable: Vec<usize> = (0..items.len()).filter(|&i| items[i].pin != Pin::Hard).collect();
    if movable.is_empty() {
        return false;
    }
    let len = movable.len() as i128;
    let (each, rest) = (diff / len, diff % len);
    for (k, &i) in movable.iter().enumerate() {
        items[i].value += each + if (k as i128) < rest.abs() { rest.signum() } else { 0 };
    }
    true
}

/// The printed value of the root's own lines that lets both root groups reach their plainly
/// rounded totals: `raw` (children's raw + own) and `forecast` (children's adjusted + own).
/// `None` if no neighbour of the exact value does (then the allocation chooses as elsewhere).
#[allow(clippy::too_many_arguments)]
fn root_own_value(
    raw_children: &[Item],
    own: Item,
    exact: &[ExactRow],
    tree: &Tree,
    root: NodeIx,
    round: impl Fn(Exact, NodeIx, &str) -> Result<i128, Problem>,
    item: impl Fn(Exact, i128, Pin, NodeIx, &str) -> Result<Item, Problem>,
) -> Result<Option<i128>, Problem> {
    let r = root as usize;
    let raw_total = round(exact[r].raw, root, "raw forecast")?;
    let forecast_total = round(exact[r].forecast, root, "forecast")?;
    let mut adjusted = Vec::with_capacity(raw_children.len());
    for &c in tree.children(root) {
        let x = exact[c as usize].adjusted;
        adjusted.push(item(x, 0, Pin::Free, c, "adjusted forecast")?);
    }
    let (raw_lo, raw_hi) = reach(raw_children);
    let (adj_lo, adj_hi) = reach(&adjusted);
    let mut candidates = vec![own.value, own.floor];
    if own.frac > 0 {
        candidates.push(own.floor + 1);
    }
    Ok(candidates.into_iter().find(|&o| {
        (raw_lo..=raw_hi).contains(&(raw_total - o))
            && (adj_lo..=adj_hi).contains(&(forecast_total - o))
    }))
}

/// The smallest and largest sums a group can be allocated to, moving each item at most to the
/// neighbours of its exact value.
fn reach(items: &[Item]) -> (i128, i128) {
    items.iter().fold((0, 0), |(lo, hi), it| match it.pin {
        Pin::Hard => (lo + it.value, hi + it.value),
        _ => (lo + it.floor, hi + it.floor + i128::from(it.frac > 0)),
    })
}

fn printed_pass(
    pack: &Pack,
    inputs: &PeriodInputs,
    exact: &[ExactRow],
    opts: RollupOptions,
) -> Result<Vec<Printed>, Problem> {
    let tree: &Tree = &pack.tree;
    let n = tree.len();
    let (scale, mode) = (opts.scale, opts.rounding);
    let round = |x: Exact, v: NodeIx, what: &str| {
        x.round_units(scale, mode).ok_or_else(|| too_big(pack, inputs, v, what))
    };
    let item = |x: Exact, value: i128, pin: Pin, v: NodeIx, what: &str| -> Result<Item, Problem> {
        let (floor, frac) = x.floor_units(scale).ok_or_else(|| too_big(pack, inputs, v, what))?;
        Ok(Item { floor, frac, value, pin })
    };
    let bug = |v: NodeIx| too_big(pack, inputs, v, "rounding allocation");
    let mut out = vec![Printed::default(); n];
    let mut items: Vec<Item> = Vec::new();
    let root = tree.root;

    // raw: the root rounded, then each group of children + own lines.
    out[root as usize].raw = round(exact[root as usize].raw, root, "raw forecast")?;
    for &v in &tree.order {
        let i = v as usize;
        if tree.is_leaf(v) {
            out[i].own = out[i].raw;
            out[i].forecast = out[i].raw;
            continue;
        }
        items.clear();
        for &c in tree.children(v) {
            let x = exact[c as usize].raw;
            items.push(item(x, round(x, c, "raw forecast")?, Pin::Free, c, "raw forecast")?);
        }
        let own = exact[i].own;
        let mut own_item = item(own, round(own, v, "own lines")?, Pin::Soft, v, "own lines")?;
        if v == root {
            // The root's own lines are printed once but sit in both of the root's groups. Pick
            // their cent so that the root's forecast, like its raw, can print plainly rounded.
            if let Some(value) = root_own_value(&items, own_item, exact, tree, v, round, item)? {
                own_item.value = value;
                own_item.pin = Pin::Hard;
            }
        }
        items.push(own_item);
        if !allocate(out[i].raw, &mut items) {
            return Err(bug(v));
        }
        for (&c, it) in tree.children(v).iter().zip(&items) {
            out[c as usize].raw = it.value;
        }
        out[i].own = items[items.len() - 1].value;
    }

    // forecast and adjusted: each manager's forecast is split over its children's adjusted
    // and its own lines (printed above, so they stay put). A manager's printed forecast is
    // chosen when its group is allocated: its plain rounding (or, at confidence 1, its printed
    // adjusted, the same exact value) if the group can reach it, else the other neighbour of
    // the exact value, which the group can always reach.
    for &v in &tree.order {
        let i = v as usize;
        if tree.is_leaf(v) {
            continue;
        }
        items.clear();
        for &c in tree.children(v) {
            let e = &exact[c as usize];
            let it = if tree.is_leaf(c) && e.confidence.is_one() {
                item(e.adjusted, out[c as usize].forecast, Pin::Soft, c, "adjusted forecast")?
            } else {
                item(
                    e.adjusted,
                    round(e.adjusted, c, "adjusted forecast")?,
                    Pin::Free,
                    c,
                    "adjusted forecast",
                )?
            };
            items.push(it);
        }
        items.push(item(exact[i].own, out[i].own, Pin::Hard, v, "own lines")?);
        let (lo, hi) = reach(&items);
        let (floor, frac) = exact[i]
            .forecast
            .floor_units(scale)
            .ok_or_else(|| too_big(pack, inputs, v, "forecast"))?;
        // The printed values within one unit of the exact one: itself if it has no more
        // decimals than are printed, else the two around it.
        let neighbour = |x: i128| x == floor || (frac > 0 && x == floor + 1);
        // What the group adds up to before anything moves: printing that moves no child.
        let natural: i128 = items.iter().map(|it| it.value).sum();
        let natural = neighbour(natural).then_some(natural);
        let plain = round(exact[i].forecast, v, "forecast")?;
        let mut prefer = Vec::with_capacity(5);
        if v == root {
            prefer.push(plain);
        } else if exact[i].confidence.is_one() {
            prefer.push(out[i].adjusted);
        }
        prefer.extend(natural);
        prefer.extend([plain, floor, floor + 1]);
        let forecast = prefer
            .iter()
            .copied()
            .find(|&x| neighbour(x) && (lo..=hi).contains(&x))
            .or_else(|| prefer.iter().copied().find(|x| (lo..=hi).contains(x)))
            .unwrap_or(lo);
        out[i].forecast = forecast;
        if !allocate(forecast, &mut items) {
            return Err(bug(v));
        }
        for (&c, it) in tree.children(v).iter().zip(&items) {
            out[c as usize].adjusted = it.value;
        }
    }
    let r = root as usize;
    out[r].adjusted = out[r].forecast;

    // contribution: the root's is its forecast; each node's is split over its children's
    // contributions and its own lines' contribution.
    out[r].contribution = out[r].adjusted;
    for &v in &tree.order {
        let i = v as usize;
        items.clear();
        for &c in tree.children(v) {
            let e = &exact[c as usize];
            let same_as_adjusted = e.contribution == e.adjusted;
            items.push(if same_as_adjusted {
                item(e.contribution, out[c as usize].adjusted, Pin::Soft, c, "contribution")?
            } else {
                item(
                    e.contribution,
                    round(e.contribution, c, "contribution")?,
                    Pin::Free,
                    c,
                    "contribution",
                )?
            });
        }
        let e = &exact[i];
        items.push(if e.own_contribution == e.own {
            item(e.own_contribution, out[i].own, Pin::Soft, v, "contribution")?
        } else {
            item(
                e.own_contribution,
                round(e.own_contribution, v, "contribution")?,
                Pin::Free,
                v,
                "contribution",
            )?
        });
        if !allocate(out[i].contribution, &mut items) {
            return Err(bug(v));
        }
        for (&c, it) in tree.children(v).iter().zip(&items) {
            out[c as usize].contribution = it.value;
        }
        out[i].own_contribution = items[items.len() - 1].value;
    }

    // target and gap: the gap is printed forecast − printed target, so that each row checks
    // by hand. attainment is a ratio, not money: it is the exact forecast over the exact
    // target, rounded once.
    for (v, p) in out.iter_mut().enumerate() {
        if let Some(t) = inputs.target[v] {
            let node = v as NodeIx;
            let printed = round(t, node, "target")?;
            p.target = Some(printed);
            p.gap = Some(p.forecast - printed);
            p.attainment = if t.is_zero() {
                None
            } else {
                let r = exact[v].forecast.ratio_units(t, RATIO_SCALE, mode);
                Some(r.ok_or_else(|| too_big(pack, inputs, node, "attainment"))?)
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it(x: &str, pin: Pin) -> Item {
        let e = Exact::from_decimal(x.parse().unwrap());
        let (floor, frac) = e.floor_units(2).unwrap();
        Item { floor, frac, value: e.round_units(2, Rounding::HalfUp).unwrap(), pin }
    }

    fn values(items: &[Item]) -> Vec<i128> {
        items.iter().map(|i| i.value).collect()
    }

    #[test]
    fn allocates_residues_to_the_largest_remainders() {
        // 1/3 each: rounds to 0.33 × 3 = 0.99, the total is 1.00.
        let mut items =
            vec![it("0.333", Pin::Free), it("0.3334", Pin::Free), it("0.3336", Pin::Free)];
        assert!(allocate(100, &mut items));
        assert_eq!(values(&items), vec![33, 33, 34]);
    }

    #[test]
    fn takes_back_from_the_smallest_remainders() {
        // 0.665 + 0.665 + 0.67 → 0.67 × 3 = 2.01, the total is 2.00.
        let mut items =
            vec![it("0.666", Pin::Free), it("0.665", Pin::Free), it("0.669", Pin::Free)];
        assert!(allocate(200, &mut items));
        assert_eq!(values(&items), vec![67, 66, 67]);
    }

    #[test]
    fn moves_soft_pinned_items_last_and_hard_pinned_never() {
        let mut items =
            vec![it("0.005", Pin::Soft), it("0.004", Pin::Free), it("0.005", Pin::Hard)];
        // Rounded: 0.01 + 0.00 + 0.01 = 0.02; total 0.01: the soft item gives back first
        // because the free one cannot go below its floor.
        assert!(allocate(1, &mut items));
        assert_eq!(values(&items), vec![0, 0, 1]);
        let mut items = vec![it("0.004", Pin::Free), it("0.004", Pin::Soft)];
        assert!(allocate(1, &mut items));
        assert_eq!(values(&items), vec![1, 0]);
    }

    #[test]
    fn reports_when_nothing_may_move() {
        let mut items = vec![it("0.005", Pin::Hard)];
        assert!(!allocate(0, &mut items));
    }
}
