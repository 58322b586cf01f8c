"""In Chromium: a 节点计划 sheet with a bad row is refused whole with `节点计划 第N行 …` lines;
the corrected file's preview names the changes, the import moves the stage and the wall chart
shows the plan."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import screenshot
from tests.web.test_workbook_import import xlsx
from tracker.extensions import db
from tracker.projects.models import Stage

pytestmark = pytest.mark.browser


def test_a_node_plan_refused_then_imported(page_as, users, make_project, tmp_path):
    a1 = make_project("A1", name="储能电站项目", plan=10000, lead=users["member"])
    a1.stage = Stage.PREPARATION
    db.session.commit()
    rows = [["A1", "土地供应", date(2026, 3, 31), date(2026, 4, 2), "已摘牌"],
            ["A1", "开工建设", "2026-05-01", "2026-05-20", ""],
            ["A1", "规划许可", "不适用", "", ""]]
    bad = tmp_path / "节点计划有误.xlsx"
    bad.write_bytes(xlsx({"节点计划": [*rows, ["A1", "竣工验收", "明年", "", ""]]}))
    good = tmp_path / "节点计划.xlsx"
    good.write_bytes(xlsx({"节点计划": rows, "年度计划": [["A1", 2025, "", "市重点"]]}))

    page = page_as(users["supervisor"])
    page.goto(f"{page.base}/import")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=上传并预览")
    assert page.locator("#import-errors li").all_inner_texts() == [
        "节点计划 第5行 计划完成日期：应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”"]
    screenshot(page, "workbook-node-plan-errors")

    page.set_input_files("input[name=file]", str(good))
    page.click("text=上传并预览")
    preview = page.locator("#preview").inner_text()
    assert "节点计划\t3\t0\t0" in preview
    assert "建设阶段将随节点推进：A1 前期→在建（开工建设 2026-05-20 完成）" in preview
    screenshot(page, "workbook-node-plan-preview")
    page.click("text=确认导入")
    page.wait_for_load_state("networkidle")
    flash = page.locator(".flash").inner_text()
    assert "节点计划：新增 3，修改 0，未变 0" in flash and "年度计划：新增 1" in flash
    assert "建设阶段随节点推进：A1 前期→在建" in flash

    page.goto(f"{page.base}/milestones")
    wall = page.locator("#wall").inner_text()
    assert "逾期完成" in wall and "不适用" in wall and "在建" in wall
