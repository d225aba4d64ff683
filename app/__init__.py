"""GridAcademy (网格学院).

Importing this package loads nothing else, so a pure core (``app.drill.engine``, ``app.quiz.stats``
...) imported alone never pulls in Flask or the database. ``from app import create_app`` still works:
the name is looked up in ``app.factory`` when first asked for.
"""


def __getattr__(name: str):
    if name in ("create_app", "ConfigError"):
        from . import factory

        return getattr(factory, name)
    raise AttributeError(f"module 'app' has no attribute {name!r}")
