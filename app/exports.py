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


def display_width(value: Any) -> int:
    """How many columns ``value`` takes in a spreadsheet: Chinese and full-width characters count two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


def finish_workbook(book: Any, header_rows: int = 1, max_width: int = 60) -> None:
    """Make every sheet of an openpyxl ``book`` readable when opened: the header row(s) bold and frozen,
    each column as wide as its widest cell (Chinese counted double, capped at ``max_width``)."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for sheet in book.worksheets:
        if sheet.max_row == 0:
            continue
        widths: dict[int, int] = {}
        for row_number, row in enumerate(sheet.iter_rows(), start=1):
            for cell in row:
                if row_number <= header_rows and cell.value is not None:
                    cell.font = bold
                widths[cell.column] = max(widths.get(cell.column, 0), display_width(cell.value))
        from openpyxl.utils import get_column_letter

        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), max_width)
        if sheet.max_row > header_rows:
            sheet.freeze_panes = sheet.cell(row=header_rows + 1, column=1)
