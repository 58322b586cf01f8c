"""Issue 15's done-when in Chromium, on the demo park with no configuration: a supervisor
presses 催报, the lead sees the bell rise, opens the notification and lands on the grid, and
the e-mail waits in instance/outbox/ as an .eml; the pages fit a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tracker.periods import last_completed_month
from tracker.reminders.due import Rules, due_day

pytestmark = pytest.mark.browser


@pytest.mark.demo_park
def test_a_supervisor_presses_cuibao_and_the_lead_sees_the_bell_and_the_eml(app, page_as, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    outbox = Path(app.instance_path, "outbox")
    before = set(outbox.glob("*.eml"))
    office = page_as("duchashi", password="duban-super")
    office.goto(office.base + "/")
    card = office.locator("#not-submitted")
    assert "报送率" in card.inner_text()
    row = card.locator("tr", has_text="张伟")
    row.locator("button", has_text="催报").click()
    flash = office.locator(".flash-success").inner_text()
    assert "已催报：张伟（zhangwei）（站内、邮件）" in flash
    screenshot(office, "notifications-cuibao-dashboard")

    [eml] = set(outbox.glob("*.eml")) - before
    assert b"zhangwei@example.com" in eml.read_bytes()

    lead = page_as("zhangwei", password="duban-member")
    lead.goto(lead.base + "/")
    bell = lead.locator("#bell")
    assert bell.get_attribute("aria-label") == "通知（1条未读）"
    bell.click()
    assert "尚未报送" in lead.locator(".notice-list").inner_text()
    screenshot(lead, "notifications-list")
    lead.locator(".notice-item button", has_text="打开").first.click()
    assert "/report/" in lead.url
    assert lead.locator("#bell").get_attribute("aria-label") == "通知"


@pytest.mark.demo_park
def test_notification_pages_fit_a_phone(page_as, runner, today):
    assert runner.invoke(args=["demo"]).exit_code == 0
    # The reminders of the day reports of the demo's month fall due (the demo follows today).
    due = due_day(last_completed_month(today), Rules())
    runner.invoke(args=["remind", "--date", due.isoformat()])
    lead = page_as("zhangwei", password="duban-member", width=390, height=844)
    for url in ("/notifications", "/account/notifications", "/"):
        lead.goto(lead.base + url)
        assert lead.evaluate("document.documentElement.scrollWidth") <= 390, url
    lead.goto(lead.base + "/notifications")
    assert lead.locator("#bell .count-badge").is_visible()  # beside 菜单, not folded away
    screenshot(lead, "notifications-390")
    admin = page_as("admin", password="duban-admin", width=390, height=844)
    for url in ("/admin/notifications", "/admin/notifications/settings"):
        admin.goto(admin.base + url)
        assert admin.evaluate("document.documentElement.scrollWidth") <= 390, url
    admin.goto(admin.base + "/admin/notifications")
    screenshot(admin, "admin-notifications-390")
