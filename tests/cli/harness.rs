//! Runs the real binary in a folder and compares what it produced with expected files.
//! `BLESS=1 cargo test` rewrites the expected files from the current output instead of
//! comparing (review the diff before committing it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The binary, with a fixed environment so outputs do not depend on the machine.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_forecast-rollup"));
    c.env_remove("RAYON_NUM_THREADS").env("LANG", "C").env_remove("LC_ALL");
    c
}

/// Runs the binary with `cwd` as the working folder.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin().current_dir(cwd).args(args).output().expect("the binary runs")
}

pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v == "1")
}

/// Compares `got` with the file at `expected`, printing the first differing lines.
pub fn assert_file(expected: &Path, got: &[u8]) {
    if blessing() {
        std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
        std::fs::write(expected, got).unwrap();
        return;
    }
    let want = std::fs::read(expected)
        .unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1 to create it)", expected.display()));
    if want != got {
        panic!("{} differs:\n{}", expected.display(), diff(&want, got));
    }
}

/// A few lines of context around the first lines that differ.
pub fn diff(want: &[u8], got: &[u8]) -> String {
    let want = String::from_utf8_lossy(want);
    let got = String::from_utf8_lossy(got);
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = w.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(w.len().min(g.len()));
    let mut out = String::new();
    for i in first.saturating_sub(2)..(first + 4).min(w.len().max(g.len())) {
        match (w.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => out.push_str(&format!("  {:>5} | {a}\n", i + 1)),
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!("- {:>5} | {a}\n", i + 1));
                }
                if let Some(b) = b {
                    out.push_str(&format!("+ {:>5} | {b}\n", i + 1));
                }
            }
        }
    }
    out.push_str(&format!("(expected {} lines, got {})", w.len(), g.len()));
    out
}

/// A temporary folder removed at the end of the test.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// Copies a pack's CSV files into `dest`.
pub fn copy_pack(src: &Path, dest: &Path) {
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, dest.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// The names of the files in a folder, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Splits a run's stderr into the `wrote PATH (N bytes)` lines of the files `--out` wrote and
/// the rest, and checks each of those lines against the file on disk.
pub fn written(stderr: &[u8]) -> (Vec<String>, Vec<u8>) {
    let text = String::from_utf8_lossy(stderr);
    let (mut wrote, mut rest) = (Vec::new(), String::new());
    for line in text.split_inclusive('\n') {
        // `wrote PATH (N bytes)`, or in Chinese `已写出 PATH（N 字节）`.
        let english = line.strip_prefix("wrote ").and_then(|w| w.trim_end().rsplit_once(" ("));
        let chinese = line.strip_prefix("已写出 ").and_then(|w| w.trim_end().rsplit_once('（'));
        match english.or(chinese) {
            Some((path, size)) => {
                let on_disk = std::fs::metadata(path).expect("the file written").len();
                let shown: u64 = size
                    .trim_end_matches(" bytes)")
                    .trim_end_matches(" byte)")
                    .trim_end_matches(" 字节）")
                    .replace(',', "")
                    .parse()
                    .unwrap();
                assert_eq!(shown, on_disk, "{line}");
                wrote.push(Path::new(path).file_name().unwrap().to_string_lossy().into_owned());
            }
            None => rest.push_str(line),
        }
    }
    (wrote, rest.into_bytes())
}

/// LibreOffice (headless) opens `workbook` and saves every sheet as `BOOK-SHEET.csv` in
/// `out`: UTF-8, comma, values not as shown. Returns `out`.
pub fn libreoffice_csv(workbook: &Path, out: &Path) -> PathBuf {
    let o = Command::new("/usr/bin/soffice")
        .env("HOME", out.join("home"))
        .args(["--headless", "--norestore", "--convert-to"])
        // UTF-8, comma, quote, values not as shown (false), every sheet (-1).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(out)
        .arg(workbook)
        .output()
        .expect("soffice runs");
    assert!(o.status.success(), "{}", text(&o.stderr));
    out.to_path_buf()
}

/// An output as it compares across runs on different files with the same rows (shuffled,
/// re-encoded): the audit record names the files by their hashes, so it is left out —
/// rollup.json without its `audit` object, rollup.xlsx as the text of its sheets but the
/// last ("Sources", 来源), a review.md without its Sources section. Any other file as it is.
pub fn without_audit(name: &str, bytes: &[u8]) -> Vec<u8> {
    if name.ends_with(".json") {
        let t = text(bytes);
        let (head, rest) = t.split_once('\n').unwrap_or((&t, ""));
        let head = match (head.find(",\"audit\":"), head.rfind(",\"rows\":[")) {
            (Some(a), Some(r)) if a < r => format!("{}{}", &head[..a], &head[r..]),
            _ => head.to_string(),
        };
        return format!("{head}\n{rest}").into_bytes();
    }
    if name.ends_with(".md") {
        let t = text(bytes);
        let cut = t.find("\n## Sources: where these numbers came from").unwrap_or(t.len());
        return t.as_bytes()[..cut].to_vec();
    }
    if name.ends_with(".xlsx") {
        use forecast_rollup::load::workbook::read_sheet_bytes;
        let dir = tmp();
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let names = forecast_rollup::load::workbook::sheet_names(&p).unwrap();
        assert!(matches!(names.last().map(String::as_str), Some("Sources" | "来源")), "{names:?}");
        let mut out = Vec::new();
        for s in &names[..names.len() - 1] {
            out.extend_from_slice(s.as_bytes());
            out.extend_from_slice(&read_sheet_bytes(bytes, Some(s)).unwrap().text);
        }
        return out;
    }
    bytes.to_vec()
}

/// The packs of a fixture corpus (`invalid`, `valid`): its folders, sorted.
pub fn corpus(name: &str) -> Vec<PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(fixture(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// The extra arguments a corpus pack is run with (its `args` file, one a line).
pub fn args_of(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .map(|s| s.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Every `.rs` file under `dir`.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// What a caught panic said (an assertion's message), to list beside the others.
pub fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
