//! Scenarios (`--set`, `--set-target`, `--drop-deal`, `--scenario FILE`) on fixtures/scenario,
//! a pack of two regions and two periods whose numbers were computed by hand: the baseline and
//! the scenario at every touched node and at national, problems at the flag or at the file's
//! line, the baseline's files never touched, the same bytes on any thread count and row order,
//! and the report in Chinese.
//!
//! See: tracker issue 13, item 3 ("what if we give 华南 0.9?").
//!
//! The pack (fixtures/scenario), every confidence for every period:
//!
//! ```text
//! CN 全国 ── RE 华东 (1 from CN) ── SE (1) ── A 0.8: 2026-Q4 100 + 50 = 150; 2027-Q1 40
//!         │                              └── B 1:   2026-Q4 200;            2027-Q1 60
//!         └─ RS 华南 (1.2 from CN) ── SS (1) ── C 1: 2026-Q4 120 + 80 = 200; 2027-Q1 100
//!                                        └── D 0.5: deal D-1, 60 in 2026-Q4 and 50 in 2027-Q1
//! targets: 2026-Q4 CN 700, RE 350, RS 350; 2027-Q1 CN 300
//! ```
//!
//! Baseline, 2026-Q4: A 150 × 0.8 = 120, B 200; SE = RE = 320. C 200, D 60 × 0.5 = 30; SS 230;
//! RS 230 × 1.2 = 276. CN = 320 + 276 = 596 against 700: gap −104, 85.14%.
//! Baseline, 2027-Q1: A 40 × 0.8 = 32, B 60; SE = RE = 92. C 100, D 50 × 0.5 = 25; SS 125;
//! RS 125 × 1.2 = 150. CN = 92 + 150 = 242 against 300: gap −58, 80.67%.

use crate::harness::*;
use std::collections::BTreeMap;
use std::path::Path;

const WHATIF: &str = "whatif.csv";

/// Runs the binary in fixtures/scenario; asserts the exit code.
fn run(args: &[&str], code: i32) -> (String, String) {
    let o = run_in(&fixture("scenario"), args);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {}", text(&o.stderr));
    (text(&o.stdout), text(&o.stderr))
}

/// The rows of a CSV file by (period, node_id), each a map of column → cell.
fn rows(path: &Path) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header = rdr.headers().unwrap().clone();
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let row: BTreeMap<String, String> =
            header.iter().zip(rec.iter()).map(|(h, c)| (h.to_string(), c.to_string())).collect();
        out.insert((row["period"].clone(), row["node_id"].clone()), row);
    }
    out
}

/// Expected cells of a row: (column, cell).
type Cells<'a> = &'a [(&'a str, &'a str)];

/// Checks one row of compare.scenario.csv: `want` lists (column, cell).
fn expect_row(
    got: &BTreeMap<(String, String), BTreeMap<String, String>>,
    period: &str,
    node: &str,
    want: &[(&str, &str)],
) {
    let row = got
        .get(&(period.to_string(), node.to_string()))
        .unwrap_or_else(|| panic!("{period} {node}: not in compare.scenario.csv"));
    for (col, cell) in want {
        assert_eq!(row[*col], *cell, "{period} {node} {col}");
    }
}

/// The scenario file's four changes, by hand:
///
/// 1. RS 华南 gets 0.9 in every period (was 1.2);
/// 2. deal D-1 is lost: D's 60 (2026-Q4) and 50 (2027-Q1) are left out;
/// 3. A gets 100% in 2026-Q4 only (was 0.8);
/// 4. RS's 2026-Q4 target is 300 (was 350).
///
/// 2026-Q4: A 150 × 1 = 150 (+30), B 200; SE = RE = 350 (+30), RE 350 against 350: gap 0,
/// 100.00%. C 200, D 0 × 0.5 = 0 (−30); SS 200 (−30); RS forecast 200 (−30), × 0.9 = 180
/// (276 → 180, −96), against 300: gap −100, 66.67%. CN = 350 + 180 = 530 (−66) against 700:
/// gap −170, 75.71%. B and C are not touched.
///
/// 2027-Q1: A, B, SE, RE unchanged (A's 100% is 2026-Q4 only). C 100, D 0 (−25); SS 100
/// (−25); RS 100 × 0.9 = 90 (150 → 90, −60). CN = 92 + 90 = 182 (−60) against 300: gap −118,
/// 60.67%.
#[test]
fn scenario_file_gives_the_hand_computed_numbers_at_every_touched_node_and_at_national() {
    let out = tmp();
    let dir = out.path().to_str().unwrap();
    let (stdout, stderr) = run(&["run", ".", "--scenario", WHATIF, "--out", dir], 0);
    let (wrote, rest) = written(stderr.as_bytes());
    assert_eq!(
        wrote,
        [
            "rollup.scenario.csv",
            "compare.scenario.csv",
            "rollup.scenario.json",
            "rollup.scenario.xlsx",
            "rollup.scenario.parquet"
        ]
    );
    assert_file(&fixture("scenario/expected/coverage.txt"), &rest);
    assert_file(&fixture("scenario/expected/whatif_stdout.txt"), stdout.as_bytes());
    let got = rows(&out.path().join("compare.scenario.csv"));
    let touched: Vec<(&str, &str)> =
        got.keys().map(|(p, n)| (p.as_str(), n.as_str())).collect::<Vec<_>>();
    assert_eq!(
        touched,
        [
            ("2026-Q4", "A"),
            ("2026-Q4", "CN"),
            ("2026-Q4", "D"),
            ("2026-Q4", "RE"),
            ("2026-Q4", "RS"),
            ("2026-Q4", "SE"),
            ("2026-Q4", "SS"),
            ("2027-Q1", "CN"),
            ("2027-Q1", "D"),
            ("2027-Q1", "RS"),
            ("2027-Q1", "SS"),
        ]
    );
    let q4 = "2026-Q4";
    #[rustfmt::skip]
    let checks: &[(&str, &str, Cells)] = &[
        (q4, "CN", &[("changed", "false"), ("raw_baseline", "610.00"), ("raw_scenario", "550.00"),
            ("forecast_baseline", "596.00"), ("forecast_scenario", "530.00"), ("forecast_change", "-66.00"),
            ("target_baseline", "700.00"), ("target_scenario", "700.00"),
            ("gap_baseline", "-104.00"), ("gap_scenario", "-170.00"),
            ("attainment_baseline", "0.8514"), ("attainment_scenario", "0.7571")]),
        (q4, "RE", &[("changed", "false"), ("forecast_baseline", "320.00"), ("forecast_scenario", "350.00"),
            ("forecast_change", "30.00"), ("adjusted_scenario", "350.00"),
            ("gap_baseline", "-30.00"), ("gap_scenario", "0.00"), ("attainment_scenario", "1.0000")]),
        (q4, "SE", &[("changed", "false"), ("forecast_baseline", "320.00"), ("forecast_scenario", "350.00"),
            ("forecast_change", "30.00")]),
        (q4, "A", &[("changed", "true"), ("confidence_baseline", "0.8"), ("confidence_scenario", "1"),
            ("forecast_baseline", "150.00"), ("forecast_scenario", "150.00"), ("forecast_change", "0.00"),
            ("adjusted_baseline", "120.00"), ("adjusted_scenario", "150.00"), ("adjusted_change", "30.00")]),
        (q4, "RS", &[("changed", "true"), ("confidence_baseline", "1.2"), ("confidence_scenario", "0.9"),
            ("raw_baseline", "260.00"), ("raw_scenario", "200.00"),
            ("forecast_baseline", "230.00"), ("forecast_scenario", "200.00"), ("forecast_change", "-30.00"),
            ("adjusted_baseline", "276.00"), ("adjusted_scenario", "180.00"), ("adjusted_change", "-96.00"),
            ("target_baseline", "350.00"), ("target_scenario", "300.00"),
            ("gap_baseline", "-120.00"), ("gap_scenario", "-100.00"),
            ("attainment_baseline", "0.6571"), ("attainment_scenario", "0.6667")]),
        (q4, "SS", &[("changed", "false"), ("forecast_baseline", "230.00"), ("forecast_scenario", "200.00"),
            ("adjusted_change", "-30.00")]),
        (q4, "D", &[("changed", "true"), ("raw_baseline", "60.00"), ("raw_scenario", "0.00"),
            ("forecast_change", "-60.00"), ("adjusted_baseline", "30.00"), ("adjusted_scenario", "0.00")]),
        ("2027-Q1", "CN", &[("forecast_baseline", "242.00"), ("forecast_scenario", "182.00"),
            ("forecast_change", "-60.00"), ("gap_scenario", "-118.00"), ("attainment_scenario", "0.6067")]),
        ("2027-Q1", "RS", &[("changed", "true"), ("confidence_scenario", "0.9"),
            ("forecast_baseline", "125.00"), ("forecast_scenario", "100.00"),
            ("adjusted_baseline", "150.00"), ("adjusted_scenario", "90.00"), ("adjusted_change", "-60.00")]),
        ("2027-Q1", "SS", &[("forecast_scenario", "100.00"), ("forecast_change", "-25.00")]),
        ("2027-Q1", "D", &[("changed", "true"), ("raw_baseline", "50.00"), ("raw_scenario", "0.00")]),
    ];
    for (period, node, want) in checks {
        expect_row(&got, period, node, want);
    }
    // The scenario's roll-up holds every node: the untouched ones as in the baseline, the
    // scenario's confidences with their notes.
    let all = rows(&out.path().join("rollup.scenario.csv"));
    assert_eq!(all.len(), 18);
    expect_row(&all, q4, "CN", &[("forecast", "530.00"), ("raw", "550.00")]);
    expect_row(&all, q4, "B", &[("forecast", "200.00"), ("adjusted", "200.00")]);
    expect_row(&all, q4, "C", &[("forecast", "200.00"), ("contribution", "180.00")]);
    expect_row(&all, q4, "RS", &[("confidence", "0.9"), ("note", "what if we give 华南 0.9")]);
    expect_row(&all, q4, "A", &[("confidence", "1"), ("note", "A's big deal is signed")]);
    expect_row(&all, "2027-Q1", "A", &[("confidence", "0.8"), ("adjusted", "32.00")]);
    expect_row(&all, "2027-Q1", "CN", &[("forecast", "182.00")]);
    // rollup.scenario.json's audit record holds the changes, each with its note and where it
    // was given, and the scenario file among the inputs.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("rollup.scenario.json")).unwrap())
            .unwrap();
    let changes = json["audit"]["scenario"].as_array().unwrap();
    let inputs = json["audit"]["inputs"].as_array().unwrap();
    let file = inputs.iter().find(|i| i["role"] == "scenario").unwrap();
    assert_eq!((file["file"].as_str(), file["rows_read"].as_u64()), (Some("whatif.csv"), Some(4)));
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(changes.len(), 4);
    assert_eq!(
        changes[0],
        serde_json::json!({"kind": "set", "id": "RS", "period": null, "value": "0.9",
            "note": "what if we give 华南 0.9", "source": "whatif.csv:2"})
    );
    assert_eq!(changes[1]["kind"], "drop-deal");
    assert_eq!(changes[2]["value"], "1");
    assert_eq!(changes[3]["value"], "300");
    assert_eq!(json["rows"][0]["forecast"], "530.00");
}

/// Leadership asks: what if we give 华南 0.9? RS 1.2 → 0.9 in both periods, nothing else.
/// 2026-Q4: RS 230 × 0.9 = 207 (276 before, −69); CN = 320 + 207 = 527 against 700, 75.29%.
/// 2027-Q1: RS 125 × 0.9 = 112.50 (150 before, −37.50); CN = 92 + 112.50 = 204.50, 68.17%.
/// Only RS and CN are touched: RS's team keeps its numbers.
#[test]
fn what_if_we_give_south_china_0_9() {
    let out = tmp();
    let dir = out.path().to_str().unwrap();
    let (stdout, _) = run(&["run", ".", "--set", "RS=0.9", "--out", dir, "--formats", "csv"], 0);
    assert_eq!(listing(out.path()), ["compare.scenario.csv", "rollup.scenario.csv"]);
    let got = rows(&out.path().join("compare.scenario.csv"));
    assert_eq!(got.len(), 4, "{got:?}");
    expect_row(
        &got,
        "2026-Q4",
        "RS",
        &[
            ("adjusted_baseline", "276.00"),
            ("adjusted_scenario", "207.00"),
            ("adjusted_change", "-69.00"),
            ("forecast_change", "0.00"),
        ],
    );
    expect_row(
        &got,
        "2026-Q4",
        "CN",
        &[
            ("forecast_baseline", "596.00"),
            ("forecast_scenario", "527.00"),
            ("forecast_change", "-69.00"),
            ("attainment_scenario", "0.7529"),
        ],
    );
    expect_row(&got, "2027-Q1", "RS", &[("adjusted_scenario", "112.50")]);
    expect_row(
        &got,
        "2027-Q1",
        "CN",
        &[
            ("forecast_scenario", "204.50"),
            ("forecast_change", "-37.50"),
            ("attainment_scenario", "0.6817"),
        ],
    );
    let line = |start: &str| -> Vec<String> {
        let l = stdout.lines().find(|l| l.trim_start().starts_with(start)).unwrap();
        l.split_whitespace().map(String::from).collect()
    };
    assert!(stdout.starts_with(
        "Scenario: 1 change to the pack as given (the baseline, which is not changed)\n  1. --set RS=0.9: confidence of 华南 South (RS) = 0.9, every period\n"
    ), "{stdout}");
    assert!(stdout.contains(
        "2026-Q4  national forecast 596.00 → 527.00 (-69.00)  target 700.00, attainment 85.14% → 75.29%"
    ));
    // Node, ID, Conf., Baseline, Scenario, Change, Adjusted, Δ Adjusted, Target, Gap, Attain.
    assert_eq!(
        line("华南 South"),
        [
            "华南", "South", "RS", "1.2", "→", "0.9", "230.00", "230.00", "0.00", "207.00",
            "-69.00", "350.00", "-120.00", "65.71%", "*"
        ]
    );
}

#[test]
fn an_unknown_id_or_deal_on_the_command_line_is_a_problem_at_the_flag() {
    let (stdout, stderr) = run(
        &["run", ".", "--set", "rs=0.9", "--drop-deal", "D-l", "--set-target", "RS@2026-Q5=300"],
        2,
    );
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "command line: --drop-deal D-l: no forecast line of the roll-up has deal_id \"D-l\"\n\
         \x20 hint: did you mean \"D-1\"?\n\
         command line: --set rs=0.9: \"rs\" is not an id in org.csv\n\
         \x20 hint: did you mean \"RS\"?\n\
         command line: --set-target RS@2026-Q5=300: \"2026-Q5\" is not a period of the roll-up\n\
         \x20 hint: did you mean \"2026-Q4\"?\n\
         3 problems; nothing written\n"
    );
    // In Chinese, at the same places.
    let (_, stderr) = run(&["run", ".", "--set", "CN=0.9", "--lang", "zh"], 2);
    assert_eq!(
        stderr,
        "command line: --set CN=0.9：\"CN\" 是根节点：它上面没有人给它信心指数\n\
         \x20 提示：请设它下面某个节点的信心指数（例如区域：--set 区域编号=0.9）\n\
         共 1 个问题；未写出任何文件\n"
    );
}

#[test]
fn an_unknown_id_or_deal_in_a_scenario_file_is_a_problem_at_its_line() {
    let dir = tmp();
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "change,编号,期间,值,备注\n\
         set,rs,,0.9,typo for RS\n\
         drop-deal,Z-9,,,gone\n\
         set,RS,,9,nine tenths\n\
         set-target,RS,,100,no period\n\
         raise,RS,,0.9,not a change\n\
         set,RS,,0.9,\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (_, stderr) = run(&["run", ".", "--scenario", path, "--drop-deal", "A-1@2027-Q1"], 2);
    assert_eq!(
        stderr,
        format!(
            "{path}:2: 编号: \"rs\" is not an id in org.csv\n\
             \x20 hint: did you mean \"RS\"?\n\
             {path}:3: 编号: no forecast line of the roll-up has deal_id \"Z-9\"\n\
             \x20 hint: a deal is dropped by the deal_id of its lines in forecasts.csv, as written there\n\
             {path}:4: 值: \"9\" is above the maximum of 2\n\
             \x20 hint: did you mean 0.9 (90%)? If 9 is meant, raise --max-confidence\n\
             {path}:5: 期间: a target is set for one period: the period is missing\n\
             \x20 hint: give the period: --set-target ID@2026-Q4=AMOUNT, or the period column of a scenario file\n\
             {path}:6: change: \"raise\" is not a change this tool makes\n\
             \x20 hint: write set (a confidence), set-target or drop-deal (or 信心指数, 目标, 删除商机)\n\
             {path}:7: 备注: empty cell\n\
             \x20 hint: every change in a scenario says why: write a note\n\
             command line: --drop-deal A-1@2027-Q1: deal \"A-1\" has no forecast line in \"2027-Q1\"\n\
             \x20 hint: its lines are in \"2026-Q4\"; leave the period empty to drop it in every period\n\
             7 problems; nothing written\n"
        )
    );
}

#[test]
fn two_changes_of_one_thing_are_a_problem_and_one_period_overrides_every_period() {
    let (_, stderr) = run(&["run", ".", "--set", "RS=0.9", "--set", "RS=0.8"], 2);
    assert_eq!(
        stderr,
        "command line: --set RS=0.8: a second change of the confidence of \"RS\" (the first: --set RS=0.9)\n\
         \x20 hint: keep one change per node (or deal) and period; a change for one period overrides one for every period\n\
         1 problem; nothing written\n"
    );
    // RS 0.9 in every period, 1 in 2027-Q1: 2027-Q1 RS 125 × 1 = 125, CN 92 + 125 = 217.
    let (stdout, _) =
        run(&["run", ".", "--set", "RS@2027-Q1=100%", "--set", "RS=0.9", "--format", "csv"], 0);
    let q1 = stdout.lines().find(|l| l.starts_with("2027-Q1,RS,")).unwrap();
    assert!(q1.starts_with("2027-Q1,RS,华南 South,region,CN,1,150.00,125.00,1,125.00,"), "{q1}");
    let q4 = stdout.lines().find(|l| l.starts_with("2026-Q4,RS,")).unwrap();
    assert!(q4.starts_with("2026-Q4,RS,华南 South,region,CN,1,260.00,230.00,0.9,207.00,"), "{q4}");
}

/// The baseline's files, written first, are left byte for byte (and not rewritten) when a
/// scenario is written into the same folder; the scenario's files sit beside them.
#[test]
fn the_baselines_files_are_untouched_when_a_scenario_is_written_to_the_same_folder() {
    let out = tmp();
    let dir = out.path().to_str().unwrap();
    run(&["run", ".", "--out", dir], 0);
    let names = ["rollup.csv", "rollup.json", "rollup.parquet", "rollup.xlsx"];
    let before: Vec<(Vec<u8>, std::time::SystemTime)> = names
        .iter()
        .map(|n| {
            let p = out.path().join(n);
            (std::fs::read(&p).unwrap(), std::fs::metadata(&p).unwrap().modified().unwrap())
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&["run", ".", "--scenario", WHATIF, "--out", dir], 0);
    run(&["review", ".", "--set", "RS=0.9", "--out", dir], 0);
    for (n, (bytes, modified)) in names.iter().zip(&before) {
        let p = out.path().join(n);
        assert_eq!(&std::fs::read(&p).unwrap(), bytes, "{n} changed");
        assert_eq!(&std::fs::metadata(&p).unwrap().modified().unwrap(), modified, "{n} rewritten");
    }
    assert_eq!(
        listing(out.path()),
        [
            "compare.scenario.csv",
            "review.scenario.html",
            "review.scenario.md",
            "review.scenario.xlsx",
            "rollup.csv",
            "rollup.json",
            "rollup.parquet",
            "rollup.scenario.csv",
            "rollup.scenario.json",
            "rollup.scenario.parquet",
            "rollup.scenario.xlsx",
            "rollup.xlsx",
        ]
    );
    // The baseline's rollup.csv is the pack's, untouched by the scenario.
    let base = rows(&out.path().join("rollup.csv"));
    expect_row(&base, "2026-Q4", "CN", &[("forecast", "596.00")]);
    expect_row(&base, "2026-Q4", "RS", &[("confidence", "1.2"), ("note", "strong pipeline")]);
}

/// A copy of fixtures/scenario with every file's rows in reverse order.
fn reversed_pack(dest: &Path) {
    copy_pack(&fixture("scenario"), dest);
    for f in ["forecasts.csv", "confidence.csv", "targets.csv"] {
        let t = std::fs::read_to_string(dest.join(f)).unwrap();
        let mut lines: Vec<&str> = t.lines().collect();
        lines[1..].reverse();
        std::fs::write(dest.join(f), format!("{}\n", lines.join("\n"))).unwrap();
    }
}

#[test]
fn same_bytes_on_one_and_three_threads_and_any_row_order() {
    let shuffled = tmp();
    reversed_pack(shuffled.path());
    let mut got: Vec<Vec<Vec<u8>>> = Vec::new();
    for (pack, threads) in [
        (fixture("scenario"), "1"),
        (fixture("scenario"), "3"),
        (shuffled.path().to_path_buf(), "3"),
    ] {
        let out = tmp();
        let o = run_in(
            &pack,
            &[
                "run",
                ".",
                "--scenario",
                WHATIF,
                "--out",
                out.path().to_str().unwrap(),
                "--threads",
                threads,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let review = tmp();
        let r = run_in(
            &pack,
            &[
                "review",
                ".",
                "--scenario",
                WHATIF,
                "--out",
                review.path().to_str().unwrap(),
                "--threads",
                threads,
            ],
        );
        assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
        // The audit record names the inputs by their hashes: the reversed copy's differ.
        let mut files: Vec<Vec<u8>> = listing(out.path())
            .iter()
            .map(|n| without_audit(n, &std::fs::read(out.path().join(n)).unwrap()))
            .collect();
        let md = std::fs::read(review.path().join("review.scenario.md")).unwrap();
        files.push(without_audit("review.scenario.md", &md));
        files.push(o.stdout);
        files.push(r.stdout);
        got.push(files);
    }
    assert_eq!(got[0].len(), 8);
    for (k, other) in got.iter().enumerate().skip(1) {
        for (f, (a, b)) in got[0].iter().zip(other).enumerate() {
            assert!(a == b, "run {k}, file {f} differs:\n{}", diff(a, b));
        }
    }
}

#[test]
fn the_scenario_report_is_in_chinese_with_lang_zh() {
    let (stdout, _) = run(&["run", ".", "--scenario", WHATIF, "--lang", "zh"], 0);
    assert_file(&fixture("scenario/expected/whatif_stdout_zh.txt"), stdout.as_bytes());
    assert!(stdout.starts_with("情景：对原数据包（基线，不会被修改）做 4 处变更\n"), "{stdout}");
    assert!(stdout.contains(
        "2026-Q4  全国预测 596.00 → 530.00（-66.00）  目标 700.00，达成率 85.14% → 75.71%"
    ));
    for word in ["基线预测", "情景预测", "去掉商机 D-1", "所有期间"] {
        assert!(stdout.contains(word), "{word}: {stdout}");
    }
    for english in ["Baseline", "Scenario", "national forecast", "every period", "left out"] {
        assert!(!stdout.contains(english), "{english}: {stdout}");
    }
}

#[test]
fn every_line_of_the_scenario_report_fits_the_width() {
    for width in [60usize, 80, 100, 140] {
        for lang in ["en", "zh"] {
            let w = width.to_string();
            let (stdout, _) =
                run(&["run", ".", "--scenario", WHATIF, "--lang", lang, "--width", &w], 0);
            for line in stdout.lines() {
                let got = forecast_rollup::report::terminal::display_width(line);
                assert!(got <= width, "{width} {lang}: {got}: {line}");
            }
            // The side by side always stays: node, baseline, scenario, change.
            assert!(stdout.contains(if lang == "en" { "Baseline" } else { "基线预测" }));
        }
    }
}

/// review with a scenario: the waterfall, the flags and the agendas are the scenario's, and
/// the review says so; its files are named as a scenario's.
#[test]
fn review_of_a_scenario_is_the_scenarios_and_says_so() {
    let out = tmp();
    let dir = out.path().to_str().unwrap();
    let (stdout, _) = run(&["review", ".", "--scenario", WHATIF, "--out", dir], 0);
    assert_eq!(
        listing(out.path()),
        ["review.scenario.html", "review.scenario.md", "review.scenario.xlsx"]
    );
    let md = std::fs::read_to_string(out.path().join("review.scenario.md")).unwrap();
    assert_file(&fixture("scenario/expected/review.scenario.md"), md.as_bytes());
    assert!(md.starts_with("# Scenario: forecast review (扒皮会)\n"), "{md}");
    assert!(md.contains(
        "## 2026-Q4: national forecast 530.00 against target 700.00 (attainment 75.71%) (scenario)\n"
    ));
    // The waterfall: raw 550 (610 − 60 of D-1); supervisors on reps: A 150 × 1 and D 0 × 0.5
    // change nothing (0.00); regions on supervisors: 1 and 1 (0.00); national on regions:
    // RS 200 × 0.9 = 180, −20.00 (−3.64% of 550); = 530.00.
    let waterfall: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("### Layer waterfall"))
        .filter(|l| {
            l.starts_with("| Level") || l.starts_with("| = National") || l.starts_with("| Raw")
        })
        .take(5)
        .collect();
    assert_eq!(
        waterfall,
        [
            "| Raw forecast (Σ every line) |  |  |  |  | 550.00 |",
            "| Level 3 | supervisor | rep | 0.00 | 0.00% | 550.00 |",
            "| Level 2 | region | supervisor | 0.00 | 0.00% | 550.00 |",
            "| Level 1 | national | region | -20.00 | -3.64% | 530.00 |",
            "| = National forecast |  |  |  |  | 530.00 |",
        ]
    );
    // The national agenda: RS 华南 at 0.9 with the scenario's note.
    assert!(md.contains("what if we give 华南 0.9"), "{md}");
    assert!(stdout.contains("Scenario: forecast review (扒皮会)"));
    assert!(stdout.contains("Against the baseline"));
}

/// `--format csv` with a scenario prints the scenario's roll-up, and stderr says so.
#[test]
fn format_csv_with_a_scenario_prints_the_scenarios_rollup() {
    let (stdout, stderr) = run(&["run", ".", "--drop-deal", "D-1@2026-Q4", "--format", "csv"], 0);
    // D's 2026-Q4 line (60) left out; its 2027-Q1 line (50) kept.
    assert!(stdout.contains("\n2026-Q4,D,Rep D,rep,SS,3,0.00,0.00,0.5,0.00,"), "{stdout}");
    assert!(stdout.contains("\n2027-Q1,D,Rep D,rep,SS,3,50.00,50.00,0.5,25.00,"), "{stdout}");
    assert!(
        stderr.starts_with(
            "the roll-up on stdout is the scenario's (1 change to the pack as given)\n"
        ),
        "{stderr}"
    );
}
