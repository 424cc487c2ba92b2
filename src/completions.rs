//! `forecast-rollup completions SHELL`: the shell's completion script, written by clap_complete
//! from the same clap definition as `--help`, so a new flag completes as soon as it exists.

use crate::cli::Opts;
use clap::CommandFactory;
use clap_complete::Shell;

/// The name the scripts complete: the binary as users type it.
const BIN: &str = "forecast-rollup";

/// The completion script for `shell`.
pub(crate) fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut offered(), BIN, &mut out);
    if shell == Shell::Bash {
        // clap_complete 4.6 spells a hyphenated binary name two ways in bash (clap-rs/clap#6421):
        // the loop over the words reaches `forecast__rollup__subcmd__run`, the case arms are
        // labelled `forecast__subcmd__rollup__subcmd__run`, so no subcommand's flags would ever
        // complete. The arms are respelled as the loop spells them (a no-op once it is fixed).
        let arms = BIN.replace('-', "__subcmd__");
        let reached = BIN.replace('-', "__");
        out = String::from_utf8_lossy(&out).replace(&arms, &reached).into_bytes();
    }
    out
}

/// The command line as completion offers it: clap_complete lists hidden subcommands too, and
/// `gen` (the benchmarks' pack generator) is hidden from users.
fn offered() -> clap::Command {
    let full = Opts::command();
    let shown: Vec<clap::Command> =
        full.get_subcommands().filter(|c| !c.is_hide_set()).cloned().collect();
    let mut cmd = clap::Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(shown);
    if let Some(about) = full.get_about() {
        cmd = cmd.about(about.clone());
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_commands_but_not_gen() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
            let text = String::from_utf8(script(shell)).unwrap();
            for name in ["run", "check", "review", "template", "init", "completions"] {
                assert!(text.contains(name), "{shell}: {name}");
            }
            assert!(text.contains("half-even"), "{shell}: a subcommand's flag values");
            assert!(!text.contains("lines-per-rep"), "{shell}: gen's flags are offered");
        }
    }

    #[test]
    fn bash_case_arms_are_spelled_as_the_loop_reaches_them() {
        let text = String::from_utf8(script(Shell::Bash)).unwrap();
        assert!(text.contains("cmd=\"forecast__rollup__subcmd__run\""), "{text}");
        assert!(text.contains("\n        forecast__rollup__subcmd__run)\n"), "{text}");
        assert!(!text.contains("forecast__subcmd__rollup"));
    }
}
