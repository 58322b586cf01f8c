"""Generate a city-scale park straight into the database (bulk inserts, seconds not minutes).

2,000 projects over 40 units and every industry, a lead per 50 projects, plans and
monthly figures for two years (24 months up to the last completed month), 10,000 issues
with follow-ups, special bonds with spending, and the template's milestones for every project. Usage (inside an app context):
``generate(projects=2000, issues=10000)``; ``python bench/generate.py`` loads the
database named by DATABASE_URL.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.auth.models import Role, Unit, User  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.issues.models import (  # noqa: E402
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone  # noqa: E402
from tracker.periods import last_completed_month  # noqa: E402
from tracker.projects.models import (  # noqa: E402  # noqa: E402
    AnnualPlan,
    Bond,
    BondSpending,
    Level,
    MonthlyReport,
    Project,
    ReportState,
    Stage,
)

INDUSTRIES = ["金属智造", "新材料", "机械装备", "绿色能源", "储能", "其他"]
BENCH_PASSWORD = "bench-password"


def generate(projects: int = 2000, issues: int = 10000, today: date | None = None,
             per_lead: int = 50) -> dict:
    """Fill an empty database; returns the logins to use (supervisor, a lead with ``per_lead`` projects)."""
    rng = random.Random(7)
    today = today or date.today()
    year, month = last_completed_month(today)
    units = [{"name": f"第{i + 1}责任单位"} for i in range(40)]
    db.session.execute(insert(Unit), units)
    unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    hashed = User(login="x", name="x", role=Role.MEMBER)
    hashed.set_password(BENCH_PASSWORD)
    leads = max(1, projects // per_lead)
    db.session.execute(insert(User), [
        {"login": "bench-super", "name": "督查员", "role": Role.SUPERVISOR,
         "password_hash": hashed.password_hash, "unit_id": unit_ids[0]},
    ] + [
        {"login": f"lead{i:03d}", "name": f"负责人{i:03d}", "role": Role.MEMBER,
         "password_hash": hashed.password_hash, "unit_id": unit_ids[i % len(unit_ids)]}
        for i in range(leads)
    ])
    lead_ids = list(db.session.scalars(select(User.id).where(User.role == Role.MEMBER).order_by(User.id)))
    levels = [Level.PROVINCIAL] * 2 + [Level.MUNICIPAL] * 5 + [Level.DISTRICT] * 3
    db.session.execute(insert(Project), [
        {"code": f"P{i:05d}", "name": f"{INDUSTRIES[i % 6]}重点项目{i:05d}",
         "level": levels[i % 10], "industry": INDUSTRIES[i % 6], "stage": Stage.CONSTRUCTION,
         "owner_unit_id": unit_ids[(i * 7) % 40], "responsible_unit_id": unit_ids[i % 40],
         "lead_id": lead_ids[i // per_lead % len(lead_ids)], "leader_in_charge": "包挂领导",
         "total_investment": Decimal(rng.randrange(5000, 200000)), "start_year": year - 1,
         "planned_completion_year": year + 2, "version": 1}
        for i in range(projects)
    ])
    project_ids = list(db.session.scalars(select(Project.id).order_by(Project.id)))
    plans, reports = [], []
    for pid in project_ids:
        for y in (year - 1, year):
            plan = Decimal(rng.randrange(1000, 40000))
            if rng.random() > 0.03:
                plans.append({"project_id": pid, "year": y, "amount": plan})
            last = 12 if y < year else month
            for m in range(1, last + 1):
                amount = (plan / 12 * Decimal(rng.uniform(0.4, 1.5))).quantize(Decimal("0.01"))
                reports.append({"project_id": pid, "year": y, "month": m, "amount": amount,
                                "progress_text": "主体施工中", "next_steps": "加快推进",
                                "state": ReportState.APPROVED, "version": 1})
    db.session.execute(insert(AnnualPlan), plans)
    for i in range(0, len(reports), 20000):
        db.session.execute(insert(MonthlyReport), reports[i:i + 20000])
    bonds = [{"project_id": pid, "year": year, "amount": Decimal(rng.randrange(1000, 9000)),
              "expected_on": date(year, 12, 20)} for pid in project_ids[::7]]
    db.session.execute(insert(Bond), bonds)
    bond_ids = list(db.session.scalars(select(Bond.id)))
    db.session.execute(insert(BondSpending), [
        {"bond_id": b, "month": m, "amount": Decimal(rng.randrange(50, 300)), "version": 1}
        for b in bond_ids for m in range(1, month + 1)
    ])
    categories, states = list(Category), [IssueState.OPEN, IssueState.IN_PROGRESS,
                                          IssueState.AWAITING_CONFIRMATION, IssueState.CLOSED]
    rows, events = [], []
    for n in range(issues):
        raised = today - timedelta(days=rng.randrange(1, 400))
        state = states[n % 4]
        rows.append({"number": f"DB-{raised.year}-{n + 1:05d}",
                     "project_id": project_ids[n % len(project_ids)] if n % 20 else None,
                     "category": categories[n % len(categories)], "title": "",
                     "description": f"第{n + 1}项问题：资金、用地或配套条件影响项目推进。",
                     "responsible_unit_id": unit_ids[n % 40], "responsible_person": "责任人",
                     "level": SupervisionLevel.NORMAL, "raised_on": raised,
                     "deadline": raised + timedelta(days=rng.randrange(10, 120)), "state": state,
                     "closed_on": raised + timedelta(days=30) if state is IssueState.CLOSED else None,
                     "version": 1})
    db.session.execute(insert(Issue), rows)
    issue_ids = list(db.session.scalars(select(Issue.id).order_by(Issue.id)))
    for iid, row in zip(issue_ids, rows, strict=True):
        events.append({"issue_id": iid, "kind": EventKind.RAISED, "to_state": IssueState.OPEN,
                       "comment": "交办", "effective_on": row["raised_on"]})
        if row["state"] is not IssueState.OPEN:
            events.append({"issue_id": iid, "kind": EventKind.MOVE, "from_state": IssueState.OPEN,
                           "to_state": IssueState.IN_PROGRESS, "comment": "办理中",
                           "effective_on": row["raised_on"] + timedelta(days=3)})
        if row["state"] is IssueState.CLOSED:
            events.append({"issue_id": iid, "kind": EventKind.MOVE,
                           "from_state": IssueState.IN_PROGRESS, "to_state": IssueState.CLOSED,
                           "comment": "办结", "effective_on": row["closed_on"]})
    for i in range(0, len(events), 20000):
        db.session.execute(insert(IssueEvent), events[i:i + 20000])
    _milestones(project_ids, today, rng)
    db.session.commit()
    return {"supervisor": "bench-super", "lead": "lead000", "password": BENCH_PASSWORD,
            "project": "P00000", "period": f"{year}-{month:02d}"}


def _milestones(project_ids: list[int], today: date, rng: random.Random) -> None:
    """Every project walks the template's milestones about a quarter apart, started at a
    different time: most past ones done (some late), some overdue, a few 不适用."""
    templates = list(db.session.scalars(
        select(MilestoneTemplate.id).where(MilestoneTemplate.retired.is_(False))
        .order_by(MilestoneTemplate.position)))
    rows = []
    for pid in project_ids:
        start = today - timedelta(days=rng.randrange(0, 720))
        for step, tid in enumerate(templates):
            planned = start + timedelta(days=90 * step + rng.randrange(-20, 20))
            actual = planned + timedelta(days=rng.randrange(-15, 45))
            done = planned < today and rng.random() < 0.8 and actual <= today
            rows.append({"project_id": pid, "template_id": tid, "name": "", "planned_on": planned,
                         "actual_on": actual if done else None, "not_applicable": rng.random() < 0.02,
                         "note": "", "version": 1})
    for i in range(0, len(rows), 20000):
        db.session.execute(insert(ProjectMilestone), rows[i:i + 20000])


if __name__ == "__main__":
    from tracker import create_app

    with create_app().app_context():
        print(generate())
