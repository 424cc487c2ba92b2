#!/usr/bin/env python3
"""Writes the CRM-shaped fixture packs under fixtures/crm/, each read through its pack.toml:

- wukong/        a WukongCRM (悟空CRM) export: 商机导出.xlsx, 员工.xlsx (departments as paths,
                 heads by 岗位), 信心指数.xlsx, 目标.csv (UTF-8 with BOM, ¥ amounts).
- salesforce/    a Salesforce report export: Opportunities.csv, Users.csv (Manager ID), Quota.csv;
                 US dates (m/d/yyyy), fiscal year starting in April, no confidence file.
- one_workbook/  every role in one workbook, 销售预测.xlsx (sheets 人员, 商机, 信心, 目标).

For each pack it also writes, under <pack>/expected/:

- canonical/org.csv, forecasts.csv, [confidence.csv], targets.csv: the same pack in the
  contract's shape (UTF-8, comma, the contract's English headers), and
- left_out.txt: the rows pack.toml's keep/drop left out, as `COLUMN = VALUE: N` lines, sorted.

The canonical files are the independent expectation: they are NOT the Python lists below
written a second time. The second half of this script reads the files it has just written back
(openpyxl, csv) and converts them by following each pack.toml and the documented semantics of
pack.toml (org units and heads, resolving names, dates to periods, keep/drop), written without
looking at the engine's code, so that a test can compare the engine's reading of a CRM pack
with the roll-up of its canonical twin.

Run it again only to change the fixtures (the output is byte-for-byte the same from run to run:
no randomness, no current time, fixed zip timestamps):

    python3 -m pip install openpyxl && python3 scripts/make-crm-fixtures.py
"""
import collections
import csv
import datetime
import io
import os
import re
import shutil
import tomllib
import zipfile
from decimal import Decimal

import openpyxl

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "crm")
DT = datetime.datetime


# ---------------------------------------------------------------------------------------------
# Writing helpers
# ---------------------------------------------------------------------------------------------

def excel_number(text):
    """The cell value for a decimal written as text: an int when whole, else a float, but only
    a float that Excel shows back as exactly this decimal (at most 15 significant digits)."""
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    f = float(text)
    assert Decimal(repr(f)) == d and Decimal("%.15g" % f) == d, f"{text} does not survive as a double"
    return f


def save_workbook(wb, path):
    """openpyxl's save, then the zip rewritten with fixed timestamps and an empty core.xml
    (no creation time), so that the file's bytes are the same from run to run."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wb.save(path)
    fixed = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 11, 26, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if item.filename == "docProps/core.xml":
                data = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties'
                        b' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>')
            dst.writestr(info, data)
    os.replace(fixed, path)


def add_sheet(wb, title, header, rows, text_cols=(), date_cols=(), datetime_cols=()):
    """A sheet with a header row. text_cols: formatted as Text (ids with leading zeros);
    date_cols / datetime_cols: real date cells shown as a date / a date and time."""
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for i, name in enumerate(header, start=1):
        fmt = "@" if name in text_cols else "yyyy-mm-dd" if name in date_cols else \
            "yyyy-mm-dd hh:mm:ss" if name in datetime_cols else None
        if fmt:
            for (c,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                c.number_format = fmt
    return ws


def new_workbook():
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    return wb


def write_text(path, text, encoding="utf-8"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def csv_text(rows, quote_all=False, crlf=False):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                   lineterminator="\r\n" if crlf else "\n")
    w.writerows(rows)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Pack 1: wukong/ (悟空CRM export)
# ---------------------------------------------------------------------------------------------

WUKONG_TOML = '''\
# A WukongCRM (悟空CRM) export, kept as the CRM wrote it; this file maps it onto the contract.
# Written by scripts/make-crm-fixtures.py; expected/canonical/ is the same pack in the contract's shape.

[org]
file = "员工.xlsx"
sheet = "员工"
id = "工号"          # text cells with leading zeros (00123)
name = "姓名"
unit = "部门"        # a department path: 华东大区/上海区/一组; every prefix is a unit node
# Whoever holds one of these posts heads the unit of their path: they are that unit's node.
# 华东大区/上海区/二组 has no head (only reps): the unit is a node of its own.
head = { "岗位" = ["主管", "区域经理", "大区经理"] }
root = "全国"        # the top units' parent

[forecasts]
file = "商机导出.xlsx"
sheet = "商机"       # the workbook's first sheet is the export's filter conditions
rep = "负责人"       # the owner's name; one deal names its owner by 工号; a 主管's own deal is the unit's line
amount = "商机金额"
deal = "商机编号"
date = "预计成交日期"  # date cells with a time; every = "quarter", calendar year (the defaults)
drop = { "商机状态组" = ["输单", "无效"] }   # lost and invalid deals are not forecast

[confidence]
file = "信心指数.xlsx"   # the first sheet
subject = "被评估人"     # names, a few 工号; a unit's confidence is given to its head's name
reviewer = "评估人"      # the subject's parent: the head of the unit above
confidence = "信心指数"  # 0.9, 1.1 or "110%"
note = "备注"
# no period column: every row applies to every period

[targets]
file = "目标.csv"     # UTF-8 with BOM, as Excel's "CSV UTF-8" saves it
node = "部门"         # a unit's name (华东大区) or its path (华东大区/上海区/一组)
period = "季度"       # 2026年第四季度
target = "目标金额"   # ¥1,200,000.00
'''

# 姓名, 工号, 部门, 岗位. The first row is a rep (their units appear with them, before their
# heads' rows); two paths are written loosely (leading/trailing "/", spaces around parts).
WUKONG_PEOPLE = [
    ("李明", "00123", "华东大区/上海区/一组", "销售"),
    ("王建国", "00101", "华东大区", "大区经理"),
    ("周海涛", "00102", "华东大区/上海区", "区域经理"),
    ("吴静", "00103", "华东大区/上海区/一组", "主管"),
    ("张伟", "00124", "华东大区/上海区/一组", "销售"),
    ("王芳", "00131", "/华东大区/上海区/二组/", "销售"),
    ("刘洋", "00132", "华东大区/上海区/二组", "销售"),
    ("陈静", "00104", "华东大区/杭州区", "区域经理"),
    ("杨帆", "00105", "华东大区/杭州区/一组", "主管"),
    ("赵磊", "00141", "华东大区/杭州区/一组", "销售"),
    ("黄丽", "00142", "华东大区 / 杭州区 / 一组", "销售"),
    ("林志强", "00201", "华南大区", "大区经理"),
    ("郑华", "00202", "华南大区/广州区", "区域经理"),
    ("何敏", "00203", "华南大区/广州区/一组", "主管"),
    ("孙杰", "00211", "华南大区/广州区/一组", "销售"),
    ("马超", "00212", "华南大区/广州区/一组", "销售"),
    ("胡军", "00204", "华南大区/广州区/二组", "主管"),
    ("朱婷", "00221", "华南大区/广州区/二组", "销售"),
    ("高远", "00205", "华南大区/深圳区", "区域经理"),
    ("罗斌", "00206", "华南大区/深圳区/一组", "主管"),
    ("梁爽", "00231", "华南大区/深圳区/一组", "销售"),
    ("宋佳", "00232", "华南大区/深圳区/一组", "销售"),
]

# 负责人, 客户名称, 产品, 商机金额, 预计成交日期, 商机状态组, 商机阶段
WUKONG_DEALS = [
    ("李明", "上海申通物流", "私有化部署", "128000", DT(2026, 11, 15, 14, 30), "进行中", "方案报价"),
    ("李明", "上海浦江医疗", "年度服务续约", "26500.5", DT(2026, 10, 20, 9, 0), "赢单", "赢单"),
    ("李明", "上海金桥制造", "数据中台", "9999.99", DT(2026, 12, 28, 17, 45), "进行中", "需求分析"),
    ("李明", "上海外高桥贸易", "移动办公", "45000", DT(2027, 2, 10, 10, 0), "进行中", "验证客户"),
    ("李明", "上海陆家嘴金融", "CRM升级", "88000", DT(2026, 11, 30, 18, 0), "输单", "输单"),
    ("张伟", "苏州精工机械", "私有化部署", "156000.8", DT(2026, 12, 15, 11, 20), "进行中", "谈判审核"),
    ("张伟", "苏州工业园", "培训服务", "7350.4", DT(2026, 10, 8, 16, 0), "赢单", "赢单"),
    ("张伟", "昆山电子", "CRM升级", "38000.25", DT(2026, 11, 2, 10, 30), "进行中", "方案报价"),
    ("张伟", "常州新能源", "数据中台", "62000", DT(2027, 1, 18, 0, 0), "进行中", "需求分析"),
    ("吴静", "上海张江药谷", "年度服务续约", "30000", DT(2026, 12, 1, 15, 0), "赢单", "赢单"),  # 主管签单
    ("王芳", "南京华泰医药", "私有化部署", "99000", DT(2026, 11, 11, 11, 11), "进行中", "谈判审核"),
    ("王芳", "南京江宁开发区", "移动办公", "15800", DT(2026, 10, 26, 9, 30), "赢单", "赢单"),
    ("王芳", "扬州文旅", "CRM升级", "21000", DT(2026, 12, 20, 14, 0), "无效", "无效"),
    ("刘洋", "合肥科大讯联", "数据中台", "73500.5", DT(2026, 11, 25, 17, 0), "进行中", "方案报价"),
    ("刘洋", "芜湖汽车配件", "培训服务", "12000", DT(2026, 10, 30, 10, 0), "进行中", "验证客户"),
    ("刘洋", "蚌埠玻璃", "年度服务续约", "18800", DT(2026, 12, 9, 13, 15), "输单", "输单"),
    ("赵磊", "杭州云帆科技", "私有化部署", "210000", DT(2026, 12, 22, 18, 30), "进行中", "谈判审核"),
    ("赵磊", "杭州西溪电商", "CRM升级", "34500", DT(2026, 11, 5, 9, 0), "赢单", "赢单"),
    ("赵磊", "绍兴纺织", "移动办公", "8800.8", DT(2027, 3, 12, 16, 45), "进行中", "验证客户"),
    ("黄丽", "宁波港联贸易", "数据中台", "95000", DT(2026, 11, 18, 10, 0), "进行中", "需求分析"),
    ("黄丽", "温州鞋业", "年度服务续约", "22000", DT(2026, 10, 15, 15, 30), "赢单", "赢单"),
    ("黄丽", "嘉兴光伏", "培训服务", "5600.5", DT(2026, 12, 30, 23, 59), "进行中", "方案报价"),
    ("孙杰", "广州白云电器", "私有化部署", "138000", DT(2026, 11, 20, 14, 0), "进行中", "谈判审核"),
    ("孙杰", "广州南沙港务", "CRM升级", "47000", DT(2026, 10, 12, 11, 0), "赢单", "赢单"),
    ("孙杰", "中山灯饰", "移动办公", "9200", DT(2027, 1, 8, 9, 0), "进行中", "验证客户"),
    ("00212", "佛山美居家具", "数据中台", "66000", DT(2026, 12, 5, 10, 30), "进行中", "方案报价"),  # 马超 by 工号
    ("马超", "江门摩托", "培训服务", "13500.75", DT(2026, 11, 9, 16, 0), "赢单", "赢单"),
    ("马超", "肇庆建材", "年度服务续约", "28000", DT(2026, 12, 18, 12, 0), "输单", "输单"),
    ("朱婷", "清远陶瓷", "CRM升级", "41000", DT(2026, 11, 28, 10, 0), "进行中", "需求分析"),
    ("朱婷", "韶关钢铁", "私有化部署", "118500", DT(2027, 2, 26, 15, 0), "进行中", "谈判审核"),
    ("朱婷", "惠州电池", "移动办公", "16000", DT(2026, 10, 21, 9, 45), "赢单", "赢单"),
    ("梁爽", "深圳前海金融", "数据中台", "185000", DT(2026, 12, 10, 17, 30), "进行中", "谈判审核"),
    ("梁爽", "深圳南山软件", "年度服务续约", "32000.5", DT(2026, 10, 28, 14, 0), "赢单", "赢单"),
    ("梁爽", "东莞精密模具", "CRM升级", "27500", DT(2026, 11, 16, 11, 0), "无效 ", "无效"),  # a trailing space
    ("宋佳", "珠海格润环保", "私有化部署", "76000", DT(2026, 11, 23, 10, 0), "进行中", "方案报价"),
    ("宋佳", "深圳宝安物流", "培训服务", "6800", DT(2026, 12, 3, 9, 0), "进行中", "验证客户"),
    ("宋佳", "汕头玩具", "移动办公", "19999.99", DT(2027, 3, 20, 16, 0), "进行中", "需求分析"),
    ("宋佳", "揭阳五金", "年度服务续约", "24000", DT(2026, 10, 9, 10, 0), "赢单", "赢单"),
    ("李明", "上海虹桥商务", "培训服务", "11000", DT(2026, 12, 12, 12, 12), "进行中", "需求分析"),
    ("赵磊", "湖州竹业", "CRM升级", "29000.3", DT(2026, 11, 27, 15, 30), "进行中", "方案报价"),
]

# 被评估人, 评估人, 信心指数, 备注
WUKONG_CONFIDENCE = [
    ("李明", "吴静", 0.9, "客户预算尚未审批"),
    ("张伟", "吴静", "110%", "苏州精工已进入合同审核"),
    ("00131", None, 0.8, "二组暂无主管，未指定评估人"),  # 王芳 by 工号; her unit has no head
    ("华东大区/上海区/二组", "周海涛", 0.85, "无主管的小组整体打折"),
    ("吴静", "周海涛", 0.95, None),  # the unit 华东大区/上海区/一组, by its head's name
    ("周海涛", "王建国", 0.9, None),
    ("赵磊", "杨帆", 1.1, None),
    ("黄丽", "杨帆", 1, None),
    ("00105", "陈静", 1.05, "杨帆（工号）"),  # the unit 华东大区/杭州区/一组, by its head's 工号
    ("陈静", "王建国", 1, None),
    ("王建国", "全国", 0.95, "大区整体偏乐观"),
    ("孙杰", "何敏", "90%", None),
    ("马超", "何敏", 1.2, "佛山美居预算已批"),
    ("朱婷", "胡军", 1, None),
    ("何敏", "郑华", 1.1, None),
    ("胡军", "郑华", "105%", None),
    ("郑华", "林志强", 0.9, None),
    ("梁爽", "罗斌", 0.7, "东莞客户内部调整"),
    ("宋佳", "罗斌", 1.1, None),
    ("罗斌", "高远", 1, None),
    ("高远", "林志强", 0.95, None),
    ("林志强", None, 1, None),
]
# 刘洋 has no row: not reviewed.

WUKONG_TARGETS = [
    ("全国", "2026年第四季度", "¥2,000,000.00"),
    ("华东大区", "2026年第四季度", "¥1,150,000.00"),
    ("华南大区", "2026年第四季度", "¥900,000.00"),
    ("华东大区/上海区", "2026年第四季度", "¥650,000.00"),
    ("杭州区", "2026年第四季度", "¥480,000.00"),
    ("华东大区/上海区/一组", "2026年第四季度", "¥300,000.00"),
    ("华南大区/广州区/二组", "2026年第四季度", "¥150,000.50"),
    ("全国", "2027年第一季度", "¥700,000.00"),
    ("华东大区", "2027年第一季度", "¥400,000.00"),
]


def write_wukong(d):
    write_text(os.path.join(d, "pack.toml"), WUKONG_TOML)

    wb = new_workbook()
    rows = [(name, no, dept, post, "1390000%04d" % i) for i, (name, no, dept, post) in enumerate(WUKONG_PEOPLE, 1)]
    add_sheet(wb, "员工", ("姓名", "工号", "部门", "岗位", "手机"), rows, text_cols=("工号", "手机"))
    save_workbook(wb, os.path.join(d, "员工.xlsx"))

    dept_of = {}
    for name, no, dept, _ in WUKONG_PEOPLE:
        dept_of[name] = dept_of[no] = dept
    wb = new_workbook()
    ws = wb.create_sheet("导出条件")
    ws.append(["导出时间", "2026-11-26 09:00"])
    ws.append(["场景", "全部商机"])
    rows = []
    for i, (owner, customer, product, amount, close, status, stage) in enumerate(WUKONG_DEALS, 1):
        created = DT(2026, 8, 1, 9, 15) + datetime.timedelta(days=i, minutes=23 * i)
        deal_id = "SJ%s%03d" % (created.strftime("%Y%m%d"), i)
        rows.append((deal_id, customer + product + "项目", customer, excel_number(amount), close,
                     status, stage, owner, dept_of[owner].strip("/").replace(" ", ""), created))
    add_sheet(wb, "商机", ("商机编号", "商机名称", "客户名称", "商机金额", "预计成交日期", "商机状态组",
                         "商机阶段", "负责人", "所属部门", "创建时间"), rows,
              text_cols=("商机编号", "负责人"), datetime_cols=("预计成交日期", "创建时间"))
    save_workbook(wb, os.path.join(d, "商机导出.xlsx"))

    wb = new_workbook()
    add_sheet(wb, "信心指数", ("被评估人", "评估人", "信心指数", "备注"), WUKONG_CONFIDENCE)
    save_workbook(wb, os.path.join(d, "信心指数.xlsx"))

    write_text(os.path.join(d, "目标.csv"),
               csv_text([("部门", "季度", "目标金额")] + WUKONG_TARGETS, crlf=True), encoding="utf-8-sig")


# ---------------------------------------------------------------------------------------------
# Pack 2: salesforce/ (Salesforce report export, fiscal year from April)
# ---------------------------------------------------------------------------------------------

SALESFORCE_TOML = '''\
# A Salesforce report export (CSV, CRLF, every field quoted), fiscal year starting in April and
# named by the year it ends in: Oct-Dec 2026 is FY2027-Q3, Jan-Mar 2027 is FY2027-Q4.
# Written by scripts/make-crm-fixtures.py; expected/canonical/ is the same pack in the contract's shape.

[org]
file = "Users.csv"
id = "User ID"
name = "Full Name"
parent = "Manager ID"   # empty for the VP: the root
level = "Title"

[forecasts]
file = "Opportunities.csv"
rep = "Opportunity Owner"    # the owner's full name
amount = "Amount"            # 12,500.00 or 48000
deal = "Opportunity ID"
date = "Close Date"          # US m/d/yyyy; 3/4/2027 would be ambiguous without date_format
date_format = "%m/%d/%Y"
fiscal_year_start = 4
drop = { "Stage" = ["Closed Lost"] }

# No confidence file.

[targets]
file = "Quota.csv"
node = "Owner"               # a user's full name
period = "Fiscal Period"     # FY2027-Q3, the label the close dates give
target = "Quota"
'''

# User ID, Full Name, Manager ID, Title
SALESFORCE_USERS = [
    ("005A000001", "Margaret Chen", "", "VP Sales"),
    ("005A000002", "David Okafor", "005A000001", "Regional Director"),
    ("005A000003", "Sofia Alvarez", "005A000001", "Regional Director"),
    ("005A000004", "James Whitfield", "005A000002", "Sales Manager"),
    ("005A000005", "Priya Raman", "005A000002", "Sales Manager"),
    ("005A000006", "Tom Becker", "005A000003", "Sales Manager"),
    ("005A000007", "Hannah Lee", "005A000003", "Sales Manager"),
    ("005A000011", "Ethan Brooks", "005A000004", "Account Executive"),
    ("005A000012", "Olivia Grant", "005A000004", "Account Executive"),
    ("005A000013", "Lucas Meyer", "005A000004", "Account Executive"),
    ("005A000014", "Ava Thompson", "005A000005", "Account Executive"),
    ("005A000015", "Noah Patel", "005A000005", "Account Executive"),
    ("005A000016", "Mia Rossi", "005A000005", "Account Executive"),
    ("005A000017", "Liam O'Connor", "005A000006", "Account Executive"),
    ("005A000018", "Emma Schultz", "005A000006", "Account Executive"),
    ("005A000019", "Benjamin Wu", "005A000006", "Account Executive"),
    ("005A000020", "Zoë Martin", "005A000007", "Account Executive"),
    ("005A000021", "Daniel Kim", "005A000007", "Account Executive"),
    ("005A000022", "Grace Novak", "005A000007", "Account Executive"),
]

PROBABILITY = {"Prospecting": 10, "Qualification": 20, "Negotiation/Review": 80, "Closed Won": 100,
               "Closed Lost": 0}

# Account Name, what, Opportunity Owner, Amount, Close Date, Stage
SALESFORCE_OPPORTUNITIES = [
    ("Acme Corp", "Platform Renewal", "Ethan Brooks", "12,500.00", "10/15/2026", "Closed Won"),
    ("Globex", "Expansion", "Ethan Brooks", "48000", "11/5/2026", "Negotiation/Review"),
    ("Initech", "New Logo", "Ethan Brooks", "7,250.50", "3/4/2027", "Qualification"),
    ("Umbrella Health", "Upsell", "Olivia Grant", "95,000.00", "12/1/2026", "Negotiation/Review"),
    ("Stark Industries", "Services", "Olivia Grant", "3,275.50", "10/22/2026", "Closed Lost"),
    ("Wayne Logistics", "Platform", "Olivia Grant", "150000", "2/3/2027", "Prospecting"),
    ("Hooli", "Renewal", "Lucas Meyer", "22,000.00", "11/30/2026", "Closed Won"),
    ("Vandelay Imports", "New Logo", "Lucas Meyer", "18,400.75", "1/12/2027", "Qualification"),
    ("Soylent", "Expansion", "Ava Thompson", "64,000.00", "12/18/2026", "Negotiation/Review"),
    ("Tyrell Corp", "Platform", "Ava Thompson", "210,000.00", "3/31/2027", "Prospecting"),
    ("Cyberdyne", "Services", "Ava Thompson", "980.25", "10/9/2026", "Closed Won"),
    ("Oscorp", "Renewal", "Noah Patel", "35,500.00", "11/12/2026", "Closed Won"),
    ("Massive Dynamic", "Upsell", "Noah Patel", "27000", "2/14/2027", "Closed Lost"),
    ("Pied Piper", "New Logo", "Noah Patel", "15,000.00", "12/7/2026", "Qualification"),
    ("Aperture Labs", "Platform", "Mia Rossi", "120,000.00", "1/6/2027", "Negotiation/Review"),
    ("Black Mesa", "Services", "Mia Rossi", "8,800.00", "10/31/2026", "Closed Won"),
    ("Gringotts", "Expansion", "Liam O'Connor", "56,250.00", "11/20/2026", "Negotiation/Review"),
    ("Monarch", "Renewal", "Liam O'Connor", "19,999.99", "3/10/2027", "Qualification"),
    ("Dunder Mifflin", "New Logo", "Emma Schultz", "6,400.00", "12/3/2026", "Closed Lost"),
    ("Sterling Cooper", "Upsell", "Emma Schultz", "41,000.00", "10/27/2026", "Closed Won"),
    ("Wonka Industries", "Platform", "Emma Schultz", "175,000.00", "2/27/2027", "Prospecting"),
    ("Nakatomi Trading", "Services", "Benjamin Wu", "12,345.67", "11/8/2026", "Negotiation/Review"),
    ("Prestige Worldwide", "Renewal", "Benjamin Wu", "30000", "1/25/2027", "Qualification"),
    ("Bluth Company", "Expansion", "Zoë Martin", "72,500.00", "12/11/2026", "Negotiation/Review"),
    ("Krusty Krab", "New Logo", "Zoë Martin", "4,150.00", "10/2/2026", "Closed Won"),
    ("Los Pollos", "Upsell", "Daniel Kim", "88,000.00", "11/17/2026", "Negotiation/Review"),
    ("Duff Beverage", "Platform", "Daniel Kim", "250,000.00", "3/3/2027", "Closed Lost"),
    ("Virtucon", "Services", "Grace Novak", "9,600.00", "12/22/2026", "Closed Won"),
    ("Contoso", "Renewal", "Grace Novak", "44,000.00", "2/8/2027", "Qualification"),
    ("Fabrikam", "New Logo", "Grace Novak", "13,750.25", "10/13/2026", "Prospecting"),
]

# Owner, Fiscal Period, Quota
SALESFORCE_QUOTA = [
    ("Margaret Chen", "FY2027-Q3", "1,200,000.00"),
    ("Margaret Chen", "FY2027-Q4", "1,000,000.00"),
    ("David Okafor", "FY2027-Q3", "600,000.00"),
    ("David Okafor", "FY2027-Q4", "520,000.00"),
    ("Sofia Alvarez", "FY2027-Q3", "580,000.00"),
    ("Sofia Alvarez", "FY2027-Q4", "480,000.00"),
    ("James Whitfield", "FY2027-Q3", "250000"),
    ("Priya Raman", "FY2027-Q3", "260000"),
    ("Tom Becker", "FY2027-Q3", "240000"),
    ("Hannah Lee", "FY2027-Q3", "230000"),
    ("Ethan Brooks", "FY2027-Q3", "60,000.00"),
    ("Zoë Martin", "FY2027-Q3", "55,000.00"),
]


def write_salesforce(d):
    write_text(os.path.join(d, "pack.toml"), SALESFORCE_TOML)
    write_text(os.path.join(d, "Users.csv"),
               csv_text([("User ID", "Full Name", "Manager ID", "Title")] + SALESFORCE_USERS, quote_all=True, crlf=True))
    rows = [("Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner", "Amount", "Close Date",
             "Stage", "Probability (%)")]
    for i, (account, what, owner, amount, close, stage) in enumerate(SALESFORCE_OPPORTUNITIES, 1):
        rows.append(("006A%08d" % (100 + i), f"{account} - {what}", account, owner, amount, close, stage,
                     str(PROBABILITY[stage])))
    write_text(os.path.join(d, "Opportunities.csv"), csv_text(rows, quote_all=True, crlf=True))
    write_text(os.path.join(d, "Quota.csv"),
               csv_text([("Owner", "Fiscal Period", "Quota")] + SALESFORCE_QUOTA, quote_all=True, crlf=True))


# ---------------------------------------------------------------------------------------------
# Pack 3: one_workbook/ (every role a sheet of 销售预测.xlsx)
# ---------------------------------------------------------------------------------------------

ONE_WORKBOOK_TOML = '''\
# A pack kept in one workbook: each role is a sheet of 销售预测.xlsx.
# Written by scripts/make-crm-fixtures.py; expected/canonical/ is the same pack in the contract's shape.

[org]
file = "销售预测.xlsx"
sheet = "人员"
id = "工号"
name = "姓名"
parent = "直属上级工号"   # empty for the root (赵总)
level = "职务"

[forecasts]
file = "销售预测.xlsx"
sheet = "商机"
rep = "负责人工号"
amount = "金额"
deal = "编号"
date = "成交日期"        # date cells
every = "quarter"        # calendar quarters: 2026-Q4, 2027-Q1
keep = { "阶段" = ["跟进中", "赢单"] }   # 输单, 暂停 and 初步接触 are not forecast

[confidence]
file = "销售预测.xlsx"
sheet = "信心"
subject = "被评估人工号"
reviewer = "评估人工号"
period = "季度"          # empty: every period; a row with a period overrides it
confidence = "信心指数"
note = "备注"

[targets]
file = "销售预测.xlsx"
sheet = "目标"
node = "节点"            # a 工号, or a name
period = "季度"
target = "目标"
'''

ONE_PEOPLE = [  # 工号, 姓名, 直属上级工号, 职务
    ("0001", "赵总", None, "总经理"),
    ("0010", "钱经理", "0001", "区域经理"),
    ("0011", "李娜", "0010", "销售"),
    ("0012", "周杰", "0010", "销售"),
    ("0013", "吴磊", "0010", "销售"),
    ("0020", "孙经理", "0001", "区域经理"),
    ("0021", "郑爽", "0020", "销售"),
    ("0022", "王强", "0020", "销售"),
]

ONE_DEALS = [  # 负责人工号, 金额, 成交日期, 阶段
    ("0011", "52000", (2026, 10, 12), "跟进中"),
    ("0011", "18000.5", (2026, 11, 3), "赢单"),
    ("0011", "9600", (2027, 1, 20), "跟进中"),
    ("0011", "33000", (2026, 12, 8), "输单"),
    ("0011", "7500", (2026, 11, 21), "初步接触"),
    ("0012", "120000", (2026, 12, 15), "跟进中"),
    ("0012", "26800.8", (2026, 10, 29), "赢单"),
    ("0012", "15000", (2027, 2, 11), "跟进中"),
    ("0012", "4200", (2026, 11, 14), "暂停"),
    ("0012", "61000", (2027, 3, 5), "赢单"),
    ("0013", "38500", (2026, 11, 27), "跟进中"),
    ("0013", "12000", (2026, 10, 6), "赢单"),
    ("0013", "5000", (2026, 12, 19), "输单"),
    ("0013", "47000", (2027, 1, 9), "跟进中"),
    ("0013", "23000", (2026, 12, 1), "初步接触"),
    ("0021", "88000", (2026, 11, 11), "跟进中"),
    ("0021", "19999.99", (2026, 10, 18), "赢单"),
    ("0021", "31000", (2027, 2, 22), "跟进中"),
    ("0021", "14500", (2026, 12, 24), "暂停"),
    ("0022", "76000", (2026, 12, 30), "跟进中 "),  # a trailing space: still kept
    ("0022", "10250.25", (2026, 11, 6), "赢单"),
    ("0022", "9800", (2027, 3, 28), "跟进中"),
    ("0022", "42000", (2026, 10, 23), "输单"),
    ("0022", "16800", (2027, 1, 15), "赢单"),
    ("0022", "5600", (2026, 11, 19), "跟进中"),
]

ONE_CONFIDENCE = [  # 被评估人工号, 评估人工号, 季度, 信心指数, 备注
    ("0011", "0010", "2026-Q4", 0.9, "大单还在走流程"),
    ("0012", "0010", None, 1.1, None),
    ("0012", "0010", "2027-Q1", 1, "一季度不加成"),
    ("0013", "0010", "2026年第四季度", 1, None),
    ("0021", "0020", "2026-Q4", 0.8, None),
    ("0022", "0020", "2027-Q1", 1.2, "新客户已签意向书"),
    ("0010", "0001", None, 0.95, None),
    ("0020", "0001", "2026-Q4", 1.05, None),
    ("0020", "0001", "2027-Q1", 0.9, None),
]

ONE_TARGETS = [  # 节点, 季度, 目标
    ("0001", "2026-Q4", "500000"),
    ("0010", "2026-Q4", "260000"),
    ("孙经理", "2026-Q4", "240000"),
    ("0011", "2026-Q4", "80000.5"),
    ("0001", "2027-Q1", "300000"),
]


def write_one_workbook(d):
    write_text(os.path.join(d, "pack.toml"), ONE_WORKBOOK_TOML)
    wb = new_workbook()
    add_sheet(wb, "人员", ("工号", "姓名", "直属上级工号", "职务"), ONE_PEOPLE, text_cols=("工号", "直属上级工号"))
    deals = [(rep, excel_number(amount), DT(*day), stage, "XS-2026-%03d" % i)
             for i, (rep, amount, day, stage) in enumerate(ONE_DEALS, 1)]
    add_sheet(wb, "商机", ("负责人工号", "金额", "成交日期", "阶段", "编号"), deals,
              text_cols=("负责人工号",), date_cols=("成交日期",))
    add_sheet(wb, "信心", ("被评估人工号", "评估人工号", "季度", "信心指数", "备注"), ONE_CONFIDENCE,
              text_cols=("被评估人工号", "评估人工号"))
    targets = [(node, period, excel_number(t)) for node, period, t in ONE_TARGETS]
    add_sheet(wb, "目标", ("节点", "季度", "目标"), targets, text_cols=("节点",))
    save_workbook(wb, os.path.join(d, "销售预测.xlsx"))


# =============================================================================================
# The independent expectation: read the pack back through its pack.toml, write the contract.
# Nothing below uses the lists above.
# =============================================================================================

class Problem(Exception):
    pass


COMMON_KEYS = {"file", "sheet", "header_row", "keep", "drop"}
DATE_KEYS = {"date", "every", "fiscal_year_start", "fiscal_year_named_by", "date_format"}
SECTION_KEYS = {
    "org": COMMON_KEYS | {"id", "name", "parent", "level", "unit", "unit_separator", "head", "root"},
    "forecasts": COMMON_KEYS | DATE_KEYS | {"rep", "amount", "deal", "period"},
    "confidence": COMMON_KEYS | DATE_KEYS | {"subject", "reviewer", "confidence", "note", "period"},
    "targets": COMMON_KEYS | DATE_KEYS | {"node", "target", "period"},
}


def fold(s):
    return s.strip().casefold()


def cell_text(v):
    """A cell as text: numbers as the decimal Excel shows (15 significant digits)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        raise Problem(f"a boolean cell {v!r}")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return plain(Decimal("%.15g" % v))
    raise Problem(f"a {type(v).__name__} cell {v!r} where text is expected")


def plain(d):
    """A decimal's shortest text without exponent: 128000, 26500.5, 0.9."""
    d = d.normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "") else text


class Table:
    """The rows of one mapped role: its header and its non-blank data rows (raw cell values)."""

    def __init__(self, pack, section):
        name = section["file"]
        assert not os.path.isabs(name) and ".." not in name.replace("\\", "/").split("/")
        path = os.path.join(pack, name)
        if name.lower().endswith(".xlsx"):
            wb = openpyxl.load_workbook(path, data_only=True)
            ws = wb[section["sheet"]] if "sheet" in section else wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        elif name.lower().endswith(".csv"):
            raw = open(path, "rb").read()
            text = raw.decode("utf-8-sig")  # UTF-8 with or without BOM (all these fixtures)
            rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
        else:
            raise Problem(f"{name}: not a CSV or xlsx")
        first = section.get("header_row", 1)
        self.header = [cell_text(h) for h in rows[first - 1]]
        self.rows = []
        for r in rows[first:]:
            r = r + [None] * (len(self.header) - len(r))
            if all(v is None or (isinstance(v, str) and v.strip() == "") for v in r):
                continue  # blank
            self.rows.append(r)

    def col(self, name):
        hits = [i for i, h in enumerate(self.header) if fold(h) == fold(name)]
        if len(hits) != 1:
            raise Problem(f"column {name!r}: {len(hits)} matches in {self.header}")
        return hits[0]


def kept_rows(section, table, left_out):
    """keep/drop: drop wins; rows left out are counted per (column, value)."""
    drop = section.get("drop", {})
    keep = section.get("keep", {})
    out = []
    for r in table.rows:
        why = None
        for column, values in drop.items():
            cell = fold(cell_text(r[table.col(column)]))
            hit = [v for v in values if fold(v) == cell]
            if hit:
                why = (column, hit[0])  # counted under the value pack.toml lists
                break
        if why is None:
            for column, values in keep.items():
                cell = cell_text(r[table.col(column)])
                if not any(fold(v) == fold(cell) for v in values):
                    why = (column, cell)  # counted under the value the cell holds
                    break
        if why is None:
            out.append(r)
        else:
            left_out[why] += 1
    return out


def decimal_of(v, percent=False):
    """Amounts, targets, confidences, by the contract's rules (exact decimals)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Decimal(cell_text(v))
    s = cell_text(v)
    if s[:1] in "¥￥":
        s = s[1:].strip()
    scale = Decimal(1)
    if percent and s.endswith("%"):
        s, scale = s[:-1].strip(), Decimal(100)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise Problem(f"not a decimal: {v!r}")
    return Decimal(s) / scale


CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def period_label(v):
    """A period column's cell as the canonical label (only the spellings these fixtures use)."""
    if isinstance(v, (datetime.date, datetime.datetime)):
        raise Problem(f"a date in a period column: {v}")
    s = cell_text(v)
    if s == "":
        return ""
    if re.fullmatch(r"\d{4}-Q[1-4]", s):
        return s
    m = re.fullmatch(r"(\d{4})年第([一二三四1-4])季度", s)
    if m:
        return f"{m.group(1)}-Q{CN_DIGIT[m.group(2)]}"
    if re.fullmatch(r"FY\d{4}-Q[1-4]", s):
        return s  # not a calendar period: kept as written
    raise Problem(f"period spelling not handled here: {s!r}")


def date_of(v, date_format):
    """A date cell, or text by date_format, or by the spellings accepted without one."""
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if not isinstance(v, str) or v.strip() == "":
        raise Problem(f"not a date: {v!r}")
    s = v.strip()
    if date_format:
        return datetime.datetime.strptime(s, date_format).date()
    s = re.split(r"[ T]", s, maxsplit=1)[0]
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s) or re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s)
    if m:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        readings = set()
        for month, day in ((a, b), (b, a)):
            try:
                readings.add(datetime.date(y, month, day))
            except ValueError:
                pass
        if len(readings) == 1:
            return readings.pop()
        raise Problem(f"{s}: ambiguous or not a date; give date_format")
    raise Problem(f"not a date: {v!r}")


def period_of_date(d, section):
    every = section.get("every", "quarter")
    start = section.get("fiscal_year_start", 1)
    named_by = section.get("fiscal_year_named_by", "end")
    assert every in ("quarter", "month", "half", "year") and 1 <= start <= 12 and named_by in ("end", "start")
    if every == "month":
        return f"{d.year}-{d.month:02d}"
    if start == 1:
        return {"quarter": f"{d.year}-Q{(d.month - 1) // 3 + 1}",
                "half": f"{d.year}-H{(d.month - 1) // 6 + 1}",
                "year": f"{d.year}"}[every]
    s = d.year if d.month >= start else d.year - 1
    fy = s + 1 if named_by == "end" else s
    k = (d.month - start) % 12
    return {"quarter": f"FY{fy}-Q{k // 3 + 1}", "half": f"FY{fy}-H{k // 6 + 1}", "year": f"FY{fy}"}[every]


def period_column(section, table, row):
    """The period of a row: from `period`, from `date`, or none (empty)."""
    if "period" in section and "date" in section:
        raise Problem("both period and date")
    if "period" in section:
        return period_label(row[table.col(section["period"])])
    if "date" in section:
        return period_of_date(date_of(row[table.col(section["date"])], section.get("date_format")), section)
    return ""


class Org:
    """The org as the contract's rows, plus what resolving a person's cell needs."""

    def __init__(self):
        self.rows = []          # (id, parent_id, name, level), in display order
        self.alias = {}         # an id as written -> node id (a head's personal id -> unit id)
        self.units = set()      # unit ids (paths), unit mode only
        self.separator = None
        self.names = collections.defaultdict(set)  # a name -> node ids

    def add(self, node_id, parent, name, level):
        assert node_id not in {r[0] for r in self.rows}, f"repeated id {node_id}"
        self.rows.append((node_id, parent, name, level))
        self.alias[node_id] = node_id

    def path(self, text):
        return [p.strip() for p in text.split(self.separator) if p.strip()]

    def resolve(self, v):
        """Resolution steps 1-4 of the spec."""
        c = cell_text(v)
        if c == "":
            return ""
        if c in self.alias:
            return self.alias[c]
        if self.separator is not None:
            joined = self.separator.join(self.path(c))
            if joined in self.units:
                return joined
        ids = self.names.get(c, set())
        if len(ids) > 1:
            raise Problem(f"name {c!r} is shared by {sorted(ids)}")
        if ids:
            return next(iter(ids))
        return c

    def parent_of(self):
        return {r[0]: r[1] for r in self.rows}


def read_org(pack, section, left_out):
    table = Table(pack, section)
    rows = kept_rows(section, table, left_out)
    org = Org()
    get = lambda r, key: cell_text(r[table.col(section[key])]) if key in section else ""
    if "parent" in section:
        assert "unit" not in section
        for r in rows:
            org.add(get(r, "id"), get(r, "parent"), get(r, "name"), get(r, "level"))
            if get(r, "name"):
                org.names[get(r, "name")].add(get(r, "id"))
        return org

    # unit mode
    org.separator = section.get("unit_separator", "/")
    root = section.get("root", "全国")
    org.add(root, "", root, "")
    org.names[root].add(root)
    head_column, head_values = None, []
    if "head" in section:
        assert len(section["head"]) == 1, "head names one column"
        (head_column, head_values), = section["head"].items()
    heads = {}  # unit id -> (person id, name, level)
    leaves = []
    for r in rows:
        parts = org.path(get(r, "unit"))
        if not parts:
            raise Problem(f"{get(r, 'id')}: empty unit")
        for n in range(1, len(parts) + 1):
            unit = org.separator.join(parts[:n])
            if unit not in org.units:
                org.units.add(unit)
                parent = org.separator.join(parts[:n - 1]) if n > 1 else root
                org.add(unit, parent, parts[n - 1], "")
                org.names[parts[n - 1]].add(unit)
        unit = org.separator.join(parts)
        post = cell_text(r[table.col(head_column)]) if head_column else ""
        if head_column and fold(post) in {fold(v) for v in head_values}:
            if unit in heads:
                raise Problem(f"{unit}: two heads")
            heads[unit] = (get(r, "id"), get(r, "name"), post)
        else:
            leaves.append((get(r, "id"), unit, get(r, "name"), post))
            org.add(get(r, "id"), unit, get(r, "name"), post)
    for unit, (person, name, post) in heads.items():
        i = [r[0] for r in org.rows].index(unit)
        node_id, parent, unit_name, _ = org.rows[i]
        org.rows[i] = (node_id, parent, unit_name, post)  # the unit's name stays its last part
        assert person not in org.alias, f"{person} is also another node's id"
        org.alias[person] = unit
        if name:
            org.names[name].add(unit)
    for person, _unit, name, _post in leaves:
        if name:
            org.names[name].add(person)
    return org


def check_section_keys(name, section):
    unknown = set(section) - SECTION_KEYS[name]
    assert not unknown, f"[{name}] unknown keys {unknown}"


def convert(pack):
    """pack.toml + the CRM files -> {canonical file name: rows}, left-out counts."""
    with open(os.path.join(pack, "pack.toml"), "rb") as f:
        cfg = tomllib.load(f)
    for name, section in cfg.items():
        check_section_keys(name, section)
    left_out = collections.Counter()
    out = {}

    org = read_org(pack, cfg["org"], left_out)
    ids = {r[0] for r in org.rows}
    parent = org.parent_of()
    out["org.csv"] = [("id", "parent_id", "name", "level")] + org.rows

    s = cfg["forecasts"]
    t = Table(pack, s)
    lines, seen = [], set()
    for r in kept_rows(s, t, left_out):
        rep = org.resolve(r[t.col(s["rep"])])
        period = period_column(s, t, r)
        deal = cell_text(r[t.col(s["deal"])]) if "deal" in s else ""
        assert rep in ids and period, (rep, period)
        if deal:
            assert (rep, period, deal) not in seen, f"deal {deal} twice"
            seen.add((rep, period, deal))
        lines.append((rep, period, plain(decimal_of(r[t.col(s["amount"])])), deal))
    out["forecasts.csv"] = [("rep_id", "period", "amount", "deal_id")] + lines
    periods = {line[1] for line in lines}

    if "confidence" in cfg:
        s = cfg["confidence"]
        t = Table(pack, s)
        rows = []
        for r in kept_rows(s, t, left_out):
            subject = org.resolve(r[t.col(s["subject"])])
            reviewer = org.resolve(r[t.col(s["reviewer"])]) if "reviewer" in s else ""
            period = period_column(s, t, r)
            c = decimal_of(r[t.col(s["confidence"])], percent=True)
            note = cell_text(r[t.col(s["note"])]) if "note" in s else ""
            assert subject in ids and parent[subject], subject
            assert reviewer == "" or reviewer == parent[subject], (subject, reviewer, parent[subject])
            assert period == "" or period in periods, period
            assert 0 <= c <= 2, c
            rows.append((subject, reviewer, period, plain(c), note))
        out["confidence.csv"] = [("subject_id", "reviewer_id", "period", "confidence", "note")] + rows

    if "targets" in cfg:
        s = cfg["targets"]
        t = Table(pack, s)
        rows = []
        for r in kept_rows(s, t, left_out):
            node = org.resolve(r[t.col(s["node"])])
            period = period_column(s, t, r)
            assert node in ids and period, (node, period)
            rows.append((node, period, plain(decimal_of(r[t.col(s["target"])]))))
        out["targets.csv"] = [("node_id", "period", "target")] + rows
    return out, left_out


def write_expected(pack):
    out, left_out = convert(pack)
    for name, rows in out.items():
        write_text(os.path.join(pack, "expected", "canonical", name), csv_text(rows))
    lines = sorted(f"{column} = {value}: {n}" for (column, value), n in left_out.items())
    write_text(os.path.join(pack, "expected", "left_out.txt"), "".join(line + "\n" for line in lines))
    print(f"{os.path.basename(pack)}: " + ", ".join(f"{name} {len(rows) - 1} rows" for name, rows in out.items()))
    for line in lines:
        print("    left out: " + line)


def main():
    for name, write in (("wukong", write_wukong), ("salesforce", write_salesforce),
                        ("one_workbook", write_one_workbook)):
        pack = os.path.join(ROOT, name)
        shutil.rmtree(pack, ignore_errors=True)  # this script's own output: no stale files
        write(pack)
        write_expected(pack)


if __name__ == "__main__":
    main()
