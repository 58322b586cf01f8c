"""The work report's data (DESIGN.md section 15) entered in the browser: a grid per area,
saved row by row (htmx or plain forms), versioned, audited; admins edit indicators and targets."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.workreport.models import Indicator, IndicatorValue, SignedProject, Target

HX = {"HX-Request": "true"}


def _indicator(name: str) -> Indicator:
    return db.session.scalar(select(Indicator).where(Indicator.name == name))


def test_a_supervisor_enters_an_indicator_value_and_it_is_audited(client, login, users):
    login(users["supervisor"])
    page = client.get("/work-report/data/indicators?period=2026-06").get_data(as_text=True)
    for name in ("规上工业总产值", "规上工业增加值", "全社会固定资产投资", "全口径税收", "退税"):
        assert name in page
    output = _indicator("规上工业总产值")
    r = client.post(f"/work-report/data/indicators/{output.id}/2026-06",
                    data={"cumulative": "45.6", "last_year": "38", "version": "0"}, headers=HX)
    assert r.status_code == 200 and 'value="45.60"' in r.get_data(as_text=True)
    value = db.session.scalar(select(IndicatorValue))
    assert (value.year, value.month, value.cumulative, value.last_year) == (
        2026, 6, Decimal("45.60"), Decimal("38.00"))
    fields = {e.field: e.new for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "wr_indicator_values"))}
    assert fields == {"": None, "cumulative": "45.60", "last_year": "38.00"}


def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_saved(client, login, users):
    login(users["supervisor"])
    output = _indicator("规上工业总产值")
    r = client.post(f"/work-report/data/indicators/{output.id}/2026-06",
                    data={"cumulative": "四十五", "last_year": "-3", "version": "0"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "本期累计应为数字（亿元），最多两位小数，例如 12.50" in text
    assert "上年同期累计不能为负数" in text
    assert db.session.scalar(select(IndicatorValue)) is None


def test_a_stale_row_gets_the_conflict_screen_and_saves_nothing(client, login, users):
    login(users["supervisor"])
    r = client.post("/work-report/data/signed/new?year=2026", data={
        "name": "独立储能电站项目", "industry": "绿色能源", "signed_on": "2026-03-15",
        "investment": "12.5", "agreement": "投资协议"})
    assert r.status_code == 302
    row = db.session.scalar(select(SignedProject))
    first = client.post(f"/work-report/data/signed/{row.id}?year=2026", headers=HX, data={
        "name": "独立储能电站项目", "industry": "绿色能源", "signed_on": "2026-03-15",
        "investment": "13", "agreement": "投资协议", "version": "1"})
    assert first.status_code == 200
    stale = client.post(f"/work-report/data/signed/{row.id}?year=2026", headers=HX, data={
        "name": "独立储能电站项目", "industry": "绿色能源", "signed_on": "2026-03-15",
        "investment": "9", "agreement": "框架协议", "version": "1"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "保存冲突" in text and "计划总投资：13.00" in text and "用我的填写覆盖" in text
    db.session.expire_all()
    assert db.session.get(SignedProject, row.id).investment == Decimal("13.00")


def test_signed_projects_of_the_year_are_listed_and_can_be_deleted(client, login, users):
    login(users["supervisor"])
    empty = client.get("/work-report/data/signed?year=2026").get_data(as_text=True)
    assert "2026年尚无招商签约记录，请在下方增加" in empty
    client.post("/work-report/data/signed/new?year=2026", data={
        "name": "安防科技项目", "industry": "电子信息", "signed_on": "2026-05-20",
        "investment": "3", "agreement": "框架协议"})
    row = db.session.scalar(select(SignedProject))
    assert 'value="安防科技项目"' in client.get("/work-report/data/signed?year=2026").get_data(as_text=True)
    assert "尚无招商签约记录" in client.get("/work-report/data/signed?year=2025").get_data(as_text=True)
    r = client.post(f"/work-report/data/signed/{row.id}/delete?year=2026")
    assert r.status_code == 302
    assert db.session.scalar(select(SignedProject)) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delete"))
    assert entry.record_label == "安防科技项目" and "计划总投资：3.00" in entry.note


def test_a_bad_new_row_is_refused_with_the_input_kept(client, login, users):
    login(users["supervisor"])
    r = client.post("/work-report/data/land/new?year=2026", data={
        "acquired_on": "2026-02-30", "area": "", "location": "东片区"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "日期“2026-02-30”不是有效日期" in text and "请填写面积" in text
    assert 'value="东片区"' in text


def test_only_admins_set_targets_and_a_year_has_one_of_each(client, login, users):
    login(users["supervisor"])
    assert client.post("/work-report/data/targets/new", data={
        "year": "2026", "kind": "土地收储", "value": "300"}).status_code == 403
    assert "仅供查看" in client.get("/work-report/data/targets").get_data(as_text=True)
    client.post("/logout")
    login(users["admin"])
    assert client.post("/work-report/data/targets/new", data={
        "year": "2026", "kind": "土地收储", "value": "300"}).status_code == 302
    again = client.post("/work-report/data/targets/new", data={
        "year": "2026", "kind": "土地收储", "value": "200"})
    assert again.status_code == 422
    assert "2026年的“土地收储”已有目标值，请直接修改该行" in again.get_data(as_text=True)
    assert [t.value for t in db.session.scalars(select(Target))] == [Decimal("300.00")]


def test_members_and_leadership_do_not_enter_work_report_data(client, login, users):
    for who in ("member", "viewer"):
        login(users[who])
        assert client.get("/work-report/data/indicators").status_code == 403
        assert client.get("/work-report/data/pipeline").status_code == 403
        client.post("/logout")


def test_an_admin_renames_an_indicator_and_the_sentence_keeps_its_meaning(client, login, users):
    login(users["admin"])
    output = _indicator("规上工业总产值")
    assert client.post(f"/work-report/data/indicators/{output.id}/rename",
                       data={"name": "规模以上工业总产值", "period": "2026-06"}).status_code == 302
    taken = client.post(f"/work-report/data/indicators/{output.id}/rename",
                        data={"name": "退税", "period": "2026-06"})
    assert taken.status_code == 422 and "已有指标“退税”" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Indicator, output.id).key == "output"
    assert client.post("/work-report/data/indicators/new",
                       data={"name": "进出口总额", "period": "2026-06"}).status_code == 302
    assert "进出口总额" in client.get("/work-report/data/indicators?period=2026-06").get_data(as_text=True)


def test_the_indicator_grid_runs_a_fixed_number_of_queries(client, login, users, count_queries):
    login(users["supervisor"])

    def cost() -> int:
        with count_queries() as q:
            assert client.get("/work-report/data/indicators?period=2026-06").status_code == 200
        return q.count

    first = _indicator("规上工业总产值")
    client.post(f"/work-report/data/indicators/{first.id}/2026-06",
                data={"cumulative": "1", "last_year": "1", "version": "0"})
    few = cost()
    for i in range(12):
        client.post("/work-report/data/signed/new?year=2026", data={
            "name": f"项目{i}", "signed_on": "2026-01-05", "investment": "1", "agreement": "投资协议"})
    for line in db.session.scalars(select(Indicator).where(Indicator.id != first.id)):
        client.post(f"/work-report/data/indicators/{line.id}/2026-06",
                    data={"cumulative": "1", "last_year": "1", "version": "0"})
    assert cost() == few
    with count_queries() as q:
        client.get("/work-report/data/signed?year=2026")
    with count_queries() as q2:
        client.get("/work-report/data/signed?year=2025")
    assert q.count == q2.count
