"""The project form (admin pages): typed values and one Chinese message per bad field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from tracker.forms import FormReader
from tracker.projects.models import Level, Stage


def read_project(data: Mapping[str, Any] | MultiDict) -> FormReader:
    """The register fields of a project form (DESIGN.md section 2), keyed as the service wants."""
    f = FormReader(data)
    f.text("code", "项目编号", required=True, max_len=40, forbid=" /\\?#%")
    f.text("name", "项目名称", required=True, max_len=200)
    f.choice("level", "级别", Level)
    f.text("industry", "行业", max_len=40)
    f.choice("stage", "建设阶段", Stage)
    f.ref("owner_unit_id", "业主单位")
    f.ref("responsible_unit_id", "责任单位")
    f.ref("lead_id", "项目负责人")
    f.refs("liaison_ids", "联络员")
    f.text("leader_in_charge", "包挂领导", max_len=64)
    f.money("total_investment", "总投资")
    f.integer("start_year", "开工年份", lo=1990, hi=2100)
    f.integer("planned_completion_year", "计划竣工年份", lo=1990, hi=2100)
    return f
