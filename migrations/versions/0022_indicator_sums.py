"""indicator sums: per person × indicator the decayed sums the scoring rule needs, kept by the evidence
hub, so cohort views read O(people × indicators) numbers instead of every evidence row (issue 14 item 4)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 20:20:00

The table starts empty and ``indicator_sums_state`` without a row: the first cohort view (or
``flask evidence rebuild-sums``) builds the sums from the evidence rows with the configured half-life.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicator_sums',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('weight_sum', sa.Float(), nullable=False),
    sa.Column('score_sum', sa.Float(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('sources', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.String(length=400), nullable=False),
    sa.Column('latest_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_indicator_sums_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'indicator', name=op.f('pk_indicator_sums'))
    )
    with op.batch_alter_table('indicator_sums', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_sums_latest_at'), ['latest_at'], unique=False)

    op.create_table('indicator_sums_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('half_life_days', sa.Float(), nullable=True),
    sa.Column('epoch', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('built_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_sums_state'))
    )
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_record_user_indicator_ref', ['user_id', 'indicator', 'source_ref'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_record_user_indicator_ref')
    op.drop_table('indicator_sums_state')
    with op.batch_alter_table('indicator_sums', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_sums_latest_at'))
    op.drop_table('indicator_sums')
