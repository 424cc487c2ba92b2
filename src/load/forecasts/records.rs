//! Record boundaries without parsing: where a block's last whole record ends, how to cut a
//! block into pieces of whole records, and the plain second-pass reader.

use crate::load::encoding::{ReadError, TextReader};
use crate::load::{csv_reader, io_error, record_lines, sniff_delimiter, InputFile, ReadOptions};

/// Calls `each` with the end of every record in `text` (just after its `\n`) until it returns
/// `false`, without parsing: a `\n` ends a record unless it is inside a quoted cell. A quote
/// opens a quoted cell only at the start of a cell (as the csv parser reads it); a doubled
/// quote inside one is a literal quote.
pub(super) fn record_ends(text: &[u8], delimiter: u8, mut each: impl FnMut(usize) -> bool) {
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
pub(super) fn last_record_end(text: &[u8], delimiter: u8) -> usize {
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
pub(super) fn piece_ends(text: &[u8], delimiter: u8, pieces: usize) -> Vec<usize> {
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

/// Calls `each(line, record)` for every record of the file, read again block by block in
/// constant memory (the second pass of the deal check). `Ok(false)` if the text no longer
/// decodes (the first pass checked it, so the file changed in between).
pub(super) fn each_record(
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
        let d = *delimiter.get_or_insert_with(|| sniff_delimiter(&buf));
        let end = if eof { buf.len() } else { last_record_end(&buf, d) };
        if end > 0 {
            let text = &buf[..end];
            let mut rdr = csv_reader(d, text);
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
