"""Large workbook imports as a background job ("workbook_import"), on the staged pipeline;
exports of large parks likewise ("workbook_export").

Decisions where the docs were silent:

- The job imports the file its confirmation claimed (``params["token"]``), and only for the
  user who uploaded it and queued the job, who must still be an active supervisor when the
  worker starts; otherwise the job fails and writes nothing.
- The kept file is removed when the job ends, whatever the outcome: its token was never shown
  to anyone, so a refused or failed file must be uploaded again (as on the synchronous path).
- Progress during the writing stages is written to the job through a connection of its own,
  since the import's transaction must not be committed early. SQLite allows one writer at a
  time, so there the page shows "正在写入 N 个工作表" until the import is saved.
- A refused file fails the job; its message holds the notice and every error line.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import update

from tracker.extensions import db
from tracker.http import park_today
from tracker.jobs import handler
from tracker.workbook.parse import listed_errors

BEFORE = "系统中的数据在预览后有了变化，重新检查时发现以下问题，文件未导入："


class ImportRefused(RuntimeError):
    """The job writes nothing; its message is shown on the job page."""


def runs_in_background(rows: int) -> bool:
    """Files of at least ``IMPORT_BACKGROUND_FROM`` data rows are imported in a worker."""
    return rows >= current_app.config["IMPORT_BACKGROUND_FROM"]


def refusal_message(errors: list[str]) -> str:
    """The notice and the error lines (the first ``MAX_LISTED_ERRORS`` of a long list)."""
    return "\n".join([BEFORE, *listed_errors(errors)])


def _drop_upload(job) -> None:  # noqa: ANN001
    """A dead worker's import: its kept file is removed (the user uploads it again)."""
    from tracker.workbook import uploads

    uploads.drop(job.params.get("token", ""))


@handler("workbook_import", retry=False, cleanup=_drop_upload)
def import_workbook(job, progress):  # noqa: ANN001, ANN201
    """Import a previewed workbook: read, validate again, write; the summary as the message."""
    from tracker.auth.models import User
    from tracker.auth.permissions import can_supervise
    from tracker.jobs.models import Job
    from tracker.workbook import uploads
    from tracker.workbook.pipeline import run_import, summary_message

    token = job.params.get("token", "")
    job_id, user_id = job.id, job.user_id
    separate_writer = db.engine.dialect.name != "sqlite"

    def report(done: int, total: int, message: str, *, in_transaction: bool = False) -> None:
        if not in_transaction:
            progress(done, total, message)
        elif separate_writer:
            with db.engine.begin() as conn:
                conn.execute(update(Job).where(Job.id == job_id)
                             .values(done=done, total=total, message=message))

    try:
        user = db.session.get(User, user_id) if user_id else None
        if user is None or not user.active or not can_supervise(user):
            raise ImportRefused("导入人已没有导入权限，文件未导入")
        loaded = uploads.load(token, user_id)
        if loaded is None:
            raise ImportRefused("预览的文件已失效或不存在，请重新上传")
        data, meta = loaded
        outcome = run_import(data, meta.get("filename") or "workbook.xlsx", user_id,
                             create_users=bool(meta.get("create_users")), progress=report,
                             today=park_today())
        if not outcome.plan.ok:
            raise ImportRefused(refusal_message(outcome.plan.errors))
        if outcome.batch is None:
            progress(1, 1, "文件中的数据与系统中一致，未做任何修改。")
        else:
            progress(1, 1, summary_message(outcome.plan, outcome.batch))
    finally:
        uploads.drop(token)
    return None


def exports_in_background() -> bool:
    """Parks of at least ``EXPORT_BACKGROUND_FROM`` projects are exported by a worker."""
    from sqlalchemy import func, select

    from tracker.projects.models import Project

    count = db.session.scalar(select(func.count(Project.id)))
    return (count or 0) >= current_app.config["EXPORT_BACKGROUND_FROM"]


@handler("workbook_export")
def export_workbook(job, progress):  # noqa: ANN001, ANN201
    """The whole park as the workbook, sheet by sheet with progress; the file is the result."""
    from tracker.workbook.export import export_file
    from tracker.workbook.parse import SHEETS
    from tracker.xlsx import XLSX

    total = len(SHEETS) + 1

    def step(i: int, name: str) -> None:
        progress(i, total, f"正在导出：{name}")

    with export_file(step) as f:
        data = f.read()
    progress(total, total, f"已导出，共 {len(data) // 1024} KB。")
    return data, f"督办数据_{park_today():%Y%m%d}.xlsx", XLSX
