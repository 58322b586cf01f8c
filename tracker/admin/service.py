"""Park settings: name, issuing body, warning-light thresholds."""

from __future__ import annotations

from decimal import Decimal

from flask import g

from tracker.admin.models import DEFAULTS, Setting
from tracker.extensions import db
from tracker.progress import Thresholds


def park_settings() -> dict[str, str]:
    """All settings with defaults filled in; read once per request."""
    if "park_settings" not in g:
        stored = {s.key: s.value for s in db.session.scalars(db.select(Setting))}
        g.park_settings = {**DEFAULTS, **stored}
    return g.park_settings


def thresholds() -> Thresholds:
    s = park_settings()
    return Thresholds(yellow=Decimal(s["yellow_threshold"]), red=Decimal(s["red_threshold"]))


def set_setting(key: str, value: str) -> tuple[str | None, str]:
    """Store a setting; returns (old, new) for the audit trail."""
    row = db.session.get(Setting, key)
    old = row.value if row else DEFAULTS.get(key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    g.pop("park_settings", None)
    return old, value
