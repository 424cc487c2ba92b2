//! What is written and where: formula guards, BOM, whole-or-nothing writes, exit 1 for a bad
//! output folder, inputs never overwritten.

use crate::harness::*;

fn write_pack(dir: &std::path::Path, org: &str, forecasts: &str) {
    std::fs::write(dir.join("org.csv"), org).unwrap();
    std::fs::write(dir.join("forecasts.csv"), forecasts).unwrap();
}

#[test]
fn text_that_a_spreadsheet_would_run_is_guarded_in_csv_only() {
    let pack = tmp();
    write_pack(
        pack.path(),
        "id,parent_id,name,level\nCN,,=HYPERLINK(\"http://x\"),+national\n@R,CN,-rep,rep\n",
        "rep_id,period,amount\n@R,=1+1,10\n",
    );
    let o = run_in(pack.path(), &["run", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let csv = text(&o.stdout);
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "'=1+1,CN,\"'=HYPERLINK(\"\"http://x\"\")\",'+national,,0,10.00,10.00,1,10.00,10.00,,,,0.00,0.00,true,",
            "'=1+1,'@R,'-rep,rep,CN,1,10.00,10.00,1,10.00,10.00,,,,10.00,10.00,false,",
        ]
    );
    let o = run_in(pack.path(), &["run", ".", "--format", "json"]);
    assert!(text(&o.stdout).contains(r#""node_id":"@R","name":"-rep""#));
}

#[test]
fn bom_only_when_asked() {
    let out = tmp();
    let o = run_in(&fixture("handcalc"), &["run", ".", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    assert!(std::fs::read(out.path().join("rollup.csv")).unwrap().starts_with(b"period,"));
    let o =
        run_in(&fixture("handcalc"), &["run", ".", "--bom", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    let bytes = std::fs::read(out.path().join("rollup.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFperiod,"));
    assert!(!bytes.contains(&b'\r'));
    assert!(!std::fs::read(out.path().join("rollup.json")).unwrap().starts_with(b"\xEF"));
}

#[test]
fn a_missing_output_folder_is_made_with_its_parents() {
    let base = tmp();
    let missing = base.path().join("nope/deeper");
    let o = run_in(&fixture("handcalc"), &["run", ".", "--out", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(listing(&missing), ["rollup.csv", "rollup.json", "rollup.parquet", "rollup.xlsx"]);
    // A file where the folder should be is refused (exit 1: the machine, not the input).
    let file = base.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = run_in(&fixture("handcalc"), &["run", ".", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("is a file, not a folder"), "{}", text(&o.stderr));
}

/// The files in a folder, with their bytes.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    listing(dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect()
}

// These two fail a write in ways that stop root as well as anyone else (a folder refuses no
// write to root, whatever its mode).

#[cfg(unix)]
#[test]
fn a_full_disk_is_exit_1_and_leaves_the_old_outputs_and_no_temp_files() {
    let out = tmp();
    std::fs::write(out.path().join("rollup.csv"), b"old csv").unwrap();
    std::fs::write(out.path().join("rollup.json"), b"old json").unwrap();
    let old = files(out.path());
    // RLIMIT_FSIZE of 0 makes every write to a file fail with EFBIG, as a full disk fails it
    // with ENOSPC; SIGXFSZ is ignored (the binary inherits that) so that the write returns the
    // error instead of killing the process.
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_forecast-rollup"))
        .args(["run", ".", "--out"])
        .arg(out.path())
        .current_dir(fixture("handcalc"))
        .env_remove("RAYON_NUM_THREADS")
        .env("LANG", "C")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("cannot write"), "{}", text(&o.stderr));
    assert_eq!(files(out.path()), old);
}

#[test]
fn an_output_that_cannot_be_replaced_is_exit_1_and_changes_nothing_in_the_set() {
    for blocked in ["rollup.csv", "rollup.json"] {
        let other = if blocked == "rollup.csv" { "rollup.json" } else { "rollup.csv" };
        let out = tmp();
        // One output is a folder that is not empty: no rename can replace it. The other must
        // not be replaced either, or the folder would hold a mix of two runs.
        std::fs::create_dir(out.path().join(blocked)).unwrap();
        std::fs::write(out.path().join(blocked).join("keep"), b"kept").unwrap();
        std::fs::write(out.path().join(other), b"old").unwrap();
        let o = run_in(&fixture("handcalc"), &["run", ".", "--out", out.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("it is a folder"), "{}", text(&o.stderr));
        assert_eq!(listing(out.path()), ["rollup.csv", "rollup.json"]);
        let kept = files(&out.path().join(blocked));
        assert_eq!(kept, [("keep".to_string(), b"kept".to_vec())]);
        assert_eq!(std::fs::read(out.path().join(other)).unwrap(), b"old", "{blocked}");
    }
}

#[test]
fn out_in_the_pack_folder_keeps_the_inputs_and_replaces_outputs_whole() {
    let pack = tmp();
    copy_pack(&fixture("handcalc"), pack.path());
    let before: Vec<Vec<u8>> = ["org.csv", "forecasts.csv", "confidence.csv", "targets.csv"]
        .iter()
        .map(|f| std::fs::read(pack.path().join(f)).unwrap())
        .collect();
    std::fs::write(pack.path().join("rollup.csv"), b"old").unwrap();
    let o = run_in(pack.path(), &["run", ".", "--out", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let after: Vec<Vec<u8>> = ["org.csv", "forecasts.csv", "confidence.csv", "targets.csv"]
        .iter()
        .map(|f| std::fs::read(pack.path().join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    assert_eq!(
        std::fs::read(pack.path().join("rollup.csv")).unwrap(),
        std::fs::read(fixture("handcalc/expected/rollup.csv")).unwrap()
    );
    assert_eq!(
        listing(pack.path()),
        [
            "confidence.csv",
            "forecasts.csv",
            "org.csv",
            "rollup.csv",
            "rollup.json",
            "rollup.parquet",
            "rollup.xlsx",
            "targets.csv"
        ]
    );
}

#[test]
fn an_output_that_would_overwrite_an_input_is_refused() {
    let pack = tmp();
    copy_pack(&fixture("handcalc"), pack.path());
    std::fs::rename(pack.path().join("forecasts.csv"), pack.path().join("rollup.csv")).unwrap();
    let o = run_in(pack.path(), &["run", ".", "--forecasts", "rollup.csv", "--out", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("it is one of the input files"), "{}", text(&o.stderr));
    assert!(std::fs::read(pack.path().join("rollup.csv")).unwrap().starts_with(b"rep_id,"));
}

#[test]
fn scale_and_rounding_flags_change_the_printed_values_only() {
    let o = run_in(&fixture("handcalc"), &["run", ".", "--format", "csv", "--scale", "3"]);
    let csv = text(&o.stdout);
    assert!(csv.contains("2026-Q4,CN,National,national,,0,205.010,176.011,1,176.011,176.011,200.000,-23.989,0.8801,"), "{csv}");
    let o = run_in(&fixture("handcalc"), &["run", ".", "--format", "csv", "--scale", "0"]);
    assert!(
        text(&o.stdout).contains(",0,205,176,1,176,176,200,-24,0.8801,"),
        "{}",
        text(&o.stdout)
    );
    let o =
        run_in(&fixture("deep_utf8"), &["run", ".", "--format", "csv", "--rounding", "half-even"]);
    let even = text(&o.stdout);
    let o = run_in(&fixture("deep_utf8"), &["run", ".", "--format", "csv"]);
    let up = text(&o.stdout);
    // The deep pack's national raw is exactly 2606374.425: the tie rule decides the cent.
    assert!(up.lines().nth(1).unwrap().contains(",2606374.43,"));
    assert!(even.lines().nth(1).unwrap().contains(",2606374.42,"));
}

#[test]
fn a_closed_stdout_is_a_quiet_success() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = bin()
        .args(["run", "--format", "csv"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_temporary_file_is_cleaned_up_and_a_live_ones_is_not() {
    let out = tmp();
    // A process id that cannot be running (above the kernel's pid_max), and this test's own.
    let stale = out.path().join(".rollup.csv.4294967294.tmp");
    let live = out.path().join(format!(".rollup.json.{}.tmp", std::process::id()));
    std::fs::write(&stale, b"half").unwrap();
    std::fs::write(&live, b"busy").unwrap();
    let o = run_in(&fixture("handcalc"), &["run", ".", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!stale.exists());
    assert!(live.exists());
    let mut names = listing(out.path());
    names.retain(|n| !n.starts_with('.'));
    assert_eq!(names, ["rollup.csv", "rollup.json", "rollup.parquet", "rollup.xlsx"]);
}
