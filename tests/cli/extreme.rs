//! Extreme shapes, generated in a temp folder (never committed): a chain a million deep, a root
//! with a million children, one rep with a million deal lines, amounts up to 10^15 with four
//! decimals. Each must roll up correctly with no recursion (a million-deep stack would overflow)
//! and in time linear in its size: each runs in seconds even in a debug build.

use crate::harness::*;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const MILLION: usize = 1_000_000;

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

/// Runs `run DIR --out OUT` and returns rollup.csv, failing past `limit`.
fn roll_up(pack: &Path, limit: Duration) -> String {
    let out = tmp();
    let t = Instant::now();
    let o = bin()
        .args(["run", pack.to_str().unwrap(), "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    let took = t.elapsed();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(took < limit, "took {took:?}");
    assert!(!o.stdout.is_empty(), "the table is printed");
    std::fs::read_to_string(out.path().join("rollup.csv")).unwrap()
}

fn row<'a>(csv: &'a str, id: &str) -> Vec<&'a str> {
    let needle = format!(",{id},");
    csv.lines().find(|l| l.contains(&needle)).unwrap().split(',').collect()
}

fn chain(dir: &Path, n: usize) {
    let mut org = String::with_capacity(20 * n);
    org.push_str("id,parent_id\nN0,\n");
    let mut conf = String::with_capacity(10 * n);
    conf.push_str("subject_id,confidence\n");
    for i in 1..n {
        let _ = writeln!(org, "N{i},N{}", i - 1);
        // Every link reviewed at 1: the exact product stays 1.25 all the way up.
        let _ = writeln!(conf, "N{i},1");
    }
    write(dir, "org.csv", &org);
    write(dir, "confidence.csv", &conf);
    write(dir, "forecasts.csv", &format!("rep_id,period,amount\nN{},P,1.25\n", n - 1));
}

fn star(dir: &Path, n: usize) {
    let mut org = String::from("id,parent_id\nCN,\n");
    let mut fc = String::from("rep_id,period,amount\n");
    for i in 0..n {
        let _ = writeln!(org, "R{i},CN");
        let _ = writeln!(fc, "R{i},P,0.01");
    }
    write(dir, "org.csv", &org);
    write(dir, "forecasts.csv", &fc);
}

/// A million levels: the cycle check, the tree, the roll-up and the table all run without
/// recursion (a recursive walk overflows the stack long before). The written files are checked
/// on a tenth of it below, to keep the debug-build suite fast.
#[test]
fn a_chain_a_million_deep_rolls_up_without_recursion() {
    let pack = tmp();
    chain(pack.path(), MILLION);
    let t = Instant::now();
    let o = run_in(pack.path(), &["run", ".", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(t.elapsed() < Duration::from_secs(90), "took {:?}", t.elapsed());
    assert!(text(&o.stdout).contains("1.25"), "{}", text(&o.stdout));
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn a_chain_deep_enough_to_overflow_a_recursive_writer_is_written_whole() {
    let pack = tmp();
    chain(pack.path(), MILLION / 10);
    let csv = roll_up(pack.path(), Duration::from_secs(60));
    assert_eq!(csv.lines().count(), MILLION / 10 + 1);
    let root = row(&csv, "N0");
    assert_eq!(&root[6..11], ["1.25", "1.25", "1", "1.25", "1.25"]);
    assert_eq!(row(&csv, &format!("N{}", MILLION / 10 - 1))[5], (MILLION / 10 - 1).to_string());
}

#[test]
fn a_root_with_a_million_children_is_checked_and_a_tenth_of_it_written() {
    let pack = tmp();
    star(pack.path(), MILLION);
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("1000001 nodes"), "{}", text(&o.stdout));
    star(pack.path(), MILLION / 10);
    let csv = roll_up(pack.path(), Duration::from_secs(60));
    assert_eq!(csv.lines().count(), MILLION / 10 + 2);
    assert_eq!(&row(&csv, "CN")[6..8], ["1000.00", "1000.00"]);
}

#[test]
fn one_rep_with_a_million_deal_lines_sums_exactly() {
    let pack = tmp();
    write(pack.path(), "org.csv", "id,parent_id\nCN,\nR,CN\n");
    let mut fc = String::with_capacity(30 * MILLION);
    fc.push_str("rep_id,period,amount,deal_id\n");
    for i in 0..MILLION {
        let _ = writeln!(fc, "R,P,{}.{:04},D{i}", i % 1000, i % 10_000);
    }
    write(pack.path(), "forecasts.csv", &fc);
    // Σ (i mod 1000) = 1000 × 499500; Σ (i mod 10000) / 10^4 = 100 × 49995000 / 10^4 = 499950.
    let csv = roll_up(pack.path(), Duration::from_secs(60));
    assert_eq!(&row(&csv, "R")[6..8], ["499999950.00", "499999950.00"]);
    // The same deal twice is still found among a million.
    fc.push_str("R,P,1,D999999\n");
    write(pack.path(), "forecasts.csv", &fc);
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(&format!("forecasts.csv:{}:", MILLION + 2)),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn amounts_up_to_ten_to_the_fifteen_with_four_decimals_stay_exact() {
    let pack = tmp();
    write(pack.path(), "org.csv", "id,parent_id\nCN,\nS,CN\nA,S\nB,S\n");
    let mut fc = String::from("rep_id,period,amount\n");
    for _ in 0..1000 {
        fc.push_str("A,P,999999999999999.9999\nB,P,-0.0001\n");
    }
    write(pack.path(), "forecasts.csv", &fc);
    write(pack.path(), "confidence.csv", "subject_id,confidence\nA,1.3333\nS,0.9999\n");
    let out = tmp();
    let o = bin()
        .args(["run", pack.path().to_str().unwrap(), "--format", "csv", "--scale", "4"])
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let csv = text(&o.stdout);
    // A: 1000 × 999999999999999.9999 = 999999999999999999.9 exactly; B: -0.1.
    assert_eq!(row(&csv, "A")[6], "999999999999999999.9000");
    assert_eq!(row(&csv, "B")[6], "-0.1000");
    // S = A × 1.3333 + B = 1333299999999999999.86667 - 0.1 → 1333299999999999999.7667 (4 dp)
    assert_eq!(row(&csv, "S")[7], "1333299999999999999.7667");
    // CN = S × 0.9999 = 1333166669999999999.766693333 exactly → .7667
    assert_eq!(row(&csv, "CN")[7], "1333166669999999999.7667");
}
