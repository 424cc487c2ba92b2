"""Runs one of the README's imports of rollup.csv or rollup.parquet and checks the table it
made against rollup.csv, cell for cell, and the roll-up's ties on the imported numbers.

    python check.py duckdb BLOCK.sql    # the README's DuckDB SQL: it makes the table `rollup`
    python check.py pandas BLOCK.py     # the README's pandas code: it makes the DataFrame `rollup`
    python check.py naive               # what the importers do untold (the reason for the README)

Run in the folder that holds out/rollup.csv and out/rollup.parquet (the README's paths). Prints
one `ok:` line and exits 0, or prints what differs and exits 1. Called by tests/cli/imports.rs.

rollup.csv read by Python's csv module, as text, is the truth. A cell of the import equals it
when:
- text: the same string; a blank cell is NULL (None or NaN) or "" (a CSV import may keep it);
  a text that rollup.csv formula-guards with a leading ' is as given in rollup.parquet;
- depth: an integer, the same number; reviewed: a boolean;
- money and attainment: a decimal.Decimal (never a float) whose text is the cell's text;
- confidence: a decimal.Decimal equal to the cell's (the CSV prints the shortest form, 0.9;
  a typed column has one scale for all rows, 0.9000).
"""

import csv
import decimal
import math
import numbers
import sys
from decimal import Decimal

CSV = "out/rollup.csv"
TEXT = ["period", "node_id", "name", "level", "parent_id", "note"]
PRINTED = ["raw", "forecast", "adjusted", "contribution", "target", "gap", "attainment", "own",
           "own_contribution"]
GUARD = ("=", "+", "-", "@", "\t", "\r")

# Exact sums: no rounding at Decimal's default 28 digits, and any inexact step is an error.
decimal.getcontext().prec = 100
decimal.getcontext().traps[decimal.Inexact] = True


def truth():
    with open(CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def blank(v):
    """NULL as a DB-API driver (None), pandas (NaN, pd.NA) or a CSV import ("") gives it."""
    if isinstance(v, float):
        return math.isnan(v)
    return v is None or (isinstance(v, str) and v == "") or type(v).__name__ == "NAType"


def differs(column, want, got, parquet):
    """Why the imported cell `got` is not rollup.csv's cell `want`; None when it is."""
    if want == "":
        return None if blank(got) else "rollup.csv has a blank cell"
    if blank(got):
        return "blank"
    kind = type(got).__name__
    if column in TEXT:
        if not isinstance(got, str):
            return f"a {kind}, not a string"
        if parquet and want.startswith("'") and want[1:].startswith(GUARD):
            want = want[1:]
        return None if got == want else "differs"
    if column == "depth":
        if kind.startswith("bool") or not isinstance(got, numbers.Integral):
            return f"a {kind}, not an integer"
        return None if int(got) == int(want) else "differs"
    if column == "reviewed":
        if kind not in ("bool", "bool_"):
            return f"a {kind}, not a boolean"
        return None if bool(got) == (want == "true") else "differs"
    if not isinstance(got, Decimal):
        return f"a {kind}, not a Decimal"
    if column == "confidence":
        return None if got == Decimal(want) else "differs"
    return None if format(got, "f") == want else "differs"


def compare(header, want_rows, got_header, got_rows, parquet):
    problems = []
    if list(got_header) != header:
        problems.append(f"columns: {list(got_header)}, rollup.csv has {header}")
        return problems
    if len(got_rows) != len(want_rows):
        problems.append(f"{len(got_rows)} rows, rollup.csv has {len(want_rows)}")
    for k, (w, g) in enumerate(zip(want_rows, got_rows)):
        for c, column in enumerate(header):
            why = differs(column, w[c], g[c], parquet)
            if why:
                problems.append(f"line {k + 2} {column}: rollup.csv {w[c]!r}, imported {g[c]!r}: {why}")
    return problems


def ties(header, rows):
    """The contract's ties on the imported values: per period, the national raw is the sum of
    every node's own lines; per node, raw, forecast and contribution are its children's plus its
    own; gap is forecast - target."""
    col = {c: k for k, c in enumerate(header)}
    problems = []
    periods = {}
    for r in rows:
        periods.setdefault(r[col["period"]], []).append(r)
    for period, rs in periods.items():
        roots = [r for r in rs if int(r[col["depth"]]) == 0]
        own = sum((r[col["own"]] for r in rs), Decimal(0))
        if len(roots) != 1 or roots[0][col["raw"]] != own:
            problems.append(f"{period}: national raw {[r[col['raw']] for r in roots]}, sum of own {own}")
        children = {}
        for r in rs:
            children.setdefault(r[col["parent_id"]], []).append(r)
        for p in rs:
            kids = children.get(p[col["node_id"]], [])
            for total, part, mine in [("raw", "raw", "own"), ("forecast", "adjusted", "own"),
                                      ("contribution", "contribution", "own_contribution")]:
                s = sum((k[col[part]] for k in kids), Decimal(0)) + p[col[mine]]
                if p[col[total]] != s:
                    problems.append(f"{period} {p[col['node_id']]}: {total} {p[col[total]]}, "
                                    f"children's {part} + {mine} {s}")
            if not blank(p[col["target"]]) and p[col["gap"]] != p[col["forecast"]] - p[col["target"]]:
                problems.append(f"{period} {p[col['node_id']]}: gap is not forecast - target")
    return problems, len(periods)


def finish(what, problems, rows, periods):
    if problems:
        print(f"{what}: {len(problems)} problem(s)")
        for p in problems[:40]:
            print("  " + p)
        sys.exit(1)
    print(f"ok: {what}: {rows} rows equal rollup.csv cell for cell; ties hold in {periods} period(s)")


def duckdb_import(block):
    import duckdb

    con = duckdb.connect()
    con.execute(open(block, encoding="utf-8").read())
    rel = con.execute("SELECT * FROM rollup")
    got_header = [d[0] for d in rel.description]
    got = [list(r) for r in rel.fetchall()]
    parquet = "read_parquet" in open(block, encoding="utf-8").read()
    header, want = truth()
    problems = compare(header, want, got_header, got, parquet)
    if not problems:
        tie_problems, periods = ties(header, got)
        problems += tie_problems
        # The same ties in DuckDB's own DECIMAL arithmetic.
        bad = con.execute("""
            SELECT count(*) FROM rollup p
            LEFT JOIN (SELECT period, parent_id, sum(raw) AS raw, sum(adjusted) AS adjusted,
                              sum(contribution) AS contribution
                       FROM rollup GROUP BY period, parent_id) c
              ON c.period = p.period AND c.parent_id = p.node_id
            WHERE p.raw <> coalesce(c.raw, 0) + p.own
               OR p.forecast <> coalesce(c.adjusted, 0) + p.own
               OR p.contribution <> coalesce(c.contribution, 0) + p.own_contribution
               OR (p.depth = 0 AND p.raw <> (SELECT sum(own) FROM rollup x WHERE x.period = p.period))
        """).fetchone()[0]
        if bad:
            problems.append(f"{bad} node(s) whose totals do not tie in DuckDB's SQL")
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'rollup'").fetchall())
        for c in PRINTED + ["confidence"]:
            if not types[c].startswith("DECIMAL(38,"):
                problems.append(f"{c} is {types[c]} in DuckDB, not DECIMAL(38, s)")
        for c in TEXT:
            if types[c] != "VARCHAR":
                problems.append(f"{c} is {types[c]} in DuckDB, not VARCHAR")
    else:
        periods = 0
    finish(f"DuckDB ({'read_parquet' if parquet else 'read_csv with types'})", problems, len(got), periods)


def pandas_import(block):
    code = open(block, encoding="utf-8").read()
    scope = {}
    exec(compile(code, block, "exec"), scope)
    df = scope["rollup"]
    got = [list(r) for r in df.itertuples(index=False, name=None)]
    parquet = "read_parquet" in code
    header, want = truth()
    problems = compare(header, want, list(df.columns), got, parquet)
    periods = 0
    if not problems:
        tie_problems, periods = ties(header, [[None if blank(v) else v for v in r] for r in got])
        problems += tie_problems
    finish(f"pandas ({'read_parquet' if parquet else 'read_csv with types'})", problems, len(got), periods)


def naive():
    """What the importers do untold, on the same file: the float sums and lost zeros the
    README's commands avoid. Each must happen here, or this pack does not test them."""
    import duckdb
    import pandas as pd

    header, want = truth()
    col = {c: k for k, c in enumerate(header)}
    found = []
    df = pd.read_csv(CSV)
    zeros = sorted({r[col["node_id"]] for r in want if r[col["node_id"]].startswith("0")})
    read = {str(v) for v in df["node_id"]}
    lost = [z for z in zeros if z not in read]
    if lost:
        example = "00123" if "00123" in lost else lost[0]
        found.append(f"pandas read_csv: ids {', '.join(lost)} read as {df['node_id'].dtype} "
                     f"({example} became {int(example)})")
    if str(df["raw"].dtype) == "float64":
        found.append("pandas read_csv: money read as float64")
    text = pd.read_csv(CSV, dtype=str)
    nas = [r[col["name"]] for r, v in zip(want, text["name"]) if r[col["name"]] and pd.isna(v)]
    if nas:
        found.append(f"pandas read_csv(dtype=str): the name {nas[0]!r} read as NaN")
    con = duckdb.connect()
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_csv('{CSV}')").fetchall()}
    if types["raw"] == "DOUBLE":
        found.append("DuckDB read_csv: money read as DOUBLE")
    wrong = []
    for period, raw in con.execute(
            f"SELECT period, sum(own) FROM read_csv('{CSV}') GROUP BY period ORDER BY period").fetchall():
        printed = next(r[col["raw"]] for r in want if r[col["period"]] == period and r[col["depth"]] == "0")
        if f"{raw:.2f}" != printed:
            wrong.append(f"{period} {raw:.2f} for {printed}")
    if wrong:
        found.append("DuckDB read_csv: sum(own) as DOUBLE is not the national raw: " + "; ".join(wrong))
    expected = 5
    if len(found) < expected:
        print(f"naive: only {len(found)} of the {expected} losses happen on this pack:")
        for f in found:
            print("  " + f)
        sys.exit(1)
    print("ok: naive imports lose data on this pack:")
    for f in found:
        print("  " + f)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "duckdb":
        duckdb_import(sys.argv[2])
    elif mode == "pandas":
        pandas_import(sys.argv[2])
    elif mode == "naive":
        naive()
    else:
        sys.exit(f"unknown mode {mode}")
