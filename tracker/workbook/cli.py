"""``flask import-xlsx FILE [--create-users] [--dry-run] [--progress]`` and ``flask export-xlsx FILE.xlsx``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.http import park_today
from tracker.workbook.parse import listed_errors
from tracker.workbook.pipeline import READING, Progress


@click.command("import-xlsx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--create-users", is_flag=True, help="为未知的项目负责人创建账号（无密码）")
@click.option("--dry-run", is_flag=True, help="只检查并列出将要修改的内容，不写入")
@click.option("--progress/--no-progress", default=None,
              help="在标准错误输出上显示进度条（默认：标准错误输出是终端时显示）")
@with_appcontext
def import_command(file: str, create_users: bool, dry_run: bool, progress: bool | None) -> None:
    """Import the park's workbook (.xlsx, .xls, .ods): all or nothing.

    The summary goes to stdout; the progress bar and refusals to stderr. Without a terminal
    the bar is off unless ``--progress`` asks for it (click then prints each stage's label on
    a line of its own), so that scripts see nothing on stderr but the errors.
    """
    from tracker.errors import fail
    from tracker.workbook.pipeline import run_import

    path = Path(file)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and path.stat().st_size > limit:
        fail(f"文件超过 {limit // (1024 * 1024)} MB 上限，无法导入。")
    data = path.read_bytes()
    stderr = sys.stderr
    shown = stderr.isatty() if progress is None else progress
    with _bar(stderr, shown) as report:
        outcome = run_import(data, path.name, None, create_users=create_users, write=not dry_run,
                             progress=report, today=park_today())
    plan = outcome.plan
    if not plan.ok:
        fail("\n".join(listed_errors(plan.errors)))
    for warning in plan.warnings:
        click.echo(f"提示：{warning}")
    for line in plan.summary_lines():
        click.echo(line)
    if dry_run:
        click.echo("试运行：未写入任何数据。")
    elif outcome.batch is None:
        click.echo("数据与系统中一致，未做任何修改。")
    else:
        batch = outcome.batch
        click.echo(f"已导入（导入记录 #{batch.id}，SHA-256 {batch.sha256}）。")


@contextmanager
def _bar(stream: TextIO, shown: bool) -> Iterator[Progress]:
    """A click progress bar (in percent) whose label is the current stage."""
    if not shown:
        yield lambda done, total, message, *, in_transaction=False: None
        return
    with click.progressbar(length=100, label=READING, file=stream, width=24,
                           show_eta=False) as bar:
        def report(done: int, total: int, message: str, *, in_transaction: bool = False) -> None:
            bar.label = message
            steps = max(0, (done * 100 // total if total else 0) - bar.pos)
            if steps:
                bar.update(steps)
            else:  # a new stage at the same percentage: show its label
                bar.render_progress()

        yield report


@click.command("export-xlsx")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(file: str) -> None:
    """Write the whole database as the park's workbook."""
    import shutil

    from tracker.errors import fail
    from tracker.workbook.export import export_file

    if not file.lower().endswith(".xlsx"):
        fail("导出文件名应以 .xlsx 结尾。")
    try:
        with export_file() as data, Path(file).open("wb") as target:
            shutil.copyfileobj(data, target)
    except OSError as exc:
        fail(f"无法写入 {file}：{exc.strerror or exc}")
    click.echo(f"已导出到 {file}（{Path(file).stat().st_size // 1024} KB）。")
