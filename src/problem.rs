//! Input problems as values. Every stage adds to one [`Problems`] list instead of stopping; the
//! pipeline prints them all, sorted by file and line, and exits 2 without writing anything.
//!
//! Printed one per line, editor-friendly, with the fix on its own line:
//!
//! ```text
//! org.csv:12: duplicate id "S001" (first at line 4)
//! forecasts.csv:40: amount: "1.23E+06" is in scientific notation, ...
//!   hint: format the column as Number ...
//! 2 problems; nothing written
//! ```

use crate::t;
use crate::text::{plural, Lang, Text};
use std::fmt::Write as _;
use std::sync::Arc;

/// The pack's files, in the order their problems are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// The pack folder's `pack.toml`, which maps files of another shape to the roles below.
    Mapping,
    Org,
    Forecasts,
    Confidence,
    Targets,
    /// What was really booked, in a history folder (`review --history`, `check --history`).
    Actuals,
    /// A rollup.json given as `review --previous`.
    Rollup,
    /// A scenario file (`--scenario FILE`): changes to roll up beside the pack as given.
    Scenario,
    /// A flag that does not fit the pack (`--period` naming no period in it).
    CommandLine,
}

impl FileKind {
    /// The file's name inside a pack folder.
    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::Mapping => "pack.toml",
            FileKind::Org => "org.csv",
            FileKind::Forecasts => "forecasts.csv",
            FileKind::Confidence => "confidence.csv",
            FileKind::Targets => "targets.csv",
            FileKind::Actuals => "actuals.csv",
            FileKind::Rollup => "rollup.json",
            FileKind::Scenario => "scenario.csv",
            FileKind::CommandLine => "command line",
        }
    }
}

/// Where a row came from: its file and the 1-based line its record starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: FileKind,
    pub line: u64,
}

impl Source {
    pub fn new(file: FileKind, line: u64) -> Source {
        Source { file, line }
    }
}

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Which pack the file belongs to: 0 for the pack under review, then `--previous`, then
    /// the history's packs, in the order they were read (see [`Problems::name_files`]).
    pub pack: u16,
    /// The file's path as the user sees it; set when the pack's problems are named
    /// ([`Problems::name_files`]), else the file's name in a pack folder.
    pub path: Option<Arc<str>>,
    pub file: FileKind,
    /// 1-based line; `None` for a problem of the whole file (missing, no root).
    pub line: Option<u64>,
    /// The column as the user's header names it.
    pub column: Option<String>,
    /// The column's position in the row (0-based), where known: a workbook's problem then
    /// names its cell (`C17`).
    pub column_index: Option<u32>,
    /// Boxed: a problem travels in `Result`s, and the two languages would make it large.
    pub message: Box<Text>,
    pub hint: Option<Box<Text>>,
}

impl Problem {
    pub fn at(src: Source, message: Text) -> Problem {
        Problem {
            pack: 0,
            path: None,
            file: src.file,
            line: Some(src.line),
            column: None,
            column_index: None,
            message: Box::new(message),
            hint: None,
        }
    }

    pub fn file(file: FileKind, message: Text) -> Problem {
        Problem {
            pack: 0,
            path: None,
            file,
            line: None,
            column: None,
            column_index: None,
            message: Box::new(message),
            hint: None,
        }
    }

    pub fn column(mut self, column: &str) -> Problem {
        self.column = Some(column.to_string());
        self
    }

    /// The column by its header and its position in the row.
    pub fn at_column(mut self, column: &str, index: Option<usize>) -> Problem {
        self.column = Some(column.to_string());
        self.column_index = index.and_then(|i| u32::try_from(i).ok());
        self
    }

    pub fn hint(mut self, hint: Text) -> Problem {
        self.hint = Some(Box::new(hint));
        self
    }

    /// Sets the hint where there is one (a `None` keeps the hint already set).
    pub fn maybe_hint(mut self, hint: Option<Text>) -> Problem {
        if let Some(h) = hint {
            self.hint = Some(Box::new(h));
        }
        self
    }

    fn sort_key(&self) -> (u16, FileKind, u64, &str, &str) {
        let line = self.line.unwrap_or(0);
        (self.pack, self.file, line, self.column.as_deref().unwrap_or(""), &self.message.en)
    }

    /// The file's path as the user sees it.
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or(self.file.file_name())
    }
}

/// A problem raised where only an error can travel (inside a reader that returns
/// `std::io::Error`). The loader turns it back into a [`Problem`] before it returns, so that
/// input problems leave the library by one route: [`Problems`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.message.en)]
pub struct InputProblem(pub Problem);

/// How many problems are kept per file; the rest are counted. A file with a million bad lines
/// needs its first screens of messages, not all of them.
pub const KEEP_PER_FILE: usize = 1000;

/// The collected problems of a run, from one pack or several.
#[derive(Debug, Default, Clone)]
pub struct Problems {
    list: Vec<Problem>,
    /// What could not be checked because of a problem listed (not problems themselves).
    notes: Vec<Problem>,
    /// Problems found beyond what is kept, per pack and file, with the file's path once named.
    dropped: Vec<Dropped>,
}

/// A count of problems not listed, for one file of one pack.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dropped {
    pack: u16,
    file: FileKind,
    path: Option<Arc<str>>,
    count: u64,
}

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.list.push(p);
    }

    pub fn extend(&mut self, ps: impl IntoIterator<Item = Problem>) {
        self.list.extend(ps);
    }

    /// Adds problems collected elsewhere (another thread, another pack), with their overflow
    /// counts.
    pub fn absorb(&mut self, other: Problems) {
        self.list.extend(other.list);
        self.notes.extend(other.notes);
        for d in other.dropped {
            self.add_dropped(d);
        }
    }

    /// Says what was held back: a check that could not run because of a problem listed (unknown
    /// ids while org.csv is broken). Printed after the problems; not counted as one.
    pub fn note(&mut self, file: FileKind, text: Text) {
        self.notes.push(Problem::file(file, text));
    }

    /// Turns the lines of `file`'s problems (not yet named) into places in several files or
    /// sheets: text line `k + 1` is row `rows[k]` of `sources[source_of[k]]`, in pack `pack`.
    pub fn map_sources(
        &mut self,
        file: FileKind,
        pack: u16,
        rows: &[u32],
        source_of: &[u32],
        sources: &[String],
    ) {
        for p in self.list.iter_mut().filter(|p| p.file == file && p.path.is_none()) {
            let Some(line) = p.line else { continue };
            let k = usize::try_from(line).unwrap_or(usize::MAX).saturating_sub(1);
            if let (Some(&row), Some(src)) =
                (rows.get(k), source_of.get(k).and_then(|&s| sources.get(s as usize)))
            {
                p.line = Some(u64::from(row));
                p.path = Some(src.as_str().into());
                p.pack = pack;
            }
        }
    }

    /// The first problem listed, if any.
    pub fn into_first(self) -> Option<Problem> {
        self.list.into_iter().next()
    }

    /// Names the columns of `file`'s problems (not yet named) as the user's file does: a
    /// converted file's contract column (`amount`) is the user's (`商机金额`, and its position).
    pub fn map_columns(&mut self, file: FileKind, columns: &[(String, String, Option<u32>)]) {
        for p in self.list.iter_mut().filter(|p| p.file == file && p.path.is_none()) {
            let Some(c) = &p.column else { continue };
            if let Some((_, user, index)) = columns.iter().find(|(contract, _, _)| contract == c) {
                p.column = Some(user.clone());
                p.column_index = *index;
            }
        }
    }

    /// Turns the lines of `file`'s problems (not yet named) into other numbers: a workbook's
    /// sheet rows, from the lines of the text its sheet was read as (`rows[line - 1]`).
    pub fn map_lines(&mut self, file: FileKind, rows: &[u32]) {
        for p in self.list.iter_mut().filter(|p| p.file == file && p.path.is_none()) {
            if let Some(line) = p.line {
                let k = usize::try_from(line).unwrap_or(usize::MAX).saturating_sub(1);
                p.line = rows.get(k).map(|&r| u64::from(r)).or(Some(line));
            }
        }
    }

    pub fn note_dropped(&mut self, file: FileKind, n: u64) {
        if n > 0 {
            self.add_dropped(Dropped { pack: 0, file, path: None, count: n });
        }
    }

    fn add_dropped(&mut self, d: Dropped) {
        let same = |e: &&mut Dropped| e.pack == d.pack && e.file == d.file && e.path == d.path;
        match self.dropped.iter_mut().find(same) {
            Some(e) => e.count += d.count,
            None => self.dropped.push(d),
        }
    }

    /// Names the files of the problems not yet named: they belong to pack number `pack`, whose
    /// files `names` gives as the user sees them. Problems of several packs then merge as
    /// values and sort pack by pack.
    pub fn name_files(&mut self, pack: u16, names: &dyn Fn(FileKind) -> String) {
        let mut cache: Vec<(FileKind, Arc<str>)> = Vec::new();
        let mut name = |k: FileKind| -> Arc<str> {
            if let Some((_, n)) = cache.iter().find(|(c, _)| *c == k) {
                return n.clone();
            }
            let n: Arc<str> = names(k).into();
            cache.push((k, n.clone()));
            n
        };
        for p in self.list.iter_mut().chain(&mut self.notes).filter(|p| p.path.is_none()) {
            p.pack = pack;
            p.path = Some(name(p.file));
        }
        let dropped = std::mem::take(&mut self.dropped);
        for mut d in dropped {
            if d.path.is_none() {
                d.pack = pack;
                d.path = Some(name(d.file));
            }
            self.add_dropped(d);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.dropped.iter().all(|d| d.count == 0)
    }

    pub fn total(&self) -> u64 {
        self.list.len() as u64 + self.dropped.iter().map(|d| d.count).sum::<u64>()
    }

    /// Sorts by file and line and keeps the first [`KEEP_PER_FILE`] of each file, so the list a
    /// user sees does not depend on thread count or chunking.
    pub fn finish(&mut self) {
        self.list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.list.dedup();
        self.notes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.notes.dedup();
        let mut kept = Vec::with_capacity(self.list.len());
        let mut extra: Vec<Dropped> = Vec::new();
        let mut run = 0;
        for k in 0..self.list.len() {
            let p = &self.list[k];
            let same_file =
                k > 0 && (self.list[k - 1].pack, self.list[k - 1].file) == (p.pack, p.file);
            run = if same_file { run + 1 } else { 1 };
            if run <= KEEP_PER_FILE {
                kept.push(p.clone());
            } else {
                extra.push(Dropped { pack: p.pack, file: p.file, path: p.path.clone(), count: 1 });
            }
        }
        self.list = kept;
        for d in extra {
            self.add_dropped(d);
        }
        self.dropped.sort_by_key(|d| (d.pack, d.file));
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.list.iter()
    }

    /// The report for stderr in `lang`, files named as [`Problems::name_files`] named them.
    /// The place (`file:line:`) is the same in both languages, for editors to jump to.
    pub fn render(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut out = String::new();
        for p in &self.list {
            let _ = write!(out, "{}", p.path());
            // A workbook's sheet (`org.xlsx[组织]`) is cited as Excel cites cells: `!C17`, or the
            // row `!17:17`.
            let sheet = p.path().ends_with(']');
            match (p.line, p.column_index, sheet) {
                (Some(line), Some(c), true) => {
                    let _ = write!(out, "!{}{line}", column_letters(c));
                }
                (Some(line), None, true) => {
                    let _ = write!(out, "!{line}:{line}");
                }
                (Some(line), _, false) => {
                    let _ = write!(out, ":{line}");
                }
                (None, _, _) => {}
            }
            out.push_str(": ");
            if let Some(col) = &p.column {
                let _ = write!(out, "{}{}", sanitize(col), if zh { "：" } else { ": " });
            }
            out.push_str(p.message.get(lang));
            out.push('\n');
            if let Some(h) = &p.hint {
                let _ = writeln!(out, "  {}", t!("hint: {}", "提示：{}", h.get(lang)).get(lang));
            }
        }
        for d in self.dropped.iter().filter(|d| d.count > 0) {
            let path = d.path.as_deref().unwrap_or(d.file.file_name());
            let more = t!(
                "{}: … and {} more problems not listed",
                "{}：……另有 {} 个问题未列出",
                path,
                d.count
            );
            let _ = writeln!(out, "{}", more.get(lang));
        }
        for n in &self.notes {
            let _ = writeln!(out, "{}: {}", n.path(), n.message.get(lang));
        }
        let total = self.total();
        let end = t!(
            ("{}; nothing written", plural(total, "problem", "problems")),
            ("共 {} 个问题；未写出任何文件", total)
        );
        let _ = writeln!(out, "{}", end.get(lang));
        out
    }
}

/// A spreadsheet's column letters for a 0-based index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Why a command did not finish: the input is wrong (every problem found, exit 2), or
/// something else failed (I/O, a bug: exit 1). The one route by which input problems leave the
/// library.
#[derive(Debug)]
pub enum Failure {
    Input(Problems),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Other(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Other(e.into())
    }
}

impl From<Problems> for Failure {
    fn from(p: Problems) -> Failure {
        Failure::Input(p)
    }
}

/// The result of a stage that can find input problems.
pub type Outcome<T> = Result<T, Failure>;

/// Keeps going past a stage's input problems so that later stages can add theirs: the value,
/// or `None` with its problems moved into `problems`. Other failures stop.
pub fn gather<T>(result: Outcome<T>, problems: &mut Problems) -> Result<Option<T>, Failure> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Failure::Input(p)) => {
            problems.absorb(p);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Cell text made safe to quote in a message or print to a terminal: control characters and
/// bidirectional overrides (which could make a line read differently than it is) are escaped,
/// and very long text is shortened.
pub fn sanitize(text: &str) -> String {
    escape_terminal(text, Some(80))
}

/// Control and bidirectional characters escaped, and the text cut at `max` characters (with
/// `…`) if a limit is given.
pub fn escape_terminal(text: &str, max: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if Some(i) == max {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        // Characters that show as nothing or as a plain space, so that "A" and "A\u{200b}"
        // never print alike: zero-width ones, the BOM, the no-break space.
        let invisible = matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{a0}');
        if c.is_control() || bidi || invisible {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `"value"` for a message, sanitized.
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", sanitize(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_with_hints_and_a_count() {
        let mut ps = Problems::default();
        ps.push(
            Problem::at(
                Source::new(FileKind::Forecasts, 9),
                t!("\"x\" is not a number", "\"x\" 不是数字"),
            )
            .column("amount")
            .hint(t!("fix it", "改正它")),
        );
        ps.push(Problem::at(
            Source::new(FileKind::Org, 12),
            t!("duplicate id \"S001\"", "id \"S001\" 重复"),
        ));
        ps.push(Problem::file(FileKind::Org, t!("no root", "没有根节点")));
        ps.finish();
        assert_eq!(
            ps.render(Lang::En),
            "org.csv: no root\n\
             org.csv:12: duplicate id \"S001\"\n\
             forecasts.csv:9: amount: \"x\" is not a number\n  hint: fix it\n\
             3 problems; nothing written\n"
        );
        assert_eq!(
            ps.render(Lang::Zh),
            "org.csv: 没有根节点\n\
             org.csv:12: id \"S001\" 重复\n\
             forecasts.csv:9: amount：\"x\" 不是数字\n  提示：改正它\n\
             共 3 个问题；未写出任何文件\n"
        );
    }

    #[test]
    fn keeps_the_first_problems_of_a_file_and_counts_the_rest() {
        let mut ps = Problems::default();
        for line in (1..=KEEP_PER_FILE as u64 + 5).rev() {
            ps.push(Problem::at(Source::new(FileKind::Forecasts, line), t!("bad", "有误")));
        }
        ps.finish();
        assert_eq!(ps.iter().count(), KEEP_PER_FILE);
        assert_eq!(ps.iter().next().unwrap().line, Some(1));
        assert!(ps.render(Lang::En).contains("forecasts.csv: … and 5 more problems not listed"));
        assert!(ps.render(Lang::Zh).contains("forecasts.csv：……另有 5 个问题未列出"));
        assert_eq!(ps.total(), KEEP_PER_FILE as u64 + 5);
    }

    #[test]
    fn names_columns_as_a_spreadsheet_does() {
        assert_eq!(
            [0, 2, 25, 26, 701, 702, 16383].map(column_letters),
            ["A", "C", "Z", "AA", "ZZ", "AAA", "XFD"]
        );
    }

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert_eq!(sanitize("a\u{1b}[31mb\u{202e}c"), "a\\u{1b}[31mb\\u{202e}c");
        assert_eq!(sanitize("张三"), "张三");
    }
}
