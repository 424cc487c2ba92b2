//! The other packs a review reads (the previous review's, the history's): loaded, validated and
//! rolled up with the same options as the pack under review, their problems collected with
//! each file's own path so that one list names them all.

use crate::config::Config;
use crate::load::{InputData, InputFile, PackFiles};
use crate::model::Pack;
use crate::problem::{FileKind, Problems};
use crate::rollup::Rollup;
use crate::validate::CheckOptions;
use std::path::Path;

/// A pack other than the one under review, ready to compare.
pub(crate) struct OtherPack {
    pub files: PackFiles,
    pub pack: Pack,
    pub rollup: Rollup,
}

/// Problems found in several packs, rendered as one list with one closing count.
#[derive(Debug, Default)]
pub(crate) struct Reported {
    text: String,
    total: u64,
}

impl Reported {
    /// Adds one pack's problems; `names` gives that pack's file paths.
    pub(crate) fn add(&mut self, mut problems: Problems, names: &dyn Fn(FileKind) -> String) {
        if problems.is_empty() {
            return;
        }
        problems.finish();
        let text = problems.render(names);
        // The last line is the closing count; one count closes the whole list instead.
        let body = text.trim_end_matches('\n');
        let body = body.rsplit_once('\n').map_or("", |(b, _)| b);
        self.text.push_str(body);
        self.text.push('\n');
        self.total += problems.total();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The list and its count, for stderr.
    pub(crate) fn finish(self) -> String {
        let noun = if self.total == 1 { "problem" } else { "problems" };
        format!("{}{} {noun}; nothing written\n", self.text, self.total)
    }
}

/// The files of a pack folder: org.csv and forecasts.csv always, the others where present.
pub(crate) fn files_in(dir: &Path) -> PackFiles {
    let file = |kind: FileKind| {
        let path = dir.join(kind.file_name());
        InputFile { kind, display: super::display(&path), data: InputData::Path(path) }
    };
    let optional = |kind: FileKind| Some(file(kind)).filter(InputFile::exists);
    PackFiles {
        org: file(FileKind::Org),
        forecasts: file(FileKind::Forecasts),
        confidence: optional(FileKind::Confidence),
        targets: optional(FileKind::Targets),
    }
}

/// Loads, validates and rolls up the pack in `dir`; `None` (with its problems reported) if it
/// is not valid.
pub(crate) fn load_dir(
    dir: &Path,
    config: &Config,
    reported: &mut Reported,
) -> anyhow::Result<Option<OtherPack>> {
    let files = files_in(dir);
    let mut problems = Problems::default();
    let loaded =
        crate::load::pack(&files, config.read, config.max_confidence, None, &mut problems)?;
    let check = CheckOptions { strict: false, only_period: None };
    let pack = loaded.and_then(|l| crate::validate::validate(l, &check, &mut problems));
    let names = |k: FileKind| files.display(k);
    let Some(pack) = pack else {
        reported.add(problems, &names);
        return Ok(None);
    };
    match crate::rollup::compute(&pack, config.rollup) {
        Ok(rollup) => Ok(Some(OtherPack { files, pack, rollup })),
        Err(ps) => {
            reported.add(ps, &names);
            Ok(None)
        }
    }
}
