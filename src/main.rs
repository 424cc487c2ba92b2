//! forecast-rollup: load a forecast pack → validate it → roll it up → render → write.
//!
//! Exit codes: 0 done; 2 the input is wrong (every problem listed, nothing written); 1 anything
//! else (I/O, a bug). A closed stdout (`| head`) is a quiet 0.

mod cli;
mod completions;
mod config;
mod help;
mod progress;

use clap::Parser;
use config::{Config, Mode};
use forecast_rollup::pipeline::{self, Checked};
use forecast_rollup::problem::{gather, Failure, Problems};
use forecast_rollup::report::{self, Format};
use forecast_rollup::review::{self, Compared, Previous};
use forecast_rollup::text::{self, said, Lang};
use forecast_rollup::{audit, gen, place, t};
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
    let lang = opts.lang();
    match run(opts, lang) {
        Ok(status) => status.into(),
        Err(Failure::Input(mut problems)) => {
            problems.finish();
            let text = on_stderr(&problems.render(lang));
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            ExitStatus::BadInput.into()
        }
        Err(Failure::Other(e)) if is_broken_pipe(&e) => ExitStatus::Done.into(),
        Err(Failure::Other(e)) => {
            let why = text::error_chain(&e, lang);
            eprintln!(
                "{}",
                t!("forecast-rollup: error: {why}", "forecast-rollup：错误：{why}").get(lang)
            );
            ExitStatus::Failed.into()
        }
    }
}

/// The whole run: options → the pack through the pipeline → the command's outputs.
fn run(opts: cli::Opts, lang: Lang) -> Result<ExitStatus, Failure> {
    if let Some(cli::Command::Gen(shape)) = &opts.command {
        gen::generate(shape)?;
        return Ok(ExitStatus::Done);
    }
    if let Some(cli::Command::Init(args)) = &opts.command {
        return init(args, lang).map(|()| ExitStatus::Done);
    }
    if let Some(cli::Command::Verify(args)) = &opts.command {
        return verify(args, lang);
    }
    run_pack(opts, lang).map(|()| ExitStatus::Done)
}

/// A command on a pack: the pack through the pipeline, then the command's outputs.
fn run_pack(opts: cli::Opts, lang: Lang) -> Result<(), Failure> {
    if let Some(cli::Command::Completions { shell }) = opts.command {
        return completions(shell);
    }
    let config = Config::from_opts(opts)?;
    if let Some(n) = config.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(anyhow::Error::from)?;
    }
    let mut clock = Timings::new(config.timings);
    progress::start(t!("reading and checking the pack", "正在读取和检查数据包").get(lang));
    // A scenario's file is read first: the deals it drops are the only ones whose sums the
    // pack keeps. Its problems are listed with the pack's; its changes are checked against the
    // pack once the pack is valid.
    let requests =
        config.scenario.as_ref().map(|s| pipeline::scenario_requests(s, config.pipeline.read));
    let mut options = config.pipeline.clone();
    if let Some(Ok(r)) = &requests {
        options.deal_ids = r.deal_ids().map(std::sync::Arc::new);
    }
    let checked = pipeline::run(&config.files, &options, pipeline::MAIN_PACK);
    let (checked, requests) = both(checked, requests).inspect_err(|_| progress::stop())?;
    clock.stages(&checked.timings);
    let what_if = match &requests {
        Some(r) => {
            let w = pipeline::scenario(&checked, r, &options).inspect_err(|_| progress::stop())?;
            clock.lap("scenario");
            Some(w)
        }
        None => None,
    };
    progress::stage(t!("writing", "正在写出").get(lang));
    let done = match (config.mode, &what_if) {
        (Mode::Check, _) => check(&config, &checked),
        (Mode::Review, _) => review(&config, &checked, what_if.as_ref()),
        (Mode::Run, None) => roll_up(&config, &checked, &mut clock),
        (Mode::Run, Some(w)) => what_if_run(&config, &checked, w, &mut clock),
        (Mode::Template, _) => template(&config, &checked),
    };
    progress::stop();
    done
}

/// Whether an output of this `run` carries the audit record: rollup.json, rollup.xlsx (or a
/// scenario's), or the JSON on stdout.
fn carries_audit(config: &Config) -> bool {
    let file = |n: &&str| n.ends_with(".json") || n.ends_with(".xlsx");
    config.format == Format::Json || (config.out.is_some() && config.outputs.iter().any(file))
}

/// Where the numbers came from: what the pack's files held, with the scenario's changes (and
/// its file) when there is one.
fn audit_record(
    config: &Config,
    c: &Checked,
    what_if: Option<&pipeline::ScenarioRollup>,
) -> anyhow::Result<audit::Audit> {
    let settings = config.settings.clone();
    let a =
        audit::record(&config.files, config.pack_dir.as_deref(), Some(&c.pack.stats), settings)?;
    match what_if {
        Some(w) => {
            let file = config.scenario.as_ref().and_then(|s| s.file.as_ref());
            a.with_scenario(&w.scenario.changes, file)
        }
        None => Ok(a),
    }
}

/// `run`: the files first (a closed stdout, `| head`, must not stop them being written), then
/// the report on stdout.
fn roll_up(config: &Config, c: &Checked, clock: &mut Timings) -> Result<(), Failure> {
    let (pack, rollup, lang) = (&c.pack, &c.rollup, config.terminal.lang);
    let audit = carries_audit(config).then(|| audit_record(config, c, None)).transpose()?;
    if audit.is_some() {
        clock.lap("audit (SHA-256)");
    }
    let audit = audit.as_ref();
    if let Some(dir) = &config.out {
        let csv = |w: &mut dyn Write| report::csv::render(pack, rollup, config.bom, w);
        let json = |w: &mut dyn Write| report::json::render(pack, rollup, audit, w);
        let xlsx = |w: &mut dyn Write| report::xlsx::render(pack, rollup, lang, audit, w);
        let parquet = |w: &mut dyn Write| report::parquet::render(pack, rollup, w);
        let all: [place::Output; 4] = [
            ("rollup.csv", &csv),
            ("rollup.json", &json),
            ("rollup.xlsx", &xlsx),
            ("rollup.parquet", &parquet),
        ];
        place_outputs(config, dir, &all, clock)?;
    }
    progress::stop();
    if config.format == Format::Table {
        let banner = config.demo.then(|| config::demo_banner(lang));
        let table = report::terminal::render(pack, rollup, config.terminal, banner.as_deref());
        clock.lap("render");
        std::io::stdout().lock().write_all(table.as_bytes())?;
    } else {
        if config.demo {
            eprintln!("{}", config::demo_banner(lang));
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        match config.format {
            Format::Csv => report::csv::render(pack, rollup, config.bom, &mut out)?,
            _ => report::json::render(pack, rollup, audit, &mut out)?,
        }
        out.flush()?;
        clock.lap("render");
    }
    // What the data covers, after the report (stderr: stdout may be a file for finance).
    eprint!("{}", on_stderr(&report::summary::coverage(pack, &c.files, lang)));
    clock.finish();
    Ok(())
}

/// The pack and the scenario's changes, or the problems of both in one list.
fn both(
    checked: Result<Checked, Failure>,
    requests: Option<Result<forecast_rollup::scenario::Requests, Failure>>,
) -> Result<(Checked, Option<forecast_rollup::scenario::Requests>), Failure> {
    let mut problems = Problems::default();
    let checked = gather(checked, &mut problems)?;
    let requests = match requests {
        Some(r) => gather(r, &mut problems)?.map(Some),
        None => Some(None),
    };
    // The scenario's own rows' problems are listed beside the pack's; with a valid pack they
    // are listed with the other changes' (see pipeline::scenario).
    if let (None, Some(Some(r))) = (&checked, &requests) {
        problems.absorb(r.problems.clone());
        if !r.list.is_empty() {
            let mut note = Problems::default();
            note.note(
                forecast_rollup::problem::FileKind::Scenario,
                t!(
                    "the scenario's changes not checked against the pack: the pack has problems (see above)",
                    "情景的变更未对照数据包检查：数据包有问题（见上文）"
                ),
            );
            let shown = r.file.clone().unwrap_or_else(|| {
                forecast_rollup::problem::FileKind::CommandLine.file_name().to_string()
            });
            note.name_files(pipeline::MAIN_PACK, &|_| shown.clone());
            problems.absorb(note);
        }
    }
    match (checked, requests) {
        (Some(c), Some(r)) if problems.is_empty() => Ok((c, r)),
        _ => Err(problems.into()),
    }
}

/// Writes the outputs `--formats` chose of `all` into `dir` as one set, and says what it wrote.
fn place_outputs(
    config: &Config,
    dir: &std::path::Path,
    all: &[place::Output],
    clock: &mut Timings,
) -> Result<(), Failure> {
    let chosen: Vec<place::Output> =
        all.iter().copied().filter(|(n, _)| config.outputs.contains(n)).collect();
    let written = place::replace_set(dir, &chosen, &config.input_paths())?;
    clock.lap("write");
    progress::stop();
    eprint!("{}", on_stderr(&report::summary::written(&written, config.terminal.lang)));
    Ok(())
}

/// `run` with a scenario: the scenario's files, named as a scenario so that they never
/// replace the pack's own (`rollup.scenario.csv`, `compare.scenario.csv`, …), then the report
/// of the baseline and the scenario side by side. `--format csv|json` prints the scenario's
/// roll-up.
fn what_if_run(
    config: &Config,
    c: &Checked,
    w: &pipeline::ScenarioRollup,
    clock: &mut Timings,
) -> Result<(), Failure> {
    let lang = config.terminal.lang;
    let sides = report::scenario::Sides {
        base: (&c.pack, &c.rollup),
        scenario: (&w.pack, &w.rollup),
        changes: &w.scenario,
    };
    let changes = &w.scenario.changes;
    let audit = carries_audit(config).then(|| audit_record(config, c, Some(w))).transpose()?;
    let audit = audit.as_ref();
    if let Some(dir) = &config.out {
        let csv = |o: &mut dyn Write| report::csv::render(&w.pack, &w.rollup, config.bom, o);
        let compare = |o: &mut dyn Write| report::scenario::render_csv(&sides, config.bom, o);
        // The changes are in the audit record (`audit.scenario`).
        let json = |o: &mut dyn Write| report::json::render(&w.pack, &w.rollup, audit, o);
        let xlsx = |o: &mut dyn Write| report::xlsx::render(&w.pack, &w.rollup, lang, audit, o);
        let parquet = |o: &mut dyn Write| report::parquet::render(&w.pack, &w.rollup, o);
        let all: [place::Output; 5] = [
            ("rollup.scenario.csv", &csv),
            ("compare.scenario.csv", &compare),
            ("rollup.scenario.json", &json),
            ("rollup.scenario.xlsx", &xlsx),
            ("rollup.scenario.parquet", &parquet),
        ];
        place_outputs(config, dir, &all, clock)?;
    }
    progress::stop();
    if config.format == Format::Table {
        let banner = config.demo.then(|| config::demo_banner(lang));
        let text = report::scenario::render(&sides, config.terminal, banner.as_deref());
        clock.lap("render");
        std::io::stdout().lock().write_all(text.as_bytes())?;
    } else {
        if config.demo {
            eprintln!("{}", config::demo_banner(lang));
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        match config.format {
            Format::Csv => report::csv::render(&w.pack, &w.rollup, config.bom, &mut out)?,
            _ => report::json::render(&w.pack, &w.rollup, audit, &mut out)?,
        }
        out.flush()?;
        clock.lap("render");
        let n = changes.len() as u64;
        let note = t!(
            (
                "the roll-up on stdout is the scenario's ({} to the pack as given)",
                forecast_rollup::text::plural(n, "change", "changes")
            ),
            ("标准输出上的汇总是情景的（对原数据包做了 {} 处变更）", n)
        );
        eprintln!("{}", note.get(lang));
    }
    eprint!("{}", on_stderr(&report::summary::coverage(&c.pack, &c.files, lang)));
    clock.finish();
    Ok(())
}

/// `init`: a drafted pack.toml, written unless one is there (`--force` replaces it), and what
/// it took for what.
fn init(args: &cli::InitArgs, lang: Lang) -> Result<(), Failure> {
    if !args.dir.is_dir() {
        let shown = pipeline::display(&args.dir);
        return Err(
            anyhow::Error::new(said(t!("{shown} is not a folder", "{shown} 不是文件夹"))).into()
        );
    }
    let path = args.dir.join("pack.toml");
    let shown = pipeline::display(&path);
    if path.exists() && !args.force {
        let mut ps = Problems::default();
        ps.push(
            forecast_rollup::problem::Problem::file(
                forecast_rollup::problem::FileKind::Mapping,
                t!(
                    "is already in the folder; init does not replace it",
                    "已经在文件夹里了；init 不会替换它"
                ),
            )
            .hint(t!(
                "check it with `forecast-rollup check`, or pass --force to draft a new one",
                "请用 `forecast-rollup check` 检查它，或加 --force 重新起草"
            )),
        );
        ps.name_files(0, &|_| shown.clone());
        return Err(Failure::Input(ps));
    }
    let read = forecast_rollup::load::ReadOptions { encoding: args.encoding };
    let draft = forecast_rollup::init::draft(&args.dir, read, lang).map_err(Failure::Input)?;
    let write = |w: &mut dyn Write| Ok(w.write_all(draft.toml.as_bytes())?);
    let written = place::replace_set(&args.dir, &[("pack.toml", &write)], &[])?;
    print!("{}", report::summary::drafted(&draft, &shown, &pipeline::display(&args.dir), lang));
    eprint!("{}", on_stderr(&report::summary::written(&written, lang)));
    Ok(())
}

/// `completions`: the shell's completion script on stdout, built whole first (clap_complete's
/// writer panics on a write error; a closed stdout must stay a quiet exit 0).
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    std::io::stdout().lock().write_all(&completions::script(shell))?;
    Ok(())
}

/// `verify`: the rollup files of OUT_DIR recomputed from the pack; exit 0 when every one is
/// the same byte for byte, 2 when one differs or an input changed.
fn verify(args: &cli::VerifyArgs, lang: Lang) -> Result<ExitStatus, Failure> {
    let v = forecast_rollup::verify::verify(&args.pack_dir, &args.out_dir)?;
    let shown = pipeline::display(&args.pack_dir);
    let (n, m) = (v.differences.len(), v.equal.len());
    let same = v.equal.iter().map(|f| t!("same: {f}", "一致：{f}"));
    let verdict = if v.matches() {
        t!(
            "verified: {m} file(s) are exactly what {shown} gives with the recorded options",
            "核对通过：{m} 个文件与 {shown} 按记录的选项给出的结果完全一致"
        )
    } else {
        t!(
            "not verified: {n} difference(s) between these outputs and what {shown} gives",
            "核对未通过：这些输出与 {shown} 给出的结果有 {n} 处不同"
        )
    };
    let lines: Vec<_> = (v.notes.iter().cloned())
        .chain(v.differences.iter().cloned())
        .chain(same)
        .chain([verdict])
        .collect();
    let out: String = lines.iter().map(|l| format!("{}\n", l.get(lang))).collect();
    print!("{}", fitted(&out, config::stdout_width()));
    Ok(if v.matches() { ExitStatus::Done } else { ExitStatus::BadInput })
}

/// `template`: confidence.xlsx for one period (the only one, or `--period`), with the
/// confidence each report was given in the `--previous` pack.
fn template(config: &Config, c: &Checked) -> Result<(), Failure> {
    let periods: Vec<&str> = c.pack.periods.iter().map(|p| p.period.as_str()).collect();
    if periods.len() != 1 {
        let mut ps = Problems::default();
        ps.push(
            forecast_rollup::problem::Problem::file(
                forecast_rollup::problem::FileKind::CommandLine,
                t!(
                    "the pack has {} periods ({}): which one is the template for?",
                    "数据包有 {} 个期间（{}）：模板是哪一个期间的？",
                    periods.len(),
                    periods.join(", ")
                ),
            )
            .hint(t!("give --period P", "请用 --period P 指定")),
        );
        return Err(ps.into());
    }
    let previous = match &config.template_previous {
        None => None,
        Some(dir) => {
            let opts = forecast_rollup::pipeline::Options {
                check: forecast_rollup::validate::CheckOptions::default(),
                ..config.pipeline.clone()
            };
            let before = pipeline::run(&pipeline::folder(dir), &opts, pipeline::PREVIOUS_PACK)?;
            Some(before.pack.last_confidence())
        }
    };
    let t = report::template::Template {
        pack: &c.pack,
        rollup: &c.rollup,
        period: 0,
        previous: previous.as_ref(),
        max_confidence: config.pipeline.max_confidence,
        lang: config.terminal.lang,
    };
    let Some(dir) = &config.out else {
        return Err(anyhow::Error::new(said(t!(
            "template needs --out DIR",
            "template 需要 --out 文件夹"
        )))
        .into());
    };
    let sheets = std::sync::Mutex::new(Vec::new());
    let write = |w: &mut dyn Write| {
        let names = report::template::render(&t, w)?;
        *sheets.lock().map_err(|_| anyhow::anyhow!("template writer"))? = names;
        Ok(())
    };
    let written = place::replace_set(dir, &[("confidence.xlsx", &write)], &config.input_paths())?;
    progress::stop();
    let names = sheets.into_inner().unwrap_or_default();
    eprint!("{}", on_stderr(&report::summary::written(&written, config.terminal.lang)));
    println!("{}", report::summary::template(periods[0], &names, config.terminal.lang));
    Ok(())
}

/// `check`: every input row accounted for, file by file; with `--history`, the history too.
fn check(config: &Config, c: &Checked) -> Result<(), Failure> {
    progress::stop();
    let (width, lang) = (config.terminal.width, config.terminal.lang);
    print!("{}", fitted(&report::summary::check(&c.pack, &c.files, lang), width));
    print!("{}", fitted(&report::summary::coverage(&c.pack, &c.files, lang), width));
    if let Some(dir) = &config.history {
        let h = pipeline::history(dir, &config.pipeline, &c.pack)?;
        let (shown, packs, rows, booked) =
            (pipeline::display(dir), h.packs.len(), h.actual_rows, h.booked_periods.len());
        let line = t!(
            "ok: history {shown}: {packs} earlier pack(s), {rows} actuals row(s), {booked} period(s) booked",
            "通过：历史 {shown}：{packs} 个以前的数据包，{rows} 行实际成交，{booked} 个期间有成交"
        );
        println!("{}", line.get(lang));
    }
    Ok(())
}

/// `review`: the previous review and the history through the same pipeline (every problem of
/// every pack gathered into one list), the review computed, written with `--out`, printed.
fn review(
    config: &Config,
    c: &Checked,
    what_if: Option<&pipeline::ScenarioRollup>,
) -> Result<(), Failure> {
    let Some(options) = &config.review else {
        return Err(anyhow::Error::new(said(t!(
            "review without its options",
            "review 缺少它的选项"
        )))
        .into());
    };
    let mut problems = Problems::default();
    let previous = match &options.previous {
        None => None,
        Some(Previous::Pack(dir)) => {
            let other =
                pipeline::run(&pipeline::folder(dir), &config.pipeline, pipeline::PREVIOUS_PACK);
            gather(other, &mut problems)?.map(|c| Compared::Pack(Box::new(c)))
        }
        Some(Previous::RollupJson(path)) => {
            let before =
                review::moved::Before::from_json(path, &pipeline::display(path), c.rollup.opts);
            gather(before, &mut problems)?.map(Compared::RollupJson)
        }
    };
    let history = match &config.history {
        Some(dir) => gather(pipeline::history(dir, &config.pipeline, &c.pack), &mut problems)?,
        None => None,
    };
    if !problems.is_empty() {
        return Err(problems.into());
    }
    // With a scenario, the review (waterfall, agendas, flags, what moved) is the scenario's,
    // and says so; the baseline is shown beside it.
    let (pack, rollup) = match what_if {
        Some(w) => (&w.pack, &w.rollup),
        None => (&c.pack, &c.rollup),
    };
    let mut review =
        review::build(pack, rollup, options, previous, history).map_err(|f| match f {
            Failure::Input(mut ps) => {
                ps.name_files(pipeline::MAIN_PACK, &|k| c.files.display(k));
                Failure::Input(ps)
            }
            other => other,
        })?;
    review.baseline = what_if.map(|w| review::Baseline {
        pack: &c.pack,
        rollup: &c.rollup,
        scenario: &w.scenario,
    });
    let zh = config.terminal.lang == report::terminal::Lang::Zh;
    let mut doc = report::review::document(&review, None, zh);
    if config.out.is_some() {
        let a = audit_record(config, c, what_if)?;
        report::review::add_sources(&mut doc, &a, options);
    }
    if let Some(dir) = &config.out {
        let md = |w: &mut dyn Write| -> anyhow::Result<()> {
            w.write_all(report::review::md::render(&doc).as_bytes())?;
            Ok(())
        };
        let html = |w: &mut dyn Write| -> anyhow::Result<()> {
            w.write_all(report::review::html::render(&review, &doc, zh).as_bytes())?;
            Ok(())
        };
        let mut inputs = config.input_paths();
        if let Some(Previous::RollupJson(p)) = &options.previous {
            inputs.push(p.clone());
        }
        if let Some(h) = &config.history {
            inputs.push(h.join("actuals.csv"));
        }
        let xlsx = |w: &mut dyn Write| report::review::xlsx::render(&doc, w);
        let all: [place::Output; 3] = match what_if {
            None => [("review.md", &md), ("review.html", &html), ("review.xlsx", &xlsx)],
            Some(_) => [
                ("review.scenario.md", &md),
                ("review.scenario.html", &html),
                ("review.scenario.xlsx", &xlsx),
            ],
        };
        let chosen: Vec<place::Output> =
            all.into_iter().filter(|(n, _)| config.outputs.contains(n)).collect();
        let written = place::replace_set(dir, &chosen, &inputs)?;
        progress::stop();
        eprint!("{}", on_stderr(&report::summary::written(&written, config.terminal.lang)));
    }
    progress::stop();
    let mut text = String::new();
    if config.demo {
        text.push_str(&config::demo_banner(config.terminal.lang));
        text.push_str("\n\n");
    }
    // The terminal shows the agendas of the top levels; the files hold them all.
    let depth = report::review::agenda_depth(&review, report::review::TERMINAL_AGENDAS);
    let terminal = report::review::document(&review, Some(depth), zh);
    text.push_str(&report::review::text::render(&terminal, options.top, config.terminal.width));
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Text for stderr, each line broken at words to fit the terminal stderr writes to.
fn on_stderr(text: &str) -> String {
    use std::io::IsTerminal;
    let width = std::io::stderr()
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(std::io::stderr()))
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    fitted(text, width)
}

/// Each line of `text` broken at words to fit `width` (continuation lines indented by 2).
fn fitted(text: &str, width: Option<usize>) -> String {
    if width.is_none() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        // Continuation lines sit under the line's text (`  hint: …` under its hint).
        let indent = line.len() - line.trim_start().len() + 2;
        out.push_str(&report::terminal::wrap(line, width, indent));
        out.push('\n');
    }
    out
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
        let now = Instant::now();
        self.show(stage, now - self.last);
        self.last = now;
    }

    fn show(&self, stage: &str, took: std::time::Duration) {
        if self.on {
            let ms = took.as_secs_f64() * 1e3;
            match peak_rss_mib() {
                Some(peak) => {
                    let now = status_mib("VmRSS:").unwrap_or(0);
                    eprintln!("timing: {stage:<20} {ms:>9.1} ms   memory {now:>5} MiB, peak {peak:>5} MiB")
                }
                None => eprintln!("timing: {stage:<20} {ms:>9.1} ms"),
            }
        }
    }

    /// A part of the stage being timed, measured inside it.
    fn detail(&self, what: &str, d: std::time::Duration) {
        if self.on {
            eprintln!("timing: {what:<20} {:>9.1} ms", d.as_secs_f64() * 1e3);
        }
    }

    /// The pipeline's stages, as the pack went through them.
    fn stages(&mut self, t: &pipeline::StageTimes) {
        self.detail("  org, confidence, targets", t.load.others);
        self.detail("  index org ids", t.load.org);
        self.detail("  forecasts: read", t.load.read);
        self.detail("  forecasts: parse", t.load.parse);
        self.detail("  forecasts: merge", t.load.merge);
        self.show("read + parse", t.read);
        self.show("validate", t.validate);
        self.show("roll up", t.rollup);
        self.last = Instant::now();
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
