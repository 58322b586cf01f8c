"""Large workbook imports: confirmed in the browser, imported by a real worker process; the
command line's progress bar over the same stages."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from tests.web import test_workbook_import
from tests.web.test_workbook_import import token_of, upload, workbook_with_everything, xlsx
from tracker.extensions import db
from tracker.jobs.models import Job, JobState
from tracker.models import AuditEntry, Brief, BriefState, ImportBatch, Issue, Project

park = test_workbook_import.park  # the fixture: A1 with a plan, months and a lead


def data_fingerprint() -> str:
    """A hash of every table but the job queue's and sign-in throttling."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in ("login_throttles", "jobs"):
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(repr((table.name, [tuple(r) for r in rows])).encode())
    return digest.hexdigest()


def kept_files(app, token: str) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return [p for p in (folder / f"{token}.bin", folder / f"{token}.json") if p.exists()]


def job_id_of(response) -> int:
    location = response.headers.get("Location") or response.headers["HX-Redirect"]
    assert "/jobs/" in location, location
    return int(location.rsplit("/", 1)[1])


def test_a_large_import_is_confirmed_at_once_and_written_by_the_worker(
        app, worker, client, login, users, park, wait_for_job):
    app.config["IMPORT_BACKGROUND_FROM"] = 1
    login(users["supervisor"])
    data = workbook_with_everything()
    token = token_of(upload(client, data, filename="2026年园区台账.xlsx").get_data(as_text=True))

    response = client.post("/import/confirm", data={"token": token})
    assert response.status_code == 303
    job = wait_for_job(job_id_of(response))
    assert job.state is JobState.DONE, job.message
    assert job.kind == "workbook_import" and job.worker.endswith(f":{worker.pid}")
    assert job.message.startswith("已导入“2026年园区台账.xlsx”（导入记录 #1）。")
    assert "项目：新增 1，修改 1，未变 0" in job.message and job.percent == 100

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and "项目：新增 1，修改 1，未变 0" in page and "返回导入页面" in page
    assert "load delay:1s" not in page  # the job's status no longer polls (the bell still may)

    batch = db.session.scalar(select(ImportBatch))
    assert batch.content == data and batch.user_id == users["supervisor"].id
    assert batch.summary["sheets"]["月度进展"] == {"new": 1, "changed": 1, "unchanged": 1}
    b1 = db.session.scalar(select(Project).where(Project.code == "B1"))
    assert b1.import_batch_id == batch.id and b1.lead_id == users["member"].id
    assert db.session.scalar(select(Issue.closed_on).where(Issue.number == "E-1")).day == 20
    changes = {(a.table_name, a.field): (a.old, a.new) for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert changes[("annual_plans", "amount")] == ("10000.00", "12000.00")
    assert changes[("monthly_reports", "state")] == ("已报送", "已审核")
    entries = db.session.scalars(select(AuditEntry)).all()
    assert entries and all(a.import_batch_id == batch.id and a.user_id == users["supervisor"].id
                           for a in entries)
    assert [a.action for a in entries if a.table_name == "import_batches"] == ["import"]

    # The kept file is gone: confirming the same preview again imports nothing twice.
    assert kept_files(app, token) == [] and kept_files(app, job.params["token"]) == []
    again = client.post("/import/confirm", data={"token": token})
    assert again.status_code == 422 and "预览的文件已失效或不存在，请重新上传。" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_a_file_that_became_invalid_fails_its_job_with_the_error_lines_and_writes_nothing(
        app, worker, client, login, users, park, wait_for_job):
    app.config["IMPORT_BACKGROUND_FROM"] = 1
    login(users["supervisor"])
    token = token_of(upload(client, xlsx({
        "项目": [["A1", "储能电站项目", "省重点", "", "在建", "", "", "", "", 90000, "", ""]],
        "月度进展": [["A1", 2026, 2, 1500, "", ""], ["A1", 2026, 3, 1700, "", ""]],
    })).get_data(as_text=True))
    db.session.add(Brief(year=2026, month=3, state=BriefState.PUBLISHED, number=1))
    db.session.commit()
    before = data_fingerprint()

    response = client.post("/import/confirm", data={"token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 204  # htmx follows HX-Redirect to the job page
    job = wait_for_job(job_id_of(response))
    assert job.state is JobState.FAILED
    assert job.message.splitlines() == [
        "系统中的数据在预览后有了变化，重新检查时发现以下问题，文件未导入：",
        "月度进展 第2行 当月完成投资(万元)：2026年2月已发布简报，数据已锁定，须督查室解锁后才能修改",
        "月度进展 第3行 当月完成投资(万元)：2026年3月已发布简报，数据已锁定，须督查室解锁后才能修改",
    ]
    assert data_fingerprint() == before
    page = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "任务失败：系统中的数据在预览后有了变化" in page and "数据未做任何修改" in page
    assert "月度进展 第3行 当月完成投资(万元)：2026年3月已发布简报" in page
    assert kept_files(app, job.params["token"]) == []


def test_only_files_from_the_threshold_on_go_to_the_worker(app, client, login, users, park):
    app.config["IMPORT_BACKGROUND_FROM"] = 3
    login(users["supervisor"])
    small = token_of(upload(client, xlsx({"年度计划": [["A1", 2026, 12000], ["A1", 2027, 9000]]}))
                     .get_data(as_text=True))
    response = client.post("/import/confirm", data={"token": small})
    assert response.status_code == 303 and response.headers["Location"].endswith("/import")
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1
    assert db.session.scalar(select(func.count(Job.id))) == 0

    large = token_of(upload(client, xlsx({"年度计划": [["A1", 2026, 1], ["A1", 2027, 2], ["A1", 2028, 3]]}))
                     .get_data(as_text=True))
    job_id = job_id_of(client.post("/import/confirm", data={"token": large}))
    job = db.session.get(Job, job_id)
    assert (job.kind, job.state, job.user_id) == ("workbook_import", JobState.QUEUED, users["supervisor"].id)
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1  # nothing written yet
    assert client.get(f"/jobs/{job_id}").status_code == 200
    login(users["admin"])  # another supervisor cannot import someone else's preview
    assert client.post("/import/confirm", data={"token": large}).status_code == 422


def test_a_job_of_a_user_who_lost_the_supervisor_role_writes_nothing(
        app, client, login, users, park, request, wait_for_job):
    from tracker.auth.models import Role
    from tracker.jobs import run_job

    app.config["IMPORT_BACKGROUND_FROM"] = 1
    login(users["supervisor"])
    token = token_of(upload(client, xlsx({"年度计划": [["A1", 2026, 12000]]})).get_data(as_text=True))
    job_id = job_id_of(client.post("/import/confirm", data={"token": token}))
    users["supervisor"].role = Role.VIEWER
    db.session.commit()
    before = data_fingerprint()
    request.getfixturevalue("worker")  # starts now, with an empty queue
    run_job(job_id)
    job = wait_for_job(job_id)
    assert (job.state, job.message) == (JobState.FAILED, "导入人已没有导入权限，文件未导入")
    assert data_fingerprint() == before
    assert kept_files(app, job.params["token"]) == []


# --- the command line -----------------------------------------------------------------------


STAGES = ["正在读取文件", "正在校验 12 行数据", "正在写入 6 个工作表", "正在写入 项目", "正在写入 年度计划",
          "正在写入 月度进展", "正在写入 专项债", "正在写入 专项债支出", "正在写入 问题",
          "正在保存导入记录和修改记录", "导入完成"]


def test_cli_progress_goes_to_stderr_and_the_summary_to_stdout(runner, tmp_path, users, park):
    path = tmp_path / "park.xlsx"
    path.write_bytes(workbook_with_everything())
    dry = runner.invoke(args=["import-xlsx", str(path), "--dry-run", "--progress"])
    assert dry.exit_code == 0, dry.output
    assert dry.stderr.splitlines() == ["正在读取文件", "正在校验 12 行数据", "检查完毕"]
    assert "试运行：未写入任何数据。" in dry.stdout and "正在" not in dry.stdout

    done = runner.invoke(args=["import-xlsx", str(path), "--progress"])
    assert done.exit_code == 0, done.output
    assert done.stderr.splitlines() == STAGES
    assert "项目：新增 1，修改 1，未变 0" in done.stdout and "已导入（导入记录 #1" in done.stdout

    quiet = runner.invoke(args=["import-xlsx", str(path)])  # no terminal: no bar by default
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    assert "数据与系统中一致，未做任何修改。" in quiet.stdout


def test_cli_refusal_with_progress_keeps_exit_code_and_errors_on_stderr(runner, tmp_path, park):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx({"月度进展": [["A1", 2026, 9, -3, "", ""]]}))
    result = runner.invoke(args=["import-xlsx", str(path), "--progress"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == ["正在读取文件", "正在校验 1 行数据", "发现 1 处问题，未导入",
                                          "月度进展 第2行 当月完成投资(万元)：不能为负数"]
    assert runner.invoke(args=["import-xlsx", str(tmp_path / "nope.xlsx"), "--progress"]).exit_code == 2


def test_cli_draws_a_progress_bar_on_a_terminal(app, tmp_path, users, park):
    """The real command in a terminal (stderr on a pseudo-terminal, stdout on a pipe)."""
    import pty

    path = tmp_path / "park.xlsx"
    path.write_bytes(workbook_with_everything())
    db.session.commit()
    master, slave = pty.openpty()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "import-xlsx", str(path)],
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the command closed the terminal
            break
        if not chunk:
            break
        terminal += chunk
    stdout = proc.stdout.read().decode()
    assert proc.wait(60) == 0, terminal.decode(errors="replace")
    os.close(master)
    screen = terminal.decode()
    assert "正在读取文件  [" in screen and "正在保存导入记录和修改记录  [" in screen
    assert "导入完成  [########################]  100%" in screen
    assert "已导入（导入记录 #1" in stdout and "正在" not in stdout
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1
