"""password reset requests: 忘记密码 confirmed by an organizer with a one-time code (issue 13 item 1)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 16:50:00

``password_reset_request`` holds each request from asking to the new password or a refusal; the code
is stored hashed. ``open_user_id`` (unique, NULL once closed) allows one open request per person.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('open_user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('phone_matches', sa.Boolean(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('requested_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_hash', sa.String(length=255), nullable=True),
    sa.Column('code_expires_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                            name=op.f('fk_password_reset_request_decided_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_reset_request_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_request')),
    sa.UniqueConstraint('open_user_id', name=op.f('uq_password_reset_request_open_user_id'))
    )
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_request_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_reset_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_reset_request_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_password_reset_request_status'))
        batch_op.drop_index(batch_op.f('ix_password_reset_request_requested_at'))

    op.drop_table('password_reset_request')
