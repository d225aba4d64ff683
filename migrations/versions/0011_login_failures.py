"""failed logins, for throttling logins per account and per address across processes (issue 13)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 15:00:00
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))
        batch_op.drop_index(batch_op.f('ix_login_failure_address'))
        batch_op.drop_index(batch_op.f('ix_login_failure_account'))

    op.drop_table('login_failure')
