"""Command line of DESIGN.md section 6. Refusals go to stderr with exit 1; wrong usage exits 2."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from tracker.errors import fail
from tracker.extensions import db


def read_password() -> str:
    """Twice at a terminal; one line from stdin otherwise (scripts)."""
    if sys.stdin.isatty():
        return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    return sys.stdin.readline().rstrip("\r\n")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load a realistic demo park (only once) and print its logins."""
    from flask import current_app

    from tracker.demo import load_demo
    from tracker.errors import Refused
    from tracker.http import park_today

    demo = current_app.config["DUBAN_DEMO"]
    try:
        loaded, logins = load_demo(park_today(), keep_passwords=demo)
    except Refused as exc:
        db.session.rollback()
        fail(str(exc))
    click.echo("已载入演示园区。" if loaded else "演示园区已存在，未重复载入。")
    click.echo("演示账号（账号 / 角色 / 密码）" + ("：" if demo else "，首次登录须修改密码："))
    for login, role, password in logins:
        click.echo(f"  {login:10} {role:11} {password}")


@click.command("demo-needed")
@with_appcontext
def demo_needed_command() -> None:
    """Print "yes" when the database holds no project and no user (make run loads the demo)."""
    from sqlalchemy import select

    from tracker.auth.models import User
    from tracker.projects.models import Project

    empty = db.session.scalar(select(Project.id)) is None and db.session.scalar(select(User.id)) is None
    click.echo("yes" if empty else "no")


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "member", "viewer"]))
@click.option("--unit", default=None, help="责任单位名称（须已存在）")
@click.option("--name", default=None, help="显示姓名（默认与账号相同）")
@with_appcontext
def user_create(login: str, role: str, unit: str | None, name: str | None) -> None:
    """Create a user; asks for the password twice (one line from stdin when piped)."""
    from sqlalchemy import select

    from tracker.auth.models import Role, Unit
    from tracker.auth.service import create_user
    from tracker.errors import Refused

    password = read_password()
    unit_id = None
    if unit:
        unit_id = db.session.scalar(select(Unit.id).where(Unit.name == unit))
        if unit_id is None:
            fail(f"单位“{unit}”不存在")
    values = {"login": login, "name": name, "role": Role(role), "unit_id": unit_id,
              "password": password}
    try:
        create_user(None, values, must_change_password=False)
    except Refused as exc:
        db.session.rollback()
        fail("\n".join(exc.errors.values()))
    click.echo(f"已创建用户 {login}（{role}）。")


@user_group.command("set")
@click.argument("login")
@click.option("--email", default=None, help="邮箱（空字符串表示清除）")
@click.option("--email-reminders/--no-email-reminders", default=None, help="是否同时通过邮件提醒")
@with_appcontext
def user_set(login: str, email: str | None, email_reminders: bool | None) -> None:
    """Set a user's e-mail address and e-mail reminders (DESIGN.md section 13)."""
    from sqlalchemy import select

    from tracker.auth.models import User
    from tracker.errors import Refused
    from tracker.notify.service import set_preferences

    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        fail(f"用户“{login}”不存在")
    try:
        set_preferences(None, user, user.email if email is None else email,
                        user.notify_email if email_reminders is None else email_reminders)
    except Refused as exc:
        db.session.rollback()
        fail("\n".join(exc.errors.values()))
    click.echo(f"{login}：邮箱 {user.email or '未填写'}，邮件提醒{'开' if user.notify_email else '关'}。")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(file: str) -> None:
    """Write a consistent copy of the live SQLite database (online backup API)."""
    import sqlite3

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        fail("当前数据库为 PostgreSQL，请使用 pg_dump 备份，例如：pg_dump -Fc DBNAME > duban.dump")
    source = sqlite3.connect(url.database)
    try:
        target = sqlite3.connect(file)
        with target:
            source.backup(target)
        target.close()
    except sqlite3.Error as exc:
        fail(f"备份失败：{exc}")
    finally:
        source.close()
    click.echo(f"已备份到 {file}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="并发线程数")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background-job worker (huey consumer) until interrupted."""
    import logging

    from flask import current_app
    from huey.consumer import Consumer

    import tracker.jobs as jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    jobs.bind(current_app._get_current_object())
    reaped = jobs.reap()
    if reaped:
        logging.getLogger("duban.jobs").warning("%d interrupted job(s) marked failed", reaped)
    # An idle consumer on the SQLite queue polls ever less often, by default up to every 10 s;
    # once a second is cheap and starts a queued brief or import within a second.
    Consumer(jobs.huey, workers=workers, worker_type="thread", max_delay=1.0).run()


def register(app: Flask) -> None:
    from tracker.briefs.cli import brief_group
    from tracker.reminders.cli import remind_command
    from tracker.workbook.cli import export_command, import_command
    from tracker.workreport.draft.cli import work_report_group

    for command in (
        demo_command,
        demo_needed_command,
        user_group,
        backup_command,
        worker_command,
        brief_group,
        import_command,
        export_command,
        remind_command,
        work_report_group,
    ):
        app.cli.add_command(command)
