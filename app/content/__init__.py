"""Content as code: loading, checking and syncing the files under ``courses/`` and ``scenarios/``."""
