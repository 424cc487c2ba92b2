//! Inputs the fuzzers found to crash the program, each a named test of the real binary
//! (the procedure is at the top of scripts/fuzz.sh).

use crate::harness::*;

/// A workbook whose sheet XML has a cell reference past 32 bits: calamine's arithmetic on it
/// overflowed (a panic where overflow is checked). Found by the `workbook` fuzz target.
#[test]
fn a_workbook_with_a_cell_reference_past_32_bits_is_refused_not_a_crash() {
    let pack = tmp();
    std::fs::write(pack.path().join("org.csv"), "id,parent_id\nCN,\nR,CN\n").unwrap();
    std::fs::copy(
        fixture("regressions/workbook_cell_reference_overflow.xlsx"),
        pack.path().join("forecasts.xlsx"),
    )
    .unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.starts_with("forecasts.xlsx: the workbook cannot be read ("), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.ends_with("1 problem; nothing written\n"), "{err}");
}
