"""The work report in Chromium: a figure entered in its grid row without a reload, a paragraph
edited in place and restored with 恢复生成文本, the page at a phone's width and in print."""

import pytest

from tests.browser.conftest import screenshot
from tests.web import test_workreport_report
from tests.web.test_workreport_report import SENTENCES

worked_park = test_workreport_report.worked_park  # the park of DESIGN.md section 9
report_park = test_workreport_report.report_park  # with a quarter's work report data

pytestmark = pytest.mark.browser


def test_enter_a_figure_edit_a_paragraph_and_restore_it(page_as, users, report_park):
    boss = page_as(users["supervisor"])
    boss.goto(f"{boss.base}/work-report/data/indicators?period=2026-03")
    boss.evaluate("window.__marker = 'no reload'")
    row = boss.locator("article.wr-row", has_text="规上工业总产值")
    row.locator("input[name=cumulative]").fill("48.5")
    row.get_by_role("button", name="保存").click()
    boss.locator("article.wr-row", has_text="规上工业总产值").locator(".muted.small").wait_for()
    assert boss.evaluate("window.__marker") == "no reload"
    bad = boss.locator("article.wr-row", has_text="退税")
    bad.locator("input[name=last_year]").fill("很多")
    bad.get_by_role("button", name="保存").click()
    boss.locator("article.wr-row", has_text="退税").locator(".field-error").wait_for()
    screenshot(boss, "workreport-indicators")

    boss.goto(f"{boss.base}/work-report/2026-03")
    boss.evaluate("window.__marker = 'no reload'")
    para = boss.locator("#para-land")
    para.locator("summary").click()
    para.locator("textarea").fill("一季度收储土地120亩，东片区一期已交付。")
    para.get_by_role("button", name="保存此段").click()
    boss.locator("#para-land .badge", has_text="已修改").wait_for()
    assert boss.evaluate("window.__marker") == "no reload"
    boss.reload()
    assert "东片区一期已交付" in boss.locator("#para-land").inner_text()
    screenshot(boss, "workreport-draft")
    land = boss.locator("#para-land")
    land.locator("summary").click()
    land.get_by_role("button", name="恢复生成文本").click()
    boss.locator("#para-land .badge").wait_for(state="detached")
    assert SENTENCES[3] in boss.locator("#para-land > p").inner_text()

    phone = page_as(users["supervisor"], width=390, height=844)
    phone.goto(f"{phone.base}/work-report/2026-03")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "workreport-phone")
    phone.goto(f"{phone.base}/work-report/data/signed?year=2026")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "workreport-signed-phone")
    phone.emulate_media(media="print")
    phone.goto(f"{phone.base}/work-report/2026-03")
    assert not phone.locator("#publish").is_visible()
    assert phone.locator("h2", has_text="三、下一步工作计划").is_visible()
