"""Pure: the brief's snapshot (every text and figure as shown) from plain gathered values.

``tracker.briefs.gather`` reads the database into the dataclasses below; ``compose`` turns
them into the JSON-able dict the template renders and a published revision freezes. Nothing
here knows Flask or the database, so the brief's wording is tested like the figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tracker import charts, narrative, progress
from tracker.issues.workflow import Standing
from tracker.milestones import status as milestone_status
from tracker.periods import Period

ZERO = Decimal("0")
CHART_ROWS = 40
PARK_WIDE = "园区层面"


@dataclass(frozen=True)
class ProjectLine:
    """A project of the brief with its figures for the period."""

    id: int
    code: str
    name: str
    level: str
    level_order: int
    lead: str | None
    figures: progress.ProjectFigures
    unit: str | None = None  # 责任单位
    leader: str = ""  # 包挂领导
    before: progress.ProjectFigures | None = None  # month m − 1 (None for m = 1)

    @property
    def month_amount(self) -> Decimal:
        """当月完成: this month's counted amount (the year to date less the month before's)."""
        return self.figures.ytd - (self.before.ytd if self.before else ZERO)


@dataclass(frozen=True)
class IssueLine:
    """An issue raised by the brief's day, and how it stood on that day."""

    number: str
    project_id: int | None
    project: str | None
    description: str
    unit: str | None
    category: str
    raised_on: date
    standing: Standing
    level: str = "一般督办"  # 督办等级
    project_code: str = ""
    title: str = ""
    person: str = ""  # 责任人


@dataclass(frozen=True)
class Late:
    """When reports of the month were due (day R of the next month), when each counted one came
    (project id → park day, None: no time kept, counted on time), and whether the brief's day
    is past R (then a report still missing is late too)."""

    due_on: date
    came: dict[int, date | None]
    past_due: bool
    not_due: set[int] = field(default_factory=set)  # created after the month


@dataclass(frozen=True)
class BondRow:
    project: str
    granted: Decimal
    spent: Decimal
    expected_on: date | None


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone of a key-group project (not retired), with what the brief needs of it."""

    project: str
    project_order: tuple  # the register's order: (level order, code)
    name: str
    position: tuple  # the project page's order of its milestones
    planned: date | None
    actual: date | None
    not_applicable: bool
    unit: str | None


@dataclass
class BriefData:
    """What the brief of ``period`` says, gathered as of its last day."""

    period: Period
    issued_on: date
    number: int
    correction: bool
    park_name: str
    issuing_body: str
    projects: list[ProjectLine]  # in the order shown: level, then code
    summary: progress.GroupSummary
    issues: list[IssueLine]  # in the order shown: raised date, then number
    categories: list[str]  # 问题类别 in their listed order
    bonds: list[BondRow]  # in the order shown
    latest_texts: dict[int, str] = field(default_factory=dict)  # lagging project → 形象进度
    revision: int = 1
    correction_reason: str = ""
    next_steps: str = ""
    send_to: str = ""
    copy_to: str = ""
    milestones: list[MilestoneLine] = field(default_factory=list)
    late: Late | None = None


def _pct(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{progress.fmt_pct(rate)}%"


def _light(light: progress.Light | None) -> dict:
    if light is None:
        return {"light": "", "light_label": "—"}
    return {"light": light.value, "light_label": light.label}


def _levels(projects: list[ProjectLine]) -> list[str]:
    return [lv for _, lv in sorted({(p.level_order, p.level) for p in projects})]


def lagging_projects(projects: list[ProjectLine]) -> list[ProjectLine]:
    """三、进度滞后项目: red before yellow, then level and code."""
    shown = [p for p in projects if p.figures.light in (progress.Light.RED, progress.Light.YELLOW)]
    return sorted(shown, key=lambda p: (p.figures.light is not progress.Light.RED,
                                        p.level_order, p.code))


def _progress_groups(projects: list[ProjectLine]) -> list[dict]:
    groups = []
    for level in _levels(projects):
        rows = [
            {
                "level": p.level, "code": p.code, "name": p.name,
                "plan": progress.fmt_wan(p.figures.plan, thousands=True),
                "ytd": progress.fmt_wan(p.figures.ytd, thousands=True),
                "rate": _pct(p.figures.rate),
                "deviation": progress.deviation_short(p.figures.deviation),
                "lead": p.lead or "—",
                "month_amount": progress.fmt_wan(p.month_amount, thousands=True),
                "leader": p.leader or "—",
                **_light(p.figures.light),
            }
            for p in projects if p.level == level
        ]
        groups.append({"level": level, "count": len(rows), "rows": rows})
    return groups


def _chart_parts(projects: list[ProjectLine], month: int) -> list[dict]:
    """Per level, in pieces of at most CHART_ROWS bars: an SVG cannot break across pages."""
    tp = progress.time_progress(month)
    parts = []
    for level in _levels(projects):
        bars = [charts.Bar(p.name, p.figures.rate, p.figures.light)
                for p in projects if p.level == level]
        for i in range(0, len(bars), CHART_ROWS):
            parts.append({
                "title": f"{level}项目",
                "svg": charts.rate_chart(bars[i : i + CHART_ROWS], tp),
            })
    return parts


KEY = ("省重点", "市重点")
RANKED = 5  # 进度靠前 / 靠后: this many each, or half the ranked projects when fewer than ten
NO_UNIT = "未指定单位"


def _progress_sentences(data: BriefData) -> list[str]:
    """二's opening (DESIGN.md section 12): the lights of every project of the table, then for
    m ≥ 2 the comparison with the month before. No project: no sentence."""
    projects = data.projects
    if not projects:
        return []
    lights = Counter(p.figures.light for p in projects)
    sentences = [narrative.lights_sentence(
        len(projects), lights[progress.Light.GREEN], lights[progress.Light.YELLOW],
        lights[progress.Light.RED], lights[None])]
    month = data.period.month
    if month >= 2:
        before = progress.summarize_group(
            (progress.GroupMember(p.name, p.level, p.before)
             for p in projects if p.level in KEY and p.before is not None), month - 1)
        changes = [narrative.LightChange(p.name, p.before.light if p.before else None,
                                         p.figures.light) for p in projects]
        sentences.append(narrative.comparison_sentence(data.summary.rate, before.rate, changes))
    return sentences


def _late_sentence(data: BriefData) -> str | None:
    """The projects of the table whose report of the month came after day R, in table order."""
    late = data.late
    if late is None:
        return None
    names = []
    for p in data.projects:
        if p.id in late.came:
            came = late.came[p.id]
            if came is not None and came > late.due_on:
                names.append(p.name)
        elif late.past_due and p.id not in late.not_due:
            names.append(p.name)
    return narrative.late_reports_sentence(data.period.month, late.due_on, names)


def _ranking(projects: list[ProjectLine]) -> dict[str, list[dict]]:
    """进度靠前项目 / 进度靠后项目: key-group projects with a plan by deviation as shown (one
    decimal); ties: higher rate first, then code."""
    ranked = [p for p in projects if p.level in KEY and p.figures.plan
              and p.figures.deviation is not None]
    k = RANKED if len(ranked) >= 2 * RANKED else len(ranked) // 2

    def shown(p: ProjectLine) -> Decimal:
        return progress.half_up(p.figures.deviation, 1)

    def rows(order: list[ProjectLine]) -> list[dict]:
        return [{"rank": n, "name": p.name, "level": p.level, "unit": p.unit or NO_UNIT,
                 "rate": _pct(p.figures.rate),
                 "deviation": progress.deviation_short(p.figures.deviation),
                 **_light(p.figures.light)} for n, p in enumerate(order[:k], start=1)]

    return {
        "top": rows(sorted(ranked, key=lambda p: (-shown(p), -p.figures.rate, p.code))),
        "bottom": rows(sorted(ranked, key=lambda p: (shown(p), -p.figures.rate, p.code))),
    }


def _units(data: BriefData) -> list[dict]:
    """责任单位推进情况: per responsible unit of key-group projects, its projects, plan, 1-m完成
    and rate (those with a plan, as the overview counts), red projects, and the open and
    overdue issues it is responsible for on D; highest rate first."""
    by_unit: dict[str, list[ProjectLine]] = defaultdict(list)
    for p in data.projects:
        if p.level in KEY:
            by_unit[p.unit or NO_UNIT].append(p)
    open_issues = [i for i in data.issues if i.standing.is_open]
    rows = []
    for unit, projects in by_unit.items():
        planned = [p for p in projects if p.figures.plan]
        plan = sum((p.figures.plan for p in planned), ZERO)
        done = sum((p.figures.ytd for p in planned), ZERO)
        rate = progress.completion_rate(done, plan) if planned else None
        mine = [i for i in open_issues if (i.unit or NO_UNIT) == unit]
        rows.append({
            "unit": unit, "projects": len(projects),
            "plan": progress.fmt_wan(plan, thousands=True) if planned else "—",
            "done": progress.fmt_wan(done, thousands=True) if planned else "—",
            "rate": _pct(rate), "_rate": rate,
            "red": sum(1 for p in projects if p.figures.light is progress.Light.RED),
            "open": len(mine), "overdue": sum(1 for i in mine if i.standing.days_overdue > 0),
        })
    rows.sort(key=lambda r: (r["_rate"] is None, -(r["_rate"] or ZERO), r["unit"]))
    for r in rows:
        del r["_rate"]
    return rows


def _issue_row(i: IssueLine) -> dict:
    s = i.standing
    return {
        "number": i.number,
        "project": i.project or PARK_WIDE,
        "description": i.description,
        "unit": i.unit or "—",
        "deadline": progress.fmt_date_cn(s.deadline) if s.deadline else "—",
        "state": s.state.value,
        "days_overdue": str(s.days_overdue) if s.days_overdue else "—",
    }


def _issue_section(
    data: BriefData,
) -> tuple[list[str], list[dict], dict[int, list[IssueLine]], str | None]:
    """四、问题 sentences, the listed open issues by category, each project's open issues, and
    the sentence before the list when some open issues are left to the ledger."""
    day = data.period.last_day
    open_issues = [i for i in data.issues if i.standing.is_open]
    by_category: dict[str, list[IssueLine]] = defaultdict(list)
    by_project: dict[int, list[IssueLine]] = defaultdict(list)
    for i in open_issues:
        by_category[i.category].append(i)
        if i.project_id is not None:
            by_project[i.project_id].append(i)
    counts = narrative.IssueCounts(
        open_by_category=[(c, len(by_category.get(c, []))) for c in data.categories],
        new=sum(1 for i in data.issues if i.raised_on >= day.replace(day=1)),
        closed=sum(1 for i in data.issues if i.standing.closed_within_month(day)),
        overdue=sum(1 for i in open_issues if i.standing.days_overdue > 0),
    )
    # The body lists what leadership must see; the ledger attached to the PDF holds them all.
    shown = {i.number for i in open_issues if _in_body(i)}
    groups = []
    for c in data.categories:
        rows = [_issue_row(i) for i in by_category.get(c, []) if i.number in shown]
        if rows:
            groups.append({"category": c, "count": len(rows), "rows": rows})
    note = narrative.issue_list_note(len(shown), len(open_issues) - len(shown))
    return narrative.issues_paragraph(counts), groups, by_project, note


BODY_LEVELS = ("挂牌督办", "重点督办")
LEDGER_HEADERS = ("问题编号", "项目编号", "项目名称", "问题类别", "标题", "问题描述", "责任单位", "责任人",
                  "督办等级", "提出日期", "办结时限", "状态", "逾期天数", "已办天数")


def _in_body(i: IssueLine) -> bool:
    """四、问题督办情况 lists 挂牌督办, 重点督办 and overdue issues (DESIGN.md section 12)."""
    return i.level in BODY_LEVELS or i.standing.days_overdue > 0


def _ledger(data: BriefData) -> dict:
    """问题台账: every issue open on the brief's day, with every column of the issue list and the
    days it has been open; plain strings and numbers, so the snapshot freezes it."""
    day = data.period.last_day
    rows = [
        [i.number, i.project_code, i.project or "园区层面", i.category, i.title or i.description[:30],
         i.description, i.unit or "", i.person, i.level, i.raised_on.isoformat(),
         i.standing.deadline.isoformat() if i.standing.deadline else "",
         i.standing.state.value if i.standing.state else "",
         i.standing.days_overdue or None, (day - i.raised_on).days]
        for i in data.issues if i.standing.is_open
    ]
    return {"name": f"问题台账-{data.period}.xlsx", "headers": list(LEDGER_HEADERS), "rows": rows}


def _bond_section(bonds: list[BondRow]) -> tuple[list[dict], dict]:
    granted = sum((b.granted for b in bonds), ZERO)
    spent = sum((b.spent for b in bonds), ZERO)
    rows = [
        {
            "project": b.project,
            "granted": progress.fmt_wan(b.granted, thousands=True),
            "spent": progress.fmt_wan(b.spent, thousands=True),
            "progress": _pct(progress.bond_progress(b.granted, b.spent)),
            "expected": progress.fmt_date_cn(b.expected_on) if b.expected_on else "—",
        }
        for b in bonds
    ]
    total = {
        "granted": progress.fmt_wan(granted, thousands=True),
        "spent": progress.fmt_wan(spent, thousands=True),
        "progress": _pct(progress.bond_progress(granted, spent)),
    }
    return rows, total


def _milestone_section(data: BriefData) -> tuple[str | None, list[dict]]:
    """二、项目进展's milestone sentence and the milestones overdue on the month's last day
    (register order, then each project's milestone order)."""
    day = data.period.last_day
    figures = milestone_status.tally(
        ((m.planned, m.actual, m.not_applicable) for m in data.milestones), day)
    sentence = narrative.milestone_sentence(data.period.month, figures.planned, figures.done,
                                            figures.overdue, figures.any_planned)
    rows = []
    for m in sorted(data.milestones, key=lambda m: (m.project_order, m.position)):
        standing = milestone_status.standing_on(day, m.planned, m.actual,
                                                not_applicable=m.not_applicable)
        if standing.status is milestone_status.Status.OVERDUE:
            rows.append({"project": m.project, "milestone": m.name,
                         "planned": progress.fmt_date_cn(m.planned),
                         "days_overdue": str(standing.days_overdue), "unit": m.unit or "—"})
    return sentence, rows


def compose(data: BriefData, final: bool = False) -> dict:
    """The snapshot: every text and figure of the brief as shown (``final`` drops 草稿)."""
    year, month = data.period
    issue_sentences, issue_groups, open_by_project, issue_list_note = _issue_section(data)
    bond_rows, bonds_total = _bond_section(data.bonds)
    bond_lines = [narrative.BondLine(b.granted, b.spent, b.expected_on) for b in data.bonds]
    milestone_sentence, milestones_overdue = _milestone_section(data)
    return {
        "year": year,
        "month": month,
        "period": str(data.period),
        "draft": not final,
        "revision": data.revision,
        "number": data.number,
        "correction": data.correction,
        "correction_reason": data.correction_reason or "",
        "park_name": data.park_name,
        "issuing_body": data.issuing_body,
        "title": f"{data.park_name}重点项目督办简报",
        "issue_label": narrative.issue_label(year, data.number, data.correction),
        "date": progress.fmt_date_cn(data.issued_on),
        "as_of": progress.fmt_date_cn(data.period.last_day),
        "period_label": data.period.label,
        "time_progress": progress.fmt_pct(progress.time_progress(month)),
        "overview": narrative.overview_paragraph(data.summary, month, bond_lines),
        "progress_sentences": _progress_sentences(data),
        "progress_groups": _progress_groups(data.projects),
        "ranking": _ranking(data.projects),
        "units": _units(data),
        "charts": _chart_parts(data.projects, month),
        "milestone_sentence": milestone_sentence,
        "milestones_overdue": milestones_overdue,
        "lagging": [
            {
                "level": p.level,
                "name": p.name,
                "rate": _pct(p.figures.rate),
                "deviation": progress.deviation_short(p.figures.deviation),
                **_light(p.figures.light),
                "progress_text": data.latest_texts.get(p.id) or "—",
                "issues": [
                    {"number": i.number, "description": i.description,
                     "state": i.standing.state.value}
                    for i in open_by_project.get(p.id, [])
                ],
            }
            for p in lagging_projects(data.projects)
        ],
        "late_sentence": _late_sentence(data),
        "issue_sentences": issue_sentences,
        "issue_list_note": issue_list_note,
        "issue_groups": issue_groups,
        "ledger": _ledger(data),
        "bonds": bond_rows,
        "bonds_total": bonds_total,
        "next_steps": [line.strip() for line in (data.next_steps or "").splitlines() if line.strip()],
        "send_to": (data.send_to or "").strip(),
        "copy_to": (data.copy_to or "").strip(),
    }
