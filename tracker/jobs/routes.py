"""A job's progress (polled by htmx until done) and its result."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.jobs import RETRYABLE, enqueue
from tracker.jobs.models import Job, JobState

bp = Blueprint("jobs", __name__)


def _job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404, description="任务不存在。")
    if job.user_id != current_user.id and not current_user.can_supervise:
        abort(403)
    return job


def follow(job_id: int) -> Response | tuple:
    """Send the browser to a job's progress page (an htmx request: through HX-Redirect)."""
    from tracker.http import is_htmx

    target = url_for("jobs.status", job_id=job_id)
    if is_htmx():
        return "", 204, {"HX-Redirect": target}
    return redirect(target, 303)


@bp.route("/jobs/<int(max=2147483647):job_id>")
@login_required
def status(job_id: int):
    from tracker.http import is_htmx

    job = _job(job_id)
    template = "jobs/_status.html" if is_htmx() else "jobs/status.html"
    return render_template(template, job=job, retryable=RETRYABLE)


@bp.post("/jobs/<int(max=2147483647):job_id>/retry")
@login_required
def retry(job_id: int):
    """Run a failed job again (same kind, same parameters, same person), as a new job."""
    job = _job(job_id)
    if job.state is not JobState.FAILED or job.kind not in RETRYABLE:
        abort(409, description="只有失败且可重试的任务可以重试。")
    return follow(enqueue(job.kind, dict(job.params), job.user_id))


@bp.route("/jobs/<int(max=2147483647):job_id>/result")
@login_required
def result(job_id: int):
    from urllib.parse import quote

    job = _job(job_id)
    if job.result is None:
        abort(404, description="任务尚未完成或没有结果文件。")
    return Response(
        job.result,
        mimetype=job.result_type or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(job.result_name)}"},
    )
