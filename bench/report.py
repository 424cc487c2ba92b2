#!/usr/bin/env python3
"""Write bench/RESULTS.md (to stdout) from what bench/run.sh measured.

    python3 bench/report.py --bin BIN --data bench/data --out bench/data/out \
        --agree "SUMMARY LINE" [--small] SMALL_PACK MID_PACK LARGE_PACK

For each pack label, OUT/LABEL holds hyperfine.json (hyperfine --export-json) and commands.tsv
(name, command, peak RSS in KiB from /usr/bin/time -f %M).  The three packs play the roles of
the targets: the first is "100k", the second "1M", the third "10M".
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

ENGINE = "forecast-rollup"
ENGINE_1T = "forecast-rollup, 1 thread"
DUCKDB = "DuckDB peer"
POLARS = "Polars peer"


def run(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> list[str]:
    model = "unknown"
    for line in run("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return [f"- CPU: {model}, {os.cpu_count()} cores",
            f"- memory: {mem}",
            f"- OS: {platform.system()} {platform.release()}"]


def versions(binary: str) -> list[str]:
    import duckdb
    import polars
    return [f"- rustc: {run('rustc', '--version')}",
            f"- {run(binary, '--version')}",
            f"- Python {platform.python_version()}, duckdb {duckdb.__version__}, polars {polars.__version__}",
            f"- {run('hyperfine', '--version')}"]


def count_lines(path: str) -> int:
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines


class Pack:
    def __init__(self, label: str, data: str, out: str):
        self.label = label
        self.dir = os.path.join(data, label)
        forecasts = os.path.join(self.dir, "forecasts.csv")
        self.size = os.path.getsize(forecasts)
        self.lines = count_lines(forecasts) - 1
        self.nodes = count_lines(os.path.join(self.dir, "org.csv")) - 1
        with open(os.path.join(self.dir, ".stamp")) as fh:
            self.stamp = fh.read().strip()
        with open(os.path.join(out, label, "hyperfine.json")) as fh:
            self.results = {r["command"]: r for r in json.load(fh)["results"]}
        self.runs = max(len(r["times"]) for r in self.results.values())
        self.commands: list[tuple[str, str, int]] = []
        with open(os.path.join(out, label, "commands.tsv"), encoding="utf-8") as fh:
            for line in fh:
                name, command, rss = line.rstrip("\n").split("\t")
                self.commands.append((name, command, int(rss)))

    def median(self, name: str) -> float:
        return self.results[name]["median"]

    def peak_mib(self, name: str) -> float:
        return next(rss for n, _, rss in self.commands if n == name) / 1024


def seconds(value: float) -> str:
    return f"{value:.3f}" if value >= 0.1 else f"{value:.4f}"


def rate(mb_per_s: float) -> str:
    return f"{mb_per_s:.0f}" if mb_per_s >= 10 else f"{mb_per_s:.1f}"


def table(pack: Pack) -> list[str]:
    rows = [f"### {pack.label}: {pack.lines:,} forecast lines, {pack.nodes:,} nodes, "
            f"forecasts.csv {pack.size / 1e6:.1f} MB",
            "",
            f"`forecast-rollup {pack.stamp}`; hyperfine `--warmup 1 --runs {pack.runs}`.",
            "",
            "| command | median s | min–max s | peak MiB | MB/s |",
            "|---|---:|---:|---:|---:|"]
    for name, _, _ in pack.commands:
        r = pack.results[name]
        rows.append(f"| {name} | {seconds(r['median'])} | {seconds(r['min'])}–{seconds(r['max'])} | "
                    f"{pack.peak_mib(name):.0f} | {rate(pack.size / 1e6 / r['median'])} |")
    return rows


def targets(small: Pack, mid: Pack, large: Pack) -> list[str]:
    cores = os.cpu_count()
    checks = [
        (f"engine / Polars peer, median on {large.label}",
         large.median(ENGINE) / large.median(POLARS), "≤ 0.35", lambda v: v <= 0.35, "{:.3f}"),
        (f"engine / DuckDB peer, median on {large.label}",
         large.median(ENGINE) / large.median(DUCKDB), "≤ 0.2", lambda v: v <= 0.2, "{:.3f}"),
        (f"engine peak RSS on {large.label}",
         large.peak_mib(ENGINE), "≤ 200 MiB", lambda v: v <= 200, "{:.0f} MiB"),
        (f"engine median on {small.label}",
         small.median(ENGINE) * 1000, "≤ 30 ms", lambda v: v <= 30, "{:.1f} ms"),
        (f"engine median {large.label} / {mid.label}",
         large.median(ENGINE) / mid.median(ENGINE), "≤ 11", lambda v: v <= 11, "{:.2f}"),
        (f"engine speed-up, 1 thread / {cores} threads, on {large.label}",
         large.median(ENGINE_1T) / large.median(ENGINE), "≥ 1.7", lambda v: v >= 1.7, "{:.2f}"),
    ]
    rows = ["| target | measured | goal | |", "|---|---:|---:|---|"]
    for title, value, goal, ok, fmt in checks:
        rows.append(f"| {title} | {fmt.format(value)} | {goal} | {'met' if ok(value) else '**not met**'} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--agree", required=True, help="agree.py's summary line on the first pack")
    ap.add_argument("--small", action="store_true", help="the packs were shrunk (BENCH_SMALL=1)")
    ap.add_argument("labels", nargs=3, metavar="PACK")
    args = ap.parse_args(argv)
    packs = [Pack(label, args.data, args.out) for label in args.labels]
    small, mid, large = packs

    doc = ["# Benchmark results", ""]
    if args.small:
        doc += ["> **BENCH_SMALL=1: shrunk packs and 2 runs, a trial of bench/run.sh. These numbers "
                "say nothing about the engine; the targets below are computed on the small packs.**", ""]
    doc += [f"Measured {datetime.date.today().isoformat()} by `bash bench/run.sh`.", "",
            "## Machine", ""] + machine() + ["", "## Versions", ""] + versions(args.bin)
    doc += ["", "## Commands", "",
            "Every pack is generated by `forecast-rollup gen` with the arguments shown under its table. "
            "The page cache is warmed (`cat PACK/*.csv > /dev/null`) before timing. Each command "
            "below is timed by `hyperfine -N --warmup 1 --runs N --export-json FILE` (no shell "
            "around the command; its stdout goes to /dev/null) and its peak RSS measured once with "
            "`/usr/bin/time -f %M COMMAND > /dev/null`. MB/s is the size of forecasts.csv "
            "(10^6 bytes) divided by the median. The peers run on the Python of bench/.venv; "
            "their times include starting Python and importing duckdb or polars.", ""]
    for pack in packs:
        doc += [f"{pack.label}:", "", "```sh"] + [cmd for _, cmd, _ in pack.commands] + ["```", ""]
    doc += ["## Timings", ""]
    for pack in packs:
        doc += table(pack) + [""]
    doc += ["## Targets", "", f"The large pack is {large.label}, the middle one {mid.label}, the small "
            f"one {small.label}. The peers are timed without `--validate` here.", ""]
    doc += targets(small, mid, large)
    doc += ["", "## Agreement", "",
            f"`bench/agree.py` on the {small.label} outputs (the engine's rollup.csv against both "
            "peers, plain and --validate; money may differ by the cent the engine's residue "
            "allocation moves):", "", "```", args.agree, "```", ""]
    sys.stdout.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
