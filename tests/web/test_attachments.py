"""形象进度 photos on report rows: upload through a plain form, thumbnails in the row, the files
served with the row's read permission, bad uploads refused next to the field, removal rules."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.photos import bomb_png, jpeg, png, site_picture
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.files import service as files
from tracker.files.models import REPORT, StoredFile


@pytest.fixture
def park(users, make_project):
    """A1 led by the member, with no March row yet; B1 led by the other member."""
    return {
        "A1": make_project("A1", name="储能电站项目", plan=10000, lead=users["member"]),
        "B1": make_project("B1", name="装备制造基地项目", lead=users["other_member"]),
    }


def upload(client, code="A1", period="2026-03", pictures=(), caption=""):
    data = {"caption": caption, "photos": [(io.BytesIO(b), name) for name, b in pictures]}
    return client.post(f"/report/{period}/{code}/photos", data=data,
                       content_type="multipart/form-data")


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def photo(seed=1, taken=datetime(2026, 3, 20, 10, 0)) -> bytes:
    return jpeg(site_picture(seed, (1200, 900)), taken=taken)


def test_a_lead_attaches_two_photos_and_sees_their_thumbnails_in_the_row(client, park, users, login):
    login(users["member"])
    response = upload(client, pictures=[("工地东侧.JPG", photo(1)), ("塔吊.heic", photo(2))],
                      caption="主体结构施工至三层")
    assert response.status_code == 302 and response.headers["Location"].endswith("#row-A1")
    page = client.get("/report/2026-03").get_data(as_text=True)
    assert "已上传 2 张照片" in page
    ids = re.findall(r'src="/files/(\d+)/thumb"', page)
    assert len(ids) == 2 and "主体结构施工至三层" in page and "2/9" in page
    stored = db.session.get(StoredFile, int(ids[0]))
    assert (stored.filename, stored.taken_at, stored.uploaded_by_id) == (
        "工地东侧.jpg", datetime(2026, 3, 20, 10, 0), users["member"].id)
    full = client.get(f"/files/{ids[0]}")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.headers["Content-Disposition"].startswith("inline;")
    assert full.headers["Cache-Control"].startswith("private")
    thumb = client.get(f"/files/{ids[0]}/thumb")
    assert thumb.mimetype == "image/jpeg" and len(thumb.data) < len(full.data)
    # The audit trail names who attached what.
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.table_name == "files").order_by(AuditEntry.id)).all()
    assert [(e.action, e.new, e.user_id) for e in entries] == [
        ("create", "工地东侧.jpg", users["member"].id), ("create", "塔吊.jpg", users["member"].id)]


def test_the_form_works_on_the_phone_camera_and_without_javascript(client, park, users, login):
    login(users["member"])
    page = client.get("/report/2026-03").get_data(as_text=True)
    form = page.split('class="photo-upload"')[0].rsplit("<form", 1)[1]
    assert 'enctype="multipart/form-data"' in form and 'method="post"' in form
    assert 'accept="image/*"' in page and "multiple" in page


@pytest.mark.parametrize(("name", "content", "message"), [
    ("现场.jpg", "这是一个文本文件，不是图片。".encode() * 50, "无法识别的图片"),
    ("炸弹.png", bomb_png(), "解压炸弹"),
    ("说明.pdf", b"%PDF-1.4\n%%EOF\n", "无法识别的图片"),
])
def test_a_bad_photo_is_refused_next_to_the_field_and_nothing_is_stored(
        client, park, users, login, name, content, message):
    login(users["member"])
    response = upload(client, pictures=[("好照片.jpg", photo(1)), (name, content)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split('id="photos-A1"')[1].split("</div>")[0]
    assert "field-error" in error and message in error and name in error
    assert stored_count() == 0  # the good one of the same upload is not kept either


def test_an_upload_over_20_mb_is_refused_with_a_message(client, park, users, login):
    login(users["member"])
    response = upload(client, pictures=[("大图.jpg", b"\xff\xd8" + b"\0" * (21 * 1024 * 1024))])
    assert response.status_code == 413
    assert "超过 20 MB" in response.get_data(as_text=True)
    assert stored_count() == 0


def test_no_file_chosen_asks_for_one(client, park, users, login):
    login(users["member"])
    response = client.post("/report/2026-03/A1/photos", data={"caption": "", "photos": (io.BytesIO(b""), "")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要上传的照片" in response.get_data(as_text=True)


def test_at_most_nine_photos_per_project_month(app, client, park, users, login):
    app.config["PHOTOS_BACKGROUND_FROM"] = 100  # all in the request here
    login(users["member"])
    assert upload(client, pictures=[(f"{i}.png", png(site_picture(i, (64, 48)))) for i in range(8)]).status_code == 302
    response = upload(client, pictures=[("a.png", png(site_picture(20, (64, 48)))),
                                        ("b.png", png(site_picture(21, (64, 48))))])
    assert response.status_code == 422 and "最多 9 张" in response.get_data(as_text=True)
    assert stored_count() == 8


def _store(project, user, data=None, year=2026, month=3) -> StoredFile:
    row = files.store(user_id=user.id, data=data or photo(), filename="p.jpg", caption="",
                      owner_kind=REPORT, owner_id=project.id, project_id=project.id,
                      year=year, month=month, images_only=True)
    db.session.commit()
    return row


def test_a_draft_rows_photo_is_not_found_for_others_until_reported(
        client, park, users, login, make_project):
    from tracker.projects.models import MonthlyReport, ReportState

    row = MonthlyReport(project_id=park["A1"].id, year=2026, month=3, state=ReportState.DRAFT)
    db.session.add(row)
    stored = _store(park["A1"], users["member"])
    for who in ("other_member", "viewer"):
        login(users[who])
        assert client.get(f"/files/{stored.id}").status_code == 404
        assert client.get(f"/files/{stored.id}/thumb").status_code == 404
    login(users["supervisor"])
    assert client.get(f"/files/{stored.id}").status_code == 200
    row.state = ReportState.SUBMITTED
    db.session.commit()
    login(users["viewer"])
    assert client.get(f"/files/{stored.id}").status_code == 200
    assert client.get(f"/files/{stored.id + 1000}").status_code == 404  # a guessed id


def test_files_need_a_sign_in(client, park, users):
    stored = _store(park["A1"], users["member"])
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_lead_cannot_upload_to_a_row_not_theirs(client, park, users, login):
    login(users["other_member"])
    assert upload(client, pictures=[("x.jpg", photo())]).status_code == 403
    assert stored_count() == 0


def test_the_uploader_removes_a_photo_until_the_row_is_approved(client, park, users, login):
    from tracker.projects.models import MonthlyReport, ReportState

    mine = _store(park["A1"], users["member"])
    theirs = _store(park["A1"], users["supervisor"], photo(2))
    mine_id = mine.id
    login(users["member"])
    assert client.post(f"/files/{theirs.id}/delete").status_code == 403
    assert client.post(f"/files/{mine.id}/delete", data={"next": "/report/2026-03"}).status_code == 302
    assert db.session.get(StoredFile, mine_id) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delete"))
    assert (entry.table_name, entry.old, entry.user_id) == ("files", "p.jpg", users["member"].id)
    db.session.add(MonthlyReport(project_id=park["A1"].id, year=2026, month=3,
                                 state=ReportState.APPROVED))
    db.session.commit()
    login(users["supervisor"])
    response = client.post(f"/files/{theirs.id}/delete", follow_redirects=True)
    assert "已审核，照片不能再增删" in response.get_data(as_text=True)
    assert db.session.get(StoredFile, theirs.id) is not None


def test_the_supervisor_sees_a_reused_picture_flagged_as_suspected_duplicate(
        client, park, users, login):
    from tracker.projects.models import MonthlyReport, ReportState

    picture = site_picture(7)
    _store(park["A1"], users["member"], jpeg(picture, quality=92), month=2)
    # March: the same picture re-saved, and a fresh one taken in January (outside March ± 7 days).
    _store(park["A1"], users["member"], jpeg(picture, quality=70), month=3)
    _store(park["A1"], users["member"], photo(8, taken=datetime(2026, 1, 10)), month=3)
    db.session.add(MonthlyReport(project_id=park["A1"].id, year=2026, month=3,
                                 state=ReportState.SUBMITTED))
    db.session.commit()
    login(users["supervisor"])
    review = client.get("/report/2026-03").get_data(as_text=True)
    cell = review.split('id="review-A1"')[1].split("</tr>")[0]
    assert cell.count("/thumb") == 2
    assert cell.count("疑似重复") == 1 and cell.count("拍摄时间不符") == 1


def test_the_grid_reads_photos_in_a_fixed_number_of_queries(
        client, users, login, make_project, count_queries):
    def queries(n):
        for i in range(n):
            project = make_project(f"N{n}-{i}", lead=users["member"])
            _store(project, users["member"], png(site_picture(i, (64, 48))))
        login(users["member"])
        with count_queries() as q:
            assert client.get("/report/2026-03").status_code == 200
        return q.count

    assert queries(2) == queries(12)


def test_the_project_page_shows_reported_photos_month_by_month(client, park, users, login):
    from tracker.projects.models import MonthlyReport, ReportState

    db.session.add_all([
        MonthlyReport(project_id=park["A1"].id, year=2026, month=2, state=ReportState.APPROVED),
        MonthlyReport(project_id=park["A1"].id, year=2026, month=3, state=ReportState.DRAFT),
    ])
    feb = files.store(user_id=users["member"].id, data=photo(1, datetime(2026, 2, 12)),
                      filename="a.jpg", caption="桩基施工", owner_kind=REPORT,
                      owner_id=park["A1"].id, project_id=park["A1"].id, year=2026, month=2)
    _store(park["A1"], users["member"], photo(2))  # March: still the lead's draft
    login(users["viewer"])
    page = client.get("/projects/A1").get_data(as_text=True)
    gallery = page.split('id="photos"')[1].split("</section>")[0]
    assert "2026年2月" in gallery and "桩基施工" in gallery and "拍摄于 2026-02-12" in gallery
    assert f'href="/files/{feb.id}"' in gallery and "2026年3月" not in gallery
    login(users["member"])
    assert "2026年3月" in client.get("/projects/A1").get_data(as_text=True)
    # The register marks February, the reported month with a photo.
    login(users["viewer"])
    register = client.get("/projects?period=2026-02").get_data(as_text=True)
    assert register.count("有照片") == 1
    assert "有照片" not in client.get("/projects?period=2026-03").get_data(as_text=True)


def test_a_project_without_photos_says_so(client, park, users, login):
    login(users["member"])
    page = client.get("/projects/A1").get_data(as_text=True)
    assert "尚无形象进度照片" in page and "手机可直接拍照" in page


def test_the_project_page_reads_its_gallery_in_a_fixed_number_of_queries(
        client, park, users, login, count_queries):
    def queries(months):
        for m in months:
            _store(park["A1"], users["member"], png(site_picture(m, (64, 48))), month=m)
        login(users["member"])
        with count_queries() as q:
            assert client.get("/projects/A1").status_code == 200
        return q.count

    assert queries([1]) == queries(range(2, 10))


def test_a_bulk_upload_is_processed_by_the_worker_with_progress(
        app, client, park, users, login, worker, wait_for_job):
    from tracker.jobs.models import JobState

    login(users["member"])
    response = upload(client, pictures=[(f"{i}.jpg", photo(30 + i)) for i in range(5)])
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job = wait_for_job(int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state is JobState.DONE and job.message == "已上传 5 张照片。"
    assert db.session.scalar(select(func.count()).select_from(StoredFile).where(
        StoredFile.owner_kind == REPORT)) == 5
    assert stored_count() == 5  # the raw uploads are gone
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "返回月度填报" in page


def test_a_bad_photo_in_a_bulk_upload_fails_the_job_and_keeps_nothing(
        app, client, park, users, login, worker, wait_for_job):
    from tracker.jobs.models import JobState

    login(users["member"])
    pictures = [(f"{i}.jpg", photo(40 + i)) for i in range(4)] + [("坏.jpg", b"not an image" * 20)]
    response = upload(client, pictures=pictures)
    job = wait_for_job(int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state is JobState.FAILED and "坏.jpg" in job.message and "无法识别的图片" in job.message
    assert stored_count() == 0
