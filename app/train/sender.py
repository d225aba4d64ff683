"""Reminders (催学) outside the app: a pluggable sender, chosen by configuration.

``REMINDER_SENDER`` (setting or environment variable) picks it:

- ``log`` (default): each reminder is written to the log (``gridacademy.reminders``), nothing leaves;
- ``wecom``: a 企业微信 group robot webhook (``REMINDER_WEBHOOK_URL``), the person @-mentioned by phone;
- ``dingtalk``: a 钉钉 group robot webhook (``REMINDER_WEBHOOK_URL``), the person @-mentioned by phone.

An SMS gateway that accepts the same JSON can stand behind the webhook URL. Sending happens after the
in-app notifications are committed; a failed or slow endpoint (``REMINDER_TIMEOUT`` seconds, default 5)
is logged and never undoes or blocks them. Standard library only.
"""
from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

log = logging.getLogger("gridacademy.reminders")

STYLES = ("log", "wecom", "dingtalk")


@dataclass(frozen=True)
class Message:
    name: str
    phone: str
    text: str


class LogSender:
    def send(self, message: Message) -> bool:
        log.info("reminder to %s (%s): %s", message.name, message.phone or "no phone", message.text)
        return True


class WebhookSender:
    """A group robot webhook of 企业微信 (``wecom``) or 钉钉 (``dingtalk``)."""

    def __init__(self, url: str, style: str, timeout: float = 5.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a reminder webhook must be an http(s) URL, not {url!r}")
        self.url, self.style, self.timeout = url, style, timeout

    def payload(self, message: Message) -> dict:
        mobiles = [message.phone] if message.phone else []
        text = f"{message.name}：{message.text}"
        if self.style == "wecom":
            return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
        return {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": mobiles, "isAtAll": False}}

    def send(self, message: Message) -> bool:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",  # noqa: S310 (http(s) only, see __init__)
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                ok = 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("reminder webhook failed for %s: %s", message.name, exc)
            return False
        if not ok:
            log.warning("reminder webhook answered %s for %s", response.status, message.name)
        return ok


def _setting(config, name: str, default: str = "") -> str:
    value = config.get(name) if hasattr(config, "get") else None
    return str(value if value not in (None, "") else os.environ.get(name, default)).strip()


def sender_from(config):
    """The sender the configuration asks for; an unknown style or a webhook without a URL falls back to
    the log (and says so)."""
    style = _setting(config, "REMINDER_SENDER", "log").lower() or "log"
    if style == "log":
        return LogSender()
    url = _setting(config, "REMINDER_WEBHOOK_URL")
    if style not in STYLES or not url.startswith(("http://", "https://")):
        log.warning("REMINDER_SENDER=%s needs one of %s and an http(s) REMINDER_WEBHOOK_URL: logging instead",
                    style, ", ".join(STYLES))
        return LogSender()
    try:
        timeout = float(_setting(config, "REMINDER_TIMEOUT", "5"))
    except ValueError:
        timeout = 5.0
    return WebhookSender(url, style, timeout)


def send_all(config, messages: list[Message]) -> int:
    """Send each message; returns how many the endpoint accepted."""
    sender = sender_from(config)
    return sum(1 for message in messages if sender.send(message))
