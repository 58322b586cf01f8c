"""Notifications in the app: the bell's count on every page, /notifications with mark-read and
mark-all-read, each item opening its page, and the admins' delivery list."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.notify.models import Channel, Delivery, Notification
from tracker.notify.service import send
from tracker.reminders.due import Reminder

BASE = "http://duban.example"


def remind(user, subject: str = "2026-11", step: str = "R", kind: str = "催报") -> None:
    text = f"【{kind}】您负责的1个项目尚未报送2026年11月进展（12月5日截止）：A1项目。请登录填报：{{link}}"
    send([Reminder(kind, subject, user.id, step, text, "/report/2026-11")], BASE)


def bell(html: str) -> str:
    start = html.index('id="bell"')
    return html[start:html.index("</a>", start)]


def test_the_bell_counts_unread_notifications_and_the_list_opens_their_page(client, login, users):
    lead = users["member"]
    login(lead)
    assert "count-badge" not in bell(client.get("/").get_data(as_text=True))
    remind(lead)
    remind(lead, step="R+2")
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="通知（2条未读）"' in bell(html)
    page = client.get("/notifications").get_data(as_text=True)
    assert "2 条未读" in page and "尚未报送2026年11月进展" in page and "{link}" not in page
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    answer = client.post(f"/notifications/{first.id}/open")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/report/2026-11")
    assert 'aria-label="通知（1条未读）"' in bell(client.get("/notifications").get_data(as_text=True))
    client.post("/notifications/read-all")
    html = client.get("/notifications").get_data(as_text=True)
    assert "没有未读通知" in html and "count-badge" not in bell(html)


def test_mark_read_one_item_and_the_htmx_bell_fragment(client, login, users):
    lead = users["member"]
    remind(lead)
    login(lead)
    n = db.session.scalar(select(Notification))
    client.post(f"/notifications/{n.id}/read")
    assert db.session.get(Notification, n.id).read_at is not None
    fragment = client.get("/notifications/bell").get_data(as_text=True)
    assert fragment.strip().startswith("<a class=\"bell\"") and "count-badge" not in fragment
    assert 'hx-trigger="every 60s"' in fragment


def test_nobody_reads_or_opens_anothers_notification(client, login, users):
    remind(users["member"])
    n = db.session.scalar(select(Notification))
    login(users["other_member"])
    assert client.post(f"/notifications/{n.id}/open").status_code == 404
    assert client.post(f"/notifications/{n.id}/read").status_code == 404
    assert db.session.get(Notification, n.id).read_at is None
    assert "暂无通知" in client.get("/notifications").get_data(as_text=True)


def test_the_same_reminder_sent_twice_is_recorded_once(app, users):
    lead = users["member"]
    remind(lead)
    remind(lead)
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    lead.email, lead.notify_email = "lead1@example.com", True
    db.session.commit()
    remind(lead)  # the e-mail is new, the in-app one is not
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(r.channel, r.state) for r in rows] == [(Channel.APP, Delivery.SENT), (Channel.EMAIL, Delivery.SENT)]


def test_notification_pages_run_a_fixed_number_of_queries(client, login, users, count_queries):
    lead = users["member"]
    login(lead)

    def queries() -> int:
        with count_queries() as q:
            assert client.get("/notifications").status_code == 200
        return q.count

    remind(lead)
    few = queries()
    for i in range(40):
        remind(lead, subject=f"DB-2026-{i:04d}", kind="催办")
    assert queries() == few


def test_admins_list_deliveries_with_filters_and_others_may_not(client, login, users):
    remind(users["member"])
    remind(users["other_member"], kind="催办", subject="DB-2026-0001")
    login(users["admin"])
    html = client.get("/admin/notifications").get_data(as_text=True)
    assert "共 2 条" in html and "张伟（lead1）" in html and "李娜（lead2）" in html
    html = client.get("/admin/notifications?kind=催办").get_data(as_text=True)
    assert "共 1 条" in html and "李娜（lead2）" in html and "张伟（lead1）" not in html
    assert "没有符合条件" in client.get("/admin/notifications?state=失败").get_data(as_text=True)
    client.post("/logout")
    login(users["supervisor"])
    assert client.get("/admin/notifications").status_code == 403
