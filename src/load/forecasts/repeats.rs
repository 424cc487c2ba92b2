//! The repeated-deal check, exact in bounded memory: each line's `(rep, period, deal_id)` is
//! hashed to 64 bits into 256 partitions carved out of big slabs; each partition is checked for
//! repeated hashes in parallel with an open-addressing table. Only if some hash repeats is the
//! file read a second time ([`super::records::each_record`]) to find and compare the actual
//! lines, so a hash collision can never cause a false error.

use super::records::each_record;
use super::{DEAL, PERIOD, REP};
use crate::load::{headers, InputFile, ReadOptions};
use crate::model::IdIndex;
use crate::problem::{quoted, FileKind, Problem, Problems, Source};
use crate::t;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::Hasher;

pub(super) const DEAL_PARTS: usize = 256;
/// Hashes per slab: 32 MiB, always its own mapping in glibc's malloc, so the memory goes back
/// to the system as soon as the check is done (smaller allocations would stay resident in the
/// parsing threads' malloc arenas, out of reach of the stages that run next).
pub(super) const SLAB: usize = 4 << 20;
/// Hashes per block: a partition is a list of blocks inside the slabs.
pub(super) const DEAL_BLOCK: usize = 1024;

/// 64-bit deal hashes, partitioned by their top byte. Blocks of each partition are carved out of
/// big slabs: nothing is copied while they grow, and a half-filled block costs at most 8 KiB.
pub(super) struct DealHashes {
    pub(super) slabs: Vec<Vec<u64>>,
    /// Per partition, its blocks as (slab, start); every block is full but the last.
    pub(super) parts: Vec<Vec<(u32, u32)>>,
    /// Entries in each partition's last block.
    pub(super) fill: Vec<u32>,
}

impl DealHashes {
    pub(super) fn new() -> DealHashes {
        DealHashes {
            slabs: Vec::new(),
            parts: (0..DEAL_PARTS).map(|_| Vec::new()).collect(),
            fill: vec![0; DEAL_PARTS],
        }
    }

    pub(super) fn push(&mut self, h: u64) {
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
    pub(super) fn part(&self, p: usize) -> impl Iterator<Item = &[u64]> + Clone {
        let blocks = &self.parts[p];
        blocks.iter().enumerate().map(move |(k, &(s, start))| {
            let len = if k + 1 == blocks.len() { self.fill[p] as usize } else { DEAL_BLOCK };
            &self.slabs[s as usize][start as usize..start as usize + len]
        })
    }
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
