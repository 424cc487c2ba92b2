//! Whose judgment to trust (`--history DIR`): earlier packs, one folder each, and an
//! `actuals.csv` of what each rep really booked.
//!
//! For every booked period (a period that appears in actuals.csv), the latest pack that
//! forecast it is used: the folder whose name sorts last (name them by date). A rep with a
//! forecast and no actuals row in a booked period booked 0.
//!
//! - **Reps.** Over the rep's `n` periods, `F` = Σ raw forecast and `A` = Σ booked; the record
//!   is `A / F`. The suggested confidence shrinks it toward 1 as if the rep had `k` more
//!   periods (`--prior-periods`, default 2) in which they booked exactly their forecast:
//!   `(n·A/F + k) / (n + k)`, i.e. `1 + (A/F − 1) · n / (n + k)`.
//! - **Managers.** For each direct report `c` of a manager and each period, the error without
//!   the manager's judgment is `|forecast(c) − booked(c)|` (`forecast` already holds every
//!   judgment below), and with it `|adjusted(c) − booked(c)|`. Summed over reports and
//!   periods, the two say whether the manager's multipliers brought the number closer to what
//!   was booked. Every manager at every level is judged this way, and the levels are summed.

use super::ReviewOptions;
use crate::exact::{div_round, Exact, Rounding};
use crate::model::Pack;
use crate::pipeline::History as Loaded;
use crate::problem::{FileKind, Outcome};
use crate::rollup::{Rollup, RollupOptions, RATIO_SCALE};
use crate::t;
use std::collections::{BTreeMap, HashMap};

/// A rep's record.
#[derive(Debug, Clone)]
pub struct RepRecord {
    pub who: String,
    pub periods: u32,
    /// Σ raw forecast, money units.
    pub forecast: i128,
    /// Σ booked, money units.
    pub booked: i128,
    /// `booked / forecast` in units of 10^-2; `None` where the forecast sums to 0 or less.
    pub ratio: Option<i128>,
    /// The suggested confidence in units of 10^-2.
    pub suggested: Option<i128>,
    /// The confidence the manager gave in the pack under review (its last period).
    pub given: Option<Exact>,
}

/// A manager's record, money units.
#[derive(Debug, Clone)]
pub struct ManagerRecord {
    pub who: String,
    /// Depth in the pack under review, `None` if the manager is no longer in it.
    pub depth: Option<u32>,
    /// Report-periods where the manager gave a confidence.
    pub judgments: u32,
    pub without: i128,
    pub with: i128,
    /// `(without − with) / without` in units of 10^-4: how much the judgments helped.
    pub improvement: Option<i128>,
}

/// One level's sum over its managers.
#[derive(Debug, Clone)]
pub struct LevelRecord {
    /// The level labels of the managers at this depth (in the pack under review).
    pub label: String,
    pub depth: u32,
    pub managers: u32,
    pub without: i128,
    pub with: i128,
    /// `(without − with) / without` in units of 10^-4: how much the judgments helped.
    pub improvement: Option<i128>,
}

/// The judgment section of the review.
#[derive(Debug, Clone)]
pub struct History {
    /// `period ← folder` for each booked period used.
    pub used: Vec<(String, String)>,
    pub prior_periods: u32,
    /// Largest gap between suggested and given confidence first.
    pub reps: Vec<RepRecord>,
    /// Managers in the display order of the pack under review.
    pub managers: Vec<ManagerRecord>,
    pub levels: Vec<LevelRecord>,
}

/// `(error with − error without) / error without` in units of 10^-4.
pub fn improvement(without: i128, with: i128, mode: Rounding) -> Option<i128> {
    div_round(without - with, without, RATIO_SCALE, mode)
}

/// `(n·A + k·F) / ((n + k)·F)` at 2 decimals: the shrunk ratio.
pub fn suggested(n: u32, booked: i128, forecast: i128, k: u32, mode: Rounding) -> Option<i128> {
    if forecast <= 0 {
        return None;
    }
    let num =
        i128::from(n).checked_mul(booked)?.checked_add(i128::from(k).checked_mul(forecast)?)?;
    let den = i128::from(n + k).checked_mul(forecast)?;
    div_round(num, den, 2, mode)
}

/// Judges every rep and manager of the history, beside the pack under review.
pub fn judge(
    h: Loaded,
    pack: &Pack,
    rollup: &Rollup,
    options: &ReviewOptions,
    ro: RollupOptions,
) -> Outcome<History> {
    let units = |x: Exact| {
        x.round_units(ro.scale, ro.rounding).ok_or_else(|| {
            super::too_many_digits(
                FileKind::Actuals,
                t!(
                    "a booked amount needs more than 38 digits",
                    "有一笔实际成交额需要超过 38 位数字"
                ),
            )
        })
    };
    // For each booked period, the last pack (by folder name) that has it.
    let mut used: Vec<(String, usize, usize)> = Vec::new();
    for period in &h.booked_periods {
        let found = h.packs.iter().enumerate().rev().find_map(|(k, (_, p))| {
            p.pack.periods.iter().position(|x| &x.period == period).map(|i| (k, i))
        });
        if let Some((k, i)) = found {
            used.push((period.clone(), k, i));
        }
    }
    #[derive(Default)]
    struct Rep {
        who: String,
        periods: u32,
        forecast: i128,
        booked: i128,
    }
    #[derive(Default)]
    struct Mgr {
        who: String,
        judgments: u32,
        without: i128,
        with: i128,
    }
    let mut reps: BTreeMap<String, Rep> = BTreeMap::new();
    let mut mgrs: BTreeMap<String, Mgr> = BTreeMap::new();
    for (period, k, i) in &used {
        let other = &h.packs[*k].1;
        let (p, pr) = (&other.pack, &other.rollup.periods[*i]);
        let inputs = &p.periods[*i];
        let tree = &p.tree;
        // Booked at or under each node.
        let mut booked = vec![0i128; tree.len()];
        for &v in &tree.order {
            let id = &p.org[v as usize].id;
            if let Some(x) = h.actuals.get(&(id.clone(), period.clone())) {
                booked[v as usize] = units(*x)?;
            }
        }
        let own_booked = booked.clone();
        for &v in tree.order.iter().rev() {
            if v != tree.root {
                booked[tree.parent[v as usize] as usize] += booked[v as usize];
            }
        }
        for &v in &tree.order {
            let i = v as usize;
            let id = &p.org[i].id;
            let printed = &pr.printed[i];
            if tree.is_leaf(v) && (printed.raw != 0 || own_booked[i] != 0) {
                let r = reps.entry(id.clone()).or_default();
                r.who = super::who(p, v);
                r.periods += 1;
                r.forecast += printed.raw;
                r.booked += own_booked[i];
            }
            if !tree.is_leaf(v) {
                let m = mgrs.entry(id.clone()).or_default();
                m.who = super::who(p, v);
                for &c in tree.children(v) {
                    let c = c as usize;
                    let cp = &pr.printed[c];
                    m.without += (cp.forecast - booked[c]).abs();
                    m.with += (cp.adjusted - booked[c]).abs();
                    m.judgments += u32::from(inputs.confidence[c].is_some());
                }
            }
        }
    }

    // Beside the pack under review: its names, its order and its confidences (last period).
    let mut now: HashMap<&str, u32> = HashMap::new();
    for (rank, &v) in pack.tree.order.iter().enumerate() {
        now.entry(pack.org[v as usize].id.as_str()).or_insert(rank as u32);
    }
    let last = pack.periods.len().checked_sub(1);
    let given = |id: &str| -> Option<Exact> {
        let v = *now.get(id)?;
        let v = pack.tree.order[v as usize] as usize;
        let l = last?;
        pack.periods[l].confidence[v].map(|_| rollup.periods[l].confidence[v])
    };
    let current_who = |id: &str, fallback: &str| -> String {
        match now.get(id) {
            Some(&rank) => super::who(pack, pack.tree.order[rank as usize]),
            None => fallback.to_string(),
        }
    };
    let k = options.prior_periods;
    let mut rep_rows: Vec<(i128, u32, RepRecord)> = reps
        .into_iter()
        .map(|(id, r)| {
            let s = suggested(r.periods, r.booked, r.forecast, k, ro.rounding);
            let g = given(&id);
            // How far the manager's confidence is from the record, in units of 10^-2.
            let gap = match (s, g) {
                (Some(s), Some(g)) => g.round_units(2, ro.rounding).map_or(0, |g| (g - s).abs()),
                (Some(s), None) => (100 - s).abs(),
                _ => 0,
            };
            let rank = now.get(id.as_str()).copied().unwrap_or(u32::MAX);
            let record = RepRecord {
                who: current_who(&id, &r.who),
                periods: r.periods,
                forecast: r.forecast,
                booked: r.booked,
                ratio: div_round(r.booked, r.forecast, 2, ro.rounding).filter(|_| r.forecast > 0),
                suggested: s,
                given: g,
            };
            (gap, rank, record)
        })
        .collect();
    rep_rows.sort_by_key(|(gap, rank, _)| (std::cmp::Reverse(*gap), *rank));
    let mut mgr_rows: Vec<(u32, ManagerRecord)> = mgrs
        .into_iter()
        .map(|(id, m)| {
            let rank = now.get(id.as_str()).copied().unwrap_or(u32::MAX);
            let depth = now
                .get(id.as_str())
                .map(|&r| pack.tree.depth[pack.tree.order[r as usize] as usize]);
            let record = ManagerRecord {
                who: current_who(&id, &m.who),
                depth,
                judgments: m.judgments,
                without: m.without,
                with: m.with,
                improvement: improvement(m.without, m.with, ro.rounding),
            };
            (rank, record)
        })
        .collect();
    mgr_rows.sort_by_key(|(rank, _)| *rank);
    let managers: Vec<ManagerRecord> = mgr_rows.into_iter().map(|(_, m)| m).collect();
    let mut levels: BTreeMap<u32, LevelRecord> = BTreeMap::new();
    for m in &managers {
        let Some(d) = m.depth else { continue };
        let l = levels.entry(d).or_insert_with(|| LevelRecord {
            label: super::waterfall::level_label(pack, d, true),
            depth: d,
            managers: 0,
            without: 0,
            with: 0,
            improvement: None,
        });
        l.managers += 1;
        l.without += m.without;
        l.with += m.with;
    }
    for l in levels.values_mut() {
        l.improvement = improvement(l.without, l.with, ro.rounding);
    }
    Ok(History {
        used: used.iter().map(|(p, k, _)| (p.clone(), h.packs[*k].0.clone())).collect(),
        prior_periods: k,
        reps: rep_rows.into_iter().map(|(_, _, r)| r).collect(),
        managers,
        levels: levels.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_the_record_toward_one_with_few_periods() {
        // Booked 625 of 500 forecast (1.25×) over 4 periods.
        assert_eq!(suggested(4, 625, 500, 0, Rounding::HalfUp), Some(125));
        assert_eq!(suggested(4, 625, 500, 2, Rounding::HalfUp), Some(117));
        assert_eq!(suggested(1, 625, 500, 2, Rounding::HalfUp), Some(108));
        assert_eq!(suggested(40, 6250, 5000, 2, Rounding::HalfUp), Some(124));
        assert_eq!(suggested(3, 10, 0, 2, Rounding::HalfUp), None);
    }

    #[test]
    fn improvement_is_the_share_of_error_removed() {
        assert_eq!(improvement(27500, 9000, Rounding::HalfUp), Some(6727));
        assert_eq!(improvement(9000, 21650, Rounding::HalfUp), Some(-14056));
        assert_eq!(improvement(0, 0, Rounding::HalfUp), None);
    }
}
