"""Security headers on every response: pages, downloads, static files and error pages (issue 13 item 3).

The Content-Security-Policy allows scripts from this site only (no inline script, no event-handler
attributes, no ``eval``): page scripts live in ``app/static/*.js`` and take their settings from
``data-`` attributes. Inline ``style`` attributes stay allowed (progress bars, heatmap cells).
HSTS is sent in production only (development and tests run over plain HTTP).
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: One year, subdomains included; production only.
HSTS = "max-age=31536000; includeSubDomains"


def init_headers(app: Flask) -> None:
    production = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
