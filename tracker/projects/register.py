"""The project register's query: filters, search, sort and pagination.

Figures (rate, deviation, light) are computed for every project that passes the
SQL filters, so sorting and filtering by them is exact; the page then shows one
slice. The number of statements does not depend on the number of projects.

Query parameters (also documented in the README): ``level``, ``industry``,
``unit`` (responsible unit id), ``lead`` (user id), ``light`` (green/yellow/red/none),
``stage``, ``q`` (name or code contains), ``archived=1`` (include archived),
``period=YYYY-MM``, ``sort`` (one of SORT_KEYS), ``dir`` (asc/desc), ``page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select

from tracker import http, progress
from tracker.auth.models import Unit, User
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.projects.models import SUGGESTED_INDUSTRIES, Level, ListLevel, Project, Stage
from tracker.projects.service import ProjectRow, figures_for, level_in, project_rows

PAGE_SIZE = 50
LOW = Decimal("-1e30")


SORT_KEYS = {
    "code": lambda p, f: p.code,
    "name": lambda p, f: p.name,
    "level": lambda p, f: (p.level.order, p.code),
    "industry": lambda p, f: p.industry,
    "stage": lambda p, f: list(Stage).index(p.stage),
    "unit": lambda p, f: p.unit_name,
    "lead": lambda p, f: p.lead_name,
    "plan": lambda p, f: f.plan if f.plan is not None else LOW,
    "ytd": lambda p, f: f.ytd,
    "rate": lambda p, f: f.rate if f.rate is not None else LOW,
    "deviation": lambda p, f: f.deviation if f.deviation is not None else LOW,
    "total": lambda p, f: p.total_investment or LOW,
}


@dataclass
class Filters:
    level: str = ""
    industry: str = ""
    unit: str = ""
    lead: str = ""
    light: str = ""
    stage: str = ""
    q: str = ""
    archived: str = ""
    sort: str = "level"
    dir: str = "asc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:  # noqa: ANN001
        f = cls(**{k: (args.get(k) or "").strip()[:100] for k in
                   ("level", "industry", "unit", "lead", "light", "stage", "q", "archived")})
        f.sort = args.get("sort") if args.get("sort") in SORT_KEYS else "level"
        f.dir = "desc" if args.get("dir") == "desc" else "asc"
        f.page = max(1, whole_number(args.get("page")) or 1)
        return f

    def query(self, **changes) -> dict:  # noqa: ANN003
        """The filters as URL parameters, with ``changes`` applied (for links)."""
        params = {k: v for k, v in vars(self).items() if v not in ("", None)}
        params.update(changes)
        if params.get("page") == 1:
            params.pop("page")
        return {k: v for k, v in params.items() if v not in ("", None)}


@dataclass
class RegisterPage:
    rows: list[tuple[ProjectRow, progress.ProjectFigures]]
    total: int
    page: int
    pages: int


def where_clauses(filters: Filters, year: int | None = None) -> list:
    """The SQL conditions of the filters that are columns of the project (all but ``light``);
    other lists of projects (the wall chart) filter with the same ones. With ``year``, ``level``
    is the project's level in that year (不列入 included)."""
    where = []
    if not filters.archived:
        where.append(Project.archived_on.is_(None))
    if year is not None and filters.level in {lv.value for lv in ListLevel}:
        where.append(level_in(year) == ListLevel(filters.level))
    elif filters.level in {lv.value for lv in Level}:
        where.append(Project.level == Level(filters.level))
    if filters.stage in {s.value for s in Stage}:
        where.append(Project.stage == Stage(filters.stage))
    if filters.industry:
        where.append(Project.industry == filters.industry)
    if whole_number(filters.unit) is not None:
        where.append(Project.responsible_unit_id == whole_number(filters.unit))
    if whole_number(filters.lead) is not None:
        where.append(Project.lead_id == whole_number(filters.lead))
    if filters.q:
        like = f"%{filters.q}%"
        where.append(or_(Project.name.like(like), Project.code.like(like)))
    return where


def filter_choices() -> dict:
    """What the filter form offers: units, leads, industries, levels and stages (three queries)."""
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.name)).all()
    leads = db.session.scalars(
        select(User).where(User.id.in_(select(Project.lead_id))).order_by(User.name)
    ).all()
    industries = sorted(
        set(SUGGESTED_INDUSTRIES)
        | set(db.session.scalars(select(Project.industry).distinct()).all()) - {""}
    )
    return {"units": units, "leads": leads, "industries": industries, "levels": list(Level),
            "stages": list(Stage)}


def register_rows(filters: Filters, year: int, month: int, paginate: bool = True) -> RegisterPage:
    projects = project_rows(*where_clauses(filters, year), year=year)
    figures = figures_for(projects, year, month)
    rows = [(p, figures[p.id]) for p in projects]
    if filters.light in ("green", "yellow", "red"):
        rows = [r for r in rows if r[1].light and r[1].light.value == filters.light]
    elif filters.light == "none":
        rows = [r for r in rows if r[1].light is None]
    key = SORT_KEYS[filters.sort]
    rows.sort(key=lambda r: (key(*r), r[0].code), reverse=filters.dir == "desc")
    page = http.paginate(len(rows), filters.page, PAGE_SIZE)
    if paginate:
        rows = rows[page.offset : page.offset + page.size]
    return RegisterPage(rows=rows, total=page.total, page=page.number, pages=page.pages)
