"""The brief's long work as background jobs: a draft PDF, and publishing (for large parks)."""

from __future__ import annotations

from tracker.errors import Refused
from tracker.extensions import db
from tracker.http import park_today
from tracker.jobs import handler
from tracker.periods import Period

PDF = "application/pdf"


@handler("brief_draft")
def render_draft(job, progress):  # noqa: ANN001, ANN201
    from tracker.briefs import service

    year, month = job.params["year"], job.params["month"]
    data = service.render_draft_pdf(year, month, progress, today=park_today())
    return data, f"督办简报-{Period(year, month)}-草稿.pdf", PDF


@handler("brief_publish")
def publish(job, progress):  # noqa: ANN001, ANN201
    from tracker.auth.models import User
    from tracker.briefs import service

    year, month = job.params["year"], job.params["month"]
    user = db.session.get(User, job.user_id)
    progress(0, 2, "正在汇总数据并排版 PDF")
    try:
        brief = service.publish(year, month, user, today=park_today(),
                                correction=job.params.get("correction", False),
                                note=job.params.get("note", ""),
                                reason=job.params.get("reason", ""))
    except Refused as exc:
        raise RuntimeError(str(exc)) from None
    progress(1, 2, f"已发布{brief.snapshot['issue_label']}（第{brief.revision}版）")
    return brief.pdf, f"督办简报-{Period(year, month)}-第{brief.revision}版.pdf", PDF


def runs_in_background(year: int) -> bool:
    """Large parks render in a worker: the page must not hang on the request."""
    from flask import current_app
    from sqlalchemy import func, select

    from tracker.projects.models import Project
    from tracker.projects.service import active_in

    count = db.session.scalar(select(func.count(Project.id)).where(active_in(year)))
    return count >= current_app.config["BRIEF_BACKGROUND_FROM"]
