"""Nothing lives in one process's memory: gunicorn with several workers, plus a job worker.

Run on both databases (the PostgreSQL run, with the job queue on Redis, is the production
shape). The access log names the worker (pid) that served each request.

One gunicorn serves every test of this module (starting one takes seconds): the module has a
database of its own, emptied before each test, and each test reads only its own part of the
access log. Under pytest-xdist the module's tests stay on one worker (``--dist loadgroup``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.conftest import BACKEND, PASSWORD, copy_sqlite_template, empty_database

pytestmark = pytest.mark.xdist_group("gunicorn")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Browser:
    """Cookies kept like a browser; every request on a new connection (any worker may answer)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str, dict]:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get("/login")[1])
        data = dict(data, csrf_token=token.group(1) if token else "")
        return self._open(urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode()))

    def _open(self, request) -> tuple[int, str, dict]:  # noqa: ANN001
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)


@pytest.fixture
def cheap_password_hashes() -> bool:
    """Overrides conftest's: sign-ins check full-cost hashes, as in production, so that
    sign-ins sent at once are still being served when the next arrive and spread over the
    workers."""
    return False


@pytest.fixture(scope="module")
def module_database(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database of this module's tests and of its gunicorn."""
    if BACKEND == "postgresql":
        return database_template
    return copy_sqlite_template(database_template, tmp_path_factory.mktemp("cluster") / "duban.sqlite")


@pytest.fixture
def database_url(module_database: str) -> str:
    """Overrides conftest's: the module's database, migrated and emptied for this test."""
    empty_database(module_database)
    return module_database


@pytest.fixture(scope="module")
def gunicorn(module_database: str, tmp_path_factory: pytest.TempPathFactory):
    """Three gunicorn workers on the module's database, started once for the module."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("gunicorn") / "access.log"
    env = dict(os.environ, DATABASE_URL=module_database, BRIEF_BACKGROUND_FROM="1")
    server = subprocess.Popen(
        [GUNICORN, "--workers", "3", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, log, server
    server.terminate()
    server.wait(15)


@pytest.fixture
def cluster(gunicorn, app, worker):
    """The module's gunicorn, serving this test's (emptied) database, and the job worker of
    ``worker``. The access log it yields holds only this test's requests."""
    base, log, server = gunicorn
    yield base, LogSince(log), server


class LogSince:
    """What gunicorn adds to its access log from now on, read like the log's Path."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.start = log.stat().st_size if log.exists() else 0

    def read_text(self) -> str:
        with self.log.open("rb") as f:
            f.seek(self.start)
            return f.read().decode()


def served_by(log: Path, method: str, path: str, status: str | None = None) -> list[str]:
    time.sleep(0.3)  # gunicorn writes the access log after the response
    pids = []
    for line in log.read_text().splitlines():
        pid, m, p, s = line.split()
        if m == method and p == path and (status is None or s == status):
            pids.append(pid.strip("<>"))
    return pids


def test_a_session_opened_by_one_worker_is_used_by_the_others(cluster, users, make_project):
    base, log, _ = cluster
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000})
    browser = Browser(base)
    status, _, headers = browser.post("/login", {"login": users["supervisor"].login, "password": PASSWORD})
    assert status == 302 and headers["Location"].endswith("/")
    # Requests at once: each sync worker serves one at a time, so several workers answer.
    with ThreadPoolExecutor(6) as pool:
        pages = list(pool.map(lambda _: browser.get("/projects"), range(30)))
    assert all(status == 200 and "储能电站项目" in html for status, html, _ in pages)
    assert len(set(served_by(log, "GET", "/projects", "200"))) >= 2


def test_sign_in_throttling_is_counted_across_workers(cluster, users):
    base, log, _ = cluster
    login = users["member"].login

    def fail(_):  # noqa: ANN001, ANN202
        return Browser(base).post("/login", {"login": login, "password": "wrong-pass"})[0]

    with ThreadPoolExecutor(5) as pool:  # five failures at once, on several workers
        assert list(pool.map(fail, range(5))) == [401] * 5
    assert len(set(served_by(log, "POST", "/login"))) >= 2
    assert fail(6) == 429
    # Even the right password waits now, whichever worker answers.
    status, html, _ = Browser(base).post("/login", {"login": users["member"].login, "password": PASSWORD})
    assert status == 429 and "秒后再试" in html


def test_a_job_queued_by_a_web_worker_is_finished_by_the_job_worker(cluster, worker, users, make_project,
                                                                     wait_for_job):
    base, log, server = cluster
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000, 2: 1000, 3: 1500})
    browser = Browser(base)
    browser.post("/login", {"login": users["supervisor"].login, "password": PASSWORD})
    status, _, headers = browser.get("/briefs/2026-03.pdf?draft=1")
    assert status == 303 and "/jobs/" in headers["Location"]
    job_id = int(headers["Location"].rsplit("/", 1)[1])
    job = wait_for_job(job_id)
    queued_by = served_by(log, "GET", "/briefs/2026-03.pdf", "302")
    assert job.worker.endswith(f":{worker.pid}") and str(worker.pid) not in queued_by
    status, html, _ = browser.get(f"/jobs/{job_id}")
    assert status == 200 and "已完成" in html
    result = browser.opener.open(f"{base}/jobs/{job_id}/result", timeout=30).read()
    assert result.startswith(b"%PDF")
