"""``flask --app tracker remind [--date YYYY-MM-DD] [--dry-run]`` (DESIGN.md sections 6, 13).

Lists every reminder due on the day (default: today in the park) with its recipient and
channels; without ``--dry-run`` sends those not sent before. Exit 0 (deliveries that failed
are said on stderr and retried by the worker), 2 on wrong usage (a malformed date).
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db


def public_url() -> str:
    """``PUBLIC_URL``, or the local address with a warning (links in mail would not open
    elsewhere)."""
    from tracker.reminders.service import DEFAULT_PUBLIC_URL

    url = current_app.config.get("PUBLIC_URL", "")
    if not url:
        current_app.logger.warning("PUBLIC_URL is not set: links point to %s", DEFAULT_PUBLIC_URL)
        click.echo(f"注意：未设置 PUBLIC_URL，链接指向 {DEFAULT_PUBLIC_URL}。", err=True)
    return url or DEFAULT_PUBLIC_URL


@click.command("remind")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="按哪一天计算提醒（YYYY-MM-DD，默认今天）")
@click.option("--dry-run", is_flag=True, help="只列出应发送的提醒，不发送")
@with_appcontext
def remind_command(day: datetime | None, dry_run: bool) -> None:
    """Run the daily pass of reminders (催报、催办、督办周报、节点提醒) for a day."""
    from tracker.http import park_today
    from tracker.reminders.service import daily_pass

    when = day.date() if day else park_today()
    result = daily_pass(when, public_url(), dry_run=dry_run)
    db.session.commit()
    head = f"{when.isoformat()} 的提醒" + ("（演练，不发送）" if dry_run else "")
    click.echo(f"{head}：" if result.outcomes else f"{head}：无。")
    for o in result.outcomes:
        marks = "、".join(f"{c}(发送失败，将重试)" if c in o.failed else c if c in o.new
                         else f"{c}(已发送过)" for c in o.channels)
        click.echo(f"  [{o.kind}] {o.who} · {marks}\n    {o.text}")
    fresh = sum(1 for o in result.outcomes for _ in o.new)
    total = sum(len(o.channels) for o in result.outcomes)
    if dry_run:
        click.echo(f"共 {len(result.outcomes)} 条提醒，{fresh} 条待发送，{total - fresh} 条此前已发送。")
        return
    retrying = sum(len(o.failed) for o in result.outcomes)
    click.echo(f"已发送 {fresh - retrying} 条，{total - fresh} 条此前已发送。")
    if retrying:
        click.echo(f"{retrying} 条发送失败，稍后由后台任务重试（flask --app tracker worker），"
                   "结果见 /admin/notifications。", err=True)
