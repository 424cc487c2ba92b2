//! The terminal in a real pseudo-terminal (tmux) of a given width: every line of the report
//! fits, nothing is wrapped by the terminal, colour on a terminal unless NO_COLOR, none in a
//! pipe.

use crate::harness::*;
use std::process::Command;

/// Runs the binary with `args` in a detached tmux window `width` columns wide (in `cwd`) and
/// returns the screen's lines as tmux has them, without joining (`plain`), joined where the
/// terminal wrapped (`joined`), and with the escapes of colour (`styled`).
fn in_tmux(width: u16, env: &str, args: &str) -> (Vec<String>, Vec<String>, String) {
    let dir = tmp();
    // A server of its own per window (`-L`): tests run in parallel, and servers started at once
    // on one socket race.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let session = format!("fr{}-{n}", std::process::id());
    let done = dir.path().join("done");
    let script = format!(
        "cd {} && {env} {} {args} 2>&1; touch {}; sleep 60",
        root().display(),
        env!("CARGO_BIN_EXE_forecast-rollup"),
        done.display()
    );
    let ok = Command::new("tmux")
        .args([
            "-L",
            &session,
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &width.to_string(),
            "-y",
            "400",
        ])
        .args(["-e", "LANG=C.UTF-8", "sh", "-c", &script])
        .status()
        .expect("tmux runs");
    assert!(ok.success());
    for _ in 0..300 {
        if done.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let capture = |flags: &[&str]| {
        let o = Command::new("tmux")
            .args(["-L", &session, "capture-pane", "-p", "-S", "0", "-E", "399", "-t", &session])
            .args(flags)
            .output()
            .unwrap();
        text(&o.stdout)
    };
    let plain = capture(&[]);
    let joined = capture(&["-J"]);
    let styled = capture(&["-e"]);
    let _ = Command::new("tmux").args(["-L", &session, "kill-server"]).status();
    let lines =
        |t: &str| t.lines().map(|l| l.trim_end().to_string()).filter(|l| !l.is_empty()).collect();
    (lines(&plain), lines(&joined), styled)
}

#[test]
#[cfg_attr(no_tmux, ignore = "tmux is not installed (apt-get install tmux); CI installs it")]
fn the_report_fits_the_terminal_at_every_width() {
    for width in [60u16, 80, 100, 140] {
        for (env, args) in [
            ("", "run fixtures/deep_utf8 --lang zh"),
            ("", "run fixtures/demo --lang en --depth 2"),
            ("", "check fixtures/crm/wukong"),
            ("", "review fixtures/review/planted --previous fixtures/review/planted_previous"),
            ("", "review fixtures/review/trust --history fixtures/history"),
            ("", "run fixtures/scenario --scenario fixtures/scenario/whatif.csv --lang zh"),
            ("", "run fixtures/scenario --set RS=0.9 --drop-deal D-1 --lang en"),
            ("", "review fixtures/scenario --set RS=0.9 --lang zh"),
        ] {
            let (plain, joined, _) = in_tmux(width, env, args);
            assert!(plain.len() > 5, "{args}: {plain:?}");
            assert_eq!(plain, joined, "{width} columns, {args}: the terminal wrapped a line");
            for line in &plain {
                let w = forecast_rollup::report::terminal::display_width(line);
                assert!(w <= usize::from(width), "{width} columns, {args}: {w}: {line}");
            }
        }
    }
}

#[test]
#[cfg_attr(no_tmux, ignore = "tmux is not installed (apt-get install tmux); CI installs it")]
fn colour_on_a_terminal_unless_no_color_and_never_in_a_pipe() {
    let (_, _, styled) = in_tmux(120, "", "run fixtures/handcalc");
    assert!(styled.contains("\u{1b}["), "colour on a terminal");
    let (_, _, plain) = in_tmux(120, "NO_COLOR=1", "run fixtures/handcalc");
    assert!(!plain.contains("\u{1b}[3"), "NO_COLOR: {plain}");
    let (_, _, never) = in_tmux(120, "", "run fixtures/handcalc --color never");
    assert!(!never.contains("\u{1b}[3"));
    // A pipe: no colour, and no width limit (the full table), unless asked.
    let o = run_in(&fixture("handcalc"), &["run", "."]);
    assert!(!text(&o.stdout).contains('\u{1b}'));
    assert!(text(&o.stdout).contains("Adjusted"));
    let o = run_in(&fixture("handcalc"), &["run", ".", "--color", "always", "--width", "60"]);
    let out = text(&o.stdout);
    assert!(out.contains("\u{1b}["));
    assert!(!out.contains("Adjusted"), "dropped at 60 columns: {out}");
}
