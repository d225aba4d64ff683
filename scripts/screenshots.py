"""Screenshots of the main pages of the demo, as each role, on a phone (360 px) and a desktop (1280 px).

    .venv/bin/python scripts/screenshots.py              # fresh demo database, own server, docs/screenshots/
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:5000 --only worker-home

Without ``--base`` it builds a throwaway demo database (migrations, ``flask content sync``, ``flask demo
create``), serves it on a free port, and writes ``docs/screenshots/<role>-<page>-<width>.png``; the README
shows them. Needs Debian's chromium (scripts/install-system-deps.sh) and the dev requirements.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo1234"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 860)}

#: (role, name, path) — the pages a person of that role opens most; ``{...}`` filled from the page.
PAGES = [
    ("worker", "home", "/"),
    ("worker", "courses", "/courses"),
    ("worker", "quizzes", "/quizzes"),
    ("worker", "drills", "/drills"),
    ("worker", "profile", "/profile"),
    ("worker", "kb", "/kb"),
    ("worker", "classes", "/train"),
    ("mentor", "home", "/"),
    ("mentor", "mentoring", "/mentoring"),
    ("organizer", "home", "/"),
    ("organizer", "people", "/manage/users"),
    ("organizer", "competitions", "/compete"),
    ("organizer", "cohort", "/profile/cohort"),
    ("admin", "home", "/"),
    ("admin", "areas", "/manage/areas"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo_server() -> tuple[str, subprocess.Popen, tempfile.TemporaryDirectory]:
    folder = tempfile.TemporaryDirectory(prefix="gridacademy-shots-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder.name}/demo.db", "FLASK_APP": "wsgi.py"}
    flask = str(ROOT / ".venv" / "bin" / "flask")
    for command in (["db", "upgrade"], ["content", "sync"], ["demo", "create"]):
        subprocess.run([flask, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([flask, "run", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urlopen(base + "/login", timeout=2)  # noqa: S310 (our own server on loopback)
            break
        except OSError:
            time.sleep(0.3)
    return base, server, folder


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a running app with the demo data (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", help="role-name of one page, e.g. worker-home")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = folder = None
    base = args.base
    if base is None:
        base, server, folder = start_demo_server()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for role in dict.fromkeys(role for role, _n, _p in PAGES):
                context = browser.new_context(locale="zh-CN")
                page = context.new_page()
                log_in(page, base, role)
                for page_role, name, path in PAGES:
                    if page_role != role or (args.only and args.only != f"{role}-{name}"):
                        continue
                    for label, (width, height) in WIDTHS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        target = out / f"{role}-{name}-{label}.png"
                        page.screenshot(path=str(target))
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                context.close()
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
            folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
