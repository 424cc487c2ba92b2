//! The whole pipeline on arbitrary bytes: load the four files → validate → roll up → render
//! CSV, JSON and the table. Whatever the bytes, it ends in a roll-up or a list of problems,
//! never a panic.
//!
//! Input layout: org.csv, forecasts.csv, confidence.csv and targets.csv joined by the line
//! `=====` (so the seeds in corpus/pack are readable packs). A missing part is a missing
//! optional file.
#![no_main]
#![allow(dead_code)]

// The engine's whole module tree, as src/main.rs declares it (CI checks that this crate still
// builds, so the two stay in step).
#[path = "../../src/cli.rs"]
mod cli;
#[path = "../../src/config.rs"]
mod config;
#[path = "../../src/exact.rs"]
mod exact;
#[path = "../../src/gen.rs"]
mod gen;
#[path = "../../src/load/mod.rs"]
mod load;
#[path = "../../src/model.rs"]
mod model;
#[path = "../../src/problem.rs"]
mod problem;
#[path = "../../src/report/mod.rs"]
mod report;
#[path = "../../src/review/mod.rs"]
mod review;
#[path = "../../src/rollup.rs"]
mod rollup;
#[path = "../../src/validate.rs"]
mod validate;

use libfuzzer_sys::fuzz_target;
use load::{InputData, InputFile, PackFiles, ReadOptions};
use problem::{FileKind, Problems};

const SEPARATOR: &[u8] = b"\n=====\n";

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = memchr::memmem::find(rest, SEPARATOR) {
        parts.push(&rest[..i]);
        rest = &rest[i + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fn file(kind: FileKind, bytes: &[u8]) -> InputFile {
    InputFile {
        kind,
        display: kind.file_name().to_string(),
        data: InputData::Bytes(bytes.to_vec()),
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(2).build_global();
    let parts = split(data);
    let part = |i: usize, kind| parts.get(i).map(|b| file(kind, b));
    let files = PackFiles {
        org: file(FileKind::Org, parts[0]),
        forecasts: part(1, FileKind::Forecasts).unwrap_or_else(|| file(FileKind::Forecasts, b"")),
        confidence: part(2, FileKind::Confidence),
        targets: part(3, FileKind::Targets),
    };
    // The flags ride on the input's length, so every setting gets fuzzed.
    let strict = data.len() % 2 == 0;
    let scale = (data.len() % 7) as u32;
    let rounding = if data.len() % 3 == 0 { exact::Rounding::HalfEven } else { exact::Rounding::HalfUp };
    let opts = ReadOptions { encoding: load::encoding::EncodingChoice::Auto };
    let mut problems = Problems::default();
    let loaded = load::pack(&files, opts, rust_decimal::Decimal::TWO, None, &mut problems)
        .expect("in-memory files cannot fail to read");
    let check = validate::CheckOptions { strict, only_period: None };
    let Some(pack) = loaded.and_then(|l| validate::validate(l, &check, &mut problems)) else {
        assert!(!problems.is_empty(), "a pack refused without a problem");
        problems.finish();
        let _ = problems.render(&|k| k.file_name().to_string());
        return;
    };
    assert!(problems.is_empty());
    let Ok(rollup) = rollup::compute(&pack, rollup::RollupOptions { scale, rounding }) else {
        return;
    };
    let mut out = Vec::new();
    report::csv::render(&pack, &rollup, false, &mut out).unwrap();
    report::json::render(&pack, &rollup, &mut out).unwrap();
    let terminal = report::terminal::TerminalOptions { lang: report::terminal::Lang::Zh, depth: None };
    let _ = report::terminal::render(&pack, &rollup, terminal, None);
});
