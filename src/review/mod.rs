//! The 扒皮会 review: what a sales-ops lead prepares for the forecast review meeting, computed
//! from a validated pack and its roll-up.
//!
//! Per period: the layer waterfall ([`waterfall`]), the agenda of every manager ([`agenda`]),
//! the flags ([`flags`]) and, with `--previous`, what moved since the last review ([`moved`]).
//! With `--history`, whose judgment to trust ([`history`]). Every money value shown is a
//! printed value of a roll-up (integer units of `10^-scale`), so every number in the review
//! adds up exactly as printed. The renderers live in `report::review`.

pub(crate) mod agenda;
pub(crate) mod deals;
pub(crate) mod flags;
pub(crate) mod history;
pub(crate) mod moved;
pub(crate) mod packs;
pub(crate) mod waterfall;

use crate::config::Config;
use crate::exact::Exact;
use crate::model::{NodeIx, Pack};
use crate::rollup::{PeriodRollup, Rollup};
use std::path::{Path, PathBuf};

/// The last review to compare with.
#[derive(Debug, Clone)]
pub(crate) enum Previous {
    /// Its pack folder: changes deal by deal.
    Pack(PathBuf),
    /// The rollup.json that `run --out` wrote: changes node by node only.
    RollupJson(PathBuf),
}

/// `review`'s thresholds and comparisons, resolved from the flags.
#[derive(Debug, Clone)]
pub(crate) struct ReviewOptions {
    /// A confidence strictly below this is flagged.
    pub band_low: Exact,
    /// A confidence strictly above this is flagged.
    pub band_high: Exact,
    /// A rep or deal carrying strictly more than this share of its team's raw is flagged.
    pub concentration: Exact,
    /// Pseudo-periods in which a rep booked exactly their forecast, added to their record.
    pub prior_periods: u32,
    /// Rows per list in the terminal.
    pub top: usize,
    pub previous: Option<Previous>,
}

/// One period's review.
#[derive(Debug)]
pub(crate) struct PeriodReview {
    /// Index into `pack.periods` and `rollup.periods`.
    pub index: usize,
    pub waterfall: waterfall::Waterfall,
    pub agenda: Vec<agenda::Agenda>,
    pub flags: Vec<flags::Flag>,
    pub moved: Option<moved::Moved>,
}

/// The whole review, ready to render.
#[derive(Debug)]
pub(crate) struct Review<'a> {
    pub pack: &'a Pack,
    pub rollup: &'a Rollup,
    pub options: ReviewOptions,
    pub periods: Vec<PeriodReview>,
    /// What `--previous` named, as typed, and whether deal-level changes were possible.
    pub previous: Option<(String, bool)>,
    pub history: Option<history::History>,
}

impl Review<'_> {
    pub(crate) fn scale(&self) -> u32 {
        self.rollup.opts.scale
    }

    /// `Name (ID)`, or the id alone where the name is empty.
    pub(crate) fn who(&self, v: NodeIx) -> String {
        who(self.pack, v)
    }
}

pub(crate) fn who(pack: &Pack, v: NodeIx) -> String {
    let r = &pack.org[v as usize];
    if r.name.is_empty() {
        r.id.clone()
    } else {
        format!("{} ({})", r.name, r.id)
    }
}

/// How a review run ended.
pub(crate) enum Outcome {
    Done,
    /// An extra pack or actuals.csv is wrong: the problems as printed, nothing written.
    BadInput(String),
}

/// The product of the confidences on the path from each node up to the root: what one unit of
/// the node's own lines is worth in the national forecast.
pub(crate) fn multipliers(pack: &Pack, pr: &PeriodRollup) -> anyhow::Result<Vec<Exact>> {
    let tree = &pack.tree;
    let mut mult = vec![Exact::ONE; tree.len()];
    for &v in &tree.order {
        let i = v as usize;
        if v != tree.root {
            let up = mult[tree.parent[i] as usize];
            mult[i] = up.checked_mul(pr.confidence[i]).ok_or_else(|| {
                anyhow::anyhow!("the confidences above {} need more than 38 digits", who(pack, v))
            })?;
        }
    }
    Ok(mult)
}

/// Number of forecast lines at or under each node, in one period.
pub(crate) fn subtree_lines(pack: &Pack, lines: &[u32]) -> Vec<u64> {
    let tree = &pack.tree;
    let mut out: Vec<u64> = lines.iter().map(|&n| u64::from(n)).collect();
    for &v in tree.order.iter().rev() {
        if v != tree.root {
            let p = tree.parent[v as usize] as usize;
            out[p] += out[v as usize];
        }
    }
    out
}

/// Computes the review of a validated pack: loads the previous review and the history it
/// names, reads the pack's deal lines, and builds every part.
pub(crate) fn build<'a>(
    config: &Config,
    pack: &'a Pack,
    rollup: &'a Rollup,
    options: &ReviewOptions,
    reported: &mut packs::Reported,
) -> anyhow::Result<Option<Review<'a>>> {
    let mut read_problems = crate::problem::Problems::default();
    let deals = deals::read(&config.files.forecasts, pack, config.read, &mut read_problems)?;
    reported.add(read_problems, &|k| config.files.display(k));
    let previous = match &options.previous {
        None => None,
        Some(Previous::Pack(dir)) => match packs::load_dir(dir, config, reported)? {
            Some(loaded) => Some(moved::Before::from_pack(loaded, config, reported)?),
            None => None,
        },
        Some(Previous::RollupJson(path)) => Some(moved::Before::from_json(path, rollup.opts)?),
    };
    let history = match &config.history {
        Some(dir) => history::load(dir, config, pack, reported)?,
        None => None,
    };
    if !reported.is_empty() {
        return Ok(None);
    }
    let deals = deals.unwrap_or_default();
    let mut periods = Vec::with_capacity(pack.periods.len());
    for (index, (inputs, pr)) in pack.periods.iter().zip(&rollup.periods).enumerate() {
        let period_deals: Vec<&deals::Deal> =
            deals.iter().filter(|d| d.period as usize == index).collect();
        let moved = match &previous {
            Some(b) => Some(moved::compare(pack, rollup, index, &period_deals, b)?),
            None => None,
        };
        periods.push(PeriodReview {
            index,
            waterfall: waterfall::build(pack, pr),
            agenda: agenda::build(pack, inputs, pr),
            flags: flags::find(pack, inputs, pr, &period_deals, options, rollup.opts),
            moved,
        });
    }
    let history = match history {
        Some(h) => Some(history::judge(h, pack, rollup, options, rollup.opts)?),
        None => None,
    };
    Ok(Some(Review {
        pack,
        rollup,
        options: options.clone(),
        periods,
        previous: options.previous.as_ref().map(|p| match p {
            Previous::Pack(d) => (display(d), true),
            Previous::RollupJson(f) => (display(f), false),
        }),
        history,
    }))
}

/// A path as typed, without a leading `./`.
pub(crate) fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// `review`: builds the review, prints it, and with `--out` writes review.md and review.html.
pub(crate) fn run(config: &Config, pack: &Pack, rollup: &Rollup) -> anyhow::Result<Outcome> {
    let Some(options) = &config.review else { anyhow::bail!("review without its options") };
    let mut reported = packs::Reported::default();
    let review = build(config, pack, rollup, options, &mut reported)?;
    let Some(review) = review else { return Ok(Outcome::BadInput(reported.finish())) };
    let doc = crate::report::review::document(&review, None);
    if let Some(dir) = &config.out {
        let md = |w: &mut dyn std::io::Write| -> anyhow::Result<()> {
            w.write_all(crate::report::review::md::render(&doc).as_bytes())?;
            Ok(())
        };
        let html = |w: &mut dyn std::io::Write| -> anyhow::Result<()> {
            w.write_all(crate::report::review::html::render(&review, &doc).as_bytes())?;
            Ok(())
        };
        let mut inputs = config.input_paths();
        inputs.extend(review_inputs(options, config.history.as_deref()));
        crate::report::write_outputs(dir, &[("review.md", &md), ("review.html", &html)], &inputs)?;
    }
    let mut text = String::new();
    if config.demo {
        text.push_str(crate::config::DEMO_BANNER);
        text.push_str("\n\n");
    }
    // The terminal shows the agendas of the top levels; the files hold them all.
    let depth =
        crate::report::review::agenda_depth(&review, crate::report::review::TERMINAL_AGENDAS);
    let terminal = crate::report::review::document(&review, Some(depth));
    text.push_str(&crate::report::review::text::render(&terminal, options.top));
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(Outcome::Done)
}

/// `check --history DIR`: every pack of the history folder and its actuals.csv.
pub(crate) fn check_history(config: &Config, pack: &Pack, dir: &Path) -> anyhow::Result<Outcome> {
    let mut reported = packs::Reported::default();
    let history = history::load(dir, config, pack, &mut reported)?;
    match history {
        Some(h) if reported.is_empty() => {
            println!(
                "ok: history {}: {} earlier pack(s), {} actuals row(s), {} period(s) booked",
                display(dir),
                h.packs.len(),
                h.actual_rows,
                h.booked_periods.len()
            );
            Ok(Outcome::Done)
        }
        _ => Ok(Outcome::BadInput(reported.finish())),
    }
}

/// The other files a review reads, so that an output never overwrites one.
fn review_inputs(options: &ReviewOptions, history: Option<&Path>) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(Previous::RollupJson(p)) = &options.previous {
        v.push(p.clone());
    }
    if let Some(h) = history {
        v.push(h.join("actuals.csv"));
    }
    v
}
