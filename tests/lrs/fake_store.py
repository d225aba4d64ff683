"""A small Learning Record Store on loopback for tests: it keeps statements by id, applies the key
rule of Elasticsearch-backed stores (Ralph 5.1's ``es_key_validation``: no empty key, no "." in a
key unless the key is an IRI) and, on demand, answers 401, 404, 422, 500 or 503 instead.

Written independently of app/profile/xapi.py, so a statement our validator passes by mistake is
still refused here as an Elasticsearch-backed store would refuse it.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

#: An absolute IRI: a scheme, a colon, then no spaces or characters RFC 3987 excludes.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


def es_key_errors(payload, path: str = "") -> list[str]:
    """Ralph's rule: every object key non-empty, and a key with a "." must be an IRI."""
    errors: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "":
                errors.append(f"elasticsearch-incompatible key: empty string at {path or 'root'}")
            elif "." in key and not _IRI.match(key):
                errors.append(f"elasticsearch-incompatible key: '.' in {where!r}")
            errors.extend(es_key_errors(value, where))
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            errors.extend(es_key_errors(item, f"{path}[{index}]"))
    return errors


@dataclass
class FakeStore:
    """``answer``: None (behave) or an HTTP status to answer every POST with; ``answers``: statuses
    for the next POSTs, one each, before ``answer``. ``stored`` maps statement id → statement; wrong
    credentials get 401 as from a real store."""

    username: str = "push"
    password: str = "secret"
    answer: int | None = None
    answers: list[int] = field(default_factory=list)
    stored: dict[str, dict] = field(default_factory=dict)
    posts: list[int] = field(default_factory=list)   # batch sizes of every POST, refused or not
    url: str = ""

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    @Request.application
    def app(self, request: Request) -> Response:
        if request.path.rstrip("/") != "/xapi/statements":
            return Response("not found", status=404)
        if request.headers.get("X-Experience-API-Version") != "1.0.3":
            return _json({"detail": "X-Experience-API-Version header missing"}, 400)
        if request.method == "POST":
            batch = json.loads(request.get_data(as_text=True))
            batch = batch if isinstance(batch, list) else [batch]
            self.posts.append(len(batch))
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (self.username, self.password):
            return _json({"detail": "Invalid authentication credentials"}, 401)
        if request.method == "GET":
            return _json({"statements": list(self.stored.values())}, 200)
        status = self.answers.pop(0) if self.answers else self.answer
        if status == 404:
            return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, mimetype="text/html")
        if status is not None:
            headers = {"Retry-After": "120"} if status == 503 else {}
            return _json({"detail": f"answering {status} on demand"}, status, headers)
        problems = []
        for index, statement in enumerate(batch):
            problems += [{"type": "elasticsearch_key_validation", "loc": ["body", index], "msg": message}
                         for message in es_key_errors(statement)]
            known = self.stored.get(statement.get("id"))
            if known is not None and known != statement:
                return _json({"detail": f"Differing statements already exist with the same ID: {statement['id']}"},
                             409)
        if problems:
            return _json({"detail": problems}, 422)
        for statement in batch:
            self.stored[statement["id"]] = statement
        return _json([statement["id"] for statement in batch], 200)


def _json(body, status: int, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json",
                    headers=headers or {})


class Served:
    """A WSGI app served on 127.0.0.1 (a free port) in a thread, until ``stop``."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
