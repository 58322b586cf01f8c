"""A supervisor uploads the park's workbook, reads the preview, confirms; a bad file is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import screenshot
from tests.web.test_workbook_import import project_row, xlsx
from tracker.extensions import db
from tracker.models import ImportBatch, Project

pytestmark = pytest.mark.browser


def test_upload_preview_confirm(page_as, users, make_project, tmp_path):
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000}, lead=users["member"])
    good = tmp_path / "园区台账.xlsx"
    good.write_bytes(xlsx({
        "项目": [project_row(code="B1", lead="张伟", unit="园区招商局"),
                project_row(code="A1", name="储能电站项目", level="省重点", lead="lead1")],
        "年度计划": [["B1", 2026, 8000], ["A1", 2026, 12000]],
        "月度进展": [["B1", 2026, 1, 500.5, "场地平整", "桩基施工"], ["A1", 2026, 1, 1100, "主体施工", ""]],
        "问题": [["E-1", "B1", "资金不足", "配套资金未到位", "园区财政局", "赵六", "重点督办",
                 date(2026, 2, 10), date(2026, 3, 15), "已办结", date(2026, 3, 20)]],
    }))
    bad = tmp_path / "有错误.xlsx"
    bad.write_bytes(xlsx({"月度进展": [["A1", 2026, 13, -5, "", ""], ["ZZ", 2026, 1, 1.234, "", ""]]}))

    page = page_as(users["supervisor"])
    page.click("text=导入导出")
    assert page.locator("h1").first.inner_text().startswith("导入导出")

    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并预览")
    errors = page.locator("#import-errors li").all_inner_texts()
    assert errors == [
        "月度进展 第2行 月份：应为1至12之间的整数",
        "月度进展 第2行 当月完成投资(万元)：不能为负数",
        "月度进展 第3行 项目编号：项目“ZZ”不存在（项目表和系统中均没有）",
        "月度进展 第3行 当月完成投资(万元)：最多保留两位小数",
    ]
    screenshot(page, "workbook-import-errors")

    page.set_input_files("input[name=file]", str(good))
    page.click("text=上传并预览")
    assert "导入预览" in page.locator("#preview h2").inner_text()
    assert "将新建单位 3 个" in page.locator("#preview").inner_text()
    assert db.session.scalar(select(func.count(Project.id))) == 1, "the preview wrote something"
    screenshot(page, "workbook-import-preview")

    page.click("text=确认导入")
    page.wait_for_load_state("networkidle")
    flashes = page.locator(".flash").all_inner_texts()
    assert flashes == ["已导入“园区台账.xlsx”（导入记录 #1）。项目：新增 1，修改 1，未变 0；年度计划：新增 1，修改 1，未变 0；"
                       "月度进展：新增 1，修改 1，未变 0；问题：新增 1，修改 0，未变 0；新建单位 3 个：华新材料公司、园区招商局、园区财政局。"]
    assert page.locator("#preview").count() == 0
    assert "园区台账.xlsx" in page.locator("table.stack").inner_text()
    screenshot(page, "workbook-import-done")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Project.id))) == 2
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_phone_width_preview_is_usable(page_as, users, make_project, tmp_path):
    make_project("A1", name="储能电站项目", plan=10000)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx({"年度计划": [["A1", 2026, 12000]]}))
    page = page_as(users["admin"], width=390)
    page.goto(f"{page.base}/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("text=上传并预览")
    assert page.locator("text=确认导入").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
    screenshot(page, "workbook-import-preview-phone")


def test_a_large_import_shows_its_progress_until_the_worker_is_done(app, worker, page_as, users,
                                                                    make_project, tmp_path):
    from tracker.models import Brief, BriefState

    app.config["IMPORT_BACKGROUND_FROM"] = 1
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000}, lead=users["member"])
    good = tmp_path / "园区台账.xlsx"
    good.write_bytes(xlsx({"项目": [project_row(code="B1", lead="lead1")],
                           "年度计划": [["B1", 2026, 8000], ["A1", 2026, 12000]]}))
    page = page_as(users["supervisor"])
    page.goto(f"{page.base}/import")
    page.set_input_files("input[name=file]", str(good))
    page.click("text=上传并预览")
    page.click("text=确认导入")
    assert "后台任务" in page.locator("h1").inner_text()
    page.wait_for_selector("text=已完成", timeout=60_000)  # htmx polls until the worker is done
    job = page.locator(".job").inner_text()
    assert "已导入“园区台账.xlsx”（导入记录 #1）。项目：新增 1，修改 0，未变 0；年度计划：新增 1，修改 1，未变 0；新建单位 1 个：华新材料公司。" in job
    assert "100%" in job
    screenshot(page, "workbook-import-job-done")
    page.click("text=返回导入页面")
    assert "园区台账.xlsx" in page.locator("table.stack").inner_text()
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1

    later = tmp_path / "一月.xlsx"
    later.write_bytes(xlsx({"月度进展": [["A1", 2026, 1, 1500, "", ""], ["B1", 2026, 1, 20, "", ""]]}))
    page.set_input_files("input[name=file]", str(later))
    page.click("text=上传并预览")
    db.session.add(Brief(year=2026, month=1, state=BriefState.PUBLISHED, number=1))
    db.session.commit()
    page.click("text=确认导入")
    page.wait_for_selector("text=任务失败", timeout=60_000)
    failure = page.locator(".alert-error").inner_text()
    assert failure.splitlines()[1:] == [
        "月度进展 第2行 当月完成投资(万元)：2026年1月已发布简报，数据已锁定，须督查室解锁后才能修改",
        "月度进展 第3行 当月完成投资(万元)：2026年1月已发布简报，数据已锁定，须督查室解锁后才能修改。数据未做任何修改。",
    ]
    screenshot(page, "workbook-import-job-failed")
