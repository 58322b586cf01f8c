"""One project's page (/projects/<code>): the project's file."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import can_plan_milestones, can_record_milestones, can_report_for
from tracker.cache.page import cached_page
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import park_today, parse_period
from tracker.projectfile.service import project_detail, timeline
from tracker.projects.models import Project
from tracker.settings import milestone_due_days

bp = Blueprint("projectfile", __name__)


@bp.route("/projects/<code>")
@login_required
@cached_page
def detail(code: str):
    project = db.session.scalar(
        select(Project).where(Project.code == code).options(
            selectinload(Project.lead), selectinload(Project.liaisons),
            selectinload(Project.owner_unit), selectinload(Project.responsible_unit),
        )
    )
    if project is None:
        abort(404, description=f"项目 {code} 不存在。")
    year, month = parse_period(request.args.get("period"))
    raw_year = request.args.get("year")
    wanted = whole_number(raw_year)
    if raw_year and not 2000 <= (wanted or 0) <= 2100:
        abort(400, description="年度应为四位数字，例如 ?year=2025。")
    if wanted is not None and wanted < year:
        year, month = wanted, 12
    d = project_detail(project, year, month)
    return render_template(
        "projectfile/detail.html", d=d, p=project, year=year, month=month,
        can_report=can_report_for(current_user, project),
        timeline=timeline(d, month, park_today(), milestone_due_days()),
        can_edit_milestones=can_plan_milestones(current_user)
        or can_record_milestones(current_user, project),
    )
