"""Error pages that say what went wrong in the user's language."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .extensions import db


def init_errors(app: Flask) -> None:
    pages = {
        400: (lambda: _("Bad request"), lambda: _("The request was incomplete or malformed. Nothing was changed.")),
        403: (lambda: _("Not allowed"), lambda: _("Your account may not open this page.")),
        404: (lambda: _("Not found"), lambda: _("This page does not exist, or you may not see it.")),
        413: (lambda: _("File too large"), lambda: _("The uploaded file is larger than allowed (5 MB).")),
        500: (lambda: _("Something went wrong"), lambda: _("The server hit an error. Nothing was changed; please try again.")),
    }

    def make_handler(code):
        def handler(error):
            if code == 500:
                # The failed request's transaction may be broken (an IntegrityError under parallel requests):
                # roll it back first, so the page (menu, unread count, current user) can query again.
                db.session.rollback()
            title, message = pages[code]
            return render_template("errors.html", code=code, title=title(), message=message()), code
        return handler

    for code in pages:
        app.register_error_handler(code, make_handler(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors.html", code=400, title=_("The form expired"),
                               message=_("The page was open too long or the request did not come from this "
                                         "site. Go back, reload the page and submit again. Nothing was changed.")), 400
