"""competitions: published results, judge swaps, certificate numbers (issue 11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:00:00

Reserved in the chain so work on several features can land in any order; the feature that owns
this revision fills in its schema changes.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
