"""Admins' notification settings: each unit's group robots and the park's reminder rules with
the supervision office's robots (stored as settings). Validated, audited; a secret is never
written into the audit trail, only that it changed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tracker.audit.service import apply_changes, record
from tracker.auth.models import Unit, User
from tracker.auth.permissions import require
from tracker.errors import Refused
from tracker.extensions import db
from tracker.settings import DEFAULTS, park_settings, set_setting

ROBOT_LABELS = {"wecom_webhook": "企业微信机器人地址", "dingtalk_webhook": "钉钉机器人地址",
                "dingtalk_secret": "钉钉加签密钥"}
RULE_LABELS = {  # key: (label, lowest, highest)
    "report_due_day": ("报送截止日（次月几日）", 1, 31),
    "report_remind_before": ("截止前几天催报", 0, 20),
    "report_remind_after": ("逾期几天再催并汇总", 1, 20),
    "issue_remind_before": ("办结时限前几天催办", 0, 30),
    "issue_remind_every": ("逾期后每隔几天催办", 1, 60),
}
OFFICE_ROBOTS = {"office_wecom_webhook": "督查室企业微信机器人地址",
                 "office_dingtalk_webhook": "督查室钉钉机器人地址",
                 "office_dingtalk_secret": "督查室钉钉加签密钥"}
SECRETS = ("dingtalk_secret", "office_dingtalk_secret")


def _webhook(value: str, label: str, errors: dict[str, str], key: str) -> str:
    value = (value or "").strip()
    url = urlsplit(value)
    if value and (url.scheme not in ("http", "https") or not url.hostname or len(value) > 500
                  or re.search(r"\s", value)):
        errors[key] = f"{label}应为 https:// 开头的完整地址，例如 https://oapi.dingtalk.com/robot/send?access_token=…"
    return value


def _secret(value: str, label: str, errors: dict[str, str], key: str) -> str:
    value = (value or "").strip()
    if len(value) > 200 or re.search(r"[\s\x00-\x1f]", value):
        errors[key] = f"{label}不能含空白字符，且不超过 200 个字符"
    return value


def set_unit_robots(actor: User, unit: Unit, data: dict[str, str]) -> None:
    """A unit's 企业微信/钉钉 webhooks and 钉钉 secret (admins); Refused with per-field messages.
    An empty secret field keeps the stored one unless ``clear_secret`` is ticked."""
    require(actor.is_admin)
    errors: dict[str, str] = {}
    values = {key: _webhook(data.get(key, ""), ROBOT_LABELS[key], errors, key)
              for key in ("wecom_webhook", "dingtalk_webhook")}
    secret = _secret(data.get("dingtalk_secret", ""), ROBOT_LABELS["dingtalk_secret"], errors,
                     "dingtalk_secret")
    if errors:
        raise Refused(errors)
    apply_changes(unit, values, user_id=actor.id, table="units", label=unit.name, project_id=None,
                  note="工作群机器人")
    new_secret = "" if data.get("clear_secret") == "1" else (secret or unit.dingtalk_secret)
    if new_secret != unit.dingtalk_secret:
        record(user_id=actor.id, action="update", table="units", record_id=unit.id, label=unit.name,
               field="dingtalk_secret", old="已设置" if unit.dingtalk_secret else "未设置",
               new="已设置" if new_secret else "未设置", note="工作群机器人")
        unit.dingtalk_secret = new_secret
    db.session.commit()


def reminder_settings() -> dict[str, str]:
    s = park_settings()
    return {key: s.get(key, DEFAULTS.get(key, "")) for key in (*RULE_LABELS, *OFFICE_ROBOTS)}


def save_reminder_settings(actor: User, data: dict[str, str]) -> int:
    """The reminder rules and the office's robots (admins); how many settings changed."""
    require(actor.is_admin)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for key, (label, low, high) in RULE_LABELS.items():
        raw = (data.get(key, "") or "").strip()
        if not re.fullmatch(r"\d{1,2}", raw) or not low <= int(raw) <= high:
            errors[key] = f"{label}应为 {low} 到 {high} 之间的整数"
        else:
            values[key] = str(int(raw))
    for key, label in OFFICE_ROBOTS.items():
        check = _secret if key in SECRETS else _webhook
        values[key] = check(data.get(key, ""), label, errors, key)
    if errors:
        raise Refused(errors)
    stored = reminder_settings()
    if not values["office_dingtalk_secret"] and data.get("clear_secret") != "1":
        values["office_dingtalk_secret"] = stored["office_dingtalk_secret"]
    changed = 0
    for key, value in values.items():
        if stored.get(key, "") == value:
            continue
        old, new = set_setting(key, value)
        label = RULE_LABELS[key][0] if key in RULE_LABELS else OFFICE_ROBOTS[key]
        if key in SECRETS:
            old, new = ("已设置" if old else "未设置"), ("已设置" if new else "未设置")
        record(user_id=actor.id, action="update", table="settings", record_id=None, label=label,
               field=key, old=old, new=new)
        changed += 1
    db.session.commit()
    return changed
