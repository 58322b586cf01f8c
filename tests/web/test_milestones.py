"""A project's milestones (/projects/<code>/milestones): who may write what, the 延期 reason,
the audit trail, stage advancement, conflicts, a project's own milestones."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.milestones.models import ProjectMilestone
from tracker.projects.models import Project, Stage

HX = {"HX-Request": "true"}


@pytest.fixture
def park(users, make_project):
    """A1 led by the member with the other member as liaison (stage 前期); B1 led by nobody."""
    a1 = make_project("A1", name="储能电站项目", lead=users["member"])
    a1.stage = Stage.PREPARATION
    b1 = make_project("B1", name="装备制造基地项目", level="市重点")
    db.session.commit()
    return {"A1": a1, "B1": b1}


@pytest.fixture
def liaison(make_user, park):
    user = make_user("liaison1", "member", name="赵敏")
    park["A1"].liaisons = [user]
    db.session.commit()
    return user


def milestone(code: str, name: str) -> ProjectMilestone:
    """The project's milestone by name (the page must have been read once)."""
    db.session.expire_all()
    for m in db.session.scalars(select(ProjectMilestone).join(Project).where(Project.code == code)):
        if m.title == name:
            return m
    raise AssertionError(f"{code} has no milestone {name}")


def save(client, code: str, name: str, htmx: bool = True, **fields):
    m = milestone(code, name)
    data = {"version": str(m.version)}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(f"/projects/{code}/milestones/{m.id}", data=data, headers=HX if htmx else {})


def trail(**where) -> list[tuple]:
    entries = db.session.scalars(select(AuditEntry).filter_by(**where).order_by(AuditEntry.id))
    return [(e.field, e.old, e.new, e.note) for e in entries]


@pytest.fixture
def opened(client, login, users, park):
    """A1's page read once as the supervisor: its milestones exist (they are made lazily)."""
    login(users["supervisor"])
    assert client.get("/projects/A1/milestones").status_code == 200
    return client


def test_a_project_gets_the_template_milestones_when_its_page_is_first_read(client, login, users, park):
    assert db.session.scalars(select(ProjectMilestone)).all() == []
    login(users["viewer"])
    html = client.get("/projects/A1/milestones").get_data(as_text=True)
    names = ["立项备案", "用地预审", "土地供应", "规划许可", "施工许可", "开工建设", "主体完工", "竣工验收", "投产运营"]
    positions = [html.index(f"<strong>{n}</strong>") for n in names]
    assert positions == sorted(positions)
    assert len(db.session.scalars(select(ProjectMilestone)).all()) == 9
    assert "<form" not in html.split('class="ms-rows"')[1]  # a viewer reads, nothing to post
    assert "节点计划" in client.get("/projects/A1").get_data(as_text=True)  # linked from the project


def test_the_office_plans_a_date_audited_with_chinese_labels(opened, users, park, today):
    planned = today + timedelta(days=40)
    response = save(opened, "A1", "土地供应", planned_on=planned.isoformat(), planning="1")
    assert response.status_code == 200
    assert "未到期" in response.get_data(as_text=True)
    assert milestone("A1", "土地供应").planned_on == planned
    assert trail(table_name="project_milestones") == [("planned_on", None, planned.isoformat(), "")]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.table_name == "project_milestones"))
    assert entry.record_label == "A1 土地供应" and entry.project_id == park["A1"].id
    audit = opened.get("/admin/audit").get_data(as_text=True)
    assert "项目节点" in audit and "计划完成日期" in audit and "A1 土地供应" in audit


def test_changing_a_planned_date_needs_a_reason_kept_as_yanqi(opened, users, park, today):
    first, later = today + timedelta(days=10), today + timedelta(days=70)
    save(opened, "A1", "施工许可", planned_on=first.isoformat(), planning="1")
    refused = save(opened, "A1", "施工许可", planned_on=later.isoformat(), planning="1", reason="")
    assert refused.status_code == 422
    assert "修改已定的计划完成日期须填写延期理由" in refused.get_data(as_text=True)
    assert milestone("A1", "施工许可").planned_on == first
    ok = save(opened, "A1", "施工许可", planned_on=later.isoformat(), planning="1",
              reason="规划调整，施工图重新审查")
    assert ok.status_code == 200
    assert trail(table_name="project_milestones", field="planned_on")[-1] == (
        "planned_on", first.isoformat(), later.isoformat(), "延期：规划调整，施工图重新审查")
    # Clearing a planned date is a change of it too.
    assert save(opened, "A1", "施工许可", planned_on="", planning="1").status_code == 422


def test_the_lead_records_actual_dates_and_notes_but_not_planned_dates(client, opened, login, users,
                                                                        park, today):
    save(opened, "A1", "立项备案", planned_on=(today - timedelta(days=3)).isoformat(), planning="1")
    login(users["member"])
    page = client.get("/projects/A1/milestones").get_data(as_text=True)
    assert 'name="actual_on"' in page and 'name="planned_on"' not in page.split('class="ms-rows"')[1]
    done = save(client, "A1", "立项备案", actual_on=(today - timedelta(days=5)).isoformat(),
                note="已取得备案证")
    assert done.status_code == 200 and "按期完成" in done.get_data(as_text=True)
    m = milestone("A1", "立项备案")
    assert m.note == "已取得备案证" and m.updated_by_id == users["member"].id
    assert ("note", "", "已取得备案证", "") in trail(table_name="project_milestones")
    refused = save(client, "A1", "用地预审", planned_on=today.isoformat())
    assert refused.status_code == 403
    assert milestone("A1", "用地预审").planned_on is None
    assert save(client, "A1", "用地预审", planning="1", not_applicable="1").status_code == 403
    assert not milestone("A1", "用地预审").not_applicable


def test_a_liaison_records_too_and_the_office_on_their_behalf(client, opened, login, users, park,
                                                              liaison, today):
    login(liaison)
    assert save(client, "A1", "规划许可", actual_on=today.isoformat()).status_code == 200
    login(users["supervisor"])
    assert save(client, "A1", "施工许可", actual_on=today.isoformat()).status_code == 200
    notes = {e.record_label: e.note for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.field == "actual_on"))}
    assert notes == {"A1 规划许可": "", "A1 施工许可": "督查室代为填报"}


@pytest.mark.parametrize("who", ["viewer", "other_member"])
def test_viewers_and_members_of_other_projects_get_403_on_every_write(client, opened, login, users,
                                                                      park, who, today):
    m = milestone("A1", "立项备案")
    opened.post("/projects/A1/milestones/new", data={"name": "环评批复"})
    own = milestone("A1", "环评批复")
    before = len(trail())
    login(users[who])
    assert save(client, "A1", "立项备案", actual_on=today.isoformat(), note="x").status_code == 403
    assert client.post("/projects/A1/milestones/new", data={"name": "能评"}).status_code == 403
    assert client.post(f"/projects/A1/milestones/{own.id}/delete").status_code == 403
    for url in ("/admin/milestones", f"/admin/milestones/{m.template_id}/rename",
                f"/admin/milestones/{m.template_id}/move", f"/admin/milestones/{m.template_id}/retire"):
        assert client.post(url, data={"name": "x", "direction": "up", "retired": "1"}).status_code == 403
    assert len(trail()) == before


def test_the_lead_may_not_add_nor_delete_milestones_of_their_own_project(client, opened, login, users,
                                                                          park):
    opened.post("/projects/A1/milestones/new", data={"name": "环评批复"})
    own = milestone("A1", "环评批复")
    login(users["member"])
    assert client.post("/projects/A1/milestones/new", data={"name": "能评"}).status_code == 403
    assert client.post(f"/projects/A1/milestones/{own.id}/delete").status_code == 403


def test_an_actual_date_cannot_be_after_today_nor_a_date_that_does_not_exist(opened, park, today):
    future = save(opened, "A1", "立项备案", actual_on=(today + timedelta(days=1)).isoformat())
    assert future.status_code == 422 and "实际完成日期不能晚于今天" in future.get_data(as_text=True)
    wrong = save(opened, "A1", "立项备案", actual_on="2026-02-30")
    assert wrong.status_code == 422 and "不是有效日期" in wrong.get_data(as_text=True)
    assert milestone("A1", "立项备案").actual_on is None


def test_recording_start_completion_and_operation_moves_the_stage_forward_only(
    client, opened, login, users, park, today
):
    login(users["member"])
    save(client, "A1", "开工建设", actual_on=(today - timedelta(days=30)).isoformat())
    db.session.expire_all()
    assert db.session.get(Project, park["A1"].id).stage is Stage.CONSTRUCTION
    assert trail(table_name="projects", field="stage") == [
        ("stage", "前期", "在建", f"节点“开工建设”已完成（{(today - timedelta(days=30)).isoformat()}）")]
    save(client, "A1", "竣工验收", actual_on=(today - timedelta(days=2)).isoformat())
    db.session.expire_all()
    assert db.session.get(Project, park["A1"].id).stage is Stage.COMPLETED
    # Correcting the start date later never moves the project back to 在建.
    save(client, "A1", "开工建设", actual_on=(today - timedelta(days=31)).isoformat())
    db.session.expire_all()
    assert db.session.get(Project, park["A1"].id).stage is Stage.COMPLETED
    save(client, "A1", "投产运营", actual_on=today.isoformat())
    db.session.expire_all()
    assert db.session.get(Project, park["A1"].id).stage is Stage.OPERATING
    assert [t[1:3] for t in trail(table_name="projects", field="stage")] == [
        ("前期", "在建"), ("在建", "竣工"), ("竣工", "投产")]
    assert "投产" in client.get("/projects/A1").get_data(as_text=True)


def test_a_stale_save_gets_the_conflict_screen_and_may_then_overwrite(client, opened, login, users,
                                                                      park, today):
    login(users["member"])
    seen = milestone("A1", "主体完工").version  # what the lead's page holds
    login(users["supervisor"])
    assert save(opened, "A1", "主体完工", note="督查室：已封顶").status_code == 200
    login(users["member"])
    m = milestone("A1", "主体完工")
    stale = client.post(f"/projects/A1/milestones/{m.id}", headers=HX,
                        data={"version": str(seen), "note": "主体封顶", "actual_on": ""})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "保存冲突" in html and "陈督查" in html and "督查室：已封顶" in html
    assert 'value="主体封顶"' in html  # the lead's input is kept
    assert milestone("A1", "主体完工").note == "督查室：已封顶"
    assert f'name="version" value="{m.version}"' in html
    assert save(client, "A1", "主体完工", note="主体封顶").status_code == 200
    assert milestone("A1", "主体完工").note == "主体封顶"
    # Without JavaScript the whole page comes back with the conflict.
    page = client.post(f"/projects/A1/milestones/{m.id}", data={"version": str(seen), "note": "再改"})
    assert page.status_code == 409 and "<html" in page.get_data(as_text=True)


def test_forms_work_without_javascript(client, opened, park, today):
    response = save(opened, "A1", "立项备案", htmx=False, planned_on=today.isoformat(), planning="1")
    m = milestone("A1", "立项备案")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/A1/milestones#ms-{m.id}")
    page = opened.get("/projects/A1/milestones").get_data(as_text=True)
    assert "立项备案：已保存。" in page and "今天到期" in page
    bad = save(opened, "A1", "立项备案", htmx=False, actual_on="2026-13-01")
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)


def test_the_office_adds_and_deletes_a_projects_own_milestones(opened, park, today):
    planned = (today + timedelta(days=5)).isoformat()
    added = opened.post("/projects/A1/milestones/new", data={"name": "环评批复", "planned_on": planned})
    assert added.status_code == 302
    own = milestone("A1", "环评批复")
    assert own.is_own and own.planned_on.isoformat() == planned
    page = opened.get("/projects/A1/milestones").get_data(as_text=True)
    assert page.index("<strong>投产运营</strong>") < page.index("<strong>环评批复</strong>")  # after the template's
    twice = opened.post("/projects/A1/milestones/new", data={"name": "环评批复"})
    assert twice.status_code == 422 and "本项目已有名为“环评批复”的节点" in twice.get_data(as_text=True)
    clash = opened.post("/projects/A1/milestones/new", data={"name": "开工建设"})
    assert clash.status_code == 422
    template = milestone("A1", "开工建设")
    assert opened.post(f"/projects/A1/milestones/{template.id}/delete").status_code == 422
    own_id = own.id
    assert opened.post(f"/projects/A1/milestones/{own_id}/delete").status_code == 302
    assert db.session.get(ProjectMilestone, own_id) is None
    assert [(f, o, n) for f, o, n, _ in trail(table_name="project_milestones")] == [
        ("name", None, "环评批复"), ("planned_on", None, planned),
        ("name", "环评批复", None), ("planned_on", planned, None)]


def test_a_milestone_of_another_project_is_not_found(opened, park):
    a1 = milestone("A1", "立项备案")
    assert opened.post(f"/projects/B1/milestones/{a1.id}", data={"version": "1"}).status_code == 404
    assert opened.get("/projects/NOPE/milestones").status_code == 404


def test_the_due_soon_window_is_a_setting(client, opened, login, users, park, today):
    save(opened, "A1", "立项备案", planned_on=(today + timedelta(days=20)).isoformat(), planning="1")
    assert "未到期" in opened.get("/projects/A1/milestones").get_data(as_text=True)
    login(users["admin"])
    bad = client.post("/admin/settings", data={"park_name": "示范产业园区", "issuing_body": "督查室",
                                               "yellow_threshold": "0", "red_threshold": "10",
                                               "milestone_due_days": "400"})
    assert bad.status_code == 422 and "节点临期天数应为 0 到 365 之间的整数" in bad.get_data(as_text=True)
    ok = client.post("/admin/settings", data={"park_name": "示范产业园区", "issuing_body": "督查室",
                                              "yellow_threshold": "0", "red_threshold": "10",
                                              "milestone_due_days": "30"})
    assert ok.status_code == 302
    page = client.get("/projects/A1/milestones").get_data(as_text=True)
    assert "临期（20天后）" in page and "今后 30 天内到期" in page
    assert ("milestone_due_days", "15", "30", "") in trail(table_name="settings")


def test_a_bad_version_is_a_stale_page(opened, park):
    m = milestone("A1", "立项备案")
    response = opened.post(f"/projects/A1/milestones/{m.id}", headers=HX,
                           data={"version": "abc", "note": "x"})
    assert response.status_code == 422 and "页面数据已失效" in response.get_data(as_text=True)


def test_nothing_changed_writes_nothing(opened, park):
    m = milestone("A1", "立项备案")
    before = len(trail())
    assert save(opened, "A1", "立项备案", note="", actual_on="", planned_on="",
                planning="1").status_code == 200
    assert len(trail()) == before and milestone("A1", "立项备案").version == m.version



def test_the_lead_records_due_milestones_in_the_reporting_grid(client, opened, login, users, park,
                                                                today):
    """The month's grid lists the milestones planned by its end and not done before it; the lead
    records one there (htmx and plain form), and the stage moves as on the project page."""
    period = f"{today.year}-{today.month:02d}"
    save(client, "A1", "开工建设", planned_on=(today - timedelta(days=40)).isoformat(), planning=1)
    save(client, "A1", "施工许可", planned_on=(today - timedelta(days=90)).isoformat(), planning=1,
         actual_on=(today - timedelta(days=80)).isoformat())
    save(client, "A1", "竣工验收", planned_on=f"{today.year + 1}-06-30", planning=1)
    login(users["member"])
    row = client.get(f"/report/{period}").get_data(as_text=True).split('id="row-A1"')[1]
    row = row.split("</article>")[0]
    assert "本月及以前到期的节点（1）" in row and "开工建设" in row and "逾期" in row
    assert "施工许可" not in row and "竣工验收" not in row  # done before the month; not yet due
    m = milestone("A1", "开工建设")
    done = client.post(f"/projects/A1/milestones/{m.id}", headers=HX, data={
        "version": str(m.version), "grid": period, "actual_on": today.isoformat(), "note": "已开工"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and 'id="gms-' in html and "逾期完成" in html and "<html" not in html
    db.session.expire_all()
    assert db.session.get(Project, park["A1"].id).stage is Stage.CONSTRUCTION
    # Done within the month: still listed, so the lead sees what was recorded.
    assert "已开工" in client.get(f"/report/{period}").get_data(as_text=True)
    # Without JavaScript: back to the grid's row; a bad date is shown on the project page.
    m = milestone("A1", "开工建设")
    plain = client.post(f"/projects/A1/milestones/{m.id}", data={
        "version": str(m.version), "grid": period, "actual_on": today.isoformat(), "note": "正式开工"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/report/{period}#row-A1")
    m = milestone("A1", "开工建设")
    bad = client.post(f"/projects/A1/milestones/{m.id}", headers=HX, data={
        "version": str(m.version), "grid": period, "actual_on": "2026-02-30", "note": ""})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    login(users["other_member"])
    m = milestone("A1", "开工建设")
    assert client.post(f"/projects/A1/milestones/{m.id}", headers=HX, data={
        "version": str(m.version), "grid": period, "note": "x"}).status_code == 403
