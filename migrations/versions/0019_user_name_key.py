"""user name key: people sort by pinyin on either database (issue 15 item 2)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 17:25:00

``user.name_key`` holds ``app.collation.name_key(name, numbers=False)`` (冯雪 → "feng2 xue3"), set by
the model whenever the name changes; lists order by it, then by the name.
"""
from alembic import op
import sqlalchemy as sa

from app.collation import name_key

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=255), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_user_name_key'), ['name_key'], unique=False)
    conn = op.get_bind()
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('name_key', sa.String))
    rows = conn.execute(sa.select(user.c.id, user.c.name)).all()
    for user_id, name in rows:
        conn.execute(user.update().where(user.c.id == user_id).values(name_key=name_key(name or "", numbers=False)))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_name_key'))
        batch_op.drop_column('name_key')
