"""Attachments in Chromium at phone width, as a new user meets them: a lead attaches two photos
to a row and reports; the supervisor sees them with a 疑似重复 flag on a re-used picture; a
member moves an issue to 待确认 only with evidence attached."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SHOTS, screenshot
from tests.photos import jpeg, site_picture
from tests.web import test_issues as _shared
from tracker.extensions import db
from tracker.files import service as files
from tracker.files.models import REPORT
from tracker.periods import last_completed_month

pytestmark = pytest.mark.browser

make_issue = _shared.make_issue
PHONE = {"width": 390, "height": 844}


def _file(name: str, data: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_a_lead_attaches_photos_and_the_supervisor_sees_a_reused_one_flagged(page_as, users, make_project):
    project = make_project("A1", name="储能电站项目", plan=10000, lead=users["member"])
    reused = site_picture(11)
    # February's photo, already on file: March's second picture is the same one re-saved.
    files.store(user_id=users["member"].id, data=jpeg(reused, taken=datetime(2026, 2, 20)),
                filename="二月.jpg", caption="二月现场", owner_kind=REPORT, owner_id=project.id,
                project_id=project.id, year=2026, month=2, images_only=True)
    db.session.commit()

    lead = page_as(users["member"], **PHONE)
    lead.goto(f"{lead.base}/report/2026-03")
    row = lead.locator("#row-A1")
    row.locator("input[name=photos]").set_input_files([
        _file("东侧.jpg", jpeg(site_picture(12), taken=datetime(2026, 3, 18, 9, 0))),
        _file("塔吊.jpg", jpeg(reused, taken=datetime(2026, 3, 25, 15, 0), quality=70)),
    ])
    row.locator("input[name=caption]").fill("主体结构施工至三层")
    row.get_by_role("button", name="上传照片").click()
    expect(lead.locator(".flash-success")).to_contain_text("已上传 2 张照片")
    thumbs = lead.locator("#row-A1 .photo img")
    expect(thumbs).to_have_count(2)
    for thumb in thumbs.all():  # lazy images load once on screen
        thumb.scroll_into_view_if_needed()
        lead.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                               arg=thumb.element_handle())
    assert lead.evaluate("document.documentElement.scrollWidth") <= 390
    expect(lead.locator("#row-A1 .photo-flag")).to_have_text(["疑似重复"])
    screenshot(lead, "attachments-row-390")
    row = lead.locator("#row-A1")
    row.locator("input[name=amount]").fill("800")
    row.locator("textarea[name=progress_text]").fill("主体结构施工至三层")
    row.get_by_role("button", name="保存并报送").click()
    expect(lead.locator("#row-A1 [data-state]")).to_have_text("已报送")

    boss = page_as(users["supervisor"], **PHONE)
    boss.goto(f"{boss.base}/report/2026-03")
    cell = boss.locator("#review-A1")
    expect(cell.locator("img")).to_have_count(2)
    expect(cell.locator(".photo-flag")).to_have_text(["疑似重复"])
    screenshot(boss, "attachments-review-390")


def test_a_member_needs_evidence_to_ask_for_confirmation(page_as, users, make_issue):
    issue = make_issue("储能电站二期约30亩土地尚未交付。", unit="园区经济发展局", state="办理中")
    unit = page_as(users["member"], **PHONE)
    unit.goto(f"{unit.base}/issues/{issue.number}")
    unit.fill("#comment", "土地已完成交付，申请办结确认。")
    unit.get_by_role("button", name="办结，申请确认").click()
    expect(unit.locator(".field-error")).to_contain_text("办结需佐证")
    expect(unit.locator("#issue-state")).to_have_text("办理中")
    unit.locator("#evidence").set_input_files(
        [_file("交地确认书.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")])
    unit.fill("#comment", "土地已完成交付，申请办结确认。")
    unit.get_by_role("button", name="办结，申请确认").click()
    expect(unit.locator("#issue-state")).to_have_text("待确认")
    expect(unit.locator(".issue-log")).to_contain_text("交地确认书.pdf")
    screenshot(unit, "attachments-evidence-390")


@pytest.mark.demo_park
def test_the_demo_park_shows_photos_flags_and_the_briefs_thumbnails(page_as, runner, today):
    assert runner.invoke(args=["demo"]).exit_code == 0
    month = last_completed_month(today)  # the month of the demo's photos
    boss = page_as("duchashi", password="duban-super", width=1280)
    boss.goto(f"{boss.base}/report/{month}")
    expect(boss.locator(".review-table .photo-flag", has_text="拍摄时间不符")).to_have_count(1)
    expect(boss.locator(".review-table .photo-flag", has_text="疑似重复")).to_have_count(1)
    boss.goto(f"{boss.base}/briefs/{month}")
    lagging = boss.locator("table.brief-lagging")
    thumbs = lagging.locator("img.brief-thumb")
    assert thumbs.count() >= 1
    boss.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=thumbs.first.element_handle())
    screenshot(boss, "attachments-brief")
    if SHOTS is not None:
        lagging.screenshot(path=str(SHOTS / "attachments-brief-lagging.png"))
    boss.goto(f"{boss.base}/projects/SZ-01")
    expect(boss.locator("#photos figure")).to_have_count(1)
    screenshot(boss, "attachments-gallery")
