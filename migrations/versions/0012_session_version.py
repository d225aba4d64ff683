"""session version on user: logout, password change, reset and deactivation end every session (issue 13)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:00:00

``user.session_version`` is copied into the session at login and compared on every request; raising
it ends every session of that person.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
