"""Another process of the app, as a second gunicorn worker or host would be: for tests that check that
what one process changes, another sees (caches kept in the database, index stamps)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class AppProcess:
    """Runs ``script`` (Python source, given the database URL as ``sys.argv[1]``) in a new interpreter.
    The script prints ``ready`` once set up, then answers each line of input with one line of JSON."""

    def __init__(self, script: str, url: str):
        self.process = subprocess.Popen([sys.executable, "-c", script, url], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert self.process.stdout.readline().strip() == "ready"

    def ask(self, line: str):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()
