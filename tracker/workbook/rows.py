"""The rows of an import plan: what each sheet would create and change (plan.py fills them,
write.py writes them, nodes.py does both for 年度计划's levels and 节点计划)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

PREVIEW_ROWS = 10
IMPORT_NOTE = "工作簿导入"


@dataclass
class Row:
    """A row that will be written: what it is called, and (for an update) what changes."""

    row: int
    label: str
    values: dict[str, Any]
    existing_id: int | None = None
    project_id: int | None = None
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (field, header, old, new)
    old_state: Any = None


@dataclass
class SheetPlan:
    """What one sheet would do."""

    sheet: str
    present: bool = False
    new: list[Row] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}



@dataclass(frozen=True)
class StageMove:
    """A project's stage moved forward by the actual date a 节点计划 row records."""

    code: str
    old: str
    new: str
    milestone: str
    on: date
