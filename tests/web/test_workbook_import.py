"""Importing the park's workbook through /import and the command line: all or nothing."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    BondSpending,
    Brief,
    BriefState,
    ImportBatch,
    Issue,
    MonthlyReport,
    PeriodUnlock,
    Project,
    ReportState,
    User,
)
from tracker.workbook.parse import SHEETS
from tracker.workbook.plan import plan_import
from tracker.workbook.wrsheets import WORK_REPORT_SHEETS

HEADERS = {s.name: s.headers for s in SHEETS}
ALL_SHEETS = (*SHEETS, *WORK_REPORT_SHEETS)  # the work report's sheets follow the park's


def xlsx(sheets: dict[str, list[list]], *, headers: bool = True) -> bytes:
    """A workbook with the given data rows under each sheet's headers."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if headers and name in HEADERS:
            ws.append(HEADERS[name])
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def project_row(code="B1", name="新材料产业园项目", level="市重点", lead="", unit="园区经济发展局",
                owner="华新材料公司", total=50000):
    return [code, name, level, "新材料", "在建", owner, unit, lead, "王副主任", total, 2025, 2027]


def db_fingerprint() -> tuple[dict, str]:
    """Row counts and a hash of every table's contents (sign-in throttling aside)."""
    counts, digest = {}, hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name == "login_throttles":
            continue
        order = list(table.primary_key.columns)
        rows = db.session.execute(select(table).order_by(*order)).all()
        counts[table.name] = len(rows)
        digest.update(repr((table.name, [tuple(r) for r in rows])).encode())
    return counts, digest.hexdigest()


def upload(client, data: bytes, filename="park.xlsx", create_users=False, **kw):
    form = {"file": (io.BytesIO(data), filename)}
    if create_users:
        form["create_users"] = "1"
    return client.post("/import", data=form, content_type="multipart/form-data", **kw)


def token_of(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no confirm form on the preview"
    return match.group(1)


@pytest.fixture
def park(users, make_project):
    """A1 with a plan and three approved months and one submitted; a lead; an issue."""
    a1 = make_project("A1", name="储能电站项目", plan=10000, months={1: 1000, 2: 1200, 3: 1300},
                      lead=users["member"], total=80000)
    db.session.add(MonthlyReport(project_id=a1.id, year=2026, month=4, amount=Decimal("900"),
                                 progress_text="设备安装", state=ReportState.SUBMITTED))
    db.session.add(MonthlyReport(project_id=a1.id, year=2026, month=5, amount=Decimal("50"),
                                 state=ReportState.DRAFT))
    db.session.commit()
    return a1


# --- permissions and CSRF -------------------------------------------------------------------


@pytest.mark.parametrize("role, page, template, export", [
    ("admin", 200, 200, 200),
    ("supervisor", 200, 200, 200),
    ("member", 403, 403, 200),
    ("other_member", 403, 403, 200),
    ("viewer", 403, 403, 200),
])
def test_each_role_reaches_what_it_may(client, login, users, role, page, template, export):
    login(users[role])
    assert client.get("/import").status_code == page
    assert upload(client, xlsx({"年度计划": []})).status_code == page
    assert client.post("/import/confirm", data={"token": "x" * 32}).status_code == (422 if page == 200 else 403)
    assert client.get("/import/template.xlsx").status_code == template
    assert client.get("/export.xlsx").status_code == export


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/import", "/import/template.xlsx", "/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/import/confirm", data={}).status_code in (302, 400)


def test_uploads_and_confirmations_without_the_csrf_token_are_refused(client, login, users, park):
    login(users["supervisor"])
    before = db_fingerprint()
    assert upload(client, xlsx({"项目": [project_row()]}), csrf=False).status_code == 400
    ok = upload(client, xlsx({"项目": [project_row()]}))
    response = client.post("/import/confirm", data={"token": token_of(ok.get_data(as_text=True))}, csrf=False)
    assert response.status_code == 400
    assert db_fingerprint() == before


def test_import_link_shows_for_supervisors_only(client, login, users):
    login(users["supervisor"])
    assert 'href="/import"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(users["viewer"])
    assert 'href="/import"' not in client.get("/").get_data(as_text=True)


# --- upload → preview → confirm ---------------------------------------------------------------


def workbook_with_everything() -> bytes:
    return xlsx({
        "项目": [project_row(unit="园区招商局", owner="华新材料公司", lead="张伟"),
                project_row(code="A1", name="储能电站项目", level="省重点", lead="lead1",
                            unit="园区经济发展局", owner="", total=80000)],
        "年度计划": [["B1", 2026, 8000], ["A1", 2026, 12000]],
        "月度进展": [["B1", 2026, 1, 500.5, "场地平整", "桩基施工"], ["A1", 2026, 1, 1000, "", ""],
                 ["A1", 2026, 4, 950, "设备安装", ""]],
        "问题": [["E-1", "B1", "资金不足", "配套资金未到位", "园区财政局", "赵六", "重点督办",
                 date(2026, 2, 10), date(2026, 3, 15), "已办结", date(2026, 3, 20)],
                ["E-2", "", "其他", "园区道路未通", "", "", "一般督办", "2026-03-01", "", "办理中", ""]],
        "专项债": [["B1", 2026, 5000, date(2026, 9, 30)]],
        "专项债支出": [["B1", 2026, 1, 400], ["B1", 2026, 2, 300.25]],
        "说明": [],
    })


def test_preview_writes_nothing_and_confirm_writes_everything(client, login, users, park):
    login(users["supervisor"])
    before = db_fingerprint()
    data = workbook_with_everything()
    response = upload(client, data, filename="2026年园区台账.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert db_fingerprint() == before, "the preview wrote something"
    assert "导入预览" in html and "2026年园区台账.xlsx" in html
    assert "<td>项目</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td>" in html
    assert "将新建单位 3 个：</strong>华新材料公司、园区招商局、园区财政局" in html
    assert "B1 新材料产业园项目" in html
    # A1: plan 10000 → 12000 and April 900 (已报送) → 950 (已审核)
    assert "年度计划投资(万元) <del>10000.00</del> → <ins>12000.00</ins>" in html
    assert "状态 <del>已报送</del> → <ins>已审核</ins>" in html

    response = client.post("/import/confirm", data={"token": token_of(html)})
    assert response.status_code == 303
    page = client.get("/import").get_data(as_text=True)
    assert "已导入“2026年园区台账.xlsx”" in page and "项目：新增 1，修改 1，未变 0" in page

    batch = db.session.scalar(select(ImportBatch))
    assert batch.content == data and batch.sha256 == hashlib.sha256(data).hexdigest()
    assert batch.user_id == users["supervisor"].id
    assert batch.summary["sheets"]["月度进展"] == {"new": 1, "changed": 1, "unchanged": 1}
    b1 = db.session.scalar(select(Project).where(Project.code == "B1"))
    assert b1.import_batch_id == batch.id and b1.lead_id == users["member"].id
    assert b1.responsible_unit.name == "园区招商局" and b1.owner_unit.name == "华新材料公司"
    assert b1.total_investment == Decimal("50000.00")
    jan = db.session.scalar(select(MonthlyReport).where(MonthlyReport.project_id == b1.id))
    assert (jan.amount, jan.state, jan.import_batch_id) == (Decimal("500.50"), ReportState.APPROVED, batch.id)
    april = db.session.scalar(select(MonthlyReport).where(
        MonthlyReport.project_id == park.id, MonthlyReport.month == 4))
    assert (april.amount, april.state, april.version) == (Decimal("950.00"), ReportState.APPROVED, 2)
    draft = db.session.scalar(select(MonthlyReport).where(
        MonthlyReport.project_id == park.id, MonthlyReport.month == 5))
    assert draft.state == ReportState.DRAFT, "import never deletes or touches rows it does not name"
    spent = db.session.scalars(select(BondSpending.amount).order_by(BondSpending.month)).all()
    assert spent == [Decimal("400.00"), Decimal("300.25")]

    closed = db.session.scalar(select(Issue).where(Issue.number == "E-1"))
    assert closed.closed_on == date(2026, 3, 20) and closed.import_batch_id == batch.id
    log = [(e.kind.value, e.to_state.value, e.effective_on) for e in closed.events]
    assert log == [("交办", "待办理", date(2026, 2, 10)), ("状态变更", "已办结", date(2026, 3, 20))]
    park_wide = db.session.scalar(select(Issue).where(Issue.number == "E-2"))
    assert park_wide.project_id is None and park_wide.responsible_unit_id is None
    assert [e.effective_on for e in park_wide.events] == [date(2026, 3, 1), date(2026, 3, 1)]

    changes = {(a.table_name, a.field): (a.old, a.new) for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update"))}
    assert changes == {
        ("projects", "leader_in_charge"): ("", "王副主任"),
        ("projects", "start_year"): (None, "2025"),
        ("projects", "planned_completion_year"): (None, "2027"),
        ("annual_plans", "amount"): ("10000.00", "12000.00"),
        ("monthly_reports", "amount"): ("900.00", "950.00"),
        ("monthly_reports", "state"): ("已报送", "已审核"),
    }
    assert all(a.import_batch_id == batch.id for a in db.session.scalars(select(AuditEntry)))


def test_the_same_file_twice_changes_nothing_the_second_time(client, login, users, park):
    login(users["supervisor"])
    data = workbook_with_everything()
    client.post("/import/confirm", data={"token": token_of(upload(client, data).get_data(as_text=True))})
    after_first = db_fingerprint()
    html = upload(client, data).get_data(as_text=True)
    assert "文件中的数据与系统中一致，无需导入。" in html and 'name="token"' not in html
    assert db_fingerprint() == after_first


def test_a_refused_file_lists_every_error_and_leaves_the_database_unchanged(client, login, users, park):
    login(users["supervisor"])
    before = db_fingerprint()
    data = xlsx({
        "项目": [project_row(code="B1", lead="nobody"), project_row(code="B2", level="省级")],
        "月度进展": [["A1", 2026, 13, 5, "", ""], ["A1", 2026, 6, -5, "", ""],
                 ["A1", 2026, 7, "五百", "", ""], ["A1", 2026, 8, 1.234, "", ""],
                 ["ZZ9", 2026, 1, 1, "", ""], ["A1", 2026, 6, 7, "", ""]],
        "问题": [["E1", "A1", "缺钱", "x", "", "", "一般督办", "昨天", "", "待办理", ""],
                ["E2", "A1", "资金不足", "x", "", "", "一般督办", "2026-01-05", "", "已办结", ""]],
    })
    response = upload(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = [
        "项目 第2行 项目负责人：系统中没有账号或姓名为“nobody”的用户（可选择创建缺少的用户后重新导入）",
        "项目 第3行 级别：“省级”不是有效的级别，应为 省重点、市重点、区重点 之一",
        "月度进展 第2行 月份：应为1至12之间的整数",
        "月度进展 第3行 当月完成投资(万元)：不能为负数",
        "月度进展 第4行 当月完成投资(万元)：不是有效的数字",
        "月度进展 第5行 当月完成投资(万元)：最多保留两位小数",
        "月度进展 第6行 项目编号：项目“ZZ9”不存在（项目表和系统中均没有）",
        "月度进展 第7行 项目编号：与第3行重复（项目编号 A1，年度 2026，月份 6）",
        "问题 第2行 问题类别：“缺钱”不是有效的问题类别，应为 资金不足、用地手续不完善、土地交付进度慢、规划报建、环评能评、施工组织、水电路配套、其他 之一",
        "问题 第2行 提出日期：不是有效的日期（应为日期单元格或 YYYY-MM-DD 格式的文字）",
        "问题 第3行 办结日期：状态为已办结时不能为空",
    ]
    listed = re.findall(r"<li>(.*?)</li>", html.split('id="import-errors"')[1].split("</ul>")[0])
    assert [x.replace("&#34;", '"') for x in listed] == expected
    assert f"共 {len(expected)} 处问题" in html
    assert db_fingerprint() == before
    assert 'name="token"' not in html


def test_confirm_validates_again_and_refuses_what_became_wrong(client, login, users, park):
    login(users["supervisor"])
    data = xlsx({"月度进展": [["A1", 2026, 2, 1500, "", ""]]})
    token = token_of(upload(client, data).get_data(as_text=True))
    db.session.add(Brief(year=2026, month=2, state=BriefState.PUBLISHED, number=1))
    db.session.commit()
    before = db_fingerprint()
    response = client.post("/import/confirm", data={"token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "系统中的数据在预览后有了变化，重新检查时发现以下问题，文件未导入。" in html
    assert "<li>月度进展 第2行 当月完成投资(万元)：2026年2月已发布简报，数据已锁定，须督查室解锁后才能修改</li>" in html
    assert db_fingerprint() == before


def test_a_token_of_someone_else_or_made_up_is_refused(client, login, users, make_user, park):
    login(users["supervisor"])
    token = token_of(upload(client, xlsx({"项目": [project_row()]})).get_data(as_text=True))
    client.post("/logout")
    login(users["admin"])
    for bad in (token, "../../secret_key", ""):
        response = client.post("/import/confirm", data={"token": bad})
        assert response.status_code == 422
        assert "预览的文件已失效或不存在，请重新上传。" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Project.id))) == 1


@pytest.mark.parametrize("filename, data, message", [
    ("empty.xlsx", b"", "文件为空，请选择要导入的工作簿。"),
    ("notes.xlsx", b"just some text", "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx、.xls）或 ODS 表格（.ods）。"),
    ("photo.png", b"\x89PNG....", "“photo.png”不是工作簿文件：请上传 .xlsx、.xls 或 .ods 文件。"),
])
def test_files_that_are_not_workbooks_get_a_clear_message(client, login, users, filename, data, message):
    login(users["supervisor"])
    response = upload(client, data, filename=filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_no_file_and_a_workbook_without_our_sheets(client, login, users):
    login(users["supervisor"])
    response = client.post("/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要导入的工作簿文件（.xlsx、.xls 或 .ods）。" in response.get_data(as_text=True)
    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    response = upload(client, buf.getvalue())
    assert "工作簿中没有可导入的工作表" in response.get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused(app, client, login, users):
    login(users["supervisor"])
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = upload(client, b"x" * 60_000)
    assert response.status_code == 413
    assert "上传的文件超过" in response.get_data(as_text=True)


# --- matching, locks, users -------------------------------------------------------------------


def test_unchanged_rows_keep_their_state_and_version(client, login, users, park):
    login(users["supervisor"])
    data = xlsx({"月度进展": [["A1", 2026, 4, 900, "设备安装", ""], ["A1", 2026, 1, 1000.0, "", ""]]})
    html = upload(client, data).get_data(as_text=True)
    assert "文件中的数据与系统中一致，无需导入。" in html
    april = db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == 4))
    assert (april.state, april.version) == (ReportState.SUBMITTED, 1)


def test_a_lead_is_matched_by_login_then_name_and_a_shared_name_is_an_error(app, make_user, users, park):
    make_user("zhang2", "member", name="张伟")
    data = xlsx({"项目": [project_row(code="B1", lead="张伟"), project_row(code="B2", lead="lead1"),
                         project_row(code="B3", lead="李娜")]})
    plan = plan_import(data)
    assert plan.errors == ["项目 第2行 项目负责人：“张伟”有多个同名用户（账号 lead1、zhang2），请改填账号"]


def test_create_users_makes_members_without_a_password(runner, tmp_path, users, park):
    path = tmp_path / "park.xlsx"
    path.write_bytes(xlsx({"项目": [project_row(code="B1", lead="赵六", unit="园区招商局"),
                                  project_row(code="B2", lead="赵六", unit="园区经济发展局")]}))
    refused = runner.invoke(args=["import-xlsx", str(path)])
    assert refused.exit_code == 1
    assert refused.stderr == "项目 第2行 项目负责人：系统中没有账号或姓名为“赵六”的用户（可选择创建缺少的用户后重新导入）\n" \
                             "项目 第3行 项目负责人：系统中没有账号或姓名为“赵六”的用户（可选择创建缺少的用户后重新导入）\n"
    result = runner.invoke(args=["import-xlsx", str(path), "--create-users"])
    assert result.exit_code == 0, result.output
    assert "新建用户 1 个" in result.stdout and "  赵六（园区招商局）" in result.stdout
    zhao = db.session.scalar(select(User).where(User.login == "赵六"))
    assert (zhao.name, zhao.role.value, zhao.unit.name, zhao.password_hash) == ("赵六", "member", "园区招商局", None)
    assert not zhao.check_password("")
    leads = db.session.scalars(select(Project.lead_id).where(Project.code.in_(["B1", "B2"]))).all()
    assert leads == [zhao.id, zhao.id]


def test_a_month_locked_by_a_published_brief_refuses_the_file_row_by_row(client, login, users, park):
    db.session.add(Brief(year=2026, month=3, state=BriefState.PUBLISHED, number=1))
    db.session.commit()
    login(users["supervisor"])
    data = xlsx({"月度进展": [["A1", 2026, 2, 1250, "", ""], ["A1", 2026, 3, 1300, "", ""],
                          ["A1", 2026, 6, 10, "", ""], ["A1", 2025, 12, 10, "", ""]]})
    response = upload(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "月度进展 第2行 当月完成投资(万元)：2026年2月已发布简报，数据已锁定，须督查室解锁后才能修改" in html
    assert "第3行" not in html and "第4行" not in html and "第5行" not in html
    db.session.add(PeriodUnlock(year=2026, month=2, project_id=park.id, reason="更正", user_id=users["supervisor"].id))
    db.session.commit()
    assert upload(client, data).status_code == 200


def test_spending_needs_a_bond_and_a_monthly_row_for_a_new_project_is_new(app, park):
    data = xlsx({"专项债支出": [["A1", 2026, 1, 10]]})
    assert plan_import(data).errors == [
        "专项债支出 第2行 年度：项目“A1”没有2026年的专项债（专项债表和系统中均没有）"]
