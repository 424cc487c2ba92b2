//! The audit record: which tool, with which options, read which files (name, size, SHA-256,
//! rows read and used) to produce an output. rollup.json, rollup.xlsx and the review's files
//! carry it; `verify` reads it back to recompute the outputs and to name an input that changed.
//!
//! It holds nothing that varies between two runs on the same inputs (no clock, no absolute
//! path, no thread count): the same inputs still give byte-identical outputs, and two runs on
//! different inputs are told apart by their hashes.

use crate::exact::Rounding;
use crate::load::encoding::EncodingChoice;
use crate::load::{InputData, PackFiles};
use crate::model::PackStats;
use crate::problem::FileKind;
use crate::t;
use crate::text::{said, Lang, SaidContext};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The tool's name and version, as the record states them.
pub const TOOL: &str = "forecast-rollup";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a run's outputs depend on besides the input files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Decimals of money (`--scale`).
    pub scale: u32,
    /// `half-up` or `half-even` (`--rounding`).
    pub rounding: String,
    /// The largest confidence allowed (`--max-confidence`), as given.
    pub max_confidence: String,
    /// `--strict`.
    pub strict: bool,
    /// `--period`, when one period was kept.
    pub period: Option<String>,
    /// `auto`, `utf-8` or `gb18030` (`--encoding`).
    pub encoding: String,
    /// rollup.csv starts with a BOM (`--bom`).
    pub bom: bool,
    /// The language of the workbooks' headers and sheet names (`--lang`): `en` or `zh`.
    pub lang: String,
}

impl Settings {
    pub fn rounding(&self) -> anyhow::Result<Rounding> {
        parse_value(&self.rounding, "rounding")
    }

    pub fn encoding(&self) -> anyhow::Result<EncodingChoice> {
        parse_value(&self.encoding, "encoding")
    }

    pub fn lang(&self) -> anyhow::Result<Lang> {
        parse_value(&self.lang, "lang")
    }
}

/// The name a value has on the command line (`gb18030`, `half-even`, `zh`).
pub fn value_name<T: clap::ValueEnum>(v: T) -> String {
    v.to_possible_value().map(|p| p.get_name().to_string()).unwrap_or_default()
}

fn parse_value<T: clap::ValueEnum>(s: &str, key: &str) -> anyhow::Result<T> {
    T::from_str(s, true).map_err(|_| {
        anyhow::Error::new(said(t!(
            "the audit record's {key} is {s:?}, which this version does not know",
            "审计记录里的 {key} 是 {s:?}，本版本不认识"
        )))
    })
}

/// One file read: its role, its name as the pack folder has it, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// `org`, `forecasts`, `confidence`, `targets`, or `pack.toml` for the mapping.
    pub role: String,
    /// The file's path inside the pack folder (`/` between folders), or as given on the
    /// command line for a file outside it.
    pub file: String,
    /// The workbook's sheet read for this role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Data rows read from the file for this role (blank rows not counted), where known.
    pub rows_read: Option<u64>,
    /// Of those, the rows the roll-up used.
    pub rows_used: Option<u64>,
}

/// The record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub tool: String,
    pub version: String,
    pub settings: Settings,
    pub inputs: Vec<InputRecord>,
    /// A scenario's changes, as applied (absent from a baseline's record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenario: Vec<crate::scenario::Change>,
}

impl Audit {
    /// The record of a scenario's outputs: the baseline's, with the changes applied and the
    /// scenario file (if one was given) among the inputs.
    pub fn with_scenario(
        mut self,
        changes: &[crate::scenario::Change],
        file: Option<&crate::load::InputFile>,
    ) -> anyhow::Result<Audit> {
        self.scenario = changes.to_vec();
        if let Some(f) = file {
            let (bytes, sha256) = match &f.data {
                InputData::Path(p) => hash_file(p)?,
                InputData::Embedded(b) => (b.len() as u64, hex(&Sha256::digest(b))),
                InputData::Bytes(b) => (b.len() as u64, hex(&Sha256::digest(b))),
            };
            let rows = changes.iter().filter(|c| c.source.starts_with(&f.display)).count() as u64;
            self.inputs.push(InputRecord {
                role: "scenario".into(),
                file: f.display.clone(),
                sheet: None,
                bytes,
                sha256,
                rows_read: Some(rows),
                rows_used: Some(rows),
            });
        }
        Ok(self)
    }
}

/// A file to hash: the record to fill, and where its bytes are.
enum Source {
    Path(PathBuf),
    Bytes(&'static [u8]),
}

/// The record of a run on `files` (the pack's files as the user named them, before any
/// conversion), whose pack folder is `dir` (`None`: files named one by one, or the demo).
/// Without `stats` (the pack could not be read) the rows are not stated.
pub fn record(
    files: &PackFiles,
    dir: Option<&Path>,
    stats: Option<&PackStats>,
    settings: Settings,
) -> anyhow::Result<Audit> {
    let mut todo: Vec<(InputRecord, Source)> = Vec::new();
    let name = |p: &Path, shown: &str| -> String {
        match dir.and_then(|d| p.strip_prefix(d).ok()) {
            Some(rel) => rel.to_string_lossy().replace('\\', "/"),
            None => shown.trim_end_matches(']').split('[').next().unwrap_or(shown).to_string(),
        }
    };
    if files.mapping.is_some() {
        if let Some(d) = dir {
            let p = d.join("pack.toml");
            todo.push((blank("pack.toml", "pack.toml", None), Source::Path(p)));
        }
    }
    for f in files.iter() {
        let role = f.kind.file_name().trim_end_matches(".csv");
        let (read, used) = match stats {
            Some(s) => {
                let (r, u) = rows(files, s, f.kind);
                (Some(r), Some(u))
            }
            None => (None, None),
        };
        let sheet = f.sheet.clone().or_else(|| {
            files.shapes.iter().find(|a| a.role == f.kind).and_then(|a| {
                a.source.strip_suffix(']').and_then(|s| s.split_once('[')).map(|(_, s)| s.into())
            })
        });
        match &f.data {
            InputData::Path(p) if p.is_dir() => {
                // A folder of returned workbooks (confidence/): each file in it, in name order.
                let mut names: Vec<PathBuf> = std::fs::read_dir(p)
                    .said(|| {
                        let shown = p.display();
                        t!("cannot read {shown}", "无法读取 {shown}")
                    })?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|q| q.is_file())
                    .filter(|q| {
                        let n = q.file_name().unwrap_or_default().to_string_lossy();
                        !n.starts_with('.') && !n.starts_with("~$")
                    })
                    .collect();
                names.sort();
                for q in names {
                    let shown = q.to_string_lossy().into_owned();
                    todo.push((blank(role, &name(&q, &shown), None), Source::Path(q)));
                }
            }
            InputData::Path(p) => {
                let mut r = blank(role, &name(p, &f.display), sheet);
                (r.rows_read, r.rows_used) = (read, used);
                todo.push((r, Source::Path(p.clone())));
            }
            InputData::Embedded(b) => {
                let mut r = blank(role, &f.display, None);
                (r.rows_read, r.rows_used) = (read, used);
                todo.push((r, Source::Bytes(b)));
            }
            // Bytes are a conversion's output, never what a user named.
            InputData::Bytes(_) => {}
        }
    }
    // forecasts.csv, the big one, was hashed as it was read.
    let known = stats.and_then(|s| s.forecasts_digest);
    let inputs = todo
        .into_par_iter()
        .map(|(mut r, src)| {
            let (bytes, sha) = match (src, known) {
                (Source::Path(_), Some((n, d))) if r.role == "forecasts" && !mapped(files) => {
                    (n, hex(&d))
                }
                (Source::Path(p), _) => hash_file(&p)?,
                (Source::Bytes(b), _) => (b.len() as u64, hex(&Sha256::digest(b))),
            };
            (r.bytes, r.sha256) = (bytes, sha);
            Ok(r)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Audit { tool: TOOL.into(), version: VERSION.into(), settings, inputs, scenario: Vec::new() })
}

/// Whether forecasts.csv was converted from another file (pack.toml, a workbook): then the
/// digest taken while reading is of the converted text, not of the user's file.
fn mapped(files: &PackFiles) -> bool {
    files.forecasts.shape.is_some() || !matches!(files.forecasts.data, InputData::Path(_))
}

fn blank(role: &str, file: &str, sheet: Option<String>) -> InputRecord {
    InputRecord {
        role: role.to_string(),
        file: file.to_string(),
        sheet,
        bytes: 0,
        sha256: String::new(),
        rows_read: None,
        rows_used: None,
    }
}

/// Rows read and used for a role: the user's rows where pack.toml converted the file, else
/// the rows of the file itself.
fn rows(files: &PackFiles, s: &PackStats, kind: FileKind) -> (u64, u64) {
    if let Some(a) = files.shapes.iter().find(|a| a.role == kind) {
        return (a.rows, a.used);
    }
    match kind {
        FileKind::Org => (s.org_rows, s.org_rows),
        FileKind::Forecasts => (s.forecasts.read, s.forecasts.used),
        FileKind::Confidence => (s.confidence_rows, s.confidence_rows),
        _ => (s.target_rows, s.target_rows),
    }
}

/// A file's size and SHA-256, read in blocks.
pub fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let shown = path.display();
    let mut f = std::fs::File::open(path).said(|| t!("cannot read {shown}", "无法读取 {shown}"))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).said(|| t!("cannot read {shown}", "无法读取 {shown}"))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex(&h.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_as_sha256sum_does() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            hash_file(&p).unwrap(),
            (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string())
        );
    }

    #[test]
    fn settings_round_trip_through_their_names() {
        let s = Settings {
            scale: 2,
            rounding: value_name(Rounding::HalfEven),
            max_confidence: "150%".into(),
            strict: true,
            period: Some("2026-Q4".into()),
            encoding: value_name(EncodingChoice::Gb18030),
            bom: false,
            lang: value_name(Lang::Zh),
        };
        assert_eq!(
            (s.rounding.as_str(), s.encoding.as_str(), s.lang.as_str()),
            ("half-even", "gb18030", "zh")
        );
        assert_eq!(s.rounding().unwrap(), Rounding::HalfEven);
        assert_eq!(s.encoding().unwrap(), EncodingChoice::Gb18030);
        assert_eq!(s.lang().unwrap(), Lang::Zh);
    }
}
