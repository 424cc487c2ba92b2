#!/usr/bin/env python3
"""Check a rollup.csv written by forecast-rollup against the exact reference.

    python3 bench/check_rollup.py PACK_DIR ROLLUP_CSV [--scale 2] [--rounding half-up]

The pack is rolled up again by reference.py (exact decimals, no floats) and
every printed cell of ROLLUP_CSV is judged against it:

1. the same rows in the same order (period, node_id), with the right depth,
   parent_id, name and level (text cells starting with = + - @ tab or CR carry
   a leading ');
2. every money cell (raw, forecast, adjusted, contribution, own,
   own_contribution) has --scale decimals and lies within one unit of the
   last decimal of the exact value; cells that differ from plain rounding are
   counted as allocated rounding residues, and too many of them fail
   (--max-residue-share, default 0.25);
3. the root's raw is plainly rounded, and so are its forecast, adjusted and
   contribution unless the root has own lines with more decimals than printed;
4. totals tie exactly as printed: raw = sum of children's raw + own,
   forecast = sum of children's adjusted + own, contribution = sum of
   children's contribution + own_contribution (so a leaf has
   raw = forecast = own and contribution = own_contribution), and the root's
   adjusted = forecast = contribution;
5. confidence is the exact multiplier in its shortest form (0.9, 1, 1.25) and
   reviewed is true/false as expected (the root is not judged);
6. target is the rounded target, gap = printed forecast - printed target
   exactly, attainment = exact forecast / exact target at 4 decimals with
   the same rounding mode; all three are empty without a target, and
   attainment is empty where the target is zero.

Exit status: 0 when everything holds (a one-line summary is printed), 1 with
the list of failures otherwise, 2 when the pack itself is invalid or the file
cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402  (the sibling module; also fixes the decimal context)

ROLLUP_COLUMNS = ["period", "node_id", "name", "level", "parent_id", "depth", "raw", "forecast",
                  "confidence", "adjusted", "contribution", "target", "gap", "attainment", "own",
                  "own_contribution", "reviewed"]
MONEY = ["raw", "forecast", "adjusted", "contribution", "own", "own_contribution"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOWN = 40  # failures listed per check before "... and N more"


def escape(text: str) -> str:
    """How the tool must print a text cell: a leading ' where a spreadsheet would see a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class Checker:
    """Collects failures per numbered check and counts residue cells."""

    def __init__(self, scale: int, rounding: str, max_residue_share: float):
        self.scale = scale
        self.rounding = rounding
        self.max_residue_share = max_residue_share
        self.unit = Decimal(1).scaleb(-scale)
        digits = r"\.\d{%d}" % scale if scale > 0 else ""
        self.money_re = re.compile(r"^-?\d+%s$" % digits)
        self.ratio_re = re.compile(r"^-?\d+\.\d{4}$")
        self.failures: dict[int, list[str]] = {n: [] for n in range(1, 7)}
        self.residues = 0
        self.money_cells = 0

    def fail(self, check: int, message: str) -> None:
        self.failures[check].append(message)

    def rnd(self, value: Decimal) -> Decimal:
        return reference.round_money(value, self.scale, self.rounding)

    def money(self, check: int, where: str, column: str, text: str) -> Decimal | None:
        """Parse a printed money cell, failing `check` if it is not plain text at --scale decimals."""
        if not self.money_re.match(text):
            self.fail(check, f"{where}: {column} {text!r} is not a number with {self.scale} decimals")
            return None
        value = Decimal(text)
        if value == 0 and text.startswith("-"):
            self.fail(check, f"{where}: {column} {text!r} is a negative zero")
        return value


def read_rollup(path: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, "rb") as fh:
        data = fh.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def check(pack: reference.Pack, header: list[str], printed_rows: list[dict[str, str]],
          ck: Checker) -> tuple[int, int]:
    """Run checks 1-6; returns (periods, nodes) for the summary."""
    expected = reference.rollup(pack)
    missing = [c for c in ROLLUP_COLUMNS if c not in header]
    if missing:
        ck.fail(1, f"header: missing column(s) {', '.join(missing)}; found: {', '.join(header)}")
        return len(pack.periods), len(pack.ids)
    if header[:14] != ROLLUP_COLUMNS[:14]:
        ck.fail(1, f"header: the first 14 columns must be {','.join(ROLLUP_COLUMNS[:14])}; "
                   f"found {','.join(header[:14])}")

    # ---- 1. rows, order, tree columns
    printed: dict[tuple[str, str], dict[str, str]] = {}
    line_of: dict[tuple[str, str], int] = {}
    printed_keys = []
    for i, row in enumerate(printed_rows, start=2):
        key = (unescape(row["period"] or ""), unescape(row["node_id"] or ""))
        if key in printed:
            ck.fail(1, f"line {i}: duplicate row for period {key[0]!r} node {key[1]!r} "
                       f"(first at line {line_of[key]})")
            continue
        printed[key] = row
        line_of[key] = i
        printed_keys.append(key)
    expected_keys = [(r.period, r.node_id) for r in expected]
    for key in expected_keys:
        if key not in printed:
            ck.fail(1, f"missing row: period {key[0]!r} node {key[1]!r}")
    exp_set = set(expected_keys)
    for key in printed_keys:
        if key not in exp_set:
            ck.fail(1, f"line {line_of[key]}: unexpected row: period {key[0]!r} node {key[1]!r}")
    common_printed = [k for k in printed_keys if k in exp_set]
    common_expected = [k for k in expected_keys if k in printed]
    for pos, (got, want) in enumerate(zip(common_printed, common_expected)):
        if got != want:
            ck.fail(1, f"line {line_of[got]}: row order: found period {got[0]!r} node {got[1]!r} "
                       f"where period {want[0]!r} node {want[1]!r} belongs (row {pos + 1})")
            break

    rows_by_key = {(r.period, r.node_id): r for r in expected}
    values: dict[tuple[str, str], dict[str, Decimal]] = {}  # printed money per row, for the ties
    for key in expected_keys:
        if key not in printed:
            continue
        row, exp, where = printed[key], rows_by_key[key], f"line {line_of[key]} ({key[0]} {key[1]})"
        cells = {"period": escape(exp.period), "node_id": escape(exp.node_id),
                 "parent_id": escape(exp.parent_id or ""), "name": escape(pack.name[exp.node_id]),
                 "level": escape(pack.level[exp.node_id])}
        for column, want in cells.items():
            got = row[column] or ""
            if column in ("name", "level"):
                got, want = got.strip(), want.strip()
            if got != want:
                ck.fail(1, f"{where}: {column} is {got!r}, expected {want!r}")
        if (row["depth"] or "") != str(exp.depth):
            ck.fail(1, f"{where}: depth is {row['depth']!r}, expected {exp.depth}")

        # ---- 2. money cells near the exact value
        got_values: dict[str, Decimal] = {}
        for column in MONEY:
            value = ck.money(2, where, column, row[column] or "")
            if value is None:
                continue
            got_values[column] = value
            exact = getattr(exp, column)
            ck.money_cells += 1
            if abs(value - exact) >= ck.unit:
                ck.fail(2, f"{where}: {column} {row[column]} is a unit or more away from the exact "
                           f"{reference.exact(exact)}")
            elif value != ck.rnd(exact):
                ck.residues += 1
        values[key] = got_values

        # ---- 3. the root is plainly rounded
        if exp.parent_id is None:
            # The root's raw always; the others too unless the root has own lines with more
            # decimals than printed (printed once for both root ties, they can be needed
            # rounded two ways; the raw then wins and the forecast moves a unit).
            sub_unit_own = ck.rnd(exp.own) != exp.own
            columns = ("raw",) if sub_unit_own else ("raw", "forecast", "adjusted", "contribution")
            for column in columns:
                if column in got_values and got_values[column] != ck.rnd(getattr(exp, column)):
                    ck.fail(3, f"{where}: root {column} {row[column]} is not the rounded exact "
                               f"{reference.exact(getattr(exp, column))} -> {ck.rnd(getattr(exp, column))}")

        # ---- 5. confidence and reviewed
        conf_text = row["confidence"] or ""
        shortest = reference.exact(exp.confidence)
        try:
            conf = Decimal(conf_text) if re.match(r"^-?\d+(\.\d+)?$", conf_text) else None
        except ArithmeticError:
            conf = None
        if conf is None or conf != exp.confidence:
            ck.fail(5, f"{where}: confidence {conf_text!r}, expected {shortest}")
        elif conf_text != shortest:
            ck.fail(5, f"{where}: confidence {conf_text!r} is not in shortest form {shortest!r}")
        if exp.parent_id is not None:
            want = "true" if exp.reviewed else "false"
            if (row["reviewed"] or "") != want:
                ck.fail(5, f"{where}: reviewed is {row['reviewed']!r}, expected {want!r}")

        # ---- 6. target, gap, attainment
        tcell, gcell, acell = (row[c] or "" for c in ("target", "gap", "attainment"))
        if exp.target is None:
            for column, text in (("target", tcell), ("gap", gcell), ("attainment", acell)):
                if text != "":
                    ck.fail(6, f"{where}: {column} {text!r} should be empty (no target)")
            continue
        target = ck.money(6, where, "target", tcell)
        gap = ck.money(6, where, "gap", gcell)
        if target is None:
            continue
        if target != ck.rnd(exp.target):
            ck.fail(6, f"{where}: target {tcell} is not the rounded {reference.exact(exp.target)}")
        forecast = got_values.get("forecast")
        if forecast is None:
            continue
        if gap is not None and gap != forecast - target:
            ck.fail(6, f"{where}: gap {gcell} != forecast {row['forecast']} - target {tcell} "
                       f"= {forecast - target}")
        if exp.target == 0:
            if acell != "":
                ck.fail(6, f"{where}: attainment {acell!r} should be empty (target is zero)")
            continue
        # attainment is a ratio of the exact values, rounded once (the gap, which is money,
        # is the printed forecast minus the printed target so that the row ties).
        want = reference.ROUNDING_CTX.divide(exp.forecast, exp.target).quantize(
            Decimal("0.0001"), rounding=reference.ROUNDING_MODES[ck.rounding],
            context=reference.ROUNDING_CTX)
        if not ck.ratio_re.match(acell) or Decimal(acell) != want:
            ck.fail(6, f"{where}: attainment {acell!r}, expected {want} "
                       f"(= exact forecast / exact target at 4 decimals)")

    # ---- 4. ties, on the printed values
    for period in pack.periods:
        for node in pack.order:
            key = (period, node)
            if key not in values:
                continue
            mine = values[key]
            kids = [values.get((period, k), {}) for k in pack.children[node]]
            where = f"line {line_of[key]} ({period} {node})"
            kind = "leaf" if not pack.children[node] else "node"
            ties = (("raw", "raw", "own"), ("forecast", "adjusted", "own"),
                    ("contribution", "contribution", "own_contribution"))
            for total, part, own in ties:
                if total not in mine or own not in mine or any(part not in k for k in kids):
                    continue  # an unreadable cell was already reported
                want = sum((k[part] for k in kids), Decimal(0)) + mine[own]
                if mine[total] != want:
                    label = (f"{own}" if kind == "leaf" else f"children's {part} + {own}")
                    ck.fail(4, f"{where}: {kind} {total} {mine[total]} != {label} = {want} "
                               f"(off by {mine[total] - want})")
            if node == pack.root and all(c in mine for c in ("forecast", "adjusted", "contribution")):
                if not mine["adjusted"] == mine["forecast"] == mine["contribution"]:
                    ck.fail(4, f"{where}: root adjusted {mine['adjusted']}, forecast {mine['forecast']} "
                               f"and contribution {mine['contribution']} must be equal")

    if ck.money_cells and ck.residues > ck.max_residue_share * ck.money_cells:
        ck.fail(2, f"{ck.residues} of {ck.money_cells} money cells differ from plain rounding "
                   f"(more than {ck.max_residue_share:.0%}): residues are not being allocated sparingly")
    return len(pack.periods), len(pack.ids)


TITLES = {
    1: "rows, order and tree columns",
    2: "money cells within one unit of the exact value",
    3: "root totals plainly rounded",
    4: "totals tie as printed",
    5: "confidence and reviewed",
    6: "target, gap and attainment",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pack", metavar="PACK_DIR")
    ap.add_argument("rollup", metavar="ROLLUP_CSV")
    ap.add_argument("--scale", type=int, default=2)
    ap.add_argument("--rounding", choices=sorted(reference.ROUNDING_MODES), default="half-up")
    ap.add_argument("--encoding", default="auto", help="encoding of the pack: auto, utf-8 or gb18030")
    ap.add_argument("--max-confidence", default="2")
    ap.add_argument("--max-residue-share", type=float, default=0.25,
                    help="fail when more than this share of money cells differ from plain rounding")
    args = ap.parse_args(argv)
    try:
        pack = reference.load_pack(args.pack, args.encoding, Decimal(args.max_confidence))
    except reference.PackError as exc:
        print("the pack itself is invalid:", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    try:
        header, rows = read_rollup(args.rollup)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        print(f"cannot read {args.rollup}: {exc}", file=sys.stderr)
        return 2
    ck = Checker(args.scale, args.rounding, args.max_residue_share)
    try:
        periods, nodes = check(pack, header, rows, ck)
    except reference.decimal.Inexact:
        print(f"an exact value needs more than {reference.CTX.prec} significant digits; "
              "cannot judge this pack exactly", file=sys.stderr)
        return 2
    total = sum(len(v) for v in ck.failures.values())
    residue_note = (f"{ck.residues} cell{'s' if ck.residues != 1 else ''} "
                    f"carr{'y' if ck.residues != 1 else 'ies'} an allocated residue")
    if total == 0:
        print(f"ok: {periods} period{'s' if periods != 1 else ''} × {nodes} nodes, {residue_note}")
        return 0
    for n, messages in ck.failures.items():
        if not messages:
            continue
        print(f"FAIL {n}. {TITLES[n]}: {len(messages)} failure{'s' if len(messages) != 1 else ''}")
        for m in messages[:SHOWN]:
            print(f"  {m}")
        if len(messages) > SHOWN:
            print(f"  ... and {len(messages) - SHOWN} more")
    print(f"{total} failure{'s' if total != 1 else ''}; {residue_note} "
          f"(of {ck.money_cells} money cells)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
