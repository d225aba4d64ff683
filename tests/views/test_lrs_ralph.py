"""Our statements in a real Learning Record Store: Ralph 5.1 (``ralph-malph`` from PyPI, in its own
virtual environment .venv-ralph, see requirements-ralph.txt and ``make ralph``) served on loopback
with its file-system backend made to append (tests/lrs/ralph_append.py).

``flask xapi push`` sends every statement kind of the demo data; Ralph validates each with its own
xAPI models and stores it; reading them back gives exactly what we sent. Then the failure paths on a
real LRS: a statement changed under an id already stored is refused with Ralph's 409 and found
by bisection while the rest of its batch is stored, and wrong credentials refuse the push.
"""
from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import XapiOutbox
from app.profile import lrs
from app.profile.export import statements_for
from tests.views.test_lrs import records  # noqa: F401  (the demo data with every statement kind)

ROOT = Path(__file__).resolve().parents[2]
RALPH_PYTHON = ROOT / ".venv-ralph" / "bin" / "python"
USERNAME, PASSWORD = "gridacademy", "ralph-test-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    """Ralph's LRS on 127.0.0.1; its statements file and its log in a temporary directory."""
    if not RALPH_PYTHON.exists():
        pytest.fail("Ralph is not installed: run `make ralph` (a virtual environment .venv-ralph from "
                    "requirements-ralph.txt)")
    folder = tmp_path_factory.mktemp("ralph")
    port = _free_port()
    log = (folder / "ralph.log").open("w")
    process = subprocess.Popen([str(RALPH_PYTHON), str(ROOT / "tests" / "lrs" / "ralph_server.py"), str(port),
                                str(folder), USERNAME, PASSWORD], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/xAPI"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(f"Ralph did not start: {(folder / 'ralph.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield url, folder
    process.terminate()
    process.wait(10)
    log.close()


def _read_back(url: str) -> dict[str, dict]:
    """Every statement Ralph holds, by id (following ``more`` links)."""
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    found, address = {}, f"{url}/statements?limit=500"
    while address:
        request = urllib.request.Request(address, headers={"Authorization": f"Basic {token}",
                                                           "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(request, timeout=20) as response:
            page = json.loads(response.read())
        found.update({s["id"]: s for s in page["statements"]})
        more = page.get("more")
        address = f"{url.rsplit('/xAPI', 1)[0]}{more}" if more else None
    return found


def _ours(statement: dict) -> dict:
    """What we sent of a statement Ralph returns (it adds stored, authority and version)."""
    return {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}


@pytest.mark.slow
def test_ralph_takes_every_statement_kind_and_the_failures_are_told(app, runner, records, ralph,  # noqa: F811
                                                                   monkeypatch):
    monkeypatch.setattr(lrs, "BATCH", 10)           # several POSTs, appended to one file
    url, folder = ralph
    saved = {key: app.config[key] for key in ("XAPI_LRS_ENDPOINT", "XAPI_LRS_USERNAME", "XAPI_LRS_PASSWORD")}
    app.config.update(XAPI_LRS_ENDPOINT=url, XAPI_LRS_USERNAME=USERNAME, XAPI_LRS_PASSWORD=PASSWORD)
    try:
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 0, result.output + (folder / "ralph.log").read_text()[-3000:]
        ours = statements_for(records)
        assert f"sent {len(ours)}, refused 0" in result.output and len(ours) > lrs.BATCH * 2
        stored = _read_back(url)
        assert set(stored) == {s["id"] for s in ours}
        for statement in ours:                        # round trip: exactly what we sent, every kind
            assert _ours(stored[statement["id"]]) == statement
        lines = (folder / "statements" / "fs_lrs.jsonl").read_text().splitlines()
        assert len(lines) == len(ours)                # every batch appended to the one file

        # A statement changed under an id Ralph holds (409), in a batch with new ones.
        rows = db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()
        changed = rows[3]
        payload = json.loads(json.dumps(changed.payload))
        payload["result"] = {**payload.get("result", {}), "response": "changed after sending"}
        changed.payload, changed.status = payload, "pending"
        fresh = [json.loads(json.dumps(row.payload)) for row in rows[:5]]
        for n, statement in enumerate(fresh):
            statement["id"] = f"00000000-0000-4000-8000-00000000000{n}"
        lrs.enqueue(fresh)
        db.session.commit()
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 2, result.output
        db.session.refresh(changed)
        assert changed.status == "refused" and changed.last_status == 409
        assert f"Differing statements already exist with the same ID: {changed.statement_id}" in changed.last_error
        assert set(_read_back(url)) >= {s["id"] for s in fresh}

        # Wrong credentials: Ralph answers 401, the push says so and exits non-zero.
        app.config["XAPI_LRS_PASSWORD"] = "not the password"
        lrs.enqueue([{**fresh[0], "id": "00000000-0000-4000-8000-0000000000aa"}])
        db.session.commit()
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 2 and "HTTP 401" in result.output
    finally:
        app.config.update(saved)
