"""Serve Ralph's LRS on 127.0.0.1 with the appending file-system backend, for the tests:

    .venv-ralph/bin/python tests/lrs/ralph_server.py PORT DIRECTORY USERNAME PASSWORD

Statements are kept in DIRECTORY/fs_lrs.jsonl; one user with every scope. Ralph reads its settings
from the environment when first imported, so they are set before anything of Ralph is imported.
"""
import json
import os
import sys
from pathlib import Path


def main() -> None:
    port, directory, username, password = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    directory.mkdir(parents=True, exist_ok=True)
    import bcrypt

    auth = directory / "auth.json"
    auth.write_text(json.dumps([{
        "agent": {"account": {"homePage": "http://127.0.0.1", "name": username}}, "scopes": ["all"], "username": username,
        "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}]))
    os.environ.update({
        "RALPH_APP_DIR": str(directory / "app"), "RALPH_AUTH_FILE": str(auth), "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory / "statements"),
        "RALPH_RUNSERVER_AUTH_BACKENDS": "basic", "RALPH_SENTRY_DSN": ""})
    (directory / "statements").mkdir(exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ralph.backends import loader
    from ralph_append import AppendingFSLRSBackend

    stock = loader.get_lrs_backends()
    loader.get_lrs_backends = lambda: {**stock, "fs": AppendingFSLRSBackend}
    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
