//! Valid packs: whole outputs compared with fixtures/<pack>/expected/, and the same bytes for
//! every encoding, row order and thread count.

use crate::harness::*;
use crate::random::shuffle;
use std::path::Path;

/// Runs `run . --out` in the pack and compares stdout, rollup.csv and rollup.json.
fn check_pack(name: &str, extra: &[&str]) {
    let dir = fixture(name);
    let out = tmp();
    let mut args = vec!["run", ".", "--lang", "en", "--out", out.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run_in(&dir, &args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
    let expected = dir.join("expected");
    assert_file(&expected.join("stdout.txt"), &o.stdout);
    assert_file(
        &expected.join("rollup.csv"),
        &std::fs::read(out.path().join("rollup.csv")).unwrap(),
    );
    assert_file(
        &expected.join("rollup.json"),
        &std::fs::read(out.path().join("rollup.json")).unwrap(),
    );
    assert_eq!(listing(out.path()), ["rollup.csv", "rollup.json"]);
}

#[test]
fn demo_pack_gives_the_expected_report_and_files() {
    check_pack("demo", &[]);
}

#[test]
fn hand_computed_pack_gives_the_hand_computed_numbers() {
    check_pack("handcalc", &[]);
}

#[test]
fn deep_gb18030_pack_with_chinese_headers_gives_the_expected_files() {
    check_pack("deep_gb18030", &[]);
}

fn rollup_bytes(pack: &Path, env: &[(&str, &str)], extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let out = tmp();
    let mut cmd = bin();
    cmd.arg("run").arg(pack).arg("--out").arg(out.path()).args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    (
        std::fs::read(out.path().join("rollup.csv")).unwrap(),
        std::fs::read(out.path().join("rollup.json")).unwrap(),
    )
}

#[test]
fn gb18030_utf8_and_utf8_with_bom_give_the_same_bytes() {
    let utf8 = rollup_bytes(&fixture("deep_utf8"), &[], &[]);
    assert_eq!(rollup_bytes(&fixture("deep_gb18030"), &[], &[]), utf8);
    let bom = tmp();
    for e in std::fs::read_dir(fixture("deep_utf8")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            bytes.extend(std::fs::read(&p).unwrap());
            std::fs::write(bom.path().join(p.file_name().unwrap()), bytes).unwrap();
        }
    }
    assert_eq!(rollup_bytes(bom.path(), &[], &[]), utf8);
}

/// Writes `pack` into a temp folder with the data rows of the given files shuffled.
fn shuffled(pack: &Path, seed: u64) -> tempfile::TempDir {
    let dir = tmp();
    copy_pack(pack, dir.path());
    for name in ["forecasts.csv", "confidence.csv", "targets.csv"] {
        let p = dir.path().join(name);
        let Ok(bytes) = std::fs::read(&p) else { continue };
        let text = String::from_utf8(bytes).expect("utf-8 fixture");
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        shuffle(&mut lines, seed);
        std::fs::write(&p, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    }
    dir
}

#[test]
fn shuffled_rows_and_any_thread_count_give_the_same_bytes() {
    for pack in ["demo", "deep_utf8", "handcalc"] {
        let base = rollup_bytes(&fixture(pack), &[("RAYON_NUM_THREADS", "1")], &[]);
        assert_eq!(
            rollup_bytes(&fixture(pack), &[("RAYON_NUM_THREADS", "8")], &[]),
            base,
            "{pack}"
        );
        for seed in [7, 1234567] {
            let s = shuffled(&fixture(pack), seed);
            for threads in ["1", "3", "8"] {
                assert_eq!(
                    rollup_bytes(s.path(), &[("RAYON_NUM_THREADS", threads)], &[]),
                    base,
                    "{pack} seed {seed} threads {threads}"
                );
            }
        }
    }
}

#[test]
fn without_a_pack_it_runs_the_demo_and_says_so_first() {
    let o = run_in(&root(), &["--lang", "en"]).status;
    assert!(!o.success(), "run options need the run command");
    let o = run_in(&root(), &[]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.starts_with("Demo: the built-in pack (fixtures/demo)"), "{out}");
    let demo = run_in(&fixture("demo"), &["run", ".", "--format", "csv"]);
    let builtin = run_in(&root(), &["run", "--format", "csv"]);
    assert_eq!(text(&builtin.stdout), text(&demo.stdout));
    assert!(text(&builtin.stderr).starts_with("Demo:"));
}

#[test]
fn period_flag_keeps_one_period() {
    let all = run_in(&fixture("demo"), &["run", ".", "--format", "csv"]);
    let one = run_in(&fixture("demo"), &["run", ".", "--format", "csv", "--period", "2027-Q1"]);
    assert_eq!(one.status.code(), Some(0));
    let all = text(&all.stdout);
    let want: Vec<&str> =
        all.lines().filter(|l| l.starts_with("period,") || l.starts_with("2027-Q1,")).collect();
    assert_eq!(text(&one.stdout).lines().collect::<Vec<_>>(), want);
}

#[test]
fn check_reports_ok_on_a_valid_pack() {
    let o = run_in(&fixture("demo"), &["check", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        text(&o.stdout),
        "ok: 64 nodes, 2 period(s)\n  org.csv: 64 rows\n  forecasts.csv: 264 lines read, 264 used, 0 refused\n  confidence.csv: 89 rows\n  targets.csv: 24 rows\n"
    );
}
