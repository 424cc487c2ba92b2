#!/usr/bin/env python3
"""The forecast-rollup contract written with Polars: a peer for the benchmark.

    python3 bench/peer_polars.py PACK_DIR OUT_CSV [--validate]

This is the roll-up the way a data-minded user would write it with Polars: a lazy scan of
forecasts.csv with Polars' own CSV reader aggregated per rep and period, then the tree walked
level by level with joins and group-bys (bottom-up for raw / forecast / adjusted, top-down for
the ancestors' multiplier), and write_csv.  Money is exact: every value is a pl.Decimal,
never a float.

Exactness needs the scales to be right, so they are read from the data:
  * amounts are read as plain numbers first; only if one does not parse (¥1,234.56) is the
    column cleaned and the pass redone, so plain packs do not pay for the cleaning;
  * amounts are summed at READ_SCALE decimals while the same pass measures the longest
    fraction it saw; if a line had more, the sum is redone at that scale (a cast from text
    to a Decimal with fewer decimals would drop digits);
  * a confidence has the decimals of its number (+2 for a percentage: 90% = 0.90);
  * with `sa` the money decimals, `sc` the confidence decimals and L the depth of the deepest
    node, every exact value fits S = sa + L*sc decimals (each level multiplies by one
    confidence), and the ancestors' multiplier fits L*sc.  Polars keeps the larger scale of a
    product's operands, so every product is taken at S, where it is exact.
Decimal division in Polars rounds to the operands' scale, so attainment is computed on the
Int128 mantissas (Expr.to_physical) instead.

Output: OUT_CSV with the contract's 14 columns, money rounded half away from zero at 2
decimals, attainment at 4, confidence in its shortest form; one row per node per period
(periods from forecasts.csv and targets.csv), periods sorted.

--validate loads the forecast lines once and runs two checks on them: rep_ids that are not in
org.csv (anti-join) and a deal_id repeated within one rep and period (group_by, count > 1).
Findings are printed to stderr (first 20 of each) and the exit code is 2, with nothing written.

Only English canonical headers (and the contract's Chinese aliases) are mapped; the files are
read as UTF-8, which is what the generated benchmark packs are.
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal

import polars as pl

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


def dec(scale: int) -> pl.Decimal:
    return pl.Decimal(38, scale)


def lit(value: int | str, scale: int) -> pl.Expr:
    return pl.lit(Decimal(value), dtype=dec(scale))


def i128(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int128)


def scan(pack: str, name: str) -> pl.LazyFrame | None:
    """A lazy scan of one pack file with its canonical columns as text (null where absent)."""
    path = os.path.join(pack, name)
    if not os.path.exists(path):
        if name in ("org.csv", "forecasts.csv"):
            raise Fail(f"{path}: required file is missing")
        return None
    frame = pl.scan_csv(path, infer_schema=False)  # every column as text: exact numbers later
    header = frame.collect_schema().names()
    found = {h.strip().casefold(): h for h in header}
    columns = []
    for canon, aliases in ALIASES[name].items():
        actual = next((found[a.casefold()] for a in aliases if a.casefold() in found), None)
        if actual is None and canon in REQUIRED[name]:
            raise Fail(f"{path}: missing column {canon}; found: {', '.join(header)}", 2)
        columns.append(pl.col(actual).alias(canon) if actual else pl.lit(None, dtype=pl.String).alias(canon))
    return frame.select(columns)


def clean(column: str) -> pl.Expr:
    """The contract's number forms: 1234, -12.30, 1,234.56, ¥1,234.56, ￥1234, surrounding spaces."""
    text = pl.col(column).str.strip_chars()
    for mark in (",", "¥", "￥"):
        text = text.str.replace_all(mark, "", literal=True)
    return text


def decimals(column: str) -> pl.Expr:
    """Digits after the '.' in a numeric text column (0 without one)."""
    text = pl.col(column)
    return (text.str.len_bytes().cast(pl.Int64) - text.str.find(".", literal=True).cast(pl.Int64) - 1).fill_null(0)


def report(title: str, frame: pl.DataFrame) -> None:
    print(f"{title}: {frame.height}", file=sys.stderr)
    print("  " + ",".join(frame.columns), file=sys.stderr)
    for row in frame.head(SHOWN).iter_rows():
        print("  " + ",".join("" if v is None else str(v) for v in row), file=sys.stderr)
    if frame.height > SHOWN:
        print(f"  ... and {frame.height - SHOWN} more", file=sys.stderr)


def validate(lines: pl.LazyFrame, org: pl.DataFrame) -> bool:
    """The two checks on the forecast lines; True when both find nothing."""
    unknown = lines.join(org.lazy().select("id"), left_on="rep_id", right_on="id", how="anti")
    repeated = (lines.filter(pl.col("deal_id").is_not_null() & (pl.col("deal_id") != ""))
                .group_by("rep_id", "period", "deal_id").agg(pl.len().alias("lines"))
                .filter(pl.col("lines") > 1))
    unknown, repeated = pl.collect_all([unknown.sort("rep_id", "period", maintain_order=True),
                                        repeated.sort("rep_id", "period", "deal_id")])
    if unknown.height:
        report("forecasts.csv: lines whose rep_id is not an id in org.csv", unknown)
    if repeated.height:
        report("forecasts.csv: deal_ids repeated within one rep and period", repeated)
    return not (unknown.height or repeated.height)


def tree(org: pl.DataFrame) -> pl.DataFrame:
    """org with each node's depth, found one level at a time with a join from the root down."""
    level = org.filter(pl.col("parent_id").is_null()).select("id", pl.lit(0, dtype=pl.Int32).alias("depth"))
    if level.height != 1:
        raise Fail(f"org.csv: {level.height} roots (rows with an empty parent_id); a pack has one", 2)
    levels = [level]
    while level.height and len(levels) <= org.height:
        level = (org.join(level, left_on="parent_id", right_on="id", how="inner")
                 .select("id", (pl.col("depth") + 1).alias("depth")))
        levels.append(level)
    depths = pl.concat(levels)
    if depths.height != org.height or depths["id"].n_unique() != org.height:
        raise Fail(f"org.csv: {org.height - depths['id'].n_unique()} nodes are not under the root "
                   "(unknown parent or a cycle)", 2)
    return org.join(depths, on="id", how="left", maintain_order="left")


def rollup(pack: str, out_csv: str, check: bool) -> None:
    org = scan(pack, "org.csv").with_columns(
        pl.when(pl.col("parent_id") == "").then(None).otherwise(pl.col("parent_id")).alias("parent_id")).collect()
    nodes = tree(org)
    depth_max = int(nodes["depth"].max())

    # --- forecast lines: summed per rep and period in one lazy pass
    lines = scan(pack, "forecasts.csv")
    if check:
        lines = lines.collect().lazy()  # loaded once, queried three times
        if not validate(lines, org):
            raise Fail("", 2)
    scale, plain = READ_SCALE, True
    while True:
        amounts = lines.select("rep_id", "period", (pl.col("amount") if plain else clean("amount")).alias("amount"))
        try:
            own = (amounts.group_by("rep_id", "period")
                   .agg(pl.col("amount").cast(dec(scale)).sum().alias("own"),
                        decimals("amount").max().alias("decimals"))
                   .collect())
        except pl.exceptions.InvalidOperationError:
            if not plain:
                raise
            plain = False  # not all plain numbers: strip ¥, ￥, thousands separators and spaces
            continue
        sa = int(own["decimals"].max() or 0)
        if sa <= scale:
            break
        scale = sa  # a line had more decimals than the first guess: sum again, exactly

    # --- confidences: "0.9", "1.25" or "90%"; a row without period applies to every period
    conf_src = scan(pack, "confidence.csv")
    sc = 0
    if conf_src is not None:
        conf = (conf_src.filter(pl.col("subject_id").is_not_null())
                .select("subject_id",
                        pl.when(pl.col("period") == "").then(None).otherwise(pl.col("period")).alias("period"),
                        clean("confidence").str.strip_chars_end("%").alias("number"),
                        clean("confidence").str.ends_with("%").alias("percent"))
                .collect())
        sc = int(conf.select((decimals("number") + pl.col("percent").cast(pl.Int64) * 2).max()).item() or 0)
        number = pl.col("number").cast(dec(sc))
        conf = conf.select("subject_id", "period",
                           pl.when(pl.col("percent")).then(number * lit("0.01", 2)).otherwise(number)
                           .cast(dec(sc)).alias("conf"))
    else:
        conf = pl.DataFrame(schema={"subject_id": pl.String, "period": pl.String, "conf": dec(0)})
    conf_period = conf.filter(pl.col("period").is_not_null())
    conf_any = conf.filter(pl.col("period").is_null()).select("subject_id", pl.col("conf").alias("conf_any"))

    # --- targets
    tg_src = scan(pack, "targets.csv")
    if tg_src is not None:
        targets = tg_src.select("node_id", "period", clean("target").alias("target")).collect()
        sa = max(sa, int(targets.select(decimals("target").max()).item() or 0))
    else:
        targets = pl.DataFrame(schema={"node_id": pl.String, "period": pl.String, "target": pl.String})

    s = sa + depth_max * sc  # decimals of the longest exact product
    sm = depth_max * sc      # decimals of an ancestors' multiplier
    money = dec(s)

    # --- one row per node and period, with its own lines, confidence and target
    periods = pl.concat([own.select("period"), targets.select("period")]).unique()
    np_ = (nodes.join(periods, how="cross")
           .join(own.select("rep_id", "period", "own"), left_on=["id", "period"],
                 right_on=["rep_id", "period"], how="left")
           .join(conf_period, left_on=["id", "period"], right_on=["subject_id", "period"], how="left")
           .join(conf_any, left_on="id", right_on="subject_id", how="left")
           .join(targets, left_on=["id", "period"], right_on=["node_id", "period"], how="left")
           .with_columns(
               pl.col("own").cast(money).fill_null(lit(0, s)),
               pl.when(pl.col("parent_id").is_null()).then(lit(1, sc))
               .otherwise(pl.coalesce("conf", "conf_any", lit(1, sc))).cast(dec(sc)).alias("conf"),
               pl.col("target").cast(money))
           .drop("conf_any"))

    # --- bottom-up, deepest level first: raw, forecast, adjusted
    ups = []
    below = None
    for d in range(depth_max, -1, -1):
        level = np_.filter(pl.col("depth") == d).select("id", "parent_id", "period", "own", "conf")
        if below is not None:
            kids = below.group_by("parent_id", "period").agg(
                pl.col("raw").sum().alias("kids_raw"), pl.col("adjusted").sum().alias("kids_adjusted"))
            level = level.join(kids, left_on=["id", "period"], right_on=["parent_id", "period"], how="left")
        else:
            level = level.with_columns(pl.lit(None, dtype=money).alias("kids_raw"),
                                       pl.lit(None, dtype=money).alias("kids_adjusted"))
        level = level.with_columns(
            (pl.col("own") + pl.col("kids_raw").fill_null(lit(0, s))).cast(money).alias("raw"),
            (pl.col("own") + pl.col("kids_adjusted").fill_null(lit(0, s))).cast(money).alias("forecast"),
        ).with_columns((pl.col("forecast") * pl.col("conf")).cast(money).alias("adjusted"))
        below = level.select("id", "parent_id", "period", "raw", "forecast", "adjusted")
        ups.append(below)

    # --- top-down: m = the product of the ancestors' confidences
    level = np_.filter(pl.col("depth") == 0).select(
        "id", "period", lit(1, sm).alias("m"), pl.col("conf").cast(dec(sm)).alias("m_children"))
    downs = [level]
    for d in range(1, depth_max + 1):
        level = (np_.filter(pl.col("depth") == d).select("id", "parent_id", "period", "conf")
                 .join(level.select("id", "period", "m_children"), left_on=["parent_id", "period"],
                       right_on=["id", "period"], how="inner")
                 .select("id", "period", pl.col("m_children").alias("m"),
                         (pl.col("m_children") * pl.col("conf")).cast(dec(sm)).alias("m_children")))
        downs.append(level)

    # --- printed values: money half away from zero at 2 decimals, attainment at 4
    def cash(expr: pl.Expr) -> pl.Expr:
        return expr.round(MONEY_SCALE, mode="half_away_from_zero").cast(dec(MONEY_SCALE)).cast(pl.String)

    conf_text = pl.col("conf").cast(pl.String)
    if sc:
        conf_text = conf_text.str.strip_chars_end("0").str.strip_chars_end(".")
    f_int, t_int = pl.col("f_int"), pl.col("t_int")
    quotient = (i128(2) * f_int.abs() * i128(10 ** RATIO_SCALE) + t_int.abs()) // (i128(2) * t_int.abs())
    signed = pl.when((f_int < 0) != (t_int < 0)).then(i128(0) - quotient).otherwise(quotient)
    attainment = pl.when(t_int != 0).then(
        (signed.cast(dec(0)) * lit("0.0001", RATIO_SCALE)).cast(dec(RATIO_SCALE)).cast(pl.String))

    result = (np_.select("id", "period", "name", "level", "parent_id", "depth", "conf", "target")
              .join(pl.concat(ups).drop("parent_id"), on=["id", "period"], how="inner")
              .join(pl.concat(downs).select("id", "period", "m"), on=["id", "period"], how="inner")
              .with_columns((pl.col("adjusted") * pl.col("m")).cast(money).alias("contribution"),
                            pl.col("forecast").to_physical().alias("f_int"),
                            pl.col("target").to_physical().alias("t_int"))
              .sort("period", "depth", "id")
              .select(pl.col("period"), pl.col("id").alias("node_id"), "name", "level", "parent_id", "depth",
                      cash(pl.col("raw")).alias("raw"), cash(pl.col("forecast")).alias("forecast"),
                      conf_text.alias("confidence"), cash(pl.col("adjusted")).alias("adjusted"),
                      cash(pl.col("contribution")).alias("contribution"), cash(pl.col("target")).alias("target"),
                      cash(pl.col("forecast") - pl.col("target")).alias("gap"), attainment.alias("attainment")))
    result.write_csv(out_csv)


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
            print(f"peer_polars: {exc}", file=sys.stderr)
        return exc.code
    except pl.exceptions.PolarsError as exc:
        print(f"peer_polars: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
