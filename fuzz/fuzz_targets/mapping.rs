//! pack.toml and the files it maps, on arbitrary bytes: parse the mapping → convert each mapped
//! file to the contract's shape → the whole pipeline. Whatever the bytes, it ends in a roll-up
//! or a list of problems, never a panic.
//!
//! Input layout: pack.toml, then the org, forecasts, confidence and targets files (CSV), joined
//! by the line `=====`. A role with a section in the pack.toml part is converted by it.
#![no_main]

use forecast_rollup::load::{packtoml, InputData, InputFile, PackFiles, ReadOptions};
use forecast_rollup::problem::{Failure, FileKind};
use forecast_rollup::{exact, pipeline, rollup, validate};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

#[path = "parts.rs"]
mod parts;
use parts::split;

fuzz_target!(|data: &[u8]| {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(2).build_global();
    let parts = split(data);
    let Ok(text) = std::str::from_utf8(parts[0]) else { return };
    let mapping = match packtoml::parse(text) {
        Ok(m) => m,
        Err(problems) => {
            assert!(!problems.is_empty(), "a pack.toml refused without a problem");
            return;
        }
    };
    let file = |i: usize, kind: FileKind| -> Option<InputFile> {
        let bytes = parts.get(i)?;
        Some(InputFile {
            kind,
            display: kind.file_name().to_string(),
            data: InputData::Bytes(bytes.to_vec()),
            sheet: None,
            shape: mapping.section(kind).cloned().map(Arc::new),
        })
    };
    let files = PackFiles {
        org: file(1, FileKind::Org).unwrap_or_else(|| InputFile {
            kind: FileKind::Org,
            display: "org.csv".into(),
            data: InputData::Bytes(Vec::new()),
            sheet: None,
            shape: None,
        }),
        forecasts: file(2, FileKind::Forecasts).unwrap_or_else(|| InputFile {
            kind: FileKind::Forecasts,
            display: "forecasts.csv".into(),
            data: InputData::Bytes(Vec::new()),
            sheet: None,
            shape: None,
        }),
        confidence: file(3, FileKind::Confidence),
        targets: file(4, FileKind::Targets),
        found: Vec::new(),
        not_read: Vec::new(),
        mapping: Some("pack.toml".into()),
        shapes: Vec::new(),
        held: Vec::new(),
    };
    let opts = pipeline::Options {
        read: ReadOptions { encoding: forecast_rollup::load::encoding::EncodingChoice::Auto },
        max_confidence: rust_decimal::Decimal::TWO,
        check: validate::CheckOptions { strict: false, only_period: None },
        rollup: rollup::RollupOptions { scale: 2, rounding: exact::Rounding::HalfUp },
        deals: true,
        hash: false,
        deal_ids: None,
    };
    match pipeline::run(&files, &opts, pipeline::MAIN_PACK) {
        Ok(_) => {}
        Err(Failure::Input(mut problems)) => {
            assert!(!problems.is_empty(), "a pack refused without a problem");
            problems.finish();
            let _ = problems.render(forecast_rollup::text::Lang::En);
            let _ = problems.render(forecast_rollup::text::Lang::Zh);
        }
        Err(Failure::Other(e)) => panic!("in-memory files cannot fail to read: {e:#}"),
    }
});
