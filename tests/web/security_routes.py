"""Shared by the security tests: every route of the app filled with demo values, the demo's
people, a browser-like client per person, and the forms found on the pages.

Routes come from ``app.url_map`` when the test runs, so routes that other domains add later
are walked and fuzzed too. URL parameters are filled by name with values that exist in the
demo park (``flask demo``); an unknown name gets "1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask, url_for
from sqlalchemy import select

from tracker.extensions import db

DEMO_PEOPLE = {
    "admin": ("admin", "duban-admin"),
    "supervisor": ("duchashi", "duban-super"),
    "member": ("zhangwei", "duban-member"),
    "viewer": ("lingdao", "duban-viewer"),
}
# Never fuzzed or walked as a form: it would only end the session being tested.
SKIP_POST = {"auth.logout"}


def demo_values(app: Flask) -> dict[str, object]:
    """URL parameter name → a value that exists in the demo park."""
    from tracker.auth.models import Unit, User
    from tracker.issues.models import Issue
    from tracker.projects.models import Project

    member = db.session.scalar(select(User).where(User.login == "zhangwei"))
    first = {
        "code": db.session.scalar(select(Project.code).order_by(Project.code)),
        "number": db.session.scalar(select(Issue.number).order_by(Issue.number)),
        "issue_id": db.session.scalar(select(Issue.id).order_by(Issue.id)),
        "project_id": db.session.scalar(select(Project.id).order_by(Project.id)),
        "unit_id": db.session.scalar(select(Unit.id).order_by(Unit.id)),
        "user_id": member.id if member else 1,
    }
    return {
        **first,
        "period": "2026-07",
        "year": 2026,
        "month": 7,
        "revision": 1,
        "filename": "css/app.css",
    }


def fill(app: Flask, rule, values: dict, override: dict | None = None) -> str:
    """The rule's address with its parameters filled (``override`` wins)."""
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else ""
        if override and name in override:
            args[name] = override[name]
        elif name in values and values[name] is not None:
            args[name] = values[name]
        elif kind == "AnyConverter":  # one of a fixed list: the first in order
            args[name] = sorted(converter.items)[0]
        else:
            args[name] = 1 if kind in ("IntegerConverter", "FloatConverter") else "1"
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def get_rules(app: Flask) -> list:
    return sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods), key=lambda r: r.rule)


def post_rules(app: Flask) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in SKIP_POST),
        key=lambda r: r.rule,
    )


def browser(app: Flask):
    """A person's browser: a test client whose requests run in app contexts of their own, so
    nothing cached on ``g`` (signed-in user, CSRF token) leaks between people."""
    base = type(app.test_client())

    class OwnContextClient(base):
        def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return OwnContextClient(app, app.response_class, use_cookies=True)


def sign_in(client, role: str | None) -> str:
    """Sign ``role`` in (None: stay anonymous); returns the page's CSRF token."""
    if role is not None:
        login, password = DEMO_PEOPLE[role]
        response = client.post("/login", data={"login": login, "password": password})
        assert response.status_code == 302, f"{role} could not sign in"
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match
    return match.group(1)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name → default value
    files: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(self.page, a.get("action") or self.page)).path
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            if a.get("type") == "file":
                self._form.files.add(a["name"])
            elif a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.setdefault(a["name"], "")
            else:
                self._form.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], "")
            self._first_option = None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
                if not self._form.fields[self._select]:
                    self._form.fields[self._select] = value
            if "selected" in a:
                self._form.fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(page_url: str, html: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
