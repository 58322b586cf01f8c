"""The monthly brief (督办简报): gather a month's figures as of its last day, render the
PDF, publish (freeze) a revision, and lock the published months' figures.

Everything the brief shows is first put in a *snapshot*: a JSON-able dict of the
texts and figures exactly as shown (already formatted by ``tracker.progress``).
The template renders only from it, so a published revision's HTML preview and its
stored PDF say the same thing whatever changed in the data since.

Decisions where DESIGN.md is silent:

- 〔Y〕 is the brief's own year (the period's), and N is one more than the highest
  number already published for that year; a correction keeps its original's number.
- The issue log is read in effective-date order (ties in the order entries were
  added): the last move effective on or before D gives the state as of D. An issue
  without any state move in its log (e.g. created outside the app) is taken as
  closed on its ``closed_on`` (or raised date) when its current state is closed.
- The deadline as of D is the new deadline of the last 延期 effective on or before D,
  otherwise the issue's deadline.
- 本月新增 counts every issue raised within the month; 办结 counts the issues
  已办结 as of D whose closing move is effective within the month.
- The latest 形象进度 of a lagging project is the text of its latest counted report
  of months ≤ m of Y (or of year Y−1).
- Publishing a revision (correction included) ends any open unlock of months 1..m of Y.
- The chart is drawn per level (and in pieces of at most ``CHART_ROWS`` projects),
  because an SVG cannot break across pages: one tall chart left half a page blank.
- 报送/抄送 default to the lists of the most recently published brief.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import render_template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker import charts, narrative, progress
from tracker.audit.service import record
from tracker.auth.models import Role, User
from tracker.briefs.models import Brief, BriefState
from tracker.errors import Refused
from tracker.extensions import db
from tracker.http import park_today
from tracker.issues.models import Category, EventKind, Issue, IssueState
from tracker.pdf import render_pdf
from tracker.periods import month_end, period_label
from tracker.projects.models import COUNTED_STATES, Bond, MonthlyReport, Project
from tracker.projects.service import active_in, figures_for, group_summary
from tracker.reports import locks
from tracker.settings import park_settings
from tracker.timeutil import utcnow

ZERO = Decimal("0")
CHART_ROWS = 40
CLOSED_STATES = (IssueState.CLOSED, IssueState.CANCELLED)
PARK_WIDE = "园区层面"


# --- the follow-up log as of a day ------------------------------------------------


@dataclass(frozen=True)
class IssueOnDay:
    """An issue as it stood on day D."""

    issue: Issue
    open: bool
    state: IssueState
    deadline: date | None
    days_overdue: int
    closed_within: bool  # 已办结 as of D, the closing move effective in D's month


def issue_on_day(issue: Issue, day: date) -> IssueOnDay:
    """State, openness, deadline and days overdue of ``issue`` as of ``day``."""
    moves = sorted(
        (e for e in issue.events if e.to_state is not None),
        key=lambda e: (e.effective_on, e.id or 0),
    )
    if moves:
        closures = [(e.effective_on, e.to_state in CLOSED_STATES) for e in moves]
        state = IssueState.OPEN
        closed_at = None
        for e in moves:
            if e.effective_on <= day:
                state = e.to_state
                closed_at = e.effective_on if e.to_state in CLOSED_STATES else None
    else:
        closed_at = (issue.closed_on or issue.raised_on) if issue.state in CLOSED_STATES else None
        closures = [(closed_at, True)] if closed_at else []
        if closed_at and closed_at <= day:
            state = issue.state
        else:  # not closed yet on D: its state then is not recorded
            closed_at = None
            state = issue.state if issue.state not in CLOSED_STATES else IssueState.IN_PROGRESS
    is_open = progress.is_open_on(issue.raised_on, day, closures)
    extensions = sorted(
        (e for e in issue.events if e.kind is EventKind.EXTEND and e.new_deadline),
        key=lambda e: (e.effective_on, e.id or 0),
    )
    deadline = issue.deadline
    if extensions:
        effective = [e.new_deadline for e in extensions if e.effective_on <= day]
        if effective:
            deadline = effective[-1]
    overdue = progress.days_overdue(deadline, day) if is_open else 0
    month_start = day.replace(day=1)
    closed_within = (
        not is_open
        and state is IssueState.CLOSED
        and closed_at is not None
        and month_start <= closed_at <= day
    )
    return IssueOnDay(issue, is_open, state, deadline, overdue, closed_within)


# --- gathering the figures ----------------------------------------------------------


def _light(light: progress.Light | None) -> dict:
    if light is None:
        return {"light": "", "light_label": "—"}
    return {"light": light.value, "light_label": light.label}


def _numbering(year: int, month: int) -> tuple[int, bool]:
    """(number, is a correction) the next revision of (year, month) would carry."""
    original = db.session.scalar(
        select(Brief.number).where(
            Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED
        ).limit(1)
    )
    if original is not None:
        return original, True
    highest = db.session.scalar(
        select(func.max(Brief.number)).where(Brief.year == year, Brief.state == BriefState.PUBLISHED)
    )
    return (highest or 0) + 1, False


def build_snapshot(
    year: int, month: int, draft: Brief, issued_on: date, final: bool = False
) -> dict:
    """Every text and figure of the (year, month) brief as shown, from live data as of D.

    ``draft`` supplies 六、下步工作, 报送/抄送 and, for a correction, its reason;
    ``final`` drops the draft banner (the revision being published).
    A fixed number of statements whatever the park's size.
    """
    day = month_end(year, month)
    settings = park_settings()
    number, correction = _numbering(year, month)

    projects = list(
        db.session.scalars(
            select(Project).where(active_in(year)).options(selectinload(Project.lead))
        )
    )
    projects.sort(key=lambda p: (p.level.order, p.code))
    figures = figures_for(projects, year, month)
    summary = group_summary(projects, figures, month)

    bonds = list(
        db.session.scalars(
            select(Bond)
            .where(Bond.year == year)
            .options(selectinload(Bond.spendings), selectinload(Bond.project))
        )
    )
    bonds.sort(key=lambda b: (b.project.level.order, b.project.code))
    bond_lines = [
        narrative.BondLine(
            b.amount, sum((s.amount for s in b.spendings if s.month <= month), ZERO), b.expected_on
        )
        for b in bonds
    ]

    issues = list(
        db.session.scalars(
            select(Issue)
            .where(Issue.raised_on <= day)
            .options(
                selectinload(Issue.events),
                selectinload(Issue.project),
                selectinload(Issue.responsible_unit),
            )
            .order_by(Issue.raised_on, Issue.number)
        )
    )
    on_day = [issue_on_day(i, day) for i in issues]
    open_issues = [i for i in on_day if i.open]
    by_category: dict[Category, list[IssueOnDay]] = defaultdict(list)
    for i in open_issues:
        by_category[i.issue.category].append(i)
    counts = narrative.IssueCounts(
        open_by_category=[(c.value, len(by_category.get(c, []))) for c in Category],
        new=sum(1 for i in issues if i.raised_on >= day.replace(day=1)),
        closed=sum(1 for i in on_day if i.closed_within),
        overdue=sum(1 for i in open_issues if i.days_overdue > 0),
    )

    lagging = [
        p for p in projects if figures[p.id].light in (progress.Light.RED, progress.Light.YELLOW)
    ]
    lagging.sort(key=lambda p: (figures[p.id].light is not progress.Light.RED, p.level.order, p.code))
    latest_text = _latest_progress_texts([p.id for p in lagging], year, month)
    open_by_project: dict[int, list[IssueOnDay]] = defaultdict(list)
    for i in open_issues:
        if i.issue.project_id is not None:
            open_by_project[i.issue.project_id].append(i)

    def issue_row(i: IssueOnDay) -> dict:
        return {
            "number": i.issue.number,
            "project": i.issue.project.name if i.issue.project else PARK_WIDE,
            "description": i.issue.description,
            "unit": i.issue.responsible_unit.name if i.issue.responsible_unit else "—",
            "deadline": progress.fmt_date_cn(i.deadline) if i.deadline else "—",
            "state": i.state.value,
            "days_overdue": str(i.days_overdue) if i.days_overdue else "—",
        }

    groups = []
    for level in sorted({p.level for p in projects}, key=lambda lv: lv.order):
        rows = [
            {
                "level": p.level.value,
                "code": p.code,
                "name": p.name,
                "plan": progress.fmt_wan(figures[p.id].plan, thousands=True),
                "ytd": progress.fmt_wan(figures[p.id].ytd, thousands=True),
                "rate": _pct(figures[p.id].rate),
                "deviation": progress.deviation_short(figures[p.id].deviation),
                "lead": p.lead.name if p.lead else "—",
                **_light(figures[p.id].light),
            }
            for p in projects
            if p.level is level
        ]
        groups.append({"level": level.value, "count": len(rows), "rows": rows})

    tp = progress.time_progress(month)
    chart_parts = []
    for level in sorted({p.level for p in projects}, key=lambda lv: lv.order):
        bars = [
            charts.Bar(p.name, figures[p.id].rate, figures[p.id].light)
            for p in projects
            if p.level is level
        ]
        for i in range(0, len(bars), CHART_ROWS):
            chart_parts.append(
                {
                    "title": f"{level.value}项目",
                    # the rates are in the table below: no value labels (SVG text is slow)
                    "svg": charts.rate_chart(bars[i : i + CHART_ROWS], tp, values=False),
                }
            )

    granted = sum((b.granted for b in bond_lines), ZERO)
    spent = sum((b.spent for b in bond_lines), ZERO)
    return {
        "year": year,
        "month": month,
        "period": f"{year}-{month:02d}",
        "draft": not final,
        "revision": draft.revision,
        "number": number,
        "correction": correction,
        "correction_reason": draft.correction_reason or "",
        "park_name": settings["park_name"],
        "issuing_body": settings["issuing_body"],
        "title": f"{settings['park_name']}重点项目督办简报",
        "issue_label": narrative.issue_label(year, number, correction),
        "date": progress.fmt_date_cn(issued_on),
        "as_of": progress.fmt_date_cn(day),
        "period_label": period_label(month),
        "time_progress": progress.fmt_pct(tp),
        "overview": narrative.overview_paragraph(summary, month, bond_lines),
        "progress_groups": groups,
        "charts": chart_parts,
        "lagging": [
            {
                "level": p.level.value,
                "name": p.name,
                "rate": _pct(figures[p.id].rate),
                "deviation": progress.deviation_short(figures[p.id].deviation),
                **_light(figures[p.id].light),
                "progress_text": latest_text.get(p.id) or "—",
                "issues": [
                    {"number": i.issue.number, "description": i.issue.description,
                     "state": i.state.value}
                    for i in open_by_project.get(p.id, [])
                ],
            }
            for p in lagging
        ],
        "issue_sentences": narrative.issues_paragraph(counts),
        "issue_groups": [
            {
                "category": c.value,
                "count": len(by_category[c]),
                "rows": [issue_row(i) for i in by_category[c]],
            }
            for c in Category
            if by_category.get(c)
        ],
        "bonds": [
            {
                "project": b.project.name,
                "granted": progress.fmt_wan(line.granted, thousands=True),
                "spent": progress.fmt_wan(line.spent, thousands=True),
                "progress": _pct(progress.bond_progress(line.granted, line.spent)),
                "expected": progress.fmt_date_cn(b.expected_on) if b.expected_on else "—",
            }
            for b, line in zip(bonds, bond_lines, strict=True)
        ],
        "bonds_total": {
            "granted": progress.fmt_wan(granted, thousands=True),
            "spent": progress.fmt_wan(spent, thousands=True),
            "progress": _pct(progress.bond_progress(granted, spent)),
        },
        "next_steps": [line.strip() for line in (draft.next_steps or "").splitlines() if line.strip()],
        "send_to": (draft.send_to or "").strip(),
        "copy_to": (draft.copy_to or "").strip(),
    }


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{progress.fmt_pct(rate)}%"


def _latest_progress_texts(project_ids: list[int], year: int, month: int) -> dict[int, str]:
    """project id → 形象进度 of its latest counted report of months ≤ m of Y (or of Y−1)."""
    rows = db.session.execute(
        select(
            MonthlyReport.project_id,
            MonthlyReport.year,
            MonthlyReport.month,
            MonthlyReport.progress_text,
        ).where(
            MonthlyReport.project_id.in_(project_ids),
            MonthlyReport.state.in_(COUNTED_STATES),
            MonthlyReport.progress_text != "",
            or_(
                and_(MonthlyReport.year == year, MonthlyReport.month <= month),
                MonthlyReport.year == year - 1,
            ),
        )
    )
    latest: dict[int, tuple[tuple[int, int], str]] = {}
    for pid, y, m, text in rows:
        if pid not in latest or (y, m) > latest[pid][0]:
            latest[pid] = ((y, m), text)
    return {pid: text for pid, (_, text) in latest.items()}


# --- rendering ------------------------------------------------------------------------


def render_html(snapshot: dict) -> str:
    """The brief as a standalone HTML document for WeasyPrint."""
    return render_template("briefs/brief.html", b=snapshot)


def render_brief_pdf(snapshot: dict) -> bytes:
    return render_pdf(render_html(snapshot))


# --- drafts, revisions ------------------------------------------------------------------


DRAFT_STAGES = ("正在汇总数据", "正在排版 PDF")


def render_draft_pdf(
    year: int, month: int, progress: Callable[[int, int, str], None] | None = None
) -> bytes:
    """The month's draft from live data as PDF bytes, reporting its stages to ``progress``."""
    report = progress or (lambda done, total, message: None)
    report(0, len(DRAFT_STAGES), DRAFT_STAGES[0])
    snapshot = build_snapshot(year, month, draft_for(year, month), park_today())
    report(1, len(DRAFT_STAGES), DRAFT_STAGES[1])
    data = render_brief_pdf(snapshot)
    report(len(DRAFT_STAGES), len(DRAFT_STAGES), "完成")
    return data


def published(year: int, month: int) -> list[Brief]:
    """The published revisions of a month, oldest first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED)
            .order_by(Brief.revision)
        )
    )


def published_revision(year: int, month: int, revision: int | None = None) -> Brief | None:
    """A published revision (default: the latest)."""
    stmt = select(Brief).where(
        Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED
    )
    if revision is not None:
        stmt = stmt.where(Brief.revision == revision)
    return db.session.scalar(stmt.order_by(Brief.revision.desc()).limit(1))


def archive() -> list[Brief]:
    """Every published revision, newest month first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.state == BriefState.PUBLISHED)
            .options(selectinload(Brief.published_by))
            .order_by(Brief.year.desc(), Brief.month.desc(), Brief.revision.desc())
        )
    )


def drafts() -> list[Brief]:
    """Saved drafts, newest month first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.state == BriefState.DRAFT)
            .order_by(Brief.year.desc(), Brief.month.desc())
        )
    )


def draft_for(year: int, month: int, create: bool = False) -> Brief:
    """The month's draft; an unsaved one with the defaults unless ``create`` (then added)."""
    draft = db.session.scalar(
        select(Brief).where(Brief.year == year, Brief.month == month, Brief.state == BriefState.DRAFT)
    )
    if draft is not None:
        return draft
    highest = db.session.scalar(
        select(func.max(Brief.revision)).where(Brief.year == year, Brief.month == month)
    )
    previous = db.session.scalar(
        select(Brief)
        .where(Brief.state == BriefState.PUBLISHED)
        .order_by(Brief.published_at.desc(), Brief.id.desc())
        .limit(1)
    )
    same_month = published_revision(year, month)
    draft = Brief(
        year=year,
        month=month,
        revision=(highest or 0) + 1,
        state=BriefState.DRAFT,
        next_steps=same_month.next_steps if same_month else "",
        send_to=previous.send_to if previous else "",
        copy_to=previous.copy_to if previous else "",
        correction_reason="",
        version=1,
    )
    if create:
        db.session.add(draft)
        db.session.flush()
    return draft


TEXT_LIMITS = {"next_steps": 5000, "send_to": 500, "copy_to": 500}


def save_draft(year: int, month: int, values: dict[str, str], user: User) -> Brief:
    """Store 六、下步工作 and 报送/抄送 of a month's draft; refuses over-long texts."""
    errors = validate_texts(values)
    if errors:
        raise Refused("；".join(errors.values()))
    draft = draft_for(year, month, create=True)
    for key in TEXT_LIMITS:
        if key in values:
            setattr(draft, key, values[key].strip().replace("\r\n", "\n"))
    record(user_id=user.id, action="update", table="briefs", record_id=draft.id,
           label=f"{year}年{month}月简报草稿", note="编辑简报草稿")
    db.session.commit()
    return draft


FIELD_NAMES = {"next_steps": "下步工作", "send_to": "报送", "copy_to": "抄送", "reason": "更正原因"}


def validate_texts(values: dict[str, str]) -> dict[str, str]:
    """field → Chinese message for each text over its limit."""
    return {
        key: f"{FIELD_NAMES[key]}不能超过{limit}字。"
        for key, limit in TEXT_LIMITS.items()
        if len((values.get(key) or "").strip()) > limit
    }


def check_publishable(
    year: int, month: int, user: User | None, correction: bool = False, reason: str = ""
) -> str:
    """Refuse what publishing would refuse, before any work; returns the cleaned reason."""
    if user is not None and user.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise PermissionError("只有督查室可以发布简报。")
    existing = published(year, month)
    label = f"{year}年{month}月"
    if existing and not correction:
        raise Refused(
            f"{label}简报已发布（{narrative.issue_label(year, existing[0].number)}），不能重复发布；"
            "如需更正，请发布更正版并说明原因。"
        )
    if correction and not existing:
        raise Refused(f"{label}简报尚未发布，没有可更正的原版。")
    reason = (reason or "").strip()
    if correction and not reason:
        raise Refused("发布更正版须说明更正原因。")
    if len(reason) > 500:
        raise Refused("更正原因不能超过500字。")

    return reason


def publish(
    year: int, month: int, user: User | None, correction: bool = False, reason: str = ""
) -> Brief:
    """Freeze the month's draft as a published revision (snapshot, PDF, SHA-256).

    Refuses a month already published unless ``correction`` (which needs a published
    original and a reason) and a correction without an original.
    """
    reason = check_publishable(year, month, user, correction, reason)
    label = f"{year}年{month}月"
    draft = draft_for(year, month, create=True)
    draft.correction_reason = reason if correction else ""
    today = park_today()
    snapshot = build_snapshot(year, month, draft, today, final=True)
    pdf = render_brief_pdf(snapshot)
    draft.number = snapshot["number"]
    draft.state = BriefState.PUBLISHED
    draft.snapshot = snapshot
    draft.pdf = pdf
    draft.sha256 = hashlib.sha256(pdf).hexdigest()
    draft.published_at = utcnow()
    draft.published_by_id = user.id if user else None
    locks.end_unlocks_through(year, month)
    record(
        user_id=user.id if user else None,
        action="publish",
        table="briefs",
        record_id=draft.id,
        label=f"{label}简报 {snapshot['issue_label']}",
        note=(f"发布更正版（第{draft.revision}版）：{reason}" if correction else "发布简报")
        + ("（命令行）" if user is None else ""),
    )
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Refused(f"{label}简报刚刚已由他人发布，请刷新后查看。") from None
    return draft


def published_through(year: int | None = None) -> dict[int, int]:
    """Year → its highest published month (of ``year`` only, when given): what the locks read."""
    stmt = select(Brief.year, func.max(Brief.month)).where(Brief.state == BriefState.PUBLISHED)
    if year is not None:
        stmt = stmt.where(Brief.year == year)
    return dict(db.session.execute(stmt.group_by(Brief.year)).all())
