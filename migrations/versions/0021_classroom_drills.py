"""classroom drills (课堂演练): a training session walks a scenario drill together, each attendee choosing on
their phone (issue 17 item 4)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 17:03:29.054158

"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('class_drill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('drill_version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'finished')", name=op.f('ck_class_drill_status')),
    sa.ForeignKeyConstraint(['drill_version_id'], ['drill_version.id'], name=op.f('fk_class_drill_drill_version_id_drill_version')),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_drill_session_id_class_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_class_drill_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_drill'))
    )
    with op.batch_alter_table('class_drill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_drill_session_id'), ['session_id'], unique=False)

    op.create_table('class_drill_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_drill_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_drill_id'], ['class_drill.id'], name=op.f('fk_class_drill_vote_class_drill_id_class_drill'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_drill_vote_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_drill_vote')),
    sa.UniqueConstraint('class_drill_id', 'step', 'user_id', name=op.f('uq_class_drill_vote_class_drill_id_step_user_id'))
    )
    with op.batch_alter_table('class_drill_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_drill_vote_class_drill_id'), ['class_drill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_drill_vote_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('class_drill_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_drill_vote_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_drill_vote_class_drill_id'))

    op.drop_table('class_drill_vote')
    with op.batch_alter_table('class_drill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_drill_session_id'))

    op.drop_table('class_drill')
