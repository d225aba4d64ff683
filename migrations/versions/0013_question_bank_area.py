"""question bank area: an imported bank belongs to the importer's area (issue 13)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 15:30:00

``question_bank.area_id`` is the area node of the organizer who imported the bank: visible at and
below that node, editable only at it. NULL for shipped banks (from ``questions/``): global and
read-only to organizers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_bank', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_question_bank_area_id'), ['area_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_question_bank_area_id_area'), 'area', ['area_id'], ['id'])


def downgrade():
    with op.batch_alter_table('question_bank', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_bank_area_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_question_bank_area_id'))
        batch_op.drop_column('area_id')
