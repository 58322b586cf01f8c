"""Job workers for tests, forked from a process that has already imported the app.

``python -m flask --app tracker worker`` started with subprocess spent about 1.5 s of CPU
importing the app before it could take a job, and the test waited for it. Instead a zygote,
started once per test process (``python -m tests.jobworker``), imports the app and makes one
app (an in-memory database it never opens), then forks a worker on request. The child takes
the test's environment and runs the same command line through Flask's own entry point
(``flask.cli.main``): the real command, in a process of its own with its own connections.

The zygote opens no database, queue or thread, so a child inherits nothing it could share
with another process. ``tests/web/test_operating_faults.py`` still starts its workers with
subprocess, so the command as a user types it stays tested.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["flask", "--app", "tracker", "worker", "--workers", "1"]


class ForkedWorker:
    """A worker forked by the zygote, handled like ``subprocess.Popen``: ``pid``,
    ``terminate()``, ``kill()``, ``wait(timeout)`` (its end is watched through a pidfd, since
    it is the zygote's child, not ours)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self._ended = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._ended = None

    def _signal(self, number: int) -> None:
        if self._ended is not None:
            signal.pidfd_send_signal(self._ended, number)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> None:
        if self._ended is None:
            return
        ready, _, _ = select.select([self._ended], [], [], timeout)
        if not ready:
            raise subprocess.TimeoutExpired(COMMAND, timeout)
        os.close(self._ended)
        self._ended = None


class Zygote:
    """The zygote of this test process, started on first use."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def fork(self, env: dict[str, str]) -> ForkedWorker:
        """A worker running with ``env`` as its environment."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.jobworker"], cwd=ROOT,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.process.stdin.write(json.dumps(env) + "\n")
        self.process.stdin.flush()
        return ForkedWorker(int(self.process.stdout.readline()))

    def stop(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(10)


def _run(env: dict[str, str]) -> None:
    """In the child: the worker command with the test's environment; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the worker waits on children of its own
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = list(COMMAND)
        from flask.cli import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os._exit(code)


def _serve() -> None:
    """The zygote: import and warm up the app once, then fork a worker per line of input."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    import flask.cli  # noqa: F401

    from tracker import create_app
    from tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.engine.dispose()
    for line in sys.stdin:
        env = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run(env)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
