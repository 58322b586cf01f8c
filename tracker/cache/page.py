"""Whole pages cached like fragments: ``@cached_page`` on a GET view.

A cached fragment still leaves the layout to draw on every request (the navigation's links,
its counts, the user's name); at city scale that layout is most of what a page costs. A page
whose body depends only on the data, the day, its address and the viewer is kept whole under
``("page", endpoint, address, htmx headers, user, unread count)`` besides the data version and
the day of ``tracker.cache.cached``:

- the address (path and query string) carries every filter, period and page number;
- the user's id stands for everything the layout shows of them (name, role, unit: changing
  any of it is a write, so the data version moves); the bell's count, read with the user, is
  part of the key because notifications are not a watched table;
- a request with flashed messages waiting is never served from, nor stored in, the cache
  (rendering consumes them);
- only a plain 200 HTML answer that sets no cookie is kept, with the request's CSRF token
  replaced by a placeholder and put back, the viewer's own, when served.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user

from tracker.cache import CSRF_PLACEHOLDER, cached, csrf_token, usable
from tracker.timeutil import today

# Headers of the view's answer worth keeping with the body (htmx's among them).
DROPPED = frozenset({"Content-Length", "Set-Cookie"})
PLACEHOLDER = CSRF_PLACEHOLDER.encode()


class _NotKept(Exception):
    """The view answered something that is not a plain page: it is passed on, not cached."""

    def __init__(self, response: Response) -> None:
        self.response = response


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve the view's page from the cache while data, day, address and viewer hold."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or "_flashes" in session or not usable():
            return view(*args, **kwargs)
        key = (request.endpoint, request.full_path, request.headers.get("HX-Request"),
               request.headers.get("HX-Target"), current_user.get_id(),
               g.get("unread_notifications"))

        def render() -> tuple[bytes, tuple]:
            response = make_response(view(*args, **kwargs))
            if (response.status_code != 200 or response.mimetype != "text/html"
                    or response.direct_passthrough or response.is_streamed
                    or "Set-Cookie" in response.headers or "_flashes" in session):
                raise _NotKept(response)
            body = response.get_data(as_text=True)
            token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
            if token:
                body = body.replace(token, CSRF_PLACEHOLDER)
            headers = tuple((k, v) for k, v in response.headers.items() if k not in DROPPED)
            return body.encode(), headers

        try:
            body, headers = cached("page", key, render,
                                   today=today(current_app.config["TIMEZONE"]))
        except _NotKept as exc:
            return exc.response
        if PLACEHOLDER in body:
            body = body.replace(PLACEHOLDER, csrf_token().encode())
        return Response(body, headers=list(headers))

    return wrapper

