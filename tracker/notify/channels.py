"""The channels that leave the app: e-mail (SMTP or ``.eml`` files) and group robots.

Each ``send_*`` raises on failure (the delivery records the reason and retries); none
touches the database.

- **E-mail**: ``SMTP_URL=smtp://user:pass@host:port`` talks STARTTLS when the server offers
  it (and insists on it when a password is to be sent), ``smtps://`` is TLS from the start.
  Without ``SMTP_URL`` each message is written to ``instance/outbox/`` as an ``.eml`` file, so
  a try-out shows what would have been sent. Messages carry a plain and an HTML part; the
  Chinese subject is RFC 2047 encoded by the standard library's policy.
- **企业微信 / 钉钉 robots**: a JSON ``markdown`` message POSTed to the webhook; 钉钉 with a
  signing secret gets ``timestamp`` and ``sign`` (HMAC-SHA256 of "timestamp\\nsecret", base64,
  URL-encoded) added to the address. Both answer 200 with ``errcode`` 0 when accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from html import escape
from pathlib import Path

TIMEOUT = 10


def mail_subject(text: str) -> str:
    """The message's first clause: 【催报】您负责的3个项目尚未报送…（12月5日截止）."""
    first = text.split("\n", 1)[0].split("：", 1)[0]
    return first[:120]


def build_mail(*, sender: str, to: str, to_name: str, park: str, text: str, link: str,
               attachments: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
    """A message with a plain part and an HTML part, the link in both, and ``attachments``
    (file name, MIME type, bytes; the name may be Chinese: RFC 2231)."""
    body = text.replace("{link}", link)
    msg = EmailMessage()
    msg["Subject"] = mail_subject(text)
    msg["From"] = formataddr((f"{park}督办系统", sender))
    msg["To"] = formataddr((to_name, to))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "duban")
    msg.set_content(f"{to_name}：\n\n{body}\n\n—— {park}督办系统（此邮件由系统自动发送）\n")
    paragraphs = "".join(
        f"<p>{escape(line)}</p>" for line in text.replace("{link}", "").rstrip("：").split("\n"))
    msg.add_alternative(
        f"<!doctype html><html><body><p>{escape(to_name)}：</p>{paragraphs}"
        f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
        f"<p style=\"color:#666\">—— {escape(park)}督办系统（此邮件由系统自动发送）</p></body></html>",
        subtype="html",
    )
    for name, mimetype, data in attachments:
        maintype, _, subtype = mimetype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def send_mail(msg: EmailMessage, smtp_url: str, outbox: Path, name: str) -> str:
    """Send through ``smtp_url`` or write ``outbox/name.eml``; returns where it went."""
    if not smtp_url:
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{name}.eml"
        path.write_bytes(bytes(msg))
        return str(path)
    url = urllib.parse.urlsplit(smtp_url)
    host, user = url.hostname or "localhost", urllib.parse.unquote(url.username or "")
    password = urllib.parse.unquote(url.password or "")
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, url.port or 465, timeout=TIMEOUT, context=context)
    elif url.scheme == "smtp":
        server = smtplib.SMTP(host, url.port or 25, timeout=TIMEOUT)
    else:
        raise ValueError(f"SMTP_URL 的协议应为 smtp 或 smtps，而不是 {url.scheme}")
    with server:
        if url.scheme == "smtp":
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            elif user:
                raise smtplib.SMTPException("服务器不支持 STARTTLS，拒绝以明文发送密码")
        if user:
            server.login(user, password)
        server.send_message(msg)
    return f"{host}:{url.port or ''}"


def dingtalk_address(url: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook address with 钉钉's ``timestamp`` and ``sign`` when there is a secret."""
    if not secret:
        return url
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def robot_body(channel: str, title: str, text: str, link: str) -> dict:
    """The JSON of a markdown message: 企业微信 ``{"msgtype", "markdown": {"content"}}``,
    钉钉 ``{"msgtype", "markdown": {"title", "text"}}``."""
    content = text.replace("{link}", f"[{link}]({link})")
    if channel == "钉钉":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send_robot(address: str, body: dict) -> None:
    """POST the message; an HTTP error or an ``errcode`` other than 0 raises."""
    request = urllib.request.Request(
        address, data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (admin's URL)
        answer = response.read()
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except ValueError:
        code = 0
    if code:
        raise RuntimeError(f"机器人拒收：{answer.decode(errors='replace')[:200]}")
