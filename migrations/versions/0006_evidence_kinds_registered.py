"""evidence kinds come from the evidence hub's registry, not a fixed list in the schema

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:30:00

A new evidence source (an attended class, a wellbeing check ...) is one registration with
``app.evidence``; the hub is the only writer and refuses unregistered kinds, so the CHECK that
listed the six kinds of 2026-11 goes.
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KINDS = ("quiz_answer", "drill_decision", "drill_ending", "mentor_observation", "competition_judging",
         "course_completion")


def upgrade():
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_evidence_record_source_kind'), type_='check')


def downgrade():
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_evidence_record_source_kind'), f"source_kind IN ({kinds})")
