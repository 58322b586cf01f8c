"""The monthly reporting grid as it is read: rows with 含本次填报 figures, validation of typed
values (used while typing and when saving), the projects a user reports for."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import current_app, g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import progress
from tracker.auth.models import Role, User
from tracker.auth.permissions import can_supervise
from tracker.extensions import db
from tracker.http import default_period
from tracker.periods import Period
from tracker.projects.models import (
    COUNTED_STATES,
    Bond,
    BondSpending,
    MonthlyReport,
    Project,
    ReportState,
    project_liaisons,
)
from tracker.projects.service import ProjectRow, counted_sums, plans_for
from tracker.reports.locks import locks_for
from tracker.settings import thresholds
from tracker.timeutil import local

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_TEXT = 2000


@dataclass
class StaleSave:
    """A stale save: what is stored now, and who saved it."""

    report: MonthlyReport | None
    spending: BondSpending | None
    by: str
    at: object


@dataclass
class GridRow:
    project: Project
    report: MonthlyReport | None
    plan: Decimal | None
    figures: progress.ProjectFigures  # including this row's amount (含本次填报)
    bond: Bond | None = None
    spending: BondSpending | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    conflict: StaleSave | None = None
    locked: bool = False  # the month's brief is published and no unlock is open
    form: dict[str, str] | None = None  # the user's input when re-shown after an error
    largest: Decimal = Decimal("0")  # the project's largest counted month but this one
    last: MonthlyReport | None = None  # the month before's row (shown beside, 沿用上月)
    due: bool = True  # False for a project that did not exist yet that month
    unusual: list[str] = field(default_factory=list)  # why the figure needs a second look (待核)

    @property
    def state(self) -> ReportState | None:
        return self.report.state if self.report else None


# --- validation (plain values; used while typing and when saving) ----------------


def parse_amount(text: str | None, label: str = "金额") -> tuple[Decimal | None, str | None]:
    """A number ≥ 0 with at most two decimals; blank means none. Returns (value, error)."""
    text = (text or "").strip().replace(",", "")
    if text == "":
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"{label}须为数字"
    if not value.is_finite():
        return None, f"{label}须为数字"
    if value < 0:
        return None, f"{label}不能为负数"
    if value.as_tuple().exponent < -2:
        return None, f"{label}最多两位小数"
    if value > MAX_AMOUNT:
        return None, f"{label}过大"
    return value, None


def validate_row(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Clean the row's fields; returns (values, errors by field name).

    Only the fields the form carries are in ``values``: an absent field means "unchanged"
    (a script or an old page that does not send it keeps what is stored), an empty one
    means "cleared".
    """
    errors: dict[str, str] = {}
    values: dict = {}
    for name, label in (("amount", "当月完成投资"), ("bond_spent", "专项债支出")):
        if name in form:
            values[name], err = parse_amount(form[name], label)
            if err:
                errors[name] = err
    for name in ("progress_text", "next_steps"):
        if name not in form:
            continue
        text = (form.get(name) or "").strip()
        if len(text) > MAX_TEXT:
            errors[name] = f"不超过 {MAX_TEXT} 字"
        values[name] = text
    return values, errors


def plan_warning(ytd: Decimal, plan: Decimal | None) -> list[str]:
    """A warning (not a refusal) when the year's total would pass the annual plan."""
    if plan and ytd > plan:
        return [f"1-本月累计 {progress.fmt_wan(ytd)} 万元，将超过年度计划 {progress.fmt_wan(plan)} 万元，请核实。"]
    return []


# --- reading --------------------------------------------------------------------


def reportable_where(user: User) -> list:
    """Which projects a user reports for, as WHERE clauses: every active one for supervisors,
    their own (lead or liaison) for members, none for anyone else."""
    clauses: list = [Project.archived_on.is_(None)]
    if user.role is Role.MEMBER:
        liaison = select(project_liaisons.c.project_id).where(project_liaisons.c.user_id == user.id)
        clauses.append((Project.lead_id == user.id) | Project.id.in_(liaison))
    elif not can_supervise(user):
        clauses.append(Project.id.is_(None))
    return clauses


def reportable_projects(user: User):  # noqa: ANN201
    """The projects a user reports for, with lead and liaisons, by code."""
    return (
        select(Project)
        .where(*reportable_where(user))
        .options(selectinload(Project.lead), selectinload(Project.liaisons))
        .order_by(Project.code)
    )


def grid_rows(user: User, year: int, month: int, only: Project | None = None,
              projects: list[Project] | None = None) -> list[GridRow]:
    """The grid for (year, month) in a fixed number of queries: every project the user
    reports for, or ``only`` one, or the given ``projects`` (one page of a filtered grid)."""
    if only is not None:
        projects = [only]
    elif projects is None:
        projects = list(db.session.scalars(reportable_projects(user)))
    if not projects:
        return []
    ids = [p.id for p in projects]
    reports = {
        r.project_id: r
        for r in db.session.scalars(
            select(MonthlyReport)
            .where(
                MonthlyReport.project_id.in_(ids),
                MonthlyReport.year == year,
                MonthlyReport.month == month,
            )
            .options(selectinload(MonthlyReport.updated_by))
        )
    }
    # Counted figures before this month; this row is added whatever its state (含本次填报).
    before = counted_sums(year, month - 1, ids) if month > 1 else {}
    if month == 1:
        before = {pid: (ZERO, cum) for pid, (_, cum) in counted_sums(year - 1, 12, ids).items()}
    plans = plans_for(year, ids)
    bonds = {
        b.project_id: b
        for b in db.session.scalars(select(Bond).where(Bond.project_id.in_(ids), Bond.year == year))
    }
    spendings = {
        s.bond_id: s
        for s in db.session.scalars(
            select(BondSpending)
            .where(BondSpending.bond_id.in_([b.id for b in bonds.values()]), BondSpending.month == month)
            .options(selectinload(BondSpending.updated_by))
        )
    } if bonds else {}
    first_reported = dict(db.session.execute(
        select(MonthlyReport.project_id, func.min(MonthlyReport.month))
        .where(MonthlyReport.project_id.in_(ids), MonthlyReport.year == year)
        .group_by(MonthlyReport.project_id)
    ).all())
    before_period = Period(year, month).previous()
    last = {
        r.project_id: r
        for r in db.session.scalars(select(MonthlyReport).where(
            MonthlyReport.project_id.in_(ids), MonthlyReport.year == before_period.year,
            MonthlyReport.month == before_period.month))
    }
    # The largest counted month of each project, this month left out (3× it is unusual).
    largest = dict(db.session.execute(
        select(MonthlyReport.project_id, func.max(MonthlyReport.amount))
        .where(MonthlyReport.project_id.in_(ids), MonthlyReport.state.in_(COUNTED_STATES),
               ~((MonthlyReport.year == year) & (MonthlyReport.month == month)))
        .group_by(MonthlyReport.project_id)
    ).all())
    limits = thresholds()
    locked = locks_for(year, month)
    rows = []
    for p in projects:
        report = reports.get(p.id)
        ytd, cum = before.get(p.id, (ZERO, ZERO))
        own = report.amount if report and report.amount is not None else ZERO
        figures = progress.figures_from(ytd + own, cum + own, plans.get(p.id), month,
                                        p.total_investment, limits)
        bond = bonds.get(p.id)
        rows.append(
            GridRow(
                project=p,
                report=report,
                plan=plans.get(p.id),
                figures=figures,
                bond=bond,
                spending=spendings.get(bond.id) if bond else None,
                warnings=plan_warning(figures.ytd, plans.get(p.id)),
                locked=locked(p.id),
                largest=largest.get(p.id) or ZERO,
                last=last.get(p.id),
                due=Period(year, month) in due_months(p, Period(year, month),
                                                      first_reported.get(p.id)),
                unusual=unusual_reasons(report.amount if report else None, figures.ytd,
                                        plans.get(p.id), largest.get(p.id) or ZERO),
            )
        )
    return rows


MONTH_CEILING = Decimal("1000000")  # 100亿元 in one month: a mistaken unit, not a project
YEAR_PAST_PLAN = Decimal("1.2")
LARGEST_TIMES = 3
UNUSUAL_CONFIRM = "如确认无误，请勾选“数额无误”后再保存。"


def amount_error(amount: Decimal | None, project: Project) -> str | None:
    """A month that cannot be right: more than the project's whole investment, or absurd."""
    if amount is None:
        return None
    if amount > MONTH_CEILING:
        return "当月完成投资超过100亿元，请核对单位是否为万元"
    if project.total_investment and amount > project.total_investment:
        return f"当月完成投资不能超过项目总投资（{project.total_investment:.2f} 万元）"
    return None


def unusual_reasons(amount: Decimal | None, ytd: Decimal, plan: Decimal | None,
                    largest: Decimal) -> list[str]:
    """Figures that may be right but need the lead's confirmation and the office's look."""
    reasons = []
    if plan and ytd > plan * YEAR_PAST_PLAN:
        reasons.append(f"本年累计将达年度计划的{progress.fmt_pct(ytd / plan * 100)}%")
    if amount and largest and amount > largest * LARGEST_TIMES:
        reasons.append(f"本月数额超过该项目以往最大月份（{largest:.2f} 万元）的3倍")
    return reasons


def preview_row(
    user: User, project: Project, year: int, month: int, form: dict[str, str],
    row: GridRow | None = None,
) -> GridRow:
    """The row as it would be with the typed values: messages and 含本次填报 figures.

    ``row`` is the stored row when the caller has already loaded it.
    """
    row = row or grid_rows(user, year, month, only=project)[0]
    values, errors = validate_row(form)
    row.errors = errors
    row.form = form
    if "amount" in values and "amount" not in errors:
        old = row.report.amount if row.report and row.report.amount is not None else ZERO
        new = values["amount"] if values["amount"] is not None else ZERO
        f = row.figures
        row.figures = progress.figures_from(
            f.ytd - old + new, f.cumulative - old + new, row.plan, month,
            project.total_investment, thresholds(),
        )
        row.warnings = plan_warning(row.figures.ytd, row.plan)
        if error := amount_error(values["amount"], project):
            row.errors["amount"] = error
        else:
            row.unusual = unusual_reasons(values["amount"], row.figures.ytd, row.plan, row.largest)
    return row


@dataclass(frozen=True)
class Summary:
    """The grid's counts by state (the summary line and the approve-all button)."""

    total: int = 0
    approved: int = 0
    submitted: int = 0
    draft: int = 0
    returned: int = 0
    missing: int = 0


def summarize(rows: list[GridRow]) -> Summary:
    states = [r.state for r in rows]
    return Summary(
        total=len(rows),
        approved=states.count(ReportState.APPROVED),
        submitted=states.count(ReportState.SUBMITTED),
        draft=states.count(ReportState.DRAFT),
        returned=states.count(ReportState.RETURNED),
        missing=sum(1 for r in rows if r.state is None and r.due),
    )


@dataclass(frozen=True)
class Pending:
    """A row that waits for its lead: not reported, a draft, or returned (with the comment)."""

    period: Period
    project: Project
    state: ReportState | None
    comment: str = ""


def due_months(
    project: Project | ProjectRow, due: Period, first_reported: int | None = None
) -> list[Period]:
    """The months of ``due``'s year up to ``due`` the project must report.

    A project created during the year is not due for the months before it existed; one
    entered later with earlier figures (an import, the demo) is due from its first reported
    month of the year. "Created" is read on the park's calendar, as its people count days.
    """
    created = project.created_at and local(project.created_at, current_app.config["TIMEZONE"])
    first = 1 if created is None or created.year < due.year else (
        created.month if created.year == due.year else 13)
    if first_reported is not None:
        first = min(first, first_reported)
    return [Period(due.year, m) for m in range(first, due.month + 1)]


def pending_for(user: User, due: Period) -> list[Pending]:
    """What a lead still owes up to ``due`` (earliest first): two statements."""
    projects = list(db.session.scalars(reportable_projects(user)))
    if not projects:
        return []
    reports = {
        (r.project_id, r.month): r
        for r in db.session.scalars(select(MonthlyReport).where(
            MonthlyReport.project_id.in_([p.id for p in projects]),
            MonthlyReport.year == due.year, MonthlyReport.month <= due.month))
    }
    first_reported: dict[int, int] = {}
    for pid, m in reports:
        first_reported[pid] = min(m, first_reported.get(pid, 13))
    pending = []
    for project in projects:
        for period in due_months(project, due, first_reported.get(project.id)):
            report = reports.get((project.id, period.month))
            if report is None or report.state in (ReportState.DRAFT, ReportState.RETURNED):
                pending.append(Pending(period, project, report.state if report else None,
                                       report.return_comment if report else ""))
    pending.sort(key=lambda p: (p.period, p.state is not ReportState.RETURNED, p.project.code))
    return pending


def with_last_month_texts(row: GridRow) -> GridRow:
    """沿用上月: the row's form filled with last month's texts, for the lead to edit (unsaved)."""
    r, last = row.report, row.last
    row.form = {
        "amount": "" if r is None or r.amount is None else str(r.amount),
        "bond_spent": str(row.spending.amount) if row.spending else "",
        "progress_text": last.progress_text if last else "",
        "next_steps": last.next_steps if last else "",
    }
    return row


def my_pending(user: User) -> list[Pending]:
    """``pending_for`` up to the month due now, read once per request: the lead's home card
    and the navigation's count both show it."""
    if "my_pending" not in g:
        g.my_pending = pending_for(user, default_period())
    return g.my_pending
