//! `forecast-rollup completions SHELL`: a script for every shell clap_complete writes, and the
//! bash one loaded into a real bash, completing subcommands, flags and flag values.

use crate::harness::{bin, text};
use std::path::Path;
use std::process::Command;

fn script(shell: &str) -> String {
    let o = bin().args(["completions", shell]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o.stderr));
    assert!(o.stderr.is_empty(), "{shell}: {}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
fn every_shell_gets_a_script_that_names_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let s = script(shell);
        for sub in ["run", "check", "review", "template", "init", "completions"] {
            assert!(s.contains(sub), "{shell}: no {sub}");
        }
    }
    assert!(script("powershell").contains("Register-ArgumentCompleter"));
}

#[test]
fn an_unknown_shell_is_refused_with_the_ones_there_are() {
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(text(&o.stderr).contains("[possible values: bash, elvish, fish, powershell, zsh]"));
}

/// What bash offers for `words` (the last one being completed), after loading the script the
/// way the help says: `source <(forecast-rollup completions bash)`.
fn bash_offers(words: &[&str]) -> String {
    let exe = Path::new(env!("CARGO_BIN_EXE_forecast-rollup"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let n = words.len();
    // The function `complete -p` names is called as bash calls it: command, word, previous word.
    let program = format!(
        "source <(forecast-rollup completions bash) || exit 3\n\
         spec=$(complete -p forecast-rollup) || exit 4\n\
         function=${{spec##* -F }}; function=${{function%% *}}\n\
         COMP_WORDS=({words}); COMP_CWORD={cword}\n\
         \"$function\" forecast-rollup {cur} {prev}\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
        cword = n - 1,
        cur = quoted[n - 1],
        prev = quoted[n - 2],
    );
    let o = Command::new("bash").env("PATH", path).args(["-c", &program]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

#[test]
#[cfg_attr(no_bash, ignore = "bash is not installed (apt-get install bash); CI has it")]
fn bash_loads_the_script_and_completes_subcommands_flags_and_values() {
    assert_eq!(bash_offers(&["forecast-rollup", "re"]), "review\n");
    let all = bash_offers(&["forecast-rollup", ""]);
    for sub in ["run", "check", "review", "template", "init", "completions", "help"] {
        assert!(all.lines().any(|l| l == sub), "{sub} not offered: {all}");
    }
    assert!(!all.lines().any(|l| l == "gen"), "the hidden gen is offered: {all}");
    // A subcommand's own flags and a flag's values (clap-rs/clap#6421 broke these in bash for
    // a binary name with a hyphen).
    assert_eq!(bash_offers(&["forecast-rollup", "run", "--rou"]), "--rounding\n");
    assert_eq!(
        bash_offers(&["forecast-rollup", "review", "--rounding", ""]),
        "half-up\nhalf-even\n"
    );
    assert_eq!(bash_offers(&["forecast-rollup", "completions", "p"]), "powershell\n");
}
