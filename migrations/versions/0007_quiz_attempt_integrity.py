"""quiz attempts: autosave sequence, attempt numbers per limit period, one open attempt (issue 11)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 15:00:00

- ``attempt_answer.seq``: the sequence number of the last autosave applied (an older one is ignored).
- ``quiz_attempt.period`` and ``attempt_no``: the attempt's number within what the attempt limit
  counts (all attempts, or a daily quiz's local day), unique per person, quiz and period, so
  parallel starts cannot pass the limit.
- ``uq_quiz_attempt_open``: a partial unique index, one open (unsubmitted) attempt per person and quiz.

Existing attempts are numbered in Python (the same on SQLite and PostgreSQL): daily attempts by
their local day (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai unless configured). Should a person hold
two open attempts at one quiz, all but the newest are closed unscored first (submitted at their
start, auto_submitted), so the index can be built.
"""
from collections import defaultdict
from datetime import timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OPEN_ATTEMPT = "submitted_at IS NULL"


def _zone() -> ZoneInfo:
    try:
        from flask import current_app
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    except RuntimeError:  # run outside the app
        return ZoneInfo("Asia/Shanghai")


def _number_existing_attempts() -> None:
    conn = op.get_bind()
    attempts = sa.table("quiz_attempt", sa.column("id", sa.Integer), sa.column("quiz_id", sa.Integer),
                        sa.column("user_id", sa.Integer), sa.column("number", sa.Integer),
                        sa.column("started_at", sa.DateTime), sa.column("submitted_at", sa.DateTime),
                        sa.column("auto_submitted", sa.Boolean),
                        sa.column("period", sa.String), sa.column("attempt_no", sa.Integer))
    quizzes = sa.table("quiz", sa.column("id", sa.Integer), sa.column("kind", sa.String))
    daily = {row.id for row in conn.execute(sa.select(quizzes.c.id).where(quizzes.c.kind == "daily"))}
    zone = _zone()
    rows = conn.execute(sa.select(attempts.c.id, attempts.c.quiz_id, attempts.c.user_id, attempts.c.started_at,
                                  attempts.c.submitted_at)
                        .order_by(attempts.c.user_id, attempts.c.quiz_id, attempts.c.number)).all()
    counts: dict[tuple, int] = defaultdict(int)
    open_ones: dict[tuple, list] = defaultdict(list)
    for row in rows:
        period = ""
        if row.quiz_id in daily and row.started_at is not None:
            started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=timezone.utc)
            period = started.astimezone(zone).date().isoformat()
        counts[(row.user_id, row.quiz_id, period)] += 1
        conn.execute(attempts.update().where(attempts.c.id == row.id)
                     .values(period=period, attempt_no=counts[(row.user_id, row.quiz_id, period)]))
        if row.submitted_at is None:
            open_ones[(row.user_id, row.quiz_id)].append(row)
    for extra in (row for rows_ in open_ones.values() for row in rows_[:-1]):
        conn.execute(attempts.update().where(attempts.c.id == extra.id)
                     .values(submitted_at=extra.started_at, auto_submitted=True))


def upgrade():
    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('attempt_no', sa.Integer(), nullable=True))

    _number_existing_attempts()

    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.alter_column('attempt_no', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_quiz_attempt_user_id_quiz_id_period_attempt_no'),
                                          ['user_id', 'quiz_id', 'period', 'attempt_no'])
        batch_op.create_index('uq_quiz_attempt_open', ['user_id', 'quiz_id'], unique=True,
                              sqlite_where=sa.text(OPEN_ATTEMPT), postgresql_where=sa.text(OPEN_ATTEMPT))


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index('uq_quiz_attempt_open')
        batch_op.drop_constraint(batch_op.f('uq_quiz_attempt_user_id_quiz_id_period_attempt_no'), type_='unique')
        batch_op.drop_column('attempt_no')
        batch_op.drop_column('period')

    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        batch_op.drop_column('seq')
