"""No app process keeps database data of its own that another process could change (issue 14 item 5).

Several gunicorn workers on several hosts serve one database, so memory in one process must never hold
what a write in another makes stale. This test reads ``app/`` (its syntax, nothing is imported) for the
ways a process keeps things between requests: functions memoised with ``functools.lru_cache`` /
``functools.cache`` / ``cached_property``, and module-level dicts, lists or sets filled at run time. Each
one found must be listed below with why it cannot go stale: keyed by something that never changes
(a drill version's id and content hash, a text itself), read from a file of the release, or a registry
filled at start-up. A new one fails here until it is looked at: database data belongs in the database
(see ``leaderboard_cache`` and ``kb_index_state``), or in a memo keyed by an immutable version.

The knowledge base (``app/kb``, its index stamped in ``kb_index_state``), the profile and mentoring
aggregates (``app/profile``, ``app/mentor``, ``app/evidence.py``) are audited by their owners and not
read here.
"""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
OWNED_ELSEWHERE = ("kb", "profile", "mentor", "evidence.py")

#: "path:name" → why it cannot go stale when another process writes.
REVIEWED = {
    "accounts/service.py:common_passwords": "the shipped list of common passwords, a file of the release",
    "collation.py:_pinyin": "the pinyin function itself (loads pypinyin once), no data",
    "collation.py:name_key": "a sort key computed from the name text itself (pure)",
    "content/courses.py:_model_cache": "the competency model file, keyed by its path and modification time",
    "drill/graph.py:_dot": "a drill map's SVG keyed by its own dot source text",
    "drill/service.py:_drills": "parsed drill versions keyed by (version id, content hash): a version never changes",
    "drill/service.py:_analyses": "score bounds and best path keyed by (version id, content hash), as _drills",
    "drill/service.py:_claims": "compiled UPDATE statements per set of columns, no data",
    "drill/views.py:_markdown": "a drill text's HTML keyed by the text itself",
    "learn/rendering.py:_rendered": "a lesson's HTML keyed by its content hash and body",
    "quiz/service.py:_built": "a question built from its spec, keyed by the spec's JSON",
    "quiz/questions.py:QUESTION_TYPES": "question classes registered at import",
    "certificates.py:_font_cache": "the CJK font file, loaded once",
    "factory.py:_locales": "babel Locale objects per locale name, no data",
    "forms.py:_merged": "merged WTForms translations per locale, from the compiled catalogue of the release",
    "jobs/runner.py:_KINDS": "job kinds registered at start-up",
    "nav.py:_items": "menu entries registered at start-up",
    "notifications.py:_texts": "notification kinds' text functions registered at start-up",
    "sealing.py:_checks": "sealing checks registered at start-up",
    "extensions.py:domain_instance": "the Babel domain object (translations are looked up per request)",
}

MEMO_DECORATORS = {"lru_cache", "cache", "cached_property"}


def _is_memo(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in MEMO_DECORATORS


def _is_empty_container(node: ast.expr | None) -> bool:
    if isinstance(node, (ast.Dict, ast.List, ast.Set)) and not getattr(node, "keys", getattr(node, "elts", None)):
        return True
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"dict", "list", "set"} and not node.args


def keepers(path: Path) -> list[str]:
    """Names in a module that keep something for the process's lifetime (see the module doc)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(_is_memo(d) for d in node.decorator_list):
            found.append(node.name)
    for node in tree.body:  # module level only
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if value is not None and (_is_empty_container(value) or (isinstance(value, ast.Call) and _is_memo(value.func))):
            found += names
    return found


def test_every_process_memory_in_app_is_reviewed_and_cannot_go_stale():
    found = set()
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative.split("/")[0] in OWNED_ELSEWHERE:
            continue
        found.update(f"{relative}:{name}" for name in keepers(path))
    unreviewed = sorted(found - set(REVIEWED))
    assert not unreviewed, (
        f"kept in process memory, not reviewed: {unreviewed}. Database data goes in the database or a memo "
        "keyed by an immutable version; add it to REVIEWED with the reason it cannot go stale")
    assert sorted(set(REVIEWED) - found) == [], "REVIEWED lists what is no longer there: remove it"


def test_the_scan_finds_a_memoised_database_read_and_a_module_dict(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import functools\n_boards = {}\nseen: dict = dict()\n"
                      "@functools.lru_cache(maxsize=8)\ndef board(cid):\n    return cid\n"
                      "rendered = functools.lru_cache(maxsize=8)(str)\nCONSTANT = {'a': 1}\n", encoding="utf-8")
    assert sorted(keepers(module)) == ["_boards", "board", "rendered", "seen"]
