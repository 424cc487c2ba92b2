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
//!
//! The engine itself uses neither.

use std::path::Path;
use std::process::Command;

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const SOFFICE: &str = "/usr/bin/soffice";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_chromium)");
    println!("cargo::rustc-check-cfg=cfg(no_python3)");
    println!("cargo::rustc-check-cfg=cfg(no_soffice)");
    println!("cargo::rustc-check-cfg=cfg(no_tmux)");
    println!("cargo::rustc-check-cfg=cfg(no_bash)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    for path in CHROMIUM.map(Path::new).into_iter().chain([Path::new(SOFFICE)]) {
        // Cargo counts a watched path that does not exist as changed, on every build: watch
        // the folder it would appear in instead (installing it changes the folder's mtime).
        let watched = if path.exists() { path } else { path.parent().unwrap() };
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
}
