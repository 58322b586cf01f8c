"""Settings from the environment (DESIGN.md section 8)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret_key(instance_path: str) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into ``instance/``.

    The file is created with O_EXCL so that several workers starting together
    agree on one key: the loser of the race reads the winner's file.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            import time

            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(instance_path: str) -> str:
    """``DATABASE_URL``, defaulting to a SQLite file in ``instance/``."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'duban.sqlite'}"


def from_environment(instance_path: str) -> dict:
    """The app's configuration, read from the environment."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SECRET_KEY": secret_key(instance_path),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_HOURS", "8")) * 3600,
        # Renewed every few minutes by tracker.web, not re-signed on every request.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # A try-out (make run): the demo's published passwords work as they are, and every
        # page carries a red 演示数据 band.
        "DUBAN_DEMO": os.environ.get("DUBAN_DEMO", "") == "1",
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed: 0
        # means none (a client could otherwise name any address and dodge throttling).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Parks with at least this many projects render and publish briefs in a worker.
        "BRIEF_BACKGROUND_FROM": int(os.environ.get("BRIEF_BACKGROUND_FROM", "150")),
        # Briefs whose tables cost at least this (in issue-table rows, briefs/parts.py) are
        # rendered in parts of about BRIEF_PART_UNITS, two processes at a time.
        "BRIEF_PARTS_FROM": float(os.environ.get("BRIEF_PARTS_FROM", "600")),
        "BRIEF_PART_UNITS": float(os.environ.get("BRIEF_PART_UNITS", "300")),
        # Workbooks of at least this many data rows (all sheets) are imported in a worker.
        "IMPORT_BACKGROUND_FROM": int(os.environ.get("IMPORT_BACKGROUND_FROM", "5000")),
        # Parks with at least this many projects are exported (/export.xlsx) by a worker.
        "EXPORT_BACKGROUND_FROM": int(os.environ.get("EXPORT_BACKGROUND_FROM", "5000")),
        # Notifications (DESIGN.md section 13): links start with PUBLIC_URL; mail goes through
        # SMTP_URL (smtp://user:pass@host:port or smtps://…), else to instance/outbox/*.eml.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "duban@localhost"),
        "NOTIFY_RETRY_SECONDS": float(os.environ.get("NOTIFY_RETRY_SECONDS", "60")),
    }
