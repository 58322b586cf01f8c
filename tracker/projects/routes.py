"""Project register (/projects); one project's page is the project file's (tracker.projectfile)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from tracker import xlsx
from tracker.cache import fragment, request_arguments
from tracker.cache.page import cached_page
from tracker.http import is_htmx, park_today, parse_period
from tracker.progress import half_up
from tracker.projects.models import ListLevel
from tracker.projects.register import SORT_KEYS, Filters, filter_choices, register_rows

bp = Blueprint("projects", __name__)

EXPORT_HEADERS = ["项目编号", "项目名称", "级别", "行业", "建设阶段", "责任单位", "项目负责人",
                  "总投资(万元)", "年度计划投资(万元)", "1-本月完成投资(万元)", "完成率(%)",
                  "偏差(百分点)", "预警"]


@bp.route("/projects")
@login_required
@cached_page
def index():
    period = parse_period(request.args.get("period"))
    year, month = period
    filters = Filters.from_args(request.args)
    if request.args.get("format") == "xlsx":
        page = register_rows(filters, year, month, paginate=False)
        return xlsx.download(
            f"项目台账-{period}.xlsx", "项目台账", EXPORT_HEADERS,
            [
                (p.code, p.name, p.level, p.industry, p.stage,
                 p.unit_name, p.lead_name, p.total_investment, f.plan, f.ytd,
                 _round1(f.rate), _round1(f.deviation), f.light.label if f.light else "")
                for p, f in page.rows
            ],
        )

    def context() -> dict:
        return {"page": register_rows(filters, year, month), "filters": filters, "year": year,
                "month": month, "period": str(period), "sort_keys": SORT_KEYS}

    # Cached per (query string, role, data version, day): the figures of every filtered
    # project are computed once per change of data, not once per request.
    key, scope, today = request_arguments(), current_user.role.value, park_today()
    if is_htmx():
        return fragment("register-table", key, "projects/_table.html", context,
                        scope=scope, today=today)
    body = fragment("register", key, "projects/_page.html",
                    lambda: {**context(), **filter_choices(), "levels": list(ListLevel)},
                    scope=scope, today=today)
    return render_template("projects/index.html", body=body)


def _round1(value):  # noqa: ANN001, ANN202
    return half_up(value, 1) if value is not None else None
