#!/usr/bin/env python3
"""Writes a large CRM-style pack: a WukongCRM-like deal export (商机.csv, owners by name,
date-time close dates, a quarter of the deals lost) with an employee list by department path
(员工.csv, 10 大区 × 10 组 × 10 reps) and its pack.toml, to time and size the mapped path:

    python3 bench/crm-export.py 1000000 /tmp/crm1m
    /usr/bin/time -v target/release/forecast-rollup check /tmp/crm1m

Deterministic (seeded); the first argument is the number of deal rows.
"""
import os
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "员工.csv"), "w", encoding="utf-8") as f:
    f.write("姓名,工号,部门,岗位\n")
    n = 0
    for r in range(10):
        f.write(f"大区经理{r},M{r:03d},大区{r},大区经理\n")
        for z in range(10):
            f.write(f"主管{r}-{z},S{r:03d}{z:02d},大区{r}/组{z},主管\n")
            for _ in range(10):
                n += 1
                f.write(f"销售{n},{n:05d},大区{r}/组{z},销售\n")
with open(os.path.join(out, "商机.csv"), "w", encoding="utf-8") as f:
    f.write("商机编号,商机名称,负责人,商机金额,预计成交日期,商机状态组\n")
    for i in range(rows):
        rep = random.randint(1, 1000)
        status = random.choice(["进行中", "进行中", "赢单", "输单"])
        amount = f"{random.randint(100, 999999)}.{random.randint(0, 99):02d}"
        day = f"2026-{random.randint(10, 12)}-{random.randint(1, 28):02d} 10:00:00"
        f.write(f"SJ{i:08d},商机{i},销售{rep},{amount},{day},{status}\n")
with open(os.path.join(out, "pack.toml"), "w", encoding="utf-8") as f:
    f.write(
        '[org]\nfile = "员工.csv"\nid = "工号"\nname = "姓名"\nunit = "部门"\n'
        'head = { "岗位" = ["主管", "大区经理"] }\n\n'
        '[forecasts]\nfile = "商机.csv"\nrep = "负责人"\namount = "商机金额"\ndeal = "商机编号"\n'
        'date = "预计成交日期"\ndrop = { "商机状态组" = ["输单"] }\n'
    )
