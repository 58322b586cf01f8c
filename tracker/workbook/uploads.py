"""Uploaded workbooks kept between preview and confirmation, under a random token.

The file waits in the instance folder (``instance/imports/<token>.bin`` + ``.json``) bound to
the user who uploaded it; files older than a day are removed at the next upload. The web
request and the worker that imports a large file both use these functions, so they must share
the instance folder (the same host, or a shared volume).

Decisions where the docs were silent:

- ``meta["rows"]`` is the number of data rows across all sheets, counted at the preview, so
  that the confirmation can decide to run in the background without reading the file again.
- A confirmation that goes to the background *claims* the file: it moves to a new token
  nobody was shown, in one atomic rename, so a second click on 确认导入 finds nothing and
  cannot queue the same import twice.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(data: bytes, meta: dict) -> str:
    """Keep ``data`` with ``meta`` (``user_id``, ``filename``, ``create_users``, ``rows``)."""
    folder = _folder()
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return token


def load_meta(token: str, user_id: int | None) -> dict | None:
    """The kept file's meta, or None when the token is unknown, malformed or someone else's."""
    if not TOKEN_RE.match(token or ""):
        return None
    try:
        meta = json.loads((_folder() / f"{token}.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or user_id is None or meta.get("user_id") != user_id:
        return None
    return meta


def load(token: str, user_id: int | None) -> tuple[bytes, dict] | None:
    """The kept file and its meta, only for the user who uploaded it."""
    meta = load_meta(token, user_id)
    if meta is None:
        return None
    try:
        data = (_folder() / f"{token}.bin").read_bytes()
    except OSError:
        return None
    return data, meta


def claim(token: str, user_id: int | None) -> str | None:
    """Move the user's kept file to a fresh token (for a job); None if already gone."""
    if load_meta(token, user_id) is None:
        return None
    folder = _folder()
    fresh = secrets.token_urlsafe(24)
    try:
        os.rename(folder / f"{token}.json", folder / f"{fresh}.json")  # atomic: one claim wins
    except OSError:
        return None
    try:
        os.rename(folder / f"{token}.bin", folder / f"{fresh}.bin")
    except OSError:
        drop(fresh)
        return None
    return fresh


def drop(token: str) -> None:
    """Remove a kept file (after it was imported or refused)."""
    if TOKEN_RE.match(token or ""):
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
