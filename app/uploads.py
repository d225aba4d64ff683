"""Uploaded tables (CSV or Excel .xlsx) read within limits, whatever the file claims about itself.

One reader for every table people upload (roster import, competition enrolment). Limits per kind of
upload come from the configuration (``<KIND>_UPLOAD_MAX_BYTES``, ``_MAX_ROWS``, ``_MAX_COLUMNS``; the
request as a whole is capped by ``MAX_CONTENT_LENGTH``) and are enforced while reading:

- bytes: ``read_upload`` reads at most the limit and refuses a larger file;
- Excel: the zip's members are checked first (``XLSX_MAX_UNCOMPRESSED`` in all: a small zip of a huge
  sheet is refused before parsing), openpyxl reads in read-only mode with the sheet's claimed
  ``<dimension>`` dropped (a file claiming A1:XFD1048576 would otherwise have every row padded to
  16,384 cells and a million empty rows added), and the cells come as the XML has them;
- rows and columns: counted as they come; a non-empty cell beyond the column limit or a non-empty row
  beyond the row limit stops the reading with a refusal naming the limit;
- garbage (not UTF-8 or GBK text, NUL bytes, not a zip, a damaged workbook) is refused in one line.

Cells come back as text: numbers without a spurious ``.0``, dates as ``YYYY-MM-DD``, empty as ``""``.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from flask_babel import gettext as _

from .refusal import Refusal

#: Kinds of upload with limits in the configuration.
KINDS = ("roster",)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_uncompressed: int


def limits(kind: str) -> Limits:
    """The configured limits of an upload ``kind`` (``ROSTER_UPLOAD_MAX_BYTES`` …)."""
    config = current_app.config
    prefix = kind.upper()
    return Limits(max_bytes=int(config[f"{prefix}_UPLOAD_MAX_BYTES"]),
                  max_rows=int(config[f"{prefix}_UPLOAD_MAX_ROWS"]),
                  max_columns=int(config[f"{prefix}_UPLOAD_MAX_COLUMNS"]),
                  max_uncompressed=int(config["XLSX_MAX_UNCOMPRESSED"]))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def read_upload(storage, kind: str) -> bytes:
    """The bytes of an uploaded file (a werkzeug ``FileStorage``), at most the kind's limit. Raises Refusal."""
    limit = limits(kind).max_bytes
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise Refusal(_("The file is larger than %(size)s; split it into smaller files.", size=_size(limit)))
    if not data:
        raise Refusal(_("The file is empty."))
    return data


def read_capped(storage, kind: str) -> bytes:
    """At most the kind's limit plus one byte of an upload, for a service that reads it with
    ``read_table`` inside its own refusal handling (which refuses the extra byte)."""
    return storage.stream.read(limits(kind).max_bytes + 1)


def read_table(filename: str, data: bytes, lim: Limits) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a .csv or .xlsx file as (line number, cells as text). Raises Refusal."""
    if len(data) > lim.max_bytes:
        raise Refusal(_("The file is larger than %(size)s; split it into smaller files.", size=_size(lim.max_bytes)))
    lower = (filename or "").lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(data)
    elif lower.endswith(".xlsx"):
        rows = _xlsx_rows(data, lim)
    else:
        raise Refusal(_("Unsupported file type: %(name)s. Upload a .csv or .xlsx file.", name=filename))
    table: list[tuple[int, list[str]]] = []
    last_line = 2 * lim.max_rows + 100  # blank lines count too, so a sheet of empty rows ends early
    for line, cells in rows:
        if line > last_line:
            raise Refusal(_("The file has more than %(n)d rows; split it into smaller files.", n=lim.max_rows))
        texts = [cell_text(c) for c in cells]
        while texts and texts[-1] == "":
            texts.pop()
        if not texts:
            continue
        if len(texts) > lim.max_columns:
            raise Refusal(_("Line %(line)d has more than %(n)d columns; a roster has at most %(n)d.",
                            line=line, n=lim.max_columns))
        if len(table) > lim.max_rows:  # the header and max_rows rows are allowed
            raise Refusal(_("The file has more than %(n)d rows; split it into smaller files.", n=lim.max_rows))
        table.append((line, texts))
    if not table:
        raise Refusal(_("The file is empty."))
    return table


def cell_text(value) -> str:
    """A cell as text: '' for empty, 13800000001 for 13800000001.0, 2025-03-01 for a date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes):
    if b"\x00" in data[:65536]:
        raise Refusal(_("The file is not a CSV text file (it holds binary data). Save it as CSV or .xlsx and try again."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refusal(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:  # past the first 64 KB
        raise Refusal(_("The file is not a CSV text file (it holds binary data). Save it as CSV or .xlsx and try again."))
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Refusal(_("The CSV file cannot be read at line %(line)d: %(error)s",
                        line=reader.line_num, error=exc)) from exc


def _xlsx_rows(data: bytes, lim: Limits):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Refusal(_("The file is not an Excel .xlsx workbook (or it is damaged).")) from exc
    if sum(m.file_size for m in members) > lim.max_uncompressed:
        raise Refusal(_("The Excel file unpacks to more than %(size)s; split it into smaller files.",
                        size=_size(lim.max_uncompressed)))
    from openpyxl import load_workbook  # imported here: loading openpyxl is slow and only Excel needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise Refusal(_("The Excel file cannot be opened: %(error)s", error=exc)) from exc
    try:
        sheet.reset_dimensions()  # never trust <dimension>: rows come as long as the XML has them
        line = 0
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(cells) > lim.max_columns:
                # a far cell (even an empty, styled one) must not make us walk 16,384 columns per row
                if any(c not in (None, "") for c in cells[lim.max_columns:]):
                    raise Refusal(_("Line %(line)d has more than %(n)d columns; a roster has at most %(n)d.",
                                    line=line, n=lim.max_columns))
                cells = cells[:lim.max_columns]
            yield line, cells
    except Refusal:
        raise
    except Exception as exc:
        raise Refusal(_("The Excel file cannot be read: %(error)s", error=exc)) from exc
    finally:
        book.close()
