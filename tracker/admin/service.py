"""Park settings: the admin form's validation and the audited save."""

from __future__ import annotations

from decimal import Decimal

from tracker.extensions import db
from tracker.settings import park_settings, set_setting

SETTING_LABELS = {
    "park_name": "园区名称",
    "issuing_body": "发文单位",
    "yellow_threshold": "黄灯阈值（落后百分点）",
    "red_threshold": "红灯阈值（落后百分点）",
    "contact": "联系人及电话",
    "milestone_due_days": "节点临期天数",
    "evidence_required": "办结需佐证",
    "brief_photos": "简报滞后项目附照片",
    "brief_send_to": "简报报送名单",
    "brief_copy_to": "简报抄送名单",
}
READER_LISTS = ("brief_send_to", "brief_copy_to")  # one reader a line: 名称 <邮箱>
SWITCHES = ("evidence_required", "brief_photos")  # 是 "1" / 否 "0"


def read_settings(data) -> tuple[dict[str, str], dict[str, str]]:  # noqa: ANN001
    """Validate the settings form: (values, errors). Thresholds 0–100 points, yellow ≤ red;
    节点临期天数 0–365 days."""
    import re

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, required in (("park_name", True), ("issuing_body", True), ("contact", False)):
        raw = data.get(key, "")
        value = raw.strip() if isinstance(raw, str) else ""
        if required and not value:
            errors[key] = f"请填写{SETTING_LABELS[key]}"
        elif len(value) > 60:
            errors[key] = f"{SETTING_LABELS[key]}不能超过 60 个字符"
        elif re.search(r"[\x00-\x1f\x7f]", value):
            errors[key] = f"{SETTING_LABELS[key]}含有不允许的控制字符"
        else:
            values[key] = value
    for key in ("yellow_threshold", "red_threshold"):
        raw = data.get(key, "")
        value = raw.strip() if isinstance(raw, str) else ""
        if not re.fullmatch(r"\d{1,3}(\.\d)?", value) or Decimal(value) > 100:
            errors[key] = f"{SETTING_LABELS[key]}应为 0 到 100 之间的数，最多一位小数"
        else:
            values[key] = value.removesuffix(".0")
    # A form without the field (an older page, a script) keeps the stored value.
    if "milestone_due_days" in data:
        raw = data.get("milestone_due_days", "")
        value = raw.strip() if isinstance(raw, str) else ""
        if not re.fullmatch(r"\d{1,3}", value) or int(value) > 365:
            errors["milestone_due_days"] = f"{SETTING_LABELS['milestone_due_days']}应为 0 到 365 之间的整数"
        else:
            values["milestone_due_days"] = str(int(value))
    for key in READER_LISTS:
        if key in data:  # absent: kept
            from tracker.briefs.recipients import parse

            raw = data.get(key, "")
            _, error = parse(raw if isinstance(raw, str) else "")
            if error:
                errors[key] = f"{SETTING_LABELS[key]}：{error}"
            else:
                values[key] = "\n".join(line.strip() for line in raw.replace("\r\n", "\n").split("\n")
                                        if line.strip())
    for key in SWITCHES:
        if key in data:  # absent: kept, as above
            if data.get(key) not in ("1", "0"):
                errors[key] = f"{SETTING_LABELS[key]}请选择“是”或“否”"
            else:
                values[key] = data.get(key)
    if not errors and Decimal(values["yellow_threshold"]) > Decimal(values["red_threshold"]):
        errors["red_threshold"] = "红灯阈值不能小于黄灯阈值"
    return values, errors


def save_settings(actor, values: dict[str, str]) -> dict[str, tuple]:  # noqa: ANN001
    """Store validated settings (admins only); each changed one is an audit entry."""
    from tracker.audit.service import record
    from tracker.auth.permissions import require

    require(actor.is_admin)
    changes = {}
    for key, value in values.items():
        if park_settings().get(key) == value:
            continue
        old, new = set_setting(key, value)
        changes[key] = (old, new)
        record(user_id=actor.id, action="update", table="settings", record_id=None,
               label=SETTING_LABELS[key], field=key, old=old, new=new)
    db.session.commit()
    return changes
