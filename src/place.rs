//! Placing output files: the files of one run replace the previous run's as a set.
//!
//! 1. Every file is rendered into a temporary name beside its final one (`.rollup.csv.PID.tmp`),
//!    the files in parallel. A failure or a kill here leaves the previous set untouched; a
//!    failed run removes its temporary files, and the next run removes a killed run's.
//! 2. A commit record (`.forecast-rollup.commit`) listing the renames is written, itself by
//!    write-and-rename, so it is either whole or absent.
//! 3. The temporary files are renamed onto the final names, and the record is removed.
//!
//! A run killed during step 3 (a few renames, microseconds) leaves the record behind: the next
//! command that places files in the folder, or reads a rollup.json from it, first finishes
//! those renames ([`recover`]). So the folder goes from the old set to the new set, and a mix is
//! never kept. Before step 2, every final name is checked to be replaceable (not a folder), so a
//! rename that would fail halfway is refused before anything is replaced.
//!
//! The files are not fsync'ed: the renames are atomic for any reader, a sync would add
//! power-loss durability at the cost of most of a small run's time, and every output can be
//! made again from its inputs.

use crate::t;
use crate::text::{said, SaidContext};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output file: its name in the folder and the renderer that writes it.
pub type Output<'a> = (&'a str, &'a (dyn Fn(&mut dyn Write) -> anyhow::Result<()> + Sync));

/// The name of the commit record.
pub const COMMIT: &str = ".forecast-rollup.commit";

/// Writes `outputs` into `dir` as one set (see the module notes) and returns each file's path
/// and size. `inputs` are the run's input files: an output never overwrites one.
pub fn replace_set(
    dir: &Path,
    outputs: &[Output],
    inputs: &[PathBuf],
) -> anyhow::Result<Vec<(PathBuf, u64)>> {
    if dir.exists() && !dir.is_dir() {
        let shown = dir.display();
        anyhow::bail!(said(t!(
            "output folder {shown} is a file, not a folder",
            "输出文件夹 {shown} 是文件，不是文件夹"
        )));
    }
    // A missing folder (and its parents) is made, as `mkdir -p` would.
    let shown = dir.display();
    std::fs::create_dir_all(dir)
        .said(|| t!("cannot create the output folder {shown}", "无法创建输出文件夹 {shown}"))?;
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| p.canonicalize().ok()).collect();
    for (name, _) in outputs {
        let target = dir.join(name);
        if target.canonicalize().is_ok_and(|c| inputs.contains(&c)) {
            let target = target.display();
            anyhow::bail!(said(t!(
                "refusing to write {target}: it is one of the input files",
                "拒绝写出 {target}：它是输入文件之一"
            )));
        }
        if target.is_dir() {
            let target = target.display();
            anyhow::bail!(said(t!(
                "cannot replace {target}: it is a folder; move it away and run again",
                "无法替换 {target}：它是文件夹；请把它移走后重新运行"
            )));
        }
    }
    recover(dir)?;
    remove_stale_temps(dir, outputs);
    let pid = std::process::id();
    let temps: Vec<(String, PathBuf, PathBuf)> = outputs
        .iter()
        .map(|(name, _)| {
            let tmp = format!(".{name}.{pid}.tmp");
            (tmp.clone(), dir.join(&tmp), dir.join(name))
        })
        .collect();
    let written: Vec<anyhow::Result<u64>> = outputs
        .par_iter()
        .zip(&temps)
        .map(|((_, render), (_, tmp, _))| {
            let file = std::fs::File::create(tmp)
                .said(|| t!("cannot write in {shown}", "无法在 {shown} 中写入"))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            let tmp_shown = tmp.display();
            // An I/O error is the disk's, said with the file; anything else (a value a format
            // cannot hold) is the renderer's own message.
            render(&mut w).map_err(|e| match e.downcast::<std::io::Error>() {
                Ok(io) => anyhow::Error::new(
                    said(t!("cannot write {tmp_shown}", "无法写入 {tmp_shown}")).because(io),
                ),
                Err(other) => other,
            })?;
            w.flush().said(|| t!("cannot write {tmp_shown}", "无法写入 {tmp_shown}"))?;
            Ok(std::fs::metadata(tmp).map(|m| m.len()).unwrap_or(0))
        })
        .collect();
    let sizes = written.into_iter().collect::<anyhow::Result<Vec<u64>>>().and_then(|sizes| {
        let record: String = temps
            .iter()
            .zip(outputs)
            .map(|((tmp, _, _), (name, _))| format!("{tmp}\t{name}\n"))
            .collect();
        let staged = dir.join(format!("{COMMIT}.{pid}.tmp"));
        std::fs::write(&staged, record)
            .and_then(|()| std::fs::rename(&staged, dir.join(COMMIT)))
            .said(|| t!("cannot write in {shown}", "无法在 {shown} 中写入"))?;
        Ok(sizes)
    });
    let sizes = match sizes {
        Ok(s) => s,
        Err(e) => {
            for (_, tmp, _) in &temps {
                let _ = std::fs::remove_file(tmp);
            }
            let _ = std::fs::remove_file(dir.join(format!("{COMMIT}.{pid}.tmp")));
            return Err(e);
        }
    };
    recover(dir)?;
    Ok(temps.into_iter().zip(sizes).map(|((_, _, target), size)| (target, size)).collect())
}

/// Finishes a set that a killed run committed but did not finish placing: renames what its
/// commit record lists (the files not yet renamed) and removes the record. Nothing to do where
/// there is no record.
pub fn recover(dir: &Path) -> anyhow::Result<()> {
    let path = dir.join(COMMIT);
    let record = match std::fs::read_to_string(&path) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            let shown = path.display();
            return Err(e).said(|| t!("cannot read {shown}", "无法读取 {shown}"));
        }
    };
    for line in record.lines() {
        let Some((tmp, name)) = line.split_once('\t') else { continue };
        // Names only: a record never moves a file out of its folder.
        if [tmp, name].iter().any(|n| n.contains(['/', '\\']) || n.starts_with("..")) {
            continue;
        }
        let (tmp, target) = (dir.join(tmp), dir.join(name));
        if tmp.is_file() {
            let (from, to) = (tmp.display(), target.display());
            std::fs::rename(&tmp, &target)
                .said(|| t!("cannot rename {from} to {to}", "无法把 {from} 改名为 {to}"))?;
        }
    }
    let shown = path.display();
    std::fs::remove_file(&path).said(|| t!("cannot remove {shown}", "无法删除 {shown}"))
}

/// Removes `.NAME.PID.tmp` files that a killed run left beside these outputs (and its staged
/// commit record). A file is removed only when its process is gone (Linux's /proc says so);
/// elsewhere nothing is touched.
fn remove_stale_temps(dir: &Path, outputs: &[Output]) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let commit = COMMIT.trim_start_matches('.');
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else { continue };
        for base in outputs.iter().map(|(o, _)| *o).chain([commit]) {
            let pid = name
                .strip_prefix('.')
                .and_then(|n| n.strip_prefix(base))
                .and_then(|n| n.strip_prefix('.'))
                .and_then(|n| n.strip_suffix(".tmp"))
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(pid) = pid {
                if !Path::new("/proc").join(pid.to_string()).exists() {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    #[test]
    fn a_set_killed_while_renaming_is_finished_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A run killed after renaming rollup.csv, before rollup.json.
        put(d, "rollup.csv", "new csv");
        put(d, "rollup.json", "old json");
        put(d, ".rollup.json.999999999.tmp", "new json");
        put(
            d,
            COMMIT,
            ".rollup.csv.999999999.tmp\trollup.csv\n.rollup.json.999999999.tmp\trollup.json\n",
        );
        recover(d).unwrap();
        assert_eq!(
            (read(d, "rollup.csv"), read(d, "rollup.json")),
            ("new csv".into(), "new json".into())
        );
        assert!(!d.join(COMMIT).exists());
        assert!(!d.join(".rollup.json.999999999.tmp").exists());
        // Nothing to do twice.
        recover(d).unwrap();
    }

    #[test]
    fn a_set_is_placed_whole_and_reports_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        put(d, "a.txt", "old a");
        put(d, "b.txt", "old b");
        let a = |w: &mut dyn Write| -> anyhow::Result<()> { Ok(w.write_all(b"new a!")?) };
        let b = |w: &mut dyn Write| -> anyhow::Result<()> { Ok(w.write_all(b"new b")?) };
        let placed = replace_set(d, &[("a.txt", &a), ("b.txt", &b)], &[]).unwrap();
        assert_eq!(placed, vec![(d.join("a.txt"), 6), (d.join("b.txt"), 5)]);
        assert_eq!((read(d, "a.txt"), read(d, "b.txt")), ("new a!".into(), "new b".into()));
        let mut left: Vec<_> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["a.txt", "b.txt"]);
    }

    #[test]
    fn a_failing_renderer_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        put(d, "a.txt", "old a");
        put(d, "b.txt", "old b");
        let a = |w: &mut dyn Write| -> anyhow::Result<()> { Ok(w.write_all(b"new a")?) };
        let b = |_: &mut dyn Write| -> anyhow::Result<()> { anyhow::bail!("disk full") };
        assert!(replace_set(d, &[("a.txt", &a), ("b.txt", &b)], &[]).is_err());
        assert_eq!((read(d, "a.txt"), read(d, "b.txt")), ("old a".into(), "old b".into()));
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 2);
    }
}
