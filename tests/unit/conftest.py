"""Unit tests run without an app or a database: they test the pure cores and file checkers.

A test here that asks for the app or the database (``app``, ``client``, ``runner``, ``content``,
``areas``, ``make_user``, ``login``, ``people``, ``database_url`` …) is refused at collection: it is
a view, CLI or service test and belongs in ``tests/views``, which the PostgreSQL pass also runs.
"""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATABASE_FIXTURES = {"app", "database_url"}


def pytest_collection_modifyitems(items):
    for item in items:
        if not Path(item.fspath).resolve().is_relative_to(HERE):
            continue
        used = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if used:
            raise pytest.UsageError(
                f"{item.nodeid} uses the database (fixture {', '.join(sorted(used))}): tests/unit runs "
                "without one; move the test to tests/views")
