#!/usr/bin/env python3
"""Paired runs: time named commands back to back, round after round; write their times as JSON.

    python3 bench/paired.py --rounds N --json OUT.json NAME COMMAND [NAME COMMAND ...]

On a shared machine the load drifts while hyperfine times one command after another, so a ratio
of two hyperfine medians also measures the drift.  Here every round runs each command once, back
to back, so the commands of one round see about the same load and a ratio is taken within the
round.  The order rotates by one each round (round r starts with command r mod n), so no command
always goes first.

COMMAND is split into words like hyperfine -N splits it (shlex, no shell) and run with
subprocess: stdout to /dev/null, stderr to a temporary file that is printed if the command fails.
Each run is timed with time.perf_counter_ns (a monotonic clock), from just before the process is
started to just after it has been waited for.  A command that exits non-zero stops everything
(exit 1, nothing written).

OUT.json: {"rounds": N, "commands": [{"name", "command", "argv"}], "order": [[name, ...] per
round], "times": {name: [seconds per round, in round order]}}.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time


def time_once(argv: list[str], name: str) -> float:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter_ns()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        end = time.perf_counter_ns()
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode("utf-8", "replace"))
            sys.exit(f"paired.py: {name!r} exited {proc.returncode}: {shlex.join(argv)}")
    return (end - start) / 1e9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--json", required=True, help="where to write the times")
    ap.add_argument("pairs", nargs="+", metavar="NAME COMMAND")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if len(args.pairs) % 2:
        ap.error("commands come as NAME COMMAND pairs")
    names = args.pairs[0::2]
    commands = args.pairs[1::2]
    if len(set(names)) != len(names):
        ap.error("command names must differ")
    argvs = [shlex.split(c) for c in commands]

    times: dict[str, list[float]] = {n: [] for n in names}
    order: list[list[str]] = []
    for r in range(args.rounds):
        k = r % len(names)
        this_round = list(range(k, len(names))) + list(range(k))
        order.append([names[i] for i in this_round])
        for i in this_round:
            times[names[i]].append(time_once(argvs[i], names[i]))
        print(f"round {r + 1}/{args.rounds}: "
              + ", ".join(f"{names[i]} {times[names[i]][-1]:.3f} s" for i in this_round), flush=True)

    doc = {"rounds": args.rounds,
           "commands": [{"name": n, "command": c, "argv": a} for n, c, a in zip(names, commands, argvs)],
           "order": order,
           "times": times}
    tmp = args.json + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
