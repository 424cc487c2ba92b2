//! The repeated-deal check, exact in bounded memory: each line's `(rep, period, deal_id)` is
//! hashed to 64 bits into 256 partitions carved out of big slabs; each partition is checked for
//! repeated hashes in parallel with an open-addressing table. Only if some hash repeats is the
//! file read a second time ([`super::records::each_record`]) to find and compare the actual
//! lines, so a hash collision can never cause a false error.
//!
//! The hashes take 8 bytes a line. Past its share of [`DEAL_MEMORY`] (32 MiB in all, about four
//! million lines) a worker writes its blocks out, partition by partition, to an unnamed scratch
//! file in the system's temporary folder and carves its slabs again from the start; the check
//! then reads each partition back, one at a time. A 100-million-line file needs no more memory
//! for the check than a 5-million-line one. If the scratch file cannot be written, the hashes stay in
//! memory: the check stays exact and only the memory grows.

use super::records::each_record;
use super::{DEAL, PERIOD, REP};
use crate::load::{headers, InputFile, ReadOptions};
use crate::model::IdIndex;
use crate::problem::{quoted, FileKind, Problem, Problems, Source};
use crate::t;
use crate::text::SaidContext;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::Hasher;
use std::io::Write;

pub(super) const DEAL_PARTS: usize = 256;
/// Hashes per slab: 32 MiB, always its own mapping in glibc's malloc, so the memory goes back
/// to the system as soon as the check is done (smaller allocations would stay resident in the
/// parsing threads' malloc arenas, out of reach of the stages that run next). Only the pages
/// written are resident: a slab's tail past a worker's share of [`DEAL_MEMORY`] is never
/// touched.
pub(super) const SLAB: usize = 4 << 20;
/// Hashes per block: a partition is a list of blocks inside the slabs (2 KiB: a small file
/// touches 512 KiB a thread for its 256 partitions, not more).
pub(super) const DEAL_BLOCK: usize = 256;
/// Hashes staged per partition before they go to its block: one 64-byte cache line.
const STAGE: usize = 8;
/// The memory all workers together give to deal hashes before they write them out: 32 MiB,
/// four million lines.
pub(super) const DEAL_MEMORY: usize = 32 << 20;

/// 64-bit deal hashes, partitioned by their top byte. Blocks of each partition are carved out of
/// big slabs: nothing is copied while they grow, and a half-filled block costs at most 8 KiB.
pub(super) struct DealHashes {
    /// The slabs; kept (and carved again from the start) after the hashes are written out.
    pub(super) slabs: Vec<Vec<u64>>,
    /// The slab blocks are carved from.
    current: usize,
    /// Per partition, its blocks as (slab, start); every block is full but the last.
    pub(super) parts: Vec<Vec<(u32, u32)>>,
    /// Entries in each partition's last block.
    pub(super) fill: Vec<u32>,
    /// Per partition, hashes not yet in its blocks ([`DealHashes::push`]).
    stage: Vec<[u64; STAGE]>,
    /// How many of each partition's staged hashes are set.
    staged: Vec<u8>,
    /// Hashes per slab (always [`SLAB`] outside tests).
    slab: usize,
    /// Hashes held in memory (whole blocks) before they are written out.
    max_held: usize,
    /// Hashes held in memory now (whole blocks).
    held: usize,
    /// The scratch file, once the hashes were first written out.
    file: Option<std::fs::File>,
    /// Per partition, its runs in the scratch file as (first hash, hashes).
    spilled: Vec<Vec<(u64, u64)>>,
    /// Hashes in the scratch file.
    written: u64,
}

impl DealHashes {
    /// Hashes for one of `workers` workers, which share `memory` bytes ([`DEAL_MEMORY`]).
    pub(super) fn new(workers: usize, memory: usize) -> DealHashes {
        DealHashes::with_limits(SLAB, memory / 8 / workers.max(1))
    }

    /// Hashes in slabs of `slab` hashes, written out when `max_held` are held.
    pub(super) fn with_limits(slab: usize, max_held: usize) -> DealHashes {
        DealHashes {
            slabs: Vec::new(),
            current: 0,
            parts: (0..DEAL_PARTS).map(|_| Vec::new()).collect(),
            fill: vec![0; DEAL_PARTS],
            stage: vec![[0; STAGE]; DEAL_PARTS],
            staged: vec![0; DEAL_PARTS],
            slab: slab.max(DEAL_BLOCK),
            max_held: max_held.max(DEAL_BLOCK),
            held: 0,
            file: None,
            spilled: (0..DEAL_PARTS).map(|_| Vec::new()).collect(),
            written: 0,
        }
    }

    /// Adds a hash. It waits in its partition's line of [`STAGE`] (all 256 lines together are
    /// 16 KiB, held in the first-level cache) and goes to the partition's block a whole line
    /// at a time, so the scattered writes are a cache line each, one for every eight hashes.
    #[inline]
    pub(super) fn push(&mut self, h: u64) {
        let p = (h >> 56) as usize;
        let k = self.staged[p] as usize;
        self.stage[p][k] = h;
        if k + 1 < STAGE {
            self.staged[p] += 1;
            return;
        }
        self.staged[p] = 0;
        let line = self.stage[p];
        self.store(p, &line);
    }

    /// Moves every staged hash to its partition's blocks: after the last [`DealHashes::push`].
    pub(super) fn finish(&mut self) {
        for p in 0..DEAL_PARTS {
            let n = std::mem::take(&mut self.staged[p]) as usize;
            if n > 0 {
                let line = self.stage[p];
                self.store(p, &line[..n]);
            }
        }
    }

    /// Appends hashes to partition `p`'s blocks, carving new blocks (and writing everything
    /// out first when memory is full) as needed.
    fn store(&mut self, p: usize, mut hashes: &[u64]) {
        while !hashes.is_empty() {
            if self.parts[p].is_empty() || self.fill[p] as usize == DEAL_BLOCK {
                if self.held + DEAL_BLOCK > self.max_held && self.spill().is_err() {
                    // No scratch file: keep every hash in memory, the check stays exact.
                    self.max_held = usize::MAX;
                }
                if self.slabs.get(self.current).is_some_and(|s| s.len() + DEAL_BLOCK > self.slab) {
                    self.current += 1;
                }
                if self.current == self.slabs.len() {
                    self.slabs.push(Vec::with_capacity(self.slab));
                }
                let slab = &mut self.slabs[self.current];
                let start = slab.len();
                slab.resize(start + DEAL_BLOCK, 0);
                self.parts[p].push((self.current as u32, start as u32));
                self.fill[p] = 0;
                self.held += DEAL_BLOCK;
            }
            let (s, start) = self.parts[p][self.parts[p].len() - 1];
            let at = start as usize + self.fill[p] as usize;
            let n = hashes.len().min(DEAL_BLOCK - self.fill[p] as usize);
            self.slabs[s as usize][at..at + n].copy_from_slice(&hashes[..n]);
            self.fill[p] += n as u32;
            hashes = &hashes[n..];
        }
    }

    /// Writes every slab out, one run per partition, and empties them. On an error nothing
    /// is recorded as written and the slabs are kept.
    fn spill(&mut self) -> std::io::Result<()> {
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile()?);
        }
        let Some(file) = &self.file else { unreachable!("created above") };
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut runs = Vec::with_capacity(DEAL_PARTS);
        let mut at = self.written;
        for p in 0..DEAL_PARTS {
            let mut n = 0u64;
            let staged = &self.stage[p][..self.staged[p] as usize];
            for block in self.part(p).chain([staged]) {
                for h in block {
                    out.write_all(&h.to_le_bytes())?;
                }
                n += block.len() as u64;
            }
            runs.push((at, n));
            at += n;
        }
        out.flush()?;
        drop(out);
        for (p, run) in runs.into_iter().enumerate() {
            if run.1 > 0 {
                self.spilled[p].push(run);
            }
        }
        self.written = at;
        // The slabs stay allocated (and their written pages resident): carved again from the
        // start, they hold the next hashes without a new allocation.
        self.slabs.iter_mut().for_each(Vec::clear);
        self.current = 0;
        self.held = 0;
        self.parts.iter_mut().for_each(Vec::clear);
        self.fill.fill(0);
        self.staged.fill(0);
        Ok(())
    }

    /// The hashes of partition `p` held in memory, block by block.
    pub(super) fn part(&self, p: usize) -> impl Iterator<Item = &[u64]> + Clone {
        let blocks = &self.parts[p];
        blocks.iter().enumerate().map(move |(k, &(s, start))| {
            let len = if k + 1 == blocks.len() { self.fill[p] as usize } else { DEAL_BLOCK };
            &self.slabs[s as usize][start as usize..start as usize + len]
        })
    }

    /// The hashes of partition `p` written to the scratch file, read back.
    pub(super) fn spilled(&self, p: usize) -> anyhow::Result<Vec<u64>> {
        let (Some(file), runs) = (&self.file, &self.spilled[p]) else { return Ok(Vec::new()) };
        let total: u64 = runs.iter().map(|r| r.1).sum();
        let mut hashes = Vec::with_capacity(total as usize);
        let mut bytes = Vec::new();
        for &(at, n) in runs {
            bytes.resize(n as usize * 8, 0);
            read_at(file, &mut bytes, at * 8).said(|| {
                t!(
                    "cannot read back the deal-id check's scratch file in the temporary folder {}",
                    "无法读回临时文件夹 {} 中商机 id 检查的临时文件",
                    quoted(&std::env::temp_dir().display().to_string())
                )
            })?;
            hashes.extend(
                bytes
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().expect("chunks_exact gives 8 bytes"))),
            );
        }
        Ok(hashes)
    }
}

/// Reads `buf.len()` bytes of `file` at `offset`.
#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Reads `buf.len()` bytes of `file` at `offset`.
#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A deal id as the repeat check compares it: two spellings of one id are one deal. Case,
/// white space, zero-width characters and full-width forms are folded, and a `.0` that a float
/// column added to a numeric id (`260101.0`) is dropped. Plain ids (printable ASCII, no lower
/// case, no `.0`) are compared as they are, without a copy.
pub(super) fn deal_key(deal: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let plain = deal.iter().all(|&b| b.is_ascii_graphic() && !b.is_ascii_lowercase())
        && !deal.ends_with(b".0");
    if plain {
        return std::borrow::Cow::Borrowed(deal);
    }
    let text = String::from_utf8_lossy(deal);
    let mut folded: String = crate::suggest::fold(&text)
        .chars()
        .filter(|c| !matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{a0}'))
        .flat_map(char::to_uppercase)
        .collect();
    while let Some(stripped) = folded.strip_suffix(".0") {
        if stripped.is_empty() || !stripped.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        folded.truncate(stripped.len());
    }
    std::borrow::Cow::Owned(folded.into_bytes())
}

/// A 64-bit hash of (rep, period, deal), the same in the first pass and the verifying one.
pub(super) fn deal_hash(node: u32, period: &[u8], deal: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(period);
    h.write_u8(0xff);
    h.write(deal);
    h.write_u32(node);
    // Spread the bits: the top byte picks the partition, the low bits the slot.
    let x = h.finish();
    (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 32)
}

/// The hashes that occur more than once in one partition: an open-addressing table twice the
/// partition's size (the hashes are already uniform, so they index it directly).
pub(super) fn repeats_in<'a>(chunks: impl Iterator<Item = &'a [u64]> + Clone) -> Vec<u64> {
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

/// Checks the deal hashes for repeats; if any, reads the file again to report the real
/// repeats. Returns `false` if the second read failed on a problem already reported.
pub(super) fn deal_repeats_checked(
    file: &InputFile,
    opts: ReadOptions,
    ids: &IdIndex,
    deals: Vec<DealHashes>,
    problems: &mut Problems,
) -> anyhow::Result<bool> {
    let repeated: FxHashSet<u64> = (0..DEAL_PARTS)
        .into_par_iter()
        .map(|p| {
            let disk = deals.iter().map(|d| d.spilled(p)).collect::<anyhow::Result<Vec<_>>>()?;
            let memory = deals.iter().flat_map(move |d| d.part(p));
            Ok(repeats_in(disk.iter().map(Vec::as_slice).chain(memory)))
        })
        .collect::<anyhow::Result<Vec<Vec<u64>>>>()?
        .into_iter()
        .flatten()
        .collect();
    drop(deals);
    if repeated.is_empty() {
        return Ok(true);
    }
    let mut cols: Option<headers::Columns> = None;
    // (rep, period, folded deal) → the line it first appears on and how it is written there.
    type FirstSeen = FxHashMap<(u32, Vec<u8>, Vec<u8>), (u64, Vec<u8>)>;
    let mut first: FirstSeen = FxHashMap::default();
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
        let period = String::from_utf8_lossy(period);
        let period = crate::period::normalize(&period);
        let period = period.as_bytes();
        let Some(node) = ids.get(rep) else { return };
        let key = deal_key(deal);
        if deal.is_empty() || !repeated.contains(&deal_hash(node, period, &key).max(1)) {
            return;
        }
        match first.entry((node, period.to_vec(), key.to_vec())) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((line, deal.to_vec()));
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let (first_line, first_deal) = o.get();
                let spelled = (first_deal.as_slice() != deal).then(|| {
                    t!(
                        "line {first_line} writes it {}: the same id in another case, width or with an invisible character, or a number column's .0",
                        "第 {first_line} 行写作 {}：同一个 id，只是大小写、全角半角、不可见字符或数值列的 .0 不同",
                        crate::problem::quoted(&String::from_utf8_lossy(first_deal))
                    )
                });
                problems.push(
                    Problem::at(
                        Source::new(FileKind::Forecasts, line),
                        t!(
                            "{} repeats for rep {} in period {} (first at line {}): the deal would be counted twice",
                            "商机 {} 在销售 {} 的期间 {} 中重复出现（首次在第 {} 行）：这笔商机会被计算两次",
                            quoted(&String::from_utf8_lossy(deal)),
                            quoted(&String::from_utf8_lossy(rep)),
                            quoted(&String::from_utf8_lossy(period)),
                            first_line
                        ),
                    )
                    .at_column(c.label(DEAL), c.get(DEAL))
                    .maybe_hint(spelled)
                    .maybe_hint(crate::model::digits_lost(&String::from_utf8_lossy(deal)).map(|why| {
                        t!(
                            "{}: two different deals may now read the same; format the deal_id column as Text \
                             in Excel/WPS and export the ids again from the CRM",
                            "{}：两笔不同的商机现在可能读成同一个；请在 Excel/WPS 中把 deal_id 列设为“文本”格式，\
                             再从 CRM 重新导出 id",
                            why
                        )
                    })),
                );
            }
        }
    })?;
    if !read {
        problems.push(Problem::file(
            FileKind::Forecasts,
            t!("the file changed while it was read", "文件在读取过程中被改动了"),
        ));
        return Ok(false);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<u64>) -> Vec<u64> {
        v.sort_unstable();
        v
    }

    #[test]
    fn hashes_written_out_read_back_whole_and_in_their_partitions() {
        // Two blocks per slab and four blocks held: written out after every few partitions.
        let mut d = DealHashes::with_limits(2 * DEAL_BLOCK, 4 * DEAL_BLOCK);
        let hashes: Vec<u64> =
            (0..50_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1).collect();
        for &h in &hashes {
            d.push(h);
        }
        d.finish();
        assert!(d.written > 0 && d.file.is_some(), "nothing was written out");
        assert_eq!(d.slabs.len(), 2, "the slabs are used again");
        assert!(d.slabs.iter().all(|s| s.capacity() == 2 * DEAL_BLOCK));
        let mut seen = 0;
        for p in 0..DEAL_PARTS {
            let mut got = d.spilled(p).unwrap();
            got.extend(d.part(p).flatten());
            let want: Vec<u64> =
                hashes.iter().copied().filter(|h| (h >> 56) as usize == p).collect();
            assert_eq!(sorted(got), sorted(want), "partition {p}");
            seen += d.spilled(p).unwrap().len() + d.part(p).map(<[u64]>::len).sum::<usize>();
        }
        assert_eq!(seen, hashes.len());
    }

    #[test]
    fn repeats_are_found_across_memory_and_the_scratch_file() {
        let mut d = DealHashes::with_limits(DEAL_BLOCK, DEAL_BLOCK);
        let h = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for i in 0..20_000 {
            d.push(h(i));
        }
        d.push(h(7)); // written out long ago
        d.push(h(19_999)); // still in memory
        d.finish();
        let p7 = (h(7) >> 56) as usize;
        let disk = d.spilled(p7).unwrap();
        let found = repeats_in(std::iter::once(&disk[..]).chain(d.part(p7)));
        assert_eq!(found, [h(7)]);
        let p = (h(19_999) >> 56) as usize;
        let disk = d.spilled(p).unwrap();
        let found = repeats_in(std::iter::once(&disk[..]).chain(d.part(p)));
        assert_eq!(found, if p == p7 { vec![h(7), h(19_999)] } else { vec![h(19_999)] });
    }
}
