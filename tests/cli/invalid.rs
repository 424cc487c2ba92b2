//! fixtures/invalid/<check>/: one small pack per check, named after it, with the exact expected
//! stderr and exit code. Every one must exit 2 (unless its expected/exit_code says otherwise) and
//! write nothing, and `check` and `run` must say exactly the same.

use crate::harness::*;

#[test]
fn every_invalid_pack_lists_its_problems_exits_2_and_writes_nothing() {
    let cases = corpus("invalid");
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let extra = args_of(case);
        let expected = case.join("expected");
        let code: i32 = std::fs::read_to_string(expected.join("exit_code"))
            .map(|s| s.trim().parse().unwrap())
            .unwrap_or(2);
        let out = tmp();
        let out_arg = out.path().to_str().unwrap().to_string();
        let with_extra = |cmd: &[&str]| {
            let mut args: Vec<&str> = cmd.to_vec();
            args.extend(extra.iter().map(String::as_str));
            run_in(case, &args)
        };
        let check = with_extra(&["check", "."]);
        let run = with_extra(&["run", ".", "--out", &out_arg]);
        let result = std::panic::catch_unwind(|| {
            // `check` and `run` find the same problems: compared with each other first, so that
            // blessing cannot hide a difference between them.
            assert_eq!(run.status.code(), check.status.code(), "{name}: run and check exit codes");
            assert!(
                run.stderr == check.stderr,
                "{name}: run's stderr (+) differs from check's (-):\n{}",
                diff(&check.stderr, &run.stderr)
            );
            assert_eq!(text(&check.stdout), "", "{name}: check's stdout");
            assert_eq!(text(&run.stdout), "", "{name}: run's stdout");
            assert_eq!(check.status.code(), Some(code), "{name}: exit code");
            assert_file(&expected.join("stderr.txt"), &check.stderr);
        });
        if let Err(e) = result {
            failures.push(format!("{name}:\n{}", panic_text(e.as_ref())));
        }
        assert!(listing(out.path()).is_empty(), "{name}: wrote {:?}", listing(out.path()));
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n\n"));
}
