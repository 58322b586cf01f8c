"""Benchmark: import a 2,000-project workbook on SQLite (DESIGN.md section 5; issue 5).

Generates the workbook with openpyxl: 2,000 projects, two years of annual plans and of monthly
figures (48,000 rows), 10,000 issues, bonds and spending. Then times ``plan_import`` (reading
and validation included) + ``apply_import`` into an empty migrated SQLite database, and the
same file again (nothing changes). Run by hand: ``.venv/bin/python bench/bench_import.py``.
Target: the first import ≤ 3 s.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="duban-bench-"))
os.environ.setdefault("SECRET_KEY", "bench")

PROJECTS = 2000
YEARS = (2025, 2026)
ISSUES = 10000
LEVELS = ("省重点", "市重点", "区重点")
STAGES = ("前期", "在建", "竣工", "投产")
CATEGORIES = ("资金不足", "用地手续不完善", "土地交付进度慢", "规划报建", "环评能评", "施工组织", "水电路配套", "其他")
STATES = ("待办理", "办理中", "待确认", "已办结", "已撤销")


def make_workbook() -> bytes:
    from openpyxl import Workbook

    from tracker.workbook.parse import SHEETS

    wb = Workbook(write_only=True)
    sheets = {s.name: wb.create_sheet(s.name) for s in SHEETS}
    for s in SHEETS:
        sheets[s.name].append(["（测试园区）" + s.name])  # a title row above the headers
        sheets[s.name].append(s.headers)
    units = [f"园区第{i}局" for i in range(1, 21)]
    for n in range(1, PROJECTS + 1):
        code = f"P{n:05d}"
        sheets["项目"].append([
            code, f"第{n}号重点项目", LEVELS[n % 3], "新材料", STAGES[n % 4], f"业主公司{n % 300}",
            units[n % 20], None, "王副主任", 10000 + n * 1.5, 2024, 2028,
        ])
        for year in YEARS:
            sheets["年度计划"].append([code, year, 1200 + n * 0.25])
            for month in range(1, 13):
                sheets["月度进展"].append([
                    code, year, month, round(100 + (n * month) % 97 + 0.37, 2),
                    f"{month}月主体结构施工", "继续推进",
                ])
        if n % 10 == 0:
            sheets["专项债"].append([code, 2026, 5000.0, date(2026, 12, 31)])
            for month in range(1, 7):
                sheets["专项债支出"].append([code, 2026, month, 300.5])
    start = date(2025, 1, 1)
    for n in range(1, ISSUES + 1):
        raised = start + timedelta(days=n % 600)
        state = STATES[n % 5]
        sheets["问题"].append([
            f"WB-{n:05d}", f"P{(n % PROJECTS) + 1:05d}", CATEGORIES[n % 8], f"第{n}号问题：征地拆迁协调",
            units[n % 20], "张三", "一般督办", raised, raised + timedelta(days=60), state,
            raised + timedelta(days=30) if state == "已办结" else None,
        ])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.workbook.plan import plan_import
    from tracker.workbook.write import apply_import

    t0 = time.perf_counter()
    data = make_workbook()
    print(f"generated workbook: {len(data) / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite"})
        with app.app_context():
            upgrade()
            for label in ("first import (empty database)", "same file again (nothing changes)"):
                t, cpu = time.perf_counter(), time.process_time()
                plan = plan_import(data)
                planned = time.perf_counter() - t
                assert plan.ok, plan.errors[:5]
                if plan.changes_anything:
                    apply_import(plan, data, "bench.xlsx", None, today=date.today())
                total, cpu = time.perf_counter() - t, time.process_time() - cpu
                counts = {k: v["new"] + v["changed"] for k, v in plan.summary()["sheets"].items()}
                print(f"{label}: {total:.2f} s wall, {cpu:.2f} s CPU "
                      f"(read + validate + plan {planned:.2f} s) written: {counts}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
