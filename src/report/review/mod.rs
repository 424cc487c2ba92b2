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
use crate::report::scenario::Sides;
use crate::review::flags::{Detail, Flag};
use crate::review::moved::{Moved, Status};
use crate::review::{PeriodReview, Review};
use crate::t;
use crate::text::Lang;

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
    /// Written in Chinese (`--lang zh`): the renderers' own words follow it.
    pub zh: bool,
}

pub struct Fmt {
    pub scale: u32,
    /// Write in Chinese (`--lang zh`).
    pub zh: bool,
}

impl Fmt {
    /// A level's label as the review prints it: `depth 2` (a level without a label in the org)
    /// is `第 2 层` in Chinese.
    pub fn level(&self, label: &str) -> String {
        match label.strip_prefix("depth ") {
            Some(n) if self.zh => format!("第 {n} 层"),
            _ => label.to_string(),
        }
    }

    /// The English or the Chinese of a label.
    pub fn tr<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }

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
fn detail(review: &Review, flag: &Flag, f: &Fmt) -> String {
    let money = |u: i128| grouped(u, review.scale());
    if f.zh {
        return detail_zh(review, flag);
    }
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

/// The numbers behind a flag, in Chinese.
fn detail_zh(review: &Review, flag: &Flag) -> String {
    let money = |u: i128| grouped(u, review.scale());
    match &flag.detail {
        Detail::NotReviewed { forecast } => format!("预测 {}，按信心指数 1 计", money(*forecast)),
        Detail::OutsideBand { confidence, low, high, forecast, adjusted } => {
            let side = if confidence < low { "低于" } else { "高于" };
            format!(
                "信心指数 {confidence} {side}区间 {low}–{high}：预测 {} → 调整后 {}（{}）",
                money(*forecast),
                money(*adjusted),
                signed(adjusted - forecast, review.scale())
            )
        }
        Detail::ManagerOwnLines { lines, own } => format!("自签 {lines} 条，{}", money(*own)),
        Detail::TargetsDoNotAddUp { with, children, sum, target } => {
            let of = if with == children {
                "下属目标".to_string()
            } else {
                format!("{children} 个下属中 {with} 个的目标")
            };
            let dir = if sum > target { "多出" } else { "少了" };
            format!(
                "{of}合计 {}，本级目标 {}：{dir} {}",
                money(*sum),
                money(*target),
                money((sum - target).abs())
            )
        }
        Detail::TargetWithoutForecast { target } => {
            format!("目标 {}，其下没有任何预测", money(*target))
        }
        Detail::ForecastWithoutTarget { forecast } => {
            format!("预测 {}，同级其他节点有目标而它没有", money(*forecast))
        }
        Detail::Concentration { deal_id, part, whole, share, team, limit } => {
            let what = match deal_id {
                Some(d) => format!("商机 {d}（{}）", money(*part)),
                None => format!("原始预测 {}", money(*part)),
            };
            format!(
                "{what} 占 {} 的 {} 的 {}（上限 {}）",
                review.who(*team),
                money(*whole),
                crate::format::share(*share),
                share_limit(*limit)
            )
        }
    }
}

/// The two sides of a review of a scenario; `None` for a review of the pack as given.
fn scenario_sides<'a>(review: &Review<'a>) -> Option<Sides<'a>> {
    review.baseline.map(|b| Sides {
        base: (b.pack, b.rollup),
        scenario: (review.pack, review.rollup),
        changes: b.scenario,
    })
}

/// A review of a scenario opens with its changes: where each was given, what it does, why.
fn scenario_changes(b: &mut Vec<Block>, s: &Sides, lang: Lang) {
    b.push(Block::Part(t!("Scenario (情景)", "情景").get(lang).to_string()));
    b.push(Block::Para(
        t!(
            "{}. Every number below is the scenario's (the waterfall, the flags, the agendas); each period first sets it against the baseline.",
            "{}。下面的每个数字都是情景的（瀑布、标记、议程）；每个期间先把它和基线对比。",
            crate::report::scenario::title(s, lang)
        )
        .get(lang)
        .to_string(),
    ));
    let header: &[&'static str] = match lang {
        Lang::En => &["#", "Given by", "Change", "Note"],
        Lang::Zh => &["#", "来源", "变更", "备注"],
    };
    let mut t = table(header, &[true, false, false, false], false);
    for k in 0..s.changes.changes.len() {
        let (source, what, note) = crate::report::scenario::describe(s, k, lang);
        t.rows.push(vec![(k + 1).to_string(), source, what, note]);
    }
    b.push(Block::Table(t));
}

/// Under a period's headline in a review of a scenario: every node the scenario touches, the
/// baseline's numbers beside the scenario's.
fn against_baseline(b: &mut Vec<Block>, s: &Sides, k: usize, lang: Lang) {
    b.push(Block::Part(t!("Against the baseline", "与基线对比").get(lang).to_string()));
    b.push(Block::Para(crate::report::scenario::headline(s, k, lang)));
    let header = crate::report::scenario::headers(lang);
    let right: Vec<bool> = (0..header.len()).map(|c| (2..11).contains(&c)).collect();
    let mut t = table(header, &right, false);
    for (depth, cells, _) in crate::report::scenario::cells(s, k) {
        t.rows.push(cells);
        t.indent.push(depth);
    }
    b.push(Block::Table(t));
    b.push(Block::Para(crate::report::scenario::legend(lang)));
}

/// A flag's name.
fn flag_title(kind: crate::review::flags::Kind, f: &Fmt) -> &'static str {
    use crate::review::flags::Kind;
    if !f.zh {
        return kind.title();
    }
    match kind {
        Kind::NotReviewed => "未评估",
        Kind::OutsideBand => "信心指数超出区间",
        Kind::ManagerOwnLines => "管理者自签单（主管不签单）",
        Kind::TargetsDoNotAddUp => "目标对不上",
        Kind::TargetWithoutForecast => "有目标无预测",
        Kind::ForecastWithoutTarget => "有预测无目标",
        Kind::RepConcentration => "一人撑起团队",
        Kind::DealConcentration => "一单撑起团队",
    }
}

/// A status of what moved.
fn status(s: Status, f: &Fmt) -> &'static str {
    match (s, f.zh) {
        (Status::Changed, true) => "变化",
        (Status::New, true) => "新增",
        (Status::Gone, true) => "移除",
        (s, false) => s.label(),
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
pub fn document(review: &Review, agenda_depth: Option<u32>, zh: bool) -> Doc {
    let f = Fmt { scale: review.scale(), zh };
    let o = &review.options;
    let mut b = Vec::new();
    let lang = if zh { crate::text::Lang::Zh } else { crate::text::Lang::En };
    let sides = scenario_sides(review);
    b.push(Block::Title(match sides {
        None => f.tr("Forecast review (扒皮会)", "预测扒皮会").into(),
        Some(_) => f.tr("Scenario: forecast review (扒皮会)", "情景：预测扒皮会").into(),
    }));
    let pack = review.pack;
    b.push(Block::Para(if zh {
        format!(
            "{} 个节点，{} 个期间。标记：信心指数超出 {}–{}；一个销售或一个商机超过团队原始预测的 {}。\
             金额与汇总表一致：每个合计都精确相加。",
            pack.org.len(),
            pack.periods.len(),
            o.band_low,
            o.band_high,
            crate::format::share_limit(o.concentration),
        )
    } else {
        format!(
            "{} nodes, {} period(s). Flags: confidence outside {}–{}; a rep or deal above {} of its team's raw forecast. \
             Money as printed by the roll-up: every total adds up exactly.",
            pack.org.len(),
            pack.periods.len(),
            o.band_low,
            o.band_high,
            crate::format::share_limit(o.concentration),
        )
    }));
    if let Some(sides) = &sides {
        scenario_changes(&mut b, sides, lang);
    }
    for (k, p) in review.periods.iter().enumerate() {
        period(&mut b, review, &f, k, p, agenda_depth);
    }
    if let Some(h) = &review.history {
        history(&mut b, h, &f);
    }
    Doc { blocks: b, zh }
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
    let headline = match (w.target, w.attainment, f.zh) {
        (Some(t), Some(a), false) => format!(
            "{label}: national forecast {} against target {} (attainment {})",
            f.money(w.forecast),
            f.money(t),
            percent(a)
        ),
        (Some(t), None, false) => {
            format!(
                "{label}: national forecast {} against target {}",
                f.money(w.forecast),
                f.money(t)
            )
        }
        (_, _, false) => format!("{label}: national forecast {} (no target)", f.money(w.forecast)),
        (Some(t), Some(a), true) => format!(
            "{label}：全国预测 {}，目标 {}（达成率 {}）",
            f.money(w.forecast),
            f.money(t),
            percent(a)
        ),
        (Some(t), None, true) => {
            format!("{label}：全国预测 {}，目标 {}", f.money(w.forecast), f.money(t))
        }
        (_, _, true) => format!("{label}：全国预测 {}（无目标）", f.money(w.forecast)),
    };
    let sides = scenario_sides(review);
    let headline = match (&sides, f.zh) {
        (None, _) => headline,
        (Some(_), false) => format!("{headline} (scenario)"),
        (Some(_), true) => format!("{headline}（情景）"),
    };
    b.push(Block::Section(headline));
    if let Some(sides) = sides {
        against_baseline(b, &sides, p.index, if f.zh { Lang::Zh } else { Lang::En });
    }
    tree(b, review, f, p, agenda_depth);

    b.push(Block::Part(f.tr("Layer waterfall (逐层瀑布)", "逐层瀑布").into()));
    b.push(Block::Chart(Chart::Waterfall(k)));
    let header: &[&'static str] = if f.zh {
        &["步骤", "信心指数给出者", "被评估层", "变化", "%", "累计"]
    } else {
        &["Step", "Confidence given by", "On", "Change", "%", "Running total"]
    };
    let mut t = table(header, &[false, false, false, true, true, true], false);
    t.rows.push(row([
        f.tr("Raw forecast (Σ every line)", "原始预测（所有明细合计）"),
        "",
        "",
        "",
        "",
        &f.money(w.raw),
    ]));
    for s in &w.steps {
        t.rows.push(row([
            &if f.zh { format!("第 {} 层", s.depth) } else { format!("Level {}", s.depth) },
            &f.level(&s.given_by),
            &f.level(&s.on),
            &f.signed(s.change),
            &s.ratio.map(signed_percent).unwrap_or_default(),
            &f.money(s.after),
        ]));
    }
    t.rows.push(row([
        f.tr("= National forecast", "= 全国预测"),
        "",
        "",
        "",
        "",
        &f.money(w.forecast),
    ]));
    if let Some(target) = w.target {
        t.rows.push(row([f.tr("Target", "目标"), "", "", "", "", &f.money(target)]));
        let gap = w.gap.unwrap_or(w.forecast - target);
        t.rows.push(row([
            f.tr("Gap", "差额"),
            "",
            "",
            &f.signed(gap),
            &w.gap_ratio.map(signed_percent).unwrap_or_default(),
            "",
        ]));
    }
    b.push(Block::Table(t));
    b.push(Block::Chart(Chart::Targets(k)));

    b.push(Block::Part(format!("{} ({})", f.tr("Flags", "标记"), p.flags.len())));
    if p.flags.is_empty() {
        b.push(Block::Para(f.tr("Nothing flagged.", "没有标记。").into()));
    } else {
        let header: &[&'static str] =
            if f.zh { &["标记", "节点", "数字"] } else { &["Flag", "Node", "Numbers"] };
        let mut t = table(header, &[false, false, false], true);
        for fl in &p.flags {
            t.rows.push(vec![
                flag_title(fl.kind, f).into(),
                review.who(fl.node),
                detail(review, fl, f),
            ]);
        }
        b.push(Block::Table(t));
    }

    if let Some(m) = &p.moved {
        moved(b, review, f, k, m);
    }

    b.push(Block::Part(f.tr("Agenda per manager (议程)", "每位管理者的议程").into()));
    b.push(Block::Para(
        f.tr(
            "Each manager's direct reports, the most money at stake first: the size of the manager's \
             haircut or uplift plus the shortfall to target. — in Conf. means not reviewed (counted at 1).",
            "每位管理者的直接下属，涉及金额最大的在前：管理者打折或加成的金额加上距目标的缺口。信心指数为 — 表示未评估（按 1 计）。",
        )
        .into(),
    ));
    let shown = |a: &&crate::review::agenda::Agenda| {
        agenda_depth.is_none_or(|d| pack.tree.depth[a.manager as usize] <= d)
    };
    let hidden = p.agenda.iter().filter(|a| !shown(a)).count();
    for a in p.agenda.iter().filter(shown) {
        let m = &a.printed;
        let sep = f.tr(", ", "，");
        let mut head = format!(
            "{} — {} {}",
            review.who(a.manager),
            f.tr("forecast", "预测"),
            f.money(m.forecast)
        );
        if let Some(t) = m.target {
            head.push_str(&format!(
                "{sep}{} {}{sep}{} {}",
                f.tr("target", "目标"),
                f.money(t),
                f.tr("gap", "差额"),
                f.signed(m.forecast - t)
            ));
            if let Some(a) = m.attainment {
                head.push_str(&format!("{sep}{} {}", f.tr("attainment", "达成率"), percent(a)));
            }
        }
        if a.own_lines > 0 {
            head.push_str(&format!("{sep}{} {}", f.tr("own lines", "自签"), f.money(m.own)));
        }
        b.push(Block::Minor(head));
        let header: &[&'static str] = if f.zh {
            &[
                "下属",
                "原始预测",
                "预测",
                "信心指数",
                "调整后",
                "打折/加成",
                "目标",
                "差额",
                "达成率",
                "备注",
            ]
        } else {
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
            ]
        };
        let mut t =
            table(header, &[false, true, true, true, true, true, true, true, true, false], true);
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
        b.push(Block::Para(if f.zh {
            format!("… 另有更深层级 {hidden} 位管理者的议程：见 review.md 或 review.html（--out）。")
        } else {
            format!(
                "… and the agendas of {hidden} managers on deeper levels: see review.md or review.html (--out)."
            )
        }));
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
    b.push(Block::Part(f.tr("The tree (组织树)", "组织树").into()));
    let header: &[&'static str] = if f.zh {
        &["节点", "编号", "原始预测", "预测", "信心指数", "调整后", "目标", "差额", "达成率", ""]
    } else {
        &["Node", "ID", "Raw", "Forecast", "Conf.", "Adjusted", "Target", "Gap", "Attainment", ""]
    };
    let mut table =
        table(header, &[false, false, true, true, true, true, true, true, true, false], false);
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
    let mut legend = f
        .tr(
            "▼ below target · ? not reviewed (counted at 1) · ! manager's own deals",
            "▼ 未达标 · ? 未评估（按 1 计）· ! 管理者自签单",
        )
        .to_string();
    if hidden > 0 {
        legend.push_str(&match (agenda_depth, f.zh) {
            (None, false) => format!(
                ". The {hidden} nodes on deeper levels are each a row of their manager's agenda below."
            ),
            (Some(_), false) => format!(
                ". {hidden} nodes on deeper levels are not shown: review.md and review.html (--out) have every agenda."
            ),
            (None, true) => format!("。更深层级的 {hidden} 个节点各是其管理者议程中的一行（见下）。"),
            (Some(_), true) => {
                format!("。更深层级的 {hidden} 个节点未显示：review.md 和 review.html（--out）有全部议程。")
            }
        });
    }
    b.push(Block::Para(legend));
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn moved(b: &mut Vec<Block>, review: &Review, f: &Fmt, k: usize, m: &Moved) {
    let (source, _) = review.previous.clone().unwrap_or_default();
    b.push(Block::Part(if f.zh {
        format!("自 {source} 以来的变化")
    } else {
        format!("What moved since {source}")
    }));
    if !m.found {
        b.push(Block::Para(
            f.tr(
                "The previous review has no numbers for this period.",
                "上次评审没有这个期间的数字。",
            )
            .into(),
        ));
        return;
    }
    if !m.deal_level {
        b.push(Block::Para(
            f.tr(
                "The previous review is a rollup.json, which has no deal lines: changes are node by node \
                 (new reps, removed reps, changed rep totals), not deal by deal. Give --previous the previous \
                 pack folder for the deal-level bridge.",
                "上次评审是 rollup.json，没有商机明细：变化按节点列出（新增的销售、移除的销售、销售合计的变化），\
                 而不是按商机。给 --previous 上次的数据包文件夹，可得到按商机的桥接。",
            )
            .into(),
        ));
    }
    if let Some(br) = &m.bridge {
        let (new, gone, amounts) = match (m.deal_level, f.zh) {
            (true, false) => ("New deals", "Removed deals", "Changed amounts"),
            (false, false) => ("New reps' lines", "Removed reps' lines", "Changed rep totals"),
            (true, true) => ("新增商机", "移除商机", "金额变化"),
            (false, true) => ("新增销售的明细", "移除销售的明细", "销售合计变化"),
        };
        let header: &[&'static str] = if f.zh {
            &["桥接（全国预测）", "变化", "累计"]
        } else {
            &["Bridge (national forecast)", "Change", "Running total"]
        };
        let mut t = table(header, &[false, true, true], false);
        let mut total = br.before;
        t.rows.push(row([f.tr("Previous national forecast", "上次全国预测"), "", &f.money(total)]));
        for (label, x) in [
            (new, br.new_deals),
            (gone, br.removed_deals),
            (amounts, br.changed_amounts),
            (f.tr("Changed confidence", "信心指数变化"), br.changed_confidence),
        ] {
            total += x;
            t.rows.push(row([label, &f.signed(x), &f.money(total)]));
        }
        t.rows.push(row([
            f.tr("= National forecast now", "= 本次全国预测"),
            &f.signed(br.after - br.before),
            &f.money(br.after),
        ]));
        b.push(Block::Table(t));
    }
    b.push(Block::Minor(format!(
        "{} ({})",
        f.tr("Biggest movers", "变化最大的节点"),
        m.nodes.len()
    )));
    b.push(Block::Para(
        f.tr(
            "Each move once, at the node where it starts: its own lines (at its confidence before), \
             its confidence (on its forecast now), and reports that joined or left its team. A manager \
             whose number moved only because its reports' did is not listed again, and a move that \
             rounds to zero is left out. Money in each node's adjusted, before the confidences above it.",
            "每个变化只在它发生的节点列出一次：自己的明细（按之前的信心指数）、信心指数（按现在的预测）、\
             加入或离开团队的下属。只因下属变化而变化的管理者不再重复列出；四舍五入为零的变化不列。\
             金额为各节点调整后的金额，未乘上级的信心指数。",
        )
        .into(),
    ));
    if m.nodes.is_empty() {
        b.push(Block::Para(f.tr("Nothing moved.", "没有变化。").into()));
    } else {
        b.push(Block::Chart(Chart::Movers(k)));
        // Reports change manager rarely: the column only when one did.
        let team = m.nodes.iter().any(|c| c.team != 0);
        let blank_zero = |u: i128| if u == 0 { String::new() } else { f.signed(u) };
        let mut header: Vec<&'static str> = if f.zh {
            vec!["节点", "状态", "Δ 自己的明细", "信心指数 之前 → 现在"]
        } else {
            vec!["Node", "Status", "Δ Own lines", "Conf. before → now"]
        };
        let mut right = vec![false, false, true, true];
        if team {
            header.push(if f.zh { "Δ 加入/离开的下属" } else { "Δ Reports joined/left" });
            right.push(true);
        }
        if f.zh {
            header.extend(["变化", "Δ 调整后", "现在调整后"]);
        } else {
            header.extend(["Move", "Δ Adjusted", "Adjusted now"]);
        }
        right.extend([true, true, true]);
        let mut t = table(&header, &right, true);
        for c in &m.nodes {
            let mut row = vec![
                c.who(),
                status(c.status, f).into(),
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
    let title = match (m.deal_level, f.zh) {
        (true, false) => format!("Deals new, removed or changed ({})", m.deals.len()),
        (false, false) => format!("Reps' own lines new, removed or changed ({})", m.deals.len()),
        (true, true) => format!("新增、移除或变化的商机（{}）", m.deals.len()),
        (false, true) => format!("新增、移除或变化的销售明细（{}）", m.deals.len()),
    };
    b.push(Block::Minor(title));
    if !m.deals.is_empty() {
        let header: &[&'static str] = if f.zh {
            &["销售", "商机", "状态", "之前", "现在", "变化"]
        } else {
            &["Rep", "Deal", "Status", "Before", "Now", "Change"]
        };
        let mut t = table(header, &[false, false, false, true, true, true], true);
        for d in &m.deals {
            let deal = if d.deal_id.is_empty() && m.deal_level {
                f.tr("(lines without deal_id)", "（无商机编号的明细）").to_string()
            } else {
                d.deal_id.clone()
            };
            t.rows.push(vec![
                d.who.clone(),
                deal,
                status(d.status, f).into(),
                if d.status == Status::New { String::new() } else { f.money(d.before) },
                if d.status == Status::Gone { String::new() } else { f.money(d.now) },
                f.signed(d.now - d.before),
            ]);
        }
        b.push(Block::Table(t));
    }
}

fn history(b: &mut Vec<Block>, h: &crate::review::history::History, f: &Fmt) {
    b.push(Block::Section(
        f.tr("Whose judgment to trust (history)", "该信谁的判断（历史）").into(),
    ));
    let used: Vec<String> = h
        .used
        .iter()
        .map(|(p, dir)| if f.zh { format!("{p}（{dir}）") } else { format!("{p} from {dir}") })
        .collect();
    let none = f.tr("none", "无");
    let used = if used.is_empty() { none.to_string() } else { used.join(f.tr(", ", "、")) };
    b.push(Block::Para(if f.zh {
        format!(
            "已成交期间：{used}。实绩比 = 成交 / 原始预测。建议信心指数 = 1 + (实绩比 − 1) × n / (n + {})，\
             n = 该销售的期间数（--prior-periods {}）。",
            h.prior_periods, h.prior_periods
        )
    } else {
        format!(
            "Booked periods: {used}. Record = booked / raw forecast. Suggested confidence = 1 + (record − 1) × n / (n + {}), \
             n = the rep's periods (--prior-periods {}).",
            h.prior_periods, h.prior_periods
        )
    }));
    b.push(Block::Part(
        f.tr("Reps: record and suggested confidence", "销售：实绩比与建议信心指数").into(),
    ));
    let header: &[&'static str] = if f.zh {
        &["销售", "期间数", "原始预测", "成交", "实绩比", "建议", "现在给的", "判断"]
    } else {
        &[
            "Rep",
            "Periods",
            "Raw forecast",
            "Booked",
            "Record",
            "Suggested",
            "Given now",
            "Reads as",
        ]
    };
    let mut t = table(header, &[false, true, true, true, true, true, true, false], true);
    for r in &h.reps {
        let reads = match r.suggested {
            Some(s) if s >= 105 => f.tr("sandbagger (books more)", "保守（成交更多）"),
            Some(s) if s <= 95 => f.tr("optimist (books less)", "乐观（成交更少）"),
            Some(_) => f.tr("reliable", "可靠"),
            None => f.tr("no forecast to judge", "没有可判断的预测"),
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
    b.push(Block::Part(
        f.tr(
            "Managers: error without and with their confidence",
            "管理者：不用与使用其信心指数的误差",
        )
        .into(),
    ));
    b.push(Block::Para(
        f.tr(
            "Error = Σ |number − booked| over the manager's direct reports and periods; without = the \
             reports' forecasts, with = after the manager's confidence. Better = the share of the error \
             the manager's judgment removed (negative: it added error).",
            "误差 = Σ |数字 − 成交|，对管理者的直接下属和各期间求和；不用 = 下属的预测，使用 = 乘上管理者的信心指数后。\
             改善 = 管理者的判断消除的误差比例（负数：增加了误差）。",
        )
        .into(),
    ));
    let header: &[&'static str] = if f.zh {
        &["管理者", "判断次数", "不用时误差", "使用后误差", "改善", "结论"]
    } else {
        &["Manager", "Judgments", "Error without", "Error with", "Better", "Verdict"]
    };
    let mut t = table(header, &[false, true, true, true, true, false], true);
    let verdict = |without: i128, with: i128| {
        if with < without {
            f.tr("closer to booked", "更接近成交")
        } else if with > without {
            f.tr("further from booked", "离成交更远")
        } else {
            f.tr("no effect", "没有影响")
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
    b.push(Block::Minor(
        f.tr("By level: every manager at the level, summed", "按层级：该层所有管理者合计").into(),
    ));
    let header: &[&'static str] = if f.zh {
        &["层级（评估者）", "管理者数", "不用时误差", "使用后误差", "改善", "结论"]
    } else {
        &["Level (judging)", "Managers", "Error without", "Error with", "Better", "Verdict"]
    };
    let mut t = table(header, &[false, true, true, true, true, false], false);
    for l in &h.levels {
        t.rows.push(vec![
            if f.zh {
                format!("{}（第 {} 层）", l.label, l.depth)
            } else {
                format!("{} (depth {})", l.label, l.depth)
            },
            l.managers.to_string(),
            f.money(l.without),
            f.money(l.with),
            l.improvement.map(signed_percent).unwrap_or_default(),
            verdict(l.without, l.with).into(),
        ]);
    }
    b.push(Block::Table(t));
}

/// The audit record at the end of the review's files: where the numbers came from (the tool,
/// its options, every input file's SHA-256 and rows).
pub fn add_sources(doc: &mut Doc, a: &crate::audit::Audit, o: &crate::review::ReviewOptions) {
    let lang = if doc.zh { Lang::Zh } else { Lang::En };
    let f = Fmt { scale: 0, zh: doc.zh };
    doc.blocks.push(Block::Section(
        f.tr("Sources: where these numbers came from", "来源：这些数字从何而来").into(),
    ));
    doc.blocks.push(Block::Part(f.tr("Audit record", "审计记录").into()));
    doc.blocks.push(Block::Para(
        f.tr(
            "Each input file's SHA-256 says whether the pack is still the one these numbers came from: forecast-rollup verify recomputes rollup files from a pack and compares them.",
            "每个输入文件的 SHA-256 可用来确认数据包仍是产生这些数字的那一个：forecast-rollup verify 会从数据包重新计算 rollup 文件并逐一比对。",
        )
        .into(),
    ));
    let mut settings = crate::report::audit::settings(a, lang);
    settings.extend(review_settings(o, lang));
    doc.blocks.push(Block::Table(Table {
        header: vec![f.tr("Setting", "设置"), f.tr("Value", "值")],
        right: vec![false, false],
        rows: settings.into_iter().map(|(k, v)| vec![k, v]).collect(),
        list: false,
        indent: vec![],
    }));
    let header = crate::report::audit::input_header(lang);
    doc.blocks.push(Block::Table(Table {
        header: header.to_vec(),
        right: vec![false, false, false, true, false, true, true],
        rows: crate::report::audit::input_rows(a).into_iter().map(|r| r.to_vec()).collect(),
        list: false,
        indent: vec![],
    }));
}

/// The review's own options, as (label, value) rows: they decide the flags and what moved.
fn review_settings(o: &crate::review::ReviewOptions, lang: Lang) -> Vec<(String, String)> {
    use crate::review::Previous;
    let mut buf = [0u8; crate::exact::UNITS_BUF];
    let mut exact = |x: Exact| x.format_shortest(&mut buf).to_string();
    let band = format!("{} – {}", exact(o.band_low), exact(o.band_high));
    let mut rows = vec![
        (
            t!(
                "Confidence band (--band-low, --band-high)",
                "信心指数区间（--band-low、--band-high）"
            ),
            band,
        ),
        (
            t!("Concentration (--concentration)", "集中度（--concentration）"),
            exact(o.concentration),
        ),
        (
            t!("Prior periods (--prior-periods)", "先验期间数（--prior-periods）"),
            o.prior_periods.to_string(),
        ),
    ];
    if let Some(p) = &o.previous {
        let shown = match p {
            Previous::Pack(d) | Previous::RollupJson(d) => crate::pipeline::display(d),
        };
        rows.push((t!("Compared with (--previous)", "对比的上次评审（--previous）"), shown));
    }
    rows.into_iter().map(|(k, v)| (k.get(lang).to_string(), v)).collect()
}
