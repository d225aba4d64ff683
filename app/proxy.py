"""Behind a reverse proxy (nginx): trust the ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers of
exactly ``TRUSTED_PROXIES`` proxies in front of the app (default 0: trust none).

With nginx in front, every request reaches gunicorn from nginx's address, so the login throttle's
per-address limit (``app.auth.service``) would count the whole city as one client. Werkzeug's ProxyFix
takes the client's address from the ``X-Forwarded-For`` entry that the last trusted proxy added, and
the scheme from ``X-Forwarded-Proto`` (so ``url_for(..., _external=True)`` says https). Left at 0 when
nothing is in front, so a visitor cannot choose their own address by sending the header themselves.
The Host header is not taken from ``X-Forwarded-Host``: nginx passes the real one
(``proxy_set_header Host $http_host``, deploy/nginx.conf).
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

#: More hops than any real deployment has: a typo rather than a setup.
MAX_PROXIES = 5


def proxies_problem(value) -> str | None:
    """Why ``value`` is not a usable TRUSTED_PROXIES (one line), or None."""
    try:
        hops = int(str(value).strip())
    except ValueError:
        hops = -1
    if not 0 <= hops <= MAX_PROXIES:
        return (f"TRUSTED_PROXIES must be the number of reverse proxies in front of the app, 0 to {MAX_PROXIES} "
                f"(0 when clients connect directly; 1 behind one nginx), not {value!r}")
    return None


def init_proxy(app: Flask) -> None:
    """Wrap the app in ProxyFix for ``TRUSTED_PROXIES`` hops (nothing at 0)."""
    hops = int(str(app.config.get("TRUSTED_PROXIES", 0)).strip())
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
