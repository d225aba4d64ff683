"""Sending xAPI statements to an external Learning Record Store (optional configuration).

Statements go through the ``xapi_outbox`` table: queued once per statement id, posted in batches
with HTTP Basic auth and ``X-Experience-API-Version: 1.0.3``, retried with exponential backoff
(1, 2, 4 ... minutes), and marked ``failed`` after ``XAPI_LRS_MAX_TRIES`` attempts. Failures stay
visible to admins (``/profile/lrs``) and can be queued again; nothing is dropped silently.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from ..models import XapiOutbox

BATCH = 50


class LrsError(Exception):
    """The LRS refused or could not be reached; the message is kept on the outbox rows."""


def enqueue(statements: list[dict]) -> int:
    """Queue statements not queued before (by id). Returns how many were added."""
    known = set(db.session.scalars(select(XapiOutbox.statement_id).where(
        XapiOutbox.statement_id.in_([s["id"] for s in statements])))) if statements else set()
    added = 0
    for statement in statements:
        if statement["id"] not in known:
            db.session.add(XapiOutbox(statement_id=statement["id"], payload=statement))
            known.add(statement["id"])
            added += 1
    db.session.flush()
    return added


def http_sender(endpoint: str, username: str, password: str, timeout: float = 20) -> Callable[[list[dict]], None]:
    """A sender that POSTs a batch to ``<endpoint>/statements``; raises LrsError on failure."""
    url = endpoint.rstrip("/") + "/statements"
    token = base64.b64encode(f"{username}:{password}".encode()).decode()

    def send(statements: list[dict]) -> None:
        request = urllib.request.Request(url, data=json.dumps(statements, ensure_ascii=False).encode("utf-8"),
                                         method="POST", headers={
                                             "Content-Type": "application/json; charset=utf-8",
                                             "X-Experience-API-Version": "1.0.3",
                                             "Authorization": f"Basic {token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
                if not 200 <= response.status < 300:
                    raise LrsError(f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            raise LrsError(f"HTTP {exc.code}: {exc.read()[:200].decode('utf-8', 'replace')}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise LrsError(f"cannot reach the LRS: {exc}") from exc

    return send


def send_pending(send: Callable[[list[dict]], None], max_tries: int, now: datetime | None = None) -> dict[str, int]:
    """Post every due pending statement; returns counts of sent, retrying and failed rows."""
    now = now or utcnow()
    due = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "pending", XapiOutbox.next_try_at <= now)
                             .order_by(XapiOutbox.id)).all()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for start in range(0, len(due), BATCH):
        batch = due[start:start + BATCH]
        try:
            send([row.payload for row in batch])
        except LrsError as exc:
            for row in batch:
                row.tries += 1
                row.last_error = str(exc)[:1000]
                if row.tries >= max_tries:
                    row.status = "failed"
                    counts["failed"] += 1
                else:
                    row.next_try_at = now + timedelta(minutes=2 ** (row.tries - 1))
                    counts["retrying"] += 1
        else:
            for row in batch:
                row.status, row.sent_at, row.tries, row.last_error = "sent", now, row.tries + 1, None
            counts["sent"] += len(batch)
    db.session.flush()
    return counts


def requeue_failed() -> int:
    rows = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "failed")).all()
    for row in rows:
        row.status, row.tries, row.next_try_at = "pending", 0, utcnow()
    db.session.flush()
    return len(rows)


def outbox_counts() -> dict[str, int]:
    return dict(db.session.execute(select(XapiOutbox.status, func.count(XapiOutbox.id))
                                   .group_by(XapiOutbox.status)).all())


def failed_rows(limit: int = 50) -> list[XapiOutbox]:
    """The newest statements the LRS never accepted, with the last error of each."""
    return db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "failed")
                              .order_by(XapiOutbox.id.desc()).limit(limit)).all()
