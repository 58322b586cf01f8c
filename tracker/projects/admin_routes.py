"""The project register's forms (/admin/projects…): create, edit, annual plans, special bonds,
archive; for supervisors and admins. Every route checks the role on the server (403), every bad
input re-renders the form with a message next to the field (422), and a stale edit answers 409
with the current values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.audit.service import as_text
from tracker.auth.models import User
from tracker.auth.permissions import supervisor_required
from tracker.auth.service import unit_choices
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.forms import FormReader, whole_number
from tracker.http import park_today
from tracker.projects import editing, year_levels
from tracker.projects.forms import read_project
from tracker.projects.models import (
    SUGGESTED_INDUSTRIES,
    AnnualPlan,
    Bond,
    Level,
    ListLevel,
    Project,
    ProjectYearLevel,
    Stage,
)

bp = Blueprint("projectadmin", __name__, url_prefix="/admin")


def _get_project(code: str) -> Project:
    project = db.session.scalar(
        select(Project).where(Project.code == code).options(selectinload(Project.liaisons))
    )
    if project is None:
        abort(404, description=f"项目“{code}”不存在。")
    return project


@bp.route("/projects")
@supervisor_required
def projects():
    show = request.args.get("show", "current")
    stmt = (
        select(Project)
        .options(selectinload(Project.lead), selectinload(Project.responsible_unit))
        .order_by(Project.code)
    )
    if show != "all":
        stmt = stmt.where(Project.archived_on.is_(None))
    rows = sorted(db.session.scalars(stmt), key=lambda p: (p.level.order, p.code))
    return render_template("admin/projects.html", rows=rows, show=show)


def _project_data(project: Project) -> MultiDict:
    data = MultiDict({
        "code": project.code, "name": project.name, "level": project.level.value,
        "industry": project.industry, "stage": project.stage.value,
        "owner_unit_id": str(project.owner_unit_id or ""),
        "responsible_unit_id": str(project.responsible_unit_id or ""),
        "lead_id": str(project.lead_id or ""), "leader_in_charge": project.leader_in_charge,
        "total_investment": as_text(project.total_investment) or "",
        "start_year": str(project.start_year or ""),
        "planned_completion_year": str(project.planned_completion_year or ""),
        "version": str(project.version),
    })
    for u in project.liaisons:
        data.add("liaison_ids", str(u.id))
    return data


def _project_form(project: Project | None, data, errors: dict, conflict=None) -> str:  # noqa: ANN001
    keep_users = set()
    keep_units = set()
    if project is not None:
        keep_users = {u.id for u in project.liaisons} | {project.lead_id}
        keep_units = {project.owner_unit_id, project.responsible_unit_id}
    people = list(db.session.scalars(
        select(User).options(selectinload(User.unit))
        .where(or_(User.active.is_(True) & User.role.in_(editing.REPORTING_ROLES),
                   User.id.in_({i for i in keep_users if i})))
        .order_by(User.name)
    ))
    unit_opts = [(u.id, u.name + ("" if u.active else "（已停用）")) for u in unit_choices(keep_units)]
    people_opts = [
        (p.id, f"{p.name}（{p.login}{'，' + p.unit.name if p.unit else ''}）"
               + ("" if p.active else "（已停用）"))
        for p in people
    ]
    return render_template(
        "admin/project_form.html", project=project, data=data, errors=errors,
        conflict=conflict, levels=list(Level), stages=list(Stage), unit_opts=unit_opts,
        people_opts=people_opts, industries=SUGGESTED_INDUSTRIES, labels=editing.LABELS,
        this_year=park_today().year,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@supervisor_required
def project_new():
    if request.method == "GET":
        data = MultiDict({"level": Level.PROVINCIAL.value, "stage": Stage.PREPARATION.value,
                          "plan_year": str(park_today().year)})
        return _project_form(None, data, {})
    f = read_project(request.form)
    plan_year = f.integer("plan_year", "计划年度", lo=2000, hi=2100)
    plan_amount = f.money("plan_amount", "年度计划投资")
    if plan_amount is not None and plan_year is None and "plan_year" not in f.errors:
        f.error("plan_year", "请填写计划年度")
    errors = f.errors
    if f.ok:
        try:
            project = editing.create_project(current_user, f.values, plan_year=plan_year,
                                        plan_amount=plan_amount)
        except Refused as exc:
            errors = exc.errors
        else:
            flash(f"已新建项目 {project.code} {project.name}。", "success")
            return redirect(_after_save(project))
    return _project_form(None, request.form, errors), 422


def _after_save(project: Project) -> str:
    """The project's page once the register has one (projectfile.detail), else its edit form."""
    if "projectfile.detail" in current_app.view_functions:
        return url_for("projectfile.detail", code=project.code)
    return url_for("projectadmin.project_edit", code=project.code)


@bp.route("/projects/<code>/edit", methods=["GET", "POST"])
@supervisor_required
def project_edit(code: str):
    project = _get_project(code)
    if request.method == "GET":
        return _project_form(project, _project_data(project), {})
    f = read_project(request.form)
    version = f.integer("version", "版本", lo=0, hi=10**9)
    f.errors.pop("version", None)
    errors = f.errors
    conflict = None
    status = 422
    if f.ok:
        try:
            changes = editing.update_project(current_user, project, f.values, version)
        except Refused as exc:
            errors = exc.errors
        except Conflict as exc:
            conflict = exc
            status = 409
        else:
            flash(f"已保存项目 {project.code}（修改 {len(changes)} 项）。" if changes
                  else "没有修改任何内容。", "success")
            return redirect(_after_save(project))
    data = request.form
    if conflict is not None:
        # The user's entries stay; saving again (deliberately) overwrites the current version.
        data = request.form.copy()
        data["version"] = str(conflict.version)
    return _project_form(project, data, errors, conflict), status


def _year_arg() -> int:
    """The year a plan or bond form opens on: ?year=YYYY when sensible, else this year."""
    raw = request.args.get("year", "")
    if 2000 <= (whole_number(raw) or 0) <= 2100:
        return whole_number(raw)
    return park_today().year


def _seen_for(year: int | None):  # noqa: ANN202
    """What the user saw of ``year``'s plan or bond; unknown when they typed another year."""
    seen = request.form.get("seen")
    if seen is None or request.form.get("seen_year") != str(year):
        return editing.UNSET
    return seen


@dataclass
class _Yearly:
    """What differs between the annual plans page and the special bonds page."""

    template: str
    endpoint: str
    rows: list  # the project's plans or bonds, newest year first
    fields: Callable[[Any], dict[str, str]]  # a stored row (or None) → its form values
    seen: Callable[[Any], str]  # a stored row (or None) → what the user saw of it
    read: Callable[[FormReader], dict]  # the form → typed values (errors into the reader)
    save: Callable[[int, dict, Any], None]  # year, values, seen → raises Refused / Conflict
    stored: Callable[[int], Any]  # year → the row stored now
    saved: Callable[[int, dict], str]  # the flash after saving
    error_field: Callable[[str], str] = staticmethod(lambda name: name)


def _yearly_page(project: Project, y: _Yearly, **context: Any):  # noqa: ANN202
    """One skeleton for plans and bonds: a form per year, compared with what the user saw."""
    by_year = {row.year: row for row in y.rows}
    errors: dict[str, str] = {}
    conflict = None
    status = 200
    if request.method == "GET":
        year = _year_arg()
        row = by_year.get(year)
        data = MultiDict({"year": str(year), **y.fields(row), "seen": y.seen(row),
                          "seen_year": str(year)})
    else:
        data = request.form.copy()
        f = FormReader(request.form)
        year = f.integer("year", "年度", lo=2000, hi=2100, required=True)
        values = y.read(f)
        seen = _seen_for(year)
        errors = f.errors
        if f.ok:
            try:
                y.save(year, values, seen)
            except Refused as exc:
                errors = {y.error_field(k): v for k, v in exc.errors.items()}
            except Conflict as exc:
                conflict = exc
                db.session.expire_all()
                data["seen"] = y.seen(y.stored(year))
                data["seen_year"] = str(year)
            else:
                flash(y.saved(year, values), "success")
                return redirect(url_for(y.endpoint, code=project.code, year=year))
        status = 409 if conflict else 422
    return render_template(y.template, project=project, data=data, errors=errors,
                           conflict=conflict, **context), status


@dataclass
class _PlanYear:
    """A year of the plans page: its annual plan and its level on the year's list."""

    year: int
    plan: AnnualPlan | None
    level: ProjectYearLevel | None


@bp.route("/projects/<code>/plans", methods=["GET", "POST"])
@supervisor_required
def project_plans(code: str):
    project = _get_project(code)
    plans = db.session.scalars(select(AnnualPlan).where(AnnualPlan.project_id == project.id))
    levels = db.session.scalars(
        select(ProjectYearLevel).where(ProjectYearLevel.project_id == project.id))
    years: dict[int, _PlanYear] = {}
    for plan in plans:
        years.setdefault(plan.year, _PlanYear(plan.year, None, None)).plan = plan
    for level in levels:
        years.setdefault(level.year, _PlanYear(level.year, None, None)).level = level
    rows = sorted(years.values(), key=lambda r: -r.year)

    def read(f: FormReader) -> dict:
        return {"amount": f.money("amount", "年度计划投资"),
                "level": f.choice("level", "级别", ListLevel, required=False)}

    def saved(year: int, v: dict) -> str:
        plan = f"计划投资 {v['amount']:.2f} 万元，" if v["amount"] is not None else ""
        level = v["level"].value if v["level"] else f"沿用当前级别（{project.level.value}）"
        return f"已设置 {project.code} {year}年{plan}级别：{level}。"

    return _yearly_page(project, _Yearly(
        template="admin/project_plans.html", endpoint="projectadmin.project_plans", rows=rows,
        fields=lambda r: {"amount": (as_text(r.plan.amount) if r and r.plan else ""),
                          "level": r.level.level.value if r and r.level else ""},
        seen=lambda r: year_levels.seen_text(r.plan, r.level) if r else "",
        read=read,
        save=lambda year, v, seen: year_levels.set_year(
            current_user, project, year, v["amount"], v["level"], seen=seen),
        stored=lambda year: _PlanYear(year, *year_levels.stored(project, year)),
        saved=saved,
        error_field=lambda name: "amount" if name == "plan_amount" else "year",
    ), plans=rows,
       level_options=[(lv.value, lv.value) for lv in ListLevel])


@bp.route("/projects/<code>/bonds", methods=["GET", "POST"])
@supervisor_required
def project_bonds(code: str):
    project = _get_project(code)
    bonds = list(db.session.scalars(
        select(Bond).where(Bond.project_id == project.id)
        .options(selectinload(Bond.spendings)).order_by(Bond.year.desc())
    ))
    return _yearly_page(project, _Yearly(
        template="admin/project_bonds.html", endpoint="projectadmin.project_bonds", rows=bonds,
        fields=lambda bond: {"amount": as_text(bond.amount) if bond else "",
                             "expected_on": as_text(bond.expected_on) or "" if bond else ""},
        seen=editing.bond_seen,
        read=lambda f: {"amount": f.money("amount", "下达金额", required=True),
                        "expected_on": f.day("expected_on", "预计支出完毕日期")},
        save=lambda year, v, seen: editing.grant_bond(current_user, project, year, v["amount"],
                                                      v["expected_on"], seen=seen),
        stored=lambda year: db.session.scalar(select(Bond).where(
            Bond.project_id == project.id, Bond.year == year)),
        saved=lambda year, v: f"已保存 {project.code} {year}年专项债。",
    ), bonds=bonds, spent={b.id: b.spent() for b in bonds})


@bp.route("/projects/<code>/archive", methods=["GET", "POST"])
@supervisor_required
def project_archive(code: str):
    project = _get_project(code)
    errors: dict[str, str] = {}
    conflict = None
    status = 200
    data = MultiDict({"archived_on": park_today().isoformat(), "version": str(project.version)})
    if request.method == "POST":
        data = request.form
        f = FormReader(request.form)
        restore = request.form.get("action") == "restore"
        on = None if restore else f.day("archived_on", "归档日期", required=True)
        version = f.integer("version", "版本", lo=0, hi=10**9)
        f.errors.pop("version", None)
        errors = f.errors
        if f.ok:
            try:
                if restore:
                    editing.restore_project(current_user, project, version)
                else:
                    editing.archive_project(current_user, project, on, version, today=park_today())
            except Refused as exc:
                errors = exc.errors
            except Conflict as exc:
                conflict = exc
            else:
                flash(f"已恢复项目 {project.code}。" if restore
                      else f"已归档项目 {project.code}（{on.isoformat()}）。", "success")
                return redirect(url_for("projectadmin.project_archive", code=project.code))
        status = 409 if conflict else 422
    return render_template("admin/project_archive.html", project=project, data=data,
                           errors=errors, conflict=conflict), status
