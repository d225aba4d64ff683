"""The pure cores load alone: imported in a fresh interpreter, a core loads neither Flask, SQLAlchemy
nor ``app.models``, so it can be used (and tested) without the web app or a database.

The cores are ``CORES`` below together with every ``app.x.y`` module named in the bullet items of
the README section headed "pure cores" (when there is one). Each core is imported alone in its own
process, forked from a fresh interpreter before it loads anything but the standard library; all at once.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

CORES = (
    "app.drill.engine", "app.drill.checker", "app.drill.graph", "app.drill.tokens",
    "app.quiz.questions", "app.quiz.gift", "app.quiz.aiken", "app.quiz.draw", "app.quiz.stats", "app.quiz.cues", "app.quiz.tokens",
    "app.quiz.interop", "app.quiz.textformat", "app.quiz.giftwriter", "app.quiz.moodle_xml",
    "app.learn.reading",
    "app.profile.scoring", "app.profile.recommend", "app.profile.xapi", "app.profile.charts",
    "app.mentor.pairing", "app.mentor.rules",
    "app.compete.rules",
    "app.kb.terms", "app.kb.search", "app.kb.assistant", "app.kb.checker",
    "app.content.laws",
)

#: Run in a fresh interpreter with the cores as arguments: it forks one child per core, all at once, before
#: anything but the standard library is loaded; each child imports its core and reports (as JSON) the
#: forbidden modules then loaded and the chain of ``app`` modules that imported the first of them.
PROBE = """\
import json, os, sys, traceback

def forbidden(m):
    return (m == 'flask' or m.startswith('flask.') or m.startswith('flask_') or m == 'sqlalchemy'
            or m.startswith('sqlalchemy.') or m == 'app.models' or m.startswith('app.models.'))

class Witness:
    chain = None

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if cls.chain is None and forbidden(name):
            frame, names = sys._getframe(1), []
            while frame:
                module = frame.f_globals.get('__name__', '')
                if (module == 'app' or module.startswith('app.')) and module not in names:
                    names.append(module)
                frame = frame.f_back
            cls.chain = names[::-1] + [name]
        return None

def probe(core):
    sys.meta_path.insert(0, Witness)
    try:
        __import__(core)
    except BaseException:
        return {'error': traceback.format_exc()}
    return {'loaded': sorted(m for m in sys.modules if forbidden(m)), 'chain': Witness.chain}

children = {}
for core in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        with os.fdopen(write, 'w') as out:
            json.dump(probe(core), out)
        os._exit(0)
    os.close(write)
    children[core] = (pid, os.fdopen(read))
results = {}
for core, (pid, pipe) in children.items():
    text = pipe.read()
    os.waitpid(pid, 0)
    results[core] = json.loads(text) if text else {'error': 'the child died without an answer'}
print(json.dumps(results))
"""


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_MODULE = re.compile(r"\bapp(?:\.[A-Za-z_]\w*)+")
_PATH = re.compile(r"\bapp(?:/[A-Za-z_]\w*)+\.py\b")


def readme_cores(text: str) -> set[str]:
    """The ``app.x.y`` modules (or ``app/x/y.py`` paths) in the bullet items (with their continuation lines)
    of each section whose heading says "pure cores", up to the next heading of the same or a higher level."""
    found: set[str] = set()
    lines = text.splitlines()
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if not heading or "pure cores" not in line.lower():
            continue
        in_item = False
        for item in lines[index + 1:]:
            other = _HEADING.match(item)
            if other and len(other.group(1)) <= len(heading.group(1)):
                break
            if _BULLET.match(item):
                in_item = True
            elif item.strip() and not item[0].isspace():
                in_item = False  # a paragraph, not an item's continuation line
            if in_item:
                found |= {m for m in _MODULE.findall(item) if not m.endswith(".py")}
                found |= {p.removesuffix(".py").replace("/", ".") for p in _PATH.findall(item)}
    return {m for m in found if m != "app.models" and not m.startswith("app.models.")}


def all_cores() -> list[str]:
    listed = readme_cores(README.read_text(encoding="utf-8")) if README.exists() else set()
    return sorted(set(CORES) | listed)


@cache
def probe_all() -> dict[str, dict]:
    """Import each core alone (see PROBE): core → {"loaded": [...], "chain": [...]} or {"error": traceback}."""
    done = subprocess.run([sys.executable, "-c", PROBE, *all_cores()], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"the purity probe failed:\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("core", all_cores())
def test_core_loads_neither_flask_nor_the_database(core):
    result = probe_all()[core]
    assert "error" not in result, f"importing {core} alone failed:\n{result.get('error')}"
    loaded = result["loaded"]
    roots = sorted({name.split(".")[0] if not name.startswith("app.models") else "app.models" for name in loaded})
    assert loaded == [], (
        f"importing {core} alone loaded {', '.join(roots)} ({len(loaded)} modules), first through "
        f"{' -> '.join(result['chain'] or ['?'])}. A pure core must not load flask, sqlalchemy or app.models, "
        "not even through a package __init__.py")


@pytest.mark.parametrize("core", all_cores())
def test_core_has_a_docstring(core):
    path = ROOT.joinpath(*core.split(".")).with_suffix(".py")
    assert path.exists(), f"{core} is listed as a pure core but {path.relative_to(ROOT)} does not exist"
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{core} has no module docstring"


def test_readme_section_is_read():
    text = """# X\n\n## Layout\n\nThe pure cores: app.not.this\n\n### Pure cores\n\nThey load alone (app.not.this).\n
- `app.drill.engine`: drills\n- `app/quiz/gift.py` and\n  app.quiz.aiken, never app.models\n\nAbout app.not.this.\n
#### Drills\n\n- app.drill.graph\n\n### Other\n\n- app.web\n"""
    assert readme_cores(text) == {"app.drill.engine", "app.quiz.gift", "app.quiz.aiken", "app.drill.graph"}
    assert readme_cores("# Nothing here\n- app.x.y\n") == set()


def test_readme_lists_every_core():
    """The README's list, when there is one, names every core of CORES (the test reads both)."""
    listed = readme_cores(README.read_text(encoding="utf-8"))
    assert not listed or set(CORES) <= listed, f"add to the README's pure cores: {sorted(set(CORES) - listed)}"
