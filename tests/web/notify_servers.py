"""Real servers on loopback for the notification channels: an SMTP server (aiosmtpd) and an
HTTP server standing in for the 企业微信/钉钉 robot webhooks (it checks the JSON body and, for
钉钉, the timestamp and the HMAC-SHA256 signature as 钉钉 does)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailBox:
    """What the SMTP server received; ``refuse`` makes it answer 550 to the next N recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 30) -> list[tuple[list[str], EmailMessage]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return list(self.messages)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port: ``(url, mailbox)``."""
    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", box
    controller.stop()


class RobotHook:
    """The webhook's record: each accepted body; ``fail`` answers 500 to the next N calls."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.bodies: list[tuple[str, dict]] = []
        self.rejected: list[str] = []
        self.fail = 0


def _handler(hook: RobotHook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def _answer(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if hook.fail:
                hook.fail -= 1
                return self._answer(500, {"errcode": -1, "errmsg": "busy"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                hook.rejected.append("not JSON")
                return self._answer(400, {"errcode": 40035, "errmsg": "invalid json"})
            if body.get("msgtype") != "markdown" or not isinstance(body.get("markdown"), dict):
                hook.rejected.append("not markdown")
                return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
            if url.path.startswith("/dingtalk"):
                query = parse_qs(url.query)
                stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
                digest = hmac.new(hook.secret.encode(), f"{stamp}\n{hook.secret}".encode(),
                                  hashlib.sha256).digest()
                fresh = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) < 3600_000
                if not fresh or sign != base64.b64encode(digest).decode():
                    hook.rejected.append("bad signature")
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
            hook.bodies.append((url.path, body))
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})

    return Handler


@pytest.fixture
def robot_server():
    """A real HTTP server standing in for both robots: ``(base_url, hook)``; 钉钉's secret is
    ``hook.secret``."""
    hook = RobotHook(secret="SECtest-secret")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hook
    server.shutdown()
    server.server_close()
