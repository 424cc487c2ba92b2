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
    let expected = dir.join("expected");
    assert_file(&expected.join("stdout.txt"), &o.stdout);
    let (wrote, rest) = written(&o.stderr);
    assert_eq!(wrote, ["rollup.csv", "rollup.json", "rollup.xlsx", "rollup.parquet"]);
    assert_file(&expected.join("coverage.txt"), &rest);
    assert_file(
        &expected.join("rollup.csv"),
        &std::fs::read(out.path().join("rollup.csv")).unwrap(),
    );
    assert_file(
        &expected.join("rollup.json"),
        &std::fs::read(out.path().join("rollup.json")).unwrap(),
    );
    assert_eq!(listing(out.path()), ["rollup.csv", "rollup.json", "rollup.parquet", "rollup.xlsx"]);
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
        without_audit("rollup.json", &std::fs::read(out.path().join("rollup.json")).unwrap()),
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

/// What `run . --threads N --out` in PACK did: exit code, stdout, stderr, and the files written.
type Run = (Option<i32>, String, String, Vec<(String, Vec<u8>)>);

fn run_on_threads(pack: &Path, threads: usize) -> Run {
    let out = tmp();
    let threads = threads.to_string();
    let out_arg = out.path().to_str().unwrap();
    let o = run_in(pack, &["run", ".", "--lang", "en", "--threads", &threads, "--out", out_arg]);
    let files = listing(out.path())
        .into_iter()
        .map(|n| {
            // The audit record names the input files by their hashes; the shuffled copy differs.
            let bytes = without_audit(&n, &std::fs::read(out.path().join(&n)).unwrap());
            (n, bytes)
        })
        .collect();
    // The `wrote` lines name the temporary folder; the rest must be the same on every run.
    let (_, rest) = written(&o.stderr);
    (o.status.code(), text(&o.stdout), text(&rest), files)
}

#[test]
fn a_forecasts_file_cut_into_pieces_per_thread_gives_the_same_bytes_and_the_same_problems() {
    let pack = tmp();
    let o = bin()
        .arg("gen")
        .arg(pack.path())
        .args(["--reps", "3000", "--lines-per-rep", "45", "--periods", "2", "--seed", "7"])
        .arg("--manager-lines")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // forecasts.csv is read in blocks of 8 MiB, and each block is cut into one piece per
    // thread, but no piece under 64 KiB. This one (about 9 MiB) spans two blocks, and the first
    // gets a piece on every thread even at 8 threads.
    let size = std::fs::metadata(pack.path().join("forecasts.csv")).unwrap().len();
    assert!(size > 8 << 20, "forecasts.csv is only {size} bytes");

    let base = run_on_threads(pack.path(), 1);
    assert_eq!(base.0, Some(0), "{}", base.2);
    assert_eq!(
        base.3.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["rollup.csv", "rollup.json", "rollup.parquet", "rollup.xlsx"]
    );
    let shuffled = shuffled(pack.path(), 2026);
    for threads in [1, 2, 3, 8] {
        assert!(run_on_threads(shuffled.path(), threads) == base, "shuffled, {threads} threads");
    }

    // Problems planted in several pieces: unknown reps (one a case variant, which gets a hint)
    // and repeated deals whose first line is in another piece, in the middle and at the end.
    let path = shuffled.path().join("forecasts.csv");
    let body = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = body.lines().map(String::from).collect();
    let n = lines.len();
    let repeat = |i: usize| lines[i].clone();
    let case_variant = |i: usize| {
        let (rep, rest) = lines[i].split_once(',').unwrap();
        format!("{},{rest}", rep.to_lowercase())
    };
    // (index in `lines`, which holds the header at 0), in order.
    let planted = [
        (n / 4, "NOBODY,2026-Q1,10.00,X-1".to_string()),
        (n / 2, repeat(n / 8)),
        (3 * n / 4, case_variant(n / 3)),
        (n - 1, repeat(5 * n / 8)),
        (n, "NOBODY,2026-Q2,-0.125,X-2".to_string()),
        (n, repeat(1)),
    ];
    for (at, line) in planted.iter().rev() {
        lines.insert(*at, line.clone());
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let bad = run_on_threads(shuffled.path(), 1);
    assert_eq!(bad.0, Some(2), "{}", bad.2);
    assert_eq!(bad.1, "");
    assert!(bad.3.is_empty(), "wrote {:?}", bad.3.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let problem_lines: Vec<String> =
        bad.2.lines().filter(|l| !l.starts_with(' ')).map(String::from).collect();
    assert_eq!(problem_lines.len(), planted.len() + 1, "{}", bad.2);
    for (j, (at, line)) in planted.iter().enumerate() {
        let (got, here) = (&problem_lines[j], at + j);
        assert!(got.starts_with(&format!("forecasts.csv:{}: ", here + 1)), "{got}\n{}", bad.2);
        // A repeat names the line it repeats, wherever that is.
        let first = lines.iter().position(|l| l == line).unwrap();
        if first != here {
            assert!(
                got.ends_with(&format!(
                    "(first at line {}): the deal would be counted twice",
                    first + 1
                )),
                "{got}"
            );
        }
    }
    assert_eq!(problem_lines[planted.len()], "6 problems; nothing written");
    assert!(bad.2.contains("hint: did you mean"), "{}", bad.2);
    assert!(bad.2.contains("6 problems; nothing written"), "{}", bad.2);
    for threads in [2, 3, 8] {
        let got = run_on_threads(shuffled.path(), threads);
        assert_eq!(got.2, bad.2, "{threads} threads");
        assert!(got == bad, "{threads} threads");
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
    assert!(text(&builtin.stderr).starts_with("Demo:"), "{}", text(&builtin.stderr));
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
        "ok: 64 nodes, 2 period(s)\n  org.csv: 64 rows\n  forecasts.csv: 264 lines read, 264 used, 0 refused\n  confidence.csv: 89 rows\n  targets.csv: 24 rows\n\
         2026-Q4: 125 lines used; 52 of 52 reps with a forecast; 59 of 63 nodes reviewed; 12 nodes with a target\n\
         2027-Q1: 139 lines used; 52 of 52 reps with a forecast; 59 of 63 nodes reviewed; 12 nodes with a target\n\
         not read: expected/\n"
    );
}

/// `run pack/forecasts.csv`: a file where the pack folder is expected names the folder to give.
#[test]
fn a_file_given_as_the_pack_folder_names_the_folder_to_give() {
    let o = run_in(&root(), &["check", "fixtures/demo/forecasts.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "command line: fixtures/demo/forecasts.csv is a file, not a pack folder\n  \
         hint: give the folder that holds the pack's files: forecast-rollup run fixtures/demo \
         (or name one file with --org, --forecasts, --confidence, --targets)\n\
         1 problem; nothing written\n"
    );
    assert_eq!(text(&o.stdout), "");
}
