#!/usr/bin/env python3
"""Writes the workbook fixtures (fixtures/*/workbook_*/) with openpyxl, as Excel would save them:
numbers as numbers, ids with leading zeros as text, an 18-digit id stored as a number, an error
value, a date in a period column. Run it again only to change them:

    python3 -m pip install openpyxl && python3 scripts/make-workbook-fixtures.py

The expected rollup.csv of the valid one comes from the same pack written as CSV (see
tests/cli/workbooks.rs), not from reading the workbook.
"""
import datetime
import os
import zipfile

import openpyxl

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")

ORG = [
    ("编号", "上级编号", "姓名", "层级"),
    ("CN", None, "全国", "全国"),
    ("RG-HD", "CN", "华东大区·王建国", "区域经理"),
    ("ZG-01", "RG-HD", "周海涛", "主管"),
    ("00123", "ZG-01", "李明", "销售"),
    ("00124", "ZG-01", "张伟", "销售"),
    ("ZG-02", "RG-HD", "吴静", "主管"),
    ("00131", "ZG-02", "王芳", "销售"),
]
FORECASTS = [
    ("销售编号", "期间", "预测金额", "商机编号"),
    ("00123", "2026-Q4", 26500.5, 202611010001),
    ("00123", "2026年第四季度", 12000, 202611010002),
    ("00124", "2026Q4", 38000.25, 202611010003),
    ("00131", "2026-Q4", 0.1 + 0.2, 202611010004),
    ("00131", "2026-Q4", 45000, 202611010005),
]
CONFIDENCE = [
    ("被评估人", "评估人", "期间", "信心指数", "备注"),
    ("00123", "ZG-01", None, 0.9, "客户预算尚未审批"),
    ("00124", "ZG-01", None, "110%", None),
    ("ZG-01", "RG-HD", "2026-Q4", 0.95, None),
    ("RG-HD", "CN", None, 0.9, "大区整体偏乐观"),
]
TARGETS = [
    ("节点编号", "期间", "目标"),
    ("CN", "2026-Q4", 150000),
    ("RG-HD", "2026-Q4", 140000),
]


def sheet(wb, title, rows, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    for r in rows:
        ws.append(list(r))
    return ws


def save(wb, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wb.save(path)
    # Fixed timestamps, so that the file's bytes do not change from run to run.
    fixed = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 11, 26, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if item.filename == "docProps/core.xml":
                data = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'
            dst.writestr(info, data)
    os.replace(fixed, path)


def text_ids(ws, col):
    """Ids with leading zeros stay text, as a column formatted as Text keeps them."""
    for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
        for c in row:
            c.number_format = "@"


# One workbook, the sheets named after the roles in Chinese.
wb = openpyxl.Workbook()
text_ids(sheet(wb, "组织架构", ORG, first=True), 1)
sheet(wb, "预测", FORECASTS)
sheet(wb, "信心指数", CONFIDENCE)
sheet(wb, "目标", TARGETS)
wb.create_sheet("说明").append(["这个工作表不是数据"])
save(wb, os.path.join(ROOT, "valid", "workbook_pack_in_one_file", "pack.xlsx"))

# Cells a spreadsheet damaged: an error value, an 18-digit deal id stored as a number (two deals
# now read the same), a date in the period column.
org = openpyxl.Workbook()
sheet(org, "组织架构", ORG, first=True)
save(org, os.path.join(ROOT, "invalid", "workbook_damaged_cells", "org.xlsx"))
fc = openpyxl.Workbook()
rows = [list(r) for r in FORECASTS]
rows[1][3] = 123456789012345678  # stored as a double: 1.23456789012346E+17
rows[2][3] = 123456789012345679
rows[3][2] = "#N/A"
rows[4][1] = datetime.datetime(2026, 11, 1)
sheet(fc, "商机", rows, first=True)
save(fc, os.path.join(ROOT, "invalid", "workbook_damaged_cells", "forecasts.xlsx"))

# A sheet whose recorded dimension claims a million rows by 16,384 columns but holds a few
# cells: read as the cells it holds, in bounded memory.
d = os.path.join(ROOT, "valid", "workbook_claims_huge_dimension")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "org.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("id,parent_id,name,level\nCN,,全国,全国\nS1,CN,周海涛,主管\nR1,S1,李明,销售\nR2,S1,张伟,销售\n")
wb = openpyxl.Workbook()
sheet(wb, "forecasts", [("rep_id", "period", "amount"), ("R1", "2026-Q4", 100.5), ("R2", "2026-Q4", 200)], first=True)
path = os.path.join(d, "forecasts.xlsx")
save(wb, path)
patched = path + ".tmp"
with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == "xl/worksheets/sheet1.xml":
            data = data.replace(b'<dimension ref="A1:C3" />', b'<dimension ref="A1:XFD1048576" />')
            assert b"XFD1048576" in data
        info = zipfile.ZipInfo(item.filename, date_time=(2026, 11, 26, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(info, data)
os.replace(patched, path)
