//! fixtures/crm/<pack>/: CRM exports read through their pack.toml (scripts/make-crm-fixtures.py
//! writes them). Each pack's `expected/canonical/` is the same pack converted to the contract's
//! shape by that script's own reading of pack.toml's rules, independently of the engine; the
//! expected rollup.csv is the engine's roll-up of that canonical pack through the plain CSV
//! path. The CRM pack must give exactly the same bytes.

use crate::harness::*;
use std::path::{Path, PathBuf};

fn crm_packs() -> Vec<PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("crm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("pack.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "the CRM corpus has {} packs", cases.len());
    cases
}

/// Copies every file of a pack folder (not its sub-folders) into `dest`, created.
fn copy_files(src: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dest.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn rollup_csv(dir: &Path, threads: &str) -> Vec<u8> {
    let o = run_in(dir, &["run", ".", "--format", "csv", "--threads", threads]);
    assert_eq!(o.status.code(), Some(0), "{}: {}", dir.display(), text(&o.stderr));
    o.stdout
}

#[test]
fn every_crm_pack_rolls_up_exactly_as_its_independently_converted_twin() {
    for case in crm_packs() {
        let canonical = rollup_csv(&case.join("expected/canonical"), "2");
        assert_file(&case.join("expected/rollup.csv"), &canonical);
        for threads in ["1", "2", "3"] {
            let got = rollup_csv(&case, threads);
            assert!(
                got == canonical,
                "{} ({threads} threads) differs from its canonical twin:\n{}",
                case.display(),
                diff(&canonical, &got)
            );
        }
    }
}

/// `check` says which column became which and counts the rows pack.toml left out, as the
/// script that wrote the fixture counted them.
#[test]
fn check_prints_the_mapping_it_used_and_the_rows_it_left_out() {
    for case in crm_packs() {
        let o = run_in(&case, &["check", "."]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_file(&case.join("expected/check.txt"), &o.stdout);
        let out = text(&o.stdout);
        let left = std::fs::read_to_string(case.join("expected/left_out.txt")).unwrap();
        let printed: u64 =
            left.lines().map(|l| l.rsplit(": ").next().unwrap().parse::<u64>().unwrap()).sum();
        for line in left.lines() {
            assert!(out.contains(line), "{}: {line:?} not in\n{out}", case.display());
        }
        if printed > 0 {
            assert!(out.contains(&format!("left out by pack.toml: {printed} rows")), "{out}");
        }
    }
}

/// `run` says the same on stderr (the summary), so a left-out row is never silent.
#[test]
fn run_counts_the_rows_left_out_on_stderr() {
    let case = fixture("crm/wukong");
    let o = run_in(&case, &["run", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    assert!(
        err.contains("left out by pack.toml: 5 rows of 商机导出.xlsx[商机] (商机状态组 = 无效: 2, 商机状态组 = 输单: 3)"),
        "{err}"
    );
}

/// The previous pack and the history's packs read pack.toml like the pack under review.
#[test]
fn previous_and_history_packs_are_read_through_their_pack_toml() {
    let dir = tmp();
    let history = dir.path().join("history");
    copy_files(&fixture("crm/one_workbook"), &history.join("2026-Q3"));
    std::fs::write(
        history.join("actuals.csv"),
        "rep_id,period,amount\n0011,2026-Q4,70000.50\n0012,2026-Q4,120000\n",
    )
    .unwrap();
    let case = fixture("crm/one_workbook");
    let o =
        run_in(&case, &["review", ".", "--previous", ".", "--history", history.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Whose judgment"), "{out}");
    // A mapped file with a problem in the previous pack is cited in that pack's file.
    let broken = dir.path().join("previous");
    copy_files(&fixture("crm/salesforce"), &broken);
    let toml = std::fs::read_to_string(broken.join("pack.toml")).unwrap();
    std::fs::write(broken.join("pack.toml"), toml.replace("date_format = \"%m/%d/%Y\"\n", ""))
        .unwrap();
    let o = run_in(
        &fixture("crm/salesforce"),
        &["review", ".", "--previous", broken.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(err.contains("previous/Opportunities.csv:"), "{err}");
    assert!(err.contains("can be the date month/day/year or day/month/year"), "{err}");
}

/// A file named in pack.toml by a link that leads out of the folder is refused like `..`.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_pack_folder_is_refused() {
    let dir = tmp();
    let pack = dir.path().join("pack");
    copy_files(&fixture("crm/salesforce"), &pack);
    let outside = dir.path().join("elsewhere.csv");
    std::fs::rename(pack.join("Users.csv"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, pack.join("Users.csv")).unwrap();
    let o = run_in(&pack, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("pack.toml:6: [org] file: \"Users.csv\" leads out of the pack folder"),
        "{err}"
    );
}

/// `init` on the exports alone drafts a pack.toml (compared whole) that reads them; where the
/// fixture's own pack.toml says no more than the draft can know, the roll-up is the same.
#[test]
fn init_drafts_a_pack_toml_that_reads_the_exports() {
    for case in crm_packs() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tmp();
        let pack = dir.path().join(&name);
        copy_files(&case, &pack);
        std::fs::remove_file(pack.join("pack.toml")).unwrap();
        let o = run_in(dir.path(), &["init", &name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        let drafted = std::fs::read(pack.join("pack.toml")).unwrap();
        assert_file(&case.join("expected/init.toml"), &drafted);
        assert_file(&case.join("expected/init.txt"), &o.stdout);
        assert_eq!(
            text(&o.stderr),
            format!(
                "wrote {name}/pack.toml ({} bytes)\n",
                forecast_rollup::format::grouped(drafted.len() as i128, 0)
            ),
            "{name}"
        );
        let check = run_in(&pack, &["check", "."]);
        assert_eq!(check.status.code(), Some(0), "{name}: {}", text(&check.stderr));
        if name == "wukong" {
            // The others say what no draft can know: a fiscal year from April (salesforce), two
            // stages kept by hand (one_workbook).
            assert_eq!(text(&rollup_csv(&pack, "2")), text(&rollup_csv(&case, "2")), "{name}");
        }
        // A second init does not replace the first.
        let again = run_in(dir.path(), &["init", &name]);
        assert_eq!(again.status.code(), Some(2));
        assert_eq!(
            text(&again.stderr),
            format!(
                "{name}/pack.toml: is already in the folder; init does not replace it\n  hint: check it with `forecast-rollup check`, or pass --force to draft a new one\n1 problem; nothing written\n"
            )
        );
        assert_eq!(std::fs::read(pack.join("pack.toml")).unwrap(), drafted);
    }
}

/// A folder with no deal export: the files seen and their first columns, exit 2.
#[test]
fn init_without_a_deal_export_says_what_it_saw() {
    let dir = tmp();
    std::fs::write(dir.path().join("员工.csv"), "工号,姓名,部门,岗位\n00123,李明,华东/一组,销售\n")
        .unwrap();
    let o = run_in(dir.path(), &["init", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "pack.toml: no file in . looks like a deal export (an owner, an amount and a close date or period): 员工.csv (\"工号\", \"姓名\", \"部门\", \"岗位\")\n  hint: put the CRM's deal export (CSV or .xlsx) in the folder, or write pack.toml by hand (README, \"From a CRM export\")\n1 problem; nothing written\n"
    );
    assert!(!dir.path().join("pack.toml").exists());
}

/// In Chinese, `check`'s account and `init`'s draft (its comments and what it took) are
/// compared whole; the Chinese draft reads the exports as the English one does.
#[test]
fn check_and_init_speak_chinese() {
    for case in crm_packs() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let o = run_in(&case, &["check", ".", "--lang", "zh"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        assert_file(&case.join("expected/check.zh.txt"), &o.stdout);
        let dir = tmp();
        let pack = dir.path().join(&name);
        copy_files(&case, &pack);
        std::fs::remove_file(pack.join("pack.toml")).unwrap();
        let o = run_in(dir.path(), &["init", &name, "--lang", "zh"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        let drafted = std::fs::read(pack.join("pack.toml")).unwrap();
        assert_file(&case.join("expected/init.zh.toml"), &drafted);
        assert_file(&case.join("expected/init.zh.txt"), &o.stdout);
        assert!(text(&o.stderr).starts_with(&format!("已写出 {name}/pack.toml（")), "{name}");
        let english = std::fs::read(case.join("expected/init.toml")).unwrap();
        let keys = |b: &[u8]| -> Vec<String> {
            text(b)
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| l.split("  #").next().unwrap().trim_end().to_string())
                .collect()
        };
        assert_eq!(keys(&drafted), keys(&english), "{name}: the same keys in both languages");
    }
}
