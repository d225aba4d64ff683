"""Sending xAPI statements to an external Learning Record Store (optional configuration).

Statements go through the ``xapi_outbox`` table, queued once per statement id, and are posted in
batches of ``BATCH`` with HTTP Basic auth and ``X-Experience-API-Version: 1.0.3``. What the LRS
answers decides what happens, and every row keeps the full reason:

- **2xx**: the batch is ``sent``.
- **4xx about the statements** (400, 409, 413, 422 ...): the LRS refuses the whole batch for what
  may be one statement in it, so the batch is split in halves until each refusal names the
  statements it is about (a bisection: ⌈log₂ 50⌉ + 1 requests for one bad statement among 50);
  those are ``refused`` at once, the others are sent. A refused statement is not tried again until
  an admin queues it again (``/profile/lrs``, ``flask xapi requeue``): sending it unchanged would be
  refused again.
- **4xx about the request** (401, 403, 404, 405: credentials or address): no statement can fix
  it, so every due statement is ``refused`` with that answer after one request.
- **5xx, 408, 429 or no answer** (an outage): every due statement waits, retried with exponential
  backoff (1, 2, 4 ... minutes, at most an hour, or the LRS's Retry-After if longer; the time is
  stored in ``next_try_at``), and becomes ``failed`` after ``max_tries`` tries. Failed rows are
  tried again by themselves (``revivals``, up to ``max_revivals`` times) as soon as the LRS accepts
  statements again: in a run that sent something, or when the oldest of them, sent alone as a
  probe, is accepted.

Nothing is dropped silently: ``waiting_summary`` says what waits and until when; ``/profile/lrs``
lists every waiting, failed and refused row with its reason and next try.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import case, func, select

from ..clock import utcnow
from ..extensions import db
from ..models import XapiOutbox

BATCH = 50
#: Longest wait between two tries of a statement while the LRS is down.
BACKOFF_CAP = timedelta(hours=1)
#: An LRS's error page is kept whole up to this many characters (an HTML error page can be huge).
ERROR_MAX_CHARS = 20000
#: Statuses that say something about the request, not about the statements in it.
REQUEST_REFUSALS = {401, 403, 404, 405}
#: 4xx statuses that mean "try later", not "this is wrong".
RETRY_LATER = {408, 425, 429}


class LrsError(Exception):
    """The LRS refused or could not be reached. ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None, retry_after: timedelta | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def outage(self) -> bool:
        """The LRS is down, busy or unreachable: try again later."""
        return self.status is None or self.status >= 500 or self.status in RETRY_LATER

    @property
    def about_request(self) -> bool:
        """Credentials or address are wrong (or the LRS redirects): every statement would get the
        same answer."""
        return self.status in REQUEST_REFUSALS or (self.status is not None and self.status < 400)


def _clip(text: str) -> str:
    if len(text) <= ERROR_MAX_CHARS:
        return text
    return f"{text[:ERROR_MAX_CHARS]}… ({len(text) - ERROR_MAX_CHARS} more characters)"


def _retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a wait, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment - now, timedelta(0)) if moment.tzinfo else None


def http_sender(endpoint: str, username: str, password: str, timeout: float = 20) -> Callable[[list[dict]], None]:
    """A sender that POSTs a batch to ``<endpoint>/statements``; raises LrsError on failure with the
    status and the whole answer (up to ``ERROR_MAX_CHARS``)."""
    url = endpoint.rstrip("/") + "/statements"
    token = base64.b64encode(f"{username}:{password}".encode()).decode()

    def send(statements: list[dict]) -> None:
        request = urllib.request.Request(url, data=json.dumps(statements, ensure_ascii=False).encode("utf-8"),  # noqa: S310 (the admin's XAPI_LRS_ENDPOINT)
                                         method="POST", headers={
                                             "Content-Type": "application/json; charset=utf-8",
                                             "X-Experience-API-Version": "1.0.3",
                                             "Authorization": f"Basic {token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the admin's XAPI_LRS_ENDPOINT)
                response.read()
                if not 200 <= response.status < 300:
                    raise LrsError(f"HTTP {response.status} {response.reason}", status=response.status)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            raise LrsError(_clip(f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")), status=exc.code,
                           retry_after=_retry_after(exc.headers.get("Retry-After"), utcnow())) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LrsError(_clip(f"cannot reach the LRS at {url}: {reason}")) from exc

    return send


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


def backoff(tries: int) -> timedelta:
    """The wait after the ``tries``-th failed try: 1, 2, 4 ... minutes, at most ``BACKOFF_CAP``."""
    return min(timedelta(minutes=2 ** min(max(tries - 1, 0), 20)), BACKOFF_CAP)


@dataclass
class PushReport:
    """What one run did: rows sent, refused (with the reasons), retrying, failed, revived."""

    sent: int = 0
    refused: int = 0
    retrying: int = 0
    failed: int = 0
    revived: int = 0
    #: The refused statements of this run: (statement id, the LRS's answer), in queue order.
    refusals: list[tuple[str, str]] = field(default_factory=list)
    #: The outage that stopped this run (the LRS's answer or the network error), if any.
    outage: str | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.refused + self.retrying + self.failed


class _Outage(Exception):
    def __init__(self, error: LrsError):
        super().__init__(str(error))
        self.error = error


class _RequestRefused(_Outage):
    """Not an outage, but like one it ends the run (every further request gets the same answer)."""


class _Run:
    def __init__(self, send: Callable[[list[dict]], None], max_tries: int, max_revivals: int, now: datetime):
        self.send, self.max_tries, self.max_revivals, self.now = send, max_tries, max_revivals, now
        self.report = PushReport()

    def deliver(self, rows: list[XapiOutbox]) -> None:
        """Post rows; on a 4xx about the statements, bisect. Raises _Outage (nothing marked) on an outage."""
        try:
            self.send([row.payload for row in rows])
        except LrsError as exc:
            if exc.outage:
                raise _Outage(exc) from exc
            if len(rows) == 1 or exc.about_request:
                self.refuse(rows, exc)
                if exc.about_request:
                    raise _RequestRefused(exc) from exc
                return
            middle = len(rows) // 2
            self.deliver(rows[:middle])
            self.deliver(rows[middle:])
        else:
            for row in rows:
                row.status, row.sent_at, row.tries, row.last_error, row.last_status = "sent", self.now, row.tries + 1, \
                    None, None
            self.report.sent += len(rows)

    def refuse(self, rows: list[XapiOutbox], error: LrsError) -> None:
        for row in rows:
            row.status, row.tries, row.last_error, row.last_status = "refused", row.tries + 1, str(error), error.status
            self.report.refusals.append((row.statement_id, str(error)))
        self.report.refused += len(rows)

    def wait(self, rows: list[XapiOutbox], error: LrsError) -> None:
        """An outage: each row counts a try, waits its backoff, or fails after the last try."""
        self.report.outage = str(error)
        for row in rows:
            row.tries += 1
            row.last_error, row.last_status = str(error), error.status
            if row.tries >= self.max_tries:
                row.status = "failed"
                self.report.failed += 1
            else:
                row.next_try_at = self.now + max(backoff(row.tries), error.retry_after or timedelta(0))
                self.report.retrying += 1

    def run(self, rows: list[XapiOutbox]) -> bool:
        """Deliver rows batch by batch; False when an outage or a request refusal stopped the run."""
        for start in range(0, len(rows), BATCH):
            try:
                self.deliver(rows[start:start + BATCH])
            except _RequestRefused as refused:
                self.refuse([row for row in rows[start:] if row.status == "pending"], refused.error)
                return False
            except _Outage as outage:
                self.wait([row for row in rows[start:] if row.status == "pending"], outage.error)
                return False
        return True


def _revivable():
    return select(XapiOutbox).where(XapiOutbox.status == "failed").order_by(XapiOutbox.id)


def send_pending(send: Callable[[list[dict]], None], max_tries: int, now: datetime | None = None,
                 max_revivals: int = 3) -> PushReport:
    """Post every due pending statement, then, if the LRS accepts statements again, the ones that
    failed during an outage (up to ``max_revivals`` times each). Callers commit."""
    now = now or utcnow()
    run = _Run(send, max_tries, max_revivals, now)
    due = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status == "pending", XapiOutbox.next_try_at <= now)
                             .order_by(XapiOutbox.id)).all()
    going = run.run(due)
    failed = [row for row in db.session.scalars(_revivable()) if row.revivals < max_revivals] if going else []
    if failed and not run.report.sent:
        going = _probe(run, failed.pop(0))
    if going and failed:
        _revive(failed, now)
        run.report.revived += len(failed)
        run.run(failed)
    db.session.flush()
    return run.report


def _probe(run: _Run, row: XapiOutbox) -> bool:
    """Is the LRS back? The oldest failed statement, sent alone, tells. Accepted: it is sent, and
    True (revive the others). Refused: it is refused. An outage: nothing changes but the report."""
    try:
        run.send([row.payload])
    except LrsError as exc:
        if exc.outage:
            run.report.outage = str(exc)
        else:
            run.refuse([row], exc)
        return False
    row.status, row.sent_at, row.tries, row.last_error, row.last_status = "sent", run.now, row.tries + 1, None, None
    row.revivals += 1
    run.report.sent += 1
    run.report.revived += 1
    return True


def _revive(rows: list[XapiOutbox], now: datetime) -> None:
    for row in rows:
        row.status, row.tries, row.next_try_at, row.revivals = "pending", 0, now, row.revivals + 1


def requeue(statuses: tuple[str, ...] = ("refused", "failed")) -> int:
    """An admin queues refused and failed statements again (after fixing the LRS's settings):
    tried at the next push, with fresh tries and revivals."""
    rows = db.session.scalars(select(XapiOutbox).where(XapiOutbox.status.in_(statuses))).all()
    for row in rows:
        row.status, row.tries, row.revivals, row.next_try_at = "pending", 0, 0, utcnow()
    db.session.flush()
    return len(rows)


def outbox_counts() -> dict[str, int]:
    return dict(db.session.execute(select(XapiOutbox.status, func.count(XapiOutbox.id))
                                   .group_by(XapiOutbox.status)).all())


@dataclass
class Waiting:
    """What is not in the LRS yet: pending rows (and how many are retrying after an outage), the
    earliest next try among them, failed rows (and how many will be revived), refused rows."""

    pending: int
    retrying: int
    next_try_at: datetime | None
    failed: int
    revivable: int
    refused: int

    @property
    def total(self) -> int:
        return self.pending + self.failed + self.refused


def waiting_summary(max_revivals: int = 3) -> Waiting:
    counts = outbox_counts()
    retrying, next_try = db.session.execute(
        select(func.count(XapiOutbox.id).filter(XapiOutbox.tries > 0), func.min(XapiOutbox.next_try_at))
        .where(XapiOutbox.status == "pending")).one()
    revivable = db.session.scalar(select(func.count(XapiOutbox.id)).where(
        XapiOutbox.status == "failed", XapiOutbox.revivals < max_revivals))
    return Waiting(pending=counts.get("pending", 0), retrying=retrying or 0, next_try_at=next_try,
                   failed=counts.get("failed", 0), revivable=revivable or 0, refused=counts.get("refused", 0))


def unsent_rows():
    """The select of every row not sent: refused first, then failed, then waiting, oldest first."""
    order = {"refused": 0, "failed": 1, "pending": 2}
    return (select(XapiOutbox).where(XapiOutbox.status != "sent")
            .order_by(case(order, value=XapiOutbox.status), XapiOutbox.next_try_at, XapiOutbox.id))


def reasons(limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent reasons why statements are not in the LRS, with how many each holds back."""
    return [(text, count) for text, count in db.session.execute(
        select(XapiOutbox.last_error, func.count(XapiOutbox.id))
        .where(XapiOutbox.status != "sent", XapiOutbox.last_error.is_not(None))
        .group_by(XapiOutbox.last_error).order_by(func.count(XapiOutbox.id).desc()).limit(limit))]
