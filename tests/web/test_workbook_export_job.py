"""A large park's export runs in the worker with progress; a small one downloads at once."""

from io import BytesIO

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.jobs.models import Job, JobState
from tracker.workbook.parse import SHEETS
from tracker.workbook.wrsheets import WORK_REPORT_SHEETS


def test_a_small_park_downloads_the_workbook_at_once(client, login, users, make_project):
    make_project("A1", plan=1000, months={1: 10})
    login(users["viewer"])
    response = client.get("/export.xlsx")
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(response.data))
    assert load_workbook(BytesIO(response.data))["项目"]["A2"].value == "A1"


def test_a_large_park_is_exported_by_the_worker_with_progress(
        app, worker, client, login, users, make_project, wait_for_job):
    app.config["EXPORT_BACKGROUND_FROM"] = 2
    make_project("A1", plan=1000, months={1: 10, 2: 20})
    make_project("B1", plan=2000, months={1: 30})
    login(users["viewer"])
    offer = client.get("/export.xlsx")
    html = offer.get_data(as_text=True)
    assert offer.status_code == 200 and "后台任务" in html and "开始导出" in html
    assert db.session.query(Job).count() == 0, "opening the address queues nothing"

    queued = client.post("/export.xlsx")
    assert queued.status_code == 303 and "/jobs/" in queued.headers["Location"]
    job = wait_for_job(int(queued.headers["Location"].rsplit("/", 1)[1]))
    assert job.state is JobState.DONE, job.message
    assert job.kind == "workbook_export" and job.percent == 100 and job.message.startswith("已导出")

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "下载 督办数据_" in page
    download = client.get(f"/jobs/{job.id}/result")
    wb = load_workbook(BytesIO(download.data))
    assert wb.sheetnames == [s.name for s in (*SHEETS, *WORK_REPORT_SHEETS)]
    assert [r[0] for r in wb["项目"].iter_rows(min_row=2, values_only=True)] == ["A1", "B1"]
    assert len(list(wb["月度进展"].iter_rows(min_row=2))) == 3
