#!/usr/bin/env python3
"""The forecast-rollup contract written as DuckDB SQL: a peer for the benchmark.

    python3 bench/peer_duckdb.py PACK_DIR OUT_CSV [--validate]

This is the roll-up the way a data-minded user would write it in DuckDB: read the pack's CSV
files with DuckDB's own reader, sum the lines per rep and period with GROUP BY, then walk the
tree level by level with joins (bottom-up for raw / forecast / adjusted, top-down for the
ancestors' multiplier) and COPY the result out.  Money is exact: every value is a
DECIMAL(38, s), never a DOUBLE.

Exactness needs the scales to be right, so they are read from the data:
  * amounts are read as plain numbers first; only if one does not parse (¥1,234.56) is the
    column cleaned and the pass redone, so plain packs do not pay for the cleaning;
  * amounts are summed at READ_SCALE decimals while the same pass measures the longest
    fraction it saw; if a line had more, the sum is redone at that scale (no silent rounding);
  * a confidence has the decimals of its number (+2 for a percentage: 90% = 0.90);
  * with `sa` the money decimals, `sc` the confidence decimals and L the depth of the deepest
    node, every exact value fits S = sa + L*sc decimals (each level multiplies by one
    confidence), and the ancestors' multiplier fits L*sc.
DuckDB's decimal division returns a DOUBLE, so attainment is computed on the HUGEINT mantissas
of forecast and target (both at S decimals), rounded half away from zero by integer division.

Output: OUT_CSV with the contract's 14 columns, money rounded half away from zero at 2
decimals, attainment at 4, confidence in its shortest form; one row per node per period
(periods from forecasts.csv and targets.csv), periods sorted.

--validate first runs two checks on forecasts.csv: rep_ids that are not in org.csv
(anti-join) and a deal_id repeated within one rep and period (GROUP BY ... HAVING count > 1).
Findings are printed to stderr (first 20 of each) and the exit code is 2, with nothing written.

Only English canonical headers (and the contract's Chinese aliases) are mapped; the files are
read as UTF-8, which is what the generated benchmark packs are.
"""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

READ_SCALE = 10
MONEY_SCALE = 2
RATIO_SCALE = 4
SHOWN = 20

ALIASES = {
    "org.csv": {"id": ["id", "编号", "工号"], "parent_id": ["parent_id", "上级编号", "上级"],
                "name": ["name", "姓名", "名称"], "level": ["level", "层级", "职级"]},
    "forecasts.csv": {"rep_id": ["rep_id", "销售编号", "工号"], "period": ["period", "期间", "季度"],
                      "amount": ["amount", "预测金额", "金额"], "deal_id": ["deal_id", "商机编号"]},
    "confidence.csv": {"subject_id": ["subject_id", "被评估人"], "period": ["period", "期间", "季度"],
                       "confidence": ["confidence", "信心指数", "系数"]},
    "targets.csv": {"node_id": ["node_id", "节点编号", "编号"], "period": ["period", "期间", "季度"],
                    "target": ["target", "目标", "目标金额"]},
}
REQUIRED = {"org.csv": ["id", "parent_id"], "forecasts.csv": ["rep_id", "period", "amount"],
            "confidence.csv": ["subject_id", "confidence"], "targets.csv": ["node_id", "period", "target"]}


class Fail(Exception):
    """A message for the user; the exit code rides along."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def source(con: duckdb.DuckDBPyConnection, pack: str, name: str) -> str | None:
    """A SELECT over one pack file giving its canonical columns as VARCHAR (NULL where absent)."""
    path = os.path.join(pack, name)
    if not os.path.exists(path):
        if name in ("org.csv", "forecasts.csv"):
            raise Fail(f"{path}: required file is missing")
        return None
    reader = (f"read_csv({sql_str(path)}, header = true, all_varchar = true, delim = ',', "
              f"quote = '\"', escape = '\"')")
    header = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    found = {h.strip().casefold(): h for h in header}
    columns = []
    for canon, aliases in ALIASES[name].items():
        actual = next((found[a.casefold()] for a in aliases if a.casefold() in found), None)
        if actual is None and canon in REQUIRED[name]:
            raise Fail(f"{path}: missing column {canon}; found: {', '.join(header)}", 2)
        columns.append(f"{ident(actual)} AS {canon}" if actual else f"NULL::VARCHAR AS {canon}")
    return f"SELECT {', '.join(columns)} FROM {reader}"


# The contract's number forms: 1234, -12.30, 1,234.56, ¥1,234.56, ￥1234, surrounding spaces.
CLEAN_MACRO = "CREATE MACRO clean(x) AS replace(replace(replace(trim(x), ',', ''), '¥', ''), '￥', '')"


def decimals(column: str) -> str:
    """SQL for the number of digits after the '.' in a numeric text column (0 without one)."""
    return f"CASE WHEN strpos({column}, '.') > 0 THEN length({column}) - strpos({column}, '.') ELSE 0 END"


def report(title: str, rel: duckdb.DuckDBPyRelation, total: int) -> None:
    print(f"{title}: {total}", file=sys.stderr)
    print("  " + ",".join(rel.columns), file=sys.stderr)
    for row in rel.limit(SHOWN).fetchall():
        print("  " + ",".join("" if v is None else str(v) for v in row), file=sys.stderr)
    if total > SHOWN:
        print(f"  ... and {total - SHOWN} more", file=sys.stderr)


def validate(con: duckdb.DuckDBPyConnection) -> bool:
    """The two checks on the loaded forecast lines; True when both find nothing."""
    unknown = "SELECT f.* FROM fc f ANTI JOIN org o ON f.rep_id = o.id"
    repeated = """
        SELECT rep_id, period, deal_id, count(*) AS lines FROM fc
        WHERE deal_id IS NOT NULL AND deal_id <> ''
        GROUP BY rep_id, period, deal_id HAVING count(*) > 1"""
    found = 0
    for title, query, order in (
            ("forecasts.csv: lines whose rep_id is not an id in org.csv", unknown, "rep_id, period"),
            ("forecasts.csv: deal_ids repeated within one rep and period", repeated,
             "rep_id, period, deal_id")):
        total = con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]
        if total:
            found += total
            report(title, con.sql(f"SELECT * FROM ({query}) ORDER BY {order}"), total)
    return found == 0


def rollup(pack: str, out_csv: str, check: bool) -> None:
    con = duckdb.connect()
    con.execute(CLEAN_MACRO)
    con.execute(f"CREATE TEMP TABLE org AS SELECT id, NULLIF(parent_id, '') AS parent_id, name, level "
                f"FROM ({source(con, pack, 'org.csv')})")

    # --- the tree: depth of every node by a recursive walk from the root
    con.execute("""
        CREATE TEMP TABLE tree AS
        WITH RECURSIVE walk(id, depth) AS (
            SELECT id, 0 FROM org WHERE parent_id IS NULL
            UNION ALL
            SELECT o.id, w.depth + 1 FROM org o JOIN walk w ON o.parent_id = w.id
            WHERE w.depth < (SELECT count(*) FROM org)
        )
        SELECT o.id, o.parent_id, o.name, o.level, w.depth FROM org o JOIN walk w USING (id)""")
    n_org, n_tree, n_roots = con.execute(
        "SELECT (SELECT count(*) FROM org), (SELECT count(DISTINCT id) FROM tree), "
        "(SELECT count(*) FROM org WHERE parent_id IS NULL)").fetchall()[0]
    if n_roots != 1 or n_tree != n_org:
        raise Fail(f"org.csv: {n_roots} roots, {n_org - n_tree} nodes not under the root", 2)
    depth_max = con.execute("SELECT max(depth) FROM tree").fetchall()[0][0]

    # --- forecast lines: summed per rep and period in one pass
    lines = source(con, pack, "forecasts.csv")
    if check:
        con.execute(f"CREATE TEMP TABLE fc AS {lines}")
        if not validate(con):
            raise Fail("", 2)
        lines = "SELECT * FROM fc"
    scale, plain = READ_SCALE, True
    while True:
        amount = "amount" if plain else "clean(amount)"
        try:
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE own AS
                SELECT rep_id, period, sum(amount::DECIMAL(38, {scale})) AS own,
                       max({decimals('amount')}) AS decimals
                FROM (SELECT rep_id, period, {amount} AS amount FROM ({lines}))
                GROUP BY rep_id, period""")
        except duckdb.ConversionException:
            if not plain:
                raise
            plain = False  # not all plain numbers: strip ¥, ￥, thousands separators and spaces
            continue
        sa = con.execute("SELECT coalesce(max(decimals), 0) FROM own").fetchall()[0][0]
        if sa <= scale:
            break
        scale = sa  # a line had more decimals than the first guess: sum again, exactly

    # --- confidences: "0.9", "1.25" or "90%"; a row without period applies to every period
    conf_src = source(con, pack, "confidence.csv")
    sc = 0
    if conf_src:
        con.execute(f"""
            CREATE TEMP TABLE conf_text AS
            SELECT subject_id, NULLIF(period, '') AS period, rtrim(clean(confidence), '%') AS number,
                   clean(confidence) LIKE '%\\%%' ESCAPE '\\' AS percent
            FROM ({conf_src}) WHERE subject_id IS NOT NULL""")
        sc = con.execute(f"SELECT coalesce(max({decimals('number')} + CASE WHEN percent THEN 2 ELSE 0 END), 0) "
                         "FROM conf_text").fetchall()[0][0]
        con.execute(f"""
            CREATE TEMP TABLE conf AS
            SELECT subject_id, period,
                   CASE WHEN percent THEN number::DECIMAL(38, {sc}) * 0.01
                        ELSE number::DECIMAL(38, {sc}) END::DECIMAL(38, {sc}) AS conf
            FROM conf_text""")
    else:
        con.execute("CREATE TEMP TABLE conf (subject_id VARCHAR, period VARCHAR, conf DECIMAL(38, 0))")

    # --- targets
    tg_src = source(con, pack, "targets.csv")
    if tg_src:
        con.execute(f"CREATE TEMP TABLE target_text AS "
                    f"SELECT node_id, period, clean(target) AS target FROM ({tg_src})")
        sa = max(sa, con.execute(f"SELECT coalesce(max({decimals('target')}), 0) "
                                 "FROM target_text").fetchall()[0][0])
    else:
        con.execute("CREATE TEMP TABLE target_text (node_id VARCHAR, period VARCHAR, target VARCHAR)")

    s = sa + depth_max * sc  # decimals of the longest exact product
    sm = depth_max * sc      # decimals of an ancestors' multiplier
    if s + max(sc, sm) > 38:
        raise Fail(f"exact values need {s + max(sc, sm)} decimals, more than DECIMAL(38) holds")
    money = f"DECIMAL(38, {s})"

    # --- one row per node and period, with its own lines, confidence and target
    con.execute(f"""
        CREATE TEMP TABLE periods AS
        SELECT DISTINCT period FROM own UNION SELECT DISTINCT period FROM target_text""")
    con.execute(f"""
        CREATE TEMP TABLE np AS
        SELECT t.id, t.parent_id, t.depth, p.period,
               coalesce(o.own, 0)::{money} AS own,
               CASE WHEN t.parent_id IS NULL THEN 1
                    ELSE coalesce(cp.conf, ca.conf, 1) END::DECIMAL(38, {sc}) AS conf,
               tg.target::{money} AS target
        FROM tree t CROSS JOIN periods p
        LEFT JOIN own o ON o.rep_id = t.id AND o.period = p.period
        LEFT JOIN conf cp ON cp.subject_id = t.id AND cp.period = p.period
        LEFT JOIN conf ca ON ca.subject_id = t.id AND ca.period IS NULL
        LEFT JOIN target_text tg ON tg.node_id = t.id AND tg.period = p.period""")

    # --- bottom-up, deepest level first: raw, forecast, adjusted
    for d in range(depth_max, -1, -1):
        children = (f"SELECT parent_id, period, sum(raw) AS raw, sum(adjusted) AS adjusted "
                    f"FROM up_{d + 1} GROUP BY parent_id, period" if d < depth_max else
                    f"SELECT NULL::VARCHAR AS parent_id, NULL::VARCHAR AS period, "
                    f"NULL::{money} AS raw, NULL::{money} AS adjusted")
        con.execute(f"""
            CREATE TEMP TABLE up_{d} AS
            SELECT n.id, n.parent_id, n.period,
                   (n.own + coalesce(k.raw, 0))::{money} AS raw,
                   (n.own + coalesce(k.adjusted, 0))::{money} AS forecast,
                   ((n.own + coalesce(k.adjusted, 0))::{money} * n.conf)::{money} AS adjusted
            FROM np n LEFT JOIN ({children}) k ON k.parent_id = n.id AND k.period = n.period
            WHERE n.depth = {d}""")

    # --- top-down: m = the product of the ancestors' confidences
    con.execute(f"CREATE TEMP TABLE down_0 AS SELECT id, period, 1::DECIMAL(38, {sm}) AS m, "
                f"conf::DECIMAL(38, {sm}) AS m_children FROM np WHERE depth = 0")
    for d in range(1, depth_max + 1):
        con.execute(f"""
            CREATE TEMP TABLE down_{d} AS
            SELECT n.id, n.period, p.m_children AS m,
                   (p.m_children * n.conf)::DECIMAL(38, {sm}) AS m_children
            FROM np n JOIN down_{d - 1} p ON p.id = n.parent_id AND p.period = n.period
            WHERE n.depth = {d}""")
    ups = " UNION ALL ".join(f"SELECT * FROM up_{d}" for d in range(depth_max + 1))
    downs = " UNION ALL ".join(f"SELECT id, period, m FROM down_{d}" for d in range(depth_max + 1))

    # --- printed values: money half away from zero at 2 decimals, attainment at 4
    def cash(expr: str) -> str:
        return f"round({expr}, {MONEY_SCALE})::DECIMAL(38, {MONEY_SCALE})::VARCHAR"

    def mantissa(expr: str) -> str:
        """The unscaled integer of a DECIMAL(38, s): its text without the point, as a HUGEINT."""
        return f"replace(CAST({expr} AS VARCHAR), '.', '')::HUGEINT"

    conf_text = "CAST(n.conf AS VARCHAR)"
    if sc:
        conf_text = f"rtrim(rtrim({conf_text}, '0'), '.')"
    con.execute(f"""
        CREATE TEMP TABLE result AS
        SELECT n.period, n.id AS node_id, t.name, t.level, t.parent_id, n.depth,
               u.raw, u.forecast, n.conf, {conf_text} AS conf_text, u.adjusted,
               (u.adjusted * dn.m)::{money} AS contribution, n.target,
               {mantissa('u.forecast')} AS f_int, {mantissa('n.target')} AS t_int
        FROM np n JOIN tree t USING (id)
        JOIN ({ups}) u ON u.id = n.id AND u.period = n.period
        JOIN ({downs}) dn ON dn.id = n.id AND dn.period = n.period""")
    ratio = (f"(CASE WHEN (f_int < 0) <> (t_int < 0) THEN -1 ELSE 1 END) * "
             f"((2 * abs(f_int) * {10 ** RATIO_SCALE} + abs(t_int)) // (2 * abs(t_int)))")
    con.execute(f"""
        COPY (
            SELECT period, node_id, name, level, parent_id, depth,
                   {cash('raw')} AS raw, {cash('forecast')} AS forecast, conf_text AS confidence,
                   {cash('adjusted')} AS adjusted, {cash('contribution')} AS contribution,
                   {cash('target')} AS target, {cash('forecast - target')} AS gap,
                   CASE WHEN t_int <> 0 THEN
                       (({ratio})::DECIMAL(38, 0) * 0.0001)::DECIMAL(38, {RATIO_SCALE})::VARCHAR
                   END AS attainment
            FROM result ORDER BY period, depth, node_id
        ) TO {sql_str(out_csv)} (HEADER, DELIMITER ',')""")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pack", metavar="PACK_DIR")
    ap.add_argument("out", metavar="OUT_CSV")
    ap.add_argument("--validate", action="store_true",
                    help="refuse unknown rep_ids and repeated deal_ids (exit 2, nothing written)")
    args = ap.parse_args(argv)
    try:
        rollup(args.pack, args.out, args.validate)
    except Fail as exc:
        if str(exc):
            print(f"peer_duckdb: {exc}", file=sys.stderr)
        return exc.code
    except duckdb.Error as exc:
        print(f"peer_duckdb: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
