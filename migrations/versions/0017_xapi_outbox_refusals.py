"""xapi outbox refusals: refused statements, the LRS's status code, revivals after an outage (issue 18)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 16:55:00

``xapi_outbox.status`` may be ``refused`` (the LRS answered 4xx for the statement or the request:
not retried until an admin queues it again), besides pending, sent and failed (every try met an
outage). ``last_status`` keeps the HTTP status of the last unsuccessful try; ``revivals`` counts
how often a failed statement was tried again by itself once the LRS accepted statements again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revivals', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_status', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_xapi_outbox_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_xapi_outbox_status'),
                                         "status IN ('pending', 'sent', 'failed', 'refused')")


def downgrade():
    op.execute("UPDATE xapi_outbox SET status = 'failed' WHERE status = 'refused'")
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_xapi_outbox_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_xapi_outbox_status'), "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_column('last_status')
        batch_op.drop_column('revivals')
