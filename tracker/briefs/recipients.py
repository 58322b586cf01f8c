"""The brief's readers (报送 / 抄送, DESIGN.md section 12): one a line, a name and an optional
e-mail address, as ``区委办公室 <qwb@example.gov.cn>`` or ``区委办公室``. Pure."""

from __future__ import annotations

import re
from typing import NamedTuple

LINE = re.compile(r"^\s*(?P<name>[^<>]+?)\s*(?:<\s*(?P<email>[^<>\s]+)\s*>)?\s*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LINES = 50


class Recipient(NamedTuple):
    name: str
    email: str  # "" when the reader gets the brief on paper


def parse(text: str) -> tuple[list[Recipient], str | None]:
    """(readers, the first error in Chinese or None)."""
    readers: list[Recipient] = []
    lines = [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    if len(lines) > MAX_LINES:
        return [], f"最多 {MAX_LINES} 行"
    for number, line in enumerate(lines, start=1):
        match = LINE.match(line)
        if match is None or len(match["name"]) > 60:
            return [], f"第{number}行应为“名称 <邮箱>”或“名称”：{line.strip()[:40]}"
        email = match["email"] or ""
        if email and (not EMAIL.match(email) or len(email) > 254):
            return [], f"第{number}行的邮箱地址无效：{email[:60]}"
        readers.append(Recipient(match["name"], email))
    return readers, None


def names(readers: list[Recipient]) -> str:
    """How the brief prints them: 区委办公室、区政府办公室."""
    return "、".join(r.name for r in readers)
