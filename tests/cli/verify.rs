//! `verify PACK OUT_DIR`: the rollup files recomputed from the pack with the options recorded
//! in OUT_DIR's rollup.json. One byte changed in any input is named; so is a cell changed in an
//! output; the recorded options (not the defaults) are the ones used.

use crate::harness::*;
use std::path::Path;

fn verify(cwd: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["verify"];
    all.extend(args);
    let o = run_in(cwd, &all);
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

/// A copy of the hand-computed pack in `dir/pack`, rolled up into `dir/out` with `extra`.
fn rolled_up(dir: &Path, extra: &[&str]) {
    std::fs::create_dir_all(dir.join("pack")).unwrap();
    copy_pack(&fixture("handcalc"), &dir.join("pack"));
    let mut args = vec!["run", "pack", "--out", "out"];
    args.extend(extra);
    let o = run_in(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn the_outputs_of_a_run_verify_against_their_pack() {
    let dir = tmp();
    rolled_up(dir.path(), &[]);
    let (code, out, err) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        out,
        "same: out/rollup.csv\nsame: out/rollup.json\nsame: out/rollup.xlsx\nsame: out/rollup.parquet\n\
         verified: 4 file(s) are exactly what pack gives with the recorded options\n"
    );
}

#[test]
fn one_byte_changed_in_any_input_names_that_file() {
    for (file, from, to) in [
        ("forecasts.csv", "B,2026-Q4,80,", "B,2026-Q4,81,"),
        ("confidence.csv", "0.5", "0.6"),
        ("targets.csv", "200", "201"),
        ("org.csv", "East", "Eask"),
    ] {
        let dir = tmp();
        rolled_up(dir.path(), &[]);
        let path = dir.path().join("pack").join(file);
        let before = std::fs::read_to_string(&path).unwrap();
        assert_eq!(before.matches(from).count(), 1, "{file}: {from}");
        let after = before.replacen(from, to, 1);
        assert_eq!(after.len(), before.len(), "one byte");
        std::fs::write(&path, after).unwrap();
        let (code, out, _) = verify(dir.path(), &["pack", "out"]);
        assert_eq!(code, Some(2), "{file}: {out}");
        let first = out.lines().next().unwrap();
        assert!(
            first.starts_with(&format!("{file} changed since these outputs were written")),
            "{first}"
        );
        // Only that file.
        for other in ["org.csv", "forecasts.csv", "confidence.csv", "targets.csv"] {
            if other != file {
                assert!(!out.contains(&format!("{other} changed")), "{file}: {out}");
            }
        }
        assert!(out.trim_end().ends_with("between these outputs and what pack gives"), "{out}");
    }
}

#[test]
fn a_changed_amount_is_named_at_the_first_row_and_cell_of_each_file() {
    let dir = tmp();
    rolled_up(dir.path(), &[]);
    let path = dir.path().join("pack/forecasts.csv");
    let t = std::fs::read_to_string(&path).unwrap().replace("B,2026-Q4,80,", "B,2026-Q4,81,");
    std::fs::write(&path, t).unwrap();
    let (code, out, _) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(2));
    // B is under R1 under CN: national raw 205.01 becomes 206.01, the first cell to differ.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        &lines[1..],
        [
            "out/rollup.csv:2: raw is \"205.01\" in the file, \"206.01\" recomputed from the pack",
            "out/rollup.json:2: raw is \"205.01\" in the file, \"206.01\" recomputed from the pack",
            "out/rollup.xlsx[2026-Q4]!G2: \"205.01\" in the file, \"206.01\" recomputed from the pack",
            "out/rollup.parquet differs from the file recomputed from the pack, from byte 568",
            "not verified: 5 difference(s) between these outputs and what pack gives",
        ]
    );
    let (_, zh, _) = verify(dir.path(), &["pack", "out", "--lang", "zh"]);
    assert!(zh.contains("forecasts.csv 在这些输出写出之后被改动了"), "{zh}");
    assert!(zh.trim_end().ends_with("核对未通过：这些输出与 pack 给出的结果有 5 处不同"), "{zh}");
}

#[test]
fn an_edited_output_is_named_with_its_cell_and_the_inputs_are_not_blamed() {
    let dir = tmp();
    rolled_up(dir.path(), &[]);
    let csv = dir.path().join("out/rollup.csv");
    let t = std::fs::read_to_string(&csv).unwrap();
    let edited = t.replacen(",176.01,", ",177.01,", 1);
    assert_ne!(edited, t);
    std::fs::write(&csv, edited).unwrap();
    let (code, out, _) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.starts_with("out/rollup.csv:2: forecast is \"177.01\" in the file, \"176.01\" recomputed from the pack\n"), "{out}");
    assert!(!out.contains("changed since"), "{out}");
    assert!(out.contains("same: out/rollup.json"), "{out}");
}

#[test]
fn the_recorded_options_are_the_ones_used() {
    let dir = tmp();
    let extra = ["--scale", "0", "--rounding", "half-even", "--bom", "--lang", "zh"];
    rolled_up(dir.path(), &extra);
    let (code, out, err) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // The record states them.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/rollup.json")).unwrap())
            .unwrap();
    let s = &json["audit"]["settings"];
    assert_eq!((s["scale"].as_u64(), s["rounding"].as_str()), (Some(0), Some("half-even")));
    assert_eq!((s["bom"].as_bool(), s["lang"].as_str()), (Some(true), Some("zh")));
    assert_eq!(json["audit"]["inputs"].as_array().unwrap().len(), 4);
}

#[test]
fn without_a_rollup_json_there_is_nothing_to_verify() {
    let dir = tmp();
    rolled_up(dir.path(), &[]);
    std::fs::remove_file(dir.path().join("out/rollup.json")).unwrap();
    let (code, _, err) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cannot read out/rollup.json: verify reads the options of the run"),
        "{err}"
    );
}

/// A scenario's files are verified with the changes their audit record lists (the scenario
/// file itself is not needed); a cell edited in one is named.
#[test]
fn a_scenarios_files_verify_with_their_recorded_changes() {
    let dir = tmp();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    copy_pack(&fixture("scenario"), &pack);
    std::fs::rename(pack.join("whatif.csv"), dir.path().join("whatif.csv")).unwrap();
    let args = ["run", "pack", "--scenario", "whatif.csv", "--set", "RE=1.1", "--out", "out"];
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The scenario file is gone; its changes are in the record.
    std::fs::remove_file(dir.path().join("whatif.csv")).unwrap();
    let (code, out, err) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("same: out/compare.scenario.csv\n"), "{out}");
    assert!(
        out.ends_with(
            "verified: 5 file(s) are exactly what pack gives with the recorded options\n"
        ),
        "{out}"
    );
    let csv = dir.path().join("out/rollup.scenario.csv");
    let t = std::fs::read_to_string(&csv).unwrap();
    let edited = t.replacen(",true,", ",false,", 1);
    assert_ne!(edited, t);
    std::fs::write(&csv, edited).unwrap();
    let (code, out, _) = verify(dir.path(), &["pack", "out"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.starts_with("out/rollup.scenario.csv:2: reviewed is \"false\" in the file, \"true\" recomputed from the pack\n"),
        "{out}"
    );
}
