"""Entry point for ``flask`` and gunicorn: ``gunicorn wsgi:app``. Config from $GRIDACADEMY_CONFIG."""
from app import create_app

app = create_app()
