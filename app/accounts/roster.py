"""Roster import: a CSV or Excel file of workers becomes accounts, in a background job, row by row.

Columns (Chinese or English headers, any order): 姓名/name, 工号/worker_number, 手机号/phone,
区/district (optional), 街道/street, 社区/community, 网格/grid, 入职日期/hire_date (optional),
角色/roles (optional, default 网格员).

1. Upload (``start_import``, in the request): the file is read within the roster limits
   (``app.uploads``: size, rows, columns, Excel's claimed dimension ignored), its header checked, and
   its rows stored as text with a queued job (``app.jobs.runner``). Nothing is hashed in the request.
2. The job (``run_import``): every row is checked on its own before touching the database (required
   fields, formats, and lengths against the model's columns, so PostgreSQL never truncates); then the
   one-time password is made and hashed, and the account, any new community or grid, the row's report
   and its sealed password are written in one transaction and committed together: a row is created
   whole or not at all, on SQLite and PostgreSQL alike. Rejected rows are reported with their line
   and the field at fault. Progress is stored with each row, so a worker stopped midway leaves only
   whole rows, and the job taken up again continues after the last committed row.
3. The one-time passwords stay sealed (``app.accounts.slips``) until an organizer downloads the
   password slips (密码条) once; then they are erased and the page says when and by whom.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, uploads
from ..extensions import db
from ..jobs import runner
from ..models import LEVELS, Area, Job, User
from ..models.base import utcnow
from ..models.roster import RosterImport, RosterImportRow
from ..refusal import Refusal
from ..scope import can_manage_area
from ..security import hash_password
from .areas import ancestors, ensure_child, label
from .service import ROLE_ALIASES, create_account, one_time_password
from .slips import Slip, render_slips, seal, unseal

#: The job kind of roster imports.
JOB_KIND = "roster_import"

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
FIELDS = ("name", "worker_number", "phone", "district", "street", "community", "grid", "hire_date", "roles")
REQUIRED = ("name", "worker_number", "phone", "street", "community", "grid")
#: The template's columns (Chinese headers) and its example row.
TEMPLATE_HEADER = ("姓名", "工号", "手机号", "区", "街道", "社区", "网格", "入职日期", "角色")
TEMPLATE_EXAMPLE = ("王小明", "CQ2026001", "13800000001", "滨江区", "长青街道", "幸福社区", "第一网格",
                    "2026-09-01", "网格员")
PHONE_RE = re.compile(r"^1\d{10}$")
WORKER_NUMBER_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
#: Control characters (tabs, line breaks …) have no place in a name.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Rejected rows are written in batches of this many (created rows each in their own transaction).
REJECTED_BATCH = 500

#: Field names shown in messages.
FIELD_NAMES = {
    "name": _l("Name"), "worker_number": _l("Worker number"), "phone": _l("Phone"),
    "district": _l("District"), "street": _l("Street"), "community": _l("Community"),
    "grid": _l("Grid"), "hire_date": _l("Hire date"), "roles": _l("Roles"),
}


def field_lengths() -> dict[str, int]:
    """The longest text each field may hold: the length of the model column it goes into."""
    area = Area.__table__.c.name.type.length
    return {"name": User.__table__.c.name.type.length,
            "worker_number": User.__table__.c.worker_number.type.length,
            "phone": User.__table__.c.phone.type.length,
            "district": area, "street": area, "community": area, "grid": area,
            "hire_date": 20, "roles": 100}


@dataclass
class RosterRow:
    line: int
    values: dict[str, str]


def read_roster(filename: str, data: bytes, required: tuple[str, ...] = REQUIRED) -> list[RosterRow]:
    """Read a .csv or .xlsx roster within the roster limits into rows keyed by field name (text).
    Raises Refusal when the file cannot be read, breaks a limit or lacks a ``required`` column (a
    competition enrolment needs only the worker numbers)."""
    table = uploads.read_table(filename, data, uploads.limits("roster"))
    header_line, header = table[0]
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = HEADERS.get(cell.strip().lower())
        if key and key not in columns.values():
            columns[index] = key
    missing = [f for f in required if f not in columns.values()]
    if missing:
        raise Refusal(_("Line %(line)d: the header lacks the column(s) %(cols)s. Download the template "
                        "to see the expected columns.", line=header_line,
                        cols=", ".join(str(FIELD_NAMES[f]) for f in missing)))
    return [RosterRow(line=line, values={key: (cells[i] if i < len(cells) else "") for i, key in columns.items()})
            for line, cells in table[1:]]


def parse_date(value) -> date | None:
    """Accept a date/datetime cell or text as YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD. Raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _shown(value: str, limit: int = 20) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def validate_row(row: RosterRow) -> tuple[dict, list[str]]:
    """Check one row on its own, without the database: required fields, formats and lengths.
    Returns (clean values, messages naming the field)."""
    v = {key: str(row.values.get(key) or "").strip() for key in FIELDS}
    errors = []
    lengths = field_lengths()
    for key in FIELDS:
        if key in REQUIRED and not v[key]:
            errors.append(_("%(field)s is empty", field=FIELD_NAMES[key]))
        elif len(v[key]) > lengths[key]:
            errors.append(_("%(field)s is %(n)d characters long; at most %(max)d are allowed",
                            field=FIELD_NAMES[key], n=len(v[key]), max=lengths[key]))
            v[key] = ""  # checked no further
        elif CONTROL_RE.search(v[key]):
            errors.append(_("%(field)s contains a line break or control character", field=FIELD_NAMES[key]))
            v[key] = ""
    if v["worker_number"] and not WORKER_NUMBER_RE.match(v["worker_number"]):
        errors.append(_("%(field)s %(value)s may only contain letters, digits, '-' and '_' (2-32 characters)",
                        field=FIELD_NAMES["worker_number"], value=_shown(v["worker_number"])))
    if v["phone"] and not PHONE_RE.match(v["phone"]):
        errors.append(_("%(field)s %(value)s is not an 11-digit mobile number", field=FIELD_NAMES["phone"],
                        value=_shown(v["phone"])))
    try:
        v["hire_date"] = parse_date(v["hire_date"])
    except ValueError:
        errors.append(_("%(field)s %(value)s is not a date like 2024-03-01", field=FIELD_NAMES["hire_date"],
                        value=_shown(str(row.values.get("hire_date") or ""))))
        v["hire_date"] = None
    roles = set()
    for part in re.split(r"[,，、;；\s]+", v["roles"]):
        if not part:
            continue
        role = ROLE_ALIASES.get(part.lower())
        if role is None:
            errors.append(_("%(field)s %(value)s is unknown (use worker, mentor or organizer)",
                            field=FIELD_NAMES["roles"], value=_shown(part)))
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


# --------------------------------------------------------------------------------------------------
# Upload → job
# --------------------------------------------------------------------------------------------------
def start_import(actor: User, filename: str, data: bytes) -> RosterImport:
    """Read and check the file, store its rows and queue the import job. The caller commits and then
    calls ``runner.dispatch(imp.job_id)``. Raises Refusal (the file as a whole cannot be used)."""
    if actor.area is None or not actor.is_manager:
        raise Refusal(_("Only an organizer or admin with an area may import a roster."))
    rows = read_roster(filename, data)
    if not rows:
        raise Refusal(_("The file has a header but no rows."))
    job = runner.enqueue(JOB_KIND, {}, created_by=actor)
    imp = RosterImport(job_id=job.id, created_by_id=actor.id, area_id=actor.area_id,
                       filename=(filename or "roster")[-255:], rows=[[r.line, r.values] for r in rows])
    db.session.add(imp)
    db.session.flush()
    job.payload = {"import_id": imp.id}
    job.total = len(rows)
    db.session.flush()
    return imp


def may_see(actor: User, imp: RosterImport) -> bool:
    """The importer and the managers at or above the importer's area."""
    return actor.is_manager and (imp.created_by_id == actor.id or can_manage_area(actor, imp.area))


def recent_imports(actor: User, limit: int = 10) -> list[RosterImport]:
    """The latest imports ``actor`` may see."""
    found = db.session.scalars(select(RosterImport).order_by(RosterImport.id.desc()).limit(limit * 5)).all()
    return [imp for imp in found if may_see(actor, imp)][:limit]


def counts(imp: RosterImport) -> dict[str, int]:
    """Rows created, rejected, and one-time passwords still sealed."""
    rows = db.session.execute(
        select(RosterImportRow.ok, func.count(), func.count(RosterImportRow.secret))
        .where(RosterImportRow.import_id == imp.id).group_by(RosterImportRow.ok)).all()
    result = {"created": 0, "rejected": 0, "sealed": 0}
    for ok, n, sealed in rows:
        result["created" if ok else "rejected"] += n
        result["sealed"] += sealed
    return result


def _rejected(import_id: int, row: RosterRow, v: dict, messages: list[str]) -> dict:
    return {"import_id": import_id, "line": row.line, "ok": False,
            "name": str(row.values.get("name") or "")[:100], "messages": messages,
            "worker_number": str(row.values.get("worker_number") or "")[:100], "created_areas": []}


def run_import(job: Job, run: runner.Run) -> dict:
    """The ``roster_import`` job: create an account per good row, each row in its own transaction."""
    imp = db.session.scalar(select(RosterImport).where(RosterImport.id == job.payload["import_id"]))
    import_id = imp.id
    actor = db.session.get(User, imp.created_by_id) if imp.created_by_id else None
    if actor is None or not actor.active or not actor.is_manager or actor.area is None:
        raise Refusal(_("The person who uploaded the roster may no longer import people."))
    rows = [RosterRow(line=line, values=values) for line, values in imp.rows or []]
    total = len(rows)
    finished = set(db.session.scalars(select(RosterImportRow.line).where(RosterImportRow.import_id == import_id)))
    first_line: dict[str, int] = {}
    for row in rows:
        number = str(row.values.get("worker_number") or "").strip()
        first_line.setdefault(number, row.line)
    key = current_app.config["SECRET_KEY"]
    done = len(finished)
    run.step(done, total)
    db.session.commit()
    pending: list[dict] = []

    def write_pending() -> None:
        db.session.add_all(RosterImportRow(**p) for p in pending)

    with force_locale(actor.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        for row in rows:
            if row.line in finished:
                continue
            v, errors = validate_row(row)
            number = v["worker_number"]
            if number and first_line.get(number, row.line) != row.line:
                errors.append(_("%(field)s %(value)s repeats line %(line)d", field=FIELD_NAMES["worker_number"],
                                value=number, line=first_line[number]))
            if errors:
                pending.append(_rejected(import_id, row, v, errors))
                if len(pending) >= REJECTED_BATCH:
                    write_pending()
                    run.step(done + len(pending))
                    db.session.commit()
                    done, pending = done + len(pending), []
                continue
            password = one_time_password()
            one_time = (password, hash_password(password))  # the slow part, before any write
            for attempt in (1, 2):  # a clash with a parallel import (IntegrityError) is tried once more
                try:
                    grid, created, error = resolve_grid(actor, v)
                    if error:
                        raise Refusal(error)
                    user, _password = create_account(
                        actor, username=number, name=v["name"], worker_number=number, phone=v["phone"],
                        area=grid, hire_date=v["hire_date"], roles=v["roles"], one_time=one_time)
                    db.session.add(RosterImportRow(
                        import_id=import_id, line=row.line, ok=True, name=v["name"], worker_number=number,
                        user_id=user.id, area_label=label(grid), created_areas=created, messages=[],
                        secret=seal(password, key)))
                    write_pending()
                    run.step(done + len(pending) + 1)
                    db.session.commit()
                    done, pending = done + len(pending) + 1, []
                except Refusal as exc:
                    db.session.rollback()
                    pending.append(_rejected(import_id, row, v, [str(exc)]))
                except IntegrityError:
                    db.session.rollback()
                    if attempt == 1:
                        continue
                    pending.append(_rejected(import_id, row, v, [_(
                        "This row clashed with a change made at the same time; check it and upload it again.")]))
                break
        write_pending()
        run.step(done + len(pending))
        db.session.execute(update(RosterImport).where(RosterImport.id == import_id).values(rows=None))
        result = counts(db.session.get(RosterImport, import_id))
        audit.record(actor, "person.import", audit.Target("roster", import_id, imp.filename),
                     after={"created": result["created"], "rejected": result["rejected"]})
        db.session.commit()
    return {"created": result["created"], "rejected": result["rejected"]}


# --------------------------------------------------------------------------------------------------
# Password slips
# --------------------------------------------------------------------------------------------------
def take_slips(actor: User, imp: RosterImport, *, site: str, printed: str) -> bytes:
    """The password slips of the import's created accounts, once: the first caller gets the PDF, the
    passwords are erased in the same transaction (the caller commits). Raises Refusal."""
    if not may_see(actor, imp):
        raise Refusal(_("You may not see this import."))
    if not imp.job.finished:
        raise Refusal(_("The import is still running; the password slips come when it has finished."))
    claimed = db.session.execute(
        update(RosterImport).where(RosterImport.id == imp.id, RosterImport.slips_downloaded_at.is_(None))
        .values(slips_downloaded_at=utcnow(), slips_downloaded_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Refusal(_("The password slips were already downloaded; the one-time passwords are no longer kept. "
                        "Reset a person's password on the people page if a slip is lost."))
    rows = db.session.scalars(select(RosterImportRow).where(
        RosterImportRow.import_id == imp.id, RosterImportRow.secret.is_not(None)).order_by(RosterImportRow.line)).all()
    if not rows:
        raise Refusal(_("No account was created by this import, so there are no password slips."))
    key = current_app.config["SECRET_KEY"]
    slips = []
    for row in rows:
        try:
            password = unseal(row.secret, key)
        except Exception as exc:  # SealError: SECRET_KEY changed since the import
            raise Refusal(_("The one-time passwords cannot be opened (the server's secret key has changed "
                            "since the import). Reset these people's passwords on the people page.")) from exc
        login = row.user.username if row.user else row.worker_number
        slips.append(Slip(name=row.name, login=login, password=password, area=row.area_label))
    pdf = render_slips(slips, title=imp.filename, site=site, printed=printed)
    db.session.execute(update(RosterImportRow).where(RosterImportRow.import_id == imp.id)
                       .values(secret=None).execution_options(synchronize_session=False))
    db.session.flush()
    return pdf


def template_rows() -> list[list[str]]:
    """The roster template: the Chinese header and one example row."""
    return [list(TEMPLATE_HEADER), list(TEMPLATE_EXAMPLE)]


def register() -> None:
    runner.register_kind(JOB_KIND, run_import)
