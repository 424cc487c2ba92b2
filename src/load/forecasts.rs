//! `forecasts.csv`, the big file: streamed in blocks, each block cut at record boundaries into
//! one piece per thread, pieces parsed in parallel and folded into per-rep, per-period totals.
//!
//! Per line there is no allocation: cells are byte slices of the block, the rep id is looked up
//! in a hash map of `&[u8]`, the period in a small per-thread table, and the amount is summed as
//! an `i128` mantissa at the rep's scale. Sums of integers are exact, so neither the number of
//! threads nor the order of lines can change a total.
//!
//! Repeated `deal_id`s are found by hashing `(rep, period, deal_id)` to 64 bits per line, sorting
//! the hashes and looking for neighbours; only if some hash repeats is the file read a second
//! time to find and compare the actual lines (so a hash collision can never cause a false error).

use super::encoding::{ReadError, TextReader};
use super::number::{cell_message, parse_amount, NumberError};
use super::{check_width, decode_problem, headers, io_error, InputFile, ReadOptions};
use crate::exact::{Exact, POW10};
use crate::model::IdIndex;
use crate::problem::{quoted, FileKind, Problem, Problems, Source, KEEP_PER_FILE};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::Hasher;

/// The per-rep, per-period sums of forecasts.csv.
#[derive(Debug, Default)]
pub(crate) struct ForecastTotals {
    /// Every period found, sorted as text (also those left out by `--period`).
    pub periods: Vec<String>,
    /// Per period (as `periods`), per node: the exact sum of that node's own lines (zeros for
    /// a period left out by `--period`).
    pub sums: Vec<Vec<Exact>>,
    /// Per period, per node: how many lines were summed.
    pub counts: Vec<Vec<u32>>,
    pub stats: LineStats,
}

/// What happened to the file's lines, for the summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineStats {
    /// Data records read (blank lines not counted).
    pub read: u64,
    /// Records summed into the roll-up.
    pub used: u64,
    /// Records left out by `--period`.
    pub other_period: u64,
    /// Records whose cells were all empty.
    pub blank: u64,
    /// Records refused with a problem.
    pub refused: u64,
}

/// Column positions in spec order (see `headers::FORECASTS`).
const REP: usize = 0;
const PERIOD: usize = 1;
const AMOUNT: usize = 2;
const DEAL: usize = 3;

/// Exact running sums of one period, per node: mantissa and scale.
#[derive(Clone)]
struct PeriodSums {
    m: Vec<i128>,
    s: Vec<u8>,
    n: Vec<u32>,
}

impl PeriodSums {
    fn new(nodes: usize) -> PeriodSums {
        PeriodSums { m: vec![0; nodes], s: vec![0; nodes], n: vec![0; nodes] }
    }

    /// Adds `m × 10^-s` to node `i`; `false` if the sum no longer fits.
    fn add(&mut self, i: usize, m: i128, s: u32) -> bool {
        let cur = u32::from(self.s[i]);
        let (acc, v, scale) = if s > cur {
            match self.m[i].checked_mul(POW10[(s - cur) as usize]) {
                Some(acc) => (acc, m, s),
                None => return false,
            }
        } else {
            match m.checked_mul(POW10[(cur - s) as usize]) {
                Some(v) => (self.m[i], v, cur),
                None => return false,
            }
        };
        match acc.checked_add(v) {
            Some(sum) => {
                self.m[i] = sum;
                self.s[i] = scale as u8;
                self.n[i] += 1;
                true
            }
            None => false,
        }
    }
}

/// One thread's state, kept across blocks.
struct Worker {
    periods: FxHashMap<Box<[u8]>, usize>,
    names: Vec<Box<[u8]>>,
    /// Per period seen; `None` for a period left out by `--period`.
    sums: Vec<Option<PeriodSums>>,
    deals: Vec<u64>,
    problems: Vec<Problem>,
    dropped: u64,
    stats: LineStats,
    /// Newlines in the piece parsed last, to turn its relative line numbers into file lines.
    piece_lines: u64,
    piece_problems: usize,
}

struct Ctx<'a> {
    ids: &'a IdIndex,
    cols: &'a headers::Columns,
    only_period: Option<&'a [u8]>,
    delimiter: u8,
}

impl Worker {
    fn new() -> Worker {
        Worker {
            periods: FxHashMap::default(),
            names: Vec::new(),
            sums: Vec::new(),
            deals: Vec::new(),
            problems: Vec::new(),
            dropped: 0,
            stats: LineStats::default(),
            piece_lines: 0,
            piece_problems: 0,
        }
    }

    fn problem(&mut self, p: Problem) {
        self.stats.refused += 1;
        if self.problems.len() < KEEP_PER_FILE {
            self.problems.push(p);
        } else {
            self.dropped += 1;
        }
    }

    /// Parses one piece (whole records); problem lines are relative to the piece until fixed.
    fn parse_piece(&mut self, piece: &[u8], ctx: &Ctx) {
        self.piece_problems = self.problems.len();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .delimiter(ctx.delimiter)
            .from_reader(piece);
        let mut rec = csv::ByteRecord::new();
        let width = ctx.cols.width;
        loop {
            let line = rdr.position().line();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.problem(Problem::at(
                        Source::new(FileKind::Forecasts, line),
                        e.to_string(),
                    ));
                    break;
                }
            }
            let line = rec.position().map_or(line, |p| p.line());
            if rec.iter().all(|f| f.trim_ascii().is_empty()) {
                self.stats.blank += 1;
                continue;
            }
            self.stats.read += 1;
            let spans = rdr.position().line().saturating_sub(line);
            if let Some(p) = check_width(FileKind::Forecasts, line, rec.len(), width, spans) {
                self.problem(p);
                continue;
            }
            self.line(&rec, line, ctx);
        }
        self.piece_lines = rdr.position().line() - 1;
    }

    fn line(&mut self, rec: &csv::ByteRecord, line: u64, ctx: &Ctx) {
        let src = Source::new(FileKind::Forecasts, line);
        let field = |k: usize| ctx.cols.get(k).and_then(|i| rec.get(i)).unwrap_or(b"").trim_ascii();
        let (rep, period, amount) = (field(REP), field(PERIOD), field(AMOUNT));
        let mut ok = true;
        let node = match ctx.ids.get(rep) {
            Some(n) => Some(n),
            None => {
                let text = String::from_utf8_lossy(rep);
                let p = if rep.is_empty() {
                    Problem::at(src, "empty cell")
                        .hint("every forecast line needs the id of its rep")
                } else {
                    Problem::at(src, format!("{} is not an id in org.csv", quoted(&text)))
                        .maybe_hint(
                            ctx.ids.suggest(&text).map(|s| format!("did you mean {}?", quoted(s))),
                        )
                };
                self.problem(p.column(ctx.cols.label(REP)));
                ok = false;
                None
            }
        };
        if period.is_empty() {
            self.problem(
                Problem::at(src, "empty cell")
                    .column(ctx.cols.label(PERIOD))
                    .hint("every forecast line needs its period, e.g. 2026-Q4"),
            );
            ok = false;
        }
        // Cells are slices of validated UTF-8 text cut at ASCII delimiters, so this never fails.
        let amount_text = std::str::from_utf8(amount).unwrap_or("\u{fffd}");
        let value = match parse_amount(amount_text) {
            Ok(v) => Some(v),
            Err(e) => {
                let hint = match e {
                    NumberError::NotANumber => Some("write the amount as a number, e.g. 12345.67"),
                    _ => e.hint(),
                };
                self.problem(
                    Problem::at(src, cell_message(amount_text, &e))
                        .column(ctx.cols.label(AMOUNT))
                        .maybe_hint(hint),
                );
                ok = false;
                None
            }
        };
        let (Some(node), Some(value), true) = (node, value, ok) else { return };
        let deal = field(DEAL);
        if !deal.is_empty() {
            self.deals.push(deal_hash(node, period, deal));
        }
        let k = match self.periods.get(period) {
            Some(&k) => k,
            None => {
                let k = self.names.len();
                self.periods.insert(period.into(), k);
                self.names.push(period.into());
                let kept = ctx.only_period.is_none_or(|p| p == period);
                self.sums.push(kept.then(|| PeriodSums::new(ctx.ids.len())));
                k
            }
        };
        let Some(sums) = &mut self.sums[k] else {
            self.stats.other_period += 1;
            return;
        };
        if sums.add(node as usize, value.mantissa(), value.scale()) {
            self.stats.used += 1;
        } else {
            self.problem(
                Problem::at(src, "the sum of this rep's lines for the period passes 38 digits")
                    .column(ctx.cols.label(AMOUNT)),
            );
        }
    }

    /// Turns the last piece's relative line numbers into file line numbers.
    fn fix_lines(&mut self, first_line: u64) {
        for p in &mut self.problems[self.piece_problems..] {
            if let Some(l) = p.line.as_mut() {
                *l += first_line - 1;
            }
        }
    }
}

fn deal_hash(node: u32, period: &[u8], deal: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(period);
    h.write_u8(0xff);
    h.write(deal);
    h.write_u32(node);
    h.finish()
}

/// Reads forecasts.csv into totals per rep and period, adding every problem found.
pub(crate) fn load(
    file: &InputFile,
    opts: ReadOptions,
    ids: &IdIndex,
    only_period: Option<&str>,
    problems: &mut Problems,
) -> anyhow::Result<Option<ForecastTotals>> {
    let src = file.open().map_err(|e| io_error(file, e))?;
    let mut reader = TextReader::new(src, opts.encoding).map_err(|e| io_error(file, e))?;
    if let Some(p) = super::not_csv(FileKind::Forecasts, reader.head()) {
        problems.push(p);
        return Ok(None);
    }
    let threads = rayon::current_num_threads().max(1);
    let mut workers: Vec<Worker> = (0..threads).map(|_| Worker::new()).collect();
    let mut buf: Vec<u8> = Vec::new();
    let mut line0: u64 = 1; // file line of buf[0]
    let mut header: Option<(headers::Columns, u8)> = None;
    let mut eof = false;
    while !eof {
        match reader.read_text(&mut buf) {
            Ok(more) => eof = !more,
            Err(ReadError::Io(e)) => return Err(io_error(file, e)),
            Err(ReadError::Decode(e)) => {
                problems.push(decode_problem(FileKind::Forecasts, &buf, line0, &e));
                return Ok(None);
            }
        }
        if header.is_none() {
            let delimiter = super::sniff_delimiter(&buf);
            let end = if eof { buf.len() } else { last_record_end(&buf, delimiter) };
            if end == 0 && !eof {
                continue;
            }
            match read_header(&buf[..end], delimiter, problems) {
                HeaderOutcome::Found { columns, body_start, lines } => {
                    header = Some((columns, delimiter));
                    buf.drain(..body_start);
                    line0 += lines;
                }
                HeaderOutcome::Bad => return Ok(None),
                HeaderOutcome::NotYet if !eof => {
                    continue;
                }
                HeaderOutcome::NotYet => {
                    let what = if line0 == 1 && buf.is_empty() {
                        "the file is empty"
                    } else {
                        "the file has no header row"
                    };
                    problems.push(Problem::file(FileKind::Forecasts, what).hint(
                        "the first line must name the columns: rep_id,period,amount (deal_id optional)",
                    ));
                    return Ok(None);
                }
            }
        }
        let Some((cols, delimiter)) = &header else { continue };
        let end = if eof { buf.len() } else { last_record_end(&buf, *delimiter) };
        if end == 0 {
            continue;
        }
        let ctx =
            Ctx { ids, cols, only_period: only_period.map(str::as_bytes), delimiter: *delimiter };
        let cuts = piece_ends(&buf[..end], *delimiter, threads);
        let mut pieces = Vec::with_capacity(threads);
        let mut start = 0;
        for &c in &cuts {
            pieces.push(&buf[start..c]);
            start = c;
        }
        pieces.resize(threads, &[]);
        workers.par_iter_mut().zip(pieces).for_each(|(w, piece)| w.parse_piece(piece, &ctx));
        for w in &mut workers {
            w.fix_lines(line0);
            line0 += w.piece_lines;
        }
        buf.drain(..end);
    }
    if header.is_none() {
        return Ok(None);
    }
    let mut deals = Vec::with_capacity(workers.iter().map(|w| w.deals.len()).sum());
    for w in &mut workers {
        deals.append(&mut w.deals);
    }
    let totals = merge(workers, ids.len(), problems);
    if !deal_repeats_checked(file, opts, ids, deals, problems)? {
        return Ok(None);
    }
    Ok(Some(totals))
}

enum HeaderOutcome {
    Found { columns: headers::Columns, body_start: usize, lines: u64 },
    Bad,
    NotYet,
}

fn read_header(text: &[u8], delimiter: u8, problems: &mut Problems) -> HeaderOutcome {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text);
    let mut rec = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return HeaderOutcome::NotYet,
            Err(e) => {
                problems.push(Problem::at(Source::new(FileKind::Forecasts, line), e.to_string()));
                return HeaderOutcome::Bad;
            }
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map_or(line, |p| p.line());
        let cells: Vec<&str> = rec.iter().collect();
        return match headers::match_headers(FileKind::Forecasts, line, &cells, headers::FORECASTS) {
            Ok(columns) => HeaderOutcome::Found {
                columns,
                body_start: rdr.position().byte() as usize,
                lines: rdr.position().line() - 1,
            },
            Err(ps) => {
                problems.extend(ps);
                HeaderOutcome::Bad
            }
        };
    }
}

/// Finds where records end without parsing them: after a `\n` that is not inside a quoted
/// field. A quote opens a quoted field only at the start of a field (as the csv parser reads
/// it); a doubled quote inside one is a literal quote.
fn record_ends(text: &[u8], delimiter: u8, mut each: impl FnMut(usize) -> bool) {
    if memchr::memchr(b'"', text).is_none() {
        for i in memchr::memchr_iter(b'\n', text) {
            if !each(i + 1) {
                return;
            }
        }
        return;
    }
    let mut in_quotes = false;
    let mut skip_to = 0;
    for i in memchr::memchr2_iter(b'"', b'\n', text) {
        if i < skip_to {
            continue;
        }
        if text[i] == b'"' {
            if in_quotes {
                if text.get(i + 1) == Some(&b'"') {
                    skip_to = i + 2;
                } else {
                    in_quotes = false;
                }
            } else if i == 0 || matches!(text[i - 1], b'\n' | b'\r') || text[i - 1] == delimiter {
                in_quotes = true;
            }
        } else if !in_quotes && !each(i + 1) {
            return;
        }
    }
}

/// The end of the last whole record in `text` (0 if none ends in it).
fn last_record_end(text: &[u8], delimiter: u8) -> usize {
    if memchr::memchr(b'"', text).is_none() {
        return memchr::memrchr(b'\n', text).map_or(0, |i| i + 1);
    }
    let mut last = 0;
    record_ends(text, delimiter, |e| {
        last = e;
        true
    });
    last
}

/// Cuts `text` (whole records) into up to `pieces` runs of whole records of similar size;
/// returns the end of each run, the last being `text.len()`.
fn piece_ends(text: &[u8], delimiter: u8, pieces: usize) -> Vec<usize> {
    const MIN_PIECE: usize = 1 << 16;
    let pieces = pieces.min(text.len() / MIN_PIECE).max(1);
    let mut ends = Vec::with_capacity(pieces);
    let mut k = 1;
    if pieces > 1 {
        let step = text.len() / pieces;
        record_ends(text, delimiter, |e| {
            if e >= k * step {
                ends.push(e);
                k += 1;
            }
            k < pieces
        });
    }
    ends.retain(|&e| e < text.len());
    ends.push(text.len());
    ends
}

/// Joins the workers' sums in a fixed order; sums are exact, so the order cannot change them.
fn merge(workers: Vec<Worker>, nodes: usize, problems: &mut Problems) -> ForecastTotals {
    let mut names: Vec<Box<[u8]>> = workers
        .iter()
        .flat_map(|w| w.names.iter().cloned())
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    names.sort();
    let index: FxHashMap<&[u8], usize> =
        names.iter().enumerate().map(|(i, n)| (&n[..], i)).collect();
    let mut sums = vec![vec![Exact::ZERO; nodes]; names.len()];
    let mut counts = vec![vec![0u32; nodes]; names.len()];
    let mut stats = LineStats::default();
    let mut overflow: Vec<(usize, usize)> = Vec::new();
    for w in workers {
        stats.read += w.stats.read;
        stats.used += w.stats.used;
        stats.other_period += w.stats.other_period;
        stats.blank += w.stats.blank;
        stats.refused += w.stats.refused;
        problems.extend(w.problems);
        problems.note_dropped(FileKind::Forecasts, w.dropped);
        for (name, ps) in w.names.iter().zip(w.sums) {
            let g = index[&name[..]];
            let Some(ps) = ps else { continue };
            for i in 0..nodes {
                if ps.n[i] == 0 {
                    continue;
                }
                let v = Exact::new(ps.m[i], u32::from(ps.s[i])).unwrap_or(Exact::ZERO);
                match sums[g][i].checked_add(v) {
                    Some(s) => sums[g][i] = s,
                    None => overflow.push((g, i)),
                }
                counts[g][i] += ps.n[i];
            }
        }
    }
    overflow.sort_unstable();
    overflow.dedup();
    for (g, i) in overflow {
        problems.push(Problem::file(
            FileKind::Forecasts,
            format!(
                "the lines of node #{i} for period {} sum past 38 digits",
                quoted(&String::from_utf8_lossy(&names[g]))
            ),
        ));
    }
    let periods = names.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    ForecastTotals { periods, sums, counts, stats }
}

/// Sorts the deal hashes; if any repeats, reads the file again to report the real repeats.
/// Returns `false` if the second read failed on a problem already reported.
fn deal_repeats_checked(
    file: &InputFile,
    opts: ReadOptions,
    ids: &IdIndex,
    mut all: Vec<u64>,
    problems: &mut Problems,
) -> anyhow::Result<bool> {
    all.par_sort_unstable();
    let repeated: FxHashSet<u64> = all.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(all);
    if repeated.is_empty() {
        return Ok(true);
    }
    let Some(text) = super::read_text(file, opts, problems)? else { return Ok(false) };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .delimiter(super::sniff_delimiter(&text))
        .from_reader(text.as_slice());
    let mut rec = csv::ByteRecord::new();
    let mut cols: Option<headers::Columns> = None;
    let mut first: FxHashMap<(u32, Vec<u8>, Vec<u8>), u64> = FxHashMap::default();
    while rdr.read_byte_record(&mut rec)? {
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let Some(c) = &cols else {
            let cells: Vec<String> =
                rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            cols =
                headers::match_headers(FileKind::Forecasts, line, &refs, headers::FORECASTS).ok();
            continue;
        };
        let field = |k: usize| c.get(k).and_then(|i| rec.get(i)).unwrap_or(b"").trim_ascii();
        let (rep, period, deal) = (field(REP), field(PERIOD), field(DEAL));
        let Some(node) = ids.get(rep) else { continue };
        if deal.is_empty() || !repeated.contains(&deal_hash(node, period, deal)) {
            continue;
        }
        match first.entry((node, period.to_vec(), deal.to_vec())) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                problems.push(
                    Problem::at(
                        Source::new(FileKind::Forecasts, line),
                        format!(
                            "{} repeats for rep {} in period {} (first at line {}): the deal would be counted twice",
                            quoted(&String::from_utf8_lossy(deal)),
                            quoted(&String::from_utf8_lossy(rep)),
                            quoted(&String::from_utf8_lossy(period)),
                            o.get()
                        ),
                    )
                    .column(c.label(DEAL)),
                );
            }
        }
    }
    Ok(true)
}
