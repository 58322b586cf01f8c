"""``flask brief render | publish | get`` (DESIGN.md section 6).

Refusals (a published month, a correction without an original or a reason, nothing
published) print on stderr and exit 1; a malformed period is a usage error (exit 2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.errors import fail
from tracker.http import park_today
from tracker.periods import Period


def _period(ctx: click.Context, param: click.Parameter, value: str) -> Period:
    try:
        return Period.parse(value or "")
    except ValueError:
        raise click.BadParameter(f"“{value}”格式不正确，应为 YYYY-MM，例如 2026-07。") from None


def _not_future(year: int, month: int) -> None:
    today = park_today()
    if (year, month) > (today.year, today.month):
        fail(f"{year}年{month}月尚未到来，不能生成简报。")


def _write(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror}")


@click.group("brief")
def brief_group() -> None:
    """Monthly supervision briefs (督办简报)."""


period_option = click.option("--period", required=True, callback=_period, help="YYYY-MM")


@brief_group.command("render")
@period_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.pdf")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf",
              help="pdf（默认）或 docx")
@with_appcontext
def render_command(period: Period, out: str, fmt: str) -> None:
    """Render the month's draft from live data to a PDF or .docx (nothing is stored)."""
    from tracker.briefs import service
    from tracker.briefs.word import render_docx

    year, month = period
    _not_future(year, month)
    if fmt == "docx":
        draft = service.draft_for(year, month)
        data = render_docx(service.build_snapshot(year, month, draft, park_today()))
        _write(out, data)
        click.echo(f"已生成{year}年{month}月简报草稿（Word）：{out}（{len(data) // 1024} KB）")
        return
    # The progress bar goes to stderr so that stdout keeps the one-line summary.
    with click.progressbar(length=len(service.DRAFT_STAGES), label="生成简报", file=sys.stderr,
                           show_eta=False) as bar:
        def advance(done: int, total: int, message: str) -> None:
            bar.label = message
            bar.update(done - bar.pos)

        data = service.render_draft_pdf(year, month, advance, today=park_today())
    _write(out, data)
    click.echo(f"已生成{year}年{month}月简报草稿：{out}（{len(data) // 1024} KB）")


@brief_group.command("publish")
@period_option
@click.option("--correction", is_flag=True, help="发布更正版（须有已发布的原版）")
@click.option("--reason", default="", help="更正原因（--correction 时必填）")
@with_appcontext
def publish_command(period: Period, correction: bool, reason: str) -> None:
    """Publish the month's brief (freeze its snapshot and PDF)."""
    from tracker.briefs import service
    from tracker.errors import Refused
    from tracker.extensions import db

    year, month = period
    _not_future(year, month)
    if reason and not correction:
        fail("--reason 只用于 --correction（发布更正版）。")
    try:
        brief = service.publish(year, month, None, correction=correction, reason=reason,
                                today=park_today())
    except Refused as exc:
        db.session.rollback()
        fail(str(exc))
    click.echo(
        f"已发布{year}年{month}月简报 {brief.snapshot['issue_label']}（第{brief.revision}版），"
        f"SHA-256 {brief.sha256}"
    )


@brief_group.command("get")
@period_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.pdf")
@click.option("--revision", type=click.IntRange(min=1), default=None, help="版次（默认最新）")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "ledger"]), default="pdf",
              help="pdf（默认）、docx 或 ledger（问题台账 .xlsx）")
@with_appcontext
def get_command(period: Period, out: str, revision: int | None, fmt: str) -> None:
    """Write a published revision's PDF or .docx, byte for byte."""
    from tracker.briefs import service

    year, month = period
    brief = service.published_revision(year, month, revision)
    if brief is None:
        if revision is not None and service.published(year, month):
            fail(f"{year}年{month}月简报没有第{revision}版。")
        fail(f"{year}年{month}月的简报尚未发布。")
    if fmt == "ledger":
        if brief.ledger is None:
            fail(f"{year}年{month}月简报第{brief.revision}版发布时尚无问题台账。")
        _write(out, brief.ledger)
        click.echo(f"已写出{year}年{month}月简报第{brief.revision}版问题台账：{out}"
                   f"（SHA-256 {brief.ledger_sha256}）")
        return
    if fmt == "docx":
        data = service.frozen_docx(brief)
        _write(out, data)
        click.echo(f"已写出{year}年{month}月简报第{brief.revision}版（Word）：{out}"
                   f"（SHA-256 {brief.docx_sha256}）")
        return
    _write(out, brief.pdf)
    click.echo(f"已写出{year}年{month}月简报第{brief.revision}版：{out}（SHA-256 {brief.sha256}）")
