"""Operating faults found from outside (issue 12): a job worker killed mid-job, a write lock
held too long, a database that cannot be read — each as it arrived, and the answer now."""

from __future__ import annotations

from tests.conftest import PASSWORD, CSRFClient

# --- a worker killed mid-job -------------------------------------------------------------


def _start_worker(app):  # noqa: ANN001, ANN202
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "worker",
                             "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _poll(predicate, seconds: float = 30):  # noqa: ANN001, ANN202
    import time

    from tracker.extensions import db

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.commit()
        db.session.expire_all()
        if (found := predicate()) is not None:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_job_whose_worker_was_killed_is_failed_and_offers_a_retry(app, client, users, login):
    from datetime import timedelta

    from tracker.extensions import db
    from tracker.jobs import INTERRUPTED, enqueue, huey
    from tracker.jobs.models import Job, JobState
    from tracker.timeutil import utcnow
    from tracker.workbook import uploads

    huey.flush()
    supervisor = users["supervisor"]
    worker = _start_worker(app)
    try:
        job_id = enqueue("selftest", {"steps": 200, "sleep": 0.1}, supervisor.id)
        _poll(lambda: True if db.session.get(Job, job_id).done >= 2 else None)
    finally:
        worker.kill()  # SIGKILL: no chance to record anything
        worker.wait(10)
    job = db.session.get(Job, job_id)
    assert job.state is JobState.RUNNING
    # An import whose worker died too, with its kept upload still on disk.
    token = uploads.save(b"PK-workbook", {"user_id": supervisor.id, "filename": "a.xlsx"})
    kept = [p for p in (app.instance_path + "/imports/" + token + s for s in (".bin", ".json"))]
    crashed = Job(kind="workbook_import", params={"token": token}, user_id=supervisor.id,
                  state=JobState.RUNNING, heartbeat_at=utcnow() - timedelta(hours=1))
    db.session.add(crashed)
    job.heartbeat_at = utcnow() - timedelta(hours=1)  # the lease ran out while nobody worked
    db.session.commit()

    worker = _start_worker(app)
    try:
        _poll(lambda: True if db.session.get(Job, job_id).state is JobState.FAILED else None)
    finally:
        worker.terminate()
        worker.wait(10)
    for failed in (db.session.get(Job, job_id), db.session.get(Job, crashed.id)):
        assert failed.state is JobState.FAILED and failed.message == INTERRUPTED
    import os

    assert not any(os.path.exists(p) for p in kept)
    login(supervisor)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "任务中断，请重试" in page and "重试</button>" in page
    assert "重试</button>" not in client.get(f"/jobs/{crashed.id}").get_data(as_text=True)
    again = client.post(f"/jobs/{job_id}/retry")
    assert again.status_code == 303
    new_id = int(again.headers["Location"].rsplit("/", 1)[1])
    assert new_id != job_id and db.session.get(Job, new_id).params == {"steps": 200, "sleep": 0.1}
    huey.flush()


# --- operating faults: a held lock, a database that cannot be read ---------------------


def test_a_write_lock_held_too_long_answers_503_with_retry_after(database_url, users,
                                                                 make_project, monkeypatch):
    import sqlite3

    from sqlalchemy import create_engine, text

    from tracker import create_app
    from tracker.extensions import db

    make_project("A1", plan=1000, lead=users["member"])
    monkeypatch.setenv("DB_LOCK_TIMEOUT_MS", "300")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    app.test_client_class = CSRFClient
    holder = None
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"login": users["member"].login, "password": PASSWORD,
                                    "csrf_token": client.csrf_token()})
        token = client.csrf_token()
        if database_url.startswith("sqlite"):
            holder = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
        else:
            engine = create_engine(database_url)
            holder = engine.connect()
            holder.execute(text("LOCK TABLE monthly_reports IN ACCESS EXCLUSIVE MODE"))
        try:
            response = client.post("/report/2026-07/A1", data={"amount": "1", "version": "0"},
                                   headers={"X-CSRFToken": token}, csrf=False)
        finally:
            holder.rollback()
            holder.close()
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "系统繁忙，请稍后重试" in response.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_a_database_that_cannot_be_read_gets_an_error_page_and_an_unhealthy_probe(tmp_path):
    from tracker import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/folder/x.sqlite",
                      "TESTING": True})
    app.config["WTF_CSRF_ENABLED"] = False  # the form's token is not what this is about
    client = app.test_client()  # outside any app context: each request has its own, as served
    assert client.get("/login").status_code == 200  # drawn from defaults, no database
    signing_in = client.post("/login", data={"login": "lead1", "password": "x" * 10})
    with client.session_transaction() as session:
        session["_user_id"] = "1:stamp"  # someone signed in before the database went away
    for response in (signing_in, client.get("/"), client.get("/projects")):
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        html = response.get_data(as_text=True)
        assert "系统繁忙，请稍后重试" in html and "<title>系统繁忙" in html
    assert client.get("/healthz").status_code == 503
