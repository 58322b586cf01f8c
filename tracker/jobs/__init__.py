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
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

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
CLEANUPS: dict[str, Callable] = {}
RETRYABLE: set[str] = set()
INTERRUPTED = "任务中断，请重试"
_app = None


def handler(kind: str, *, retry: bool = True, cleanup: Callable | None = None) -> Callable:
    """Register the function that does the work of jobs of ``kind``.

    ``retry``: the job page may run the same job again after a failure (False when its input
    is gone, e.g. a kept upload). ``cleanup(job)`` removes what a job left behind when its
    worker died mid-way.
    """

    def register(fn: Callable) -> Callable:
        HANDLERS[kind] = fn
        if retry:
            RETRYABLE.add(kind)
        if cleanup is not None:
            CLEANUPS[kind] = cleanup
        return fn

    return register


def lease() -> timedelta:
    """How long a running job's heartbeat is believed (``JOB_LEASE_SECONDS``, default 60)."""
    return timedelta(seconds=int(os.environ.get("JOB_LEASE_SECONDS", "60")))


def reap() -> int:
    """Fail the jobs whose worker died: running, with no heartbeat within the lease.

    Called by a worker as it starts (and safe to call from any host at any time): the job
    page then says 失败 with INTERRUPTED and offers a retry; files the job kept are removed.
    """
    from tracker.extensions import db
    from tracker.jobs.models import Job, JobState
    from tracker.timeutil import utcnow

    now = utcnow()
    stale = db.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < now - lease())
    jobs = list(db.session.scalars(db.select(Job).where(Job.state == JobState.RUNNING, stale)))
    for job in jobs:
        job.state, job.message, job.finished_at = JobState.FAILED, INTERRUPTED, now
        if job.kind in CLEANUPS:
            CLEANUPS[job.kind](job)
    db.session.commit()
    return len(jobs)


class _Heartbeat(threading.Thread):
    """Renews a running job's heartbeat while its handler works (a brief's layout can run
    a minute without reporting progress)."""

    def __init__(self, engine: object, job_id: int) -> None:
        super().__init__(daemon=True)
        self.engine, self.job_id, self.stopped = engine, job_id, threading.Event()

    def run(self) -> None:
        from tracker.jobs.models import Job
        from tracker.timeutil import utcnow

        every = max(lease().total_seconds() / 4, 0.2)
        while not self.stopped.wait(every):
            try:
                with self.engine.begin() as conn:
                    conn.execute(Job.__table__.update().where(Job.__table__.c.id == self.job_id)
                                 .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001  (SQLite busy under the job's own write: next beat)
                continue


def bind(app: object) -> None:
    """The app whose context jobs run in: the worker command binds its own."""
    global _app
    _app = app


def worker_app():  # noqa: ANN201
    """The app bound to the job worker: tasks of any domain run in its context."""
    if _app is None:
        raise RuntimeError("no app bound to the job worker: start it with `flask --app tracker worker`")
    return _app


@huey.periodic_task(crontab(minute="*"))
def reap_every_minute() -> None:
    """A worker that died while another lives is noticed within a minute past its lease."""
    with worker_app().app_context():
        reap()


@huey.task()
def run_job(job_id: int) -> None:
    """Run one job inside the worker's app context, recording progress and the outcome."""
    from flask import has_app_context

    if has_app_context():
        return _run(job_id)
    with worker_app().app_context():
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
    job.heartbeat_at = utcnow()
    db.session.commit()
    heartbeat = _Heartbeat(db.engine, job_id)
    heartbeat.start()
    try:
        _work(job, job_id)
    finally:
        heartbeat.stopped.set()


def _work(job, job_id: int) -> None:  # noqa: ANN001
    from tracker.extensions import db
    from tracker.jobs.models import Job, JobState
    from tracker.timeutil import utcnow

    def progress(done: int, total: int, message: str = "") -> None:
        db.session.execute(
            db.update(Job).where(Job.id == job_id)
            .values(done=done, total=total, message=message, heartbeat_at=utcnow())
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
