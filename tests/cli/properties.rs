//! Property tests over random packs: random trees (any shape, depth ≤ 5), amounts with three
//! decimals and negatives, odd multipliers and percentages, some nodes unreviewed, managers with
//! own lines, period-specific overrides. Every generated pack must roll up, tie exactly as
//! printed, and agree with the independent Decimal reference in bench/.

use crate::harness::*;
use proptest::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CONFIDENCES: [&str; 12] =
    ["0", "0.5", "0.75", "0.875", "0.9", "1", "1.1", "1.25", "1.333", "2", "85%", "112.5%"];

/// Writes a random pack into `dir`; returns the number of nodes.
fn random_pack(dir: &Path, seed: u64) -> usize {
    let mut rng = Rng(seed | 1);
    let n = 1 + rng.below(40) as usize;
    let mut depth = vec![0u32];
    let mut parent = vec![usize::MAX];
    for i in 1..n {
        let p = loop {
            let p = rng.below(i as u64) as usize;
            if depth[p] < 4 {
                break p;
            }
        };
        parent.push(p);
        depth.push(depth[p] + 1);
    }
    let has_child: Vec<bool> = (0..n).map(|v| parent.contains(&v)).collect();
    let periods = if rng.below(2) == 0 { vec!["2026-Q1"] } else { vec!["2026-Q1", "2026-Q2"] };
    let mut org = String::from("id,parent_id,name,level\n");
    for v in 0..n {
        let p = if v == 0 { String::new() } else { format!("N{}", parent[v]) };
        let _ = writeln!(org, "N{v},{p},名{v},L{}", depth[v]);
    }
    let mut fc = String::from("rep_id,period,amount,deal_id\n");
    let mut deal = 0;
    for (v, &manager) in has_child.iter().enumerate() {
        if manager && rng.below(4) != 0 {
            continue;
        }
        for _ in 0..rng.below(4) {
            deal += 1;
            let period = periods[rng.below(periods.len() as u64) as usize];
            let millis = rng.below(200_000_000) as i64 - 20_000_000;
            let sign = if millis < 0 { "-" } else { "" };
            let m = millis.unsigned_abs();
            let _ = writeln!(fc, "N{v},{period},{sign}{}.{:03},D{deal}", m / 1000, m % 1000);
        }
    }
    if deal == 0 {
        let _ = writeln!(fc, "N{},{},1.005,D0", n - 1, periods[0]);
    }
    let mut conf = String::from("subject_id,reviewer_id,period,confidence\n");
    for (v, p) in parent.iter().enumerate().skip(1) {
        if rng.below(10) < 7 {
            let c = CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize];
            let _ = writeln!(conf, "N{v},N{p},,{c}");
        }
        if rng.below(6) == 0 {
            let c = CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize];
            let _ = writeln!(conf, "N{v},,{},{c}", periods[0]);
        }
    }
    let mut targets = String::from("node_id,period,target\n");
    for v in 0..n {
        for p in &periods {
            if rng.below(3) == 0 {
                let t = if rng.below(8) == 0 { 0 } else { rng.below(10_000_000) };
                let _ = writeln!(targets, "N{v},{p},{}.{:02}", t / 100, t % 100);
            }
        }
    }
    for (name, body) in [
        ("org.csv", org),
        ("forecasts.csv", fc),
        ("confidence.csv", conf),
        ("targets.csv", targets),
    ] {
        std::fs::write(dir.join(name), body).unwrap();
    }
    n
}

fn cents(cell: &str) -> i128 {
    let neg = cell.starts_with('-');
    let digits: String = cell.chars().filter(|c| c.is_ascii_digit()).collect();
    let v: i128 = digits.parse().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// Checks the contract's ties on integer cents, straight from the printed file.
fn assert_ties(csv: &str) {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (period, id, parent) = (col("period"), col("node_id"), col("parent_id"));
    let money = ["raw", "forecast", "adjusted", "contribution", "own", "own_contribution"].map(col);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut sums: HashMap<(&str, &str), [i128; 3]> = HashMap::new();
    for r in &rows {
        if !r[parent].is_empty() {
            let s = sums.entry((r[period], r[parent])).or_default();
            s[0] += cents(r[money[0]]);
            s[1] += cents(r[money[2]]);
            s[2] += cents(r[money[3]]);
        }
    }
    for r in &rows {
        let s = sums.get(&(r[period], r[id])).copied().unwrap_or_default();
        let own = cents(r[money[4]]);
        assert_eq!(cents(r[money[0]]), s[0] + own, "raw tie at {}", r.join(","));
        assert_eq!(cents(r[money[1]]), s[1] + own, "forecast tie at {}", r.join(","));
        assert_eq!(
            cents(r[money[3]]),
            s[2] + cents(r[money[5]]),
            "contribution tie at {}",
            r.join(",")
        );
        if r[parent].is_empty() {
            assert_eq!(cents(r[money[1]]), cents(r[money[2]]), "root adjusted = forecast");
            assert_eq!(cents(r[money[1]]), cents(r[money[3]]), "root contribution = forecast");
        }
    }
}

fn python() -> Option<&'static str> {
    std::process::Command::new("python3").arg("--version").output().ok().map(|_| "python3")
}

/// `SEED=n` reruns one case (with `KEEP_PACK=dir` to keep its pack).
pub fn seed_strategy() -> BoxedStrategy<u64> {
    match std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        Some(s) => Just(s).boxed(),
        None => any::<u64>().boxed(),
    }
}

proptest! {
    // PROPTEST_CASES=n runs more cases (the default keeps the suite fast).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_packs_tie_as_printed_and_match_the_exact_reference(seed in seed_strategy(), even in any::<bool>()) {
        let pack = tmp();
        random_pack(pack.path(), seed);
        if let Some(keep) = std::env::var_os("KEEP_PACK") {
            std::fs::create_dir_all(&keep).unwrap();
            copy_pack(pack.path(), Path::new(&keep));
        }
        let rounding = if even { "half-even" } else { "half-up" };
        let out = tmp();
        let o = bin()
            .args(["run", pack.path().to_str().unwrap(), "--rounding", rounding, "--out", out.path().to_str().unwrap()])
            .output()
            .unwrap();
        prop_assert_eq!(o.status.code(), Some(0), "seed {}: {}", seed, text(&o.stderr));
        let csv = std::fs::read_to_string(out.path().join("rollup.csv")).unwrap();
        assert_ties(&csv);
        if let Some(py) = python() {
            let check = std::process::Command::new(py)
                .arg(root().join("bench/check_rollup.py"))
                .arg(pack.path())
                .arg(out.path().join("rollup.csv"))
                .args(["--rounding", rounding, "--max-residue-share", "1"])
                .output()
                .unwrap();
            prop_assert!(check.status.success(), "seed {}: {}{}", seed, text(&check.stdout), text(&check.stderr));
        }
    }
}
