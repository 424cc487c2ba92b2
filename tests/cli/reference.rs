//! A naive reference roll-up written here, in exact decimals, against the binary's rollup.csv on
//! the random packs of random.rs; and the same pack with shuffled rows on 1 and 3 threads gives
//! the same bytes (these packs are small: packs.rs runs a big one across threads).

use crate::harness::*;
use crate::random::{seed_strategy, Pack};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

fn conf_value(text: &str) -> Decimal {
    match text.strip_suffix('%') {
        Some(p) => Decimal::from_str(p).unwrap() / Decimal::ONE_HUNDRED,
        None => Decimal::from_str(text).unwrap(),
    }
}

/// Exact (raw, forecast, adjusted, contribution) per node for one period, bottom-up without
/// recursion: children always come after their parent in `parent`.
fn reference(p: &Pack, period: usize) -> Vec<[Decimal; 4]> {
    let n = p.parent.len();
    let mut own = vec![Decimal::ZERO; n];
    for l in p.lines.iter().filter(|l| l.period == period) {
        own[l.node] += Decimal::from_str(&l.amount).unwrap();
    }
    let mut conf = vec![Decimal::ONE; n];
    for specific in [false, true] {
        for c in &p.confidence {
            if c.period.is_some() == specific && c.period.is_none_or(|q| q == period) {
                conf[c.node] = conf_value(c.text);
            }
        }
    }
    let mut raw = own.clone();
    let mut forecast = own.clone();
    let mut adjusted = vec![Decimal::ZERO; n];
    for v in (0..n).rev() {
        adjusted[v] = forecast[v] * conf[v];
        if let Some(q) = p.parent[v] {
            let r = raw[v];
            raw[q] += r;
            forecast[q] += adjusted[v];
        }
    }
    let mut contribution = vec![Decimal::ZERO; n];
    let mut scale = vec![Decimal::ONE; n]; // product of ancestors' confidences
    for v in 0..n {
        if let Some(q) = p.parent[v] {
            scale[v] = scale[q] * conf[q];
        }
        contribution[v] = adjusted[v] * scale[v];
    }
    (0..n).map(|v| [raw[v], forecast[v], adjusted[v], contribution[v]]).collect()
}

fn run_out(pack: &Path, threads: &str) -> (Vec<u8>, Vec<u8>) {
    let out = tmp();
    let o = bin()
        .args(["run", pack.to_str().unwrap(), "--threads", threads, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    (
        std::fs::read(out.path().join("rollup.csv")).unwrap(),
        without_audit("rollup.json", &std::fs::read(out.path().join("rollup.json")).unwrap()),
    )
}

/// Whether the root's own lines in period `k` sum to more decimals than the 2 printed.
fn root_own_has_sub_cent(p: &Pack, k: usize) -> bool {
    let own: Decimal = p
        .lines
        .iter()
        .filter(|l| l.node == 0 && l.period == k)
        .map(|l| Decimal::from_str(&l.amount).unwrap())
        .sum();
    own.round_dp(2) != own
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(24),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_rollup_is_the_naive_reference_to_a_cent_and_the_root_exactly(seed in seed_strategy()) {
        let p = Pack::random(seed);
        let dir = tmp();
        p.write(dir.path(), None);
        let (csv, _) = run_out(dir.path(), "2");
        let csv = String::from_utf8(csv).unwrap();
        let mut rows: HashMap<(String, String), Vec<String>> = HashMap::new();
        for l in csv.lines().skip(1) {
            let r: Vec<String> = l.split(',').map(String::from).collect();
            rows.insert((r[0].clone(), r[1].clone()), r);
        }
        let cent = Decimal::new(1, 2);
        for (k, period) in p.periods.iter().enumerate() {
            let Some(_) = rows.get(&(period.to_string(), "N0".to_string())) else { continue };
            for (v, exact) in reference(&p, k).iter().enumerate() {
                let r = &rows[&(period.to_string(), format!("N{v}"))];
                for (i, col) in [6, 7, 9, 10].into_iter().enumerate() {
                    let printed = Decimal::from_str(&r[col]).unwrap();
                    let off = (printed - exact[i]).abs();
                    prop_assert!(off < cent, "seed {seed} {period} N{v} column {col}: printed {printed}, exact {}", exact[i]);
                    // The root's raw is always its exact value rounded. Its forecast (and
                    // adjusted, contribution) is too, unless the root has own lines with more
                    // decimals than printed: they are printed once for both of the root's
                    // ties, and the two totals can need them rounded different ways.
                    let root_has_sub_cent_own = root_own_has_sub_cent(&p, k);
                    if v == 0 && (col == 6 || !root_has_sub_cent_own) {
                        let rounded = exact[i].round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                        prop_assert_eq!(printed, rounded, "seed {} root column {}", seed, col);
                    }
                }
            }
        }
    }

    #[test]
    fn row_order_and_thread_count_change_no_byte(seed in seed_strategy()) {
        let p = Pack::random(seed);
        let (a, b) = (tmp(), tmp());
        p.write(a.path(), None);
        p.write(b.path(), Some(seed));
        let first = run_out(a.path(), "1");
        prop_assert!(first == run_out(b.path(), "3"), "seed {seed}: shuffled on 3 threads differs");
        prop_assert!(first == run_out(b.path(), "1"), "seed {seed}: shuffled on 1 thread differs");
    }
}
