"""A savepoint is part of the request's transaction on both databases: what it wrote goes when the
transaction rolls back (on SQLite a savepoint after nothing but reads used to run outside any
transaction, and its RELEASE committed)."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Area


def test_a_savepoint_after_reads_rolls_back_with_the_transaction(app, areas):
    before = db.session.scalar(select(func.count(Area.id)))  # only reads so far
    with db.session.begin_nested():
        db.session.add(Area(name="临时网格", level="grid", parent_id=areas["xingfu"].id, path=""))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Area.id))) == before


def test_a_savepoint_still_commits_with_the_transaction(app, areas):
    before = db.session.scalar(select(func.count(Area.id)))
    with db.session.begin_nested():
        db.session.add(Area(name="新网格", level="grid", parent_id=areas["xingfu"].id, path=""))
    db.session.commit()
    assert db.session.scalar(select(func.count(Area.id))) == before + 1
