"""One search index for every process: two separate app processes (as gunicorn workers would be) on the
test database rank a question the same, and both see a change another process made (an entry leaving
the library) at their next search, through the stamp in ``kb_index_state``."""

from sqlalchemy import select

from app.extensions import db
from app.kb import index
from app.models import KbEntry
from tests.processes import AppProcess
from tests.views.kb_support import kb, kb_knowledge  # noqa: F401  (fixtures)


#: A process of the app that answers one search per line of input with the keys it ranks first.
WORKER = """
import json, sys
from app import create_app
from app.kb import index
app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    from app.kb.search import default_segmenter
    default_segmenter().load()
    print("ready", flush=True)
    for line in sys.stdin:
        found = index.current()
        print(json.dumps([hit.document.key for hit in found.search(line.strip(), limit=5)]), flush=True)
        from app.extensions import db
        db.session.remove()
"""


class Worker(AppProcess):
    def __init__(self, url: str):
        super().__init__(WORKER, url)

    def search(self, question: str) -> list[str]:
        return self.ask(question)


def test_two_processes_rank_alike_and_both_see_a_change(app, kb, database_url):
    questions = ("楼道里闻到燃气味怎么办", "低保怎么申请", "医宝咋交")
    first, second = Worker(database_url), Worker(database_url)
    try:
        here = index.current()
        for question in questions:
            expected = [hit.document.key for hit in here.search(question, limit=5)]
            assert first.search(question) == second.search(question) == expected, question
        assert "faq:gas-smell" in first.search("楼道里闻到燃气味怎么办")

        entry = db.session.scalar(select(KbEntry).where(KbEntry.slug == "gas-smell"))
        entry.active = False
        index.put_entry(entry)                 # what an organizer's change does in a third process
        db.session.commit()

        assert "faq:gas-smell" not in first.search("楼道里闻到燃气味怎么办")
        assert first.search("楼道里闻到燃气味怎么办") == second.search("楼道里闻到燃气味怎么办")
    finally:
        first.stop()
        second.stop()
