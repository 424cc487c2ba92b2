//! fixtures/valid/<case>/: odd but acceptable packs (Excel's UTF-16 "Unicode text", semicolons,
//! full-width digits and ￥, a national-only org, BOM + CRLF + blank lines, quoted line breaks,
//! text that looks like formulas). Each must pass `check` and roll up to its expected rollup.csv.

use crate::harness::*;

#[test]
fn every_odd_but_valid_pack_rolls_up_to_its_expected_csv() {
    let cases = corpus("valid");
    assert!(cases.len() >= 8, "the valid corpus has {} cases", cases.len());
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let check = run_in(case, &["check", "."]);
        assert_eq!(check.status.code(), Some(0), "{name}: check: {}", text(&check.stderr));
        let o = run_in(case, &["run", ".", "--format", "csv"]);
        assert_eq!(o.status.code(), Some(0), "{name}: run: {}", text(&o.stderr));
        // The coverage lines: on run's stderr, and at the end of check's answer.
        assert_file(&case.join("expected/coverage.txt"), &o.stderr);
        assert!(
            text(&check.stdout).ends_with(&text(&o.stderr)),
            "{name}: check: {}",
            text(&check.stdout)
        );
        assert_file(&case.join("expected/rollup.csv"), &o.stdout);
    }
}

/// Every text column of rollup.csv (period, node_id, name, level, parent_id, note) is guarded;
/// numbers never are, and JSON keeps the text as given.
#[test]
fn formula_text_is_guarded_in_every_text_column() {
    let case = fixture("valid/formula_looking_text");
    let o = run_in(&case, &["run", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut rdr = csv::ReaderBuilder::new().from_reader(o.stdout.as_slice());
    let header = rdr.headers().unwrap().clone();
    let text_cols = ["period", "node_id", "name", "level", "parent_id", "note"];
    let mut guarded = std::collections::BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for (h, cell) in header.iter().zip(rec.iter()) {
            if text_cols.contains(&h) {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{h}: {cell:?}");
                if cell.starts_with('\'') {
                    guarded.insert(h.to_string());
                }
            } else {
                assert!(!cell.starts_with('\''), "{h} is not text: {cell:?}");
            }
        }
    }
    assert_eq!(guarded.into_iter().collect::<Vec<_>>(), {
        let mut v = text_cols.map(String::from).to_vec();
        v.sort();
        v
    });
    let o = run_in(&case, &["run", ".", "--format", "json"]);
    let json = text(&o.stdout);
    assert!(json.contains(r#""node_id":"=CN""#) && json.contains(r#""period":"@P""#), "{json}");
}
