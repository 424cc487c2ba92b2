//! forecast-rollup: load a forecast pack → validate it → roll it up → render → write.
//!
//! Exit codes: 0 done; 2 the input is wrong (every problem listed, nothing written); 1 anything
//! else (I/O, a bug). A closed stdout (`| head`) is a quiet 0.

mod cli;
mod config;
mod exact;
mod gen;
mod load;
mod model;
mod problem;
mod report;
mod review;
mod rollup;
mod validate;

use clap::Parser;

use config::{Config, Mode};
use problem::Problems;
use report::Format;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExitStatus {
    Done = 0,
    Failed = 1,
    BadInput = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

fn main() -> ExitCode {
    let opts = cli::Opts::parse();
    match run(opts) {
        Ok(status) => status.into(),
        Err(e) if is_broken_pipe(&e) => ExitStatus::Done.into(),
        Err(e) if e.downcast_ref::<config::ConfigError>().is_some() => {
            eprintln!("forecast-rollup: error: {e}");
            ExitStatus::BadInput.into()
        }
        Err(e) => {
            eprintln!("forecast-rollup: error: {e:#}");
            ExitStatus::Failed.into()
        }
    }
}

fn run(opts: cli::Opts) -> anyhow::Result<ExitStatus> {
    if let Some(cli::Command::Gen(args)) = &opts.command {
        gen::generate(args)?;
        return Ok(ExitStatus::Done);
    }
    let config = Config::from_opts(opts)?;
    if let Some(n) = config.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global()?;
    }
    let mut clock = Timings::new(config.timings);
    let mut problems = Problems::default();

    let loaded = load::pack(
        &config.files,
        config.read,
        config.max_confidence,
        config.check.only_period.as_deref(),
        &mut problems,
    )?;
    if let Some(t) = loaded.as_ref().map(|l| l.forecasts.timings) {
        clock.detail("  org, confidence, targets", t.others);
        clock.detail("  index org ids", t.org);
        clock.detail("  forecasts: read", t.read);
        clock.detail("  forecasts: parse", t.parse);
        clock.detail("  forecasts: merge", t.merge);
    }
    clock.lap("read + parse");
    let pack = loaded.and_then(|l| validate::validate(l, &config.check, &mut problems));
    clock.lap("validate");
    let Some(pack) = pack else { return Ok(report_problems(&config, problems)) };

    let rollup = match rollup::compute(&pack, config.rollup) {
        Ok(r) => r,
        Err(ps) => return Ok(report_problems(&config, ps)),
    };
    clock.lap("roll up");
    if config.mode == Mode::Review {
        return Ok(finish(review::run(&config, &pack, &rollup)?));
    }
    if config.mode == Mode::Check {
        print!("{}", check_summary(&config, &pack));
        if let Some(dir) = &config.history {
            return Ok(finish(review::check_history(&config, &pack, dir)?));
        }
        return Ok(ExitStatus::Done);
    }

    // Files first: a closed stdout (`| head`) must not stop them being written.
    if let Some(dir) = &config.out {
        let csv = |w: &mut dyn Write| report::csv::render(&pack, &rollup, config.bom, w);
        let json = |w: &mut dyn Write| report::json::render(&pack, &rollup, w);
        report::write_outputs(
            dir,
            &[("rollup.csv", &csv), ("rollup.json", &json)],
            &config.input_paths(),
        )?;
        clock.lap("write");
    }
    if config.format == Format::Table {
        let banner = config.demo.then_some(config::DEMO_BANNER);
        let table = report::terminal::render(&pack, &rollup, config.terminal, banner);
        clock.lap("render");
        std::io::stdout().lock().write_all(table.as_bytes())?;
    } else {
        if config.demo {
            eprintln!("{}", config::DEMO_BANNER);
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        match config.format {
            Format::Csv => report::csv::render(&pack, &rollup, config.bom, &mut out)?,
            _ => report::json::render(&pack, &rollup, &mut out)?,
        }
        out.flush()?;
        clock.lap("render");
    }
    clock.finish();
    Ok(ExitStatus::Done)
}

/// `check`'s answer on a valid pack: every input row accounted for, file by file.
fn check_summary(config: &Config, pack: &model::Pack) -> String {
    use problem::FileKind;
    let s = pack.stats;
    let f = s.forecasts;
    let blank = |n: u64| if n > 0 { format!(", {n} blank skipped") } else { String::new() };
    let mut out = format!("ok: {} nodes, {} period(s)\n", s.org_rows, pack.periods.len());
    let name = |k: FileKind| config.files.display(k);
    out.push_str(&format!(
        "  {}: {} rows{}\n",
        name(FileKind::Org),
        s.org_rows,
        blank(s.org_blank)
    ));
    let mut lines = format!("{} lines read, {} used", f.read, f.used);
    if f.other_period > 0 {
        lines.push_str(&format!(", {} in other periods (--period)", f.other_period));
    }
    out.push_str(&format!(
        "  {}: {lines}, 0 refused{}\n",
        name(FileKind::Forecasts),
        blank(f.blank)
    ));
    if config.files.confidence.is_some() {
        let n = s.confidence_rows;
        out.push_str(&format!(
            "  {}: {n} rows{}\n",
            name(FileKind::Confidence),
            blank(s.confidence_blank)
        ));
    }
    if config.files.targets.is_some() {
        let n = s.target_rows;
        out.push_str(&format!(
            "  {}: {n} rows{}\n",
            name(FileKind::Targets),
            blank(s.target_blank)
        ));
    }
    out
}

fn report_problems(config: &Config, mut problems: Problems) -> ExitStatus {
    problems.finish();
    let text = problems.render(&|k| config.files.display(k));
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    ExitStatus::BadInput
}

/// The exit status of a review or a history check; extra packs' problems go to stderr.
fn finish(outcome: review::Outcome) -> ExitStatus {
    match outcome {
        review::Outcome::Done => ExitStatus::Done,
        review::Outcome::BadInput(text) => {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            ExitStatus::BadInput
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The process's peak resident memory so far (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    status_mib("VmHWM:")
}

fn status_mib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// `--timings`: the wall time of each stage (and the peak memory so far), on stderr.
struct Timings {
    on: bool,
    start: Instant,
    last: Instant,
}

impl Timings {
    fn new(on: bool) -> Timings {
        let now = Instant::now();
        Timings { on, start: now, last: now }
    }

    fn lap(&mut self, stage: &str) {
        if self.on {
            let now = Instant::now();
            let ms = (now - self.last).as_secs_f64() * 1e3;
            match peak_rss_mib() {
                Some(peak) => {
                    let now = status_mib("VmRSS:").unwrap_or(0);
                    eprintln!("timing: {stage:<20} {ms:>9.1} ms   memory {now:>5} MiB, peak {peak:>5} MiB")
                }
                None => eprintln!("timing: {stage:<20} {ms:>9.1} ms"),
            }
            self.last = now;
        }
    }

    /// A part of the stage being timed, measured inside it.
    fn detail(&self, what: &str, d: std::time::Duration) {
        if self.on {
            eprintln!("timing: {what:<20} {:>9.1} ms", d.as_secs_f64() * 1e3);
        }
    }

    fn finish(&mut self) {
        if self.on {
            eprintln!(
                "timing: {:<14} {:>9.1} ms",
                "total",
                self.start.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
