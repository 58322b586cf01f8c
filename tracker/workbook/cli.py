"""``flask import-xlsx FILE [--create-users] [--dry-run]`` and ``flask export-xlsx FILE.xlsx``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("import-xlsx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--create-users", is_flag=True, help="为未知的项目负责人创建账号（无密码）")
@click.option("--dry-run", is_flag=True, help="只检查并列出将要修改的内容，不写入")
@with_appcontext
def import_command(file: str, create_users: bool, dry_run: bool) -> None:
    """Import the park's workbook (.xlsx, .xls, .ods): all or nothing."""
    from tracker.cli import fail
    from tracker.workbook.service import apply_import, plan_import

    path = Path(file)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and path.stat().st_size > limit:
        fail(f"文件超过 {limit // (1024 * 1024)} MB 上限，无法导入。")
    data = path.read_bytes()
    plan = plan_import(data, create_users=create_users)
    if not plan.ok:
        fail("\n".join(plan.errors))
    for warning in plan.warnings:
        click.echo(f"提示：{warning}")
    for line in plan.summary_lines():
        click.echo(line)
    if dry_run:
        click.echo("试运行：未写入任何数据。")
        return
    if not plan.changes_anything:
        click.echo("数据与系统中一致，未做任何修改。")
        return
    batch = apply_import(plan, data, path.name, None)
    click.echo(f"已导入（导入记录 #{batch.id}，SHA-256 {batch.sha256}）。")


@click.command("export-xlsx")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(file: str) -> None:
    """Write the whole database as the park's workbook."""
    from tracker.cli import fail
    from tracker.workbook.export import export_bytes

    if not file.lower().endswith(".xlsx"):
        fail("导出文件名应以 .xlsx 结尾。")
    data = export_bytes()
    try:
        Path(file).write_bytes(data)
    except OSError as exc:
        fail(f"无法写入 {file}：{exc.strerror or exc}")
    click.echo(f"已导出到 {file}（{len(data) // 1024} KB）。")
