//! `template`: confidence.xlsx goes out (a sheet per manager, the answer cells validated, the
//! rest protected) and comes back filled, as one workbook or a folder of returned ones, and is
//! read as the pack's confidence: the same roll-up as the same answers typed into
//! confidence.csv.

use crate::harness::*;
use calamine::{Data, Reader};
use std::path::Path;

/// The handcalc pack without its confidence.csv, in a temporary folder.
fn pack_without_confidence() -> tempfile::TempDir {
    let dir = tmp();
    for f in ["org.csv", "forecasts.csv", "targets.csv"] {
        std::fs::copy(fixture("handcalc").join(f), dir.path().join(f)).unwrap();
    }
    dir
}

fn template(pack: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["template", ".", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run_in(pack, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

/// What a manager sends back: their sheet of the template with some answers typed in (a
/// number, as Excel stores `0.9` or `90%`), as a workbook of its own or one of several sheets.
fn filled(template: &Path, sheets: &[&str], answers: &[(&str, f64, &str)]) -> Vec<u8> {
    let mut wb = calamine::open_workbook_auto(template).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in sheets {
        let range = wb.worksheet_range(name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::String(s) => ws.write_string(r, c, s).unwrap(),
                    Data::Float(f) => ws.write_number(r, c, *f).unwrap(),
                    Data::Empty => ws,
                    other => panic!("{other:?}"),
                };
            }
            let subject = row.first().map(|d| d.to_string()).unwrap_or_default();
            if let Some((_, value, note)) = answers.iter().find(|(s, ..)| *s == subject) {
                ws.write_number(r as u32, 8, *value).unwrap();
                ws.write_string(r as u32, 9, *note).unwrap();
            }
        }
    }
    out.save_to_buffer().unwrap()
}

/// The answers of fixtures/handcalc/confidence.csv (C and D left blank: not reviewed).
const ANSWERS: [(&str, f64, &str); 5] = [
    ("A", 0.5, "says 100 but never makes it"),
    ("B", 1.25, "conservative"),
    ("S1", 0.9, ""),
    ("S2", 1.0, ""),
    ("R1", 1.1, ""),
];

#[test]
fn the_template_has_a_validated_sheet_per_manager_and_protects_the_rest() {
    let pack = pack_without_confidence();
    let out = tmp();
    let o = template(pack.path(), out.path(), &["--lang", "zh"]);
    assert!(text(&o.stdout)
        .contains("4 张主管工作表（National, East, Supervisor One, Supervisor Two）"));
    let path = out.path().join("confidence.xlsx");
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["National", "East", "Supervisor One", "Supervisor Two"]);
    let range = wb.worksheet_range("Supervisor One").unwrap();
    let rows: Vec<Vec<String>> =
        range.rows().map(|r| r.iter().map(|d| d.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "被评估人");
    assert_eq!(rows[0][8], "信心指数（留空为未评估）");
    assert_eq!(rows[1][..5], ["A", "Rep A (optimist)", "rep", "100", "100"]);
    assert_eq!(rows[1][6..8], ["S1", "2026-Q4"]);
    let file = std::fs::File::open(&path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    for k in 1..=4 {
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name(&format!("xl/worksheets/sheet{k}.xml")).unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains("<sheetProtection"), "sheet {k} protected");
        assert!(xml.contains("type=\"decimal\""), "sheet {k}: the answer cells take a number");
        assert!(
            xml.contains("<formula1>0</formula1><formula2>2</formula2>"),
            "sheet {k}: from 0 to 2"
        );
    }
    // An unprotected answer cell: its style is unlocked.
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("locked=\"0\""));
}

#[test]
fn the_filled_workbook_is_read_as_the_packs_confidence() {
    let pack = pack_without_confidence();
    let out = tmp();
    template(pack.path(), out.path(), &[]);
    let names = ["National", "East", "Supervisor One", "Supervisor Two"];
    std::fs::write(
        pack.path().join("confidence.xlsx"),
        filled(&out.path().join("confidence.xlsx"), &names, &ANSWERS),
    )
    .unwrap();
    let o = run_in(pack.path(), &["run", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Blank answers are "not reviewed": the same as the CSV without rows for C and D.
    assert_eq!(
        text(&o.stdout),
        text(&std::fs::read(fixture("handcalc/expected/rollup.csv")).unwrap())
    );
}

#[test]
fn a_folder_of_returned_workbooks_is_read_and_an_answer_given_twice_is_named_in_both_places() {
    let pack = pack_without_confidence();
    let out = tmp();
    template(pack.path(), out.path(), &[]);
    let t = out.path().join("confidence.xlsx");
    let back = pack.path().join("confidence");
    std::fs::create_dir(&back).unwrap();
    for name in ["National", "East", "Supervisor One", "Supervisor Two"] {
        std::fs::write(back.join(format!("{name}.xlsx")), filled(&t, &[name], &ANSWERS)).unwrap();
    }
    std::fs::write(back.join("说明.txt"), "returned by mail").unwrap();
    let o = run_in(pack.path(), &["run", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        text(&std::fs::read(fixture("handcalc/expected/rollup.csv")).unwrap())
    );
    assert!(text(&o.stderr).contains("not read: confidence/说明.txt"), "{}", text(&o.stderr));
    // Supervisor One answers for A again in a second file, differently.
    std::fs::write(
        back.join("Supervisor One (2).xlsx"),
        filled(&t, &["Supervisor One"], &[("A", 0.8, "changed my mind")]),
    )
    .unwrap();
    let o = run_in(pack.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "confidence/Supervisor One.xlsx[Supervisor One]!I2: confidence (blank = not reviewed): \"A\" is answered twice: here and at confidence/Supervisor One (2).xlsx[Supervisor One]!I2\n  hint: keep one answer: clear the other cell (or remove the returned file that is out of date)\n1 problem; nothing written\n"
    );
}

/// `--previous`: the confidence given last time beside each empty cell.
#[test]
fn previous_shows_the_confidence_given_last_time() {
    let pack = pack_without_confidence();
    let out = tmp();
    let previous = fixture("handcalc");
    template(pack.path(), out.path(), &["--previous", previous.to_str().unwrap()]);
    let mut wb = calamine::open_workbook_auto(out.path().join("confidence.xlsx")).unwrap();
    let range = wb.worksheet_range("Supervisor One").unwrap();
    let last: Vec<String> = range.rows().skip(1).map(|r| r[5].to_string()).collect();
    assert_eq!(last, ["0.5", "1.25"]);
}

#[test]
#[cfg_attr(
    no_soffice,
    ignore = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui); CI installs it"
)]
fn libreoffice_opens_the_template() {
    let pack = pack_without_confidence();
    let out = tmp();
    template(pack.path(), out.path(), &[]);
    let lo = libreoffice_csv(&out.path().join("confidence.xlsx"), &out.path().join("lo"));
    let csv = std::fs::read_to_string(lo.join("confidence-Supervisor One.csv")).unwrap();
    assert!(csv.starts_with("subject_id,name,level,raw,forecast,last confidence,reviewer_id,period,confidence (blank = not reviewed),note\nA,Rep A (optimist),rep,100,100,,S1,2026-Q4,,\n"), "{csv}");
}
