//! `forecast-rollup gen`: writes a realistic pack of any size, for benchmarks and scale tests.
//! Deterministic: the same arguments give the same bytes. Large packs are generated, never
//! committed.
//!
//! Shape: a national root, about 7 regions under it, supervisors with about 10 reps each, and
//! evenly sized levels in between for deeper trees. Amounts follow a log-normal distribution
//! (median ¥20,000), drawn from an integer quantile table so that no floating point is
//! involved; about 1 line in 50 has three decimals and 1 in 100 is negative (a credit). About 1
//! node in 10 is not reviewed; some confidences are percentages; every manager has a target.

use crate::t;
use crate::text::SaidContext;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// 64 quantiles (in cents) of a log-normal amount with median 20,000 and σ = 1.
const AMOUNT_QUANTILES: [u64; 64] = [
    178278, 274095, 343515, 403386, 458259, 510147, 560150, 608951, 657016, 704680, 752202, 799787,
    847608, 895811, 944530, 993883, 1043983, 1094938, 1146853, 1199832, 1253979, 1309403, 1366212,
    1424521, 1484451, 1546128, 1609688, 1675275, 1743045, 1813167, 1885823, 1961212, 2039555,
    2121090, 2206085, 2294834, 2387668, 2484954, 2587108, 2694600, 2807962, 2927804, 3054828,
    3189845, 3333801, 3487806, 3653175, 3831480, 4024620, 4234912, 4465226, 4719164, 5001330,
    5317720, 5676333, 6088133, 6568671, 7140950, 7840879, 8728685, 9916062, 11644309, 14593483,
    22436884,
];

const CONFIDENCES: [&str; 12] =
    ["0.5", "0.8", "0.85", "0.9", "0.95", "1", "1.05", "1.1", "1.2", "1.25", "90%", "110%"];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "霞", "平",
    "刚", "桂英", "建国", "晓燕",
];

/// The shape of a generated pack.
#[derive(Debug, clap::Args)]
pub struct Shape {
    /// Folder to write org.csv, forecasts.csv, confidence.csv and targets.csv into.
    pub out_dir: PathBuf,
    /// Number of reps (leaves).
    #[arg(long, default_value_t = 10_000)]
    pub reps: u64,
    /// Forecast lines per rep per period, on average.
    #[arg(long, default_value_t = 10)]
    pub lines_per_rep: u64,
    /// Levels from national to reps, both included (4: national, region, supervisor, rep).
    #[arg(long, default_value_t = 4)]
    pub depth: u32,
    /// Number of periods (quarters from 2026-Q1).
    #[arg(long, default_value_t = 1)]
    pub periods: u32,
    /// Seed of the pseudo-random choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Give every 50th supervisor a forecast line of its own.
    #[arg(long)]
    pub manager_lines: bool,
    /// Write CRLF line ends, as Excel on Windows does.
    #[arg(long)]
    pub crlf: bool,
}

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Node counts per level, root first, reps last.
fn level_sizes(reps: u64, depth: u32) -> Vec<u64> {
    let depth = depth.max(2) as usize;
    let mut sizes = vec![1u64; depth];
    sizes[depth - 1] = reps;
    if depth >= 3 {
        sizes[depth - 2] = reps.div_ceil(10).max(1);
    }
    if depth >= 4 {
        sizes[1] = 7.min(sizes[depth - 2]);
        // Levels between the regions and the supervisors grow geometrically.
        let (a, b) = (sizes[1], sizes[depth - 2]);
        let steps = (depth - 3) as u32;
        for (k, size) in sizes.iter_mut().enumerate().take(depth - 2).skip(2) {
            let k = (k - 1) as u32;
            // a × (b/a)^(k/steps), in integers: the k-th root by bisection.
            let mut lo = a;
            let mut hi = b;
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                let fits =
                    (mid as u128).pow(steps) <= (a as u128).pow(steps - k) * (b as u128).pow(k);
                if fits {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            *size = lo.max(a);
        }
    }
    sizes
}

fn level_label(level: usize, depth: usize) -> &'static str {
    match (level, depth - 1 - level) {
        (0, _) => "全国",
        (_, 0) => "销售",
        (_, 1) => "主管",
        (1, _) if depth >= 5 => "大区经理",
        _ => "区域经理",
    }
}

fn node_id(level: usize, depth: usize, j: u64) -> String {
    match (level, depth - 1 - level) {
        (0, _) => "CN".to_string(),
        (_, 0) => format!("R{j:06}"),
        (_, 1) => format!("S{j:05}"),
        _ => format!("M{level}-{j:04}"),
    }
}

/// Writes the pack described by `args` into `args.out_dir`.
pub fn generate(args: &Shape) -> anyhow::Result<()> {
    let shown = args.out_dir.display();
    std::fs::create_dir_all(&args.out_dir)
        .said(|| t!("cannot create {shown}", "无法创建 {shown}"))?;
    let eol = if args.crlf { "\r\n" } else { "\n" };
    let depth = args.depth.max(2) as usize;
    let sizes = level_sizes(args.reps.max(1), args.depth);
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    // org.csv, level by level; each node's parent is spread evenly over the level above.
    let mut ids: Vec<Vec<String>> = Vec::with_capacity(depth);
    let mut parents: Vec<Vec<u64>> = Vec::with_capacity(depth);
    let mut org = format!("id,parent_id,name,level{eol}");
    for (level, &n) in sizes.iter().enumerate() {
        let mut level_ids = Vec::with_capacity(n as usize);
        let mut level_parents = Vec::with_capacity(n as usize);
        for j in 0..n {
            let id = node_id(level, depth, j);
            let parent = if level == 0 { 0 } else { j * sizes[level - 1] / n };
            let parent_id = if level == 0 { "" } else { ids[level - 1][parent as usize].as_str() };
            let name =
                format!("{}{}", SURNAMES[rng.below(20) as usize], GIVEN[rng.below(20) as usize]);
            let _ = write!(org, "{id},{parent_id},{name},{}{eol}", level_label(level, depth));
            level_ids.push(id);
            level_parents.push(parent);
        }
        ids.push(level_ids);
        parents.push(level_parents);
    }
    std::fs::write(args.out_dir.join("org.csv"), org)?;

    let periods: Vec<String> =
        (0..args.periods.max(1)).map(|p| format!("{}-Q{}", 2026 + p / 4, p % 4 + 1)).collect();

    // forecasts.csv: lines spread over reps at random, `lines_per_rep` per rep on average.
    let reps = &ids[depth - 1];
    let path = args.out_dir.join("forecasts.csv");
    let shown = path.display();
    let file =
        std::fs::File::create(&path).said(|| t!("cannot write {shown}", "无法写入 {shown}"))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    write!(w, "rep_id,period,amount,deal_id{eol}")?;
    let mut line = String::with_capacity(64);
    let mut deal: u64 = 0;
    for period in &periods {
        let lines = args.reps * args.lines_per_rep;
        for _ in 0..lines {
            deal += 1;
            let rep = &reps[rng.below(reps.len() as u64) as usize];
            let q = rng.below(64) as usize;
            let next = AMOUNT_QUANTILES.get(q + 1).copied().unwrap_or(AMOUNT_QUANTILES[q] * 3 / 2);
            let cents = AMOUNT_QUANTILES[q] + rng.below(next - AMOUNT_QUANTILES[q]);
            let sign = if rng.below(100) == 0 { "-" } else { "" };
            line.clear();
            if rng.below(50) == 0 {
                let mills = cents * 10 + rng.below(10);
                let _ = write!(
                    line,
                    "{rep},{period},{sign}{}.{:03},D{deal:08}{eol}",
                    mills / 1000,
                    mills % 1000
                );
            } else {
                let _ = write!(
                    line,
                    "{rep},{period},{sign}{}.{:02},D{deal:08}{eol}",
                    cents / 100,
                    cents % 100
                );
            }
            w.write_all(line.as_bytes())?;
        }
        if args.manager_lines && depth >= 3 {
            for (j, sup) in ids[depth - 2].iter().enumerate().step_by(50) {
                deal += 1;
                let _ = j;
                write!(w, "{sup},{period},{}.00,D{deal:08}{eol}", 10_000 + rng.below(90_000))?;
            }
        }
    }
    w.flush()?;

    // confidence.csv: about 9 in 10 nodes reviewed by their parent; some period overrides.
    let mut conf = format!("subject_id,reviewer_id,period,confidence,note{eol}");
    for level in 1..depth {
        for (j, id) in ids[level].iter().enumerate() {
            if rng.below(10) == 0 {
                continue;
            }
            let parent = &ids[level - 1][parents[level][j] as usize];
            let c = CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize];
            let _ = write!(conf, "{id},{parent},,{c},{eol}");
            if rng.below(20) == 0 {
                let c = CONFIDENCES[rng.below(CONFIDENCES.len() as u64) as usize];
                let _ = write!(conf, "{id},{parent},{},{c},期间调整{eol}", periods[0]);
            }
        }
    }
    std::fs::write(args.out_dir.join("confidence.csv"), conf)?;

    // targets.csv: every manager, about what its reps would forecast, in thousands.
    let mut under: Vec<Vec<u64>> = sizes.iter().map(|&n| vec![0; n as usize]).collect();
    under[depth - 1].iter_mut().for_each(|c| *c = 1);
    for level in (1..depth).rev() {
        for j in 0..sizes[level] as usize {
            let p = parents[level][j] as usize;
            under[level - 1][p] += under[level][j];
        }
    }
    let mut targets = format!("node_id,period,target{eol}");
    for period in &periods {
        for level in 0..depth - 1 {
            for (j, id) in ids[level].iter().enumerate() {
                let base = under[level][j] * args.lines_per_rep * 30;
                let target = base * (90 + rng.below(25)) / 100;
                let _ = write!(targets, "{id},{period},{}000{eol}", target.max(1));
            }
        }
    }
    std::fs::write(args.out_dir.join("targets.csv"), targets)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_narrow_from_reps_to_the_root() {
        assert_eq!(level_sizes(10_000, 4), vec![1, 7, 1000, 10_000]);
        assert_eq!(level_sizes(100_000, 5), vec![1, 7, 264, 10_000, 100_000]);
        assert_eq!(level_sizes(5, 3), vec![1, 1, 5]);
        assert_eq!(level_sizes(3, 2), vec![1, 3]);
    }

    #[test]
    fn labels_follow_the_chinese_hierarchy() {
        let labels: Vec<&str> = (0..5).map(|l| level_label(l, 5)).collect();
        assert_eq!(labels, ["全国", "大区经理", "区域经理", "主管", "销售"]);
    }
}
