"""Background jobs run by a real worker process (huey on a SQLite queue file)."""

import time

from tracker.extensions import db
from tracker.jobs import enqueue
from tracker.jobs.models import Job, JobState


def wait_finished(job_id: int, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.commit()
        job = db.session.get(Job, job_id)
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError("the worker did not finish the job")


def test_a_separate_worker_process_runs_the_job_and_reports_progress(app, worker, users, client, login):
    job_id = enqueue("selftest", {"steps": 5}, users["supervisor"].id)
    job = wait_finished(job_id)
    assert job.state is JobState.DONE and job.result == b"ok 5"
    assert job.worker.endswith(f":{worker.pid}")  # not this process
    login(users["supervisor"])
    page = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "已完成" in page and "100%" in page and "下载" in page
    assert client.get(f"/jobs/{job_id}/result").data == b"ok 5"


def test_job_pages_are_private_to_their_owner_and_supervisors(app, users, client, login):
    job = Job(kind="selftest", user_id=users["supervisor"].id, state=JobState.RUNNING, done=1, total=4)
    db.session.add(job)
    db.session.commit()
    login(users["member"])
    assert client.get(f"/jobs/{job.id}").status_code == 403
    login(users["supervisor"])
    page = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "25%" in page and "hx-trigger" in page  # still polling
