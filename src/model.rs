//! The validated pack: the org tree with ids interned to integer indices, the sorted periods, and
//! per period and node the inputs of the roll-up (own lines, confidence, target).
//!
//! Node indices are org.csv row indices, so every node can always cite its `org.csv` line.

use crate::exact::Exact;
use crate::problem::{quoted, Source};
use crate::t;
use crate::text::Text;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// One row of org.csv.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: String,
    /// Empty for the root.
    pub parent_id: String,
    pub name: String,
    pub level: String,
    pub src: Source,
}

/// What happened to the file's lines, for the summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LineStats {
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

pub type NodeIx = u32;

/// An id of up to 15 bytes as one integer (length in the top byte), so that looking it up is an
/// integer hash and compare, not a `memcmp` of a boxed key. Built from two fixed-width loads that
/// overlap in the middle (the first and last 4 or 8 bytes): with the length, they determine
/// every byte, so different ids always get different keys.
pub fn short_key(id: &[u8]) -> Option<u128> {
    let n = id.len();
    let k: u128 = match n {
        0 => 0,
        1..=3 => id.iter().enumerate().fold(0, |k, (i, &b)| k | u128::from(b) << (8 * i)),
        4..=7 => {
            let lo = u32::from_le_bytes(id[..4].try_into().ok()?);
            let hi = u32::from_le_bytes(id[n - 4..].try_into().ok()?);
            u128::from(lo) | u128::from(hi) << 32
        }
        8..=15 => {
            let lo = u64::from_le_bytes(id[..8].try_into().ok()?);
            // The last 7 bytes: enough, with the first 8, for any length up to 15.
            let hi = u64::from_le_bytes(id[n - 8..].try_into().ok()?) >> 8;
            u128::from(lo) | u128::from(hi) << 64
        }
        _ => return None,
    };
    Some(k | (n as u128) << 120)
}

/// A full-avalanche mix of a packed key: ids such as `R000123` differ only in their last bytes,
/// and every bit of the hash must depend on them.
fn mix(key: u128) -> u64 {
    let mut z = (key as u64) ^ ((key >> 64) as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Packed short ids → node, open addressing with linear probing and keys inline, so one lookup
/// touches one cache line and can be prefetched ahead of use. Key 0 (an empty id) marks a free
/// slot; empty ids are never stored.
#[derive(Debug, Default)]
struct ShortTable {
    shift: u32,
    slots: Vec<(u128, NodeIx)>,
}

impl ShortTable {
    fn with_capacity(n: usize) -> ShortTable {
        // At most two thirds full, so that a probe rarely leaves the first cache line; a
        // power of two between 1.5 and 3 slots per id.
        let cap = (n + n / 2).next_power_of_two().max(16);
        ShortTable { shift: 64 - cap.trailing_zeros(), slots: vec![(0, 0); cap] }
    }

    fn home(&self, key: u128) -> usize {
        (mix(key) >> self.shift) as usize
    }

    /// Inserts unless present; the first node wins.
    fn insert(&mut self, key: u128, node: NodeIx) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while self.slots[i].0 != 0 {
            if self.slots[i].0 == key {
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, node);
    }

    fn get(&self, key: u128) -> Option<NodeIx> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let (k, node) = self.slots[i];
            if k == key {
                return Some(node);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    fn prefetch(&self, key: u128) {
        if let Some(slot) = self.slots.get(self.home(key)) {
            prefetch(slot);
        }
    }
}

/// Asks the CPU to start loading `r`'s cache line; a hint with no effect on results.
#[inline(always)]
pub fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing and cannot fault, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (r as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// Ids of org.csv → node index, looked up by bytes on the hot path (no allocation per line).
#[derive(Debug, Default)]
pub struct IdIndex {
    short: ShortTable,
    map: FxHashMap<Box<[u8]>, NodeIx>,
    ids: Vec<String>,
    /// Each node's display name, for "that is the name of …".
    names: Vec<String>,
    /// Built only when a suggestion is needed (see [`IdIndex::hint`]).
    near: OnceLock<NearIndex>,
}

/// What an unknown id may be a near miss of, each keyed for a direct lookup.
#[derive(Debug, Default)]
struct NearIndex {
    /// [`crate::suggest::fold`] of each id (case, spaces, full width).
    folded: FxHashMap<String, Vec<NodeIx>>,
    /// [`crate::suggest::look_alike`] of each id (`O`/`0`, `l`/`1`).
    look_alike: FxHashMap<String, Vec<NodeIx>>,
    /// All-digit ids without their leading zeros (`00123` → `123`).
    zeros: FxHashMap<String, Vec<NodeIx>>,
    /// Each folded id with one character deleted: two texts one edit apart share an entry.
    deletions: FxHashMap<String, Vec<NodeIx>>,
    /// Display names (trimmed).
    names: FxHashMap<String, Vec<NodeIx>>,
}

/// `text` with each one character deleted in turn.
fn deletions(text: &str) -> impl Iterator<Item = String> + '_ {
    text.char_indices().map(move |(i, c)| {
        let mut s = String::with_capacity(text.len());
        s.push_str(&text[..i]);
        s.push_str(&text[i + c.len_utf8()..]);
        s
    })
}

/// Whether a row's first cell marks it as a spreadsheet's totals row (合计, 总计, 小计, Total,
/// Sum): a sum of the rows above, which would count them twice.
pub fn is_totals_label(text: &str) -> bool {
    let t = crate::suggest::fold(text);
    let t = t.trim_end_matches([':', '：']);
    // Excel's Data → Subtotal writes `XS0012 汇总` / `XS0012 Total` and `总计` / `Grand Total`.
    matches!(t, "sum" | "totals" | "总和" | "共计")
        || ["合计", "总计", "小计", "汇总", "total"].iter().any(|w| t.ends_with(w))
}

/// A problem for a totals row, at its line.
pub fn totals_row(src: Source, label: &str) -> crate::problem::Problem {
    crate::problem::Problem::at(
        src,
        t!(
            "a totals row ({}): it adds up the rows above, which are counted already",
            "合计行（{}）：它把上面已经计入的行又加了一遍",
            quoted(label.trim())
        ),
    )
    .hint(t!(
        "delete this row; the roll-up adds the lines itself",
        "请删除这一行；汇总会自己把各行相加"
    ))
}

/// Whether `text` is a long number a spreadsheet rounded to 15 significant digits (it shows
/// zeros after them), or showed in scientific notation.
pub fn digits_lost(text: &str) -> Option<Text> {
    let t = text.trim();
    let b = t.as_bytes();
    let sci = b.first().is_some_and(u8::is_ascii_digit)
        && t.to_ascii_uppercase().split_once("E+").is_some_and(|(m, e)| {
            let m = m.replace('.', "");
            !m.is_empty()
                && m.bytes().all(|c| c.is_ascii_digit())
                && !e.is_empty()
                && e.bytes().all(|c| c.is_ascii_digit())
        });
    if sci {
        return Some(t!(
            "a spreadsheet showed this number-like id in scientific notation, so its digits are lost",
            "电子表格把这个数字样的 id 显示成了科学计数法，其数字已经丢失"
        ));
    }
    if b.len() >= 16 && b.iter().all(u8::is_ascii_digit) && b[15..].iter().all(|&c| c == b'0') {
        return Some(t!(
            "a spreadsheet stored this id as a number and kept 15 digits (the rest became zeros)",
            "电子表格把这个 id 存成了数字，只保留了 15 位（其余变成了 0）"
        ));
    }
    None
}

pub use crate::suggest::{fold as fold_id, folded_chars};

impl IdIndex {
    /// Indexes org rows; where an id repeats, the first row wins (the repeat is a problem).
    pub fn new(rows: &[OrgRow]) -> IdIndex {
        let mut short = ShortTable::with_capacity(rows.len());
        let mut map = FxHashMap::default();
        for (i, r) in rows.iter().enumerate() {
            if r.id.is_empty() {
                continue;
            }
            match short_key(r.id.as_bytes()) {
                Some(k) => short.insert(k, i as NodeIx),
                None => {
                    map.entry(r.id.as_bytes().into()).or_insert(i as NodeIx);
                }
            }
        }
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        let names = rows.iter().map(|r| r.name.clone()).collect();
        IdIndex { short, map, ids, names, near: OnceLock::new() }
    }

    pub fn get(&self, id: &[u8]) -> Option<NodeIx> {
        self.get_keyed(id, short_key(id))
    }

    /// [`IdIndex::get`] with the id's [`short_key`] already computed.
    pub fn get_keyed(&self, id: &[u8], key: Option<u128>) -> Option<NodeIx> {
        match key {
            Some(0) => None,
            Some(k) => self.short.get(k),
            None => self.map.get(id).copied(),
        }
    }

    /// Starts loading the table slot of a short id, ahead of [`IdIndex::get_keyed`].
    pub fn prefetch(&self, key: Option<u128>) {
        if let Some(k) = key {
            self.short.prefetch(k);
        }
    }

    pub fn get_str(&self, id: &str) -> Option<NodeIx> {
        self.get(id.as_bytes())
    }

    /// Number of org rows (node indices run `0..len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// An existing id that differs from `id` only by case, white space or full width.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        let near = self.near();
        let found = near.folded.get(&crate::suggest::fold(id))?;
        Some(self.ids[found[0] as usize].as_str())
    }

    fn near(&self) -> &NearIndex {
        self.near.get_or_init(|| {
            let mut n = NearIndex::default();
            for (i, id) in self.ids.iter().enumerate() {
                if id.is_empty() {
                    continue;
                }
                let v = i as NodeIx;
                let f = crate::suggest::fold(id);
                for d in deletions(&f) {
                    n.deletions.entry(d).or_default().push(v);
                }
                n.folded.entry(f).or_default().push(v);
                n.look_alike.entry(crate::suggest::look_alike(id)).or_default().push(v);
                if id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()) {
                    n.zeros.entry(id.trim_start_matches('0').to_string()).or_default().push(v);
                }
                let name = self.names[i].trim();
                if !name.is_empty() {
                    n.names.entry(name.to_string()).or_default().push(v);
                }
            }
            n
        })
    }

    /// What to tell someone who wrote `text` where an id was expected, and it is no id: the
    /// damage a spreadsheet did to it, the node it names, or the id it nearly is. `None` when
    /// nothing is near.
    pub fn hint(&self, text: &str) -> Option<Text> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let near = self.near();
        let id = |v: NodeIx| self.ids[v as usize].as_str();
        let one = |found: Option<&Vec<NodeIx>>| -> Option<NodeIx> {
            let mut ids: Vec<NodeIx> = found?.clone();
            ids.sort_unstable();
            ids.dedup_by_key(|v| self.ids[*v as usize].clone());
            (ids.len() == 1).then(|| ids[0])
        };
        if let Some(v) = one(near.folded.get(&crate::suggest::fold(t))) {
            return Some(t!("did you mean {}?", "是否想写 {}？", quoted(id(v))));
        }
        if let Some(found) = near.names.get(t) {
            let ids: Vec<String> = found.iter().map(|&v| quoted(id(v))).collect();
            return Some(match ids.as_slice() {
                [one] => {
                    t!("that is the name of {one}; write its id", "这是 {one} 的名字；请写它的 id")
                }
                many => {
                    let (en, zh) = (many.join(" and "), many.join(" 和 "));
                    t!(
                        ("that is the name of {}; write the id of the one meant", en),
                        ("这是 {} 的名字；请写所指那一位的 id", zh)
                    )
                }
            });
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(v) = one(near.zeros.get(t.trim_start_matches('0'))) {
                return Some(t!(
                    "did you mean {}? a spreadsheet dropped its leading zeros: format the id column as Text before exporting",
                    "是否想写 {}？电子表格去掉了开头的 0：导出前请把 id 列设为“文本”格式",
                    quoted(id(v))
                ));
            }
        }
        // `1002.0`: a number column's float.
        if let Some(int) = t.strip_suffix(".0").filter(|i| i.bytes().all(|b| b.is_ascii_digit())) {
            if let Some(v) = one(near.folded.get(int))
                .or_else(|| one(near.zeros.get(int.trim_start_matches('0'))))
            {
                return Some(t!(
                    "did you mean {}? A number column added \".0\": format the id column as Text before exporting",
                    "是否想写 {}？数值列加上了“.0”：导出前请把 id 列设为“文本”格式",
                    quoted(id(v))
                ));
            }
        }
        if let Some(why) = digits_lost(t) {
            return Some(t!(
                "{}: format the column as Text in Excel/WPS, re-enter the ids, and export again",
                "{}：请在 Excel/WPS 中把该列设为“文本”格式，重新输入 id 后再导出",
                why
            ));
        }
        if let Some(v) = one(near.look_alike.get(&crate::suggest::look_alike(t))) {
            return Some(t!("did you mean {}?", "是否想写 {}？", quoted(id(v))));
        }
        // One edit away: the text with a character deleted, or the text itself, meets an id
        // with a character deleted (or the id itself).
        let f = crate::suggest::fold(t);
        let mut cands: Vec<NodeIx> = Vec::new();
        for key in deletions(&f).chain(std::iter::once(f.clone())) {
            if let Some(found) = near.deletions.get(&key) {
                cands.extend(found);
            }
            if let Some(found) = near.folded.get(&key) {
                cands.extend(found);
            }
        }
        cands.sort_unstable();
        cands.dedup();
        cands.retain(|&v| strsim::damerau_levenshtein(&crate::suggest::fold(id(v)), &f) == 1);
        match cands.as_slice() {
            [v] => Some(t!("did you mean {}?", "是否想写 {}？", quoted(id(*v)))),
            _ => None,
        }
    }
}

/// The org tree, valid by construction (one root, no cycles, every parent known).
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: NodeIx,
    /// Parent per node; the root's is itself.
    pub parent: Vec<NodeIx>,
    /// Depth-first display order: siblings in org.csv row order.
    pub order: Vec<NodeIx>,
    pub depth: Vec<u32>,
    child_start: Vec<u32>,
    child_list: Vec<NodeIx>,
}

impl Tree {
    /// Builds the tree from resolved parents (`None` for the root). The caller has checked that
    /// there is exactly one root and no cycle.
    pub fn new(parents: &[Option<NodeIx>]) -> Tree {
        let n = parents.len();
        let root = parents.iter().position(Option::is_none).unwrap_or(0) as NodeIx;
        let parent: Vec<NodeIx> =
            parents.iter().enumerate().map(|(i, p)| p.unwrap_or(i as NodeIx)).collect();
        // Children in row order, as a compressed list (one allocation for the whole tree).
        let mut child_start = vec![0u32; n + 1];
        for (i, p) in parents.iter().enumerate() {
            if p.is_some() {
                child_start[parent[i] as usize + 1] += 1;
            }
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut child_list = vec![0; n.saturating_sub(1)];
        for (i, p) in parents.iter().enumerate() {
            if let Some(p) = p {
                child_list[fill[*p as usize] as usize] = i as NodeIx;
                fill[*p as usize] += 1;
            }
        }
        // Pre-order with an explicit stack: a chain a million deep must not overflow anything.
        let mut order = Vec::with_capacity(n);
        let mut depth = vec![0u32; n];
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            order.push(v);
            let (a, b) = (child_start[v as usize] as usize, child_start[v as usize + 1] as usize);
            for &c in child_list[a..b].iter().rev() {
                depth[c as usize] = depth[v as usize] + 1;
                stack.push(c);
            }
        }
        Tree { root, parent, order, depth, child_start, child_list }
    }

    pub fn children(&self, v: NodeIx) -> &[NodeIx] {
        let v = v as usize;
        &self.child_list[self.child_start[v] as usize..self.child_start[v + 1] as usize]
    }

    pub fn is_leaf(&self, v: NodeIx) -> bool {
        self.children(v).is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }
}

/// A confidence as it applies to one node in one period.
#[derive(Debug, Clone, Copy)]
pub struct Given {
    pub value: Exact,
    /// Index into [`Pack::confidence_rows`]: where it came from and its note.
    pub row: u32,
}

/// The inputs of one period's roll-up, per node.
#[derive(Debug, Clone)]
pub struct PeriodInputs {
    pub period: String,
    /// The exact sum of each node's own forecast lines.
    pub own: Vec<Exact>,
    /// How many lines each node has.
    pub lines: Vec<u32>,
    /// The confidence given to each node (`None`: not reviewed, counts at 1).
    pub confidence: Vec<Option<Given>>,
    pub target: Vec<Option<Exact>>,
}

/// One deal of one rep (or manager) in one period: the sum of its lines.
#[derive(Debug, Clone)]
pub struct Deal {
    pub node: NodeIx,
    /// Index into the pack's periods.
    pub period: u32,
    /// As given; empty for the lines without a deal_id, summed into one item per node.
    pub deal_id: String,
    pub amount: Exact,
    /// How many forecast lines were summed into `amount`.
    pub lines: u32,
}

/// A confidence row as kept for notes and review.
#[derive(Debug, Clone)]
pub struct ConfidenceNote {
    pub note: String,
}

/// Row counts per file, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct PackStats {
    pub org_rows: u64,
    pub org_blank: u64,
    pub forecasts: LineStats,
    /// forecasts.csv's size and SHA-256, taken as it was read (when asked for).
    pub forecasts_digest: Option<(u64, [u8; 32])>,
    pub confidence_rows: u64,
    pub confidence_blank: u64,
    pub target_rows: u64,
    pub target_blank: u64,
}

/// A loaded and validated pack. (`Clone` for a scenario, which rolls up a changed copy and
/// leaves the pack as given untouched.)
#[derive(Debug, Clone)]
pub struct Pack {
    pub org: Vec<OrgRow>,
    pub tree: Tree,
    pub periods: Vec<PeriodInputs>,
    pub confidence_rows: Vec<ConfidenceNote>,
    /// Each deal's sum, when the pack was read with its deals (`review`); sorted by period,
    /// node and deal_id.
    pub deals: Vec<Deal>,
    pub stats: PackStats,
}

impl Pack {
    /// The confidence each node was given, by id, in the latest period that gives it one, in
    /// its shortest exact form (`0.9`): what `template --previous` shows as "last time".
    pub fn last_confidence(&self) -> std::collections::HashMap<String, String> {
        let mut out = std::collections::HashMap::new();
        let mut buf = [0u8; crate::exact::UNITS_BUF];
        for p in self.periods.iter().rev() {
            for (i, given) in p.confidence.iter().enumerate() {
                if let Some(g) = given {
                    out.entry(self.org[i].id.clone())
                        .or_insert_with(|| g.value.format_shortest(&mut buf).to_string());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_depth_first_with_siblings_in_row_order() {
        // 0 root; 1,2 under 0; 3 under 1; 4 under 2; 5 under 1
        let t = Tree::new(&[None, Some(0), Some(0), Some(1), Some(2), Some(1)]);
        assert_eq!(t.order, vec![0, 1, 3, 5, 2, 4]);
        assert_eq!(t.depth, vec![0, 1, 1, 2, 2, 2]);
        assert_eq!(t.children(1), &[3, 5]);
        assert!(t.is_leaf(4));
    }

    #[test]
    fn handles_a_chain_deeper_than_any_stack() {
        let n = 200_000;
        let parents: Vec<Option<NodeIx>> =
            (0..n).map(|i| if i == 0 { None } else { Some(i as NodeIx - 1) }).collect();
        let t = Tree::new(&parents);
        assert_eq!(t.depth[n - 1], n as u32 - 1);
        assert_eq!(t.order.len(), n);
    }

    #[test]
    fn finds_short_and_long_ids_and_nothing_else() {
        use crate::problem::{FileKind, Source};
        let row = |id: &str| OrgRow {
            id: id.into(),
            parent_id: String::new(),
            name: String::new(),
            level: String::new(),
            src: Source::new(FileKind::Org, 2),
        };
        let long = "a-very-long-employee-id-0001";
        let idx = IdIndex::new(&[row("R1"), row(long), row("R1\0"), row("")]);
        assert_eq!(idx.get(b"R1"), Some(0));
        assert_eq!(idx.get(long.as_bytes()), Some(1));
        assert_eq!(idx.get(b"R1\0"), Some(2));
        assert_eq!(idx.get(b"R10"), None);
        assert_eq!(idx.get(b""), None);
        assert_ne!(short_key(b"R1"), short_key(b"R1\0"));
    }

    #[test]
    fn short_keys_differ_whenever_ids_differ() {
        let mut ids: Vec<Vec<u8>> = Vec::new();
        for n in 0..=15usize {
            for fill in [b'a', b'0', 0u8, 0xff] {
                let base = vec![fill; n];
                ids.push(base.clone());
                for i in 0..n {
                    let mut v = base.clone();
                    v[i] = v[i].wrapping_add(1);
                    ids.push(v);
                }
            }
        }
        let mut seen = std::collections::HashMap::new();
        for id in &ids {
            let k = short_key(id).unwrap();
            if let Some(other) = seen.insert(k, id.clone()) {
                assert_eq!(&other, id, "two ids share a key");
            }
        }
        assert_eq!(short_key(&[b'x'; 16]), None);
    }

    #[test]
    fn folds_case_and_spaces_for_suggestions() {
        assert_eq!(fold_id(" S 001 "), "s001");
        assert_eq!(fold_id("Ｒ－Ｅ１０１"), "r-e101");
    }
}
