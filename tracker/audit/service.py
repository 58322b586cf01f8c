"""Writing the audit trail: every change to project data goes through ``record``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from tracker.audit.models import AuditEntry
from tracker.extensions import db


def as_text(value: Any) -> str | None:
    """How a value is kept in the trail: plain text, Decimals with two places."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record(
    *,
    user_id: int | None,
    action: str,
    table: str,
    record_id: int | None,
    label: str = "",
    project_id: int | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
    batch_id: int | None = None,
) -> AuditEntry:
    """Add one entry to the session (committed with the change it describes)."""
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        table_name=table,
        record_id=record_id,
        record_label=label,
        project_id=project_id,
        field=field,
        old=as_text(old),
        new=as_text(new),
        note=note,
        import_batch_id=batch_id,
    )
    db.session.add(entry)
    return entry


def apply_changes(
    obj: Any,
    values: dict[str, Any],
    *,
    user_id: int | None,
    table: str,
    label: str,
    project_id: int | None,
    note: str = "",
    batch_id: int | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Set ``values`` on ``obj`` and record one entry per field that really changed."""
    changed: dict[str, tuple[Any, Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if as_text(old) == as_text(new):
            continue
        setattr(obj, field, new)
        changed[field] = (old, new)
        record(
            user_id=user_id,
            action="update",
            table=table,
            record_id=getattr(obj, "id", None),
            label=label,
            project_id=project_id,
            field=field,
            old=old,
            new=new,
            note=note,
            batch_id=batch_id,
        )
    return changed
