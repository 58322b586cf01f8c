"""Figures and rendered fragments cached per process, keyed by the data version.

A page's expensive part (the figures of 2,000 projects, the HTML of their table) is kept in a
small LRU per process under ``(what, arguments, scope, data version, today)``:

- ``what`` and ``arguments``: the page or figure and everything it is computed from (period,
  filters, page number); ``scope``: what of the viewer changes it (their role, or their id);
- the data version (``tracker.cache.version``) is bumped by every write transaction in that same
  transaction, so an entry can only ever be served while the data it was made from is current;
- ``today`` (the park's day): pages that count overdue days or default to the last completed
  month change at midnight without any write.

Nothing is read from or put in the cache by a request that has written data it has not
committed (that data could still be rolled back). A per-process cache needs no server and no
invalidation messages between hosts: each host reads the version from the database once per
request. Fragments that hold a form's CSRF token are stored with a placeholder that is replaced
by the request's own token when served (``fragment``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from flask import Flask, current_app, g, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker.cache import version
from tracker.cache.lru import LRU
from tracker.extensions import db

T = TypeVar("T")

CSRF_PLACEHOLDER = "\x00csrf-token\x00"


def init_app(app: Flask) -> None:
    """This app's caches, made once at start-up (one per app: the tests' apps, each on a fresh
    database, never share): figures, fragments and pages; and the CSRF tokens signed per
    session's raw token."""
    app.extensions["duban_cache"] = LRU()
    app.extensions["duban_csrf_signed"] = LRU(max_entries=4096)


def store() -> LRU:
    """This app's cache of figures, fragments and pages."""
    return current_app.extensions["duban_cache"]


def usable() -> bool:
    """Reads only: a request that changes data computes afresh."""
    try:
        if request.method not in ("GET", "HEAD"):
            return False
    except RuntimeError:  # outside a request (commands, jobs): their figures are not cached
        return False
    return not version.has_pending_writes(db.session())


def cached(what: str, arguments: Hashable, compute: Callable[[], T], *,
           scope: Hashable = None, today: date | None = None) -> T:
    """``compute()``, or its value from the cache while the data version (and ``today``) hold.

    ``arguments`` and ``scope`` must name everything the value depends on besides the data.
    """
    if not usable():
        return compute()
    key = (what, arguments, scope, version.current(), today)
    cache = store()
    hit, value = cache.get(key)
    if hit:
        return value
    value = compute()
    # Some readers write lazily (a new project's milestone rows) and commit: keep the value
    # only if nothing is pending and the version it was read under still holds.
    if usable() and version.current() == key[3]:
        cache.put(key, value)
    return value


def fragment(what: str, arguments: Hashable, template: str, context: Callable[[], dict], *,
             scope: Hashable = None, today: date | None = None) -> Markup:
    """``template`` rendered with ``context()``, cached like ``cached``; forms in it get this
    request's CSRF token."""

    def render() -> str:
        return render_template(template, csrf_token=lambda: CSRF_PLACEHOLDER, **context())

    html = cached(what, arguments, render, scope=scope, today=today)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, csrf_token())
    return Markup(html)


def csrf_token() -> str:
    """This session's CSRF token for a cached fragment or page. Tokens never expire by age
    here (WTF_CSRF_TIME_LIMIT None: a session's raw token is what is checked), so a token once
    signed for a session's raw token is served again instead of signed anew on every page."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None \
            or field in g:
        return generate_csrf()
    signed = current_app.extensions["duban_csrf_signed"]
    hit, token = signed.get(raw)
    if not hit:
        token = generate_csrf()
        signed.put(raw, token)
    setattr(g, field, token)  # later forms of this request, as generate_csrf would
    return token


def request_arguments() -> tuple:
    """The request's query string as a key: every parameter, in order."""
    return tuple(sorted(request.args.items(multi=True)))
