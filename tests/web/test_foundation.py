"""The schema, the demo park, the command line and malformed periods."""

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.issues.models import Category, Issue, IssueState
from tracker.projects.models import Project


def test_migrations_and_models_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_database_refuses_bad_rows(app, make_project):
    from decimal import Decimal

    import pytest
    from sqlalchemy.exc import IntegrityError

    from tracker.projects.models import MonthlyReport

    project = make_project("A1", plan=100, months={1: 10})
    for bad in (
        MonthlyReport(project_id=project.id, year=2026, month=13, amount=Decimal(1)),
        MonthlyReport(project_id=project.id, year=2026, month=2, amount=Decimal(-1)),
        MonthlyReport(project_id=project.id, year=2026, month=1, amount=Decimal(1)),  # duplicate
        MonthlyReport(project_id=99999, year=2026, month=3, amount=Decimal(1)),  # no project
    ):
        db.session.add(bad)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_demo_loads_a_park_once(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "duchashi" in first.output and "duban-super" in first.output
    counts = (
        db.session.scalar(select(func.count(Project.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Issue.id))),
    )
    assert counts[0] >= 28
    assert {i.category for i in db.session.scalars(select(Issue))} == set(Category)
    states = {i.state for i in db.session.scalars(select(Issue))}
    assert states == set(IssueState)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert counts == (
        db.session.scalar(select(func.count(Project.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Issue.id))),
    )


def test_each_demo_user_signs_in_and_sees_the_dashboard(app, runner, client):
    runner.invoke(args=["demo"])
    for login, password in [("admin", "duban-admin"), ("duchashi", "duban-super"),
                            ("lingdao", "duban-viewer"), ("zhangwei", "duban-member")]:
        assert client.post("/login", data={"login": login, "password": password}).status_code == 302
        page = client.get("/").get_data(as_text=True)
        assert "重点项目总览" in page and "独立储能电站项目" in page
        client.post("/logout")


def test_user_create_reads_the_password_from_stdin(app, runner, make_unit):
    make_unit("园区经济发展局")
    ok = runner.invoke(args=["user", "create", "wang", "--role", "member", "--unit", "园区经济发展局",
                             "--name", "王五"], input="long-enough-pw\n")
    assert ok.exit_code == 0, ok.output
    user = db.session.scalar(select(User).where(User.login == "wang"))
    assert user.name == "王五" and user.unit.name == "园区经济发展局"
    assert user.check_password("long-enough-pw")


def test_user_create_refusals_exit_1_and_wrong_usage_exits_2(app, runner):
    runner.invoke(args=["user", "create", "wang", "--role", "viewer"], input="long-enough-pw\n")
    again = runner.invoke(args=["user", "create", "wang", "--role", "viewer"], input="long-enough-pw\n")
    assert again.exit_code == 1 and "已存在" in again.output
    short = runner.invoke(args=["user", "create", "li", "--role", "viewer"], input="short\n")
    assert short.exit_code == 1 and "至少 8 位" in short.output
    unit = runner.invoke(args=["user", "create", "li", "--role", "viewer", "--unit", "不存在的单位"],
                         input="long-enough-pw\n")
    assert unit.exit_code == 1 and "不存在" in unit.output
    usage = runner.invoke(args=["user", "create", "li", "--role", "boss"], input="long-enough-pw\n")
    assert usage.exit_code == 2
    assert db.session.scalar(select(func.count(User.id)).where(User.login == "li")) == 0


def test_malformed_and_future_periods_answer_400(client, users, login):
    login(users["viewer"])
    for period in ("2026-13", "26-07", "abc", "2099-01"):
        response = client.get(f"/?period={period}")
        assert response.status_code == 400
        assert "期间" in response.get_data(as_text=True)


def test_backup_copies_a_live_sqlite_database(app, runner, tmp_path, make_project):
    import pytest

    if db.engine.url.get_backend_name() != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite")])
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    make_project("A1", plan=100, months={1: 10})
    target = tmp_path / "copy.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    rows = sqlite3.connect(target).execute("select code from projects").fetchall()
    assert rows == [("A1",)]
    _ = pytest


def test_every_page_names_its_icon_and_the_icon_is_served(client):
    """Browsers ask for an icon: the layout names ours, so none asks /favicon.ico in vain."""
    import re

    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
