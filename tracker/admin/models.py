"""Park settings an admin changes in the browser (DESIGN.md section 8)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

DEFAULTS = {
    "park_name": "示范产业园区",
    "issuing_body": "园区管委会督查室",
    "yellow_threshold": "0",
    "red_threshold": "10",
}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
