"""The brief's 三、进度滞后项目 shows each lagging project's latest photo of the month as a small
thumbnail; the published revision keeps it, whatever happens to the photo afterwards."""

from __future__ import annotations

import subprocess
from datetime import datetime

from sqlalchemy import select

from tests.photos import jpeg, site_picture
from tests.web.test_briefs import TICK, worked_park  # noqa: F401  (fixture)
from tracker.briefs.models import Brief
from tracker.extensions import db
from tracker.files import service as files
from tracker.files.models import REPORT
from tracker.settings import set_setting


def _photo(project, user, seed, month=3, caption="现场"):
    row = files.store(user_id=user.id, data=jpeg(site_picture(seed), taken=datetime(2026, month, 20)),
                      filename=f"{seed}.jpg", caption=caption, owner_kind=REPORT,
                      owner_id=project.id, project_id=project.id, year=2026, month=month,
                      images_only=True)
    db.session.commit()
    return row


def _lagging(html: str) -> str:
    return html.split("三、进度滞后项目")[1].split("四、问题督办情况")[0]


def _images(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return sum(1 for line in out.splitlines()[2:] if " jpeg " in f" {line} ")


def test_the_lagging_project_shows_its_latest_photo_of_the_month(
        worked_park, users, login, client, runner, tmp_path):  # noqa: F811
    _photo(worked_park["A2"], users["member"], 1, caption="旧照片")
    _photo(worked_park["A2"], users["member"], 2, caption="厂房封顶")
    _photo(worked_park["A2"], users["member"], 3, month=2)  # another month: not this brief's
    login(users["supervisor"])
    lagging = _lagging(client.get("/briefs/2026-03").get_data(as_text=True))
    assert lagging.count('class="brief-thumb" src="data:image/jpeg;base64,') == 1
    assert 'alt="厂房封顶"' in lagging
    out = tmp_path / "draft.pdf"
    assert runner.invoke(args=["brief", "render", "--period", "2026-03", "--out", str(out)]).exit_code == 0
    assert _images(out.read_bytes(), tmp_path) == 1

    set_setting("brief_photos", "0")
    db.session.commit()
    assert 'class="brief-thumb"' not in client.get("/briefs/2026-03").get_data(as_text=True)


def test_a_drafts_photo_is_not_in_the_brief(worked_park, users, login, client, make_project):  # noqa: F811
    from tracker.projects.models import MonthlyReport

    row = db.session.scalar(select(MonthlyReport).where(
        MonthlyReport.project_id == worked_park["A2"].id, MonthlyReport.month == 3))
    _photo(worked_park["A2"], users["member"], 1)
    from tracker.projects.models import ReportState

    row.state = ReportState.DRAFT
    db.session.commit()
    login(users["supervisor"])
    assert 'class="brief-thumb"' not in client.get("/briefs/2026-03").get_data(as_text=True)


def test_the_published_brief_keeps_its_thumbnail_after_the_photo_is_gone(
        worked_park, users, login, client):  # noqa: F811
    photo = _photo(worked_park["A2"], users["member"], 4, caption="厂房封顶")
    login(users["supervisor"])
    assert client.post("/briefs/2026-03/publish", data=TICK).status_code == 302
    first = client.get("/briefs/2026-03.pdf").data
    # The month is locked: the photo cannot be removed through the app ...
    response = client.post(f"/files/{photo.id}/delete", follow_redirects=True)
    assert "不能再增删" in response.get_data(as_text=True) or "已锁定" in response.get_data(as_text=True)
    # ... and even gone from the database, the frozen brief keeps what it showed.
    files.remove(user_id=users["admin"].id, row=photo)
    db.session.commit()
    brief = db.session.scalar(select(Brief))
    assert brief.snapshot["lagging"][0]["photo"].startswith("data:image/jpeg;base64,")
    assert client.get("/briefs/2026-03.pdf").data == first
    login(users["viewer"])  # the reader sees the published revision
    assert 'alt="厂房封顶"' in _lagging(client.get("/briefs/2026-03").get_data(as_text=True))


def test_the_word_brief_shows_the_lagging_projects_photo_above_its_progress(
        worked_park, users, login, client):  # noqa: F811
    from io import BytesIO

    from docx import Document

    _photo(worked_park["A2"], users["member"], 2, caption="厂房封顶")
    login(users["supervisor"])
    doc = Document(BytesIO(client.get("/briefs/2026-03.docx?draft=1").data))
    assert len(doc.inline_shapes) == 1
    cell = next(c for t in doc.tables for row in t.rows for c in row.cells
                if c._tc.xpath(".//pic:pic"))
    # The picture first, then the project's 形象进度 text in the same cell.
    assert cell.paragraphs[0]._p.xpath(".//pic:pic") and cell.paragraphs[1].text
    assert abs(doc.inline_shapes[0].width.mm - 24) < 0.5
