"""Reading the work report's data forms (and workbook rows): typed values and one Chinese
message per bad field. Each area of DESIGN.md section 15 is a list of fields, so the grid's
rows, its add form and the workbook sheets read the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from tracker.forms import FormReader, whole_number
from tracker.workreport.models import Agreement, PipelineStage, TargetKind

AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
STALE_PAGE = "页面数据已失效，请刷新页面后重新填写。"


@dataclass(frozen=True)
class Field:
    """One column of an area: ``kind`` is text, amount (亿元/亩), date, choice or year."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    unit: str = ""
    enum: type[Enum] | None = None
    max_len: int = 100


@dataclass(frozen=True)
class Area:
    """An area of the work report's data: its page title, table and fields."""

    key: str
    title: str
    table: str
    fields: tuple[Field, ...]
    admin_only: bool = False


AREAS: dict[str, Area] = {
    "signed": Area("signed", "招商签约", "wr_signed_projects", (
        Field("name", "项目名称"),
        Field("industry", "行业", required=False, max_len=40),
        Field("signed_on", "签约日期", "date"),
        Field("investment", "计划总投资", "amount", unit="亿元"),
        Field("agreement", "协议类型", "choice", enum=Agreement),
    )),
    "pipeline": Area("pipeline", "储备项目", "wr_pipeline_projects", (
        Field("name", "项目名称"),
        Field("industry", "行业", required=False, max_len=40),
        Field("investment", "计划投资", "amount", unit="亿元"),
        Field("progress", "进展", "choice", enum=PipelineStage),
    )),
    "land": Area("land", "土地收储", "wr_land_entries", (
        Field("acquired_on", "日期", "date"),
        Field("area", "面积", "amount", unit="亩"),
        Field("location", "位置", required=False),
    )),
    "targets": Area("targets", "年度目标", "wr_targets", (
        Field("year", "年度", "year"),
        Field("kind", "指标", "choice", enum=TargetKind),
        Field("value", "目标值", "amount"),
    ), admin_only=True),
}
VALUE_FIELDS = (
    Field("cumulative", "本期累计", "amount", required=False, unit="亿元"),
    Field("last_year", "上年同期累计", "amount", required=False, unit="亿元"),
)


def read_amount(f: FormReader, name: str, label: str, unit: str, required: bool) -> None:
    """亿元 or 亩: not negative, at most two decimals; thousands separators accepted."""
    value = f.raw(name).replace(",", "").replace("，", "")
    if not value:
        f.values[name] = None
        if required:
            f.error(name, f"请填写{label}")
        return
    if value.startswith("-"):
        f.error(name, f"{label}不能为负数")
        return
    if not AMOUNT_RE.match(value):
        example = "120.5" if unit == "亩" else "12.50"
        f.error(name, f"{label}应为数字{f'（{unit}）' if unit else ''}，最多两位小数，例如 {example}")
        return
    f.values[name] = Decimal(value)


def read_fields(fields: tuple[Field, ...], data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, errors) of ``fields`` from ``data`` (posted strings or a workbook row)."""
    f = FormReader(data)
    for field in fields:
        if field.kind == "amount":
            read_amount(f, field.name, field.label, field.unit, field.required)
        elif field.kind == "date":
            f.day(field.name, field.label, required=field.required)
        elif field.kind == "choice" and field.enum is not None:
            f.choice(field.name, field.label, field.enum, required=field.required)
        elif field.kind == "year":
            f.integer(field.name, field.label, lo=2000, hi=2100, required=field.required)
        else:
            f.text(field.name, field.label, required=field.required, max_len=field.max_len)
    return f.values, f.errors


def read_version(data: Any) -> int | None:
    """The version the form was loaded with (0 for a value not yet entered)."""
    return whole_number(data.get("version"))


def read_indicator_name(data: Any) -> tuple[str | None, dict[str, str]]:
    f = FormReader(data)
    name = f.text("name", "指标名称", required=True, max_len=40)
    return name, f.errors
