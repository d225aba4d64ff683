"""Inert exports (issue 13 item 5): what a person typed reaches a spreadsheet as text, never as a formula.

A name such as ``=1+1`` or ``=HYPERLINK("http://…","…")`` written to an Excel or CSV cell as it is
becomes a live formula when the file is opened (CSV/formula injection, OWASP). Every Excel and CSV
export writes its rows through ``safe_row`` (or each value through ``safe_cell``): text that starts
with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is prefixed with ``'``, so it
is shown as typed and never evaluated. Numbers, dates and empty cells pass unchanged.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Characters that make a spreadsheet read a cell as a formula (or hide one behind a control character).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """``value`` made inert for a spreadsheet cell: formula-leading text gets a ``'`` in front."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``worksheet.append`` or ``csv.writer.writerow`` with every cell made inert."""
    return [safe_cell(value) for value in values]
