"""``flask work-report render | publish | get`` (DESIGN.md section 6): the work report of
section 15. Refusals print on stderr and exit 1; a malformed period exits 2."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.briefs.cli import _period, _write
from tracker.errors import fail
from tracker.http import park_today
from tracker.periods import Period


@click.group("work-report")
def work_report_group() -> None:
    """The park's work report (工作情况汇报)."""


period_option = click.option("--period", required=True, callback=_period, help="YYYY-MM")
format_option = click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]),
                             default="pdf", help="pdf（默认）或 docx")


def _not_future(period: Period) -> None:
    if period.is_future(park_today()):
        fail(f"{period.year}年{period.month}月尚未到来，不能生成工作情况汇报。")


@work_report_group.command("render")
@period_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE")
@format_option
@with_appcontext
def render_command(period: Period, out: str, fmt: str) -> None:
    """Render the period's draft from live data (nothing is stored)."""
    from tracker.workreport.draft import service
    from tracker.workreport.draft.word import render_docx

    _not_future(period)
    snapshot = service.build_snapshot(service.draft_for(*period), park_today())
    data = service.render_report_pdf(snapshot) if fmt == "pdf" else render_docx(snapshot)
    _write(out, data)
    click.echo(f"已生成{period.year}年{period.month}月工作情况汇报草稿：{out}")


@work_report_group.command("publish")
@period_option
@click.option("--correction", is_flag=True, help="发布更正版")
@click.option("--reason", default="", help="更正原因")
@with_appcontext
def publish_command(period: Period, correction: bool, reason: str) -> None:
    """Publish the period's report (freeze its text, PDF and .docx)."""
    from tracker.errors import Refused
    from tracker.extensions import db
    from tracker.workreport.draft import service

    _not_future(period)
    if reason and not correction:
        fail("--reason 只用于 --correction（发布更正版）。")
    try:
        report = service.publish(*period, None, correction=correction, reason=reason,
                                 today=park_today())
    except Refused as exc:
        db.session.rollback()
        fail(str(exc))
    click.echo(f"已发布{period.year}年{period.month}月工作情况汇报（第{report.revision}版），"
               f"PDF SHA-256 {report.sha256}，Word SHA-256 {report.docx_sha256}")


@work_report_group.command("get")
@period_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE")
@format_option
@click.option("--revision", type=click.IntRange(min=1), default=None, help="版次（默认最新）")
@with_appcontext
def get_command(period: Period, out: str, fmt: str, revision: int | None) -> None:
    """Write a published revision's PDF or .docx, byte for byte."""
    from tracker.workreport.draft import service

    year, month = period
    report = service.published_revision(year, month, revision)
    if report is None:
        if revision is not None and service.published(year, month):
            fail(f"{year}年{month}月工作情况汇报没有第{revision}版。")
        fail(f"{year}年{month}月的工作情况汇报尚未发布。")
    data, sha = (report.pdf, report.sha256) if fmt == "pdf" else (report.docx, report.docx_sha256)
    _write(out, data)
    click.echo(f"已写出{year}年{month}月工作情况汇报第{report.revision}版：{out}（SHA-256 {sha}）")
