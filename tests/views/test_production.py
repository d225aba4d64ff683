"""Production footing (issue 13 item 9): a missing or weak SECRET_KEY and debug mode are refused with
one line and no traceback, through ``wsgi.py`` (gunicorn, ``flask``) and ``create_app``."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import ConfigError, create_app
from config import secret_key_problem, xapi_base_problem

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "Vq8#mT2!rZ6@kW4$pL9^nB3&"
XAPI_BASE = "https://training.jiangcheng.gov.cn/xapi"


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "ChangeMe", "short1!", "a" * 16, "a" * 64,
                                 "abababababababababababab", "0123456701234567", "aaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghij"])
def test_weak_secret_keys_are_refused(key):
    assert secret_key_problem(key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="sqlite://")


@pytest.mark.parametrize("key", [STRONG_KEY, "c2VjcmV0cy50b2tlbl91cmxzYWZl", "9f86d081884c7d659a2feaa0c55ad015"])
def test_random_keys_pass(key):
    assert secret_key_problem(key) is None


def test_debug_is_refused_in_production(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app("production", SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI="sqlite://", XAPI_BASE=XAPI_BASE)
    assert app.debug is False and app.config["DEBUG"] is False
    with pytest.raises(ConfigError, match="debug"):
        create_app("production", SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI="sqlite://", DEBUG=True,
                   XAPI_BASE=XAPI_BASE)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        create_app("production", SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI="sqlite://", XAPI_BASE=XAPI_BASE)


@pytest.mark.parametrize("base", [None, "", "https://gridacademy.example/xapi", "https://gridacademy.example/xapi/",
                                  "https://lms.example.com/xapi", "http://localhost:5000/xapi", "gridacademy/xapi"])
def test_the_example_xapi_base_is_refused_in_production(base):
    """XAPI_BASE names every activity and actor account for good: production needs a real one."""
    assert xapi_base_problem(base)
    with pytest.raises(ConfigError, match="XAPI_BASE"):
        create_app("production", SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI="sqlite://", XAPI_BASE=base)
    assert xapi_base_problem(XAPI_BASE) is None
    create_app("testing", XAPI_BASE=base)   # development and tests may use the example


def start(command: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG", "FLASK_APP")}
    environment.update(GRIDACADEMY_CONFIG="production", DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
                       XAPI_BASE=XAPI_BASE)
    environment.update(env)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)


FLASK = [sys.executable, "-m", "flask", "--app", "wsgi", "routes"]
GUNICORN_IMPORT = [sys.executable, "-c", "import wsgi"]  # what gunicorn does with wsgi:app


@pytest.mark.parametrize("command", [FLASK, GUNICORN_IMPORT], ids=["flask", "gunicorn-import"])
@pytest.mark.parametrize("env, says", [
    ({}, "SECRET_KEY"),
    ({"SECRET_KEY": "a" * 16}, "SECRET_KEY"),
    ({"SECRET_KEY": STRONG_KEY, "FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
    ({"SECRET_KEY": STRONG_KEY, "XAPI_BASE": "https://gridacademy.example/xapi"}, "XAPI_BASE"),
], ids=["missing", "weak", "debug", "xapi-base"])
def test_refusal_is_one_line_without_traceback(command, env, says, tmp_path):
    result = start(command, tmp_path, **env)
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("GridAcademy refuses to start:")


def test_flask_debug_flag_is_refused_too(tmp_path):
    result = start([sys.executable, "-m", "flask", "--app", "wsgi", "--debug", "routes"], tmp_path,
                   SECRET_KEY=STRONG_KEY)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_production_with_a_strong_key_starts(tmp_path):
    result = start(FLASK, tmp_path, SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr


def test_gunicorn_stops_instead_of_restarting_workers(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    result = start([str(gunicorn), "-w", "1", "-b", "127.0.0.1:0", "wsgi:app"], tmp_path)
    assert result.returncode == 4, result.stderr  # gunicorn's "App failed to load": the master stops
    ours = [line for line in result.stderr.splitlines() if line.startswith("GridAcademy refuses to start:")]
    assert len(ours) == 1 and "SECRET_KEY" in ours[0] and "Traceback" not in result.stderr, result.stderr
