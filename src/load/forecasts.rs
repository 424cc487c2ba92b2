//! `forecasts.csv`, the big file: streamed in blocks, each block cut at record boundaries into
//! one piece per thread, pieces parsed in parallel and folded into per-rep, per-period totals.
//!
//! Per line there is no allocation: cells are byte slices of the block, the rep id is looked up
//! in a hash map of `&[u8]`, the period in a per-thread table (with the last hit cached), and the
//! amount is summed as an `i128` mantissa at the rep's scale. Sums of integers are exact, so
//! neither the number of threads nor the order of lines can change a total.
//!
//! A UTF-8 file's bytes are read straight into the block and checked by the parallel pieces.
//! A piece without any `"` is split by a memchr tokenizer; a piece with quotes goes through the
//! csv crate. Both feed the same per-record code, and a test holds them to the same results.
//!
//! Repeated `deal_id`s are found by hashing `(rep, period, deal_id)` to 64 bits per line into
//! 256 partitions; each partition is checked for repeats in parallel. Only if some hash repeats
//! is the file read a second time to find and compare the actual lines, so a hash collision can
//! never cause a false error.

use super::encoding::{DecodeError, Encoding, ReadError, TextReader};
use super::number::{cell_message, parse_amount_parts, NumberError};
use super::{check_width, decode_problem, headers, io_error, record_lines, InputFile, ReadOptions};
use crate::exact::Exact;
use crate::model::{prefetch, short_key, Deal, IdIndex, LineStats};
use crate::problem::{quoted, FileKind, Problem, Problems, Source, KEEP_PER_FILE};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::Hasher;
use std::time::{Duration, Instant};

/// The per-rep, per-period sums of forecasts.csv.
#[derive(Debug, Default)]
pub struct ForecastTotals {
    /// Every period found, sorted as text (also those left out by `--period`).
    pub periods: Vec<String>,
    /// Per period (as `periods`), per node: the exact sum of that node's own lines (zeros for
    /// a period left out by `--period`).
    pub sums: Vec<Vec<Exact>>,
    /// Per period, per node: how many lines were summed.
    pub counts: Vec<Vec<u32>>,
    /// Each deal's sum, when asked for (`review`); sorted by period, node and deal_id.
    pub deals: Vec<Deal>,
    pub stats: LineStats,
    pub timings: LoadTimings,
}

/// Where the time of reading forecasts.csv went, for `--timings`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoadTimings {
    /// Reading (and, for GB18030/UTF-16, decoding) blocks.
    pub read: Duration,
    /// Cutting blocks into pieces and parsing them in parallel.
    pub parse: Duration,
    /// Merging per-thread totals and checking deal ids for repeats.
    pub merge: Duration,
    /// Indexing org.csv's ids.
    pub org: Duration,
    /// Reading org.csv, confidence.csv and targets.csv (side by side).
    pub others: Duration,
}

/// Column positions in spec order (see `headers::FORECASTS`).
const REP: usize = 0;
const PERIOD: usize = 1;
const AMOUNT: usize = 2;
const DEAL: usize = 3;

/// One node's running sum in one period and how many lines it holds.
#[derive(Clone, Copy, Default)]
struct Acc {
    sum: Exact,
    n: u32,
}

impl Acc {
    /// Adds `m × 10^-s`; `false` if the sum no longer fits.
    fn add(&mut self, m: i128, s: u32) -> bool {
        match Exact::new(m, s).and_then(|v| self.sum.checked_add(v)) {
            Some(v) => {
                self.sum = v;
                self.n += 1;
                true
            }
            None => false,
        }
    }
}

const DEAL_PARTS: usize = 256;
/// Hashes per slab: 32 MiB, always its own mapping in glibc's malloc, so the memory goes back
/// to the system as soon as the check is done (smaller allocations would stay resident in the
/// parsing threads' malloc arenas, out of reach of the stages that run next).
const SLAB: usize = 4 << 20;
/// Hashes per block: a partition is a list of blocks inside the slabs.
const DEAL_BLOCK: usize = 1024;

/// 64-bit deal hashes, partitioned by their top byte. Blocks of each partition are carved out of
/// big slabs: nothing is copied while they grow, and a half-filled block costs at most 8 KiB.
struct DealHashes {
    slabs: Vec<Vec<u64>>,
    /// Per partition, its blocks as (slab, start); every block is full but the last.
    parts: Vec<Vec<(u32, u32)>>,
    /// Entries in each partition's last block.
    fill: Vec<u32>,
}

impl DealHashes {
    fn new() -> DealHashes {
        DealHashes {
            slabs: Vec::new(),
            parts: (0..DEAL_PARTS).map(|_| Vec::new()).collect(),
            fill: vec![0; DEAL_PARTS],
        }
    }

    fn push(&mut self, h: u64) {
        let p = (h >> 56) as usize;
        if self.parts[p].is_empty() || self.fill[p] as usize == DEAL_BLOCK {
            if self.slabs.last().is_none_or(|s| s.len() + DEAL_BLOCK > SLAB) {
                self.slabs.push(Vec::with_capacity(SLAB));
            }
            let s = self.slabs.len() - 1;
            let slab = &mut self.slabs[s];
            let start = slab.len();
            slab.resize(start + DEAL_BLOCK, 0);
            self.parts[p].push((s as u32, start as u32));
            self.fill[p] = 0;
        }
        let (s, start) = self.parts[p][self.parts[p].len() - 1];
        self.slabs[s as usize][start as usize + self.fill[p] as usize] = h;
        self.fill[p] += 1;
    }

    /// The hashes of partition `p`, block by block.
    fn part(&self, p: usize) -> impl Iterator<Item = &[u64]> + Clone {
        let blocks = &self.parts[p];
        blocks.iter().enumerate().map(move |(k, &(s, start))| {
            let len = if k + 1 == blocks.len() { self.fill[p] as usize } else { DEAL_BLOCK };
            &self.slabs[s as usize][start as usize..start as usize + len]
        })
    }
}

/// One thread's state, kept across blocks.
struct Worker {
    periods: FxHashMap<Box<[u8]>, usize>,
    names: Vec<Box<[u8]>>,
    /// The period of the previous line: most files list one period for long runs.
    last_period: usize,
    last_key: Option<u128>,
    /// Per period seen; `None` for a period left out by `--period`.
    sums: Vec<Option<Vec<Acc>>>,
    deals: DealHashes,
    problems: Vec<Problem>,
    dropped: u64,
    stats: LineStats,
    /// Newlines in the piece parsed last, to turn its relative line numbers into file lines.
    piece_lines: u64,
    piece_problems: usize,
    /// Bytes of the last piece that are not UTF-8: (offset in the piece, the bytes).
    bad_utf8: Option<(usize, Vec<u8>, bool)>,
    fields: Vec<(usize, usize)>,
    batch: Vec<Pending>,
    /// With [`Ctx::keep_deals`]: each deal's sum, by (node, period as `names`, deal as
    /// `deal_ids`).
    deal_sums: FxHashMap<(u32, u32, u32), Exact>,
    deal_index: FxHashMap<Box<[u8]>, u32>,
    deal_ids: Vec<Box<[u8]>>,
}

/// Lines processed together in [`Worker::parse_plain`].
const BATCH: usize = 16;

/// A data line waiting in a batch: its cells as ranges of the piece, and its rep's packed id.
#[derive(Clone, Copy)]
struct Pending {
    line: u64,
    rep: (usize, usize),
    period: (usize, usize),
    amount: (usize, usize),
    deal: (usize, usize),
    key: Option<u128>,
}

/// `a..b` of `text` without surrounding ASCII white space.
fn trim_range(text: &[u8], mut a: usize, mut b: usize) -> (usize, usize) {
    while a < b && text[a].is_ascii_whitespace() {
        a += 1;
    }
    while b > a && text[b - 1].is_ascii_whitespace() {
        b -= 1;
    }
    (a, b)
}

struct Ctx<'a> {
    ids: &'a IdIndex,
    cols: &'a headers::Columns,
    only_period: Option<&'a [u8]>,
    delimiter: u8,
    check_utf8: bool,
    keep_deals: bool,
}

impl Worker {
    fn new() -> Worker {
        Worker {
            periods: FxHashMap::default(),
            names: Vec::new(),
            last_period: usize::MAX,
            last_key: None,
            sums: Vec::new(),
            deals: DealHashes::new(),
            problems: Vec::new(),
            dropped: 0,
            stats: LineStats::default(),
            piece_lines: 0,
            piece_problems: 0,
            bad_utf8: None,
            fields: Vec::new(),
            batch: Vec::with_capacity(BATCH),
            deal_sums: FxHashMap::default(),
            deal_index: FxHashMap::default(),
            deal_ids: Vec::new(),
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
        self.piece_lines = 0;
        if ctx.check_utf8 {
            if let Err(e) = std::str::from_utf8(piece) {
                let at = e.valid_up_to();
                let (bytes, truncated) = match e.error_len() {
                    Some(n) => (piece[at..at + n].to_vec(), false),
                    None => (piece[at..].to_vec(), true),
                };
                self.bad_utf8 = Some((at, bytes, truncated));
                return;
            }
        }
        if memchr::memchr(b'"', piece).is_none() {
            self.parse_plain(piece, ctx);
        } else {
            self.parse_quoted(piece, ctx);
        }
    }

    /// Records without quotes: every `\n` ends one, every delimiter ends a cell. Lines go
    /// through in batches: first every line's rep id is hashed and its table slot prefetched,
    /// then ids are resolved and accumulator slots prefetched, then the arithmetic runs, so the
    /// memory latency of random reps overlaps instead of adding up.
    fn parse_plain(&mut self, piece: &[u8], ctx: &Ctx) {
        let mut fields = std::mem::take(&mut self.fields);
        let mut batch = std::mem::take(&mut self.batch);
        let at = [REP, PERIOD, AMOUNT, DEAL].map(|k| ctx.cols.get(k));
        let mut line: u64 = 1;
        let mut line_start = 0;
        let mut from = 0;
        fields.clear();
        // One pass over the piece finds every delimiter and line end.
        let ends =
            memchr::memchr2_iter(ctx.delimiter, b'\n', piece).chain(std::iter::once(piece.len()));
        for i in ends {
            let at_end = i == piece.len();
            if !at_end && piece[i] == ctx.delimiter {
                fields.push((from, i));
                from = i + 1;
                continue;
            }
            if at_end && line_start == piece.len() {
                break;
            }
            // `i` ends a line (or the piece).
            if i > line_start {
                fields.push((from, i));
                let cell = |k: usize| fields.get(k).map_or(&b""[..], |&(a, b)| &piece[a..b]);
                if let Some(p) = self.screen(fields.len(), &cell, line, 1, ctx) {
                    // The width check passed: every column present in the header is in range.
                    let range = |k: usize| match at[k] {
                        Some(c) => trim_range(piece, fields[c].0, fields[c].1),
                        None => (0, 0),
                    };
                    let rep = range(REP);
                    let key = short_key(&piece[rep.0..rep.1]);
                    ctx.ids.prefetch(key);
                    let item = Pending {
                        line: p,
                        rep,
                        period: range(PERIOD),
                        amount: range(AMOUNT),
                        deal: range(DEAL),
                        key,
                    };
                    batch.push(item);
                    if batch.len() == BATCH {
                        self.flush(piece, &mut batch, ctx);
                    }
                }
            }
            fields.clear();
            if !at_end {
                line += 1;
            }
            line_start = i + 1;
            from = i + 1;
        }
        self.flush(piece, &mut batch, ctx);
        self.piece_lines = line - 1;
        self.fields = fields;
        self.batch = batch;
    }

    fn flush(&mut self, piece: &[u8], batch: &mut Vec<Pending>, ctx: &Ctx) {
        let mut nodes = [None; BATCH];
        let mut periods = [None; BATCH];
        for ((p, node), pk) in batch.iter().zip(nodes.iter_mut()).zip(periods.iter_mut()) {
            *node = ctx.ids.get_keyed(&piece[p.rep.0..p.rep.1], p.key);
            *pk = short_key(&piece[p.period.0..p.period.1]);
            if let (Some(n), true) = (*node, pk.is_some() && *pk == self.last_key) {
                if let Some(Some(sums)) = self.sums.get(self.last_period) {
                    prefetch(&sums[n as usize]);
                }
            }
        }
        for ((p, node), pk) in batch.drain(..).zip(nodes).zip(periods) {
            let cell = |r: (usize, usize)| &piece[r.0..r.1];
            let period = (cell(p.period), pk);
            self.line(cell(p.rep), node, period, cell(p.amount), cell(p.deal), p.line, ctx);
        }
    }

    /// Records that may hold quoted cells, through the csv crate.
    fn parse_quoted(&mut self, piece: &[u8], ctx: &Ctx) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .delimiter(ctx.delimiter)
            .from_reader(piece);
        let mut rec = csv::ByteRecord::new();
        loop {
            let before = rdr.position().clone();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let src = Source::new(FileKind::Forecasts, before.line());
                    self.problem(Problem::at(src, e.to_string()));
                    break;
                }
            }
            let (line, spans) = record_lines(&before, rdr.position(), piece);
            let cell = |i: usize| rec.get(i).unwrap_or(b"");
            if self.screen(rec.len(), &cell, line, spans, ctx).is_some() {
                let field = |k: usize| ctx.cols.get(k).map_or(&b""[..], cell).trim_ascii();
                let rep = field(REP);
                let node = ctx.ids.get(rep);
                let period = (field(PERIOD), short_key(field(PERIOD)));
                self.line(rep, node, period, field(AMOUNT), field(DEAL), line, ctx);
            }
        }
        self.piece_lines = rdr.position().line() - 1;
    }

    /// Counts a record and checks its shape; `Some(line)` if it is a data line to process.
    fn screen<'a>(
        &mut self,
        width: usize,
        cell: &dyn Fn(usize) -> &'a [u8],
        line: u64,
        spans: u64,
        ctx: &Ctx,
    ) -> Option<u64> {
        // Almost every line has text in its first cell: test that before all cells.
        let blank =
            cell(0).trim_ascii().is_empty() && (0..width).all(|i| cell(i).trim_ascii().is_empty());
        if blank {
            self.stats.blank += 1;
            return None;
        }
        self.stats.read += 1;
        if let Some(p) = check_width(FileKind::Forecasts, line, width, ctx.cols.width, spans) {
            self.problem(p);
            return None;
        }
        Some(line)
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        rep: &[u8],
        node: Option<u32>,
        (period, period_key): (&[u8], Option<u128>),
        amount: &[u8],
        deal: &[u8],
        line: u64,
        ctx: &Ctx,
    ) {
        let src = Source::new(FileKind::Forecasts, line);
        let mut ok = true;
        let node = match node {
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
        let value = match parse_amount_parts(amount) {
            Ok(v) => Some(v),
            Err(e) => {
                // Cells are slices of checked UTF-8 text cut at ASCII delimiters.
                let amount_text = String::from_utf8_lossy(amount);
                let hint = match e {
                    NumberError::NotANumber => Some("write the amount as a number, e.g. 12345.67"),
                    _ => e.hint(),
                };
                self.problem(
                    Problem::at(src, cell_message(&amount_text, &e))
                        .column(ctx.cols.label(AMOUNT))
                        .maybe_hint(hint),
                );
                ok = false;
                None
            }
        };
        let (Some(node), Some(value), true) = (node, value, ok) else { return };
        if !deal.is_empty() {
            self.deals.push(deal_hash(node, period, deal));
        }
        let k = self.period_index(period, period_key, ctx);
        if ctx.keep_deals && self.sums[k].is_some() {
            self.add_deal(node, k, deal, value);
        }
        let Some(sums) = &mut self.sums[k] else {
            self.stats.other_period += 1;
            return;
        };
        if sums[node as usize].add(value.0, value.1) {
            self.stats.used += 1;
        } else {
            self.problem(
                Problem::at(src, "the sum of this rep's lines for the period passes 38 digits")
                    .column(ctx.cols.label(AMOUNT)),
            );
        }
    }

    /// Adds a line to its deal's sum (lines without a deal_id make one item per node).
    /// Overflow is left to the rep's sum, which holds every line of the deal and reports it.
    fn add_deal(&mut self, node: u32, period: usize, deal: &[u8], (m, s): (i128, u32)) {
        let d = match self.deal_index.get(deal) {
            Some(&d) => d,
            None => {
                let d = self.deal_ids.len() as u32;
                self.deal_index.insert(deal.into(), d);
                self.deal_ids.push(deal.into());
                d
            }
        };
        let sum = self.deal_sums.entry((node, period as u32, d)).or_default();
        if let Some(v) = Exact::new(m, s).and_then(|v| sum.checked_add(v)) {
            *sum = v;
        }
    }

    fn period_index(&mut self, period: &[u8], key: Option<u128>, ctx: &Ctx) -> usize {
        if key.is_some() && key == self.last_key {
            return self.last_period;
        }
        let k = match self.periods.get(period) {
            Some(&k) => k,
            None => {
                let k = self.names.len();
                self.periods.insert(period.into(), k);
                self.names.push(period.into());
                let kept = ctx.only_period.is_none_or(|p| p == period);
                self.sums.push(kept.then(|| vec![Acc::default(); ctx.ids.len()]));
                k
            }
        };
        self.last_period = k;
        self.last_key = key;
        k
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

/// A 64-bit hash of (rep, period, deal), the same in the first pass and the verifying one.
fn deal_hash(node: u32, period: &[u8], deal: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(period);
    h.write_u8(0xff);
    h.write(deal);
    h.write_u32(node);
    // Spread the bits: the top byte picks the partition, the low bits the slot.
    let x = h.finish();
    (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
}

/// Reads forecasts.csv into totals per rep and period, adding every problem found.
pub fn load(
    file: &InputFile,
    opts: ReadOptions,
    ids: &IdIndex,
    only_period: Option<&str>,
    keep_deals: bool,
    problems: &mut Problems,
) -> anyhow::Result<Option<ForecastTotals>> {
    let mut timings = LoadTimings::default();
    let src = file.open().map_err(|e| io_error(file, e))?;
    let mut reader = TextReader::new(src, opts.encoding).map_err(|e| io_error(file, e))?;
    if let Some(p) = super::not_csv(FileKind::Forecasts, reader.head()) {
        problems.push(p);
        return Ok(None);
    }
    let check_utf8 = reader.unchecked();
    let threads = rayon::current_num_threads().max(1);
    let mut workers: Vec<Worker> = (0..threads).map(|_| Worker::new()).collect();
    let mut buf: Vec<u8> = Vec::new();
    let mut line0: u64 = 1; // file line of buf[0]
    let mut header: Option<(headers::Columns, u8)> = None;
    let mut eof = false;
    while !eof {
        let t = Instant::now();
        let read = reader.read_block(&mut buf);
        timings.read += t.elapsed();
        match read {
            Ok(more) => eof = !more,
            Err(ReadError::Io(e)) => return Err(io_error(file, e)),
            Err(ReadError::Decode(e)) => {
                problems.push(decode_problem(FileKind::Forecasts, &buf, line0, &e));
                return Ok(None);
            }
        }
        let t = Instant::now();
        if header.is_none() {
            let delimiter = super::sniff_delimiter(&buf);
            let end = if eof { buf.len() } else { last_record_end(&buf, delimiter) };
            if end == 0 && !eof {
                continue;
            }
            if check_utf8 {
                if let Err(e) = std::str::from_utf8(&buf[..end]) {
                    let bad = bad_utf8(&buf[..end], e.valid_up_to(), e.error_len());
                    problems.push(decode_problem(FileKind::Forecasts, &buf, line0, &bad));
                    return Ok(None);
                }
            }
            match read_header(&buf[..end], delimiter, problems) {
                HeaderOutcome::Found { columns, body_start, lines } => {
                    header = Some((columns, delimiter));
                    buf.drain(..body_start);
                    line0 += lines;
                }
                HeaderOutcome::Bad => return Ok(None),
                HeaderOutcome::NotYet if !eof => continue,
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
        let ctx = Ctx {
            ids,
            cols,
            only_period: only_period.map(str::as_bytes),
            delimiter: *delimiter,
            check_utf8,
            keep_deals,
        };
        let cuts = piece_ends(&buf[..end], *delimiter, threads);
        let mut pieces = Vec::with_capacity(threads);
        let mut start = 0;
        for &c in &cuts {
            pieces.push(&buf[start..c]);
            start = c;
        }
        pieces.resize(threads, &[]);
        workers.par_iter_mut().zip(&pieces).for_each(|(w, piece)| w.parse_piece(piece, &ctx));
        let mut piece_start = 0;
        for (w, piece) in workers.iter_mut().zip(&pieces) {
            if let Some((at, bytes, truncated)) = w.bad_utf8.take() {
                let e = DecodeError {
                    pos: piece_start + at,
                    encoding: Encoding::Utf8,
                    bytes,
                    truncated: truncated && eof,
                };
                problems.push(decode_problem(FileKind::Forecasts, &buf[..end], line0, &e));
                return Ok(None);
            }
            piece_start += piece.len();
        }
        for w in &mut workers {
            w.fix_lines(line0);
            line0 += w.piece_lines;
        }
        buf.drain(..end);
        timings.parse += t.elapsed();
    }
    if header.is_none() {
        return Ok(None);
    }
    let t = Instant::now();
    let deals: Vec<DealHashes> =
        workers.iter_mut().map(|w| std::mem::replace(&mut w.deals, DealHashes::new())).collect();
    let mut totals = merge(workers, ids.len(), problems);
    let ok = deal_repeats_checked(file, opts, ids, deals, problems)?;
    timings.merge = t.elapsed();
    totals.timings = timings;
    Ok(ok.then_some(totals))
}

fn bad_utf8(text: &[u8], at: usize, len: Option<usize>) -> DecodeError {
    let (bytes, truncated) = match len {
        Some(n) => (text[at..at + n].to_vec(), false),
        None => (text[at..].to_vec(), true),
    };
    DecodeError { pos: at, encoding: Encoding::Utf8, bytes, truncated }
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
        let before = rdr.position().clone();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return HeaderOutcome::NotYet,
            Err(e) => {
                let src = Source::new(FileKind::Forecasts, before.line());
                problems.push(Problem::at(src, e.to_string()));
                return HeaderOutcome::Bad;
            }
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let (line, _) = record_lines(&before, rdr.position(), text);
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

/// Calls `each` with the end of every record in `text` (just after its `\n`) until it returns
/// `false`, without parsing: a `\n` ends a record unless it is inside a quoted cell. A quote
/// opens a quoted cell only at the start of a cell (as the csv parser reads it); a doubled
/// quote inside one is a literal quote.
fn record_ends(text: &[u8], delimiter: u8, mut each: impl FnMut(usize) -> bool) {
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
    let step = text.len() / pieces;
    let mut ends = Vec::with_capacity(pieces);
    if memchr::memchr(b'"', text).is_none() {
        for k in 1..pieces {
            let from = (k * step).max(ends.last().copied().unwrap_or(0));
            if let Some(i) = memchr::memchr(b'\n', &text[from..]) {
                ends.push(from + i + 1);
            }
        }
    } else if pieces > 1 {
        let mut k = 1;
        record_ends(text, delimiter, |e| {
            if e >= k * step {
                ends.push(e);
                k += 1;
            }
            k < pieces
        });
    }
    ends.retain(|&e| e < text.len());
    ends.dedup();
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
    let mut deals: std::collections::BTreeMap<(u32, u32, String), Exact> = Default::default();
    for w in &workers {
        for (&(node, k, d), &amount) in &w.deal_sums {
            let g = index[&w.names[k as usize][..]] as u32;
            let id = String::from_utf8_lossy(&w.deal_ids[d as usize]).into_owned();
            let sum = deals.entry((g, node, id)).or_default();
            *sum = sum.checked_add(amount).unwrap_or(*sum);
        }
    }
    let deals = deals
        .into_iter()
        .map(|((period, node, deal_id), amount)| Deal { node, period, deal_id, amount })
        .collect();
    for w in workers {
        stats.read += w.stats.read;
        stats.used += w.stats.used;
        stats.other_period += w.stats.other_period;
        stats.blank += w.stats.blank;
        stats.refused += w.stats.refused;
        problems.extend(w.problems);
        problems.note_dropped(FileKind::Forecasts, w.dropped);
        for (name, accs) in w.names.iter().zip(w.sums) {
            let g = index[&name[..]];
            let Some(accs) = accs else { continue };
            for (i, acc) in accs.iter().enumerate() {
                if acc.n == 0 {
                    continue;
                }
                match sums[g][i].checked_add(acc.sum) {
                    Some(s) => sums[g][i] = s,
                    None => overflow.push((g, i)),
                }
                counts[g][i] += acc.n;
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
    ForecastTotals { periods, sums, counts, deals, stats, timings: LoadTimings::default() }
}

/// The hashes that occur more than once in one partition: an open-addressing table twice the
/// partition's size (the hashes are already uniform, so they index it directly).
fn repeats_in<'a>(chunks: impl Iterator<Item = &'a [u64]> + Clone) -> Vec<u64> {
    let n: usize = chunks.clone().map(<[u64]>::len).sum();
    let cap = (n * 2).next_power_of_two().max(16);
    let mut table = vec![0u64; cap];
    let mut out = Vec::new();
    for chunk in chunks {
        for &h in chunk {
            let h = h.max(1); // 0 marks an empty slot
            let mut i = (h as usize) & (cap - 1);
            loop {
                if table[i] == 0 {
                    table[i] = h;
                    break;
                }
                if table[i] == h {
                    out.push(h);
                    break;
                }
                i = (i + 1) & (cap - 1);
            }
        }
    }
    out
}

/// Calls `each(line, record)` for every record of the file, read again block by block in
/// constant memory (the second pass of the deal check). `Ok(false)` if the text no longer
/// decodes (the first pass checked it, so the file changed in between).
fn each_record(
    file: &InputFile,
    opts: ReadOptions,
    mut each: impl FnMut(u64, &csv::ByteRecord),
) -> anyhow::Result<bool> {
    let src = file.open().map_err(|e| io_error(file, e))?;
    let mut reader = TextReader::new(src, opts.encoding).map_err(|e| io_error(file, e))?;
    let mut buf: Vec<u8> = Vec::new();
    let mut line0: u64 = 1;
    let mut delimiter = None;
    let mut rec = csv::ByteRecord::new();
    loop {
        let eof = match reader.read_block(&mut buf) {
            Ok(more) => !more,
            Err(ReadError::Io(e)) => return Err(io_error(file, e)),
            Err(ReadError::Decode(_)) => return Ok(false),
        };
        let d = *delimiter.get_or_insert_with(|| super::sniff_delimiter(&buf));
        let end = if eof { buf.len() } else { last_record_end(&buf, d) };
        if end > 0 {
            let text = &buf[..end];
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .terminator(csv::Terminator::Any(b'\n'))
                .flexible(true)
                .delimiter(d)
                .from_reader(text);
            loop {
                let before = rdr.position().clone();
                if !rdr.read_byte_record(&mut rec)? {
                    break;
                }
                let (line, _) = record_lines(&before, rdr.position(), text);
                each(line0 + line - 1, &rec);
            }
            line0 += memchr::memchr_iter(b'\n', text).count() as u64;
            buf.drain(..end);
        }
        if eof {
            return Ok(true);
        }
    }
}

/// Checks the deal hashes for repeats; if any, reads the file again to report the real
/// repeats. Returns `false` if the second read failed on a problem already reported.
fn deal_repeats_checked(
    file: &InputFile,
    opts: ReadOptions,
    ids: &IdIndex,
    deals: Vec<DealHashes>,
    problems: &mut Problems,
) -> anyhow::Result<bool> {
    let repeated: FxHashSet<u64> = (0..DEAL_PARTS)
        .into_par_iter()
        .flat_map_iter(|p| {
            let blocks = deals.iter().flat_map(move |d| d.part(p));
            repeats_in(blocks)
        })
        .collect::<Vec<u64>>()
        .into_iter()
        .collect();
    drop(deals);
    if repeated.is_empty() {
        return Ok(true);
    }
    let mut cols: Option<headers::Columns> = None;
    let mut first: FxHashMap<(u32, Vec<u8>, Vec<u8>), u64> = FxHashMap::default();
    let read = each_record(file, opts, |line, rec| {
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            return;
        }
        let Some(c) = &cols else {
            let cells: Vec<String> =
                rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            cols =
                headers::match_headers(FileKind::Forecasts, line, &refs, headers::FORECASTS).ok();
            return;
        };
        let field = |k: usize| c.get(k).and_then(|i| rec.get(i)).unwrap_or(b"").trim_ascii();
        let (rep, period, deal) = (field(REP), field(PERIOD), field(DEAL));
        let Some(node) = ids.get(rep) else { return };
        if deal.is_empty() || !repeated.contains(&deal_hash(node, period, deal).max(1)) {
            return;
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
    })?;
    if !read {
        problems.push(Problem::file(FileKind::Forecasts, "the file changed while it was read"));
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::InputData;
    use crate::model::OrgRow;
    use proptest::prelude::*;

    /// Where the csv crate itself says each record ends.
    fn csv_record_ends(text: &[u8]) -> Vec<usize> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let mut ends = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let end = rdr.position().byte() as usize;
            if end > 0 && text[end - 1] == b'\n' {
                ends.push(end);
            }
        }
        ends
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 .¥-]{0,6}",
            "\"[a-z,\n\r ]{0,6}\"",
            "\"[a-z]{0,3}\"\"[a-z,\n]{0,3}\"",
            "[a-z]{1,3}\"[a-z]{0,2}",
        ]
    }

    fn csv_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::collection::vec(cell(), 1..5), 1..30).prop_map(|rows| {
            rows.iter()
                .map(|r| r.join(",") + if r.len() % 2 == 0 { "\r\n" } else { "\n" })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn record_ends_agree_with_the_csv_parser(text in csv_text()) {
            let bytes = text.as_bytes();
            let mut ours = Vec::new();
            record_ends(bytes, b',', |e| { ours.push(e); true });
            // Every record end the parser sees is found; any other cut ends a blank line, which
            // the parser skips, so cutting there is just as safe.
            let theirs = csv_record_ends(bytes);
            for e in &theirs {
                prop_assert!(ours.contains(e), "missed the record end at {}", e);
            }
            for e in ours.iter().filter(|e| !theirs.contains(e)) {
                let line_start = bytes[..e - 1].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                prop_assert!(bytes[line_start..e - 1].iter().all(|&b| b == b'\r'), "cut at {} is inside a record", e);
            }
        }
    }

    fn row(id: &str, parent: &str) -> OrgRow {
        OrgRow {
            id: id.into(),
            parent_id: parent.into(),
            name: String::new(),
            level: String::new(),
            src: Source::new(FileKind::Org, 2),
        }
    }

    fn load_with(text: &'static [u8], threads: usize) -> (ForecastTotals, Vec<String>) {
        let ids = IdIndex::new(&[row("CN", ""), row("R1", "CN"), row("R2", "CN")]);
        let file = InputFile {
            kind: FileKind::Forecasts,
            display: "forecasts.csv".into(),
            data: InputData::Embedded(text),
        };
        let opts = ReadOptions { encoding: crate::load::encoding::EncodingChoice::Auto };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut problems = Problems::default();
            let totals =
                load(&file, opts, &ids, None, false, &mut problems).unwrap().unwrap_or_default();
            problems.finish();
            let text = problems.render();
            (totals, text.lines().map(str::to_string).collect())
        })
    }

    /// A file big enough to be cut into many pieces, with quoted cells holding commas, line
    /// breaks and doubled quotes, ragged rows, blank lines, CRLF, and bad amounts.
    fn tricky_file() -> &'static [u8] {
        let mut s = String::from("rep_id,period,amount,deal_id,note\n");
        for i in 0..40_000u32 {
            let rep = if i % 2 == 0 { "R1" } else { "R2" };
            match i % 97 {
                0 => s.push_str(&format!(
                    "{rep},2026-Q1,\"1,{:03}.5\",D{i},\"multi\nline, \"\"quoted\"\"\"\r\n",
                    i % 1000
                )),
                1 => s.push('\n'),
                2 => s.push_str(&format!("{rep},2026-Q1,oops,D{i},x\n")),
                3 => s.push_str(&format!("{rep},2026-Q2,7,D{i}\n")),
                _ => s.push_str(&format!(
                    "{rep},2026-Q{},{}.{:02},D{i},n\n",
                    1 + i % 2,
                    i % 5000,
                    i % 100
                )),
            }
        }
        Box::leak(s.into_bytes().into_boxed_slice())
    }

    #[test]
    fn chunked_parallel_reading_equals_one_thread() {
        let text = tricky_file();
        let (one, p1) = load_with(text, 1);
        for threads in [2, 3, 8] {
            let (many, pn) = load_with(text, threads);
            assert_eq!(many.periods, one.periods);
            assert_eq!(many.sums, one.sums, "{threads} threads");
            assert_eq!(many.counts, one.counts);
            assert_eq!(many.stats, one.stats);
            assert_eq!(pn, p1, "{threads} threads");
        }
        assert_eq!(one.stats.read, 40_000 - 413);
        assert!(
            p1.iter().any(|l| l.starts_with("forecasts.csv:5: amount: \"oops\"")),
            "{:?}",
            &p1[..4]
        );
        assert!(
            p1.iter().any(|l| l.starts_with("forecasts.csv:6: the row has 4 fields")),
            "{:?}",
            &p1[..4]
        );
    }

    #[test]
    fn repeated_deals_are_found_across_blocks_at_their_lines() {
        // Well over one 8 MiB block, with the repeat ~300,000 lines after the first use.
        let mut s = String::from("rep_id,period,amount,deal_id,filler\n");
        for i in 0..300_000u32 {
            let deal = if i == 299_990 { 7 } else { i };
            s.push_str(&format!("R1,2026-Q1,1.00,D{deal},{}\n", "x".repeat(24)));
        }
        let text: &'static [u8] = Box::leak(s.into_bytes().into_boxed_slice());
        assert!(text.len() > crate::load::encoding::BLOCK);
        for threads in [1, 3] {
            let (_, problems) = load_with(text, threads);
            assert_eq!(
                problems,
                [
                    "forecasts.csv:299992: deal_id: \"D7\" repeats for rep \"R1\" in period \"2026-Q1\" (first at line 9): the deal would be counted twice",
                    "1 problem; nothing written",
                ],
                "{threads} threads"
            );
        }
    }

    #[test]
    fn plain_and_quoted_tokenizers_agree() {
        let text = b"rep_id,period,amount\nR1,2026-Q1, 5.5 \r\n\nR2,2026-Q1,x\n ,,\nR1,2026-Q1\nR9,2026-Q1,1\nR2,2026-Q1,3,extra\nR1,2026-Q1,2";
        let ids = IdIndex::new(&[row("CN", ""), row("R1", "CN"), row("R2", "CN")]);
        let cols = headers::match_headers(
            FileKind::Forecasts,
            1,
            &["rep_id", "period", "amount"],
            headers::FORECASTS,
        )
        .unwrap();
        let ctx = Ctx {
            ids: &ids,
            cols: &cols,
            only_period: None,
            delimiter: b',',
            check_utf8: true,
            keep_deals: false,
        };
        let body = &text[21..];
        let (mut a, mut b) = (Worker::new(), Worker::new());
        a.parse_plain(body, &ctx);
        b.parse_quoted(body, &ctx);
        assert_eq!(a.stats, b.stats);
        let sorted = |w: &Worker| {
            let mut p = w.problems.clone();
            p.sort_by_key(|p| p.line);
            p
        };
        assert_eq!(sorted(&a), sorted(&b));
        assert_eq!(a.piece_lines, b.piece_lines);
        let sums = |w: &Worker| {
            w.sums
                .iter()
                .map(|s| s.as_ref().map(|v| v.iter().map(|x| (x.sum, x.n)).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        };
        assert_eq!(sums(&a), sums(&b));
        assert_eq!(a.stats.read, 6);
    }
}
