"""`make run PORT=… HOST=…` chooses where the development server listens (issue 15 item 11)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def flask_run_line(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("PORT", "HOST", "MAKEFLAGS", "MFLAGS")}
    environment.update(env)
    out = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    (line,) = [line for line in out.splitlines() if "flask run" in line]
    return line


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_port_and_host_from_the_command_line_and_defaults():
    assert flask_run_line().endswith("flask run --host 127.0.0.1 --port 5000")
    assert flask_run_line("PORT=8123").endswith("--host 127.0.0.1 --port 8123")
    assert flask_run_line("HOST=0.0.0.0", "PORT=8080").endswith("--host 0.0.0.0 --port 8080")
    # PORT may come from the environment; an exported HOST (some shells set it to the machine's name) may not
    assert flask_run_line(PORT="9000", HOST="buildbox").endswith("--host 127.0.0.1 --port 9000")
