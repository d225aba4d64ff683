"""competitions: published results, ranking prizes, judge conflicts and swaps, certificate numbers (issue 11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:00:00

- ``competition``: the ranking-prize setting (一等奖/二等奖/三等奖 by count or by share) and what the
  organizer published (``published_at``, ``published_by_id``, the ``results`` snapshot).
- ``judge_score``: the conflicts of interest recorded with a sheet, and ``superseded_at`` when the
  organizer swapped the judge out for that entry.
- ``judge_swap``: one judge replaced by another for one entry.
- ``competition_certificate``: every published certificate as printed, with its readable number
  (unique per series of a year and area).

Batch operations, so SQLite rebuilds the tables it cannot alter in place.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prize_mode', sa.String(length=8), server_default='count', nullable=False))
        batch_op.add_column(sa.Column('prize_first', sa.Float(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('prize_second', sa.Float(), server_default=sa.text('2'), nullable=False))
        batch_op.add_column(sa.Column('prize_third', sa.Float(), server_default=sa.text('3'), nullable=False))
        batch_op.add_column(sa.Column('published_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('results', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_competition_published_by_id_user'), 'user',
                                    ['published_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_competition_prize_mode'), "prize_mode IN ('count', 'share')")

    with op.batch_alter_table('judge_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conflicts', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('superseded_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    op.create_table('judge_swap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('out_judge_id', sa.Integer(), nullable=False),
    sa.Column('in_judge_id', sa.Integer(), nullable=False),
    sa.Column('swapped_by_id', sa.Integer(), nullable=True),
    sa.Column('swapped_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_judge_swap_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['in_judge_id'], ['user.id'], name=op.f('fk_judge_swap_in_judge_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['out_judge_id'], ['user.id'], name=op.f('fk_judge_swap_out_judge_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['competition_round.id'], name=op.f('fk_judge_swap_round_id_competition_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['swapped_by_id'], ['user.id'], name=op.f('fk_judge_swap_swapped_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_swap'))
    )
    with op.batch_alter_table('judge_swap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_swap_round_id'), ['round_id'], unique=False)

    op.create_table('competition_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('award', sa.String(length=32), nullable=False),
    sa.Column('series', sa.String(length=160), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('award', 'participation')", name=op.f('ck_competition_certificate_kind')),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_competition_certificate_competition_id_competition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_competition_certificate_entry_id_entry'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_competition_certificate_number')),
    sa.UniqueConstraint('series', 'sequence', name=op.f('uq_competition_certificate_series_sequence'))
    )
    with op.batch_alter_table('competition_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_certificate_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competition_certificate_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('competition_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_certificate_entry_id'))
        batch_op.drop_index(batch_op.f('ix_competition_certificate_competition_id'))
    op.drop_table('competition_certificate')

    with op.batch_alter_table('judge_swap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_swap_round_id'))
    op.drop_table('judge_swap')

    with op.batch_alter_table('judge_score', schema=None) as batch_op:
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('conflicts')

    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_competition_prize_mode'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_competition_published_by_id_user'), type_='foreignkey')
        batch_op.drop_column('results')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('published_at')
        batch_op.drop_column('prize_third')
        batch_op.drop_column('prize_second')
        batch_op.drop_column('prize_first')
        batch_op.drop_column('prize_mode')
