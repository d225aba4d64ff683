"""lesson reading time and lesson checks (issue 11)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:00:00

A lesson's hours are credited only after the server has seen it open for its minimum reading time
and the learner passed its lesson check. ``lesson_reading`` holds, per person and lesson, the first
opening (the reading clock) and the check questions drawn; ``lesson_progress`` gains how the hours
were earned: reading seconds and the check result (empty on records made before this revision).
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lesson_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('draw', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('drawn_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('failed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('wrong', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_lesson_reading_lesson_id_lesson'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lesson_reading_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_reading')),
    sa.UniqueConstraint('user_id', 'lesson_id', name=op.f('uq_lesson_reading_user_id_lesson_id'))
    )
    with op.batch_alter_table('lesson_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_reading_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_reading_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_right', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_asked', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_tries', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('check_tries')
        batch_op.drop_column('check_asked')
        batch_op.drop_column('check_right')
        batch_op.drop_column('reading_seconds')

    with op.batch_alter_table('lesson_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_reading_user_id'))
        batch_op.drop_index(batch_op.f('ix_lesson_reading_lesson_id'))

    op.drop_table('lesson_reading')
