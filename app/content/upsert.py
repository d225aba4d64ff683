"""One upsert-by-key step for loading content rows (courses, lessons, question banks, questions,
quizzes): shared by ``app.content.sync`` and ``app.quiz.sync``, so neither imports the other's helpers.

Rows are matched by a key; a changed row is rewritten in place, a new one is made, and rows whose
source left the files are deactivated (never deleted), each counted as ``<kind>_added``,
``<kind>_updated`` or ``<kind>_deactivated``. The caller flushes and commits.
"""
from __future__ import annotations

from ..extensions import db


def changed_row(existing: dict, key, make, unchanged, counts: dict[str, int], kind: str):
    """The row to (re)write for ``key``, or None when ``unchanged(row)`` says it is current.

    Pops ``key`` from ``existing`` (what stays there afterwards has left the files); ``make()``
    creates and attaches a new row; ``<kind>_added`` / ``<kind>_updated`` are counted.
    """
    row = existing.pop(key, None)
    if row is None:
        counts[f"{kind}_added"] += 1
        return make()
    if unchanged(row):
        return None
    counts[f"{kind}_updated"] += 1
    return row


def deactivate(rows, counts: dict[str, int], kind: str) -> None:
    """Deactivate (never delete) rows whose source left the files, counting ``<kind>_deactivated``."""
    for row in rows:
        if row.active:
            row.active = False
            counts[f"{kind}_deactivated"] += 1


def same_hash(content_hash: str):
    """``unchanged`` test for ``changed_row``: same content hash and still active."""
    return lambda row: row.content_hash == content_hash and row.active


def add_row(row):
    """Add a new row to the session and return it (a ``make`` for ``changed_row``)."""
    db.session.add(row)
    return row
