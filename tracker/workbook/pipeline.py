"""An import in stages that report progress: the one pipeline of the background job and the CLI.

Stages: reading the file, validating it against the database, then writing each sheet present
and saving (audit entries, the import batch, the commit). ``progress(done, total, message,
in_transaction=...)`` is called at the start of each stage; ``total`` is 0 while the file is
being read (the number of sheets is not known yet). The writing stages are reported from
inside the import's single transaction (``in_transaction=True``): a callback must then neither
commit nor use the session, or the import would stop being all or nothing.

The route's synchronous path still calls ``plan_import`` / ``apply_import`` directly: it has
no one to report progress to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.workbook.models import ImportBatch
from tracker.workbook.plan import ImportPlan, data_rows, plan_book, read_book
from tracker.workbook.write import apply_import

READING = "正在读取文件"
SAVING = "正在保存导入记录和修改记录"


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str, *, in_transaction: bool = False) -> None: ...


def _silent(done: int, total: int, message: str, *, in_transaction: bool = False) -> None:
    return None


@dataclass
class ImportOutcome:
    """The plan (errors, or what changes) and the batch when something was written."""

    plan: ImportPlan
    batch: ImportBatch | None = None


def run_import(
    data: bytes,
    filename: str,
    user_id: int | None,
    *,
    create_users: bool = False,
    write: bool = True,
    progress: Progress | None = None,
    today: date,
) -> ImportOutcome:
    """Read, validate and (unless ``write`` is false or nothing changes) write ``data``.

    A refused file writes nothing and comes back with ``plan.errors``.
    """
    report = progress or _silent
    report(0, 0, READING)
    book = read_book(data)
    sheets = len(book.records)
    total = 2 + (sheets + 1 if write else 0)
    report(1, total, f"正在校验 {data_rows(book)} 行数据")
    plan = plan_book(book, create_users=create_users)
    del book
    if not plan.ok:
        report(total, total, f"发现 {len(plan.errors)} 处问题，未导入")
        return ImportOutcome(plan)
    if not write:
        report(total, total, "检查完毕")
        return ImportOutcome(plan)
    if not plan.changes_anything:
        report(total, total, "数据与系统中一致，无需修改")
        return ImportOutcome(plan)
    report(2, total, f"正在写入 {len(plan.sheets)} 个工作表")
    written = [2]

    def step(sheet: str) -> None:
        report(written[0], total, f"正在写入 {sheet}" if sheet else SAVING, in_transaction=True)
        written[0] += 1

    batch = apply_import(plan, data, filename, user_id, step, today=today)
    report(total, total, "导入完成")
    return ImportOutcome(plan, batch)


def summary_message(plan: ImportPlan, batch: ImportBatch) -> str:
    """What the import page says after a successful import (flash, and the job's message)."""
    lines = "；".join(line.strip() for line in plan.summary_lines())
    return f"已导入“{batch.filename}”（导入记录 #{batch.id}）。{lines}。"
