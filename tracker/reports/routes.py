"""Monthly reporting grid (/report/YYYY-MM): leads edit row by row, supervisors review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker import xlsx
from tracker.auth.models import Role
from tracker.auth.permissions import can_enter_figures, can_report_for, require
from tracker.cache.page import cached_page
from tracker.errors import Refused
from tracker.extensions import db
from tracker.http import default_period, is_htmx, parse_period
from tracker.periods import Period
from tracker.progress import half_up
from tracker.projects.models import Project, ReportState
from tracker.reports import grid as rows_of
from tracker.reports import service
from tracker.reports.filters import (
    REVIEW_TABS,
    STATES,
    GridFilters,
    all_filtered,
    filter_choices,
    grid_page,
    month_summary,
)

bp = Blueprint("reports", __name__)


def _project(code: str) -> Project:
    project = db.session.scalar(select(Project).where(Project.code == code))
    if project is None:
        abort(404, description=f"项目 {code} 不存在。")
    return project


def _listing(year: int, month: int, review: bool, args: object = None) -> dict:
    """What the grid page shows: a lead's projects on one page; for the office, one page of
    the projects under the filters. The month's counts in one aggregate statement."""
    context: dict = {"year": year, "month": month,
                     "summary": month_summary(current_user, year, month)}
    if current_user.can_supervise:
        filters = GridFilters.from_args(args if args is not None else request.args)
        projects, page = grid_page(current_user, year, month, filters, review)
        context.update(filters=filters, page=page, states=STATES, tabs=REVIEW_TABS,
                       rows=rows_of.grid_rows(current_user, year, month, projects=projects)
                       if projects else [])
    else:
        context.update(filters=GridFilters(), page=None,
                       rows=rows_of.grid_rows(current_user, year, month))
    return context


def _row_response(row: rows_of.GridRow, year: int, month: int, status: int = 200):
    review = request.values.get("view") == "review"
    if is_htmx():
        summary = month_summary(current_user, year, month)
        template = "reports/_review_row.html" if review else "reports/_row.html"
        return render_template(template, row=row, year=year, month=month) + render_template(
            "reports/_summary.html", summary=summary, year=year, month=month, oob=True), status
    if review and not (row.errors or row.conflict):
        if row.errors.get("_row"):
            flash(row.errors["_row"], "error")
        return redirect(url_for("reports.grid", period=Period(year, month), view="review",
                                **GridFilters.from_args(request.values).query()))
    if row.errors or row.conflict or row.form:
        context = _listing(year, month, False, request.values)
        context["rows"] = [row if r.project.id == row.project.id else r for r in context["rows"]]
        if all(r.project.id != row.project.id for r in context["rows"]):
            context["rows"].insert(0, row)  # the row in question, whatever page it is on
        return render_template("reports/grid.html", **context, **_choices()), status
    return redirect(url_for("reports.grid", period=Period(year, month),
                            **GridFilters.from_args(request.values).query(view=_view()))
                    + f"#row-{row.project.code}")


def _view() -> str | None:
    return "cards" if request.values.get("view") == "cards" else None


def _choices() -> dict:
    return filter_choices() if current_user.can_supervise else {}


def _done(row: rows_of.GridRow, year: int, month: int, message: str):
    """A successful row action: the row fragment for htmx, a flash and the grid otherwise."""
    if not is_htmx():
        flash(f"{row.project.name}：{message}", "success")
    return _row_response(row, year, month)


@bp.route("/report")
@login_required
def grid_default():
    """The month asked for; else the earliest month with work pending for this user; else the
    month due now."""
    if request.args.get("period"):
        return redirect(url_for("reports.grid", period=parse_period(request.args["period"])))
    due = default_period()
    pending = rows_of.pending_for(current_user, due) if current_user.role is Role.MEMBER else []
    return redirect(url_for("reports.grid", period=pending[0].period if pending else due))


@bp.route("/report/<period:period>")
@login_required
@cached_page
def grid(period: Period):
    require(can_enter_figures(current_user))
    year, month = period
    review = current_user.can_supervise and request.args.get("view") != "cards"
    if request.args.get("format") == "xlsx":
        # The whole filtered list, not one page.
        projects = all_filtered(current_user, year, month, GridFilters.from_args(request.args),
                                review) if current_user.can_supervise else None
        rows = rows_of.grid_rows(current_user, year, month, projects=projects) \
            if projects is None or projects else []
        return xlsx.download(
            f"月度填报-{period}.xlsx", "月度填报",
            ["项目编号", "项目名称", "当月完成投资(万元)", "形象进度", "下步计划", "状态",
             "1-本月完成(万元，含本次填报)", "完成率(%)"],
            [
                (r.project.code, r.project.name, r.report.amount if r.report else None,
                 r.report.progress_text if r.report else "", r.report.next_steps if r.report else "",
                 r.state.value if r.state else "未填报", r.figures.ytd,
                 half_up(r.figures.rate, 1) if r.figures.rate is not None else None)
                for r in rows
            ],
        )
    context = _listing(year, month, review)
    if review:
        # The office reviews a month in one compact table; the cards are for entering figures.
        if is_htmx():
            return render_template("reports/_review_list.html", **context)
        return render_template("reports/review.html", **context, **_choices())
    return render_template("reports/grid.html", **context, **_choices())


@bp.route("/report/<period:period>/<code>", methods=["GET", "POST"])
@login_required
def row(period: Period, code: str):
    year, month = period
    project = _project(code)
    require(can_report_for(current_user, project))
    if request.method == "GET":
        row = rows_of.grid_rows(current_user, year, month, only=project)[0]
        if request.args.get("prefill") == "last":
            row = rows_of.with_last_month_texts(row)
        return _row_response(row, year, month)
    try:
        fresh, conflict = service.save_row(current_user, project, year, month, request.form.to_dict())
    except PermissionError:
        abort(403)
    except Refused as exc:
        fresh = rows_of.preview_row(current_user, project, year, month, request.form.to_dict())
        fresh.errors["_row"] = str(exc)
        return _row_response(fresh, year, month, 422)
    if conflict:
        return _row_response(fresh, year, month, 409)
    if fresh.errors:
        return _row_response(fresh, year, month, 422)
    if request.form.get("then") != "submit" or fresh.state not in (ReportState.DRAFT,
                                                                   ReportState.RETURNED):
        return _done(fresh, year, month, "已保存。")
    # 保存并报送: what is typed is saved, then reported, in one action.
    try:
        service.submit(current_user, project, year, month, request.form.get("reply", ""))
    except Refused as exc:
        fresh = rows_of.grid_rows(current_user, year, month, only=project)[0]
        fresh.errors["_row"] = f"已保存，但未报送：{exc}"
        return _row_response(fresh, year, month, 422)
    return _done(rows_of.grid_rows(current_user, year, month, only=project)[0], year, month,
                 "已保存并报送。")


@bp.route("/report/<period:period>/<code>/validate", methods=["POST"])
@login_required
def validate(period: Period, code: str):
    year, month = period
    project = _project(code)
    require(can_report_for(current_user, project))
    row = rows_of.preview_row(current_user, project, year, month, request.form.to_dict())
    return render_template("reports/_feedback.html", row=row, year=year, month=month)


@bp.route("/report/<period:period>/<code>/<action>", methods=["POST"])
@login_required
def act(period: Period, code: str, action: str):
    year, month = period
    project = _project(code)
    try:
        if action == "submit":
            service.submit(current_user, project, year, month, request.form.get("reply", ""))
            message = "已报送。"
        elif action == "withdraw":
            service.withdraw(current_user, project, year, month)
            message = "已撤回为草稿。"
        elif action in ("approve", "return"):
            service.review(current_user, project, year, month, action == "approve",
                           request.form.get("comment", ""))
            message = "已审核通过。" if action == "approve" else "已退回。"
        else:
            abort(404)
    except PermissionError:
        abort(403)
    except Refused as exc:
        row = rows_of.grid_rows(current_user, year, month, only=project)[0]
        row.errors["_row"] = str(exc)
        return _row_response(row, year, month, 422)
    return _done(rows_of.grid_rows(current_user, year, month, only=project)[0], year, month, message)


@bp.route("/report/<period:period>/all/<action>", methods=["POST"])
@login_required
def act_all(period: Period, action: str):
    year, month = period
    try:
        if action == "approve":
            n = service.approve_all(current_user, year, month)
            flash(f"已审核通过 {n} 个项目的报送。", "success")
        elif action == "submit":
            require(can_enter_figures(current_user))
            n = service.submit_all(current_user, year, month)
            flash(f"已报送 {n} 个项目。" if n else "没有可报送的草稿（请先填写并保存）。",
                  "success" if n else "warning")
        else:
            abort(404)
    except PermissionError:
        abort(403)
    return redirect(url_for("reports.grid", period=Period(year, month)))
