"""The audit trail viewer: who, when, old and new; filters, pages, CSV and Excel downloads."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tracker.audit.service import record
from tracker.extensions import db


@pytest.fixture
def trail(users, make_project):
    a1 = make_project("A1", name="储能电站项目")
    b1 = make_project("B1", name="装备制造基地项目")
    admin, supervisor = users["admin"], users["supervisor"]
    rows = [
        # (when UTC, who, table, project, field, old, new)
        (datetime(2026, 3, 1, 2, 0), admin, "projects", a1, "name", "储能项目", "储能电站项目"),
        (datetime(2026, 3, 31, 17, 30), supervisor, "annual_plans", a1, "amount", "10000.00", "12000.00"),
        (datetime(2026, 4, 2, 1, 0), supervisor, "projects", b1, "stage", "前期", "在建"),
        (datetime(2026, 4, 3, 1, 0), admin, "users", None, "role", None, "=HYPERLINK(\"http://x\")"),
    ]
    for at, who, table, project, field, old, new in rows:
        entry = record(user_id=who.id, action="update", table=table, record_id=1,
                       label=project.code if project else "lead1",
                       project_id=project.id if project else None, field=field, old=old, new=new)
        entry.at = at
    db.session.commit()
    return rows


@pytest.fixture
def supervisor(users, login):
    login(users["supervisor"])


def test_the_trail_shows_who_when_old_and_new(client, supervisor, trail):
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "共 4 条" in html
    assert "陈督查" in html and "10000.00" in html and "12000.00" in html
    assert "2026-04-01 01:30" in html  # 17:30 UTC on 31 March is 1 April in the park


@pytest.mark.parametrize(("query", "count"), [
    ("project=A1", 2),
    ("project=a1", 2),
    ("table=annual_plans", 1),
    ("from=2026-04-01&to=2026-04-02", 2),  # park dates: the 17:30 UTC entry is 4月1日
    ("from=2026-04-03", 1),
])
def test_filters(client, supervisor, trail, query, count):
    assert f"共 {count} 条" in client.get(f"/admin/audit?{query}").get_data(as_text=True)


def test_filter_by_user(client, supervisor, trail, users):
    html = client.get(f"/admin/audit?user={users['admin'].id}").get_data(as_text=True)
    assert "共 2 条" in html


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=yesterday", "user=abc", "page=-1",
                                   "from=2026-05-01&to=2026-04-01", "table=<script>"])
def test_bad_filters_answer_400_with_a_message(client, supervisor, trail, query):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "筛选条件有误" in html and "<script>" not in html.split("<main")[1]
    assert client.get(f"/admin/audit.csv?{query}").status_code == 400


def test_pages_of_fifty(client, supervisor, users):
    for i in range(120):
        record(user_id=users["admin"].id, action="update", table="settings", record_id=None,
               label="园区名称", field="park_name", old=str(i), new=str(i + 1))
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "第 1 / 3 页" in first and first.count("<tr>") == 51  # header + 50
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert last.count("<tr>") == 21
    beyond = client.get("/admin/audit?page=9").get_data(as_text=True)
    assert "没有符合条件的记录" in beyond


def test_the_page_runs_the_same_queries_with_few_and_many_entries(client, supervisor, users, count_queries):
    record(user_id=users["admin"].id, action="update", table="settings", record_id=None, field="x")
    db.session.commit()
    with count_queries() as few:
        client.get("/admin/audit")
    for _ in range(60):
        record(user_id=users["supervisor"].id, action="update", table="settings", record_id=None, field="x")
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert few.count == many.count


def test_csv_is_utf8_with_bom_and_the_same_filter(client, supervisor, trail):
    response = client.get("/admin/audit.csv?project=A1")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "操作人", "操作", "数据类别", "记录", "项目编号", "字段", "原值", "新值", "说明"]
    assert len(rows) == 3
    assert rows[1][1:] == ["陈督查", "修改", "年度计划", "A1", "A1", "金额", "10000.00", "12000.00", ""]


def test_exports_never_hand_excel_a_formula(client, supervisor, trail):
    rows = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").data.decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://x\")" in [r[8] for r in rows]
    book = load_workbook(io.BytesIO(client.get("/admin/audit.xlsx?table=users").data))
    sheet = book.active
    assert sheet.title == "操作记录" and sheet.max_row == 2
    assert sheet.cell(2, 9).value == "'=HYPERLINK(\"http://x\")" and sheet.cell(2, 9).data_type == "s"
