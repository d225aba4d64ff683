"""Ralph 5.1's file-system LRS backend, appending: the stock backend writes each POST with the
"create" operation, which refuses an existing file, so only the first POST is ever stored (the next
ones get HTTP 500 "Statements bulk indexation failed"). This subclass appends to the file instead.

Runs inside the separate virtual environment that holds Ralph (.venv-ralph, see Makefile): Ralph's
dependency pins (click < 8.2.1, FastAPI, pydantic) are not the app's.
"""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


class AppendingFSLRSBackend(FSLRSBackend):
    """Every write appends to the LRS file (created by the first one)."""

    def write(self, data, target=None, chunk_size=None, ignore_errors=False, operation_type=None):
        return super().write(data, target, chunk_size, ignore_errors, operation_type or BaseOperationType.APPEND)
