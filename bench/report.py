#!/usr/bin/env python3
"""Write bench/RESULTS.md (to stdout) from what bench/run.sh measured.

    python3 bench/report.py --bin BIN --data bench/data --out bench/data/out \
        --agree "SUMMARY LINE" [--small] [--big BIG_PACK] SMALL_PACK MID_PACK LARGE_PACK

For each pack label, OUT/LABEL holds hyperfine.json (hyperfine --export-json), commands.tsv
(name, command, peak RSS in KiB from /usr/bin/time -f %M) and paired.json (bench/paired.py: the
engine, the engine on 1 thread and the two peers, back to back, round by round).  The three
packs play the roles of the targets: the first is "100k", the second "1M", the third "10M".
With --big, OUT/BIG_PACK/peak.tsv holds the engine's one run on the "100M" pack (name,
command, peak RSS in KiB, wall seconds); without it the 100M row says it was not measured.

A missing or unreadable input is an error (exit 1, a message naming it, nothing written):
the table is never written from part of a run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

ENGINE = "forecast-rollup"
ENGINE_1T = "forecast-rollup, 1 thread"
DUCKDB = "DuckDB peer"
POLARS = "Polars peer"
PAIRED = (ENGINE, ENGINE_1T, DUCKDB, POLARS)


class Missing(Exception):
    """An input bench/run.sh should have written is missing or unreadable."""


def need(path: str) -> str:
    if not os.path.isfile(path):
        raise Missing(f"{path} is missing (did bench/run.sh finish this pack?)")
    return path


def read_json(path: str) -> dict:
    try:
        with open(need(path), encoding="utf-8") as fh:
            return json.load(fh)
    except ValueError as e:
        raise Missing(f"{path} is not JSON ({e})") from e


def run(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Cpu:
    """The CPU model, its cores and whether it has AVX2 and AVX-512, from /proc/cpuinfo (lscpu
    when that cannot be read): ratios against the peers move with the CPU model."""

    def __init__(self) -> None:
        info: dict[str, str] = {}
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    key, sep, value = line.partition(":")
                    if sep and key.strip() not in info:   # the first processor's
                        info[key.strip()] = value.strip()
        except OSError:
            pass
        lscpu: dict[str, str] = {}
        for line in run("lscpu").splitlines():
            key, sep, value = line.partition(":")
            if sep:
                lscpu[key.strip()] = value.strip()
        self.model = info.get("model name") or lscpu.get("Model name") or "unknown"
        ident = [f"{label} {info[key]}" for key, label in
                 (("cpu family", "family"), ("model", "model"), ("stepping", "stepping")) if key in info]
        self.ident = ", ".join(ident)
        flags = set((info.get("flags") or lscpu.get("Flags") or "").split())
        self.known = bool(flags)
        self.avx2 = "avx2" in flags
        self.avx512 = sorted(f for f in flags if f.startswith("avx512"))
        self.threads = os.cpu_count() or 0
        try:
            self.usable = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            self.usable = self.threads
        try:
            self.cores = int(lscpu["Core(s) per socket"]) * int(lscpu["Socket(s)"])
        except (KeyError, ValueError):
            self.cores = self.threads

    def yes(self, has: bool) -> str:
        return ("yes" if has else "no") if self.known else "unknown"

    def short(self) -> str:
        """The model, cores and vector extensions, for the targets' heading."""
        model = f"{self.model} ({self.ident})" if self.ident else self.model
        return (f"{model}, {self.cores} cores, AVX2 {self.yes(self.avx2)}, "
                f"AVX-512 {self.yes(bool(self.avx512))}")

    def lines(self) -> list[str]:
        model = f"{self.model} ({self.ident})" if self.ident else self.model
        threads = f"{self.cores} cores, {self.threads} hardware threads"
        if self.usable != self.threads:
            threads += f" ({self.usable} available to this process)"
        avx512 = self.yes(bool(self.avx512))
        if self.avx512:
            avx512 += f" ({', '.join(self.avx512)})"
        return [f"- CPU: {model}, {threads}",
                f"- vector extensions: AVX2 {self.yes(self.avx2)}; AVX-512 {avx512}"]


def machine(cpu: Cpu) -> list[str]:
    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return cpu.lines() + [f"- memory: {mem}",
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
        forecasts = need(os.path.join(self.dir, "forecasts.csv"))
        self.size = os.path.getsize(forecasts)
        self.lines = count_lines(forecasts) - 1
        self.nodes = count_lines(need(os.path.join(self.dir, "org.csv"))) - 1
        with open(need(os.path.join(self.dir, ".stamp"))) as fh:
            self.stamp = fh.read().strip()
        hyperfine = os.path.join(out, label, "hyperfine.json")
        self.results = {r["command"]: r for r in read_json(hyperfine)["results"]}
        self.commands: list[tuple[str, str, int]] = []
        tsv = need(os.path.join(out, label, "commands.tsv"))
        with open(tsv, encoding="utf-8") as fh:
            for line in fh:
                name, command, rss = line.rstrip("\n").split("\t")
                self.commands.append((name, command, int(rss)))
        for name, _, _ in self.commands:
            if name not in self.results:
                raise Missing(f"{hyperfine} has no times for {name!r}")
        for name in PAIRED:
            if not any(n == name for n, _, _ in self.commands):
                raise Missing(f"{tsv} has no line for {name!r}")
        self.runs = max(len(self.results[n]["times"]) for n, _, _ in self.commands)
        paired = os.path.join(out, label, "paired.json")
        doc = read_json(paired)
        self.rounds = int(doc["rounds"])
        self.paired: dict[str, list[float]] = doc["times"]
        for name in PAIRED:
            if len(self.paired.get(name, [])) != self.rounds or self.rounds < 1:
                raise Missing(f"{paired} does not hold {self.rounds} rounds of {name!r}")

    def median(self, name: str) -> float:
        return self.results[name]["median"]

    def peak_mib(self, name: str) -> float:
        return next(rss for n, _, rss in self.commands if n == name) / 1024

    def paired_median(self, name: str) -> float:
        return statistics.median(self.paired[name])

    def ratios(self, num: str, den: str) -> tuple[float, float, float]:
        """Median, min and max over the rounds of num's time / den's time in the same round."""
        r = [a / b for a, b in zip(self.paired[num], self.paired[den])]
        return statistics.median(r), min(r), max(r)


class Big:
    """The engine's one run on the "100M" pack: peak RSS and wall time (OUT/LABEL/peak.tsv)."""

    def __init__(self, label: str, data: str, out: str):
        self.label = label
        pack = os.path.join(data, label)
        forecasts = need(os.path.join(pack, "forecasts.csv"))
        self.size = os.path.getsize(forecasts)
        self.lines = count_lines(forecasts) - 1
        self.nodes = count_lines(need(os.path.join(pack, "org.csv"))) - 1
        with open(need(os.path.join(pack, ".stamp"))) as fh:
            self.stamp = fh.read().strip()
        tsv = need(os.path.join(out, label, "peak.tsv"))
        with open(tsv, encoding="utf-8") as fh:
            fields = fh.readline().rstrip("\n").split("\t")
        if len(fields) != 4:
            raise Missing(f"{tsv} should hold one line: name, command, KiB, seconds")
        self.command = fields[1]
        self.kib = int(fields[2])
        self.seconds = float(fields[3])


def seconds(value: float) -> str:
    return f"{value:.3f}" if value >= 0.1 else f"{value:.4f}"


def rate(mb_per_s: float) -> str:
    return f"{mb_per_s:.0f}" if mb_per_s >= 10 else f"{mb_per_s:.1f}"


def spread(median: float, lo: float, hi: float, fmt: str = "{:.3f}", unit: str = "") -> str:
    """median (min–max), the unit after the median: 1.58× (1.49–1.66)."""
    return f"{fmt.format(median)}{unit} ({fmt.format(lo)}–{fmt.format(hi)})"


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


def big_table(big: Big) -> list[str]:
    return [f"### {big.label}: {big.lines:,} forecast lines, {big.nodes:,} nodes, "
            f"forecasts.csv {f'{big.size / 1e9:.2f} GB' if big.size >= 1e9 else f'{big.size / 1e6:.1f} MB'}",
            "",
            f"`forecast-rollup {big.stamp}`; the engine alone, one run under `/usr/bin/time -f '%M %e'` "
            "(peak RSS and wall time; no hyperfine, no peers).",
            "",
            "| command | wall s | peak MiB | MB/s |",
            "|---|---:|---:|---:|",
            f"| {ENGINE} | {big.seconds:.2f} | {big.kib / 1024:.0f} | "
            f"{rate(big.size / 1e6 / big.seconds) if big.seconds > 0 else '–'} |"]


def paired_table(packs: list[Pack], threads: int) -> list[str]:
    rows = [f"| pack | rounds | {ENGINE} s | 1 thread s | {DUCKDB} s | {POLARS} s | "
            f"engine / DuckDB | engine / Polars | 1 thread / {threads} threads |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in packs:
        rows.append(f"| {p.label} | {p.rounds} | "
                    + " | ".join(seconds(p.paired_median(n)) for n in PAIRED) + " | "
                    + f"{spread(*p.ratios(ENGINE, DUCKDB))} | {spread(*p.ratios(ENGINE, POLARS))} | "
                    + f"{spread(*p.ratios(ENGINE_1T, ENGINE), fmt='{:.2f}')} |")
    return rows


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def targets(small: Pack, mid: Pack, large: Pack, big: Big | None, big_label: str,
            threads: int) -> list[str]:
    rows = ["| figure | measured | goal | |", "|---|---:|---:|---|"]
    for peer, short, goal in ((POLARS, "Polars", 0.35), (DUCKDB, "DuckDB", 0.20)):
        med, lo, hi = large.ratios(ENGINE, peer)
        rows.append(f"| engine / {peer}, {large.label} | {spread(med, lo, hi)}; medians: engine "
                    f"{seconds(large.paired_median(ENGINE))} s, {short} {seconds(large.paired_median(peer))} s | "
                    f"≤ {goal:.2f} | {verdict(med <= goal)} |")
    peak = large.peak_mib(ENGINE)
    rows.append(f"| peak memory, {large.label} | {peak:.0f} MiB | ≤ 200 MiB | {verdict(peak <= 200)} |")
    r = small.results[ENGINE]
    ms = r["median"] * 1000
    rows.append(f"| {small.label} lines, whole process | "
                f"{spread(ms, r['min'] * 1000, r['max'] * 1000, '{:.1f}', ' ms')} | ≤ 30 ms | {verdict(ms <= 30)} |")
    scale = large.median(ENGINE) / mid.median(ENGINE)
    rows.append(f"| {large.label} / {mid.label}, engine medians (linear scaling) | {scale:.2f}× | ≤ 11× | {verdict(scale <= 11)} |")
    med, lo, hi = large.ratios(ENGINE_1T, ENGINE)
    rows.append(f"| {threads} threads vs 1 thread, {large.label} | {spread(med, lo, hi, '{:.2f}', '×')} | "
                f"≥ 1.7× | {verdict(med >= 1.7)} |")
    if big is None:
        rows.append(f"| {big_label} lines, peak memory | not measured (BENCH_100M=1) | ≤ 1 GiB | {verdict(None)} |")
    else:
        gib = big.kib / 1024 / 1024
        rows.append(f"| {big.label} lines, peak memory | {gib:.2f} GiB ({big.kib / 1024:.0f} MiB; "
                    f"one run, {big.seconds:.2f} s) | ≤ 1 GiB | {verdict(gib <= 1)} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--agree", required=True, help="agree.py's summary line on the first pack")
    ap.add_argument("--small", action="store_true", help="the packs were shrunk (BENCH_SMALL=1)")
    ap.add_argument("--big", metavar="PACK", help='the "100M" pack, if it was measured (BENCH_100M=1)')
    ap.add_argument("labels", nargs=3, metavar="PACK")
    args = ap.parse_args(argv)
    try:
        packs = [Pack(label, args.data, args.out) for label in args.labels]
        big = Big(args.big, args.data, args.out) if args.big else None
    except Missing as e:
        sys.exit(f"report.py: {e}; bench/RESULTS.md not written")
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"report.py: cannot read what bench/run.sh measured: {type(e).__name__}: {e}; "
                 "bench/RESULTS.md not written")
    small, mid, large = packs
    cpu = Cpu()
    threads = cpu.usable
    big_label = args.big or "100M"

    doc = ["# Benchmark results", ""]
    if args.small:
        doc += ["> **BENCH_SMALL=1: shrunk packs, 2 runs and a few paired rounds, a trial of "
                "bench/run.sh. These numbers say nothing about the engine; the targets below are "
                "computed on the small packs.**", ""]
    doc += [f"Measured {datetime.date.today().isoformat()} by `bash bench/run.sh`"
            + (" with BENCH_100M=1." if big else "."), "",
            "## Machine", ""] + machine(cpu) + ["", "## Versions", ""] + versions(args.bin)
    doc += ["", "## Commands", "",
            "Every pack is generated by `forecast-rollup gen` with the arguments shown under its table. "
            "The page cache is warmed (`cat PACK/*.csv > /dev/null`) before timing. Each command "
            "below is timed by `hyperfine -N --warmup 1 --runs N --export-json FILE` (no shell "
            "around the command; its stdout goes to /dev/null) and its peak RSS measured once with "
            "`/usr/bin/time -f %M COMMAND > /dev/null`. MB/s is the size of forecasts.csv "
            "(10^6 bytes) divided by the median. The peers run on the Python of bench/.venv; "
            "their times include starting Python and importing duckdb or polars.", "",
            "Then come the paired runs (`bench/paired.py`): in each round the engine, the engine on "
            "1 thread, the DuckDB peer and the Polars peer (the peers without `--validate`) run once "
            "each, back to back, the same commands as below, and each run is timed with a monotonic "
            "clock from the start of the process to its exit. The order rotates by one each round, "
            "so no command always goes first. A ratio is taken within each round, where the "
            "commands met about the same load, and the targets report the median of those ratios "
            "and their min–max; hyperfine's medians, taken one command after another, would also "
            "measure how the load drifted in between.", ""]
    for pack in packs:
        doc += [f"{pack.label}:", "", "```sh"] + [cmd for _, cmd, _ in pack.commands] + ["```", ""]
    if big:
        doc += [f"{big.label} (engine only):", "", "```sh", big.command, "```", ""]
    doc += ["## Timings", ""]
    for pack in packs:
        doc += table(pack) + [""]
    if big:
        doc += big_table(big) + [""]
    doc += ["## Paired runs", "",
            "Medians of each command's time over the rounds, and the median (min–max) of the "
            "per-round ratios.", ""]
    doc += paired_table(packs, threads) + [""]
    doc += [f"## Targets on {cpu.short()}", "",
            f"The large pack is {large.label}, the middle one {mid.label}, the small one "
            f"{small.label}. The ratios to the peers and the speed-up are paired: the median "
            f"(min–max) over {large.rounds} rounds of the per-round ratio, then the medians of the "
            "two commands' times in those rounds. The peers are timed without `--validate`. Peak "
            "memory is /usr/bin/time's, one run; the small pack's time and the scaling are "
            f"hyperfine's. The engine runs on its default threads ({threads} here) unless it says 1.",
            ""]
    doc += targets(small, mid, large, big, big_label, threads)
    doc += ["", "## Agreement", "",
            f"`bench/agree.py` on the {small.label} outputs (the engine's rollup.csv against both "
            "peers, plain and --validate; money may differ by the cent the engine's residue "
            "allocation moves):", "", "```", args.agree, "```", ""]
    sys.stdout.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
