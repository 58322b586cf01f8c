"""The supervision notice (督办通知单): one A4 page with the issue and its log, in Chinese."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from tests.web import test_issues as _shared
from tracker.extensions import db
from tracker.issues.service import move

make_issue = _shared.make_issue  # fixtures shared with the list's tests


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_notice_carries_the_issue_and_its_log(client, login, users, make_issue, make_project,
                                                  today, tmp_path):
    p = make_project("A2", name="新材料产业园项目")
    issue = make_issue("项目二期约80亩土地未完成征收交付，影响整体开工。", project=p,
                       category="土地交付进度慢", unit="园区自然资源分局", person="赵敏",
                       level="挂牌督办", deadline=today - timedelta(days=6))
    move(users["supervisor"], issue, "urge", comment="请于本周内反馈征收进展", version=issue.version,
         effective_on=today)
    db.session.commit()
    login(users["viewer"])
    response = client.get(f"/issues/{issue.number}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data, tmp_path)
    for expected in ("督办通知单", issue.number, "新材料产业园项目", "土地交付进度慢",
                     "项目二期约80亩土地未完成征收交付", "园区自然资源分局", "赵敏", "挂牌督办",
                     "逾期6天", "办理记录", "交办", "催办", "请于本周内反馈征收进展"):
        assert expected in text, expected
    assert "第1页共1页" in text.replace(" ", "")
    assert _pages(response.data, tmp_path) == 1


def test_a_long_log_still_fits_one_page(client, login, users, make_issue, today, tmp_path):
    issue = make_issue("园区层面交通组织问题。" + "施工车辆与村道通行冲突。" * 90)
    for n in range(30):
        move(users["supervisor"], issue, "urge", comment=f"第{n + 1}次催办：" + "请尽快落实。" * 12,
             version=issue.version, effective_on=today)
        db.session.commit()
    login(users["supervisor"])
    pdf = client.get(f"/issues/{issue.number}/notice.pdf").data
    text = _text(pdf, tmp_path)
    assert _pages(pdf, tmp_path) == 1
    assert "第30次催办" in text and "共 31 条" in text and "第24次催办" not in text
    assert "园区层面" in text and "全文见督办系统" in text


def test_an_unknown_issue_has_no_notice(client, login, users):
    login(users["viewer"])
    assert client.get("/issues/DB-2026-9999/notice.pdf").status_code == 404


def test_the_notice_has_a_number_a_contact_a_receipt_and_the_sentence_of_its_state(
        client, login, users, make_issue, make_project, today, tmp_path):
    from tracker.settings import set_setting

    set_setting("contact", "督查室 王某 0000-1234567")
    db.session.commit()
    issue = make_issue("土地手续尚未办结。", unit="园区自然资源分局", deadline=today + timedelta(days=9))
    login(users["supervisor"])
    text = _text(client.get(f"/issues/{issue.number}/notice.pdf").data, tmp_path).replace(" ", "")
    assert f"通知单编号：{issue.number}-{today:%Y%m%d}" in text
    assert "联系人：督查室王某0000-1234567" in text and "签收单位" in text and "签收人" in text
    assert "请于办结时限前办结" in text
    for action, comment in (("start", "已启动"), ("submit", "已办结，请确认"), ("confirm", "同意销号")):
        move(users["supervisor"], issue, action, comment=comment, version=issue.version,
             effective_on=today)
        db.session.commit()
    closed = _text(client.get(f"/issues/{issue.number}/notice.pdf").data, tmp_path).replace(" ", "")
    assert "办结销号，特此告知" in closed and "请于办结时限前办结" not in closed
    assert _pages(client.get(f"/issues/{issue.number}/notice.pdf").data, tmp_path) == 1


def test_supervisors_have_a_navigation_entry_for_issues_awaiting_confirmation(
        client, login, users, make_issue, today):
    issue = make_issue("待确认的问题。", unit="园区自然资源分局", deadline=today + timedelta(days=9))
    for action in ("start", "submit"):
        move(users["supervisor"], issue, action, comment="—", version=issue.version, effective_on=today)
        db.session.commit()
    login(users["supervisor"])
    page = client.get("/").get_data(as_text=True)
    assert '>待确认 <span class="count-badge"' in page and "%E5%BE%85%E7%A1%AE%E8%AE%A4" in page
    login(users["viewer"])
    assert ">待确认 <span" not in client.get("/").get_data(as_text=True)


def test_a_notice_asked_again_is_the_same_file_and_a_change_makes_a_new_one(
        client, login, users, make_issue, today, tmp_path):
    """The same document is laid out once per process (tracker.pdf.RENDERED); what changed
    shows in the next download at once."""
    from tracker.pdf import RENDERED

    issue = make_issue("标准厂房项目配套道路未完成。")
    login(users["supervisor"])
    first = client.get(f"/issues/{issue.number}/notice.pdf").data
    hits = RENDERED.hits
    assert client.get(f"/issues/{issue.number}/notice.pdf").data == first
    assert RENDERED.hits == hits + 1  # served from memory, not rendered again
    move(users["supervisor"], issue, "urge", comment="请三日内反馈", version=issue.version,
         effective_on=today)
    db.session.commit()
    again = client.get(f"/issues/{issue.number}/notice.pdf").data
    assert again != first and "请三日内反馈" in _text(again, tmp_path)
    assert RENDERED.hits == hits + 1
