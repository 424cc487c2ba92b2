//! `forecasts.csv`, the big file: streamed in blocks, each block cut at record boundaries into
//! one piece per thread, pieces parsed in parallel and folded into per-rep, per-period totals.
//!
//! Per line there is no allocation: cells are byte slices of the block, the rep id is looked up
//! in a hash map of `&[u8]`, the period in a per-thread table (with the last hit cached), and the
//! amount is summed as an `i128` mantissa at the rep's scale. Sums of integers are exact, so
//! neither the number of threads nor the order of lines can change a total.
//!
//! A UTF-8 file's bytes are read straight into the block and checked by the parallel pieces.
//! A piece without any `"` is split by a block tokenizer (64 bytes at a time, [`tokens`]); a
//! piece with quotes goes through the csv crate. Both feed the same per-record code, and a test
//! holds them to the same results.
//!
//! Repeated `deal_id`s are found by hashing `(rep, period, deal_id)` to 64 bits per line into
//! 256 partitions, written to a scratch file past a memory budget ([`repeats`]); each partition
//! is checked for repeats in parallel. Only if some hash repeats
//! is the file read a second time to find and compare the actual lines, so a hash collision can
//! never cause a false error.

mod records;
mod repeats;
mod tokens;
mod worker;

use super::encoding::{DecodeError, Encoding, ReadError, TextReader};
use super::{csv_reader, decode_problem, headers, io_error, record_lines, InputFile, ReadOptions};
use crate::exact::Exact;
use crate::load::prefetch::{Digest, Prefetch};
use crate::model::{Deal, IdIndex, LineStats};
use crate::problem::{quoted, FileKind, Problem, Problems, Source};
use crate::t;
use rayon::prelude::*;
use records::{last_record_end, piece_ends};
use repeats::{deal_repeats_checked, DealHashes};
use rustc_hash::{FxHashMap, FxHashSet};
use std::time::{Duration, Instant};
use worker::{Ctx, Piece, Worker};

/// The per-rep, per-period sums of forecasts.csv.
#[derive(Debug, Default)]
pub struct ForecastTotals {
    /// Every period found, sorted as text (also those left out by `--period`).
    pub periods: Vec<String>,
    /// Per period (as `periods`), the first line that has it.
    pub first_lines: Vec<u64>,
    /// Per period (as `periods`), per node: the exact sum of that node's own lines (zeros for
    /// a period left out by `--period`).
    pub sums: Vec<Vec<Exact>>,
    /// Per period, per node: how many lines were summed.
    pub counts: Vec<Vec<u32>>,
    /// Each deal's sum, when asked for (`review`); sorted by period, node and deal_id.
    pub deals: Vec<Deal>,
    pub stats: LineStats,
    /// The file's size and SHA-256, when asked for and the file was read to its end.
    pub digest: Option<crate::load::prefetch::Digested>,
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

/// How forecasts.csv is read.
#[derive(Debug, Clone, Copy)]
pub struct How<'a> {
    pub opts: ReadOptions,
    /// `--period`: sum only this period's lines (every line is still checked).
    pub only_period: Option<&'a str>,
    /// Keep each deal's sum as well as each rep's.
    pub keep_deals: KeepDeals<'a>,
    /// Check each rep_id against org.csv (not when org.csv could not be read).
    pub check_ids: bool,
    /// Take the file's SHA-256 as it is read.
    pub hash: bool,
}

/// Which deals' sums to keep beside each rep's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeepDeals<'a> {
    #[default]
    None,
    /// Every deal (the review's bridge and concentration flags).
    All,
    /// The deals whose `deal_id`, once case, spaces, full width and look-alike characters are
    /// folded ([`crate::suggest::look_alike`]), is one of these folded ids: a scenario's
    /// `--drop-deal`, the deal asked for and its near misses for "did you mean". A million
    /// deals are not kept to drop one.
    Named(&'a [String]),
}

/// An ASCII byte as [`crate::suggest::look_alike`] folds it.
fn alike(b: u8) -> u8 {
    match b.to_ascii_lowercase() {
        b'o' => b'0',
        b'l' | b'i' | b'|' => b'1',
        c => c,
    }
}

impl KeepDeals<'_> {
    /// Whether the sum of a line's deal is kept.
    pub fn keeps(self, deal: &[u8]) -> bool {
        match self {
            KeepDeals::None => false,
            KeepDeals::All => true,
            KeepDeals::Named(_) if deal.is_empty() => false,
            // Folding plain ASCII only maps each byte: no allocation, no char decoding.
            KeepDeals::Named(folded) if deal.iter().all(|b| b.is_ascii_graphic()) => {
                folded.iter().any(|f| {
                    f.len() == deal.len()
                        && deal.iter().zip(f.as_bytes()).all(|(&a, &b)| alike(a) == b)
                })
            }
            KeepDeals::Named(folded) => std::str::from_utf8(deal)
                .is_ok_and(|d| folded.contains(&crate::suggest::look_alike(d))),
        }
    }
}

/// forecasts.csv opened and being read ahead (and hashed) by a thread of its own, started
/// before the small files are read so that the first blocks are ready when the parse begins.
#[derive(Default)]
pub struct Started(Option<std::io::Result<(Prefetch, Digest)>>);

/// Starts reading forecasts.csv ahead, if it is a file on disk; with `hash`, its SHA-256 too.
/// An error opening it is kept and said by [`load`].
pub fn start(file: &InputFile, hash: bool) -> Started {
    match &file.data {
        crate::load::InputData::Path(p) => {
            Started(Some(std::fs::File::open(p).map(|f| Prefetch::new(f, hash))))
        }
        _ => Started(None),
    }
}

/// Reads forecasts.csv into totals per rep and period, adding every problem found.
pub fn load(
    file: &InputFile,
    started: Started,
    how: How,
    ids: &IdIndex,
    problems: &mut Problems,
) -> anyhow::Result<Option<ForecastTotals>> {
    load_bounded(file, started, how, ids, problems, repeats::DEAL_MEMORY)
}

/// [`load`], with `deal_memory` bytes for the deal-id check's hashes before they are written
/// to a scratch file (tests make it small).
fn load_bounded(
    file: &InputFile,
    started: Started,
    how: How,
    ids: &IdIndex,
    problems: &mut Problems,
    deal_memory: usize,
) -> anyhow::Result<Option<ForecastTotals>> {
    let How { opts, only_period, keep_deals, check_ids, hash } = how;
    let mut timings = LoadTimings::default();
    // A file on disk is read ahead by a thread of its own (and hashed there when asked).
    let started = match started.0 {
        Some(s) => Some(s),
        None => start(file, hash).0,
    };
    let (src, digest): (Box<dyn std::io::Read + Send + '_>, _) = match started {
        Some(Ok((r, d))) => (Box::new(r), Some(d)),
        Some(Err(e)) => return Err(io_error(file, e)),
        None => (file.open().map_err(|e| io_error(file, e))?, None),
    };
    let mut reader = TextReader::new(src, opts.encoding).map_err(|e| io_error(file, e))?;
    if let Some(p) = super::not_csv(FileKind::Forecasts, reader.head()) {
        problems.push(p);
        return Ok(None);
    }
    let check_utf8 = reader.unchecked();
    let threads = rayon::current_num_threads().max(1);
    let mut buf: Vec<u8> = Vec::new();
    let mut line0: u64 = 1; // file line of buf[0]
    let mut eof = false;
    // The header first, a block at a time until it is whole.
    let (cols, delimiter) = loop {
        if eof {
            return Ok(None);
        }
        let t = Instant::now();
        let read = reader.read_block(&mut buf);
        timings.read += t.elapsed();
        let Some(end) = settle_read(read, file, &buf, line0, problems)? else { return Ok(None) };
        eof = end;
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
                buf.drain(..body_start);
                line0 += lines;
                break (columns, delimiter);
            }
            HeaderOutcome::Bad => return Ok(None),
            HeaderOutcome::NotYet if !eof => continue,
            HeaderOutcome::NotYet => {
                let what = if line0 == 1 && buf.is_empty() {
                    t!("the file is empty", "文件是空的")
                } else {
                    t!("the file has no header row", "文件没有表头行")
                };
                problems.push(Problem::file(FileKind::Forecasts, what).hint(t!(
                    "the first line must name the columns: rep_id,period,amount (deal_id optional)",
                    "第一行必须是列名：rep_id,period,amount（deal_id 可选）"
                )));
                return Ok(None);
            }
        }
    };
    // Then the body: each block is cut at record ends into one piece per thread, piece k
    // always to worker k (so each worker sees its lines in file order, and the first line of
    // a period is the least of the workers'). Lines in a piece are counted from its start and
    // settled in piece order once the block is done; then the next block is read (the reading
    // thread has it ready: read beside the parse, it would hold one worker back at the end of
    // every block).
    let mut workers: Vec<Worker> =
        (0..threads).map(|_| Worker::new(threads, deal_memory)).collect();
    let mut spare: Vec<u8> = Vec::new();
    loop {
        let end = if eof { buf.len() } else { last_record_end(&buf, delimiter) };
        if end == 0 {
            if eof {
                break;
            }
            // Not one whole record yet: read on.
            let t = Instant::now();
            let read = reader.read_block(&mut buf);
            timings.read += t.elapsed();
            let Some(end) = settle_read(read, file, &buf, line0, problems)? else {
                return Ok(None);
            };
            eof = end;
            continue;
        }
        let t = Instant::now();
        let ctx = Ctx {
            ids,
            cols: &cols,
            only_period: only_period.map(str::as_bytes),
            delimiter,
            check_utf8,
            keep_deals,
            check_ids,
        };
        let cuts = piece_ends(&buf[..end], delimiter, threads);
        let mut pieces = Vec::with_capacity(threads);
        let mut start = 0;
        for &c in &cuts {
            pieces.push(&buf[start..c]);
            start = c;
        }
        pieces.resize(threads, &[]);
        let mut next = std::mem::take(&mut spare);
        next.clear();
        next.extend_from_slice(&buf[end..]);
        let done: Vec<Piece> = (workers.par_iter_mut().zip(&pieces).enumerate())
            .map(|(w, (worker, piece))| worker.parse_piece(piece, &ctx, w))
            .collect();
        let mut piece_start = 0;
        for (d, piece) in done.iter().zip(&pieces) {
            if let Some((at, bytes, truncated)) = &d.bad_utf8 {
                let e = DecodeError {
                    pos: piece_start + at,
                    encoding: Encoding::Utf8,
                    bytes: bytes.clone(),
                    truncated: *truncated && eof,
                };
                problems.push(decode_problem(FileKind::Forecasts, &buf[..end], line0, &e));
                return Ok(None);
            }
            piece_start += piece.len();
        }
        for d in &done {
            workers[d.worker].settle(d, line0);
            line0 += d.lines;
        }
        timings.parse += t.elapsed();
        if eof {
            break;
        }
        let t = Instant::now();
        let read = reader.read_block(&mut next);
        timings.read += t.elapsed();
        let Some(end) = settle_read(read, file, &next, line0, problems)? else { return Ok(None) };
        eof = end;
        spare = std::mem::replace(&mut buf, next);
    }
    let t = Instant::now();
    let deals: Vec<DealHashes> = workers
        .iter_mut()
        .map(|w| {
            let mut d = std::mem::replace(&mut w.deals, DealHashes::new(1, 0));
            d.finish();
            d
        })
        .collect();
    let mut totals = merge(workers, ids.len(), problems);
    let ok = deal_repeats_checked(file, opts, ids, deals, problems)?;
    timings.merge = t.elapsed();
    totals.timings = timings;
    totals.digest = digest.and_then(|d| d.wait());
    Ok(ok.then_some(totals))
}

/// What a block read came to: `Some(end of file)`, or `None` once the text that does not
/// decode is listed as a problem (`text` being the buffer read into, `line0` its first line).
fn settle_read(
    read: Result<bool, ReadError>,
    file: &InputFile,
    text: &[u8],
    line0: u64,
    problems: &mut Problems,
) -> anyhow::Result<Option<bool>> {
    match read {
        Ok(more) => Ok(Some(!more)),
        Err(ReadError::Io(e)) => Err(io_error(file, e)),
        Err(ReadError::Decode(e)) => {
            problems.push(decode_problem(FileKind::Forecasts, text, line0, &e));
            Ok(None)
        }
    }
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
    let mut rdr = csv_reader(delimiter, text);
    let mut rec = csv::StringRecord::new();
    loop {
        let before = rdr.position().clone();
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return HeaderOutcome::NotYet,
            Err(e) => {
                let src = Source::new(FileKind::Forecasts, before.line());
                problems.push(Problem::at(src, crate::load::csv_error(&e)));
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
    // Workers hold consecutive pieces of the file: the earliest first line is the file's.
    let mut first_lines = vec![u64::MAX; names.len()];
    for w in &workers {
        for (name, &line) in w.names.iter().zip(&w.first_lines) {
            let g = index[&name[..]];
            first_lines[g] = first_lines[g].min(line);
        }
    }
    let mut counts = vec![vec![0u32; nodes]; names.len()];
    let mut stats = LineStats::default();
    let mut overflow: Vec<(usize, usize)> = Vec::new();
    let mut deals: std::collections::BTreeMap<(u32, u32, String), (Exact, u32)> =
        Default::default();
    for w in &workers {
        for (&(node, k, d), &(amount, n)) in &w.deal_sums {
            let g = index[&w.names[k as usize][..]] as u32;
            let id = String::from_utf8_lossy(&w.deal_ids[d as usize]).into_owned();
            let (sum, lines) = deals.entry((g, node, id)).or_default();
            *sum = sum.checked_add(amount).unwrap_or(*sum);
            *lines += n;
        }
    }
    let deals = deals
        .into_iter()
        .map(|((period, node, deal_id), (amount, lines))| Deal {
            node,
            period,
            deal_id,
            amount,
            lines,
        })
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
                if acc.lines() == 0 {
                    continue;
                }
                match sums[g][i].checked_add(acc.sum()) {
                    Some(s) => sums[g][i] = s,
                    None => overflow.push((g, i)),
                }
                counts[g][i] += acc.lines();
            }
        }
    }
    overflow.sort_unstable();
    overflow.dedup();
    for (g, i) in overflow {
        problems.push(Problem::file(
            FileKind::Forecasts,
            t!(
                "the lines of node #{i} for period {} sum past 38 digits",
                "节点 #{i} 在期间 {} 的各行之和超过了 38 位数字",
                quoted(&String::from_utf8_lossy(&names[g]))
            ),
        ));
    }
    let periods = names.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    ForecastTotals {
        periods,
        first_lines,
        sums,
        counts,
        deals,
        stats,
        digest: None,
        timings: LoadTimings::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::records::record_ends;
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
        load_with_memory(text, threads, repeats::DEAL_MEMORY)
    }

    /// Loads `text` on `threads` threads with `memory` bytes for deal hashes.
    fn load_with_memory(
        text: &'static [u8],
        threads: usize,
        memory: usize,
    ) -> (ForecastTotals, Vec<String>) {
        let ids = IdIndex::new(&[row("CN", ""), row("R1", "CN"), row("R2", "CN")]);
        let file = InputFile {
            kind: FileKind::Forecasts,
            display: "forecasts.csv".into(),
            data: InputData::Embedded(text),
            sheet: None,
            shape: None,
        };
        let opts = ReadOptions { encoding: crate::load::encoding::EncodingChoice::Auto };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut problems = Problems::default();
            let how = How {
                opts,
                only_period: None,
                keep_deals: KeepDeals::None,
                check_ids: true,
                hash: false,
            };
            let totals = load_bounded(&file, Started(None), how, &ids, &mut problems, memory)
                .unwrap()
                .unwrap_or_default();
            problems.finish();
            let text = problems.render(crate::text::Lang::En);
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
    fn deal_hashes_written_to_a_scratch_file_find_the_same_repeats() {
        // 200,000 lines; from line 50,000 on, every 1,000th line takes the deal_id of the line
        // 50,000 before it (in lower case every other time), which repeats a deal for the 50
        // that reach back before line 50,000. 64 KiB of hash memory makes every worker write
        // its hashes out many times.
        let mut s = String::from("rep_id,period,amount,deal_id\n");
        for i in 0..200_000u32 {
            let rep = if i % 3 == 0 { "R1" } else { "R2" };
            let deal = match i {
                i if i >= 50_000 && i % 1000 == 0 && i % 2000 == 0 => format!("d{}", i - 50_000),
                i if i >= 50_000 && i % 1000 == 0 => format!("D{}", i - 50_000),
                i => format!("D{i}"),
            };
            // A repeat must be for the same rep: the earlier line's rep.
            let rep = if i >= 50_000 && i % 1000 == 0 {
                if (i - 50_000) % 3 == 0 {
                    "R1"
                } else {
                    "R2"
                }
            } else {
                rep
            };
            s.push_str(&format!("{rep},2026-Q1,1,{deal}\n"));
        }
        let text: &'static [u8] = Box::leak(s.into_bytes().into_boxed_slice());
        let (base, expected) = load_with(text, 1);
        assert_eq!(expected.last().map(String::as_str), Some("50 problems; nothing written"));
        assert!(expected[0].starts_with("forecasts.csv:50002: deal_id: \"d0\" repeats"));
        for threads in [1, 2, 3] {
            let (small, problems) = load_with_memory(text, threads, 64 << 10);
            assert_eq!(problems, expected, "{threads} threads");
            assert_eq!(small.sums, base.sums);
        }
    }

    #[test]
    fn a_period_first_line_is_the_file_first_on_any_thread_count() {
        // 2026-Q3 appears first at line 150,002, then again all through the second half.
        let mut s = String::from("rep_id,period,amount,deal_id\n");
        for i in 0..300_000u32 {
            let period =
                if i == 150_000 || (i > 200_000 && i % 7 == 0) { "2026-Q3" } else { "2026-Q1" };
            s.push_str(&format!("R1,{period},1,D{i}\n"));
        }
        let text: &'static [u8] = Box::leak(s.into_bytes().into_boxed_slice());
        for threads in [1, 2, 3, 8] {
            let (totals, _) = load_with(text, threads);
            assert_eq!(totals.stats.refused, 0);
            assert_eq!(totals.periods, ["2026-Q1", "2026-Q3"]);
            assert_eq!(totals.first_lines, [2, 150_002], "{threads} threads");
        }
    }

    #[test]
    fn keeps_the_named_deals_and_their_near_misses_only() {
        let folded = [crate::suggest::look_alike("D-１0"), crate::suggest::look_alike("Ab C")];
        let keep = KeepDeals::Named(&folded);
        for deal in ["D-10", "d-10", "D-１0", "D-lO", "abc", "ABC", "A b C"] {
            assert!(keep.keeps(deal.as_bytes()), "{deal}");
        }
        for deal in ["D-100", "D-1", "", "abd"] {
            assert!(!keep.keeps(deal.as_bytes()), "{deal}");
        }
        assert!(KeepDeals::All.keeps(b"x") && !KeepDeals::None.keeps(b"x"));
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
            keep_deals: KeepDeals::None,
            check_ids: true,
        };
        let body = &text[21..];
        let (mut a, mut b) = (Worker::new(1, 1 << 20), Worker::new(1, 1 << 20));
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
                .map(|s| {
                    s.as_ref().map(|v| v.iter().map(|x| (x.sum(), x.lines())).collect::<Vec<_>>())
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(sums(&a), sums(&b));
        assert_eq!(a.stats.read, 6);
    }
}
