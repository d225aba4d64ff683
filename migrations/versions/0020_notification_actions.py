"""notification actions: a subject for notifications that ask for an action, and when it was handled (issue 15 item 6)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 17:05:00
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('handled_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_subject'), ['subject'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_subject'))
        batch_op.drop_column('handled_at')
        batch_op.drop_column('subject')
