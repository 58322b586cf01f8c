"""The monthly cycle in Chromium (issue 13): nothing typed is lost, counts follow each action."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_typed_text_survives_a_reload_and_leaving_asks_first(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, lead=users["member"],
                 months={m: 500 for m in range(1, 7)})
    lead = page_as(users["member"])
    lead.goto(f"{lead.base}/report/2026-07")
    lead.locator("#row-A1 textarea[name=progress_text]").fill("主体结构封顶，设备进场")
    dialogs = []
    lead.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    lead.reload()
    assert dialogs == ["beforeunload"]
    row = lead.locator("#row-A1")
    assert row.locator("textarea[name=progress_text]").input_value() == "主体结构封顶，设备进场"
    assert "已恢复上次未保存的输入" in row.inner_text()
    screenshot(lead, "report-row-restored")
    # Saved: nothing is kept, and leaving no longer asks.
    row.locator("input[name=amount]").fill("100")
    row.get_by_role("button", name="保存草稿").click()
    lead.locator("#row-A1 [data-state]", has_text="草稿").wait_for()
    assert "草稿 1" in lead.locator("#report-summary").inner_text()
    lead.reload()
    assert dialogs == ["beforeunload"]
    assert "已恢复" not in lead.locator("#row-A1").inner_text()


def test_a_phone_gets_a_compact_bar_with_a_menu(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, lead=users["member"], months={1: 500})
    phone = page_as(users["supervisor"], width=390, height=844)
    phone.goto(f"{phone.base}/")
    assert phone.locator("header.topbar").bounding_box()["height"] <= 60
    nav = phone.locator("nav.mainnav")
    assert not nav.is_visible()
    phone.click("label.menu-button")
    assert nav.is_visible() and nav.get_by_text("督办事项").is_visible()
    screenshot(phone, "phone-menu-open")
    # Print: the stylesheet asks for A4 landscape.
    import re
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        out.write(phone.pdf(prefer_css_page_size=True, print_background=True))
        out.flush()
        info = subprocess.run(["pdfinfo", out.name], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert round(width) == 842 and round(height) == 595


def test_a_lead_saves_and_reports_the_whole_grid_in_one_action(page_as, users, make_project):
    for code in ("A1", "A2", "A3"):
        make_project(code, plan=10000, lead=users["member"], months={m: 500 for m in range(1, 7)})
    lead = page_as(users["member"])
    lead.goto(f"{lead.base}/report/2026-07")
    lead.locator("#row-A1 input[name=amount]").fill("100")  # typed, not saved
    lead.locator("#row-A2 input[name=amount]").fill("-5")  # refused in place
    lead.locator("#row-A3 input[name=amount]").fill("300")
    lead.get_by_role("button", name="保存并报送全部").click()
    lead.locator("#row-A3 [data-state]", has_text="已报送").wait_for()
    assert "已报送" in lead.locator("#row-A1 [data-state]").inner_text()
    assert "不能为负数" in lead.locator("#row-A2").inner_text()
    assert lead.locator("#row-A2 input[name=amount]").input_value() == "-5"
    assert "已报送 2" in lead.locator("#report-summary").inner_text()
    screenshot(lead, "report-grid-save-all")


def test_a_whole_month_as_the_roles_walk_it(page_as, users, make_project):
    """Lead reports everything at once, the office returns one row, the lead answers from the
    home card, the office approves, checks before publishing with a project unreported, and
    publishes."""
    for code, name in (("A1", "储能电站项目"), ("A2", "新材料产业园项目")):
        make_project(code, name=name, plan=10000, lead=users["member"],
                     months={m: 500 for m in range(1, 7)})
    make_project("B1", name="装备制造基地项目", plan=8000, lead=users["other_member"],
                 months={m: 400 for m in range(1, 7)})

    lead = page_as(users["member"])
    lead.goto(f"{lead.base}/report/2026-07")
    lead.locator("#row-A1 input[name=amount]").fill("600")
    lead.locator("#row-A1 textarea[name=progress_text]").fill("设备安装")
    lead.locator("#row-A2 input[name=amount]").fill("450")
    lead.get_by_role("button", name="保存并报送全部").click()
    lead.locator("#row-A2 [data-state]", has_text="已报送").wait_for()

    office = page_as(users["supervisor"])
    office.goto(f"{office.base}/report/2026-07?state=submitted")
    assert office.locator("tr[id^=review-]").count() == 2
    screenshot(office, "review-table-1280")
    office.locator("#review-A2 input[name=comment]").fill("请补充形象进度")
    office.locator("#review-A2 input[name=comment]").press("Enter")
    office.locator("#review-A2 [data-state]", has_text="退回").wait_for()
    phone_office = page_as(users["supervisor"], width=390, height=844)
    phone_office.goto(f"{phone_office.base}/report/2026-07")
    screenshot(phone_office, "review-table-390")

    lead.goto(f"{lead.base}/")
    card = lead.locator("#my-reports")
    assert "退回意见：请补充形象进度" in card.inner_text()
    screenshot(lead, "lead-home-1280")
    phone_lead = page_as(users["member"], width=390, height=844)
    phone_lead.goto(f"{phone_lead.base}/")
    screenshot(phone_lead, "lead-home-390")
    card.get_by_role("link", name="新材料产业园项目").first.click()
    row = lead.locator("#row-A2")
    row.locator("textarea[name=progress_text]").fill("厂房主体完工，设备进场")
    row.get_by_role("button", name="保存并报送").click()
    lead.locator("#row-A2 [data-state]", has_text="已报送").wait_for()

    office.goto(f"{office.base}/report/2026-07")
    office.once("dialog", lambda d: d.accept())  # approve-all asks once, naming its count
    office.get_by_role("button", name="全部审核通过（2）").click()
    office.wait_for_load_state("networkidle")
    assert "已审核 2" in office.locator("#report-summary").inner_text()

    office.goto(f"{office.base}/briefs")
    office.fill("input[name=period]", "2026-07")
    office.click("text=新建 / 打开草稿")
    office.wait_for_url("**/briefs/2026-07")
    # 下步工作 is saved on the server as it is typed: another browser's reload still has it.
    office.locator("#next_steps").fill("抓好三季度项目调度。")
    office.locator("#draft-autosave", has_text="已自动保存").wait_for()
    office.evaluate("localStorage.clear()")
    office.reload()
    assert office.locator("#next_steps").input_value() == "抓好三季度项目调度。"
    check = office.locator("#publish-check")
    assert "未报送 1 个项目" in check.inner_text()  # B1's lead has not reported July
    screenshot(office, "publish-check-1280")
    phone_office.goto(f"{phone_office.base}/briefs/2026-07")
    screenshot(phone_office, "publish-check-390")
    office.check("input[name=accept_incomplete]")
    office.click("text=发布（〔2026〕第1期）")
    office.wait_for_url("**/briefs/2026-07")
    assert office.get_by_text("已发布〔2026〕第1期（第1版）").is_visible()
