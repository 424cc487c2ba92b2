//! Scenarios that never touch the baseline: "what if we give 华南 0.9?"
//!
//! A scenario is a list of changes to a validated pack: the confidence a node's manager gives
//! it (`--set ID=X` in every period, `--set ID@P=X` in one), a node's target for a period
//! (`--set-target ID@P=AMOUNT`), or a deal's forecast lines left out (`--drop-deal DEAL_ID` in
//! every period, `DEAL_ID@P` in one). They come from flags and from a scenario file
//! ([`crate::load::scenario`]), each with its note and where it was given.
//!
//! [`resolve`] checks every change against the pack the way the pack's own rows are checked
//! (ids with "did you mean", periods in their canonical spelling, numbers through the one
//! number parser, confidences within `--max-confidence`, no confidence for the root) and lists
//! every problem. [`apply`] returns a changed copy of the pack, which is rolled up by the same
//! roll-up as the pack; the pack as given (the baseline) is never modified.
//!
//! Changes combine as confidence.csv's rows do: a confidence for one period overrides one for
//! every period, whatever their order. Two changes of one thing (a node's confidence in a
//! period, or in every period; a node's target in a period; a deal in a period) are a problem,
//! as two rows of confidence.csv for one subject and period are: which one is meant? Dropping
//! a deal subtracts its exact sum, kept per deal as forecasts.csv is read, from its rep's own
//! lines: nothing is read again and nothing is rounded.

use crate::exact::Exact;
use crate::load::confidence::confidence_value;
use crate::load::number::{cell_message, parse_amount};
use crate::model::{ConfidenceNote, Given, IdIndex, NodeIx, Pack, PeriodInputs};
use crate::problem::{quoted, FileKind, Problem, Problems, Source};
use crate::t;
use crate::text::Text;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

pub use crate::load::scenario::ChangeKind;

impl ChangeKind {
    /// The flag that asks for it.
    pub fn flag(self) -> &'static str {
        match self {
            ChangeKind::Set => "--set",
            ChangeKind::SetTarget => "--set-target",
            ChangeKind::DropDeal => "--drop-deal",
        }
    }
}

/// Where a change was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A flag, as typed: `--set RS=0.9`.
    Flag(String),
    /// A row of the scenario file.
    Row(Source),
}

/// One change as asked for, before it is checked against the pack.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: ChangeKind,
    /// A node's id (`set`, `set-target`) or a deal's `deal_id` (`drop-deal`).
    pub id: String,
    /// As written; empty: every period.
    pub period: String,
    /// The confidence or the target as written; empty for `drop-deal`.
    pub value: String,
    /// Why; empty for a flag.
    pub note: String,
    pub origin: Origin,
}

impl Request {
    /// A flag's value as typed: `ID=X` or `ID@P=X` (`--set`, `--set-target`), `DEAL_ID` or
    /// `DEAL_ID@P` (`--drop-deal`). An id may itself hold `@` or `=`: the value follows the
    /// last `=`, the period the last `@` (and [`resolve`] reads `A@B` as one id when org.csv
    /// has it).
    pub fn from_flag(kind: ChangeKind, typed: &str) -> Result<Request, Problem> {
        let shown = format!("{} {typed}", kind.flag());
        let (target, value) = match kind {
            ChangeKind::DropDeal => (typed, ""),
            _ => match typed.rsplit_once('=') {
                Some((t, v)) => (t, v),
                None => {
                    let example = match kind {
                        ChangeKind::SetTarget => "ID@2026-Q4=500000",
                        _ => "ID=0.9 (every period) or ID@2026-Q4=90% (one period)",
                    };
                    return Err(Problem::file(
                        FileKind::CommandLine,
                        t!("no = between the id and the value", "id 和值之间没有 ="),
                    )
                    .column(&shown)
                    .hint(t!(
                        "write {} {example}",
                        "请写 {} {example}",
                        kind.flag()
                    )));
                }
            },
        };
        let (id, period) = match target.rsplit_once('@') {
            Some((id, p)) => (id, p),
            None => (target, ""),
        };
        Ok(Request {
            kind,
            id: id.trim().to_string(),
            period: period.trim().to_string(),
            value: value.trim().to_string(),
            note: String::new(),
            origin: Origin::Flag(shown),
        })
    }
}

/// The changes asked for: the scenario file's rows (in file order), then the flags (in the
/// order typed).
#[derive(Debug, Clone, Default)]
pub struct Requests {
    pub list: Vec<Request>,
    /// The scenario file's column headers as it writes them (change, id, period, value, note).
    pub labels: Vec<String>,
    /// The scenario file as the user named it.
    pub file: Option<String>,
    /// Problems of the file's own rows (an empty note, an unknown change), already named:
    /// listed with those [`resolve`] finds in the other rows.
    pub problems: Problems,
}

/// One change as applied: what an audit record keeps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// `set`, `set-target` or `drop-deal`.
    pub kind: ChangeKind,
    /// The node's id (`set`, `set-target`) or the deal's `deal_id` (`drop-deal`).
    pub id: String,
    /// The period in its canonical spelling; `None`: every period.
    pub period: Option<String>,
    /// The value as read: a confidence in its shortest exact form (`90%` is `0.9`), a target
    /// as an exact decimal (`¥1,234.50` is `1234.50`); `None` for `drop-deal`.
    pub value: Option<String>,
    /// Why (the scenario file's note); empty for a flag.
    pub note: String,
    /// Where it was given: the flag as typed (`--set RS=0.9`) or the file and line
    /// (`whatif.csv:3`).
    pub source: String,
}

/// A deal's lines of one node and period, left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    pub node: NodeIx,
    /// Index into the pack's periods.
    pub period: u32,
    pub amount: Exact,
    pub lines: u32,
}

/// What a change does to the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The confidence of `node` in one period (index into the pack's periods), or every one.
    Confidence {
        node: NodeIx,
        period: Option<u32>,
        value: Exact,
    },
    Target {
        node: NodeIx,
        period: u32,
        value: Exact,
    },
    /// The deal's lines, node by node and period by period.
    DropDeal {
        lines: Vec<Dropped>,
    },
}

/// A checked scenario: its changes, in the order given, and what each does.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    pub changes: Vec<Change>,
    /// Parallel to `changes`.
    pub effects: Vec<Effect>,
}

impl Requests {
    /// The deal ids a `drop-deal` names (a flag's `A@B` also whole): the only deals whose sums
    /// the pack must keep; `None` when no change drops a deal.
    pub fn deal_ids(&self) -> Option<Vec<String>> {
        let mut ids = Vec::new();
        for r in self.list.iter().filter(|r| r.kind == ChangeKind::DropDeal) {
            ids.push(r.id.clone());
            if matches!(r.origin, Origin::Flag(_)) && !r.period.is_empty() {
                ids.push(format!("{}@{}", r.id, r.period));
            }
        }
        (!ids.is_empty()).then_some(ids)
    }
}

impl Scenario {
    /// The note a confidence set by change `k` carries into the roll-up's `note` column: its
    /// note, or for a flag the flag as typed.
    pub fn note(&self, k: usize) -> &str {
        let c = &self.changes[k];
        if c.note.is_empty() {
            &c.source
        } else {
            &c.note
        }
    }
}

/// The thing a change changes, to find two changes of one thing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Confidence(NodeIx, Option<u32>),
    Target(NodeIx, u32),
    Deal(String, u32),
}

/// Checks every change against the pack and lists every problem; `max_confidence` is
/// `--max-confidence`.
pub fn resolve(pack: &Pack, req: &Requests, max_confidence: Decimal) -> Result<Scenario, Problems> {
    let ids = IdIndex::new(&pack.org);
    let periods: Vec<&str> = pack.periods.iter().map(|p| p.period.as_str()).collect();
    let mut problems = req.problems.clone();
    let mut out = Scenario::default();
    let mut first: HashMap<Key, String> = HashMap::new();
    let label = |k: usize| -> &str {
        req.labels.get(k).map_or(crate::load::headers::SCENARIO[k].name, String::as_str)
    };
    // The columns of a scenario file, as `labels` orders them.
    const ID: usize = 1;
    const PERIOD: usize = 2;
    const VALUE: usize = 3;
    for r in &req.list {
        let problem = |column: usize, message: Text| match &r.origin {
            Origin::Row(src) => Problem::at(*src, message).column(label(column)),
            Origin::Flag(typed) => Problem::file(FileKind::CommandLine, message).column(typed),
        };
        let source = match (&r.origin, &req.file) {
            (Origin::Flag(typed), _) => typed.clone(),
            (Origin::Row(src), Some(f)) => format!("{f}:{}", src.line),
            (Origin::Row(src), None) => format!("{}:{}", FileKind::Scenario.file_name(), src.line),
        };
        // A flag's `A@B` is one id when org.csv (or the deals) have it so.
        let whole = format!("{}@{}", r.id, r.period);
        let flag = matches!(r.origin, Origin::Flag(_)) && !r.period.is_empty();
        let (id, period_text) = match r.kind {
            ChangeKind::DropDeal if flag && pack.deals.iter().any(|d| d.deal_id == whole) => {
                (whole.as_str(), "")
            }
            ChangeKind::Set | ChangeKind::SetTarget if flag && ids.get_str(&whole).is_some() => {
                (whole.as_str(), "")
            }
            _ => (r.id.as_str(), r.period.as_str()),
        };
        let mut ok = true;
        let period = if period_text.is_empty() {
            None
        } else {
            let p = crate::period::normalize(period_text);
            match periods.iter().position(|q| *q == p) {
                Some(i) => Some(i as u32),
                None => {
                    let hint = match crate::suggest::nearest(&p, periods.iter().copied()) {
                        Some(near) => t!("did you mean {}?", "是否想写 {}？", quoted(near)),
                        None => t!(
                            "the roll-up's periods: {}",
                            "汇总的期间有：{}",
                            periods.iter().map(|p| quoted(p)).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    problems.push(
                        problem(
                            PERIOD,
                            t!(
                                "{} is not a period of the roll-up",
                                "{} 不是汇总里的期间",
                                quoted(period_text)
                            ),
                        )
                        .hint(hint),
                    );
                    ok = false;
                    None
                }
            }
        };
        let node = match r.kind {
            ChangeKind::DropDeal => None,
            _ => match ids.get_str(id) {
                Some(v) => Some(v),
                None => {
                    problems.push(
                        problem(
                            ID,
                            t!("{} is not an id in org.csv", "{} 不是 org.csv 里的 id", quoted(id)),
                        )
                        .maybe_hint(ids.hint(id)),
                    );
                    ok = false;
                    None
                }
            },
        };
        let value_text = r.value.as_str();
        let (effect, value) = match r.kind {
            ChangeKind::Set => {
                if let Some(v) = node.filter(|&v| v == pack.tree.root) {
                    problems.push(
                        problem(
                            ID,
                            t!(
                                "{} is the root: nobody above it gives it a confidence",
                                "{} 是根节点：它上面没有人给它信心指数",
                                quoted(&pack.org[v as usize].id)
                            ),
                        )
                        .hint(t!(
                            "set the confidence of a node under it (a region: --set REGION=0.9)",
                            "请设它下面某个节点的信心指数（例如区域：--set 区域编号=0.9）"
                        )),
                    );
                    ok = false;
                }
                match confidence_value(value_text, max_confidence) {
                    Ok(c) => (
                        node.map(|node| Effect::Confidence {
                            node,
                            period,
                            value: Exact::from_decimal(c),
                        }),
                        Some(c.normalize().to_string()),
                    ),
                    Err(bad) => {
                        problems.push(problem(VALUE, bad.message).maybe_hint(bad.hint));
                        (None, None)
                    }
                }
            }
            ChangeKind::SetTarget => {
                if period_text.is_empty() {
                    problems.push(
                        problem(
                            PERIOD,
                            t!(
                                "a target is set for one period: the period is missing",
                                "目标按期间设定：缺少期间"
                            ),
                        )
                        .hint(t!(
                            "give the period: --set-target ID@2026-Q4=AMOUNT, or the period column of a scenario file",
                            "请写期间：--set-target ID@2026-Q4=金额，或情景文件的期间列"
                        )),
                    );
                    ok = false;
                }
                match parse_amount(value_text) {
                    Ok(a) => (
                        node.zip(period).map(|(node, period)| Effect::Target {
                            node,
                            period,
                            value: Exact::from_decimal(a),
                        }),
                        Some(a.to_string()),
                    ),
                    Err(e) => {
                        let hint = e.hint().filter(|_| !value_text.is_empty()).or_else(|| {
                            Some(t!(
                                "write the target as a number, e.g. 500000",
                                "请把目标写成数字，例如 500000"
                            ))
                        });
                        problems
                            .push(problem(VALUE, cell_message(value_text, &e)).maybe_hint(hint));
                        (None, None)
                    }
                }
            }
            ChangeKind::DropDeal => {
                if !value_text.is_empty() {
                    problems.push(
                        problem(
                            VALUE,
                            t!(
                                "{}: drop-deal takes no value",
                                "{}：drop-deal 不需要值",
                                quoted(value_text)
                            ),
                        )
                        .hint(t!(
                            "leave the value empty: the deal's lines are left out whole",
                            "请把值留空：该商机的各行会被整体去掉"
                        )),
                    );
                    ok = false;
                }
                let lines: Vec<Dropped> = pack
                    .deals
                    .iter()
                    .filter(|d| !d.deal_id.is_empty() && d.deal_id == id)
                    .filter(|d| period.is_none_or(|p| d.period == p))
                    .map(|d| Dropped {
                        node: d.node,
                        period: d.period,
                        amount: d.amount,
                        lines: d.lines,
                    })
                    .collect();
                if lines.is_empty() {
                    let (message, hint) = unknown_deal(pack, id, period, &periods);
                    problems.push(problem(ID, message).hint(hint));
                    ok = false;
                }
                (Some(Effect::DropDeal { lines }), None)
            }
        };
        let Some(effect) = effect.filter(|_| ok) else { continue };
        let keys: Vec<Key> = match &effect {
            Effect::Confidence { node, period, .. } => vec![Key::Confidence(*node, *period)],
            Effect::Target { node, period, .. } => vec![Key::Target(*node, *period)],
            Effect::DropDeal { lines } => {
                let ps: BTreeSet<u32> = lines.iter().map(|d| d.period).collect();
                ps.into_iter().map(|p| Key::Deal(id.to_string(), p)).collect()
            }
        };
        if let Some(before) = keys.iter().find_map(|k| first.get(k)) {
            let message = match r.kind {
                ChangeKind::Set => t!(
                    "a second change of the confidence of {} (the first: {})",
                    "第二次修改 {} 的信心指数（第一次：{}）",
                    quoted(id),
                    before
                ),
                ChangeKind::SetTarget => t!(
                    "a second change of the target of {} (the first: {})",
                    "第二次修改 {} 的目标（第一次：{}）",
                    quoted(id),
                    before
                ),
                ChangeKind::DropDeal => t!(
                    "deal {} is dropped twice (the first: {})",
                    "商机 {} 被删除了两次（第一次：{}）",
                    quoted(id),
                    before
                ),
            };
            problems.push(problem(ID, message).hint(t!(
                "keep one change per node (or deal) and period; a change for one period overrides one for every period",
                "每个节点（或商机）每个期间只保留一个变更；某一期间的变更会覆盖所有期间的变更"
            )));
            continue;
        }
        for k in keys {
            first.insert(k, source.clone());
        }
        out.changes.push(Change {
            kind: r.kind,
            id: id.to_string(),
            period: period.map(|p| periods[p as usize].to_string()),
            value,
            note: r.note.clone(),
            source,
        });
        out.effects.push(effect);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Why a `drop-deal` finds no deal (no forecast line of the roll-up has it, or none in the
/// period asked), and the fix.
fn unknown_deal(pack: &Pack, id: &str, period: Option<u32>, periods: &[&str]) -> (Text, Text) {
    let elsewhere: BTreeSet<u32> =
        pack.deals.iter().filter(|d| d.deal_id == id).map(|d| d.period).collect();
    if let (Some(asked), false) = (period, elsewhere.is_empty()) {
        let has: Vec<String> = elsewhere.iter().map(|&i| quoted(periods[i as usize])).collect();
        let message = t!(
            "deal {} has no forecast line in {}",
            "商机 {} 在 {} 没有预测行",
            quoted(id),
            quoted(periods[asked as usize])
        );
        let hint = t!(
            "its lines are in {}; leave the period empty to drop it in every period",
            "它的预测行在 {}；期间留空则在所有期间去掉它",
            has.join(", ")
        );
        return (message, hint);
    }
    let message = t!(
        "no forecast line of the roll-up has deal_id {}",
        "汇总里没有任何预测行的 deal_id 是 {}",
        quoted(id)
    );
    // The pack keeps the deals a scenario names and their near misses (the same once case,
    // spaces, full width and look-alike characters are folded), or every deal for a review.
    let known: BTreeSet<&str> =
        pack.deals.iter().map(|d| d.deal_id.as_str()).filter(|d| !d.is_empty()).collect();
    let hint = match crate::suggest::nearest(id, known.iter().copied()) {
        Some(near) => t!("did you mean {}?", "是否想写 {}？", quoted(near)),
        None => t!(
            "a deal is dropped by the deal_id of its lines in forecasts.csv, as written there",
            "删除商机要写 forecasts.csv 里它的行的 deal_id，与那里写的一致"
        ),
    };
    (message, hint)
}

/// The pack with the scenario's changes: a copy, rolled up like any pack; `pack` itself is not
/// modified. A change for one period overrides one for every period.
pub fn apply(pack: &Pack, s: &Scenario) -> Result<Pack, Problems> {
    let mut out = pack.clone();
    let periods = out.periods.len() as u32;
    for one_period in [false, true] {
        for (k, e) in s.effects.iter().enumerate() {
            let Effect::Confidence { node, period, value } = *e else { continue };
            if period.is_some() != one_period {
                continue;
            }
            let row = out.confidence_rows.len() as u32;
            out.confidence_rows.push(ConfidenceNote { note: s.note(k).to_string() });
            for p in period.map_or(0..periods, |p| p..p + 1) {
                out.periods[p as usize].confidence[node as usize] = Some(Given { value, row });
            }
        }
    }
    let mut problems = Problems::default();
    let mut gone: BTreeSet<(u32, NodeIx, &str)> = BTreeSet::new();
    for (c, e) in s.changes.iter().zip(&s.effects) {
        match e {
            Effect::Target { node, period, value } => {
                out.periods[*period as usize].target[*node as usize] = Some(*value);
            }
            Effect::DropDeal { lines } => {
                for d in lines {
                    let inputs = &mut out.periods[d.period as usize];
                    let v = d.node as usize;
                    match inputs.own[v].checked_sub(d.amount) {
                        Some(left) => inputs.own[v] = left,
                        None => problems.push(Problem::at(
                            pack.org[v].src,
                            t!(
                                "{}'s lines without deal {} need more than 38 digits",
                                "{} 去掉商机 {} 后的各行需要超过 38 位数字",
                                quoted(&pack.org[v].id),
                                quoted(&c.id)
                            ),
                        )),
                    }
                    inputs.lines[v] = inputs.lines[v].saturating_sub(d.lines);
                    gone.insert((d.period, d.node, c.id.as_str()));
                }
            }
            Effect::Confidence { .. } => {}
        }
    }
    out.deals.retain(|d| !gone.contains(&(d.period, d.node, d.deal_id.as_str())));
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Which nodes' own inputs differ between two versions of one period: the confidence given
/// them, their target, their own lines.
pub fn changed(base: &PeriodInputs, scenario: &PeriodInputs) -> Vec<bool> {
    let value = |g: &Option<Given>| g.map(|g| g.value);
    (0..base.own.len())
        .map(|i| {
            value(&base.confidence[i]) != value(&scenario.confidence[i])
                || base.target[i] != scenario.target[i]
                || base.own[i] != scenario.own[i]
                || base.lines[i] != scenario.lines[i]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline;

    fn fixture_pack() -> pipeline::Checked {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenario");
        let opts = pipeline::Options {
            read: crate::load::ReadOptions { encoding: Default::default() },
            max_confidence: Decimal::TWO,
            check: Default::default(),
            rollup: crate::rollup::RollupOptions {
                scale: 2,
                rounding: crate::exact::Rounding::HalfUp,
            },
            deals: true,
            deal_ids: None,
            hash: false,
        };
        match pipeline::run(&pipeline::folder(&dir), &opts, pipeline::MAIN_PACK) {
            Ok(c) => c,
            Err(_) => panic!("fixtures/scenario rolls up"),
        }
    }

    fn flag(kind: ChangeKind, typed: &str) -> Request {
        Request::from_flag(kind, typed).unwrap()
    }

    #[test]
    fn applies_to_a_copy_and_leaves_the_pack_as_given_untouched() {
        let c = fixture_pack();
        let before = format!("{:?}", c.pack);
        let req = Requests {
            list: vec![
                flag(ChangeKind::Set, "RS=0.9"),
                flag(ChangeKind::Set, "RS@2027-Q1=1"),
                flag(ChangeKind::SetTarget, "RS@2026Q4=¥300"),
                flag(ChangeKind::DropDeal, "D-1"),
            ],
            ..Requests::default()
        };
        let s = resolve(&c.pack, &req, Decimal::TWO).unwrap();
        let changed = apply(&c.pack, &s).unwrap();
        assert_eq!(format!("{:?}", c.pack), before, "the baseline is not modified");
        let rs = c.pack.org.iter().position(|r| r.id == "RS").unwrap();
        let d = c.pack.org.iter().position(|r| r.id == "D").unwrap();
        let value = |p: &PeriodInputs, v: usize| p.confidence[v].map(|g| g.value.to_string());
        // Every period 0.9; 2027-Q1 overridden by its own change, whatever the order.
        assert_eq!(value(&changed.periods[0], rs).as_deref(), Some("0.9"));
        assert_eq!(value(&changed.periods[1], rs).as_deref(), Some("1"));
        assert_eq!(changed.periods[0].target[rs].map(|t| t.to_string()).as_deref(), Some("300"));
        // D-1's 60 and 50 left out, with their lines.
        assert!(changed.periods[0].own[d].is_zero() && changed.periods[1].own[d].is_zero());
        assert_eq!((changed.periods[0].lines[d], changed.periods[1].lines[d]), (0, 0));
        assert!(changed.deals.iter().all(|x| x.deal_id != "D-1"));
        assert_eq!(c.pack.deals.iter().filter(|x| x.deal_id == "D-1").count(), 2);
        // The audit record: as read, with where each was given.
        assert_eq!(
            s.changes[2],
            Change {
                kind: ChangeKind::SetTarget,
                id: "RS".into(),
                period: Some("2026-Q4".into()),
                value: Some("300".into()),
                note: String::new(),
                source: "--set-target RS@2026Q4=¥300".into(),
            }
        );
        assert_eq!(changed.confidence_rows.last().unwrap().note, "--set RS@2027-Q1=1");
        let touched = changed_nodes(&c.pack, &changed, 1);
        assert_eq!(touched, ["RS", "D"]);
    }

    fn changed_nodes(a: &Pack, b: &Pack, k: usize) -> Vec<String> {
        let flags = changed(&a.periods[k], &b.periods[k]);
        (0..flags.len()).filter(|&v| flags[v]).map(|v| a.org[v].id.clone()).collect()
    }

    #[test]
    fn an_id_with_at_signs_is_read_whole_when_org_csv_has_it() {
        let mut c = fixture_pack();
        c.pack.org[3].id = "a@corp.cn".into();
        let req = Requests {
            list: vec![
                flag(ChangeKind::Set, "a@corp.cn=1"),
                flag(ChangeKind::Set, "a@corp.cn@2026-Q4=0.5"),
            ],
            ..Requests::default()
        };
        let s = resolve(&c.pack, &req, Decimal::TWO).unwrap();
        assert_eq!((s.changes[0].id.as_str(), s.changes[0].period.as_deref()), ("a@corp.cn", None));
        assert_eq!(s.changes[1].period.as_deref(), Some("2026-Q4"));
    }

    #[test]
    fn reads_a_flag_as_id_period_and_value() {
        let r = Request::from_flag(ChangeKind::Set, "RS@2026-Q4=90%").unwrap();
        assert_eq!((r.id.as_str(), r.period.as_str(), r.value.as_str()), ("RS", "2026-Q4", "90%"));
        assert_eq!(r.origin, Origin::Flag("--set RS@2026-Q4=90%".into()));
        let r = Request::from_flag(ChangeKind::Set, "=CN=0.9").unwrap();
        assert_eq!((r.id.as_str(), r.period.as_str(), r.value.as_str()), ("=CN", "", "0.9"));
        let r = Request::from_flag(ChangeKind::DropDeal, "D-1").unwrap();
        assert_eq!((r.id.as_str(), r.period.as_str(), r.value.as_str()), ("D-1", "", ""));
        let e = Request::from_flag(ChangeKind::SetTarget, "RS@2026-Q4").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("--set-target RS@2026-Q4"));
        assert_eq!(e.message.en, "no = between the id and the value");
    }
}
