"""Park settings an admin changes in the browser (DESIGN.md section 8): stored and read.

Writing them (validated, audited) is the admin pages' business; every domain reads them here.
"""

from __future__ import annotations

from decimal import Decimal

from flask import g
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.cache import cached
from tracker.extensions import db
from tracker.progress import Thresholds

DEFAULTS = {
    "park_name": "示范产业园区",
    "issuing_body": "园区管委会督查室",
    "yellow_threshold": "0",
    "red_threshold": "10",
    "contact": "",  # the issuing office's contact on notices, e.g. 督查室 王某 0000-0000000
    "milestone_due_days": "15",  # 临期: a milestone planned within this many days (section 11)
    "evidence_required": "1",  # 办结需佐证: moving an issue to 待确认 needs an evidence file
    "brief_photos": "1",  # the brief's 三、进度滞后项目 shows each project's latest photo
    "brief_send_to": "",  # the brief's readers, one a line: 名称 <邮箱> (section 12)
    "brief_copy_to": "",
    # Reminders (section 13): the report of month m is due on day R of month m + 1.
    "report_due_day": "5",
    "report_remind_before": "3",
    "report_remind_after": "2",
    "issue_remind_before": "3",
    "issue_remind_every": "7",
}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def park_settings() -> dict[str, str]:
    """All settings with defaults filled in; read once per request (and from the cache while
    the data version holds)."""
    if "park_settings" not in g:
        g.park_settings = dict(cached("settings", None, _stored))  # a copy: callers may change it
    return g.park_settings


def _stored() -> dict[str, str]:
    stored = {key: value for key, value in db.session.execute(db.select(Setting.key, Setting.value))}
    return {**DEFAULTS, **stored}


def thresholds() -> Thresholds:
    """The warning-light thresholds in force."""
    s = park_settings()
    return Thresholds(yellow=Decimal(s["yellow_threshold"]), red=Decimal(s["red_threshold"]))


def milestone_due_days() -> int:
    """N of 临期: a milestone planned from today to N days on is due soon (DESIGN.md section 11)."""
    value = park_settings()["milestone_due_days"]
    return int(value) if value.isascii() and value.isdigit() else int(DEFAULTS["milestone_due_days"])


def is_on(key: str) -> bool:
    """A yes/no setting ("1" on, anything else off)."""
    return park_settings().get(key, DEFAULTS.get(key, "")) == "1"


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
