"""Sending a published brief to its readers (DESIGN.md section 12) through the mail channel:
a real SMTP server on loopback, a real job worker for the deliveries and their retries."""

from __future__ import annotations

import time

from sqlalchemy import select

from tests.web import test_briefs
from tests.web.notify_servers import smtp_server  # noqa: F401  (fixture)
from tests.web.test_briefs import TICK
from tracker.briefs.models import Brief
from tracker.extensions import db
from tracker.notify.models import Delivery, Notification

worked_park = test_briefs.worked_park  # the park of DESIGN.md section 9
READERS = {"brief_send_to": "区委办公室 <qwb@example.gov.cn>\n区政府办公室",
           "brief_copy_to": "发改委 <fgw@example.gov.cn>"}


def settings_form(**extra) -> dict:
    return {"park_name": "示范产业园区", "issuing_body": "园区管委会督查室", "contact": "",
            "yellow_threshold": "0", "red_threshold": "10", "milestone_due_days": "15",
            **READERS, **extra}


def wait_until(check, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_the_readers_are_settings_checked_next_to_the_field(users, login, client):
    login(users["admin"])
    bad = client.post("/admin/settings", data=settings_form(brief_copy_to="发改委 <不是邮箱>"))
    assert bad.status_code == 422
    assert "简报抄送名单：第1行的邮箱地址无效：不是邮箱" in bad.get_data(as_text=True)
    assert client.post("/admin/settings", data=settings_form()).status_code == 302
    # The first draft prints the readers' names.
    login(users["supervisor"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert 'value="区委办公室、区政府办公室"' in page and 'value="发改委"' in page


def test_a_published_brief_is_mailed_with_its_files_and_each_delivery_recorded(
        app, worked_park, users, login, client, smtp_server, monkeypatch, request):  # noqa: F811
    url, box = smtp_server
    monkeypatch.setenv("SMTP_URL", url)
    monkeypatch.setenv("NOTIFY_RETRY_SECONDS", "0.2")
    app.config.update(SMTP_URL=url, NOTIFY_RETRY_SECONDS=0.2)
    request.getfixturevalue("worker")
    login(users["admin"])
    client.post("/admin/settings", data=settings_form())
    login(users["supervisor"])
    assert client.post("/briefs/2026-03/send").status_code == 404  # nothing published yet
    client.post("/briefs/2026-03/publish", data=TICK)
    sent = client.post("/briefs/2026-03/send", data={"docx": "1"}, follow_redirects=True)
    assert "已发送给 2 位读者" in sent.get_data(as_text=True)
    messages = box.wait_for(2)
    assert sorted(to for tos, _ in messages for to in tos) == ["fgw@example.gov.cn", "qwb@example.gov.cn"]
    brief = db.session.scalar(select(Brief))
    _, msg = messages[0]
    assert msg["Subject"] == "【督办简报】示范产业园区重点项目督办简报〔2026〕第1期已发布"
    files = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    assert files == {"督办简报-2026-03-第1版.pdf": brief.pdf, "督办简报-2026-03-第1版.docx": brief.docx}
    assert "/briefs/2026-03" in msg.get_body(("plain",)).get_content()
    wait_until(lambda: all(n.state is Delivery.SENT for n in db.session.scalars(select(Notification))))
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert page.count("已发送</span>") == 2 and "区委办公室 &lt;qwb@example.gov.cn&gt;" in page
    # A second press sends nobody twice.
    again = client.post("/briefs/2026-03/send", follow_redirects=True).get_data(as_text=True)
    assert "已发送给 0 位读者（另有 2 位此前已发送，未重复）" in again
    # One reader again, with the server refusing: retried, then recorded with the reason.
    box.refuse = 10**6
    first = db.session.scalar(select(Notification).where(Notification.address.contains("qwb")))
    client.post(f"/briefs/2026-03/send/{first.id}")
    wait_until(lambda: db.session.scalar(select(Notification).where(
        Notification.step == "重发1")).state is Delivery.FAILED)
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert "重发1" in page and "失败</span>" in page and "550" in page
    login(users["member"])
    assert client.post("/briefs/2026-03/send").status_code == 403
