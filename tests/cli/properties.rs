//! Property tests over the random packs of random.rs: every generated pack must roll up, tie
//! exactly as printed (both rounding modes), and agree with the independent Decimal reference
//! in bench/ (`bench/check_rollup.py`, which rolls the pack up again with `bench/reference.py`).

use crate::harness::*;
use crate::random::{seed_strategy, Pack};
use proptest::prelude::*;
use std::collections::HashMap;
use std::path::Path;

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

/// Rolls up a new random pack from `seed` with `--rounding half-even` or `half-up`; returns the
/// pack folder, the output folder and the rounding mode's name.
fn rolled_up(seed: u64, even: bool) -> (tempfile::TempDir, tempfile::TempDir, &'static str) {
    let pack = tmp();
    Pack::random(seed).write(pack.path(), None);
    let rounding = if even { "half-even" } else { "half-up" };
    let out = tmp();
    let o = bin()
        .args(["run", pack.path().to_str().unwrap(), "--rounding", rounding, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "seed {seed}: {}", text(&o.stderr));
    (pack, out, rounding)
}

fn python_reference(pack: &Path, rollup_csv: &Path, rounding: &str) -> std::process::Output {
    std::process::Command::new("python3")
        .arg(root().join("bench/check_rollup.py"))
        .arg(pack)
        .arg(rollup_csv)
        .args(["--rounding", rounding, "--max-residue-share", "1"])
        .output()
        .expect("python3 runs (CI installs it; elsewhere build.rs marks this test ignored)")
}

proptest! {
    // PROPTEST_CASES=n runs more cases (the default keeps the suite fast).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_packs_tie_as_printed(seed in seed_strategy(), even in any::<bool>()) {
        let (_pack, out, _) = rolled_up(seed, even);
        assert_ties(&std::fs::read_to_string(out.path().join("rollup.csv")).unwrap());
    }

    #[test]
    #[cfg_attr(no_python3, ignore = "python3 is not installed (apt-get install python3); CI installs it")]
    fn random_packs_match_the_exact_python_reference(seed in seed_strategy(), even in any::<bool>()) {
        let (pack, out, rounding) = rolled_up(seed, even);
        let check = python_reference(pack.path(), &out.path().join("rollup.csv"), rounding);
        prop_assert!(check.status.success(), "seed {}: {}{}", seed, text(&check.stdout), text(&check.stderr));
    }
}
