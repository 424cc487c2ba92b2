//! The review's renderers. [`document`] lays the review out once, as headings, paragraphs and
//! tables of already formatted cells; `text` (the terminal), `md` (review.md) and `html`
//! (review.html, which adds the charts) each only render that layout, so the three always show
//! the same numbers. Cells hold user text as given: each renderer escapes it for its medium.

pub mod html;
pub mod md;
pub mod text;
pub mod xlsx;

use crate::exact::Exact;
use crate::format::{grouped, percent, share_limit, signed, signed_percent};
use crate::review::flags::{Detail, Flag};
use crate::review::moved::{Moved, Status};
use crate::review::{PeriodReview, Review};

/// A chart of the HTML page; the text formats leave it out (the table beside it has the same
/// numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The layer waterfall of a period (index into `review.periods`).
    Waterfall(usize),
    /// Forecast against target for each node under the root.
    Targets(usize),
    /// The largest changes since the previous review.
    Movers(usize),
}

/// A table: header, which columns are numbers (right-aligned), rows of formatted cells.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    /// Whether the terminal may cut it at `--top` rows (lists, not sums).
    pub list: bool,
    /// A tree: the depth of each row, by which its first cell is indented. Empty otherwise.
    pub indent: Vec<u32>,
}

/// One block of the layout.
#[derive(Debug, Clone)]
pub enum Block {
    Title(String),
    /// A period or the history: a section of its own.
    Section(String),
    /// A part of a section.
    Part(String),
    /// A manager's agenda, a list's title.
    Minor(String),
    Para(String),
    Table(Table),
    Chart(Chart),
}

/// The review laid out.
#[derive(Debug, Clone)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

pub struct Fmt {
    pub scale: u32,
}

impl Fmt {
    pub fn money(&self, units: i128) -> String {
        grouped(units, self.scale)
    }

    pub fn signed(&self, units: i128) -> String {
        if units > 0 {
            format!("+{}", self.money(units))
        } else {
            self.money(units)
        }
    }

    pub fn opt(&self, units: Option<i128>) -> String {
        units.map(|u| self.money(u)).unwrap_or_default()
    }
}

/// The numbers behind a flag, in words.
fn detail(review: &Review, flag: &Flag) -> String {
    let money = |u: i128| grouped(u, review.scale());
    match &flag.detail {
        Detail::NotReviewed { forecast } => {
            format!("forecast {} counted at confidence 1", money(*forecast))
        }
        Detail::OutsideBand { confidence, low, high, forecast, adjusted } => {
            let side = if confidence < low { "below" } else { "above" };
            format!(
                "confidence {confidence} {side} the band {low}–{high}: forecast {} → adjusted {} ({})",
                money(*forecast),
                money(*adjusted),
                signed(adjusted - forecast, review.scale())
            )
        }
        Detail::ManagerOwnLines { lines, own } => {
            let unit = if *lines == 1 { "line" } else { "lines" };
            format!("{lines} own {unit}, {}", money(*own))
        }
        Detail::TargetsDoNotAddUp { with, children, sum, target } => {
            let of = if with == children {
                "children's targets".to_string()
            } else {
                format!("targets of {with} of {children} children")
            };
            let dir = if sum > target { "over" } else { "short" };
            let diff = (sum - target).abs();
            format!(
                "{of} sum to {} against {}: {dir} by {}",
                money(*sum),
                money(*target),
                money(diff)
            )
        }
        Detail::TargetWithoutForecast { target } => {
            format!("target {}, no forecast line at or under it", money(*target))
        }
        Detail::ForecastWithoutTarget { forecast } => {
            format!("forecast {}, no target while others at its level have one", money(*forecast))
        }
        Detail::Concentration { deal_id, part, whole, share, team, limit } => {
            let what = match deal_id {
                Some(d) => format!("deal {d} of {}", money(*part)),
                None => format!("raw {}", money(*part)),
            };
            format!(
                "{what} is {} of {}'s {} (limit {})",
                crate::format::share(*share),
                review.who(*team),
                money(*whole),
                share_limit(*limit)
            )
        }
    }
}

/// A confidence; `—` where none was given (it counts at 1).
pub fn confidence(c: Option<Exact>) -> String {
    c.map_or("—".into(), |c| c.to_string())
}

fn table(header: &[&'static str], right: &[bool], list: bool) -> Table {
    Table { header: header.to_vec(), right: right.to_vec(), rows: Vec::new(), list, indent: vec![] }
}

/// How many managers' agendas the terminal shows: those of the levels that fit in this many;
/// the files hold every one.
pub const TERMINAL_AGENDAS: usize = 40;

/// The deepest level whose managers (with all above) fit in `limit` agendas.
pub fn agenda_depth(review: &Review, limit: usize) -> u32 {
    let depth = &review.pack.tree.depth;
    let agendas = review.periods.first().map_or(&[][..], |p| &p.agenda[..]);
    super::levels_that_fit(agendas.iter().map(|a| depth[a.manager as usize]), limit)
}

/// Lays the review out; `agenda_depth` keeps the agendas of managers down to that depth, and
/// the tree down to their reports (the terminal's cut).
pub fn document(review: &Review, agenda_depth: Option<u32>) -> Doc {
    let f = Fmt { scale: review.scale() };
    let o = &review.options;
    let mut b = Vec::new();
    b.push(Block::Title("Forecast review (扒皮会)".into()));
    let pack = review.pack;
    b.push(Block::Para(format!(
        "{} nodes, {} period(s). Flags: confidence outside {}–{}; a rep or deal above {} of its team's raw forecast. \
         Money as printed by the roll-up: every total adds up exactly.",
        pack.org.len(),
        pack.periods.len(),
        o.band_low,
        o.band_high,
        crate::format::share_limit(o.concentration),
    )));
    for (k, p) in review.periods.iter().enumerate() {
        period(&mut b, review, &f, k, p, agenda_depth);
    }
    if let Some(h) = &review.history {
        history(&mut b, h, &f);
    }
    Doc { blocks: b }
}

fn period(
    b: &mut Vec<Block>,
    review: &Review,
    f: &Fmt,
    k: usize,
    p: &PeriodReview,
    agenda_depth: Option<u32>,
) {
    let pack = review.pack;
    let label = &pack.periods[p.index].period;
    let w = &p.waterfall;
    let headline = match (w.target, w.attainment) {
        (Some(t), Some(a)) => format!(
            "{label}: national forecast {} against target {} (attainment {})",
            f.money(w.forecast),
            f.money(t),
            percent(a)
        ),
        (Some(t), None) => {
            format!(
                "{label}: national forecast {} against target {}",
                f.money(w.forecast),
                f.money(t)
            )
        }
        _ => format!("{label}: national forecast {} (no target)", f.money(w.forecast)),
    };
    b.push(Block::Section(headline));
    tree(b, review, f, p, agenda_depth);

    b.push(Block::Part("Layer waterfall (逐层瀑布)".into()));
    b.push(Block::Chart(Chart::Waterfall(k)));
    let mut t = table(
        &["Step", "Confidence given by", "On", "Change", "%", "Running total"],
        &[false, false, false, true, true, true],
        false,
    );
    t.rows.push(row(["Raw forecast (Σ every line)", "", "", "", "", &f.money(w.raw)]));
    for s in &w.steps {
        t.rows.push(row([
            &format!("Level {}", s.depth),
            &s.given_by,
            &s.on,
            &f.signed(s.change),
            &s.ratio.map(signed_percent).unwrap_or_default(),
            &f.money(s.after),
        ]));
    }
    t.rows.push(row(["= National forecast", "", "", "", "", &f.money(w.forecast)]));
    if let Some(target) = w.target {
        t.rows.push(row(["Target", "", "", "", "", &f.money(target)]));
        let gap = w.gap.unwrap_or(w.forecast - target);
        t.rows.push(row([
            "Gap",
            "",
            "",
            &f.signed(gap),
            &w.gap_ratio.map(signed_percent).unwrap_or_default(),
            "",
        ]));
    }
    b.push(Block::Table(t));
    b.push(Block::Chart(Chart::Targets(k)));

    b.push(Block::Part(format!("Flags ({})", p.flags.len())));
    if p.flags.is_empty() {
        b.push(Block::Para("Nothing flagged.".into()));
    } else {
        let mut t = table(&["Flag", "Node", "Numbers"], &[false, false, false], true);
        for fl in &p.flags {
            t.rows.push(vec![fl.kind.title().into(), review.who(fl.node), detail(review, fl)]);
        }
        b.push(Block::Table(t));
    }

    if let Some(m) = &p.moved {
        moved(b, review, f, k, m);
    }

    b.push(Block::Part("Agenda per manager (议程)".into()));
    b.push(Block::Para(
        "Each manager's direct reports, the most money at stake first: the size of the manager's \
         haircut or uplift plus the shortfall to target. — in Conf. means not reviewed (counted at 1)."
            .into(),
    ));
    let shown = |a: &&crate::review::agenda::Agenda| {
        agenda_depth.is_none_or(|d| pack.tree.depth[a.manager as usize] <= d)
    };
    let hidden = p.agenda.iter().filter(|a| !shown(a)).count();
    for a in p.agenda.iter().filter(shown) {
        let m = &a.printed;
        let mut head = format!("{} — forecast {}", review.who(a.manager), f.money(m.forecast));
        if let Some(t) = m.target {
            head.push_str(&format!(", target {}, gap {}", f.money(t), f.signed(m.forecast - t)));
            if let Some(a) = m.attainment {
                head.push_str(&format!(", attainment {}", percent(a)));
            }
        }
        if a.own_lines > 0 {
            head.push_str(&format!(", own lines {}", f.money(m.own)));
        }
        b.push(Block::Minor(head));
        let mut t = table(
            &[
                "Report",
                "Raw",
                "Forecast",
                "Conf.",
                "Adjusted",
                "Haircut",
                "Target",
                "Gap",
                "Attainment",
                "Note",
            ],
            &[false, true, true, true, true, true, true, true, true, false],
            true,
        );
        for it in &a.items {
            let p = &it.printed;
            t.rows.push(vec![
                review.who(it.node),
                f.money(p.raw),
                f.money(p.forecast),
                confidence(it.confidence),
                f.money(p.adjusted),
                f.signed(it.haircut),
                f.opt(p.target),
                p.gap.map(|g| f.signed(g)).unwrap_or_default(),
                p.attainment.map(percent).unwrap_or_default(),
                it.note.clone(),
            ]);
        }
        b.push(Block::Table(t));
    }
    if hidden > 0 {
        b.push(Block::Para(format!(
            "… and the agendas of {hidden} managers on deeper levels: see review.md or review.html (--out)."
        )));
    }
}

/// The tree of a period, national first, each node indented under its manager, with its
/// attainment: the levels that fit in [`crate::report::TREE_ROWS`] rows, and in the terminal
/// no deeper than the reports on the agendas it shows. Every deeper node is a row of its
/// manager's agenda.
fn tree(b: &mut Vec<Block>, review: &Review, f: &Fmt, p: &PeriodReview, agenda_depth: Option<u32>) {
    let pack = review.pack;
    let t = &pack.tree;
    let (inputs, pr) = (&pack.periods[p.index], &review.rollup.periods[p.index]);
    let mut depth =
        crate::report::levels_that_fit(t.depth.iter().copied(), crate::report::TREE_ROWS);
    if let Some(d) = agenda_depth {
        depth = depth.min(d + 1);
    }
    b.push(Block::Part("The tree (组织树)".into()));
    let mut table = table(
        &["Node", "ID", "Raw", "Forecast", "Conf.", "Adjusted", "Target", "Gap", "Attainment", ""],
        &[false, false, true, true, true, true, true, true, true, false],
        false,
    );
    let mut hidden = 0usize;
    for &v in &t.order {
        let i = v as usize;
        if t.depth[i] > depth {
            hidden += 1;
            continue;
        }
        let org = &pack.org[i];
        let n = &pr.printed[i];
        let conf = if v == t.root {
            String::new()
        } else {
            confidence(inputs.confidence[i].map(|_| pr.confidence[i]))
        };
        table.rows.push(vec![
            if org.name.is_empty() { org.id.clone() } else { org.name.clone() },
            org.id.clone(),
            f.money(n.raw),
            f.money(n.forecast),
            conf,
            f.money(n.adjusted),
            f.opt(n.target),
            n.gap.map(|g| f.signed(g)).unwrap_or_default(),
            n.attainment.map(percent).unwrap_or_default(),
            crate::report::marks(pack, inputs, n, v),
        ]);
        table.indent.push(t.depth[i]);
    }
    b.push(Block::Table(table));
    let mut legend =
        "▼ below target · ? not reviewed (counted at 1) · ! manager's own deals".to_string();
    if hidden > 0 {
        legend.push_str(&match agenda_depth {
            None => format!(
                ". The {hidden} nodes on deeper levels are each a row of their manager's agenda below."
            ),
            Some(_) => format!(
                ". {hidden} nodes on deeper levels are not shown: review.md and review.html (--out) have every agenda."
            ),
        });
    }
    b.push(Block::Para(legend));
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn moved(b: &mut Vec<Block>, review: &Review, f: &Fmt, k: usize, m: &Moved) {
    let (source, _) = review.previous.clone().unwrap_or_default();
    b.push(Block::Part(format!("What moved since {source}")));
    if !m.found {
        b.push(Block::Para("The previous review has no numbers for this period.".into()));
        return;
    }
    if !m.deal_level {
        b.push(Block::Para(
            "The previous review is a rollup.json, which has no deal lines: changes are node by node \
             (new reps, removed reps, changed rep totals), not deal by deal. Give --previous the previous \
             pack folder for the deal-level bridge."
                .into(),
        ));
    }
    if let Some(br) = &m.bridge {
        let (new, gone, amounts) = if m.deal_level {
            ("New deals", "Removed deals", "Changed amounts")
        } else {
            ("New reps' lines", "Removed reps' lines", "Changed rep totals")
        };
        let mut t = table(
            &["Bridge (national forecast)", "Change", "Running total"],
            &[false, true, true],
            false,
        );
        let mut total = br.before;
        t.rows.push(row(["Previous national forecast", "", &f.money(total)]));
        for (label, x) in [
            (new, br.new_deals),
            (gone, br.removed_deals),
            (amounts, br.changed_amounts),
            ("Changed confidence", br.changed_confidence),
        ] {
            total += x;
            t.rows.push(row([label, &f.signed(x), &f.money(total)]));
        }
        t.rows.push(row([
            "= National forecast now",
            &f.signed(br.after - br.before),
            &f.money(br.after),
        ]));
        b.push(Block::Table(t));
    }
    b.push(Block::Minor(format!("Biggest movers ({})", m.nodes.len())));
    b.push(Block::Para(
        "Each move once, at the node where it starts: its own lines (at its confidence before), \
         its confidence (on its forecast now), and reports that joined or left its team. A manager \
         whose number moved only because its reports' did is not listed again, and a move that \
         rounds to zero is left out. Money in each node's adjusted, before the confidences above it."
            .into(),
    ));
    if m.nodes.is_empty() {
        b.push(Block::Para("Nothing moved.".into()));
    } else {
        b.push(Block::Chart(Chart::Movers(k)));
        // Reports change manager rarely: the column only when one did.
        let team = m.nodes.iter().any(|c| c.team != 0);
        let blank_zero = |u: i128| if u == 0 { String::new() } else { f.signed(u) };
        let mut header = vec!["Node", "Status", "Δ Own lines", "Conf. before → now"];
        let mut right = vec![false, false, true, true];
        if team {
            header.push("Δ Reports joined/left");
            right.push(true);
        }
        header.extend(["Move", "Δ Adjusted", "Adjusted now"]);
        right.extend([true, true, true]);
        let mut t = table(&header, &right, true);
        for c in &m.nodes {
            let mut row = vec![
                c.who(),
                c.status.label().into(),
                blank_zero(c.own.1 - c.own.0),
                if c.confidence.0 == c.confidence.1 {
                    confidence(c.confidence.1)
                } else {
                    format!("{} → {}", confidence(c.confidence.0), confidence(c.confidence.1))
                },
            ];
            if team {
                row.push(blank_zero(c.team));
            }
            row.extend([
                f.signed(c.moved),
                f.signed(c.adjusted.1 - c.adjusted.0),
                f.money(c.adjusted.1),
            ]);
            t.rows.push(row);
        }
        b.push(Block::Table(t));
    }
    let what = if m.deal_level { "Deals" } else { "Reps' own lines" };
    b.push(Block::Minor(format!("{what} new, removed or changed ({})", m.deals.len())));
    if !m.deals.is_empty() {
        let mut t = table(
            &["Rep", "Deal", "Status", "Before", "Now", "Change"],
            &[false, false, false, true, true, true],
            true,
        );
        for d in &m.deals {
            let deal = if d.deal_id.is_empty() && m.deal_level {
                "(lines without deal_id)".to_string()
            } else {
                d.deal_id.clone()
            };
            t.rows.push(vec![
                d.who.clone(),
                deal,
                d.status.label().into(),
                if d.status == Status::New { String::new() } else { f.money(d.before) },
                if d.status == Status::Gone { String::new() } else { f.money(d.now) },
                f.signed(d.now - d.before),
            ]);
        }
        b.push(Block::Table(t));
    }
}

fn history(b: &mut Vec<Block>, h: &crate::review::history::History, f: &Fmt) {
    b.push(Block::Section("Whose judgment to trust (history)".into()));
    let used: Vec<String> = h.used.iter().map(|(p, dir)| format!("{p} from {dir}")).collect();
    b.push(Block::Para(format!(
        "Booked periods: {}. Record = booked / raw forecast. Suggested confidence = 1 + (record − 1) × n / (n + {}), \
         n = the rep's periods (--prior-periods {}).",
        if used.is_empty() { "none".to_string() } else { used.join(", ") },
        h.prior_periods,
        h.prior_periods
    )));
    b.push(Block::Part("Reps: record and suggested confidence".into()));
    let mut t = table(
        &[
            "Rep",
            "Periods",
            "Raw forecast",
            "Booked",
            "Record",
            "Suggested",
            "Given now",
            "Reads as",
        ],
        &[false, true, true, true, true, true, true, false],
        true,
    );
    for r in &h.reps {
        let reads = match r.suggested {
            Some(s) if s >= 105 => "sandbagger (books more)",
            Some(s) if s <= 95 => "optimist (books less)",
            Some(_) => "reliable",
            None => "no forecast to judge",
        };
        t.rows.push(vec![
            r.who.clone(),
            r.periods.to_string(),
            f.money(r.forecast),
            f.money(r.booked),
            r.ratio.map(|x| grouped(x, 2)).unwrap_or_default(),
            r.suggested.map(|x| grouped(x, 2)).unwrap_or_default(),
            confidence(r.given),
            reads.into(),
        ]);
    }
    b.push(Block::Table(t));
    b.push(Block::Part("Managers: error without and with their confidence".into()));
    b.push(Block::Para(
        "Error = Σ |number − booked| over the manager's direct reports and periods; without = the \
         reports' forecasts, with = after the manager's confidence. Better = the share of the error \
         the manager's judgment removed (negative: it added error)."
            .into(),
    ));
    let mut t = table(
        &["Manager", "Judgments", "Error without", "Error with", "Better", "Verdict"],
        &[false, true, true, true, true, false],
        true,
    );
    let verdict = |without: i128, with: i128| {
        if with < without {
            "closer to booked"
        } else if with > without {
            "further from booked"
        } else {
            "no effect"
        }
    };
    for m in &h.managers {
        t.rows.push(vec![
            m.who.clone(),
            m.judgments.to_string(),
            f.money(m.without),
            f.money(m.with),
            m.improvement.map(signed_percent).unwrap_or_default(),
            verdict(m.without, m.with).into(),
        ]);
    }
    b.push(Block::Table(t));
    b.push(Block::Minor("By level: every manager at the level, summed".into()));
    let mut t = table(
        &["Level (judging)", "Managers", "Error without", "Error with", "Better", "Verdict"],
        &[false, true, true, true, true, false],
        false,
    );
    for l in &h.levels {
        t.rows.push(vec![
            format!("{} (depth {})", l.label, l.depth),
            l.managers.to_string(),
            f.money(l.without),
            f.money(l.with),
            l.improvement.map(signed_percent).unwrap_or_default(),
            verdict(l.without, l.with).into(),
        ]);
    }
    b.push(Block::Table(t));
}
