"""Milestone pages: the wall chart (/milestones, /milestones.xlsx, /milestones.pdf) and one project's
milestones (/projects/<code>/milestones), whose rows save one by one with htmx like the
reporting grid, and as plain forms without JavaScript.

Everyone signed in reads; who may change what is the service's to decide (403 otherwise).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import xlsx
from tracker.auth.permissions import can_plan_milestones, can_record_milestones
from tracker.cache import fragment, request_arguments
from tracker.cache.page import cached_page
from tracker.errors import Refused
from tracker.extensions import db
from tracker.http import is_htmx, park_today, parse_period
from tracker.milestones import queries, service
from tracker.milestones.queries import STATUS_CHOICES, THREE_NOT_CHOICES, ChartFilters, Line
from tracker.milestones.status import Status
from tracker.projects.models import Project
from tracker.projects.register import filter_choices
from tracker.settings import milestone_due_days, park_settings

bp = Blueprint("milestones", __name__)

ID = "int(max=2147483647)"
PDF_MOST = 500


def _chart_context(paginate: bool = True) -> dict:
    filters = ChartFilters.from_args(request.args)
    day, due_days = park_today(), milestone_due_days()
    return {"filters": filters, "day": day, "due_days": due_days, "pdf_most": PDF_MOST,
            "chart": queries.wall_chart(filters, day, due_days, paginate=paginate)}


@bp.route("/milestones")
@login_required
@cached_page
def chart():
    def context() -> dict:
        return {**_chart_context(), "statuses": list(Status), "status_choices": STATUS_CHOICES,
                "three_not_choices": THREE_NOT_CHOICES}

    # Cached per (query string, role, data version, day): statuses are as of today.
    key, scope, today = request_arguments(), current_user.role.value, park_today()
    if is_htmx():
        return fragment("wall-chart", key, "milestones/_chart.html", context,
                        scope=scope, today=today)
    body = fragment("wall", key, "milestones/_page.html",
                    lambda: {**filter_choices(), **context()}, scope=scope, today=today)
    return render_template("milestones/chart.html", body=body)


@bp.route("/milestones.xlsx")
@login_required
def chart_xlsx():
    c = _chart_context(paginate=False)
    from tracker.milestones import export  # openpyxl (and numpy with it): loaded when needed

    data = export.workbook_bytes(c["chart"], c["day"], c["due_days"])
    return xlsx.attachment(f"节点计划挂图-{c['day'].isoformat()}.xlsx", data)


@bp.route("/milestones.pdf")
@login_required
def chart_pdf():
    """The wall chart as an A3 landscape PDF, every filtered project (no pages of 100).

    At most ``PDF_MOST`` projects: WeasyPrint lays out about 45 projects a second on one core
    (500 projects: 11 s, 20 A3 pages), so a larger wall would outlast a web worker's timeout;
    a meeting room's wall is one level, unit or stage at a time.
    """
    from tracker.pdf import render_pdf  # WeasyPrint is loaded by the requests that need it

    c = _chart_context(paginate=False)
    if c["chart"].total > PDF_MOST:
        abort(400, description=f"挂图 PDF 一次最多{PDF_MOST}个项目（当前筛选出{c['chart'].total}个），"
                               "请按级别、行业、建设阶段或责任单位筛选后再下载。")
    html = render_template("milestones/wall_pdf.html", **c, statuses=list(Status),
                           park_name=park_settings()["park_name"])
    name = f"节点计划挂图-{c['day'].isoformat()}.pdf"
    return Response(render_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"milestones-{c['day'].isoformat()}.pdf\"; "
                               f"filename*=UTF-8''{quote(name)}"})


# --- one project --------------------------------------------------------------------------


def _project(code: str) -> Project:
    project = db.session.scalar(
        select(Project).where(Project.code == code).options(selectinload(Project.liaisons)))
    if project is None:
        abort(404, description=f"项目 {code} 不存在。")
    return project


def _page(project: Project, lines: list[Line] | None = None, status: int = 200,
          own_errors: dict | None = None, own_data=None):  # noqa: ANN001, ANN202
    """The project's milestone page; ``lines`` when one of them is shown again with input."""
    if lines is None:
        lines = queries.project_lines(project, park_today(), milestone_due_days())
    return render_template(
        "milestones/project.html", p=project, lines=lines, due_days=milestone_due_days(),
        can_plan=can_plan_milestones(current_user),
        can_record=can_record_milestones(current_user, project),
        own_errors=own_errors or {}, own_data=own_data or {}, statuses=list(Status),
    ), status


@bp.route("/projects/<code>/milestones")
@login_required
def project_page(code: str):
    return _page(_project(code))


def _row(project: Project, line: Line, status: int = 200):  # noqa: ANN202
    """The row to htmx; otherwise the page, with this row as it is to be shown again."""
    if is_htmx():
        return render_template(
            "milestones/_row.html", p=project, line=line,
            can_plan=can_plan_milestones(current_user),
            can_record=can_record_milestones(current_user, project),
        ), status
    lines = queries.project_lines(project, park_today(), milestone_due_days())
    return _page(project, [line if x.milestone.id == line.milestone.id else x for x in lines],
                 status)


@bp.route(f"/projects/<code>/milestones/<{ID}:milestone_id>", methods=["GET", "POST"])
@login_required
def row(code: str, milestone_id: int):
    project = _project(code)
    m = queries.project_milestone(project, milestone_id)
    if m is None:
        abort(404, description="该节点不存在。")
    if request.method == "GET":
        if not is_htmx():
            return redirect(url_for(".project_page", code=code) + f"#ms-{m.id}")
        return _row(project, queries.line_of(m, park_today(), milestone_due_days()))
    line = service.save_milestone(current_user, project, m, request.form.to_dict(), park_today())
    grid = parse_period(request.form["grid"]) if request.form.get("grid") else None
    status = 409 if line.conflict else 422 if line.errors else 200
    if grid is not None and is_htmx():
        return render_template("milestones/_grid_item.html", p=project, line=line,
                               period=str(grid)), status
    if status != 200:
        return _row(project, line, status)
    if grid is not None:
        flash(f"{line.milestone.title}：已保存。", "success")
        return redirect(url_for("reports.grid", period=grid) + f"#row-{code}")
    if not is_htmx():
        flash(f"{line.milestone.title}：已保存。", "success")
        return redirect(url_for(".project_page", code=code) + f"#ms-{m.id}")
    return _row(project, line)


def grid_milestones(period: str, project_ids: list[int]) -> dict[int, list[Line]]:
    """For the reporting grid's template (registered as a Jinja global by the app, since the
    reports domain sits below milestones): each project's milestones due by the month's end."""
    p = parse_period(period)
    return queries.grid_lines(project_ids, p.last_day, park_today(), milestone_due_days())


@bp.route("/projects/<code>/milestones/new", methods=["POST"])
@login_required
def add_own(code: str):
    project = _project(code)
    try:
        m = service.add_own(current_user, project, request.form)
    except Refused as exc:
        return _page(project, status=422, own_errors=exc.errors, own_data=request.form)
    flash(f"已增加节点“{m.name}”。", "success")
    return redirect(url_for(".project_page", code=code) + f"#ms-{m.id}")


@bp.route(f"/projects/<code>/milestones/<{ID}:milestone_id>/delete", methods=["POST"])
@login_required
def delete_own(code: str, milestone_id: int):
    project = _project(code)
    m = queries.project_milestone(project, milestone_id)
    if m is None:
        abort(404, description="该节点不存在。")
    name = service.delete_own(current_user, project, m)
    flash(f"已删除节点“{name}”。", "success")
    return redirect(url_for(".project_page", code=code))
