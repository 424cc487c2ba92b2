//! The help can't drift from the program: every worked example in `--help` is run from a copy
//! of the fixtures it names and must exit as the help says, every command's help states the exit
//! codes, and every number the help lists as read or refused is put in a pack and checked.

use crate::harness::{bin, copy_pack, fixture, root, text, tmp};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// Each command with a help of its own (the top level first).
const COMMANDS: [&[&str]; 8] = [
    &[],
    &["run"],
    &["check"],
    &["review"],
    &["template"],
    &["init"],
    &["verify"],
    &["completions"],
];

/// The commands that read a pack, whose help lists the numbers read.
const PACK_COMMANDS: [&[&str]; 6] =
    [&[], &["run"], &["check"], &["review"], &["template"], &["init"]];

fn long_help(command: &[&str]) -> String {
    let o = bin().args(command).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{command:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

/// The lines of the section whose heading starts with `heading`, up to the next heading.
fn section<'a>(help: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = help.lines().skip_while(|l| !l.starts_with(heading));
    lines.next();
    lines.take_while(|l| l.is_empty() || l.starts_with(' ')).collect()
}

/// One example command: what to type and the exit code the help gives it.
#[derive(Debug)]
struct Example {
    line: String,
    exit: i32,
}

/// The examples: lines indented by four spaces, `# exits N` at the end for an N other than 0.
fn examples(help: &str) -> Vec<Example> {
    section(help, "Examples")
        .into_iter()
        .filter(|l| l.starts_with("    ") && !l[4..].starts_with(' '))
        .map(|l| match l.split_once("# exits ") {
            Some((cmd, code)) => Example {
                line: cmd.trim().to_string(),
                exit: code.trim().parse().unwrap_or_else(|_| panic!("exit code in {l:?}")),
            },
            None => Example { line: l.trim().to_string(), exit: 0 },
        })
        .collect()
}

/// Copies each `fixtures/…` path a command names into `dir` (a path with a `*` by its folder).
fn copy_fixtures(line: &str, dir: &Path) {
    for word in line.split_whitespace().filter(|w| w.starts_with("fixtures/")) {
        let rel: std::path::PathBuf = Path::new(word)
            .components()
            .take_while(|c| !c.as_os_str().to_string_lossy().contains('*'))
            .collect();
        copy_tree(&root().join(&rel), &dir.join(&rel));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    if to.exists() {
        return;
    }
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    if from.is_dir() {
        std::fs::create_dir(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

/// Runs one example line as a user would, in `sh`, with the built binary first on the PATH.
fn run_example(line: &str, cwd: &Path) -> Output {
    let exe = Path::new(env!("CARGO_BIN_EXE_forecast-rollup"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", line])
        .current_dir(cwd)
        .env("PATH", path)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("sh runs")
}

#[test]
fn every_example_in_the_help_runs_and_exits_as_documented() {
    let mut codes = BTreeSet::new();
    for command in COMMANDS {
        let help = long_help(command);
        let found = examples(&help);
        assert!(found.len() >= 2, "{command:?}: {} examples in\n{help}", found.len());
        // One folder per help: its examples run in order, as a user reading it would.
        let dir = tmp();
        for ex in &found {
            copy_fixtures(&ex.line, dir.path());
            let o = run_example(&ex.line, dir.path());
            assert_eq!(
                o.status.code(),
                Some(ex.exit),
                "{command:?} help: `{}` exited {:?}, the help says {}\nstderr:\n{}",
                ex.line,
                o.status.code(),
                ex.exit,
                text(&o.stderr)
            );
            if ex.exit == 2 && command == ["verify"] {
                // verify's 2 is a verdict, on stdout: the outputs are not what the pack gives.
                assert!(text(&o.stdout).contains("not verified"), "{}", ex.line);
            } else if ex.exit == 2 {
                assert!(text(&o.stderr).contains("nothing written"), "{}", ex.line);
            }
            codes.insert(ex.exit);
        }
    }
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), [0, 1, 2], "every exit code shown");
}

#[test]
fn every_help_gives_the_exit_codes_and_short_help_points_to_it() {
    for command in COMMANDS {
        let help = long_help(command);
        let codes: Vec<&str> = section(&help, "Exit codes:")
            .into_iter()
            .filter_map(|l| l.strip_prefix("  ")?.split(' ').next())
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(codes, ["0", "2", "1"], "{command:?}");
        let short = bin().args(command).arg("-h").output().unwrap();
        assert_eq!(short.status.code(), Some(0));
        let short = text(&short.stdout);
        assert!(short.trim_end().ends_with("--help (forecast-rollup help COMMAND)"), "{short}");
        assert!(!short.contains("Examples"), "{command:?}");
    }
    for command in PACK_COMMANDS {
        assert!(long_help(command).contains("\nNumbers"), "{command:?}");
    }
}

/// The values the help's `Numbers` section lists: (money?, read?, value) for each, in order.
fn listed_numbers(help: &str) -> Vec<(bool, bool, String)> {
    let (mut money, mut read) = (None, None);
    let mut out = Vec::new();
    for line in section(help, "Numbers") {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if indent == 2 {
            money = if body.starts_with("Money") {
                Some(true)
            } else if body.starts_with("Confidence") {
                Some(false)
            } else {
                None
            };
            read = None;
            continue;
        }
        if body.starts_with("read:") {
            read = Some(true);
        } else if body.starts_with("refused:") {
            read = Some(false);
        }
        let (Some(money), Some(read)) = (money, read) else { continue };
        for (i, value) in body.split('`').enumerate() {
            if i % 2 == 1 {
                out.push((money, read, value.to_string()));
            }
        }
    }
    out
}

/// `cell` as one CSV field.
fn field(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

#[test]
fn every_number_in_the_help_is_read_or_refused_as_it_says() {
    let listed = listed_numbers(&long_help(&["check"]));
    let count = |money: bool, read: bool| {
        listed.iter().filter(|(m, r, _)| *m == money && *r == read).count()
    };
    assert!(count(true, true) >= 10 && count(true, false) >= 10, "{listed:?}");
    assert!(count(false, true) >= 5 && count(false, false) >= 5, "{listed:?}");
    let dir = tmp();
    let pack = dir.path();
    // The cell under test is the first data row's (line 2) of forecasts.csv and targets.csv
    // (money) or confidence.csv (a confidence), in the hand-computed pack.
    let files: [(&str, &str, usize); 3] = [
        ("forecasts.csv", "rep_id,period,amount,deal_id\nA,2026-Q4,{},A-1\n", 2),
        ("targets.csv", "node_id,period,target\nCN,2026-Q4,{}\n", 2),
        ("confidence.csv", "subject_id,reviewer_id,period,confidence,note\nA,S1,,{},\n", 2),
    ];
    let mut wrong = Vec::new();
    for (money, read, value) in &listed {
        for (name, template, line) in files {
            if (name == "confidence.csv") == *money {
                continue;
            }
            copy_pack(&fixture("handcalc"), pack);
            std::fs::write(pack.join(name), template.replace("{}", &field(value))).unwrap();
            let o = bin().arg("check").arg(pack).output().unwrap();
            let err = text(&o.stderr);
            let at_the_cell = err.contains(&format!("{name}:{line}:"));
            let as_said = if *read {
                o.status.code() == Some(0)
            } else {
                o.status.code() == Some(2) && at_the_cell
            };
            if !as_said {
                let said = if *read { "read" } else { "refused" };
                wrong.push(format!(
                    "{name}: `{value}` (the help: {said}): {:?}\n{err}",
                    o.status.code()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
