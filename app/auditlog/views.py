"""The audit trail for admins: a filtered list and its Excel export. There is no route that changes a
record (tests/views/test_audit.py checks the url map)."""
import io

from flask import Blueprint, render_template, request, send_file

from .. import audit
from ..clock import local_today
from ..security import roles_required
from ..web import paginate
from . import service
from .forms import FilterForm

bp = Blueprint("auditlog", __name__, template_folder="templates", url_prefix="/audit")

#: Records listed per page.
PER_PAGE = 50


def _filters() -> tuple[FilterForm, service.Filters]:
    """The filter form from the query string (its errors shown beside the fields), and the filters of the
    fields that read well (a date that is no date filters nothing)."""
    form = FilterForm(request.args, service.actors())
    if request.args:
        form.validate()
    return form, service.Filters(actor=form.actor.data or "", action=form.action.data or "",
                                 kind=form.kind.data or "", since=form.since.data, until=form.until.data,
                                 q=(form.q.data or "")[:100])


def _args() -> dict:
    return {key: value for key, value in request.args.items() if key != "page" and value}


@bp.route("/")
@roles_required("admin")
def index():
    form, filters = _filters()
    page = paginate(service.records_query(filters), PER_PAGE)
    return render_template("auditlog/index.html", form=form, page=page, args=_args(),
                           rows=[(row, audit.changes(row)) for row in page.items],
                           actor_text=service.actor_text, action_text=audit.action_text,
                           kind_text=audit.target_kind_text)


@bp.route("/export.xlsx")
@roles_required("admin")
def export():
    _form, filters = _filters()
    return send_file(io.BytesIO(service.workbook(filters)), as_attachment=True,
                     download_name=f"audit-trail-{local_today().isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
