"""Reading the milestone forms: typed values and one Chinese message per bad field."""

from __future__ import annotations

from typing import Any

from tracker.forms import FormReader, whole_number

NAME_MAX = 60
NOTE_MAX = 500
REASON_MAX = 200
STALE_PAGE = "页面数据已失效，请刷新页面后重新填写。"


def read_milestone(data: Any) -> tuple[dict[str, Any], dict[str, str], int | None]:
    """A milestone row's form: (values, errors, version seen).

    Only the fields the form carries are read: an absent one means "unchanged" (a lead's
    form has no planned date, an office form may carry no note). ``planning`` marks a form
    that shows the 不适用 box, since an unticked box sends nothing.
    """
    f = FormReader(data)
    if "planned_on" in data:
        f.day("planned_on", "计划完成日期")
    if "actual_on" in data:
        f.day("actual_on", "实际完成日期")
    if "note" in data:
        f.text("note", "备注", max_len=NOTE_MAX, multiline=True)
    if "planning" in data:
        f.flag("not_applicable")
    f.text("reason", "调整理由", max_len=REASON_MAX)
    version = whole_number(data.get("version"))
    if version is None:
        f.error("_row", STALE_PAGE)
    return f.values, f.errors, version


def read_name(data: Any, label: str = "节点名称") -> tuple[str | None, dict[str, str]]:
    """A milestone's name: required, one line, at most 60 characters."""
    f = FormReader(data)
    name = f.text("name", label, required=True, max_len=NAME_MAX)
    return name, f.errors


def read_own(data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """A project's own milestone: its name and, optionally, its planned date."""
    f = FormReader(data)
    f.text("name", "节点名称", required=True, max_len=NAME_MAX)
    f.day("planned_on", "计划完成日期")
    return f.values, f.errors
