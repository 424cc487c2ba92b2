#!/usr/bin/env python3
"""Do the engine's rollup.csv and the peers' outputs agree?

    python3 bench/agree.py PACK_DIR ENGINE_CSV PEER_CSV [PEER_CSV ...]

Rows are keyed by (period, node_id) and every one of the contract's 14 columns is compared:

  * the same set of rows in every file (and, per period, one row for every node of
    PACK_DIR/org.csv);
  * name, level, parent_id and depth: equal (the engine's formula guard, a leading ', is undone);
  * confidence: equal as decimals (0.9 = 0.90);
  * money (raw, forecast, adjusted, contribution, target, gap): at most 0.01 apart.  The engine
    allocates rounding residues so that its totals tie, while a peer rounds each cell on its
    own, so a cent either way is expected and counted, not failed;
  * attainment: at most 0.0001 apart (both divide the exact forecast by the exact target and
    round once, so they should be equal), and empty in both or in neither.

Prints one summary line (cells compared, cells that differ by a cent) and exits 1 on any
real disagreement (listing the first ones), 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

COLUMNS = ["period", "node_id", "name", "level", "parent_id", "depth", "raw", "forecast",
           "confidence", "adjusted", "contribution", "target", "gap", "attainment"]
TEXT = ["name", "level", "parent_id", "depth"]
MONEY = ["raw", "forecast", "adjusted", "contribution", "target", "gap"]
CENT = Decimal("0.01")
RATIO_UNIT = Decimal("0.0001")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOWN = 20


class Unreadable(Exception):
    pass


def unescape(text: str) -> str:
    """Undo the formula guard: a leading ' before =, +, -, @, tab or CR."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def read_rows(path: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(period, node_id): {column: text}} for the first 14 columns of a roll-up CSV."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise Unreadable(f"{path}: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Unreadable(f"{path}: missing column(s) {', '.join(missing)}")
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line, row in enumerate(reader, start=2):
        cells = {c: unescape(row[c] or "") for c in COLUMNS}
        key = (cells["period"], cells["node_id"])
        if key in rows:
            raise Unreadable(f"{path}:{line}: a second row for period {key[0]!r} node {key[1]!r}")
        rows[key] = cells
    return rows


def org_size(pack: str) -> int | None:
    """Number of nodes in PACK_DIR/org.csv (non-empty records after the header)."""
    path = os.path.join(pack, "org.csv")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError):
        return None
    return sum(1 for r in records[1:] if any(cell.strip() for cell in r))


def number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def printed_ratio_note(row: dict[str, str], attainment: Decimal) -> str:
    """A hint when the engine's attainment is its printed forecast / printed target, rounded."""
    forecast, target = number(row["forecast"]), number(row["target"])
    if forecast is None or not target:
        return ""
    ratio = (forecast / target).quantize(RATIO_UNIT, rounding=ROUND_HALF_UP)
    return "; the engine's is its printed forecast / printed target" if ratio == attainment else ""


class Tally:
    def __init__(self) -> None:
        self.cells = 0
        self.cent = 0
        self.ratio = 0
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(message)


def compare(engine: dict, peer: dict, peer_name: str, tally: Tally) -> int:
    """Compare one peer with the engine; returns the cells of this peer off by a cent."""
    cent = 0
    for key in sorted(engine.keys() - peer.keys()):
        tally.problem(f"{peer_name}: no row for period {key[0]!r} node {key[1]!r}")
    for key in sorted(peer.keys() - engine.keys()):
        tally.problem(f"{peer_name}: a row the engine does not have: period {key[0]!r} node {key[1]!r}")
    for key in sorted(engine.keys() & peer.keys()):
        e, p = engine[key], peer[key]
        where = f"{peer_name}: {key[0]} {key[1]}"
        for column in TEXT:
            if e[column].strip() != p[column].strip():
                tally.problem(f"{where}: {column} engine {e[column]!r} peer {p[column]!r}")
        for column in ["confidence"] + MONEY + ["attainment"]:
            a, b = e[column], p[column]
            tally.cells += 1
            if a == b:
                continue
            if (a == "") != (b == ""):
                tally.problem(f"{where}: {column} engine {a!r} peer {b!r} (one is empty)")
                continue
            x, y = number(a), number(b)
            if x is None or y is None:
                tally.problem(f"{where}: {column} engine {a!r} peer {b!r} (not a number)")
                continue
            diff = abs(x - y)
            if diff == 0:
                continue
            if column == "confidence":
                tally.problem(f"{where}: confidence engine {a} peer {b}")
            elif column == "attainment":
                if diff > RATIO_UNIT:
                    tally.problem(f"{where}: attainment engine {a} peer {b} (off by {diff}"
                                  f"{printed_ratio_note(e, x)})")
                else:
                    tally.ratio += 1
            elif diff > CENT:
                tally.problem(f"{where}: {column} engine {a} peer {b} (off by {diff})")
            else:
                cent += 1
    return cent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pack", metavar="PACK_DIR")
    ap.add_argument("engine", metavar="ENGINE_CSV")
    ap.add_argument("peers", metavar="PEER_CSV", nargs="+")
    args = ap.parse_args(argv)
    try:
        engine = read_rows(args.engine)
        peers = [(path, read_rows(path)) for path in args.peers]
    except (Unreadable, UnicodeDecodeError, csv.Error) as exc:
        print(f"agree: cannot read {exc}", file=sys.stderr)
        return 2

    tally = Tally()
    nodes = org_size(args.pack)
    periods = sorted({period for period, _ in engine})
    if nodes is not None:
        for period in periods:
            count = sum(1 for p, _ in engine if p == period)
            if count != nodes:
                tally.problem(f"engine: {count} rows in period {period!r}, org.csv has {nodes} nodes")
    per_peer = []
    for path, rows in peers:
        name = os.path.basename(path)
        cent = compare(engine, rows, name, tally)
        tally.cent += cent
        per_peer.append(f"{name} {cent}")

    share = f"{100 * tally.cent / tally.cells:.2f}%" if tally.cells else "0%"
    n = len(tally.problems)
    verdict = "agree" if not n else f"DISAGREE ({n} problem{'s' if n != 1 else ''})"
    print(f"{verdict}: {len(engine)} rows × {len(peers)} peer{'s' if len(peers) != 1 else ''}, "
          f"{tally.cells} numeric cells compared, {tally.cent} money cells differ by a cent ({share}; "
          f"{', '.join(per_peer)}), {tally.ratio} attainments by 0.0001")
    for message in tally.problems[:SHOWN]:
        print(f"  {message}")
    if len(tally.problems) > SHOWN:
        print(f"  ... and {len(tally.problems) - SHOWN} more")
    return 1 if tally.problems else 0


if __name__ == "__main__":
    sys.exit(main())
