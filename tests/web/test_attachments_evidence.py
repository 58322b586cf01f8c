"""Evidence (佐证) on issues: images and PDF on log entries, 办结需佐证 on the move to 待确认,
served as downloads with the issue's read permission, named on the supervision notice."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.photos import PDF_WITH_JAVASCRIPT, jpeg, site_picture
from tests.web import test_issues as _shared
from tests.web.test_issues_notice import _pages, _text
from tracker.extensions import db
from tracker.files.models import ISSUE_EVENT, StoredFile
from tracker.issues.models import Issue, IssueState
from tracker.settings import set_setting

make_issue = _shared.make_issue


def act(client, issue, action, comment="说明", files=()):
    db.session.expire_all()
    issue = db.session.get(Issue, issue.id)
    data = {"action": action, "comment": comment, "version": issue.version,
            "evidence": [(io.BytesIO(b), name) for name, b in files]}
    return client.post(f"/issues/{issue.number}/act", data=data, content_type="multipart/form-data")


def state(issue) -> IssueState:
    db.session.expire_all()
    return db.session.get(Issue, issue.id).state


def evidence_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile).where(
        StoredFile.owner_kind == ISSUE_EVENT))


@pytest.fixture
def started(client, login, users, make_issue):
    issue = make_issue(state="办理中")
    login(users["member"])
    return issue


def test_a_member_cannot_ask_for_confirmation_without_evidence(client, started):
    entries = len(started.events)
    response = act(client, started, "submit", "已办结")
    assert response.status_code == 422
    field = response.get_data(as_text=True).split('id="evidence"')[1].split("</div>")[0]
    assert "办结需佐证" in field and "field-error" in field
    assert state(started) is IssueState.IN_PROGRESS
    assert len(db.session.get(Issue, started.id).events) == entries  # no entry added


def test_with_a_pdf_attached_the_move_goes_through_and_the_pdf_downloads(client, started):
    response = act(client, started, "submit", "土地已交付", files=[("交地确认书.pdf", PDF_WITH_JAVASCRIPT)])
    assert response.status_code == 302
    assert state(started) is IssueState.AWAITING_CONFIRMATION
    stored = db.session.scalar(select(StoredFile))
    assert (stored.filename, stored.kind, stored.owner_kind) == ("交地确认书.pdf", "pdf", ISSUE_EVENT)
    page = client.get(f"/issues/{started.number}").get_data(as_text=True)
    assert f'href="/files/{stored.id}"' in page and "交地确认书.pdf" in page
    download = client.get(f"/files/{stored.id}")
    # A PDF that may carry JavaScript is never shown inline: a download, in a sandbox.
    assert download.mimetype == "application/pdf" and download.data == PDF_WITH_JAVASCRIPT
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["Cache-Control"].startswith("private")
    assert client.get(f"/files/{stored.id}/thumb").status_code == 404


def test_evidence_on_an_earlier_progress_entry_is_enough(client, started):
    photo = jpeg(site_picture(5, (800, 600)))
    assert act(client, started, "progress", "已完成场地平整", files=[("现场.jpg", photo)]).status_code == 302
    assert act(client, started, "submit", "已办结").status_code == 302
    assert state(started) is IssueState.AWAITING_CONFIRMATION


def test_with_the_setting_off_no_evidence_is_needed(client, started):
    set_setting("evidence_required", "0")
    db.session.commit()
    assert act(client, started, "submit", "已办结").status_code == 302
    assert state(started) is IssueState.AWAITING_CONFIRMATION


@pytest.mark.parametrize(("files", "message"), [
    ([(f"{i}.pdf", b"%PDF-1.4\n%%EOF\n") for i in range(6)], "最多 5 个"),
    ([("现场.jpg", "这是文字，不是图片".encode() * 40)], "无法识别的文件"),
])
def test_bad_evidence_is_refused_next_to_the_field_and_nothing_moves(client, started, files, message):
    response = act(client, started, "submit", "已办结", files=files)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).split('id="evidence"')[1].split("</div>")[0]
    assert state(started) is IssueState.IN_PROGRESS and evidence_count() == 0


def test_everyone_who_reads_the_issue_reads_its_evidence_a_guessed_id_is_not_found(
        client, started, users, login):
    act(client, started, "progress", "材料已报送", files=[("报送材料.pdf", b"%PDF-1.4\n%%EOF\n")])
    stored = db.session.scalar(select(StoredFile))
    login(users["viewer"])
    assert client.get(f"/files/{stored.id}").status_code == 200
    assert client.get(f"/files/{stored.id + 7}").status_code == 404


def test_the_notice_lists_the_evidence_files_by_name(client, started, users, login, tmp_path):
    act(client, started, "submit", "已办结", files=[("交地确认书.pdf", b"%PDF-1.4\n%%EOF\n"),
                                                     ("现场照片.jpg", jpeg(site_picture(6, (640, 480))))])
    login(users["supervisor"])
    pdf = client.get(f"/issues/{started.number}/notice.pdf").data
    text = _text(pdf, tmp_path).replace(" ", "")
    assert "佐证材料（2个）：交地确认书.pdf、现场照片.jpg" in text
    assert _pages(pdf, tmp_path) == 1


def test_an_admin_turns_the_rule_off_on_the_settings_page_audited(client, login, users, started):
    from tracker.audit.models import AuditEntry

    login(users["admin"])
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "办结需佐证" in page and "简报滞后项目附照片" in page
    form = {"park_name": "示范产业园区", "issuing_body": "园区管委会督查室", "yellow_threshold": "0",
            "red_threshold": "10", "evidence_required": "0", "brief_photos": "1"}
    assert client.post("/admin/settings", data={**form, "evidence_required": "也许"}).status_code == 422
    assert client.post("/admin/settings", data=form).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "evidence_required"))
    assert (entry.old, entry.new, entry.record_label) == ("1", "0", "办结需佐证")
    login(users["member"])
    assert act(client, started, "submit", "已办结").status_code == 302
    assert state(started) is IssueState.AWAITING_CONFIRMATION


def test_evidence_is_removed_by_its_uploader_only_while_the_issue_is_worked(
        client, started, users, login):
    act(client, started, "progress", "材料", files=[("a.pdf", b"%PDF-1.4\n%%EOF\n")])
    act(client, started, "progress", "材料", files=[("b.pdf", b"%PDF-1.4\n%%EOF\n")])
    first, second = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()
    first_id, second_id = first.id, second.id
    login(users["other_member"])
    assert client.post(f"/files/{first_id}/delete").status_code == 403
    login(users["member"])
    assert client.post(f"/files/{first_id}/delete").status_code == 302
    assert db.session.get(StoredFile, first_id) is None
    assert act(client, started, "submit", "已办结").status_code == 302  # b.pdf is enough
    response = client.post(f"/files/{second_id}/delete", follow_redirects=True)
    assert "只能由督查室删除" in response.get_data(as_text=True)
    assert db.session.get(StoredFile, second_id) is not None
