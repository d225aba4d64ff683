"""leaderboard cache: the board as last computed per competition and variant, shared by every app
process, and the competition's board version every write that changes the board raises (issue 14 item 5)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE ADD COLUMN on both databases: a batch (copy and move) on SQLite would drop the
    # old competition table, and with foreign keys on that cascades to every round, entry and result.
    op.add_column('competition', sa.Column('board_version', sa.Integer(), server_default=sa.text('0'), nullable=False))

    op.create_table('leaderboard_cache',
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('board', sa.JSON(), nullable=False),
    sa.Column('computed_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("variant IN ('live', 'frozen')", name=op.f('ck_leaderboard_cache_variant')),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], name=op.f('fk_leaderboard_cache_competition_id_competition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('competition_id', 'variant', name=op.f('pk_leaderboard_cache'))
    )


def downgrade():
    op.drop_table('leaderboard_cache')
    op.drop_column('competition', 'board_version')  # ALTER TABLE DROP COLUMN (SQLite ≥ 3.35, PostgreSQL)
