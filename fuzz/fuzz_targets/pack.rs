//! The whole pipeline on arbitrary bytes: load the four files → validate → roll up → render
//! CSV, JSON and the table. Whatever the bytes, it ends in a roll-up or a list of problems,
//! never a panic.
//!
//! Input layout: org.csv, forecasts.csv, confidence.csv and targets.csv joined by the line
//! `=====` (so the seeds in corpus/pack are readable packs). A missing part is a missing
//! optional file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use forecast_rollup::load::{InputData, InputFile, PackFiles, ReadOptions};
use forecast_rollup::problem::{Failure, FileKind};
use forecast_rollup::{exact, pipeline, report, rollup, validate};

#[path = "parts.rs"]
mod parts;
use parts::split;

fn file(kind: FileKind, bytes: &[u8]) -> InputFile {
    InputFile {
        kind,
        display: kind.file_name().to_string(),
        data: InputData::Bytes(bytes.to_vec()),
        sheet: None,
        shape: None,
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
        found: Vec::new(),
        not_read: Vec::new(),
        mapping: None,
        shapes: Vec::new(),
        held: Vec::new(),
    };
    // The flags ride on the input's length, so every setting gets fuzzed.
    let strict = data.len() % 2 == 0;
    let scale = (data.len() % 7) as u32;
    let rounding = if data.len() % 3 == 0 { exact::Rounding::HalfEven } else { exact::Rounding::HalfUp };
    let opts = pipeline::Options {
        read: ReadOptions { encoding: forecast_rollup::load::encoding::EncodingChoice::Auto },
        max_confidence: rust_decimal::Decimal::TWO,
        check: validate::CheckOptions { strict, only_period: None },
        rollup: rollup::RollupOptions { scale, rounding },
        deals: data.len() % 5 == 0,
        hash: false,
        deal_ids: None,
    };
    let c = match pipeline::run(&files, &opts, pipeline::MAIN_PACK) {
        Ok(c) => c,
        Err(Failure::Input(mut problems)) => {
            assert!(!problems.is_empty(), "a pack refused without a problem");
            problems.finish();
            let _ = problems.render(forecast_rollup::text::Lang::En);
            let _ = problems.render(forecast_rollup::text::Lang::Zh);
            return;
        }
        Err(Failure::Other(e)) => panic!("in-memory files cannot fail to read: {e:#}"),
    };
    let mut out = Vec::new();
    report::csv::render(&c.pack, &c.rollup, false, &mut out).unwrap();
    report::json::render(&c.pack, &c.rollup, None, &mut out).unwrap();
    let terminal = report::terminal::TerminalOptions {
        lang: report::terminal::Lang::Zh,
        depth: None,
        width: (data.len() % 3 == 0).then_some(40 + data.len() % 100),
        color: data.len() % 2 == 0,
    };
    let _ = report::terminal::render(&c.pack, &c.rollup, terminal, None);
});
