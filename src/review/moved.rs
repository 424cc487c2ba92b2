//! What moved since the last review (`--previous`): the biggest movers, each move once at the
//! node where it originates; reps and deals that appeared or vanished; and the national bridge
//! from the last number to this one.
//!
//! A manager's adjusted moves whenever one of its reports' does, so listing every node whose
//! numbers changed repeats a rep's move on each manager above it. A node's *move* is only the
//! part of the change of its adjusted that starts at the node, with `c`, `c'` its confidence
//! before and now (1 where none was given):
//!
//! `move = c × (own' − own + joined − left) + (c' − c) × forecast'`
//!
//! its own lines at the confidence it had, its new confidence on its forecast now, and the
//! adjusted of reports that joined from another manager (now) or left for one (before). The
//! rest of the change, `c × Σ (adjusted' − adjusted)` over its reports (a new report counting
//! from 0, a vanished one to 0), is their moves, listed at them. A new node counts from
//! nothing at `c = c'`, a vanished one goes to nothing. Moves are in each node's own adjusted
//! (before the confidences above it); the same order as the bridge's: amounts at the old
//! multipliers, confidence on the new amounts. Computed from printed values and exact
//! confidences, and rounded once, so a move that only comes from rounding rounds to 0 and is
//! left out, like any move that is 0 at the printed scale.
//!
//! The bridge splits the change of the national forecast exactly. Each deal `d` (rep, deal_id)
//! is worth `amount × m` nationally, where `m` is the product of the confidences on the path
//! from its rep to the root. With `a`, `m` before and `a'`, `m'` now:
//!
//! - new deals: `Σ a' m'` over deals only in this pack;
//! - removed deals: `−Σ a m` over deals only in the previous pack;
//! - changed amounts: `Σ (a' − a) m` over deals in both;
//! - changed confidence: `Σ a' (m' − m)` over deals in both.
//!
//! They add up to the exact change. Each is rounded to the money scale, and the residue of a
//! few units is given to the components rounded furthest the other way, so that the printed
//! steps add up exactly to the printed national forecasts. Deals are matched by rep and
//! deal_id; a rep's lines without a deal_id count as one deal. Given a rollup.json, which has
//! no deal lines, each node's own lines count as one deal: the bridge then says which reps
//! were new or gone and how much their numbers changed, not which deals.

use crate::contract;
use crate::exact::{Exact, Rounding};
use crate::load::number::{parse_amount, parse_confidence};
use crate::model::{Deal, NodeIx, Pack};
use crate::pipeline::Checked;
use crate::problem::{FileKind, Outcome, Problem};
use crate::rollup::{allocate_exact, Rollup, RollupOptions};
use crate::t;
use crate::text::{of_error, said, SaidContext};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The cells of a rollup.json row that the comparison reads.
struct Row {
    period: String,
    node_id: String,
    name: String,
    parent_id: String,
    raw: String,
    forecast: String,
    confidence: String,
    adjusted: String,
    own: String,
    reviewed: bool,
}

struct File {
    rows: Vec<Row>,
}

/// A node's numbers in the previous review.
#[derive(Debug, Clone, Default)]
pub struct NodeBefore {
    pub name: String,
    /// The manager's id; empty for the root.
    pub parent: String,
    pub raw: i128,
    /// The node's own forecast lines.
    pub own: i128,
    pub forecast: i128,
    /// `None`: not reviewed.
    pub confidence: Option<Exact>,
    pub adjusted: i128,
    /// Position in the previous display order, to list vanished nodes in it.
    pub rank: usize,
}

/// The previous review of one period.
#[derive(Debug, Clone, Default)]
pub struct PeriodBefore {
    pub national: i128,
    pub nodes: HashMap<String, NodeBefore>,
    /// (node_id, deal_id) → (amount, national multiplier).
    pub items: BTreeMap<(String, String), (Exact, Exact)>,
}

/// The previous review, per period label.
#[derive(Debug, Clone)]
pub struct Before {
    pub periods: HashMap<String, PeriodBefore>,
    /// Whether items are deals (a pack) or nodes' own lines (a rollup.json).
    pub deal_level: bool,
}

/// How a node or a deal changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Changed,
    New,
    Gone,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Changed => "changed",
            Status::New => "new",
            Status::Gone => "gone",
        }
    }
}

/// One node's move (see the module's header), money in units; pairs are (before, now), 0
/// where the node is absent.
#[derive(Debug, Clone)]
pub struct NodeChange {
    pub status: Status,
    pub id: String,
    pub name: String,
    pub raw: (i128, i128),
    /// The node's own forecast lines.
    pub own: (i128, i128),
    pub forecast: (i128, i128),
    pub confidence: (Option<Exact>, Option<Exact>),
    pub adjusted: (i128, i128),
    /// The adjusted of reports that joined from another manager (now) less that of reports
    /// that left for one (before).
    pub team: i128,
    /// The part of the change of `adjusted` that originates here, rounded; never 0.
    pub moved: i128,
}

impl NodeChange {
    pub fn who(&self) -> String {
        crate::format::who(&self.name, &self.id)
    }
}

/// One deal's change, money in units (0 where absent).
#[derive(Debug, Clone)]
pub struct DealChange {
    pub status: Status,
    /// The rep, as `Name (ID)`.
    pub who: String,
    pub deal_id: String,
    pub before: i128,
    pub now: i128,
}

/// The national bridge, money in units: `before + Σ steps = after`, exactly.
#[derive(Debug, Clone, Copy)]
pub struct Bridge {
    pub before: i128,
    pub new_deals: i128,
    pub removed_deals: i128,
    pub changed_amounts: i128,
    pub changed_confidence: i128,
    pub after: i128,
}

/// What moved in one period.
#[derive(Debug, Clone)]
pub struct Moved {
    /// `false` when the previous review has no numbers for this period.
    pub found: bool,
    pub deal_level: bool,
    /// The nodes where something moved, the largest move first; ties in display order (this
    /// pack's, then the vanished nodes in the previous one's).
    pub nodes: Vec<NodeChange>,
    /// New, gone and changed deals (or nodes' own lines), largest change first.
    pub deals: Vec<DealChange>,
    pub bridge: Option<Bridge>,
}

fn money(cell: &str, scale: u32, mode: Rounding) -> Option<i128> {
    Exact::from_decimal(parse_amount(cell).ok()?).round_units(scale, mode)
}

impl Before {
    /// The previous review from its pack, deal by deal.
    pub fn from_pack(other: Checked) -> Before {
        let Checked { pack, rollup, .. } = other;
        let deals = &pack.deals;
        let mut periods = HashMap::new();
        for (index, (inputs, pr)) in pack.periods.iter().zip(&rollup.periods).enumerate() {
            let mult = &pr.national;
            let mut nodes = HashMap::new();
            for (rank, &v) in pack.tree.order.iter().enumerate() {
                let i = v as usize;
                let p = &pr.printed[i];
                nodes.entry(pack.org[i].id.clone()).or_insert(NodeBefore {
                    name: pack.org[i].name.clone(),
                    parent: if v == pack.tree.root {
                        String::new()
                    } else {
                        pack.org[pack.tree.parent[i] as usize].id.clone()
                    },
                    raw: p.raw,
                    own: p.own,
                    forecast: p.forecast,
                    confidence: (inputs.confidence[i].is_some() || v == pack.tree.root)
                        .then_some(pr.confidence[i]),
                    adjusted: p.adjusted,
                    rank,
                });
            }
            let items = deals
                .iter()
                .filter(|d| d.period as usize == index)
                .map(|d| {
                    let id = pack.org[d.node as usize].id.clone();
                    ((id, d.deal_id.clone()), (d.amount, mult[d.node as usize]))
                })
                .collect();
            let national = pr.printed[pack.tree.root as usize].forecast;
            periods.insert(inputs.period.clone(), PeriodBefore { national, nodes, items });
        }
        Before { periods, deal_level: true }
    }

    /// The previous review from the rollup.json that `run --out` wrote, node by node.
    /// Anything wrong with the file is a problem with what the user gave (exit 2), like a pack
    /// folder that does not exist; `display` names it as the user typed it.
    pub fn from_json(path: &Path, display: &str, ro: RollupOptions) -> Outcome<Before> {
        Self::read_json(path, ro).map_err(|e| {
            let mut ps = crate::problem::Problems::default();
            ps.push(Problem::file(FileKind::Rollup, of_error(&e)));
            ps.name_files(crate::pipeline::PREVIOUS_PACK, &|_| display.to_string());
            ps.into()
        })
    }

    fn read_json(path: &Path, ro: RollupOptions) -> anyhow::Result<Before> {
        let shown = path.display();
        let what = || {
            t!(
                "--previous {shown}: not a rollup.json written by run --out",
                "--previous {shown}：不是 run --out 写出的 rollup.json"
            )
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        if folder.join(crate::place::COMMIT).exists() {
            let folder = folder.display();
            anyhow::bail!(said(t!(
                "--previous {shown}: the run that wrote this folder was stopped while placing its \
                 files, so they may be from two runs; run it again with --out into {folder}",
                "--previous {shown}：写出该文件夹的那次运行在放置文件时被中断，文件可能来自两次运行；\
                 请用 --out 重新输出到 {folder}"
            )));
        }
        let bytes = std::fs::read(path).said(|| t!("cannot read {shown}", "无法读取 {shown}"))?;
        let file = contract::read_json(&bytes).said(what)?;
        let cell = |r: &[Option<String>], name: &str| -> String {
            contract::column(name).and_then(|k| r[k].clone()).unwrap_or_default()
        };
        let rows: Vec<Row> = file
            .rows
            .iter()
            .map(|r| Row {
                period: cell(r, "period"),
                node_id: cell(r, "node_id"),
                name: cell(r, "name"),
                parent_id: cell(r, "parent_id"),
                raw: cell(r, "raw"),
                forecast: cell(r, "forecast"),
                confidence: cell(r, "confidence"),
                adjusted: cell(r, "adjusted"),
                own: cell(r, "own"),
                reviewed: cell(r, "reviewed") == "true",
            })
            .collect();
        let file = File { rows };
        let (scale, mode) = (ro.scale, ro.rounding);
        let mut by_period: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
        for r in &file.rows {
            by_period.entry(r.period.clone()).or_default().push(r);
        }
        let mut periods = HashMap::new();
        for (period, rows) in by_period {
            let mut nodes = HashMap::new();
            let mut conf: HashMap<&str, (&str, Exact)> = HashMap::new();
            let mut national = None;
            for (rank, r) in rows.iter().enumerate() {
                let bad = || {
                    let id = &r.node_id;
                    let row = said(t!("row {id} of {period}", "{period} 的 {id} 行"));
                    anyhow::Error::new(said(what()).because(row))
                };
                let c = parse_confidence(&r.confidence).map_err(|_| bad())?;
                let node = NodeBefore {
                    name: r.name.clone(),
                    parent: r.parent_id.clone(),
                    raw: money(&r.raw, scale, mode).ok_or_else(bad)?,
                    own: money(&r.own, scale, mode).ok_or_else(bad)?,
                    forecast: money(&r.forecast, scale, mode).ok_or_else(bad)?,
                    confidence: r.reviewed.then_some(Exact::from_decimal(c)),
                    adjusted: money(&r.adjusted, scale, mode).ok_or_else(bad)?,
                    rank,
                };
                if r.parent_id.is_empty() {
                    national = Some(node.forecast);
                }
                conf.insert(&r.node_id, (&r.parent_id, Exact::from_decimal(c)));
                nodes.insert(r.node_id.clone(), node);
            }
            let mut items = BTreeMap::new();
            for r in &rows {
                let own = Exact::from_decimal(parse_amount(&r.own).said(what)?);
                if own.is_zero() {
                    continue;
                }
                // The national multiplier: the confidences up the parent chain (the root's is 1).
                let mut m = Exact::ONE;
                let mut at = r.node_id.as_str();
                for _ in 0..=rows.len() {
                    let Some(&(parent, c)) = conf.get(at) else { break };
                    if parent.is_empty() {
                        break;
                    }
                    m = m.checked_mul(c).said(what)?;
                    at = parent;
                }
                items.insert((r.node_id.clone(), String::new()), (own, m));
            }
            let national = national.said(what)?;
            periods.insert(period, PeriodBefore { national, nodes, items });
        }
        Ok(Before { periods, deal_level: false })
    }
}

/// Compares one period of the pack under review with the previous review.
pub fn compare(
    pack: &Pack,
    rollup: &Rollup,
    index: usize,
    deals: &[&Deal],
    before: &Before,
) -> Outcome<Moved> {
    let inputs = &pack.periods[index];
    let pr = &rollup.periods[index];
    let ro = rollup.opts;
    let Some(prev) = before.periods.get(&inputs.period) else {
        return Ok(Moved {
            found: false,
            deal_level: before.deal_level,
            nodes: vec![],
            deals: vec![],
            bridge: None,
        });
    };
    let tree = &pack.tree;

    let overflow = || {
        let period = &inputs.period;
        let what = t!(
            "what moved in period {period} needs more than 38 digits",
            "期间 {period} 的变动需要超过 38 位数字"
        );
        super::too_many_digits(FileKind::Forecasts, what)
    };

    // Reports that changed manager: the adjusted each brought (now) and took away (before).
    let id_of = |v: NodeIx| pack.org[v as usize].id.as_str();
    let parent_now: HashMap<&str, &str> = tree
        .order
        .iter()
        .map(|&v| (id_of(v), if v == tree.root { "" } else { id_of(tree.parent[v as usize]) }))
        .collect();
    let mut joined: HashMap<&str, i128> = HashMap::new();
    let mut left: HashMap<&str, i128> = HashMap::new();
    for &v in &tree.order {
        let (id, parent) = (id_of(v), parent_now[id_of(v)]);
        if let Some(b) = prev.nodes.get(id) {
            if b.parent != parent {
                *joined.entry(parent).or_default() += pr.printed[v as usize].adjusted;
                *left.entry(b.parent.as_str()).or_default() += b.adjusted;
            }
        }
    }
    let team = |id: &str| joined.get(id).copied().unwrap_or(0) - left.get(id).copied().unwrap_or(0);
    let one = |c: Option<Exact>| c.unwrap_or(Exact::ONE);

    // Nodes: this pack's in display order, then the vanished in the previous display order.
    let mut nodes = Vec::new();
    for &v in &tree.order {
        let i = v as usize;
        let org = &pack.org[i];
        let p = &pr.printed[i];
        let conf_now =
            (inputs.confidence[i].is_some() || v == tree.root).then_some(pr.confidence[i]);
        let fresh;
        let (status, b) = match prev.nodes.get(&org.id) {
            Some(b) => (Status::Changed, b),
            None => {
                // A new node counts from nothing, at the confidence it has now.
                fresh = NodeBefore { confidence: conf_now, ..NodeBefore::default() };
                (Status::New, &fresh)
            }
        };
        let team = team(&org.id);
        let c = (one(b.confidence), pr.confidence[i]);
        let moved = origin((b.own, p.own), team, c, p.forecast, ro).ok_or_else(overflow)?;
        if moved == 0 {
            continue;
        }
        nodes.push(NodeChange {
            status,
            id: org.id.clone(),
            name: org.name.clone(),
            raw: (b.raw, p.raw),
            own: (b.own, p.own),
            forecast: (b.forecast, p.forecast),
            confidence: (if status == Status::New { None } else { b.confidence }, conf_now),
            adjusted: (b.adjusted, p.adjusted),
            team,
            moved,
        });
    }
    let mut gone: Vec<(&String, &NodeBefore)> =
        prev.nodes.iter().filter(|(id, _)| !parent_now.contains_key(id.as_str())).collect();
    gone.sort_by_key(|(_, b)| b.rank);
    for (id, b) in gone {
        // A vanished node goes to nothing at the confidence it had.
        let c = one(b.confidence);
        let team = team(id);
        let moved = origin((b.own, 0), team, (c, c), 0, ro).ok_or_else(overflow)?;
        if moved == 0 {
            continue;
        }
        nodes.push(NodeChange {
            status: Status::Gone,
            id: id.clone(),
            name: b.name.clone(),
            raw: (b.raw, 0),
            own: (b.own, 0),
            forecast: (b.forecast, 0),
            confidence: (b.confidence, None),
            adjusted: (b.adjusted, 0),
            team,
            moved,
        });
    }
    // Stable: equal moves keep the order above.
    nodes.sort_by_key(|c| std::cmp::Reverse(c.moved.abs()));

    // Items now: deals, or each node's own lines when the previous review has no deals.
    let mult = &pr.national;
    let mut now: BTreeMap<(String, String), (Exact, Exact)> = BTreeMap::new();
    if before.deal_level {
        for d in deals {
            let id = pack.org[d.node as usize].id.clone();
            now.insert((id, d.deal_id.clone()), (d.amount, mult[d.node as usize]));
        }
    } else {
        for &v in &tree.order {
            let i = v as usize;
            if inputs.lines[i] > 0 {
                now.insert((pack.org[i].id.clone(), String::new()), (inputs.own[i], mult[i]));
            }
        }
    }
    let minus_one = Exact::new(-1, 0).ok_or_else(overflow)?;
    let neg = |x: Exact| x.checked_mul(minus_one);
    let (mut new, mut removed, mut amounts, mut confidence) =
        (Exact::ZERO, Exact::ZERO, Exact::ZERO, Exact::ZERO);
    let add = |acc: &mut Exact, x: Option<Exact>| -> Outcome<()> {
        *acc = x.and_then(|x| acc.checked_add(x)).ok_or_else(overflow)?;
        Ok(())
    };
    let by_id: HashMap<&str, &str> =
        pack.org.iter().map(|r| (r.id.as_str(), r.name.as_str())).collect();
    let name_of = |id: &str| match by_id.get(id) {
        Some(name) if !name.is_empty() => crate::format::who(name, id),
        _ => crate::format::who(prev.nodes.get(id).map_or("", |b| b.name.as_str()), id),
    };
    let units = |x: Exact| x.round_units(ro.scale, ro.rounding).unwrap_or(0);
    let mut deal_changes = Vec::new();
    for (key, &(a_now, m_now)) in &now {
        match prev.items.get(key) {
            None => {
                add(&mut new, a_now.checked_mul(m_now))?;
                deal_changes.push(DealChange {
                    status: Status::New,
                    who: name_of(&key.0),
                    deal_id: key.1.clone(),
                    before: 0,
                    now: units(a_now),
                });
            }
            Some(&(a_before, m_before)) => {
                let da = neg(a_before).and_then(|n| a_now.checked_add(n));
                add(&mut amounts, da.and_then(|d| d.checked_mul(m_before)))?;
                let dm = neg(m_before).and_then(|n| m_now.checked_add(n));
                add(&mut confidence, dm.and_then(|d| a_now.checked_mul(d)))?;
                if a_now != a_before {
                    deal_changes.push(DealChange {
                        status: Status::Changed,
                        who: name_of(&key.0),
                        deal_id: key.1.clone(),
                        before: units(a_before),
                        now: units(a_now),
                    });
                }
            }
        }
    }
    for (key, &(a_before, m_before)) in &prev.items {
        if !now.contains_key(key) {
            add(&mut removed, a_before.checked_mul(m_before).and_then(neg))?;
            deal_changes.push(DealChange {
                status: Status::Gone,
                who: name_of(&key.0),
                deal_id: key.1.clone(),
                before: units(a_before),
                now: 0,
            });
        }
    }
    deal_changes.sort_by_key(|d| std::cmp::Reverse((d.now - d.before).abs()));
    let after = pr.printed[tree.root as usize].forecast;
    let steps = allocate_exact(&[new, removed, amounts, confidence], after - prev.national, ro)
        .ok_or_else(overflow)?;
    Ok(Moved {
        found: true,
        deal_level: before.deal_level,
        nodes,
        deals: deal_changes,
        bridge: Some(Bridge {
            before: prev.national,
            new_deals: steps[0],
            removed_deals: steps[1],
            changed_amounts: steps[2],
            changed_confidence: steps[3],
            after,
        }),
    })
}

/// The part of the change of a node's adjusted that originates at the node, in money units
/// (see the module's header): `c × (own' − own + team) + (c' − c) × forecast'`, rounded once.
/// `own` is its own lines (before, now), `team` the adjusted of reports that joined less that
/// of reports that left, `confidence` (before, now). `None` if it needs more than 38 digits.
pub fn origin(
    own: (i128, i128),
    team: i128,
    confidence: (Exact, Exact),
    forecast_now: i128,
    ro: RollupOptions,
) -> Option<i128> {
    let units = |u: i128| Exact::new(u, ro.scale);
    let (c, c_now) = confidence;
    let lines = units(own.1.checked_sub(own.0)?.checked_add(team)?)?.checked_mul(c)?;
    let dc = c_now.checked_add(c.checked_mul(Exact::new(-1, 0)?)?)?;
    let judged = dc.checked_mul(units(forecast_now)?)?;
    lines.checked_add(judged)?.round_units(ro.scale, ro.rounding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(s: &str) -> Exact {
        Exact::from_decimal(s.parse().unwrap())
    }

    const CENTS: RollupOptions = RollupOptions { scale: 2, rounding: Rounding::HalfUp };

    /// `origin` with money in cents and confidences as text.
    fn moved(own: (i128, i128), team: i128, c: (&str, &str), forecast_now: i128) -> i128 {
        origin(own, team, (x(c.0), x(c.1)), forecast_now, CENTS).unwrap()
    }

    // See: issue 12, item 6 (a child's move was repeated on every manager above it).
    #[test]
    fn a_manager_moved_only_by_its_reports_has_no_move_of_its_own() {
        // Sup One in the planted pack: its rep 李明 gained 50.00 (forecast 340 → 375), at 0.9
        // both times, no own lines: the +31.50 of its adjusted is its reports' move.
        assert_eq!(moved((0, 0), 0, ("0.9", "0.9"), 37500), 0);
    }

    #[test]
    fn own_lines_move_at_the_confidence_before() {
        // 张伟's lines 180 → 150 at 0.5: −30 × 0.5 = −15.00.
        assert_eq!(moved((18000, 15000), 0, ("0.5", "0.5"), 15000), -1500);
        // A manager's own deal 150 → 170 at 1.1, its reports unchanged: +20 × 1.1 = +22.00.
        assert_eq!(moved((15000, 17000), 0, ("1.1", "1.1"), 41000), 2200);
    }

    #[test]
    fn a_confidence_change_moves_the_forecast_now() {
        // 华南 South 1.1 → 1.2 on its forecast now of 274.00: +0.1 × 274 = +27.40 (its adjusted
        // fell 17.70 in all: 1.1 × −41.00 of that is its team's moves).
        assert_eq!(moved((0, 0), 0, ("1.1", "1.2"), 27400), 2740);
        // Both: lines 100 → 120 at 0.8, then 0.8 → 0.9 on 150: 16.00 + 15.00.
        assert_eq!(moved((10000, 12000), 0, ("0.8", "0.9"), 15000), 3100);
    }

    #[test]
    fn new_and_vanished_nodes_move_by_their_own_lines() {
        // A new rep: 0 → 80 at 1.25 (c = c'): +100.00. A vanished one: 10 → 0 at 1: −10.00.
        assert_eq!(moved((0, 8000), 0, ("1.25", "1.25"), 8000), 10000);
        assert_eq!(moved((1000, 0), 0, ("1", "1"), 0), -1000);
    }

    #[test]
    fn reports_that_changed_manager_move_their_managers() {
        // A rep with adjusted 50.00 moved from S1 (0.9) to S2 (1.1): −45.00 at S1, +55.00 at S2.
        assert_eq!(moved((0, 0), -5000, ("0.9", "0.9"), 30000), -4500);
        assert_eq!(moved((0, 0), 5000, ("1.1", "1.1"), 80000), 5500);
    }

    #[test]
    fn a_move_that_rounds_to_zero_is_zero() {
        // 1 → 1.0004 on 12.34: 0.004936 → 0.00. 0.01 at 0.333: 0.00333 → 0.00.
        assert_eq!(moved((0, 0), 0, ("1", "1.0004"), 1234), 0);
        assert_eq!(moved((100, 101), 0, ("0.333", "0.333"), 101), 0);
        // 0.01 at 0.5 is 0.005: half-up prints 0.01, half-even 0.00.
        assert_eq!(moved((100, 101), 0, ("0.5", "0.5"), 101), 1);
        let even = RollupOptions { scale: 2, rounding: Rounding::HalfEven };
        assert_eq!(origin((100, 101), 0, (x("0.5"), x("0.5")), 101, even), Some(0));
    }

    #[test]
    fn allocation_ties_rounded_steps_to_the_printed_total() {
        let ro = RollupOptions { scale: 2, rounding: Rounding::HalfUp };
        // 0.005 + 0.005 + 0.005 = 0.015, printed 0.02 in total: plain rounding would give 0.03.
        let steps = allocate_exact(&[x("0.005"), x("0.005"), x("0.005")], 2, ro).unwrap();
        assert_eq!(steps.iter().sum::<i128>(), 2);
        assert!(steps.iter().all(|&s| s == 0 || s == 1));
        assert_eq!(allocate_exact(&[x("1.234"), x("-0.5")], 73, ro), Some(vec![123, -50]));
    }
}
