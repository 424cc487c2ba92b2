//! Tells the test suite which optional tools this machine lacks, so that a test needing one is
//! marked ignored with its reason (visible in `cargo test`'s summary) instead of passing
//! without checking anything. Under `CI=true` nothing is ignored: a missing tool fails there.
//!
//! - `no_chromium`: neither /usr/bin/chromium nor /usr/bin/chromium-browser (the review page's
//!   browser test).
//! - `no_python3`: no `python3` that runs (the exact reference checker in bench/).
//! - `no_tmux`: no `tmux`, the pseudo-terminal of a given width for the terminal tests.
//! - `no_soffice`: no LibreOffice (`/usr/bin/soffice`), which opens the written workbooks.
//! - `no_bash`: no `bash` that runs (the generated completion script is loaded into one).
//! - `no_postgres`: no PostgreSQL server (`/usr/lib/postgresql/N/bin/initdb`, Debian's
//!   `postgresql`), in which the import tests start a throwaway cluster.
//! - `no_pyimports`: tests/imports/.venv does not hold tests/imports/requirements.txt (DuckDB,
//!   pandas, pyarrow; `bash tests/imports/setup.sh` installs them) for the import tests.
//!
//! The engine itself uses none of them.

use std::path::Path;
use std::process::Command;

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const SOFFICE: &str = "/usr/bin/soffice";
const POSTGRES: &str = "/usr/lib/postgresql";
/// Written by tests/imports/setup.sh once the venv holds the requirements: a copy of them.
const VENV_INSTALLED: &str = "tests/imports/.venv/requirements.installed";
const REQUIREMENTS: &str = "tests/imports/requirements.txt";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_chromium)");
    println!("cargo::rustc-check-cfg=cfg(no_python3)");
    println!("cargo::rustc-check-cfg=cfg(no_soffice)");
    println!("cargo::rustc-check-cfg=cfg(no_postgres)");
    println!("cargo::rustc-check-cfg=cfg(no_pyimports)");
    println!("cargo::rustc-check-cfg=cfg(no_tmux)");
    println!("cargo::rustc-check-cfg=cfg(no_bash)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let watched = CHROMIUM.into_iter().chain([SOFFICE, POSTGRES, VENV_INSTALLED, REQUIREMENTS]);
    for path in watched.map(Path::new) {
        // Cargo counts a watched path that does not exist as changed, on every build: watch
        // the nearest folder it would appear in instead (installing it changes that folder's
        // mtime).
        let watched = path.ancestors().find(|p| p.exists()).unwrap_or(path);
        println!("cargo::rerun-if-changed={}", watched.display());
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return;
    }
    if !CHROMIUM.iter().any(|p| Path::new(p).is_file()) {
        println!("cargo::rustc-cfg=no_chromium");
    }
    let tmux = Command::new("tmux").arg("-V").output();
    if !tmux.is_ok_and(|o| o.status.success()) {
        println!("cargo::rustc-cfg=no_tmux");
    }
    if !Path::new(SOFFICE).is_file() {
        println!("cargo::rustc-cfg=no_soffice");
    }
    let bash = Command::new("bash").arg("--version").output();
    if !bash.is_ok_and(|o| o.status.success()) {
        println!("cargo::rustc-cfg=no_bash");
    }
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        println!("cargo::rustc-cfg=no_python3");
    }
    let server = |v: std::fs::DirEntry| v.path().join("bin/initdb").is_file();
    if !std::fs::read_dir(POSTGRES).is_ok_and(|mut d| d.any(|v| v.is_ok_and(server))) {
        println!("cargo::rustc-cfg=no_postgres");
    }
    let installed = std::fs::read(VENV_INSTALLED).ok();
    if installed.is_none() || installed != std::fs::read(REQUIREMENTS).ok() {
        println!("cargo::rustc-cfg=no_pyimports");
    }
}
