"""Background jobs on huey: SQLite storage embedded by default, Redis in production.

``HUEY_URL`` unset → a SQLite queue file ``instance/huey.sqlite`` (no extra server);
``HUEY_URL=redis://host:6379/0`` → Redis. Workers run ``flask --app tracker worker``.
A job's progress and result live in the ``jobs`` table, not in a process, so any web
host can show them. Domains register handlers with ``@handler("kind")`` (``create_app`` imports their modules) and receive the Job
and a ``progress(done, total, message)`` callback; they return (bytes, filename, mimetype)
or None.
"""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Callable
from pathlib import Path

from huey import RedisHuey, SqliteHuey

ROOT = Path(__file__).resolve().parent.parent.parent


def _make_huey():  # noqa: ANN202
    url = os.environ.get("HUEY_URL", "")
    if url.startswith("redis://"):
        return RedisHuey("duban", url=url)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    else:
        folder = Path(os.environ.get("INSTANCE_PATH", str(ROOT / "instance")))
        folder.mkdir(parents=True, exist_ok=True)
        path = str(folder / "huey.sqlite")
    return SqliteHuey("duban", filename=path)


huey = _make_huey()
HANDLERS: dict[str, Callable] = {}
_app = None


def handler(kind: str) -> Callable:
    """Register the function that does the work of jobs of ``kind``."""

    def register(fn: Callable) -> Callable:
        HANDLERS[kind] = fn
        return fn

    return register


def bind(app: object) -> None:
    """The app whose context jobs run in: the worker command binds its own."""
    global _app
    _app = app


def _worker_app():  # noqa: ANN202
    if _app is None:
        raise RuntimeError("no app bound to the job worker: start it with `flask --app tracker worker`")
    return _app


@huey.task()
def run_job(job_id: int) -> None:
    """Run one job inside the worker's app context, recording progress and the outcome."""
    from flask import has_app_context

    if has_app_context():
        return _run(job_id)
    with _worker_app().app_context():
        return _run(job_id)


def _run(job_id: int) -> None:
    from tracker.extensions import db
    from tracker.jobs.models import Job, JobState
    from tracker.timeutil import utcnow

    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.state = JobState.RUNNING
    job.worker = f"{socket.gethostname()}:{os.getpid()}"
    db.session.commit()

    def progress(done: int, total: int, message: str = "") -> None:
        db.session.execute(
            db.update(Job).where(Job.id == job_id).values(done=done, total=total, message=message)
        )
        db.session.commit()

    try:
        result = HANDLERS[job.kind](job, progress)
    except Exception as exc:  # noqa: BLE001  (the job page shows every failure)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.state = JobState.FAILED
        job.message = str(exc) or exc.__class__.__name__
        job.finished_at = utcnow()
        db.session.commit()
        traceback.print_exc()
        return
    job = db.session.get(Job, job_id)
    if result is not None:
        job.result, job.result_name, job.result_type = result
    job.state = JobState.DONE
    job.finished_at = utcnow()
    if job.total:
        job.done = job.total
    db.session.commit()


def enqueue(kind: str, params: dict, user_id: int | None) -> int:
    """Create a job and queue it; returns its id."""
    from tracker.extensions import db
    from tracker.jobs.models import Job

    job = Job(kind=kind, params=params, user_id=user_id)
    db.session.add(job)
    db.session.commit()
    run_job(job.id)
    return job.id
