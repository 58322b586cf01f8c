"""E-mail over TLS, against real aiosmtpd servers on loopback with a certificate made for the
test (trusted through SSL_CERT_FILE, as an operator would trust a private CA): STARTTLS with a
login, SMTPS, and a password never sent over a server that offers no STARTTLS."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.web.notify_servers import MailBox, free_port
from tracker.notify.channels import build_mail, send_mail


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch) -> ssl.SSLContext:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this certificate only
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class TLSBox(MailBox):
    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[bytes, bytes]] = []
        self.encrypted: list[bool] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN201
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.encrypted.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


def message():
    return build_mail(sender="duban@park.example", to="lead1@park.example", to_name="张伟",
                      park="示范产业园区", text="【催报】您负责的1个项目尚未报送：A1项目。请登录填报：{link}",
                      link="https://duban.park.example/report/2026-11")


def test_starttls_with_a_login(certificate, tmp_path):
    box, port = TLSBox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port, tls_context=certificate,
                        require_starttls=True, authenticator=box.authenticate, auth_require_tls=True)
    server.start()
    try:
        send_mail(message(), f"smtp://duban:s3cret@127.0.0.1:{port}", tmp_path, "x")
    finally:
        server.stop()
    assert box.logins == [(b"duban", b"s3cret")] and box.encrypted == [True]
    [(rcpt, msg)] = box.messages
    assert rcpt == ["lead1@park.example"] and msg["Subject"] == "【催报】您负责的1个项目尚未报送"


def test_smtps_from_the_first_byte(certificate, tmp_path):
    box, port = TLSBox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port, ssl_context=certificate)
    server.start()
    try:  # the port speaks TLS only: the message arriving is the proof
        send_mail(message(), f"smtps://127.0.0.1:{port}", tmp_path, "x")
    finally:
        server.stop()
    [(rcpt, msg)] = box.messages
    assert rcpt == ["lead1@park.example"] and "https://duban.park.example/report/2026-11" in msg.get_body(("plain",)).get_content()


def test_a_password_is_never_sent_to_a_server_without_starttls(tmp_path):
    box, port = TLSBox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate,
                        auth_require_tls=False)
    server.start()
    try:
        with pytest.raises(Exception, match="不支持 STARTTLS"):
            send_mail(message(), f"smtp://duban:s3cret@127.0.0.1:{port}", tmp_path, "x")
    finally:
        server.stop()
    assert box.logins == [] and box.messages == []
