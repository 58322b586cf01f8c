"""Brief rendering time: the demo park, then a generated park of 500 projects.

Run by hand: ``.venv/bin/python bench/bench_brief.py``. Uses a throwaway SQLite
database; prints gather (SQL + figures), HTML and PDF times, pages and size.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="duban-bench-"))
os.environ.setdefault("SECRET_KEY", "bench")

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402


def pages(data: bytes) -> str:
    try:
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    for line in info.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return line.split()[1]
    return "?"


def measure(label: str, year: int, month: int) -> None:
    from tracker.briefs import service
    from tracker.pdf import render_pdf

    t0 = time.perf_counter()
    draft = service.draft_for(year, month)
    snapshot = service.build_snapshot(year, month, draft, date.today())
    t1 = time.perf_counter()
    html = service.render_html(snapshot)
    t2 = time.perf_counter()
    data = render_pdf(html)
    t3 = time.perf_counter()
    print(
        f"{label:28} gather {t1 - t0:6.2f} s   html {t2 - t1:5.2f} s   pdf {t3 - t2:6.2f} s   "
        f"total {t3 - t0:6.2f} s   {pages(data):>3} pages   {len(data) / 1024:7.0f} KB"
    )


def generate(count: int, year: int, last_month: int) -> None:
    """A park of ``count`` projects with a year of figures, bonds and issues."""
    from tracker.auth.models import Unit
    from tracker.issues.models import Category, EventKind, Issue, IssueEvent, IssueState
    from tracker.projects.models import AnnualPlan, Bond, BondSpending, Level, Project, Stage
    from tracker.reports.models import MonthlyReport, ReportState

    rng = random.Random(500)
    unit = Unit(name="基准测试单位")
    db.session.add(unit)
    db.session.flush()
    levels = [Level.PROVINCIAL, Level.MUNICIPAL, Level.DISTRICT]
    for i in range(count):
        project = Project(code=f"BX-{i:04d}", name=f"基准测试重点项目{i:04d}号厂房及配套工程",
                          level=levels[i % 3], stage=Stage.CONSTRUCTION, responsible_unit=unit,
                          total_investment=Decimal(50000))
        db.session.add(project)
        db.session.flush()
        plan = Decimal(rng.choice([6000, 12000, 24000]))
        if i % 17:
            db.session.add(AnnualPlan(project_id=project.id, year=year, amount=plan))
        for m in range(1, last_month + 1):
            db.session.add(MonthlyReport(
                project_id=project.id, year=year, month=m, state=ReportState.APPROVED,
                amount=(plan / 12 * Decimal(rng.uniform(0.4, 1.3))).quantize(Decimal("0.01")),
                progress_text="主体结构施工中，完成桩基工程约六成，钢结构吊装有序推进"))
        if i % 10 == 0:
            bond = Bond(project_id=project.id, year=year, amount=Decimal(5000),
                        expected_on=date(year, 12, 1 + i % 28))
            db.session.add(bond)
            db.session.flush()
            for m in range(1, last_month + 1):
                db.session.add(BondSpending(bond_id=bond.id, month=m, amount=Decimal(300)))
        if i % 4 == 0:
            raised = date(year, 1, 1) + timedelta(days=rng.randrange(0, 28 * last_month))
            issue = Issue(number=f"BX-{i:04d}", project_id=project.id,
                          category=rng.choice(list(Category)), responsible_unit=unit,
                          description="项目建设资金到位滞后，用地手续尚未办结，需协调有关部门加快推进。",
                          raised_on=raised, deadline=raised + timedelta(days=45),
                          state=IssueState.IN_PROGRESS)
            db.session.add(issue)
            db.session.flush()
            db.session.add(IssueEvent(issue_id=issue.id, kind=EventKind.RAISED,
                                      to_state=IssueState.OPEN, effective_on=raised))
            db.session.add(IssueEvent(issue_id=issue.id, kind=EventKind.MOVE,
                                      from_state=IssueState.OPEN, to_state=IssueState.IN_PROGRESS,
                                      effective_on=raised + timedelta(days=3)))
    db.session.commit()


def main() -> None:
    from flask_migrate import upgrade

    from tracker.demo import load_demo
    from tracker.progress import last_completed_month

    url = f"sqlite:///{os.environ['INSTANCE_PATH']}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        today = date.today()
        load_demo(today)
        year, month = last_completed_month(today)
        with app.test_request_context():
            measure("demo park (warm-up)", year, month)
            measure("demo park", year, month)
        generate(500 - 29, year, month)  # with the demo's 29: about 500 projects
        with app.test_request_context():
            measure("500 projects", year, month)


if __name__ == "__main__":
    main()
