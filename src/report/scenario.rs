//! A scenario beside the baseline (the pack as given). Per period, every node the scenario
//! touches: a node whose own inputs it changes (the confidence given it, its target, its own
//! lines), every manager above such a node up to national, and any other node whose printed
//! numbers differ (a cent of rounding residue moved by a changed total); the national line
//! always. Each row has the baseline's and the scenario's numbers and the change.
//!
//! The terminal shows it (`run` with a scenario), `compare.scenario.csv` holds it for finance,
//! and `review` shows it under each period's headline. Both sides are printed values of a
//! roll-up, so each change is exactly the difference of the two numbers beside it.

use super::terminal::{fit, wrap, Layout, Row, TerminalOptions, Tone};
use crate::contract::Text as Cell;
use crate::exact::{format_units, Exact, UNITS_BUF};
use crate::format::{grouped, percent, signed, who};
use crate::model::{NodeIx, Pack};
use crate::problem::sanitize;
use crate::rollup::{Printed, Rollup};
use crate::scenario::{Effect, Scenario};
use crate::t;
use crate::text::Lang;
use comfy_table::Color;
use std::fmt::Write as _;
use std::io::Write;

/// The two roll-ups side by side, and the changes between them.
#[derive(Clone, Copy)]
pub struct Sides<'a> {
    /// The pack as given and its roll-up.
    pub base: (&'a Pack, &'a Rollup),
    /// The changed copy and its roll-up.
    pub scenario: (&'a Pack, &'a Rollup),
    pub changes: &'a Scenario,
}

/// One touched node in one period.
#[derive(Debug, Clone, Copy)]
pub struct Compared {
    pub node: NodeIx,
    /// The scenario changes this node's own inputs (not only a manager above them).
    pub changed: bool,
    pub base: Printed,
    pub scenario: Printed,
    pub base_confidence: Exact,
    pub scenario_confidence: Exact,
}

/// The nodes the scenario touches in period `k` (index into the pack's periods), in display
/// order; the root always.
pub fn compared(s: &Sides, k: usize) -> Vec<Compared> {
    let (pack, base) = s.base;
    let (spack, scen) = s.scenario;
    let tree = &pack.tree;
    let (bp, sp) = (&base.periods[k], &scen.periods[k]);
    let changed = crate::scenario::changed(&pack.periods[k], &spack.periods[k]);
    let mut touched = vec![false; tree.len()];
    for (v, &own) in changed.iter().enumerate() {
        let differs =
            own || moved(&bp.printed[v], &sp.printed[v]) || bp.confidence[v] != sp.confidence[v];
        if differs {
            let mut u = v as NodeIx;
            while !touched[u as usize] {
                touched[u as usize] = true;
                if u == tree.root {
                    break;
                }
                u = tree.parent[u as usize];
            }
        }
    }
    touched[tree.root as usize] = true;
    tree.order
        .iter()
        .filter(|&&v| touched[v as usize])
        .map(|&v| {
            let i = v as usize;
            Compared {
                node: v,
                changed: changed[i],
                base: bp.printed[i],
                scenario: sp.printed[i],
                base_confidence: bp.confidence[i],
                scenario_confidence: sp.confidence[i],
            }
        })
        .collect()
}

/// Whether a node's own numbers differ. (Its `contribution` is left out: it moves with every
/// confidence above the node, and a region's new confidence would list its whole team.)
fn moved(a: &Printed, b: &Printed) -> bool {
    (a.raw, a.forecast, a.adjusted, a.own, a.target, a.gap, a.attainment)
        != (b.raw, b.forecast, b.adjusted, b.own, b.target, b.gap, b.attainment)
}

/// `text` wrapped to `width`, its first line indented by `first` spaces and the rest by `rest`.
fn indented(text: &str, width: Option<usize>, first: usize, rest: usize) -> String {
    let wrapped = wrap(text, width.map(|w| w.saturating_sub(first)), rest.saturating_sub(first));
    let pad = " ".repeat(first);
    wrapped.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// One change in words: where it was given, what it does (`confidence of 华南 (RS) = 0.9,
/// every period`) and its note.
pub fn describe(s: &Sides, k: usize, lang: Lang) -> (String, String, String) {
    let (pack, rollup) = s.base;
    let c = &s.changes.changes[k];
    let name = |v: NodeIx| {
        let r = &pack.org[v as usize];
        sanitize(&who(&r.name, &r.id))
    };
    let when = |period: Option<u32>| match period {
        Some(p) => sanitize(&pack.periods[p as usize].period),
        None => t!("every period", "所有期间").get(lang).to_string(),
    };
    let value = c.value.as_deref().unwrap_or("");
    let what = match &s.changes.effects[k] {
        Effect::Confidence { node, period, .. } => t!(
            "confidence of {} = {}, {}",
            "{} 的信心指数 = {}，{}",
            name(*node),
            value,
            when(*period)
        ),
        Effect::Target { node, period, .. } => t!(
            "target of {} in {} = {}",
            "{} 在 {} 的目标 = {}",
            name(*node),
            when(Some(*period)),
            value
        ),
        Effect::DropDeal { lines } => {
            let scale = rollup.opts.scale;
            let parts: Vec<String> = lines
                .iter()
                .map(|d| {
                    let amount = d
                        .amount
                        .round_units(scale, rollup.opts.rounding)
                        .map_or_else(|| d.amount.to_string(), |u| grouped(u, scale));
                    let n = d.lines;
                    let lines = t!(
                        (" ({})", crate::text::plural(u64::from(n), "line", "lines")),
                        ("（{} 行）", n)
                    );
                    format!("{} {} {amount}{}", name(d.node), when(Some(d.period)), lines.get(lang))
                })
                .collect();
            t!(
                "deal {} left out: {}",
                "去掉商机 {}：{}",
                sanitize(&c.id),
                parts.join(match lang {
                    Lang::En => ", ",
                    Lang::Zh => "，",
                })
            )
        }
    };
    (sanitize(&c.source), what.get(lang).to_string(), sanitize(&c.note))
}

/// One change on one line: `whatif.csv:2: confidence of 华南 (RS) = 0.9, every period — why`.
fn change_line(s: &Sides, k: usize, lang: Lang) -> String {
    let (source, what, note) = describe(s, k, lang);
    let mut line = format!("{}. {source}: {what}", k + 1);
    if !note.is_empty() {
        let _ = write!(line, " — {note}");
    }
    line
}

/// The table of touched nodes of period `k` as formatted cells, with each row's depth: Node,
/// ID, Conf., Baseline, Scenario, Change, Adjusted, Δ Adjusted, Target, Gap, Attain., and `*`
/// where the scenario changes the node's own inputs.
pub(crate) fn cells(s: &Sides, k: usize) -> Vec<(u32, Vec<String>, Tone)> {
    let (pack, base) = s.base;
    let scale = base.opts.scale;
    let money = |u: i128| grouped(u, scale);
    let opt = |x: Option<i128>| x.map(money).unwrap_or_default();
    compared(s, k)
        .iter()
        .map(|r| {
            let org = &pack.org[r.node as usize];
            let name = if org.name.is_empty() { &org.id } else { &org.name };
            let (b, n) = (&r.base, &r.scenario);
            let cells = vec![
                sanitize(name),
                sanitize(&org.id),
                arrow(r.base_confidence.to_string(), r.scenario_confidence.to_string()),
                money(b.forecast),
                money(n.forecast),
                change(n.forecast - b.forecast, scale),
                money(n.adjusted),
                change(n.adjusted - b.adjusted, scale),
                arrow(opt(b.target), opt(n.target)),
                opt(n.gap),
                n.attainment.map(percent).unwrap_or_default(),
                if r.changed { "*".into() } else { String::new() },
            ];
            let tone = Tone {
                below: n.target.is_some_and(|t| n.forecast < t),
                change: (n.adjusted != b.adjusted || n.forecast != b.forecast)
                    .then_some(n.forecast > b.forecast || n.adjusted > b.adjusted),
                ..Tone::default()
            };
            (pack.tree.depth[r.node as usize], cells, tone)
        })
        .collect()
}

/// The header of [`cells`] in `lang`.
pub fn headers(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "Node",
            "ID",
            "Conf.",
            "Baseline",
            "Scenario",
            "Change",
            "Adjusted",
            "Δ Adjusted",
            "Target",
            "Gap",
            "Attain.",
            "",
        ],
        Lang::Zh => &[
            "节点",
            "编号",
            "信心指数",
            "基线预测",
            "情景预测",
            "变化",
            "情景调整后",
            "调整后变化",
            "目标",
            "差额",
            "达成率",
            "",
        ],
    }
}

/// What the columns of [`cells`] hold, in `lang`.
pub fn legend(lang: Lang) -> String {
    t!(
        "Baseline, Scenario: each node's forecast; Adjusted: what it carries up in the scenario; Target, Gap, Attain.: the scenario's; * the scenario changes this node's own inputs",
        "基线预测、情景预测：各节点的预测；情景调整后：它在情景中向上汇总的数；目标、差额、达成率：情景的；* 情景改了这个节点本身的输入"
    )
    .get(lang)
    .to_string()
}

/// The title line of a scenario's changes: `Scenario: 2 changes to the pack as given …`.
pub fn title(s: &Sides, lang: Lang) -> String {
    let n = s.changes.changes.len();
    t!(
        (
            "Scenario: {} to the pack as given (the baseline, which is not changed)",
            crate::text::plural(n as u64, "change", "changes")
        ),
        ("情景：对原数据包（基线，不会被修改）做 {} 处变更", n)
    )
    .get(lang)
    .to_string()
}

/// The change of a money value, signed: `+3.00`, `-66.00`, `0.00`.
fn change(units: i128, scale: u32) -> String {
    signed(units, scale)
}

/// `a → b` where they differ, else `a`.
fn arrow(a: String, b: String) -> String {
    if a == b {
        a
    } else {
        format!("{a} → {b}")
    }
}

/// The headline of a period: the national forecast in the baseline and the scenario, the
/// change, and the target and attainment.
pub fn headline(s: &Sides, k: usize, lang: Lang) -> String {
    let (pack, base) = s.base;
    let (_, scen) = s.scenario;
    let scale = base.opts.scale;
    let root = pack.tree.root as usize;
    let (b, n) = (&base.periods[k].printed[root], &scen.periods[k].printed[root]);
    let money = |u: i128| grouped(u, scale);
    let period = sanitize(&pack.periods[k].period);
    let mut line = t!(
        "{}  national forecast {} → {} ({})",
        "{}  全国预测 {} → {}（{}）",
        period,
        money(b.forecast),
        money(n.forecast),
        change(n.forecast - b.forecast, scale)
    )
    .get(lang)
    .to_string();
    let opt = |x: Option<i128>, f: &dyn Fn(i128) -> String| x.map(f).unwrap_or_default();
    if b.target.is_some() || n.target.is_some() {
        let target = arrow(opt(b.target, &money), opt(n.target, &money));
        let _ = write!(line, "  {}", t!("target {}", "目标 {}", target).get(lang));
        if b.attainment.is_some() || n.attainment.is_some() {
            let a = arrow(opt(b.attainment, &percent), opt(n.attainment, &percent));
            let _ = write!(line, "{}", t!(", attainment {}", "，达成率 {}", a).get(lang));
        }
    }
    line
}

/// The columns the scenario's table drops, in this order, until it fits the width: ID,
/// Adjusted, Gap, Target, Attain., Conf., Δ Adjusted. Node, Baseline, Scenario and Change
/// always stay.
pub const DROP_ORDER: [usize; 7] = [1, 6, 9, 8, 10, 2, 7];

/// The report of a scenario for the terminal: the changes, then per period the headline and
/// the touched nodes side by side.
pub fn render(s: &Sides, opts: TerminalOptions, banner: Option<&str>) -> String {
    let lang = opts.lang;
    let pack = s.base.0;
    let mut out = String::new();
    if let Some(b) = banner {
        out.push_str(b);
        out.push_str("\n\n");
    }
    let _ = writeln!(out, "{}", wrap(&title(s, lang), opts.width, 2));
    for k in 0..s.changes.changes.len() {
        out.push_str(&indented(&change_line(s, k, lang), opts.width, 2, 5));
    }
    out.push('\n');
    let color = |t: Tone, c: usize| match c {
        5 | 7 => t.change.map(|up| if up { Color::Green } else { Color::Red }),
        9 | 10 if t.below => Some(Color::Red),
        _ => None,
    };
    let layout = Layout {
        headers: headers(lang),
        right: &|c| (2..11).contains(&c),
        drop: &DROP_ORDER,
        color: &color,
    };
    for k in 0..pack.periods.len() {
        out.push_str(&wrap(&headline(s, k, lang), opts.width, 2));
        out.push('\n');
        let rows = cells(s, k);
        if rows.len() == 1 && rows[0].1[11].is_empty() && rows[0].2.change.is_none() {
            let same = t!(
                "The scenario changes nothing in this period.",
                "情景在这个期间没有改变任何数字。"
            );
            let _ = writeln!(out, "{}\n", wrap(same.get(lang), opts.width, 0));
            continue;
        }
        let table: Vec<Row> = rows
            .into_iter()
            .map(|(depth, cells, tone)| Row { indent: "  ".repeat(depth as usize), cells, tone })
            .collect();
        out.push_str(&fit(&layout, &table, opts));
        out.push_str("\n\n");
    }
    let _ = writeln!(out, "{}", wrap(&legend(lang), opts.width, 0));
    out
}

/// The columns of compare.scenario.csv, in order.
pub const COLUMNS: [&str; 27] = [
    "period",
    "node_id",
    "name",
    "level",
    "parent_id",
    "depth",
    "changed",
    "raw_baseline",
    "raw_scenario",
    "raw_change",
    "forecast_baseline",
    "forecast_scenario",
    "forecast_change",
    "confidence_baseline",
    "confidence_scenario",
    "adjusted_baseline",
    "adjusted_scenario",
    "adjusted_change",
    "contribution_baseline",
    "contribution_scenario",
    "contribution_change",
    "target_baseline",
    "target_scenario",
    "gap_baseline",
    "gap_scenario",
    "attainment_baseline",
    "attainment_scenario",
];

/// Writes compare.scenario.csv: one row per touched node per period (the national row always),
/// periods in order, nodes in display order. Money at `--scale`, attainment a ratio at 4
/// decimals, confidences in their shortest exact form, text formula-guarded, as rollup.csv.
/// `changed` is `true` where the scenario changes the node's own inputs.
pub fn render_csv(s: &Sides, bom: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let (pack, base) = s.base;
    let scale = base.opts.scale;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(1 << 12));
    w.write_record(COLUMNS)?;
    let mut buf = [0u8; UNITS_BUF];
    let mut units = |u: i128, sc: u32| format_units(&mut buf, u, sc).to_string();
    for k in 0..pack.periods.len() {
        let period = pack.periods[k].period.as_str();
        for r in compared(s, k) {
            let v = r.node as usize;
            let org = &pack.org[v];
            let text = |t: &str| {
                let c = Cell { text: t, guard: true };
                if c.guarded() {
                    format!("'{t}")
                } else {
                    t.to_string()
                }
            };
            let (b, n) = (&r.base, &r.scenario);
            let mut money = |x: i128| units(x, scale);
            let raw = [money(b.raw), money(n.raw), money(n.raw - b.raw)];
            let forecast = [money(b.forecast), money(n.forecast), money(n.forecast - b.forecast)];
            let adjusted = [money(b.adjusted), money(n.adjusted), money(n.adjusted - b.adjusted)];
            let contribution = [
                money(b.contribution),
                money(n.contribution),
                money(n.contribution - b.contribution),
            ];
            let mut opt = |x: Option<i128>, sc: u32| x.map(|u| units(u, sc)).unwrap_or_default();
            let targets = [opt(b.target, scale), opt(n.target, scale)];
            let gaps = [opt(b.gap, scale), opt(n.gap, scale)];
            let ratio = crate::rollup::RATIO_SCALE;
            let attainments = [opt(b.attainment, ratio), opt(n.attainment, ratio)];
            let parent = match r.node == pack.tree.root {
                true => "",
                false => pack.org[pack.tree.parent[v] as usize].id.as_str(),
            };
            let mut record: Vec<String> = vec![
                text(period),
                text(&org.id),
                text(&org.name),
                text(&org.level),
                text(parent),
                pack.tree.depth[v].to_string(),
                r.changed.to_string(),
            ];
            record.extend(raw);
            record.extend(forecast);
            record.push(r.base_confidence.to_string());
            record.push(r.scenario_confidence.to_string());
            record.extend(adjusted);
            record.extend(contribution);
            record.extend(targets);
            record.extend(gaps);
            record.extend(attainments);
            w.write_record(&record)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    out.write_all(&bytes)?;
    Ok(())
}
