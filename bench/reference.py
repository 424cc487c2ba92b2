#!/usr/bin/env python3
"""Independent exact reference for the forecast-rollup data contract.

Reads a forecast pack (org.csv, forecasts.csv, optional confidence.csv and
targets.csv) the way /work/shared/CONTRACT.md describes it and computes the
roll-up with exact decimals (Python's ``decimal`` at 200 digits of precision,
never binary floating point).  The output keeps every value unrounded, so it
can be used to judge the rounded figures that ``forecast-rollup`` prints:

    python3 bench/reference.py PACK_DIR --out exact.csv
    python3 bench/reference.py PACK_DIR --scale 2 --rounding half-even

Output columns (one row per period per node, periods sorted as text, nodes in
depth-first pre-order from the root with siblings in org.csv row order):

    period,node_id,depth,raw,own,forecast,confidence,adjusted,contribution,
    own_contribution,target

Definitions, per period:
    own              sum of the node's own forecast lines
    raw              own + sum of the children's raw
    forecast         own + sum of the children's adjusted
    confidence       the multiplier the parent gave the node (1 for the root
                     or when no row applies; a row with a period overrides a
                     row with an empty period for that period)
    adjusted         forecast * confidence
    M(node)          product of the confidences of all strict ancestors
    contribution     adjusted * M(node)
    own_contribution own * confidence * M(node)

``--scale`` and ``--rounding`` only shape the summary printed to stderr (the
rounded root totals per period); the CSV is always exact.  The module is also
imported by check_rollup.py, which compares a rollup.csv with these values.
"""

from __future__ import annotations

import argparse
import csv
import decimal
import io
import os
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal

CTX = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN, traps=[
    decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact])
decimal.setcontext(CTX)
# Sums and products stay exact (Inexact is trapped above); rounding for output is deliberate.
ROUNDING_CTX = CTX.copy()
ROUNDING_CTX.traps[decimal.Inexact] = False

ZERO = Decimal(0)
ONE = Decimal(1)

ROUNDING_MODES = {
    # Python's ROUND_HALF_UP rounds ties away from zero (四舍五入), as the contract wants.
    "half-up": decimal.ROUND_HALF_UP,
    "half-even": decimal.ROUND_HALF_EVEN,
}

# Canonical column -> accepted header spellings (compared after strip + casefold).
ALIASES = {
    "org.csv": {
        "id": ["id", "编号", "工号"],
        "parent_id": ["parent_id", "上级编号", "上级"],
        "name": ["name", "姓名", "名称"],
        "level": ["level", "层级", "职级"],
    },
    "forecasts.csv": {
        "rep_id": ["rep_id", "销售编号", "工号"],
        "period": ["period", "期间", "季度"],
        "amount": ["amount", "预测金额", "金额"],
        "deal_id": ["deal_id", "商机编号"],
    },
    "confidence.csv": {
        "subject_id": ["subject_id", "被评估人"],
        "reviewer_id": ["reviewer_id", "评估人"],
        "period": ["period", "期间", "季度"],
        "confidence": ["confidence", "信心指数", "系数"],
        "note": ["note", "备注"],
    },
    "targets.csv": {
        "node_id": ["node_id", "节点编号", "编号"],
        "period": ["period", "期间", "季度"],
        "target": ["target", "目标", "目标金额"],
    },
}

REQUIRED = {
    "org.csv": ["id", "parent_id"],
    "forecasts.csv": ["rep_id", "period", "amount"],
    "confidence.csv": ["subject_id", "confidence"],
    "targets.csv": ["node_id", "period", "target"],
}

OUTPUT_COLUMNS = ["period", "node_id", "depth", "raw", "own", "forecast", "confidence",
                  "adjusted", "contribution", "own_contribution", "target"]


class PackError(Exception):
    """The pack breaks the contract; ``problems`` lists every finding as FILE:LINE: message."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------- reading

def decode(data: bytes, encoding: str = "auto") -> str:
    """Bytes -> text: UTF-8 (a BOM is dropped) when it decodes, else GB18030."""
    if encoding == "auto":
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("gb18030")
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return data.decode("utf-8-sig")
    return data.decode(encoding)


@dataclass
class Table:
    """One CSV file: its rows as {canonical column: trimmed text} plus the line each starts on."""
    name: str
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def read_table(path: str, name: str, problems: list[str], encoding: str = "auto") -> Table | None:
    """Read one pack file, mapping headers through ALIASES; records problems and returns None if unusable."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    try:
        text = decode(data, encoding)
    except UnicodeDecodeError as exc:
        problems.append(f"{name}:1: cannot decode the file ({exc})")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    table = Table(name)
    header: list[str] | None = None
    mapping: dict[int, str] = {}
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if header is None:
            header = [h.strip() for h in record]
            lookup = {alias.casefold(): canon for canon, aliases in ALIASES[name].items()
                      for alias in aliases}
            seen: dict[str, str] = {}
            for i, h in enumerate(header):
                canon = lookup.get(h.casefold())
                if canon is None:
                    continue  # extra columns are allowed and ignored
                if canon in seen:
                    problems.append(f"{name}:{start}: columns {seen[canon]!r} and {h!r} both mean {canon!r}")
                    continue
                seen[canon] = h
                mapping[i] = canon
            missing = [c for c in REQUIRED[name] if c not in seen]
            if missing:
                problems.append(f"{name}:{start}: missing column(s) {', '.join(missing)}; "
                                f"found: {', '.join(header)}")
                return None
            continue
        if all(not cell.strip() for cell in record):
            continue
        row = {canon: "" for canon in ALIASES[name]}
        for i, canon in mapping.items():
            if i < len(record):
                row[canon] = record[i].strip()
        table.rows.append(row)
        table.lines.append(start)
    if header is None:
        problems.append(f"{name}:1: the file is empty")
        return None
    return table


_NUMBER = re.compile(r"^([+-]?)[¥￥]?([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$")


def parse_amount(cell: str) -> Decimal:
    """The contract's number syntax: 1234, -12.30, 1,234.56, ¥1,234.56, ￥1234, surrounding spaces."""
    text = cell.strip()
    m = _NUMBER.match(text)
    if not text or not m or (m.group(1) and m.group(2)) or not (m.group(3) or m.group(4)):
        raise ValueError(f"not a decimal number: {cell!r}")
    sign = "-" if "-" in (m.group(1) + m.group(2)) else ""
    integer = m.group(3).replace(",", "") or "0"
    frac = m.group(4) or ""
    return Decimal(f"{sign}{integer}.{frac}" if frac else f"{sign}{integer}")


def parse_confidence(cell: str) -> Decimal:
    """A multiplier (0.9, 1.25) or a percentage (90%); percent values are divided by 100 exactly."""
    text = cell.strip()
    if text.endswith(("%", "％")):
        return parse_amount(text[:-1]) / 100
    return parse_amount(text)


# ---------------------------------------------------------------- the pack

@dataclass
class Pack:
    """A validated pack: the tree plus per-period lines, confidences and targets."""
    ids: list[str]                         # org.csv row order
    parent: dict[str, str | None]
    name: dict[str, str]
    level: dict[str, str]
    children: dict[str, list[str]]
    root: str
    order: list[str]                       # depth-first pre-order
    depth: dict[str, int]
    periods: list[str]
    own: dict[tuple[str, str], Decimal]    # (period, id) -> sum of lines
    conf_any: dict[str, Decimal]           # id -> confidence of the empty-period row
    conf_period: dict[tuple[str, str], Decimal]
    target: dict[tuple[str, str], Decimal]

    def confidence(self, node: str, period: str) -> tuple[Decimal, bool]:
        """(multiplier, reviewed) for node in period; the root is always (1, True)."""
        if node == self.root:
            return ONE, True
        if (period, node) in self.conf_period:
            return self.conf_period[(period, node)], True
        if node in self.conf_any:
            return self.conf_any[node], True
        return ONE, False


def load_pack(pack_dir: str, encoding: str = "auto", max_confidence: Decimal = Decimal(2)) -> Pack:
    """Read and validate PACK_DIR; raise PackError listing every problem found."""
    problems: list[str] = []
    tables = {}
    for name in ("org.csv", "forecasts.csv", "confidence.csv", "targets.csv"):
        path = os.path.join(pack_dir, name)
        if name in ("org.csv", "forecasts.csv") and not os.path.exists(path):
            problems.append(f"{name}:1: required file is missing")
        tables[name] = read_table(path, name, problems, encoding)
    if problems:
        raise PackError(problems)
    org, fc, cf, tg = (tables[n] for n in ("org.csv", "forecasts.csv", "confidence.csv", "targets.csv"))
    if not org.rows:
        raise PackError(["org.csv:1: no rows"])
    if not fc.rows:
        raise PackError(["forecasts.csv:1: no rows"])

    # --- org
    ids: list[str] = []
    first_line: dict[str, int] = {}
    parent: dict[str, str | None] = {}
    name: dict[str, str] = {}
    level: dict[str, str] = {}
    for row, line in zip(org.rows, org.lines):
        node = row["id"]
        if not node:
            problems.append(f"org.csv:{line}: empty id")
            continue
        if node in first_line:
            problems.append(f"org.csv:{line}: duplicate id {node!r} (first at line {first_line[node]})")
            continue
        first_line[node] = line
        ids.append(node)
        parent[node] = row["parent_id"] or None
        name[node] = row["name"]
        level[node] = row["level"]
    roots = [n for n in ids if parent[n] is None]
    for node in ids:
        p = parent[node]
        if p is not None and p not in parent:
            problems.append(f"org.csv:{first_line[node]}: parent_id {p!r} of {node!r} is not an id")
        if p == node:
            problems.append(f"org.csv:{first_line[node]}: {node!r} is its own parent")
    if len(roots) != 1:
        problems.append(f"org.csv:1: expected exactly one root (empty parent_id), found {len(roots)}: "
                        f"{', '.join(roots[:10])}")
    if problems:
        raise PackError(problems)
    root = roots[0]
    children: dict[str, list[str]] = {n: [] for n in ids}
    for node in ids:
        if parent[node] is not None:
            children[parent[node]].append(node)
    order: list[str] = []
    depth: dict[str, int] = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for child in reversed(children[node]):
            depth[child] = depth[node] + 1
            stack.append(child)
    if len(order) != len(ids):
        cut = [n for n in ids if n not in depth]
        raise PackError([f"org.csv:{first_line[n]}: {n!r} is in a cycle or hangs below one" for n in cut])

    # --- forecasts
    own: dict[tuple[str, str], Decimal] = {}
    deals: dict[tuple[str, str, str], int] = {}
    periods: set[str] = set()
    for row, line in zip(fc.rows, fc.lines):
        rep, period = row["rep_id"], row["period"]
        if rep not in parent:
            problems.append(f"forecasts.csv:{line}: rep_id {rep!r} is not an id in org.csv")
        if not period:
            problems.append(f"forecasts.csv:{line}: empty period")
        try:
            amount = parse_amount(row["amount"])
        except ValueError as exc:
            problems.append(f"forecasts.csv:{line}: amount: {exc}")
            continue
        if row["deal_id"]:
            key = (rep, period, row["deal_id"])
            if key in deals:
                problems.append(f"forecasts.csv:{line}: deal_id {row['deal_id']!r} repeated for {rep!r} "
                                f"in {period!r} (first at line {deals[key]})")
                continue
            deals[key] = line
        periods.add(period)
        own[(period, rep)] = own.get((period, rep), ZERO) + amount

    # --- confidence
    conf_any: dict[str, Decimal] = {}
    conf_period: dict[tuple[str, str], Decimal] = {}
    conf_line: dict[tuple[str, str], int] = {}
    if cf is not None:
        for row, line in zip(cf.rows, cf.lines):
            subject, reviewer, period = row["subject_id"], row["reviewer_id"], row["period"]
            if subject not in parent:
                problems.append(f"confidence.csv:{line}: subject_id {subject!r} is not an id in org.csv")
                continue
            if subject == root:
                problems.append(f"confidence.csv:{line}: {subject!r} is the root; nobody rates it")
                continue
            if reviewer and reviewer != parent[subject]:
                problems.append(f"confidence.csv:{line}: reviewer_id {reviewer!r} is not the parent of "
                                f"{subject!r} (that is {parent[subject]!r})")
            try:
                value = parse_confidence(row["confidence"])
            except ValueError as exc:
                problems.append(f"confidence.csv:{line}: confidence: {exc}")
                continue
            if not ZERO <= value <= max_confidence:
                problems.append(f"confidence.csv:{line}: confidence {row['confidence']!r} is outside "
                                f"0..{max_confidence}")
                continue
            key = (period, subject)
            if key in conf_line:
                problems.append(f"confidence.csv:{line}: duplicate confidence for {subject!r} "
                                f"period {period!r} (first at line {conf_line[key]})")
                continue
            conf_line[key] = line
            if period:
                conf_period[key] = value
            else:
                conf_any[subject] = value

    # --- targets
    target: dict[tuple[str, str], Decimal] = {}
    target_line: dict[tuple[str, str], int] = {}
    if tg is not None:
        for row, line in zip(tg.rows, tg.lines):
            node, period = row["node_id"], row["period"]
            if node not in parent:
                problems.append(f"targets.csv:{line}: node_id {node!r} is not an id in org.csv")
                continue
            if not period:
                problems.append(f"targets.csv:{line}: empty period")
                continue
            try:
                value = parse_amount(row["target"])
            except ValueError as exc:
                problems.append(f"targets.csv:{line}: target: {exc}")
                continue
            key = (period, node)
            if key in target_line:
                problems.append(f"targets.csv:{line}: duplicate target for {node!r} period {period!r} "
                                f"(first at line {target_line[key]})")
                continue
            target_line[key] = line
            target[key] = value
            periods.add(period)

    if problems:
        raise PackError(problems)
    return Pack(ids=ids, parent=parent, name=name, level=level, children=children, root=root,
                order=order, depth=depth, periods=sorted(periods), own=own, conf_any=conf_any,
                conf_period=conf_period, target=target)


# ---------------------------------------------------------------- the roll-up

@dataclass
class Row:
    """Exact values of one node in one period."""
    period: str
    node_id: str
    parent_id: str | None
    depth: int
    raw: Decimal
    own: Decimal
    forecast: Decimal
    confidence: Decimal
    reviewed: bool
    adjusted: Decimal
    contribution: Decimal
    own_contribution: Decimal
    target: Decimal | None
    is_leaf: bool


def rollup(pack: Pack) -> list[Row]:
    """Every node in every period, in output order (periods as text, nodes in pre-order)."""
    out: list[Row] = []
    for period in pack.periods:
        own = {n: pack.own.get((period, n), ZERO) for n in pack.order}
        conf = {n: pack.confidence(n, period) for n in pack.order}
        raw: dict[str, Decimal] = {}
        forecast: dict[str, Decimal] = {}
        adjusted: dict[str, Decimal] = {}
        # Reversed pre-order visits every child before its parent: a bottom-up pass without recursion.
        for node in reversed(pack.order):
            kids = pack.children[node]
            raw[node] = own[node] + sum((raw[k] for k in kids), ZERO)
            forecast[node] = own[node] + sum((adjusted[k] for k in kids), ZERO)
            adjusted[node] = forecast[node] * conf[node][0]
        # Pre-order visits every parent before its children: M top-down.
        multiplier: dict[str, Decimal] = {}
        for node in pack.order:
            p = pack.parent[node]
            multiplier[node] = ONE if p is None else multiplier[p] * conf[p][0]
            c, reviewed = conf[node]
            out.append(Row(
                period=period, node_id=node, parent_id=p, depth=pack.depth[node],
                raw=raw[node], own=own[node], forecast=forecast[node], confidence=c,
                reviewed=reviewed, adjusted=adjusted[node],
                contribution=adjusted[node] * multiplier[node],
                own_contribution=own[node] * c * multiplier[node],
                target=pack.target.get((period, node)), is_leaf=not pack.children[node]))
    return out


def exact(value: Decimal | None) -> str:
    """Plain positional text of an exact value, without exponent or trailing zeros."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def round_money(value: Decimal, scale: int, rounding: str) -> Decimal:
    """Round to `scale` decimals with the contract's mode (half-up = half away from zero)."""
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUNDING_MODES[rounding],
                          context=ROUNDING_CTX)


def write_csv(rows: list[Row], fh) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for r in rows:
        writer.writerow([r.period, r.node_id, r.depth, exact(r.raw), exact(r.own), exact(r.forecast),
                         exact(r.confidence), exact(r.adjusted), exact(r.contribution),
                         exact(r.own_contribution), exact(r.target)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pack", metavar="PACK_DIR")
    ap.add_argument("--out", help="exact CSV to write (default: standard output)")
    ap.add_argument("--scale", type=int, default=2, help="decimals of the rounded summary (default 2)")
    ap.add_argument("--rounding", choices=sorted(ROUNDING_MODES), default="half-up")
    ap.add_argument("--encoding", default="auto", help="auto (UTF-8, else GB18030), utf-8 or gb18030")
    ap.add_argument("--max-confidence", default="2")
    args = ap.parse_args(argv)
    try:
        pack = load_pack(args.pack, args.encoding, Decimal(args.max_confidence))
    except PackError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s)", file=sys.stderr)
        return 2
    try:
        rows = rollup(pack)
    except decimal.Inexact:
        print(f"an exact value needs more than {CTX.prec} significant digits; "
              "this reference refuses to round it", file=sys.stderr)
        return 1
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as fh:
            write_csv(rows, fh)
    else:
        write_csv(rows, sys.stdout)
    for r in rows:
        if r.node_id == pack.root:
            fmt = lambda v: str(round_money(v, args.scale, args.rounding))  # noqa: E731
            print(f"{r.period}: raw {fmt(r.raw)}  forecast {fmt(r.forecast)}  target "
                  f"{fmt(r.target) if r.target is not None else '-'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
