//! The per-line work of forecasts.csv: one [`Worker`] per thread parses its piece of a block
//! (the block tokenizer of [`super::tokens`] for pieces without quotes, the csv crate for
//! pieces with them), looks each rep up, parses the amount and adds it to the rep's sum, its deal's
//! hash and, for a review, its deal's sum.

use super::repeats::{deal_hash, deal_key, DealHashes};
use super::tokens::Separators;
use super::{AMOUNT, DEAL, PERIOD, REP};
use crate::exact::Exact;
use crate::load::number::{cell_message, parse_amount_parts, NumberError};
use crate::load::{check_width, csv_reader, headers, record_lines};
use crate::model::{
    digits_lost, is_totals_label, prefetch, short_key, totals_row, IdIndex, LineStats,
};
use crate::period::canonical;
use crate::problem::{quoted, FileKind, Problem, Source, KEEP_PER_FILE};
use crate::t;
use rustc_hash::FxHashMap;

/// One node's running sum in one period and how many lines it holds.
#[derive(Clone, Copy, Default)]
///
/// The sum is kept as an [`Exact`]'s parts so that an accumulator is 32 bytes, one cache line
/// of every two per lookup (an `Exact` and a count would be 48); the arithmetic is `Exact`'s.
pub(super) struct Acc {
    m: i128,
    n: u32,
    s: u8,
}

impl Acc {
    /// Adds `m × 10^-s`; `false` if the sum no longer fits.
    #[inline]
    pub(super) fn add(&mut self, m: i128, s: u32) -> bool {
        let sum = Exact::from_parts(self.m, u32::from(self.s)).checked_add_parts(m, s);
        match sum {
            Some((m, s)) => {
                self.m = m;
                self.s = s as u8;
                self.n += 1;
                true
            }
            None => false,
        }
    }

    /// The exact sum.
    pub(super) fn sum(&self) -> Exact {
        Exact::from_parts(self.m, u32::from(self.s))
    }

    /// How many lines were summed.
    pub(super) fn lines(&self) -> u32 {
        self.n
    }
}

/// One thread's state, kept across blocks.
pub(super) struct Worker {
    pub(super) periods: FxHashMap<Box<[u8]>, usize>,
    pub(super) names: Vec<Box<[u8]>>,
    /// The period of the previous line: most files list one period for long runs.
    pub(super) last_period: usize,
    pub(super) last_key: Option<u128>,
    /// Per period seen; `None` for a period left out by `--period`.
    pub(super) sums: Vec<Option<Vec<Acc>>>,
    pub(super) deals: DealHashes,
    pub(super) problems: Vec<Problem>,
    pub(super) dropped: u64,
    pub(super) stats: LineStats,
    /// Newlines in the piece parsed last, to turn its relative line numbers into file lines.
    pub(super) piece_lines: u64,
    pub(super) piece_problems: usize,
    /// The line each period (as `names`) is first seen on; relative to its piece until
    /// [`Worker::settle`], for the periods from `piece_periods` on.
    pub(super) first_lines: Vec<u64>,
    pub(super) piece_periods: usize,
    pub(super) fields: Vec<(usize, usize)>,
    pub(super) batch: Vec<Pending>,
    /// With [`Ctx::keep_deals`]: each deal's sum and line count, by (node, period as
    /// `names`, deal as `deal_ids`).
    pub(super) deal_sums: FxHashMap<(u32, u32, u32), (Exact, u32)>,
    pub(super) deal_index: FxHashMap<Box<[u8]>, u32>,
    pub(super) deal_ids: Vec<Box<[u8]>>,
}

/// What parsing one piece leaves to settle once the lines of the pieces before it are known.
pub(super) struct Piece {
    /// The worker that parsed it.
    pub(super) worker: usize,
    /// Its problems, in the worker's list.
    pub(super) problems: std::ops::Range<usize>,
    /// The periods it saw first, in the worker's lists.
    pub(super) periods: std::ops::Range<usize>,
    /// Its newlines.
    pub(super) lines: u64,
    /// Where the piece stops being UTF-8 (then nothing of it was parsed): the offset in the
    /// piece, the bytes, and whether they may be the start of a character cut by the end.
    pub(super) bad_utf8: Option<(usize, Vec<u8>, bool)>,
}

/// Lines processed together in [`Worker::parse_plain`].
pub(super) const BATCH: usize = 16;

/// A data line waiting in a batch: its cells as ranges of the piece, and its rep's packed id.
#[derive(Clone, Copy)]
pub(super) struct Pending {
    pub(super) line: u64,
    pub(super) rep: (usize, usize),
    pub(super) period: (usize, usize),
    pub(super) amount: (usize, usize),
    pub(super) deal: (usize, usize),
    pub(super) key: Option<u128>,
}

/// `a..b` of `text` without surrounding ASCII white space.
pub(super) fn trim_range(text: &[u8], mut a: usize, mut b: usize) -> (usize, usize) {
    while a < b && text[a].is_ascii_whitespace() {
        a += 1;
    }
    while b > a && text[b - 1].is_ascii_whitespace() {
        b -= 1;
    }
    (a, b)
}

pub(super) struct Ctx<'a> {
    pub(super) ids: &'a IdIndex,
    pub(super) cols: &'a headers::Columns,
    pub(super) only_period: Option<&'a [u8]>,
    pub(super) delimiter: u8,
    pub(super) check_utf8: bool,
    pub(super) keep_deals: super::KeepDeals<'a>,
    /// Whether org.csv's ids are known; if not, unknown reps are not reported (every line
    /// would be).
    pub(super) check_ids: bool,
}

impl Worker {
    /// One of `workers` workers, which share `deal_memory` bytes for deal hashes.
    pub(super) fn new(workers: usize, deal_memory: usize) -> Worker {
        Worker {
            periods: FxHashMap::default(),
            names: Vec::new(),
            last_period: usize::MAX,
            last_key: None,
            sums: Vec::new(),
            deals: DealHashes::new(workers, deal_memory),
            problems: Vec::new(),
            dropped: 0,
            stats: LineStats::default(),
            piece_lines: 0,
            piece_problems: 0,
            first_lines: Vec::new(),
            piece_periods: 0,
            fields: Vec::new(),
            batch: Vec::with_capacity(BATCH),
            deal_sums: FxHashMap::default(),
            deal_index: FxHashMap::default(),
            deal_ids: Vec::new(),
        }
    }

    pub(super) fn problem(&mut self, p: Problem) {
        self.stats.refused += 1;
        if self.problems.len() < KEEP_PER_FILE {
            self.problems.push(p);
        } else {
            self.dropped += 1;
        }
    }

    /// Parses one piece (whole records) as worker `worker`; problem lines are relative to the
    /// piece until [`Worker::settle`].
    pub(super) fn parse_piece(&mut self, piece: &[u8], ctx: &Ctx, worker: usize) -> Piece {
        self.piece_problems = self.problems.len();
        self.piece_periods = self.names.len();
        self.piece_lines = 0;
        let mut bad_utf8 = None;
        if ctx.check_utf8 {
            if let Err(e) = std::str::from_utf8(piece) {
                let at = e.valid_up_to();
                let (bytes, truncated) = match e.error_len() {
                    Some(n) => (piece[at..at + n].to_vec(), false),
                    None => (piece[at..].to_vec(), true),
                };
                bad_utf8 = Some((at, bytes, truncated));
            }
        }
        if bad_utf8.is_none() {
            if memchr::memchr(b'"', piece).is_none() {
                self.parse_plain(piece, ctx);
            } else {
                self.parse_quoted(piece, ctx);
            }
        }
        Piece {
            worker,
            problems: self.piece_problems..self.problems.len(),
            periods: self.piece_periods..self.names.len(),
            lines: self.piece_lines,
            bad_utf8,
        }
    }

    /// Records without quotes: every `\n` ends one, every delimiter ends a cell. Lines go
    /// through in batches: first every line's rep id is hashed and its table slot prefetched,
    /// then ids are resolved and accumulator slots prefetched, then the arithmetic runs, so the
    /// memory latency of random reps overlaps instead of adding up.
    pub(super) fn parse_plain(&mut self, piece: &[u8], ctx: &Ctx) {
        let mut fields = std::mem::take(&mut self.fields);
        let mut batch = std::mem::take(&mut self.batch);
        let at = [REP, PERIOD, AMOUNT, DEAL].map(|k| ctx.cols.get(k));
        let mut line: u64 = 1;
        let mut line_start = 0;
        let mut from = 0;
        fields.clear();
        // One pass over the piece finds every delimiter and line end, a block at a time.
        let ends = Separators::new(piece, ctx.delimiter).chain(std::iter::once(piece.len()));
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

    pub(super) fn flush(&mut self, piece: &[u8], batch: &mut Vec<Pending>, ctx: &Ctx) {
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
    pub(super) fn parse_quoted(&mut self, piece: &[u8], ctx: &Ctx) {
        let mut rdr = csv_reader(ctx.delimiter, piece);
        let mut rec = csv::ByteRecord::new();
        loop {
            let before = rdr.position().clone();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let src = Source::new(FileKind::Forecasts, before.line());
                    self.problem(Problem::at(src, crate::load::csv_error(&e)));
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
    pub(super) fn screen<'a>(
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
        // Empty cells past the header's last column shift nothing: not a problem.
        let want = ctx.cols.width;
        let width = if width > want
            && width <= headers::MAX_COLUMNS
            && (want..width).all(|i| cell(i).trim_ascii().is_empty())
        {
            want
        } else {
            width
        };
        if let Some(p) = check_width(FileKind::Forecasts, line, width, want, spans) {
            self.problem(p);
            return None;
        }
        Some(line)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn line(
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
        if node.is_none() && is_totals_label(&String::from_utf8_lossy(rep)) {
            self.problem(
                totals_row(src, &String::from_utf8_lossy(rep))
                    .at_column(ctx.cols.label(REP), ctx.cols.get(REP)),
            );
            return;
        }
        // A subtotal written in the deal column (`小计`, `Total`): tested cheaply first.
        let wordy = deal.len() <= 40
            && (deal.iter().any(|&b| b >= 0x80)
                || deal.ends_with(b"otal")
                || deal.ends_with(b"OTAL"));
        if wordy && is_totals_label(&String::from_utf8_lossy(deal)) {
            self.problem(
                totals_row(src, &String::from_utf8_lossy(deal))
                    .at_column(ctx.cols.label(DEAL), ctx.cols.get(DEAL)),
            );
            return;
        }
        // `1.23456789012346E+17`: tested cheaply first, this runs on every line.
        let sci = deal.first().is_some_and(u8::is_ascii_digit) && deal.contains(&b'+');
        if sci && digits_lost(&String::from_utf8_lossy(deal)).is_some() {
            self.problem(
                Problem::at(
                    src,
                    t!(
                        "{} is in scientific notation: a spreadsheet stored the id as a number and its digits are lost",
                        "{} 是科学计数法：电子表格把该 id 存成了数字，其数字已经丢失",
                        quoted(&String::from_utf8_lossy(deal))
                    ),
                )
                .at_column(ctx.cols.label(DEAL), ctx.cols.get(DEAL))
                .hint(t!(
                    "format the deal_id column as Text in Excel/WPS, re-enter or re-export the ids, and export again",
                    "请在 Excel/WPS 中把 deal_id 列设为“文本”格式，重新输入或重新导出 id 后再导出"
                )),
            );
            return;
        }
        let mut ok = true;
        let node = match node {
            Some(n) => Some(n),
            None if !ctx.check_ids => {
                ok = false;
                None
            }
            None => {
                let text = String::from_utf8_lossy(rep);
                let p = if rep.is_empty() {
                    Problem::at(src, t!("empty cell", "单元格为空")).hint(t!(
                        "every forecast line needs the id of its rep",
                        "每个预测行都要写销售的 id"
                    ))
                } else {
                    // The hint looks for near ids: only for problems that will be listed.
                    let listed = self.problems.len() < KEEP_PER_FILE;
                    Problem::at(
                        src,
                        t!("{} is not an id in org.csv", "{} 不是 org.csv 里的 id", quoted(&text)),
                    )
                    .maybe_hint(if listed {
                        ctx.ids.hint(&text)
                    } else {
                        None
                    })
                };
                self.problem(p.at_column(ctx.cols.label(REP), ctx.cols.get(REP)));
                ok = false;
                None
            }
        };
        if period.is_empty() {
            self.problem(
                Problem::at(src, t!("empty cell", "单元格为空"))
                    .at_column(ctx.cols.label(PERIOD), ctx.cols.get(PERIOD))
                    .hint(t!(
                        "every forecast line needs its period, e.g. 2026-Q4",
                        "每个预测行都要写期间，例如 2026-Q4"
                    )),
            );
            ok = false;
        }
        let value = match parse_amount_parts(amount) {
            Ok(v) => Some(v),
            Err(e) => {
                // Cells are slices of checked UTF-8 text cut at ASCII delimiters.
                let amount_text = String::from_utf8_lossy(amount);
                let hint = match e {
                    NumberError::NotANumber => Some(t!(
                        "write the amount as a number, e.g. 12345.67",
                        "请把金额写成数字，例如 12345.67"
                    )),
                    _ => e.hint(),
                };
                self.problem(
                    Problem::at(src, cell_message(&amount_text, &e))
                        .at_column(ctx.cols.label(AMOUNT), ctx.cols.get(AMOUNT))
                        .maybe_hint(hint),
                );
                ok = false;
                None
            }
        };
        let (Some(node), Some(value), true) = (node, value, ok) else {
            // A refused line's period is still one of the file's: a date or an unreadable
            // label in it is reported in the same pass as the line's own problem.
            // (Not a repeated header row's "period": that row is reported as one.)
            let spec = &headers::FORECASTS[PERIOD];
            let name = headers::normalize(&String::from_utf8_lossy(period));
            let header = name == spec.name || spec.aliases.contains(&name.as_str());
            if !period.is_empty() && !header {
                self.period_index(period, period_key, ctx, line);
            }
            return;
        };
        let k = self.period_index(period, period_key, ctx, line);
        if !deal.is_empty() {
            // Hashed with the period's canonical label: `2026Q4` and `2026-Q4` are one period.
            self.deals.push(deal_hash(node, &self.names[k], &deal_key(deal)));
        }
        if ctx.keep_deals != super::KeepDeals::None
            && self.sums[k].is_some()
            && ctx.keep_deals.keeps(deal)
        {
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
                Problem::at(
                    src,
                    t!(
                        "the sum of this rep's lines for the period passes 38 digits",
                        "该销售本期各行之和超过了 38 位数字"
                    ),
                )
                .at_column(ctx.cols.label(AMOUNT), ctx.cols.get(AMOUNT)),
            );
        }
    }

    /// Adds a line to its deal's sum (lines without a deal_id make one item per node).
    /// Overflow is left to the rep's sum, which holds every line of the deal and reports it.
    pub(super) fn add_deal(&mut self, node: u32, period: usize, deal: &[u8], (m, s): (i128, u32)) {
        let d = match self.deal_index.get(deal) {
            Some(&d) => d,
            None => {
                let d = self.deal_ids.len() as u32;
                self.deal_index.insert(deal.into(), d);
                self.deal_ids.push(deal.into());
                d
            }
        };
        let (sum, lines) = self.deal_sums.entry((node, period as u32, d)).or_default();
        if let Some(v) = Exact::new(m, s).and_then(|v| sum.checked_add(v)) {
            *sum = v;
        }
        *lines += 1;
    }

    pub(super) fn period_index(
        &mut self,
        period: &[u8],
        key: Option<u128>,
        ctx: &Ctx,
        line: u64,
    ) -> usize {
        if key.is_some() && key == self.last_key {
            return self.last_period;
        }
        let k = match self.periods.get(period) {
            Some(&k) => k,
            None => {
                let k = self.names.len();
                self.periods.insert(period.into(), k);
                // One spelling per period: the canonical label where there is one.
                let name: Box<[u8]> = match std::str::from_utf8(period).ok().and_then(canonical) {
                    Some(c) => c.into_bytes().into(),
                    None => period.into(),
                };
                let kept = ctx.only_period.is_none_or(|p| p == &name[..]);
                self.names.push(name);
                self.first_lines.push(line);
                self.sums.push(kept.then(|| vec![Acc::default(); ctx.ids.len()]));
                k
            }
        };
        self.last_period = k;
        self.last_key = key;
        k
    }

    /// Turns a piece's relative line numbers into file line numbers, `first_line` being the
    /// file line the piece starts on.
    pub(super) fn settle(&mut self, piece: &Piece, first_line: u64) {
        for p in &mut self.problems[piece.problems.clone()] {
            if let Some(l) = p.line.as_mut() {
                *l += first_line - 1;
            }
        }
        for l in &mut self.first_lines[piece.periods.clone()] {
            *l += first_line - 1;
        }
    }
}
