"""Roster import: a CSV or Excel file of workers becomes accounts, row by row.

Columns (Chinese or English headers, any order): 姓名/name, 工号/worker_number, 手机号/phone,
区/district (optional), 街道/street, 社区/community, 网格/grid, 入职日期/hire_date (optional),
角色/roles (optional, default 网格员). Every row is checked and saved on its own (a SAVEPOINT), so a
bad row is reported and skipped and never aborts the good ones. New accounts get a one-time
password shown once in the report and must change it at first login.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import LEVELS, Area, User
from ..refusal import Refusal
from .areas import ancestors, ensure_child, label
from .service import ROLE_ALIASES, create_account

#: Header aliases → field name.
HEADERS = {
    "姓名": "name", "name": "name",
    "工号": "worker_number", "worker number": "worker_number", "worker_number": "worker_number",
    "手机号": "phone", "手机": "phone", "电话": "phone", "phone": "phone",
    "区": "district", "区县": "district", "district": "district",
    "街道": "street", "street": "street",
    "社区": "community", "community": "community",
    "网格": "grid", "grid": "grid",
    "入职日期": "hire_date", "hire date": "hire_date", "hire_date": "hire_date",
    "角色": "roles", "roles": "roles",
}
REQUIRED = ("name", "worker_number", "phone", "street", "community", "grid")
PHONE_RE = re.compile(r"^1\d{10}$")
WORKER_NUMBER_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")


@dataclass
class RosterRow:
    line: int
    values: dict[str, object]


@dataclass
class RowResult:
    line: int
    ok: bool
    name: str = ""
    worker_number: str = ""
    messages: list[str] = field(default_factory=list)
    password: str | None = None
    area_label: str = ""
    created_areas: list[str] = field(default_factory=list)


def read_roster(filename: str, data: bytes, required: tuple[str, ...] = REQUIRED) -> list[RosterRow]:
    """Parse a .csv or .xlsx roster into rows keyed by field name. Raises Refusal when the file cannot
    be read or a ``required`` column is missing (a competition enrolment needs only the worker numbers)."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        table = _read_csv(data)
    elif lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        raise Refusal(_("Unsupported file type: %(name)s. Upload a .csv or .xlsx file.", name=filename))
    if not table:
        raise Refusal(_("The file is empty."))
    header_line, header = table[0]
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = HEADERS.get(str(cell or "").strip().lower())
        if key:
            columns[index] = key
    missing = [f for f in required if f not in columns.values()]
    if missing:
        raise Refusal(_("Line %(line)d: the header lacks the column(s) %(cols)s.", line=header_line,
                        cols=", ".join(str(FIELD_NAMES[f]) for f in missing)))
    rows = []
    for line, cells in table[1:]:
        if all(str(c or "").strip() == "" for c in cells):
            continue
        values = {key: (cells[i] if i < len(cells) else None) for i, key in columns.items()}
        rows.append(RosterRow(line=line, values=values))
    return rows


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refusal(_("The CSV file is neither UTF-8 nor GBK text."))
    return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1)]


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook  # imported here: loading openpyxl is slow and only Excel needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise Refusal(_("The Excel file cannot be opened: %(error)s", error=exc)) from exc
    sheet = book.worksheets[0]
    table = [(n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    book.close()
    return table


#: Field names shown in messages.
FIELD_NAMES = {
    "name": _l("Name"), "worker_number": _l("Worker number"), "phone": _l("Phone"),
    "district": _l("District"), "street": _l("Street"), "community": _l("Community"),
    "grid": _l("Grid"), "hire_date": _l("Hire date"), "roles": _l("Roles"),
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value) -> date | None:
    """Accept a date/datetime cell or text as YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD. Raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def validate_row(row: RosterRow) -> tuple[dict, list[str]]:
    """Check one row on its own (no database). Returns (clean values, messages)."""
    v = {key: _text(row.values.get(key)) for key in HEADERS.values()}
    errors = []
    for key in REQUIRED:
        if not v[key]:
            errors.append(_("%(field)s is empty", field=FIELD_NAMES[key]))
    if v["worker_number"] and not WORKER_NUMBER_RE.match(v["worker_number"]):
        errors.append(_("%(field)s %(value)s may only contain letters, digits, '-' and '_' (2-32 characters)",
                        field=FIELD_NAMES["worker_number"], value=v["worker_number"]))
    if v["phone"] and not PHONE_RE.match(v["phone"]):
        errors.append(_("%(field)s %(value)s is not an 11-digit mobile number", field=FIELD_NAMES["phone"],
                        value=v["phone"]))
    try:
        v["hire_date"] = parse_date(row.values.get("hire_date"))
    except ValueError:
        errors.append(_("%(field)s %(value)s is not a date like 2024-03-01", field=FIELD_NAMES["hire_date"],
                        value=_text(row.values.get("hire_date"))))
    roles = set()
    for part in re.split(r"[,,、;;\s]+", v["roles"]):
        if not part:
            continue
        role = ROLE_ALIASES.get(part.lower())
        if role is None:
            errors.append(_("%(field)s %(value)s is unknown (use worker, mentor or organizer)",
                            field=FIELD_NAMES["roles"], value=part))
        else:
            roles.add(role)
    v["roles"] = roles or {"worker"}
    return v, errors


def resolve_grid(actor: User, v: dict) -> tuple[Area | None, list[str], str | None]:
    """Find (or create, below the actor's node) the row's grid.

    Returns (grid, names of created areas, error). Levels at or above the actor's own node must
    match the actor's chain; below it, missing nodes are created.
    """
    chain = ancestors(actor.area)
    for node in chain[1:]:
        given = v.get(node.level)
        if given and given != node.name:
            return None, [], _("%(level)s %(given)s is outside your area (%(mine)s)",
                               level=FIELD_NAMES[node.level], given=given, mine=label(actor.area))
    node = actor.area
    created: list[str] = []
    levels = list(LEVELS[node.depth + 1:])
    if levels and levels[0] == "district" and not v.get("district"):
        streets = db.session.scalars(
            select(Area).where(Area.level == "street", Area.name == v["street"],
                               Area.path.startswith(node.path, autoescape=True))
        ).all()
        if not streets:
            return None, [], _("%(street)s %(name)s does not exist yet; fill in the %(district)s column to create it",
                               street=FIELD_NAMES["street"], name=v["street"], district=FIELD_NAMES["district"])
        if len(streets) > 1:
            return None, [], _("%(street)s %(name)s exists in several districts; fill in the %(district)s column",
                               street=FIELD_NAMES["street"], name=v["street"], district=FIELD_NAMES["district"])
        node = streets[0]
        levels = list(LEVELS[node.depth + 1:])
    for level in levels:
        child, was_created = ensure_child(node, v[level])
        if was_created:
            created.append(label(child))
        node = child
    return node, created, None


def import_roster(actor: User, rows: list[RosterRow]) -> list[RowResult]:
    """Create an account per good row; each row in its own SAVEPOINT. The caller commits."""
    results = []
    seen: dict[str, int] = {}
    for row in rows:
        v, errors = validate_row(row)
        result = RowResult(line=row.line, ok=False, name=v["name"], worker_number=v["worker_number"])
        number = v["worker_number"]
        if number and number in seen:
            errors.append(_("%(field)s %(value)s repeats line %(line)d", field=FIELD_NAMES["worker_number"],
                            value=number, line=seen[number]))
        elif number:
            seen[number] = row.line
        if errors:
            result.messages = errors
            results.append(result)
            continue
        savepoint = db.session.begin_nested()
        try:
            grid, created, error = resolve_grid(actor, v)
            if error:
                raise Refusal(error)
            user, password = create_account(
                actor, username=number, name=v["name"], worker_number=number, phone=v["phone"],
                area=grid, hire_date=v["hire_date"], roles=v["roles"],
            )
            savepoint.commit()
        except Refusal as exc:
            savepoint.rollback()
            result.messages = [str(exc)]
        else:
            result.ok, result.password = True, password
            result.area_label, result.created_areas = label(grid), created
        results.append(result)
    return results
