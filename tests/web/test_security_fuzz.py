"""Bad input everywhere: every POST endpoint and every GET page of the app, as each role, gets
oversized, malformed and hostile values, and must answer a clear message or a 4xx — never a
500 — and show any text it sends back escaped.

The endpoints are read from ``app.url_map`` when the test runs, so routes added by other
domains are fuzzed as well. Field names come from the forms found on the app's own pages
(walked as an admin); an endpoint without a known form gets a generic set of names. URL
parameters are filled with demo values (``flask demo``) and, for GET, with hostile ones too.

Every endpoint and page is exercised for every role, but each gets a sample of the hostile
inputs: a shuffle fixed by ``FUZZ_SEED`` is dealt out a few at a time, endpoint after endpoint,
so that every input is still sent somewhere for every role and the same inputs go to the same
endpoints in every run. ``FUZZ_ALL=1`` sends every input to every endpoint (several times slower).
"""

from __future__ import annotations

import io
import os
import random
import re
from collections import Counter
from urllib.parse import urlencode

import pytest
from sqlalchemy import delete, select, update

from tests.web.security_routes import (
    Form,
    browser,
    demo_values,
    fill,
    forms_on,
    get_rules,
    post_rules,
    sign_in,
)
from tracker.auth.models import LoginThrottle, User
from tracker.extensions import db
from tracker.projects.models import Project

# One pytest-xdist worker takes the module: the forms are found once per process (a walk of
# every page as an admin, PDFs included), not once per worker.
pytestmark = pytest.mark.xdist_group("fuzz")

XSS = ('<script>alert("duban")</script>', '"><img src=x onerror=alert(1)>')
RAW_MARKERS = ('<script>alert("duban")', "<img src=x onerror")
# Sent in every field at once.
PAYLOADS = {
    "empty": "",
    "blank": "   ",
    "negative": "-1",
    "huge negative": "-99999999999999999999",
    "huge": "99999999999999999999999999",
    "float overflow": "1e308",
    "nan": "NaN",
    "infinity": "Infinity",
    "three decimals": "0.001",
    "long text": "长" * 10_000,
    "script": XSS[0],
    "attribute breakout": XSS[1],
    "impossible date": "2026-02-30",
    "month 13": "2026-13-01",
    "zero date": "0000-00-00",
    "unknown enum": "不存在的选项",
    "sql": "' OR 1=1 --",
    "path": "../../etc/passwd",
    "full-width digits": "１２３",
    "superscript digits": "²³",
    "nul": "a\x00b",
    "rtl": "\u202egnp.exe",
}
# In a query string the long text is shorter: gunicorn refuses a request line over 4,094 bytes
# before the app sees it, and a 2 MB address costs the test client seconds a request.
QUERY_PAYLOADS = {**PAYLOADS, "long text": "长" * 400}
# Sent one field at a time, the other fields keeping the form's own (valid) values.
FIELD_PAYLOADS = ("长" * 10_000, XSS[0], XSS[1], "-1", "99999999999999999999", "2026-02-30",
                  "abc", "", "不存在的选项", "²")
GENERIC_FIELDS = ("name", "code", "title", "description", "amount", "year", "month", "period",
                  "date", "deadline", "state", "level", "category", "comment", "reason", "text",
                  "unit_id", "user_id", "project", "version", "password", "confirm", "action")
COMMON_QUERY = ("period", "page", "year", "month", "q", "sort", "order", "level", "state",
                "category", "unit", "user", "project", "table", "from", "to", "revision",
                "format", "show", "industry", "stage", "lead")
ROLES = [None, "admin", "supervisor", "member", "viewer"]
FUZZ_ALL = os.environ.get("FUZZ_ALL") == "1"
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
PAYLOADS_PER_FORM = 2  # of PAYLOADS, sent in every field at once
PAYLOADS_PER_FIELD = 1  # of FIELD_PAYLOADS, for each field alone (the admin's deep pass)
PAYLOADS_PER_PAGE = 2  # of PAYLOADS, in every query parameter at once
HOSTILE_PER_ARGUMENT = 2  # of HOSTILE_PATH's values, for each URL parameter
CLEAR_MESSAGE = re.compile(r'class="[^"]*(field-error|alert|flash)[^"]*"')


class Deal:
    """A deterministic sample of ``items`` per call: shuffled once (by ``FUZZ_SEED`` and a name),
    then dealt ``k`` at a time in turn, so consecutive calls cover every item before any
    repeats. With ``FUZZ_ALL=1`` every call gets them all."""

    def __init__(self, name: str, items) -> None:
        self.items = list(items)
        random.Random(f"{FUZZ_SEED}:{name}").shuffle(self.items)
        self.next = 0
        self.dealt = 0

    @property
    def all_dealt(self) -> bool:
        """Every item was sent at least once (the sample still covers every input)."""
        return self.dealt >= len(self.items)

    def take(self, k: int) -> list:
        if FUZZ_ALL or k >= len(self.items):
            self.dealt += len(self.items)
            return list(self.items)
        taken = [self.items[(self.next + i) % len(self.items)] for i in range(k)]
        self.next = (self.next + k) % len(self.items)
        self.dealt += k
        return taken


def check(response, where: str) -> None:
    """Never a 500; any text shown back escaped; a refusal says why."""
    status = response.status_code
    assert status < 500, f"{where}: {status}"
    if response.mimetype != "text/html":
        return
    body = response.get_data(as_text=True)
    for marker in RAW_MARKERS:
        assert marker not in body, f"{where}: unescaped {marker!r} in the page"
    if status in (400, 409, 413, 422, 429):
        assert CLEAR_MESSAGE.search(body), f"{where}: {status} without a message"


_FORMS: dict[tuple, dict[str, Form]] = {}


def discover_forms(app, values) -> dict[str, Form]:
    """Every form on every GET page (walked as an admin), merged per action address. The demo
    park is the same for every role's test, so a worker process walks it once."""
    key = (tuple(r.rule for r in get_rules(app)), tuple(sorted(values.items(), key=str)))
    if key not in _FORMS:
        _FORMS[key] = _walk_forms(app, values)
    return _FORMS[key]


def _walk_forms(app, values) -> dict[str, Form]:
    admin = browser(app)
    sign_in(admin, "admin")
    found: dict[str, Form] = {}
    for rule in get_rules(app):
        url = fill(app, rule, values)
        response = admin.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in forms_on(url, response.get_data(as_text=True)):
            if form.method != "post":
                continue
            merged = found.setdefault(form.action, Form(form.action, "post"))
            for name, value in form.fields.items():
                merged.fields.setdefault(name, value)
            merged.files |= form.files
    return found


def submissions(form: Form | None, deep: bool, payloads: Deal, field_payloads: Deal):
    """(label, data) pairs: everything missing, payloads everywhere (dealt by ``payloads``),
    wrong types, and — for the admin, who gets past every permission check — each field alone
    made hostile (with payloads dealt by ``field_payloads``)."""
    names = [n for n in (form.fields if form else GENERIC_FIELDS) if n != "csrf_token"]
    files = sorted(form.files) if form else []
    yield "missing fields", {}
    for label in payloads.take(PAYLOADS_PER_FORM):
        payload = PAYLOADS[label]
        data = dict.fromkeys(names, payload)
        for name in files:
            data[name] = (io.BytesIO(payload.encode()), "hostile.xlsx")
        yield label, data
    yield "repeated values", {n: ["1", XSS[0]] for n in names}
    yield "file where text belongs", {n: (io.BytesIO(b"\x00\x01garbage"), "x.bin") for n in names}
    if deep and form:
        base = {n: v for n, v in form.fields.items() if n != "csrf_token"}
        for name in names:
            for payload in field_payloads.take(PAYLOADS_PER_FIELD):
                yield f"{name}={payload[:12]!r}", {**base, name: payload}


def snapshot():
    people = [(u.id, u.active, u.must_change_password, u.password_hash, u.role, u.unit_id)
              for u in db.session.scalars(select(User))]
    codes = list(db.session.execute(select(Project.id, Project.code)))
    return people, codes


def restore(saved) -> None:
    """Undo what an accepted submission did that would stop the fuzzing from reaching the
    next endpoints: a reset password, a deactivated account, a project code renamed."""
    people, codes = saved
    db.session.rollback()
    if snapshot() == saved and db.session.scalar(select(LoginThrottle).limit(1)) is None:
        db.session.rollback()
        return  # nothing to undo: skip the writes (most calls; each was ~0.1 s)
    for uid, active, must, pw, role, unit in people:
        db.session.execute(update(User).where(User.id == uid).values(
            active=active, must_change_password=must, password_hash=pw, role=role, unit_id=unit))
    db.session.execute(update(Project).values(code=Project.code + "~"))  # dodge the unique index
    for pid, code in codes:
        db.session.execute(update(Project).where(Project.id == pid).values(code=code))
    db.session.execute(delete(LoginThrottle))
    db.session.commit()


@pytest.mark.demo_park
@pytest.mark.parametrize("role", ROLES)
def test_every_post_endpoint_refuses_hostile_input_cleanly(app, runner, role):
    assert runner.invoke(args=["demo"]).exit_code == 0
    values = demo_values(app)
    forms = discover_forms(app, values)
    saved = snapshot()
    client = browser(app)
    token = sign_in(client, role)
    tally: Counter = Counter()
    rules = post_rules(app)
    assert any(r.endpoint == "projectadmin.project_edit" for r in rules)
    payloads, field_payloads = Deal(f"post:{role}", PAYLOADS), Deal(f"field:{role}", FIELD_PAYLOADS)
    for rule in rules:
        url = fill(app, rule, values)
        form = forms.get(url)
        for label, data in submissions(form, role == "admin", payloads, field_payloads):
            response = client.post(url, data=data, headers={"X-CSRFToken": token}, csrf=False)
            check(response, f"{role} POST {url} [{label}]")
            tally[response.status_code] += 1
            if response.status_code < 400:
                restore(saved)
        json = client.post(url, json={"name": XSS[0], "amount": -1}, headers={"X-CSRFToken": token},
                           csrf=False)
        check(json, f"{role} POST {url} [json body]")
        restore(saved)
        if role is not None and client.get("/account").status_code != 200:
            token = sign_in(client, role)
    assert payloads.all_dealt, f"{role}: some hostile inputs were never sent"
    print(f"\nfuzz POST as {role} (seed {FUZZ_SEED}{', all inputs' if FUZZ_ALL else ''}): "
          f"{len(rules)} endpoints, {sum(tally.values())} requests, "
          f"statuses {dict(sorted(tally.items()))}")
    # Whatever hostile text was stored along the way is shown escaped on every page.
    for rule in get_rules(app):
        check(client.get(fill(app, rule, values)), f"{role} GET {rule.rule} after fuzzing")


HOSTILE_PATH = {"string": ('<script>alert("duban")</script>', "x" * 300, "2026-02-30", "2026-13",
                           "..", "%00", "²"),
                "int": (0, 99_999_999, 10**20)}


@pytest.mark.demo_park
@pytest.mark.parametrize("role", ["admin", "member", None])
def test_every_page_refuses_hostile_query_and_path_values_cleanly(app, runner, role):
    assert runner.invoke(args=["demo"]).exit_code == 0
    values = demo_values(app)
    client = browser(app)
    sign_in(client, role)
    tally: Counter = Counter()
    payloads = Deal(f"get:{role}", PAYLOADS)
    hostile = {kind: Deal(f"path:{kind}:{role}", inputs) for kind, inputs in HOSTILE_PATH.items()}
    for rule in get_rules(app):
        if rule.endpoint == "static":
            continue
        url = fill(app, rule, values)
        page = client.get(url)
        names = set(COMMON_QUERY)
        if page.mimetype == "text/html":
            for form in forms_on(url, page.get_data(as_text=True)):
                if form.method == "get":
                    names |= set(form.fields)
        for label in payloads.take(PAYLOADS_PER_PAGE):
            payload = QUERY_PAYLOADS[label]
            response = client.get(f"{url}?{urlencode(dict.fromkeys(sorted(names), payload))}")
            check(response, f"{role} GET {url} [{label}]")
            tally[response.status_code] += 1
        for name in rule.arguments:
            converter = type(rule._converters[name]).__name__
            kind = "int" if converter == "IntegerConverter" else "string"
            for bad in hostile[kind].take(HOSTILE_PER_ARGUMENT):
                try:
                    bad_url = fill(app, rule, values, {name: bad})
                except Exception:  # noqa: BLE001 - a value the converter cannot build
                    continue
                response = client.get(bad_url)
                check(response, f"{role} GET {bad_url}")
                tally[response.status_code] += 1
    assert payloads.all_dealt, f"{role}: some hostile query values were never sent"
    print(f"\nfuzz GET as {role} (seed {FUZZ_SEED}{', all inputs' if FUZZ_ALL else ''}): "
          f"{sum(tally.values())} requests, statuses {dict(sorted(tally.items()))}")


def _workbook(rows) -> bytes:  # noqa: ANN001
    """One sheet 月度进展 holding ``rows`` (the first is the header row), written by the app's
    streaming writer: openpyxl took most of this module's slowest test to write 100,000 rows."""
    from tracker.xlsx import workbook_bytes

    rows = iter(rows)
    return workbook_bytes("月度进展", next(rows), rows)


def test_the_import_refuses_hostile_workbooks_cleanly(app, client, users, login):
    """A workbook claiming a billion cells and one of 100,000 bad rows: refused with a short
    page, nothing written, the worker alive."""
    import io

    from openpyxl import Workbook

    from tracker.workbook.parse import MONTHLY

    sparse = Workbook()
    sparse.active.title = "项目"
    sparse.active["A1"], sparse.active["XFD1048576"] = "项目编号", "x"
    huge = io.BytesIO()
    sparse.save(huge)
    bad_rows = _workbook([MONTHLY.headers, *([f"Z{i}", 2026, 13, -1, "", ""] for i in range(100_000))])
    login(users["supervisor"])
    saved = snapshot()
    for name, data, expected in (("huge.xlsx", huge.getvalue(), "工作表过大"),
                                 ("bad.xlsx", bad_rows, "处错误未列出")):
        response = client.post("/import", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 422, name
        assert expected in response.get_data(as_text=True) and len(response.data) < 300_000, name
    assert snapshot() == saved
