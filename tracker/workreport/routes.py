"""The work report's data pages (/work-report/data/...): a grid per area of DESIGN.md
section 15 whose rows save one by one with htmx, and as plain forms without JavaScript.
督查室 and admins enter; admins edit the indicator list and the targets (403 otherwise)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.models import Role
from tracker.auth.permissions import supervisor_required
from tracker.errors import Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import is_htmx, park_today, parse_period
from tracker.periods import Period
from tracker.workreport import queries, service
from tracker.workreport.forms import AREAS, VALUE_FIELDS
from tracker.workreport.models import Indicator
from tracker.workreport.queries import Line

bp = Blueprint("workreport", __name__, url_prefix="/work-report/data")

ID = "int(max=2147483647)"
AREA = "any(signed, pipeline, land, targets)"


def _year() -> int:
    text = request.args.get("year") or request.form.get("year_shown")
    if not text:
        return park_today().year
    year = whole_number(text)
    if year is None or not 2000 <= year <= park_today().year:
        abort(400, description=f"年度“{text}”无效，请填写 2000 年至今年之间的年份。")
    return year


def _common() -> dict:
    return {"areas": AREAS, "is_admin": current_user.role is Role.ADMIN}


@bp.route("")
@supervisor_required
def index():
    return redirect(url_for(".indicators"))


# --- 经济指标 ----------------------------------------------------------------------------


def _indicators_page(period: Period, lines: list[Line] | None = None, status: int = 200,
                     errors: dict | None = None, data=None):  # noqa: ANN001, ANN202
    if lines is None:
        lines = queries.value_lines(*period)
    return render_template(
        "workreport/indicators.html", period=period, lines=lines, fields=VALUE_FIELDS,
        all_indicators=queries.indicators(include_retired=True), errors=errors or {},
        data=data or {}, active="indicators", today=park_today(), **_common()), status


@bp.route("/indicators")
@supervisor_required
def indicators():
    return _indicators_page(parse_period(request.args.get("period")))


def _indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404, description="该经济指标不存在。")
    return indicator


@bp.route(f"/indicators/<{ID}:indicator_id>/<period:period>", methods=["GET", "POST"])
@supervisor_required
def value_row(indicator_id: int, period: Period):
    indicator = _indicator(indicator_id)
    if request.method == "GET":
        line = Line(queries.value_of(indicator.id, *period), indicator=indicator)
        if not is_htmx():
            return redirect(url_for(".indicators", period=period) + f"#ind-{indicator.id}")
    else:
        line = service.save_value(current_user, indicator, *period, request.form.to_dict())
    status = 409 if line.conflict else 422 if line.errors else 200
    if is_htmx():
        return render_template("workreport/_value_row.html", line=line, period=period,
                               fields=VALUE_FIELDS), status
    if status != 200:
        lines = [line if x.indicator.id == indicator.id else x for x in queries.value_lines(*period)]
        return _indicators_page(period, lines, status)
    flash(f"{indicator.name}：已保存。", "success")
    return redirect(url_for(".indicators", period=period) + f"#ind-{indicator.id}")


@bp.route("/indicators/new", methods=["POST"])
@supervisor_required
def indicator_add():
    period = parse_period(request.form.get("period"))
    try:
        indicator = service.add_indicator(current_user, request.form)
    except Refused as exc:
        return _indicators_page(period, errors=exc.errors, data=request.form, status=422)
    flash(f"已增加经济指标“{indicator.name}”。", "success")
    return redirect(url_for(".indicators", period=period))


@bp.route(f"/indicators/<{ID}:indicator_id>/rename", methods=["POST"])
@supervisor_required
def indicator_rename(indicator_id: int):
    indicator = _indicator(indicator_id)
    period = parse_period(request.form.get("period"))
    try:
        old, new = service.rename_indicator(current_user, indicator, request.form)
    except Refused as exc:
        errors = {f"name-{indicator.id}": exc.errors.get("name", str(exc))}
        return _indicators_page(period, errors=errors, data=request.form, status=422)
    if old != new:
        flash(f"已将“{old}”更名为“{new}”。", "success")
    return redirect(url_for(".indicators", period=period))


@bp.route(f"/indicators/<{ID}:indicator_id>/retire", methods=["POST"])
@supervisor_required
def indicator_retire(indicator_id: int):
    indicator = _indicator(indicator_id)
    retired = request.form.get("retired") == "1"
    if service.set_retired(current_user, indicator, retired):
        flash(f"已{'停用' if retired else '恢复'}经济指标“{indicator.name}”。", "success")
    return redirect(url_for(".indicators", period=parse_period(request.form.get("period"))))


# --- 招商签约, 储备项目, 土地收储, 年度目标 -------------------------------------------------


def _area_page(area: str, year: int, lines: list[Line] | None = None, status: int = 200,
               new: Line | None = None):  # noqa: ANN202
    if lines is None:
        lines = [Line(r) for r in queries.rows(area, year)]
    return render_template(
        "workreport/area.html", area=AREAS[area], year=year, lines=lines,
        new=new or Line(None), active=area, this_year=park_today().year,
        can_edit=not AREAS[area].admin_only or current_user.role is Role.ADMIN,
        **_common()), status


@bp.route(f"/<{AREA}:area>")
@supervisor_required
def area_page(area: str):
    return _area_page(area, _year())


@bp.route(f"/<{AREA}:area>/new", methods=["POST"])
@supervisor_required
def area_add(area: str):
    year = _year()
    line = service.save_row(current_user, area, None, request.form.to_dict())
    if line.errors:
        return _area_page(area, year, status=422, new=line)
    flash(f"{AREAS[area].title}：已增加“{service.row_label(AREAS[area], line.row)}”。", "success")
    return redirect(url_for(".area_page", area=area, year=year) + f"#row-{line.row.id}")


def _row(area: str, row_id: int):  # noqa: ANN202
    row = queries.row(area, row_id)
    if row is None:
        abort(404, description="该行不存在，可能刚刚已被删除。")
    return row


@bp.route(f"/<{AREA}:area>/<{ID}:row_id>", methods=["GET", "POST"])
@supervisor_required
def area_row(area: str, row_id: int):
    row = _row(area, row_id)
    year = _year()
    if request.method == "GET":
        if not is_htmx():
            return redirect(url_for(".area_page", area=area, year=year) + f"#row-{row.id}")
        line = Line(row)
    else:
        line = service.save_row(current_user, area, row, request.form.to_dict())
    status = 409 if line.conflict else 422 if line.errors else 200
    if is_htmx():
        return render_template("workreport/_row.html", area=AREAS[area], line=line, year=year,
                               can_edit=True), status
    if status != 200:
        lines = [line if x.row.id == row.id else x for x in
                 (Line(r) for r in queries.rows(area, year))]
        if all(x is not line for x in lines):  # a row of another year: shown first, with its errors
            lines.insert(0, line)
        return _area_page(area, year, lines, status)
    flash(f"{AREAS[area].title}：已保存。", "success")
    return redirect(url_for(".area_page", area=area, year=year) + f"#row-{row.id}")


@bp.route(f"/<{AREA}:area>/<{ID}:row_id>/delete", methods=["POST"])
@supervisor_required
def area_delete(area: str, row_id: int):
    row = _row(area, row_id)
    label = service.delete_row(current_user, area, row)
    flash(f"{AREAS[area].title}：已删除“{label}”。", "success")
    return redirect(url_for(".area_page", area=area, year=_year()))
