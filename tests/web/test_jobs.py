"""Background jobs run by a real worker process (huey on a SQLite queue file)."""

from tracker.extensions import db
from tracker.jobs import enqueue
from tracker.jobs.models import Job, JobState

# Parks of these tests still have unreported rows: publishing them needs the tick (发布前检查).
TICK = {"accept_incomplete": "1"}


def test_a_separate_worker_process_runs_the_job_and_reports_progress(app, worker, users, client, login, wait_for_job):
    job_id = enqueue("selftest", {"steps": 5}, users["supervisor"].id)
    job = wait_for_job(job_id)
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


def test_a_large_park_renders_its_draft_brief_in_the_worker(app, worker, users, client, login,
                                                            make_project, wait_for_job):
    import subprocess

    app.config["BRIEF_BACKGROUND_FROM"] = 2
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000, 2: 1000, 3: 1500})
    make_project("B1", name="装备制造基地项目", level="市重点", plan=20000, months={3: 4100})
    login(users["supervisor"])
    response = client.get("/briefs/2026-03.pdf?draft=1")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    job = wait_for_job(job_id)
    assert job.state is JobState.DONE, job.message
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "下载" in page and "草稿" in page
    pdf = client.get(f"/jobs/{job_id}/result").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "截至3月底，园区共有2个省市重点项目" in "".join(text.split())


def test_a_large_park_publishes_in_the_worker(app, worker, users, client, login, make_project,
                                              wait_for_job):
    from tracker.briefs.service import published

    app.config["BRIEF_BACKGROUND_FROM"] = 1
    make_project("A1", plan=10000, months={1: 1000})
    login(users["supervisor"])
    response = client.post("/briefs/2026-01/publish", data=TICK)
    job = wait_for_job(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.state is JobState.DONE, job.message
    assert [b.revision for b in published(2026, 1)] == [1]
    again = client.post("/briefs/2026-01/publish", data=TICK)  # refused at once, before queueing
    assert again.status_code == 422 and "不能重复发布" in again.get_data(as_text=True)
