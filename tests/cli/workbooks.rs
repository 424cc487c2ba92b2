//! Workbooks in: sheets read as the user sees them, problems at their cells, and hostile files
//! refused with their cause. The accepted and refused workbook packs themselves are in the
//! valid and invalid corpora (`fixtures/*/workbook_*`, written by
//! scripts/make-workbook-fixtures.py).

use crate::harness::*;

fn pack_with_org(dir: &std::path::Path) {
    std::fs::write(dir.join("org.csv"), "id,parent_id\nCN,\nR,CN\n").unwrap();
}

/// A zip whose directory claims entries of gigabytes (a zip bomb) is refused before anything is
/// unpacked: the claim is read from the central directory.
#[test]
fn a_workbook_that_claims_gigabytes_is_refused_before_unpacking() {
    let pack = tmp();
    pack_with_org(pack.path());
    // A small, real zip with one entry; then its central directory is made to claim 4 GiB.
    let mut bytes = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        std::io::Write::write_all(&mut z, b"<worksheet/>").unwrap();
        z.finish().unwrap();
    }
    let cd = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").expect("a central directory");
    bytes[cd + 24..cd + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    std::fs::write(pack.path().join("forecasts.xlsx"), &bytes).unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("forecasts.xlsx: the workbook unpacks to 4095 MiB, more than the 1024 MiB"),
        "{err}"
    );
    assert!(err.ends_with("1 problem; nothing written\n"), "{err}");
}

/// A text file named .xlsx, and bytes that are no workbook: the cause, not a crash.
#[test]
fn a_file_named_xlsx_that_is_not_a_workbook_is_refused_with_its_cause() {
    let pack = tmp();
    pack_with_org(pack.path());
    std::fs::write(pack.path().join("forecasts.xlsx"), "rep_id,period,amount\nR,2026-Q4,1\n")
        .unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.starts_with("forecasts.xlsx: the workbook cannot be read ("), "{err}");
    assert!(err.contains("hint: save the sheet as \"CSV UTF-8\""), "{err}");
}

/// A workbook pack gives the same bytes as the same pack in CSV files, whatever the thread
/// count.
#[test]
fn a_workbook_pack_rolls_up_like_its_csv_twin_on_any_thread_count() {
    let case = fixture("valid/workbook_pack_in_one_file");
    let one = run_in(&case, &["run", ".", "--format", "csv", "--threads", "1"]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    let three = run_in(&case, &["run", ".", "--format", "csv", "--threads", "3"]);
    assert_eq!(one.stdout, three.stdout);
    assert_file(&case.join("expected/rollup.csv"), &one.stdout);
    // The sheet that is no role is listed as such; every role came from the one workbook.
    let check = run_in(&case, &["check", "."]);
    let out = text(&check.stdout);
    assert!(out.contains("  pack.xlsx[组织架构]: 7 rows\n"), "{out}");
    assert!(out.contains("  pack.xlsx[预测]: 5 lines read, 5 used, 0 refused\n"), "{out}");
}
