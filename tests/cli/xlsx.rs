//! Workbooks out: rollup.xlsx and review.xlsx read back by a library (calamine) and opened by
//! LibreOffice, cell for cell against rollup.csv; the outline, the frozen panes and the filter
//! as Excel stores them; the same bytes on any thread count.

use crate::harness::*;
use calamine::{Data, Reader};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn run_out(pack: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", ".", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run_in(&fixture(pack), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

/// rollup.csv's rows, by period.
fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// A cell as the text rollup.csv would hold: numbers as their exact decimal (the formula bar's
/// 15 digits, which is the printed decimal), booleans as true/false.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => forecast_rollup::load::workbook::excel_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// Two cells mean the same: equal text, or equal decimals (`1234.50` is `1234.5`).
/// LibreOffice writes a percentage cell with its `%` even when not "as shown": `88.01%`.
fn same(csv: &str, xlsx: &str) -> bool {
    let xlsx_value = match xlsx.strip_suffix('%') {
        Some(p) => Decimal::from_str(p).ok().map(|d| d / Decimal::from(100)),
        None => Decimal::from_str(xlsx).ok(),
    };
    csv == xlsx || matches!((Decimal::from_str(csv), xlsx_value), (Ok(a), Some(b)) if a == b)
}

#[test]
fn rollup_xlsx_holds_rollup_csv_cell_for_cell_one_sheet_per_period() {
    for pack in
        ["deep_utf8", "valid/workbook_pack_in_one_file", "valid/period_spellings_across_files"]
    {
        let out = tmp();
        run_out(pack, out.path(), &[]);
        let (header, rows) = csv_rows(&out.path().join("rollup.csv"));
        let mut wb = calamine::open_workbook_auto(out.path().join("rollup.xlsx")).unwrap();
        let mut periods: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        periods.dedup();
        let mut sheets = periods.clone();
        sheets.push("Sources".into());
        assert_eq!(wb.sheet_names(), sheets, "{pack}: one sheet per period, named after it");
        // The last sheet is the audit record rollup.json carries: every input's SHA-256.
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("rollup.json")).unwrap())
                .unwrap();
        let sources: Vec<Vec<String>> = wb
            .worksheet_range("Sources")
            .unwrap()
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        let inputs = json["audit"]["inputs"].as_array().unwrap();
        assert!(!inputs.is_empty(), "{pack}: inputs recorded");
        for i in inputs {
            let (file, sha) = (i["file"].as_str().unwrap(), i["sha256"].as_str().unwrap());
            assert_eq!(sha.len(), 64, "{pack}: {file}");
            assert!(
                sources.iter().any(|r| r.get(1).map(String::as_str) == Some(file)
                    && r.get(4).map(String::as_str) == Some(sha)),
                "{pack}: {file} {sha} on the Sources sheet"
            );
        }
        for period in &periods {
            let range = wb.worksheet_range(period).unwrap();
            let got: Vec<Vec<String>> =
                range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
            assert_eq!(got[0], header, "{pack}: the header in English by default");
            let want: Vec<&Vec<String>> = rows.iter().filter(|r| &r[0] == period).collect();
            assert_eq!(got.len() - 1, want.len(), "{pack} {period}: rows");
            for (g, w) in got[1..].iter().zip(want) {
                for (c, (gc, wc)) in g.iter().zip(w.iter()).enumerate() {
                    assert!(same(wc, gc), "{pack} {period} {}: csv {wc:?} xlsx {gc:?}", header[c]);
                }
            }
        }
    }
}

/// Ids stay text (leading zeros kept); money is a number, never text; Chinese headers with
/// `--lang zh`.
#[test]
fn ids_are_text_and_money_numbers_headers_follow_lang() {
    let out = tmp();
    run_out("valid/workbook_pack_in_one_file", out.path(), &["--lang", "zh"]);
    let mut wb = calamine::open_workbook_auto(out.path().join("rollup.xlsx")).unwrap();
    let range = wb.worksheet_range("2026-Q4").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(cell_text(&rows[0][0]), "期间");
    assert_eq!(cell_text(&rows[0][13]), "达成率");
    let rep = rows.iter().find(|r| cell_text(&r[1]) == "00123").expect("00123 as text");
    assert!(matches!(rep[1], Data::String(_)));
    assert!(matches!(rep[6], Data::Float(_)), "raw is a number: {:?}", rep[6]);
}

/// The tree as Excel outline levels (each node's descendants grouped under it), frozen header
/// and name column, filters on, as stored in the sheet's XML.
#[test]
fn the_tree_is_an_outline_with_frozen_panes_and_a_filter() {
    let out = tmp();
    run_out("deep_utf8", out.path(), &[]);
    let file = std::fs::File::open(out.path().join("rollup.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml)
        .unwrap();
    let (_, rows) = csv_rows(&out.path().join("rollup.csv"));
    // Row k + 2 of the sheet is csv row k; its outline level is its depth (the root's row none).
    for (k, r) in rows.iter().enumerate() {
        let depth: usize = r[5].parse().unwrap();
        let tag = format!("<row r=\"{}\"", k + 2);
        let start = xml.find(&tag).unwrap_or_else(|| panic!("no {tag}"));
        let row_tag = &xml[start..start + xml[start..].find('>').unwrap()];
        let level = row_tag
            .split("outlineLevel=\"")
            .nth(1)
            .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
            .unwrap_or(0);
        assert_eq!(level, depth.min(7), "{row_tag}");
    }
    assert!(xml.contains("<pane xSplit=\"3\" ySplit=\"1\""), "frozen header and id/name columns");
    assert!(xml.contains("<autoFilter ref=\"A1:R"), "filters on");
}

#[test]
fn the_same_inputs_give_the_same_workbook_bytes_on_any_thread_count() {
    let (a, b) = (tmp(), tmp());
    run_out("deep_utf8", a.path(), &["--threads", "1"]);
    run_out("deep_utf8", b.path(), &["--threads", "3"]);
    assert!(
        std::fs::read(a.path().join("rollup.xlsx")).unwrap()
            == std::fs::read(b.path().join("rollup.xlsx")).unwrap()
    );
}

/// LibreOffice opens rollup.xlsx and saves each sheet as CSV: the values are rollup.csv's.
#[test]
#[cfg_attr(
    no_soffice,
    ignore = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui); CI installs it"
)]
fn libreoffice_opens_rollup_xlsx_with_rollup_csv_values() {
    let out = tmp();
    run_out("valid/period_spellings_across_files", out.path(), &[]);
    let (header, rows) = csv_rows(&out.path().join("rollup.csv"));
    let converted = libreoffice_csv(&out.path().join("rollup.xlsx"), &out.path().join("lo"));
    let mut periods: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    periods.dedup();
    for period in &periods {
        let path = converted.join(format!("rollup-{period}.csv"));
        let (got_header, got) = csv_rows(&path);
        assert_eq!(got_header, header);
        let want: Vec<&Vec<String>> = rows.iter().filter(|r| &r[0] == period).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            for (c, (gc, wc)) in g.iter().zip(w.iter()).enumerate() {
                let gc = match gc.as_str() {
                    "TRUE" => "true",
                    "FALSE" => "false",
                    s => s,
                };
                assert!(same(wc, gc), "{period} {}: csv {wc:?} LibreOffice {gc:?}", header[c]);
            }
        }
    }
}

/// review.xlsx: a sheet per part of each period; the agendas one sortable table with the
/// manager in the first column; numbers as numbers.
#[test]
fn review_xlsx_has_a_sheet_per_part_and_one_agenda_table() {
    let out = tmp();
    let o = run_in(
        &fixture("review/planted"),
        &[
            "review",
            ".",
            "--previous",
            "../planted_previous",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut wb = calamine::open_workbook_auto(out.path().join("review.xlsx")).unwrap();
    let names = wb.sheet_names();
    for part in ["The tree", "Layer waterfall", "Flags", "Agenda per manager", "What moved"] {
        assert!(names.iter().any(|n| n.contains(part)), "{part} in {names:?}");
    }
    // The tree, its attainment a percentage: 华北 North 337.50 / 600.00.
    let range = wb.worksheet_range("2026-Q2 The tree").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(cell_text(&rows[0][8]), "Attainment");
    assert_eq!(
        (cell_text(&rows[2][0]), cell_text(&rows[2][8])),
        ("华北 North".into(), "0.5625".into())
    );
    let agenda = names.iter().find(|n| n.contains("Agenda")).unwrap().clone();
    let range = wb.worksheet_range(&agenda).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(cell_text(&rows[0][0]), "Manager");
    assert_eq!(cell_text(&rows[0][1]), "Report");
    // Every percentage is a number (85.66% is 0.8566, never the text "85.66%").
    let attainment = rows[0].iter().position(|c| cell_text(c) == "Attainment").unwrap();
    for r in &rows[1..] {
        assert!(matches!(r[attainment], Data::Float(_) | Data::Empty), "{:?}", r[attainment]);
    }
    // Frozen under the header, filter from the header: the agenda sheet's XML.
    let file = std::fs::File::open(out.path().join("review.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let k = names.iter().position(|n| n == &agenda).unwrap() + 1;
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("xl/worksheets/sheet{k}.xml")).unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(xml.contains("ySplit=\"1\""), "frozen under the header");
    assert!(xml.contains("<autoFilter ref=\"A1:"), "filter from the header");
    let managers: std::collections::BTreeSet<String> =
        rows[1..].iter().map(|r| cell_text(&r[0])).collect();
    assert!(managers.len() > 1, "{managers:?}");
    assert!(rows[1..].iter().all(|r| matches!(r[2], Data::Float(_))), "raw is a number");
    let md = std::fs::read_to_string(out.path().join("review.md")).unwrap();
    // Each agenda row's raw, as review.md prints it.
    for r in &rows[1..] {
        let raw = forecast_rollup::format::grouped(
            (Decimal::from_str(&cell_text(&r[2])).unwrap() * Decimal::from(100))
                .try_into()
                .unwrap(),
            2,
        );
        assert!(md.contains(&raw), "{raw} not in review.md");
    }
}

/// `--out` makes a missing folder, says what it wrote, and `--formats` limits it.
#[test]
fn out_makes_the_folder_lists_what_it_wrote_and_formats_limit_it() {
    let base = tmp();
    let out = base.path().join("a/b");
    let o = run_out("handcalc", &out, &["--formats", "csv,xlsx"]);
    assert_eq!(listing(&out), ["rollup.csv", "rollup.xlsx"]);
    let err = text(&o.stderr);
    let size = |n: &str| std::fs::metadata(out.join(n)).unwrap().len();
    for n in ["rollup.csv", "rollup.xlsx"] {
        let line = format!(
            "wrote {} ({} bytes)\n",
            out.join(n).display(),
            forecast_rollup::format::grouped(i128::from(size(n)), 0)
        );
        assert!(err.contains(&line), "{line:?} in {err}");
    }
    let bad = run_in(
        &fixture("handcalc"),
        &["run", ".", "--out", out.to_str().unwrap(), "--formats", "md"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        text(&bad.stderr),
        "command line: --formats: md is not a file this command writes\n  hint: give a comma list of csv, json, xlsx, parquet\n1 problem; nothing written\n"
    );
}
