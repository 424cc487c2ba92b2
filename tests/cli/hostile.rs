//! Faults and hostile sizes: a run killed while writing leaves the previous outputs whole;
//! lines of 100 MB and a million columns get a clear answer instead of filling the memory.

use crate::harness::*;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// A pack whose outputs take a while to write (a debug build writes them in about a second).
fn wide_pack(dir: &Path, n: usize) {
    let mut org = String::from("id,parent_id,name\nCN,,全国\n");
    let mut fc = String::from("rep_id,period,amount\n");
    for i in 0..n {
        let _ = writeln!(org, "R{i},CN,销售{i}");
        let _ = writeln!(fc, "R{i},2026-Q{},{}.{:02}", 1 + i % 4, i % 997, i % 100);
    }
    std::fs::write(dir.join("org.csv"), org).unwrap();
    std::fs::write(dir.join("forecasts.csv"), fc).unwrap();
}

fn temp_files(dir: &Path) -> Vec<String> {
    listing(dir).into_iter().filter(|f| f.ends_with(".tmp")).collect()
}

#[cfg(unix)]
#[test]
fn a_run_killed_while_writing_leaves_the_previous_outputs_whole() {
    let pack = tmp();
    wide_pack(pack.path(), 100_000);
    let out = tmp();
    std::fs::write(out.path().join("rollup.csv"), b"old csv").unwrap();
    std::fs::write(out.path().join("rollup.json"), b"old json").unwrap();
    let args = ["run", ".", "--format", "csv", "--out", out.path().to_str().unwrap()];
    // Killed (SIGKILL: nothing can be cleaned up) as soon as its first temporary file appears.
    let mut child = bin()
        .current_dir(pack.path())
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while temp_files(out.path()).is_empty() {
        assert!(t.elapsed() < Duration::from_secs(60), "no temporary file appeared");
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it was killed");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(out.path().join("rollup.csv")).unwrap(), b"old csv");
    assert_eq!(std::fs::read(out.path().join("rollup.json")).unwrap(), b"old json");
    // The next run replaces both whole.
    let o = run_in(pack.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(out.path().join("rollup.csv")).unwrap(), o.stdout);
}

#[cfg(unix)]
#[test]
fn a_run_killed_at_any_moment_leaves_each_output_old_or_new_never_partial() {
    let pack = tmp();
    wide_pack(pack.path(), 20_000);
    let out = tmp();
    let args = ["run", ".", "--format", "csv", "--out", out.path().to_str().unwrap()];
    let o = run_in(pack.path(), &args);
    assert_eq!(o.status.code(), Some(0));
    let new_csv = o.stdout;
    let new_json = std::fs::read(out.path().join("rollup.json")).unwrap();
    for delay_ms in [0, 5, 20, 50, 100, 150, 200, 300, 400, 600] {
        std::fs::write(out.path().join("rollup.csv"), b"old").unwrap();
        std::fs::write(out.path().join("rollup.json"), b"old").unwrap();
        let mut child = bin()
            .current_dir(pack.path())
            .args(args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let csv = std::fs::read(out.path().join("rollup.csv")).unwrap();
        let json = std::fs::read(out.path().join("rollup.json")).unwrap();
        assert!(csv == b"old" || csv == new_csv, "killed at {delay_ms} ms: a partial rollup.csv");
        assert!(
            json == b"old" || json == new_json,
            "killed at {delay_ms} ms: a partial rollup.json"
        );
        // The pair is the old set or the new set; only a kill among the renames can leave a
        // mix, and then the commit record says so and the next run finishes the set.
        let mixed = (csv == b"old") != (json == b"old");
        let committed = out.path().join(".forecast-rollup.commit").exists();
        assert!(!mixed || committed, "killed at {delay_ms} ms: a mix without a commit record");
    }
}

/// 100 MB without a line end (a CR-only export, or not a CSV at all): refused once a line
/// passes 64 MiB, without reading the rest into memory.
#[test]
fn a_hundred_megabyte_line_is_refused_with_a_clear_message() {
    let pack = tmp();
    std::fs::write(pack.path().join("org.csv"), "id,parent_id\nCN,\nR,CN\n").unwrap();
    let mut line = b"rep_id,period,amount\nR,P,".to_vec();
    line.resize(100 << 20, b'7');
    std::fs::write(pack.path().join("forecasts.csv"), &line).unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stderr),
        "forecasts.csv: a line longer than 64 MiB (it starts at byte 21 of the text): \
         the file has no line ends this tool reads (old Mac Excel ends lines with CR only) or is not a CSV file\n\
         1 problem; nothing written\n"
    );
    // The same in a file that is read whole.
    std::fs::write(pack.path().join("forecasts.csv"), "rep_id,period,amount\nR,P,1\n").unwrap();
    line[..21].copy_from_slice(b"id,parent_id\nCN,\nR,CN");
    std::fs::write(pack.path().join("org.csv"), &line).unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("org.csv: a line longer than 64 MiB"));
}

#[test]
fn a_million_columns_are_refused_in_a_header_and_in_a_row() {
    let pack = tmp();
    std::fs::write(pack.path().join("org.csv"), "id,parent_id\nCN,\nR,CN\n").unwrap();
    let mut wide = String::from("rep_id,period,amount");
    for i in 0..1_000_000 {
        let _ = write!(wide, ",c{i}");
    }
    wide.push_str("\nR,P,1\n");
    std::fs::write(pack.path().join("forecasts.csv"), &wide).unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).starts_with(
            "forecasts.csv:1: the header has 1000003 columns, more than the 16384 a spreadsheet can hold"
        ),
        "{}",
        text(&o.stderr)
    );
    let row = format!("rep_id,period,amount\nR,P,1\nR,P,2{}\n", ",".repeat(1_000_000));
    std::fs::write(pack.path().join("forecasts.csv"), row).unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr)
            .starts_with("forecasts.csv:3: the row has 1000003 fields but the header has 3"),
        "{}",
        text(&o.stderr)
    );
}
