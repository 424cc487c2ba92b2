//! The tests' one random-pack generator. A seed names a pack: a random tree (any shape, up to
//! five levels), amounts with three decimals and negatives, odd multipliers and percentages,
//! some nodes unreviewed, managers with lines of their own, period-specific overrides, targets,
//! one or two periods, with or without a `reviewer_id` column. The pack is a value, so that the
//! naive reference in reference.rs can roll it up, and it can be written with its rows shuffled.
//! (Large packs come from the binary's own `gen` command instead.)

use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// xorshift64: small and reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A deterministic shuffle, so that a failure can be rerun.
pub fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut rng = Rng::new(seed);
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// `SEED=n` reruns one case (with `KEEP_PACK=dir` to keep its pack).
pub fn seed_strategy() -> BoxedStrategy<u64> {
    match std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        Some(s) => Just(s).boxed(),
        None => any::<u64>().boxed(),
    }
}

/// Multipliers with up to three decimals, zero, above one, and percentages.
const CONFIDENCES: [&str; 14] = [
    "0", "0.5", "0.75", "0.875", "0.9", "1", "1.1", "1.125", "1.25", "1.333", "2", "85%", "95%",
    "112.5%",
];

/// One forecasts.csv line.
pub struct Line {
    pub node: usize,
    /// Index into [`Pack::periods`].
    pub period: usize,
    /// As written: three decimals, maybe negative.
    pub amount: String,
    pub deal: u64,
}

/// One confidence.csv row.
pub struct Confidence {
    pub node: usize,
    /// Index into [`Pack::periods`]; `None` for every period (a period's row overrides it).
    pub period: Option<usize>,
    /// Whether `reviewer_id` names the parent (else it is empty).
    pub reviewer: bool,
    /// As written, e.g. `1.333` or `85%`.
    pub text: &'static str,
}

pub struct Pack {
    /// Node `v` is `N{v}`; a parent always comes before its children, node 0 is the root.
    pub parent: Vec<Option<usize>>,
    pub depth: Vec<u32>,
    pub periods: Vec<&'static str>,
    pub lines: Vec<Line>,
    pub confidence: Vec<Confidence>,
    pub reviewer_column: bool,
    /// (node, period index, target as written)
    pub targets: Vec<(usize, usize, String)>,
}

impl Pack {
    pub fn random(seed: u64) -> Pack {
        let mut rng = Rng::new(seed);
        let n = 1 + rng.below(40) as usize;
        let mut parent = vec![None];
        let mut depth = vec![0u32];
        for i in 1..n {
            let p = loop {
                let p = rng.below(i as u64) as usize;
                if depth[p] < 4 {
                    break p;
                }
            };
            parent.push(Some(p));
            depth.push(depth[p] + 1);
        }
        let periods = if rng.below(2) == 0 { vec!["2026-Q1"] } else { vec!["2026-Q1", "2026-Q2"] };
        let pick_period = |rng: &mut Rng| rng.below(periods.len() as u64) as usize;

        let mut lines = Vec::new();
        for v in 0..n {
            let manager = parent.contains(&Some(v));
            // Most managers have no lines of their own; some do, the root included.
            if manager && rng.below(4) != 0 {
                continue;
            }
            for _ in 0..rng.below(4) {
                let millis = rng.below(200_000_000) as i64 - 20_000_000;
                let sign = if millis < 0 { "-" } else { "" };
                let m = millis.unsigned_abs();
                lines.push(Line {
                    node: v,
                    period: pick_period(&mut rng),
                    amount: format!("{sign}{}.{:03}", m / 1000, m % 1000),
                    deal: lines.len() as u64 + 1,
                });
            }
        }
        if lines.is_empty() {
            lines.push(Line { node: n - 1, period: 0, amount: "1.005".into(), deal: 0 });
        }

        let reviewer_column = rng.below(4) != 0;
        let mut confidence = Vec::new();
        for v in 1..n {
            if rng.below(10) < 7 {
                confidence.push(Confidence {
                    node: v,
                    period: None,
                    reviewer: reviewer_column && rng.below(4) != 0,
                    text: CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize],
                });
            }
            // A period-specific row names a period some forecast line has (a confidence for a
            // period without forecast lines is refused).
            let period = pick_period(&mut rng);
            if rng.below(6) == 0 && lines.iter().any(|l| l.period == period) {
                confidence.push(Confidence {
                    node: v,
                    period: Some(period),
                    reviewer: reviewer_column && rng.below(2) == 0,
                    text: CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize],
                });
            }
        }

        let mut targets = Vec::new();
        for v in 0..n {
            for p in 0..periods.len() {
                if rng.below(3) == 0 {
                    let t = if rng.below(8) == 0 { 0 } else { rng.below(10_000_000) };
                    targets.push((v, p, format!("{}.{:02}", t / 100, t % 100)));
                }
            }
        }
        Pack { parent, depth, periods, lines, confidence, reviewer_column, targets }
    }

    /// Writes the pack's four files into `dir`; with `shuffle`, the rows of forecasts.csv,
    /// confidence.csv and targets.csv in an order drawn from that seed. `KEEP_PACK=dir` also
    /// copies the files there.
    pub fn write(&self, dir: &Path, shuffled: Option<u64>) {
        let mut org = String::from("id,parent_id,name,level\n");
        for (v, p) in self.parent.iter().enumerate() {
            let p = p.map_or(String::new(), |p| format!("N{p}"));
            let _ = writeln!(org, "N{v},{p},名{v},L{}", self.depth[v]);
        }
        let mut forecasts: Vec<String> = self
            .lines
            .iter()
            .map(|l| format!("N{},{},{},D{}\n", l.node, self.periods[l.period], l.amount, l.deal))
            .collect();
        let mut confidence: Vec<String> = self
            .confidence
            .iter()
            .map(|c| {
                let period = c.period.map_or("", |p| self.periods[p]);
                let text = c.text;
                match (self.reviewer_column, c.reviewer) {
                    (false, _) => format!("N{},{period},{text}\n", c.node),
                    (true, false) => format!("N{},,{period},{text}\n", c.node),
                    (true, true) => {
                        let p = self.parent[c.node].expect("the root has no confidence row");
                        format!("N{},N{p},{period},{text}\n", c.node)
                    }
                }
            })
            .collect();
        let mut targets: Vec<String> = self
            .targets
            .iter()
            .map(|(v, p, t)| format!("N{v},{},{t}\n", self.periods[*p]))
            .collect();
        if let Some(seed) = shuffled {
            shuffle(&mut forecasts, seed);
            shuffle(&mut confidence, seed.wrapping_add(1));
            shuffle(&mut targets, seed.wrapping_add(2));
        }
        let confidence_header = if self.reviewer_column {
            "subject_id,reviewer_id,period,confidence\n"
        } else {
            "subject_id,period,confidence\n"
        };
        for (name, header, rows) in [
            ("forecasts.csv", "rep_id,period,amount,deal_id\n", forecasts),
            ("confidence.csv", confidence_header, confidence),
            ("targets.csv", "node_id,period,target\n", targets),
        ] {
            std::fs::write(dir.join(name), format!("{header}{}", rows.concat())).unwrap();
        }
        std::fs::write(dir.join("org.csv"), org).unwrap();
        if let Some(keep) = std::env::var_os("KEEP_PACK") {
            std::fs::create_dir_all(&keep).unwrap();
            crate::harness::copy_pack(dir, Path::new(&keep));
        }
    }
}
