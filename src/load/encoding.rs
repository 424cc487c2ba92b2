//! Text encodings of the pack's files: UTF-8 (with or without BOM), GB18030/GBK (what Excel and
//! WPS write as "CSV" on a Chinese Windows) and UTF-16 with a BOM (Excel's "Unicode text").
//!
//! [`TextReader`] reads a file in blocks and appends UTF-8 text, so a 2 GB file never has to be in
//! memory at once. Nothing is ever replaced: a byte sequence that is not valid in the file's
//! encoding is an error at its position. A NUL byte is refused the same way (no CSV export holds
//! one: it is UTF-16 without its BOM, a binary file, or a damaged copy), and so is a line longer
//! than [`MAX_LINE`], so that a file with no line ends cannot fill the memory.

use std::io::Read;

/// The encodings a file may be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// What `--encoding` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EncodingChoice {
    /// Detect: a BOM decides; otherwise UTF-8 unless the first non-ASCII text is not UTF-8.
    #[default]
    Auto,
    /// UTF-8, with or without BOM.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    #[value(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

/// A byte sequence that is not text in the file's encoding, at `pos` bytes into the text that
/// the failing [`TextReader::read_text`] call was appending to.
#[derive(Debug)]
pub struct DecodeError {
    pub pos: usize,
    pub encoding: Encoding,
    pub bytes: Vec<u8>,
    /// The file ends in the middle of a character.
    pub truncated: bool,
}

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Decode(DecodeError),
}

/// How much raw input one [`TextReader::read_text`] call reads.
pub const BLOCK: usize = 8 << 20;

/// The longest line read: 64 MiB. A forecast line is a hundred bytes; a line this long is a file
/// whose line ends are not `\n` (CR only) or not a CSV file at all, and reading on would only
/// hold more of it in memory.
pub const MAX_LINE: usize = 64 << 20;

/// A line longer than [`MAX_LINE`], carried as the `InvalidData` I/O error of a read.
#[derive(Debug, thiserror::Error)]
#[error(
    "a line longer than {} MiB (it starts at byte {start} of the text): \
     the file has no line ends this tool reads (old Mac Excel ends lines with CR only) or is not a CSV file",
    MAX_LINE >> 20
)]
pub struct LineTooLong {
    pub start: u64,
}

impl LineTooLong {
    pub fn text(&self) -> crate::text::Text {
        let (mib, start) = (MAX_LINE >> 20, self.start);
        crate::t!(
            "a line longer than {mib} MiB (it starts at byte {start} of the text): \
             the file has no line ends this tool reads (old Mac Excel ends lines with CR only) or is not a CSV file",
            "有一行超过 {mib} MiB（从文本的第 {start} 字节开始）：文件里没有本工具能识别的换行\
             （旧版 Mac Excel 只用 CR 换行），或者它不是 CSV 文件"
        )
    }
}

/// Decides the encoding from the first block of a file; returns it and the BOM's length.
pub fn sniff(head: &[u8], choice: EncodingChoice) -> (Encoding, usize) {
    const GB18030_BOM: &[u8] = &[0x84, 0x31, 0x95, 0x33];
    match choice {
        EncodingChoice::Utf8 => return (Encoding::Utf8, bom_len(head, b"\xEF\xBB\xBF")),
        EncodingChoice::Gb18030 => return (Encoding::Gb18030, bom_len(head, GB18030_BOM)),
        EncodingChoice::Auto => {}
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return (Encoding::Utf8, 3);
    }
    if head.starts_with(b"\xFF\xFE") {
        return (Encoding::Utf16Le, 2);
    }
    if head.starts_with(b"\xFE\xFF") {
        return (Encoding::Utf16Be, 2);
    }
    if head.starts_with(GB18030_BOM) {
        return (Encoding::Gb18030, 4);
    }
    match std::str::from_utf8(head) {
        Ok(_) => (Encoding::Utf8, 0),
        // Cut off mid-character at the end of the block: still UTF-8.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
        Err(e) => {
            // Valid non-ASCII UTF-8 before the bad byte: a UTF-8 file with an error in it,
            // reported at its place. Otherwise the first non-ASCII text is not UTF-8: GB18030.
            let before = &head[..e.valid_up_to()];
            if before.iter().any(|b| !b.is_ascii()) {
                (Encoding::Utf8, 0)
            } else {
                (Encoding::Gb18030, 0)
            }
        }
    }
}

fn bom_len(head: &[u8], bom: &[u8]) -> usize {
    if head.starts_with(bom) {
        bom.len()
    } else {
        0
    }
}

/// Reads a file block by block as UTF-8 text.
pub struct TextReader<R> {
    src: R,
    encoding: Encoding,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    /// Bytes of `raw` already consumed.
    raw_pos: usize,
    eof: bool,
    /// Bytes of text handed out so far, and where the current line started.
    produced: u64,
    line_start: u64,
}

impl<R: Read> TextReader<R> {
    /// Reads the first block and decides the encoding.
    pub fn new(mut src: R, choice: EncodingChoice) -> std::io::Result<TextReader<R>> {
        let mut raw = Vec::with_capacity(BLOCK);
        let eof = fill(&mut src, &mut raw, BLOCK)?;
        let (encoding, bom) = sniff(&raw, choice);
        let decoder = match encoding {
            Encoding::Utf8 => None,
            Encoding::Gb18030 => Some(encoding_rs::GB18030.new_decoder_without_bom_handling()),
            Encoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
            Encoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_without_bom_handling()),
        };
        Ok(TextReader {
            src,
            encoding,
            decoder,
            raw,
            raw_pos: bom,
            eof,
            produced: 0,
            line_start: 0,
        })
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The first bytes of the file, to recognise files that are not text at all.
    pub fn head(&self) -> &[u8] {
        &self.raw[..self.raw.len().min(64)]
    }

    /// Whether [`TextReader::read_block`] hands out bytes it has not checked (UTF-8 files, whose
    /// bytes are the text itself: checking them is left to the parallel parsers).
    pub fn unchecked(&self) -> bool {
        self.decoder.is_none()
    }

    /// Appends the next block to `out`: for UTF-8 the raw bytes, read straight into `out` and
    /// not yet checked; for other encodings the decoded text. `Ok(false)` once nothing is left.
    pub fn read_block(&mut self, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        let start = out.len();
        let more = self.read_block_unchecked(out);
        self.screen(out, start)?;
        more
    }

    fn read_block_unchecked(&mut self, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        if self.decoder.is_some() {
            return self.read_text_unchecked(out);
        }
        if self.raw_pos < self.raw.len() {
            // The first block, read to sniff the encoding: handed over whole when `out` is
            // empty (no copy), else appended.
            let mut raw = std::mem::take(&mut self.raw);
            raw.drain(..self.raw_pos);
            if out.is_empty() {
                *out = raw;
            } else {
                out.extend_from_slice(&raw);
            }
            self.raw_pos = 0;
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        let before = out.len();
        self.eof = fill(&mut self.src, out, BLOCK).map_err(ReadError::Io)?;
        Ok(out.len() > before || !self.eof)
    }

    /// Appends the next block of text to `out`; `Ok(false)` once the whole file has been read.
    pub fn read_text(&mut self, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        let start = out.len();
        let more = self.read_text_unchecked(out);
        self.screen(out, start)?;
        more
    }

    /// Checks the text appended to `out` since `start` (also what a failed read appended before
    /// its error): a NUL is an error at its place, and so is a line past [`MAX_LINE`].
    fn screen(&mut self, out: &[u8], start: usize) -> Result<(), ReadError> {
        let new = &out[start.min(out.len())..];
        if let Some(i) = memchr::memchr(0, new) {
            return Err(ReadError::Decode(DecodeError {
                pos: start + i,
                encoding: self.encoding,
                bytes: vec![0],
                truncated: false,
            }));
        }
        if let Some(i) = memchr::memrchr(b'\n', new) {
            self.line_start = self.produced + i as u64 + 1;
        }
        self.produced += new.len() as u64;
        if self.produced - self.line_start > MAX_LINE as u64 {
            let e = LineTooLong { start: self.line_start };
            return Err(ReadError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)));
        }
        Ok(())
    }

    fn read_text_unchecked(&mut self, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        if self.raw_pos >= self.raw.len() {
            if self.eof {
                return Ok(false);
            }
            self.raw.clear();
            self.raw_pos = 0;
            self.eof = fill(&mut self.src, &mut self.raw, BLOCK).map_err(ReadError::Io)?;
            if self.raw.is_empty() && self.eof {
                return self.finish(out).map(|_| false);
            }
        }
        let start = out.len();
        let input = &self.raw[self.raw_pos..];
        match &mut self.decoder {
            None => {
                let valid = match std::str::from_utf8(input) {
                    Ok(_) => input.len(),
                    Err(e) => match e.error_len() {
                        Some(n) => {
                            let at = e.valid_up_to();
                            out.extend_from_slice(&input[..at]);
                            return Err(ReadError::Decode(DecodeError {
                                pos: start + at,
                                encoding: Encoding::Utf8,
                                bytes: input[at..at + n].to_vec(),
                                truncated: false,
                            }));
                        }
                        None if self.eof => {
                            let at = e.valid_up_to();
                            out.extend_from_slice(&input[..at]);
                            return Err(ReadError::Decode(DecodeError {
                                pos: start + at,
                                encoding: Encoding::Utf8,
                                bytes: input[at..].to_vec(),
                                truncated: true,
                            }));
                        }
                        // A character split by the block edge: keep its first bytes for later.
                        None => e.valid_up_to(),
                    },
                };
                out.extend_from_slice(&input[..valid]);
                self.raw_pos += valid;
                if self.raw_pos < self.raw.len() {
                    // Move the partial character to the front and read more behind it.
                    self.raw.drain(..self.raw_pos);
                    self.raw_pos = 0;
                    self.eof = fill(&mut self.src, &mut self.raw, BLOCK).map_err(ReadError::Io)?;
                }
            }
            Some(dec) => {
                let last = self.eof;
                let max = dec
                    .max_utf8_buffer_length_without_replacement(input.len())
                    .unwrap_or(input.len() * 3 + 16);
                out.reserve(max);
                let mut buf = vec![0u8; max];
                let (res, read, written) =
                    dec.decode_to_utf8_without_replacement(input, &mut buf, last);
                out.extend_from_slice(&buf[..written]);
                if let encoding_rs::DecoderResult::Malformed(bad, extra) = res {
                    let bad_end = read - extra as usize;
                    let bad_start = bad_end.saturating_sub(bad as usize);
                    return Err(ReadError::Decode(DecodeError {
                        pos: out.len(),
                        encoding: self.encoding,
                        bytes: input[bad_start..bad_end].to_vec(),
                        truncated: last && read == input.len() && extra == 0,
                    }));
                }
                self.raw_pos += read;
            }
        }
        Ok(true)
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), ReadError> {
        if let Some(dec) = &mut self.decoder {
            let mut buf = [0u8; 16];
            let (res, _, written) = dec.decode_to_utf8_without_replacement(&[], &mut buf, true);
            out.extend_from_slice(&buf[..written]);
            if let encoding_rs::DecoderResult::Malformed(..) = res {
                return Err(ReadError::Decode(DecodeError {
                    pos: out.len(),
                    encoding: self.encoding,
                    bytes: Vec::new(),
                    truncated: true,
                }));
            }
        }
        Ok(())
    }
}

/// Reads until `buf` holds `want` bytes or the input ends; returns whether it ended.
fn fill(src: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    while buf.len() < target {
        let before = buf.len();
        let n = src.by_ref().take((target - before) as u64).read_to_end(buf)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], choice: EncodingChoice) -> Result<(Encoding, String), DecodeError> {
        let mut r = TextReader::new(bytes, choice).unwrap();
        let mut out = Vec::new();
        loop {
            match r.read_text(&mut out) {
                Ok(true) => {}
                Ok(false) => break,
                Err(ReadError::Decode(e)) => return Err(e),
                Err(ReadError::Io(e)) => panic!("{e}"),
            }
        }
        Ok((r.encoding(), String::from_utf8(out).unwrap()))
    }

    #[test]
    fn detects_bom_utf8_gb18030_and_utf16() {
        let text = "编号,姓名\nA,张三\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(read_all(&bom, EncodingChoice::Auto).unwrap(), (Encoding::Utf8, text.into()));
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(read_all(&gb, EncodingChoice::Auto).unwrap(), (Encoding::Gb18030, text.into()));
        let mut u16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            u16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(read_all(&u16, EncodingChoice::Auto).unwrap(), (Encoding::Utf16Le, text.into()));
    }

    #[test]
    fn reports_invalid_utf8_at_its_position_in_a_utf8_file() {
        let bytes = "名,b\nx,\u{4e00}\n".bytes().chain([b'y', 0xFF, b'\n']).collect::<Vec<_>>();
        let e = read_all(&bytes, EncodingChoice::Auto).unwrap_err();
        assert_eq!((e.encoding, e.pos, e.bytes), (Encoding::Utf8, bytes.len() - 2, vec![0xFF]));
        assert!(!e.truncated);
        let cut = [b"a,\xE4\xB8".as_slice()].concat();
        assert!(read_all(&cut, EncodingChoice::Auto).unwrap_err().truncated);
    }

    #[test]
    fn forced_encoding_wins() {
        let (gb, _, _) = encoding_rs::GB18030.encode("张三");
        let e = read_all(&gb, EncodingChoice::Utf8).unwrap_err();
        assert_eq!(e.encoding, Encoding::Utf8);
        assert_eq!(read_all(&gb, EncodingChoice::Gb18030).unwrap().1, "张三");
    }
}
