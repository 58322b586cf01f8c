"""Parks run what has landed: each revision upgrades a database of the one before with its
data intact (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tracker.extensions import db


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_a_database_of_revision_0001_upgrades_with_its_users_and_jobs(app):
    downgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (login, name, password_hash, role, active, must_change_password,"
            " created_at) VALUES ('wang', '王五', 'x', 'supervisor', true, false, '2026-11-01 08:00:00')"))
        conn.execute(text(
            "INSERT INTO jobs (kind, params, state, done, total, message, result_name, result_type,"
            " created_at, worker) VALUES ('selftest', '{}', '进行中', 1, 3, '第 2 步', '', '',"
            " '2026-11-01 08:00:00', 'host:1')"))
    upgrade()
    assert _rows("SELECT login, name, role, session_stamp FROM users") == [("wang", "王五", "supervisor", "")]
    assert _rows("SELECT kind, state, done, total, message, heartbeat_at FROM jobs") == [
        ("selftest", "进行中", 1, 3, "第 2 步", None)]
    # The upgraded rows work with today's models: the user signs in, the stamp can change.
    from tracker.auth.models import User

    user = db.session.query(User).one()
    user.end_sessions()
    db.session.commit()
    assert len(user.session_stamp) == 16


def test_a_database_of_revision_0002_upgrades_and_its_projects_get_the_template(app):
    downgrade(revision="0002")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO projects (code, name, level, industry, stage, leader_in_charge, version,"
            " created_at) VALUES ('A1', '储能电站项目', '省重点', '储能', '前期', '', 1,"
            " '2026-11-01 08:00:00')"))
    upgrade()
    assert _rows("SELECT name, position, retired, key FROM milestone_templates ORDER BY position") == [
        ("立项备案", 1, False, None), ("用地预审", 2, False, None), ("土地供应", 3, False, "土地供应"),
        ("规划许可", 4, False, None), ("施工许可", 5, False, None), ("开工建设", 6, False, "开工建设"),
        ("主体完工", 7, False, None), ("竣工验收", 8, False, "竣工验收"), ("投产运营", 9, False, "投产运营"),
    ]
    from tracker.milestones.models import ProjectMilestone
    from tracker.projects.models import Project

    project = db.session.query(Project).one()
    milestones = db.session.query(ProjectMilestone).filter_by(project_id=project.id).all()
    assert sorted((m.template.position, m.title) for m in milestones) == [
        (1, "立项备案"), (2, "用地预审"), (3, "土地供应"), (4, "规划许可"), (5, "施工许可"),
        (6, "开工建设"), (7, "主体完工"), (8, "竣工验收"), (9, "投产运营")]
    assert {(m.planned_on, m.actual_on, m.not_applicable, m.note, m.version) for m in milestones} == {
        (None, None, False, "", 1)}
    # The upgraded rows work with today's models: a date can be planned.
    milestones[0].planned_on = date(2026, 12, 31)
    db.session.commit()
    assert milestones[0].version == 2
    db.session.close()  # PostgreSQL: the session's read would hold the table against DROP
    downgrade(revision="0002")
    assert _rows("SELECT code FROM projects") == [("A1",)]
    upgrade()  # PostgreSQL: the next test of this worker shares the database


def test_a_database_of_revision_0003_upgrades_and_its_years_follow_the_current_level(app):
    downgrade(revision="0003")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO projects (code, name, level, industry, stage, leader_in_charge, version,"
            " created_at) VALUES ('Q1', '污水处理厂改造项目', '区重点', '其他', '在建', '', 1,"
            " '2026-11-01 08:00:00')"))
    upgrade()
    assert _rows("SELECT code, level FROM projects") == [("Q1", "区重点")]
    assert _rows("SELECT count(*) FROM project_year_levels") == [(0,)]
    from tracker.projects.models import ListLevel, Project, ProjectYearLevel
    from tracker.projects.service import key_group

    # No year has a list of its own yet: the current level stands; a 2025 list puts Q1 in.
    assert key_group(2025) == []
    project = db.session.query(Project).one()
    db.session.add(ProjectYearLevel(project_id=project.id, year=2025, level=ListLevel.PROVINCIAL))
    db.session.commit()
    assert [p.code for p in key_group(2025)] == ["Q1"] and key_group(2026) == []
    assert _rows("SELECT year, level, version FROM project_year_levels") == [(2025, "省重点", 1)]
    db.session.close()  # PostgreSQL: the session's read would hold the table against DROP
    downgrade(revision="0003")
    assert _rows("SELECT code FROM projects") == [("Q1",)]
    upgrade()  # PostgreSQL: the next test of this worker shares the database


def test_a_database_of_revision_0006_keeps_its_published_briefs(app):
    downgrade(revision="0006")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO briefs (year, month, revision, number, state, next_steps, send_to, copy_to,"
            " correction_reason, pdf, sha256, created_at, version) VALUES (2026, 3, 1, 1,"
            " '已发布', '抓好调度。', '区委', '', '', :pdf, 'abc', '2026-04-02 08:00:00', 2)"),
            {"pdf": b"%PDF-1.7 frozen"})
    upgrade()
    assert _rows("SELECT year, month, next_steps, sha256, docx, docx_sha256, ledger FROM briefs") == [
        (2026, 3, "抓好调度。", "abc", None, None, None)]
    from tracker.briefs.models import Brief

    brief = db.session.query(Brief).one()
    assert bytes(brief.pdf) == b"%PDF-1.7 frozen"
    db.session.close()


def test_a_database_of_revision_0004_upgrades_and_takes_attachments(app):
    downgrade(revision="0004")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO projects (code, name, level, industry, stage, leader_in_charge, version,"
            " created_at) VALUES ('A1', '储能电站项目', '省重点', '储能', '在建', '', 1,"
            " '2026-11-01 08:00:00')"))
    upgrade()
    assert _rows("SELECT code FROM projects") == [("A1",)]
    # The upgraded database keeps a photo of the project's March row, bytes and all.
    from tests.photos import jpeg, site_picture
    from tracker.files import service as files
    from tracker.files.models import REPORT, StoredFile
    from tracker.projects.models import Project

    project = db.session.query(Project).one()
    files.store(user_id=None, data=jpeg(site_picture(1, (320, 240))), filename="现场.jpg",
                caption="基础施工", owner_kind=REPORT, owner_id=project.id, project_id=project.id,
                year=2026, month=3, images_only=True)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.query(StoredFile).one()
    assert (stored.filename, stored.caption, stored.kind, stored.year, stored.month) == (
        "现场.jpg", "基础施工", "image", 2026, 3)
    assert stored.content[:2] == b"\xff\xd8" and stored.thumbnail[:2] == b"\xff\xd8"
    db.session.close()  # PostgreSQL: the session's read would hold the table against DROP
    downgrade(revision="0004")
    assert _rows("SELECT code FROM projects") == [("A1",)]
    upgrade()  # PostgreSQL: the next test of this worker shares the database


def test_a_database_of_revision_0005_upgrades_to_notifications_with_its_users_and_units(app):
    downgrade(revision="0005")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO units (name, active, created_at) VALUES ('园区经济发展局', true,"
                          " '2026-11-01 08:00:00')"))
        conn.execute(text(
            "INSERT INTO users (login, name, password_hash, role, unit_id, active, must_change_password,"
            " created_at, session_stamp) VALUES ('zhang', '张伟', 'x', 'member', 1, true, false,"
            " '2026-11-01 08:00:00', 'abc')"))
        conn.execute(text(  # users and units are pointed at: the upgrade keeps them in place
            "INSERT INTO projects (code, name, level, industry, stage, leader_in_charge, version,"
            " created_at, lead_id, responsible_unit_id) VALUES ('A1', '储能电站项目', '省重点', '储能',"
            " '前期', '', 1, '2026-11-01 08:00:00', 1, 1)"))
    upgrade()
    assert _rows("SELECT code, lead_id FROM projects") == [("A1", 1)]
    assert _rows("SELECT login, name, email, notify_email FROM users") == [("zhang", "张伟", "", True)]
    assert _rows("SELECT name, wecom_webhook, dingtalk_webhook, dingtalk_secret FROM units") == [
        ("园区经济发展局", "", "", "")]
    # The upgraded rows work with today's models: the user gets a reminder, once.
    from tracker.auth.models import User
    from tracker.notify.service import send
    from tracker.reminders.due import Reminder

    user = db.session.query(User).one()
    reminder = Reminder("催报", "2026-11", user.id, "R", "【催报】请填报：{link}", "/report/2026-11")
    send([reminder, reminder], "http://duban.example")
    assert _rows("SELECT kind, recipient, channel, link FROM notifications") == [
        ("催报", f"user:{user.id}", "站内", "http://duban.example/report/2026-11")]
    db.session.close()  # PostgreSQL: the session's read would hold the table against DROP
    downgrade(revision="0005")
    assert _rows("SELECT login FROM users") == [("zhang",)]
    assert _rows("SELECT code, lead_id, responsible_unit_id FROM projects") == [("A1", 1, 1)]
    upgrade()  # PostgreSQL: the next test of this worker shares the database


def test_a_database_of_revision_0007_upgrades_to_the_work_report_with_its_briefs(app):
    downgrade(revision="0007")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO briefs (year, month, revision, number, state, next_steps, send_to, copy_to,"
            " correction_reason, created_at, version) VALUES (2026, 5, 1, 1, '已发布', '', '', '', '',"
            " '2026-06-01 08:00:00', 1)"))
    upgrade()
    assert _rows("SELECT year, month, state FROM briefs") == [(2026, 5, "已发布")]
    assert _rows("SELECT key, name FROM wr_indicators ORDER BY position") == [
        ("output", "规上工业总产值"), ("value_added", "规上工业增加值"),
        ("investment", "全社会固定资产投资"), ("tax", "全口径税收"), ("refund", "退税")]
    # The new tables take the park's figures.
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO wr_indicator_values (indicator_id, year, month, cumulative, last_year, version)"
            " VALUES (1, 2026, 6, 45.60, 38.00, 1)"))
        conn.execute(text(
            "INSERT INTO wr_targets (year, kind, value, version) VALUES (2026, '土地收储', 300, 1)"))
    from tracker.workreport.models import IndicatorValue, Target

    value = db.session.query(IndicatorValue).one()
    assert (value.indicator.name, str(value.cumulative), str(value.last_year)) == ("规上工业总产值", "45.60", "38.00")
    assert str(db.session.query(Target).one().value) == "300.00"
    db.session.close()  # PostgreSQL: the next test of this worker shares the database


def test_a_database_of_revision_0008_upgrades_to_the_data_version_with_its_projects(app):
    downgrade(revision="0008")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO projects (code, name, level, industry, stage, leader_in_charge, version,"
            " created_at) VALUES ('A1', '储能电站项目', '省重点', '储能', '前期', '', 1,"
            " '2026-11-01 08:00:00')"))
    upgrade()
    assert _rows("SELECT code, name FROM projects") == [("A1", "储能电站项目")]
    assert _rows("SELECT id, version FROM data_version") == [(1, 0)]
    # The upgraded rows work with today's models: a change bumps the version in its transaction.
    from tracker.projects.models import Project

    db.session.query(Project).one().name = "储能电站项目（一期）"
    db.session.commit()
    assert _rows("SELECT version FROM data_version") == [(1,)]
    db.session.close()  # PostgreSQL: the session's read would hold the table against DROP
    downgrade(revision="0008")
    assert _rows("SELECT name FROM projects") == [("储能电站项目（一期）",)]
    upgrade()  # PostgreSQL: the next test of this worker shares the database
