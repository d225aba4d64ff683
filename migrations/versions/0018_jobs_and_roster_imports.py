"""jobs and roster imports: a database-backed job queue and roster imports run by it (issue 13 item 4)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 17:10:00

``job`` is the queue of background work (``flask jobs work``; claimed with a conditional UPDATE, the
heartbeat in ``claimed_at``). ``roster_import`` holds an uploaded roster's rows until its job has run,
and who downloaded its password slips; ``roster_import_row`` the outcome of each line, with the
one-time password sealed until the slips are downloaded.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('claimed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_job_created_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)

    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('slips_downloaded_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('slips_downloaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_roster_import_area_id_area')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_roster_import_created_by_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_roster_import_job_id_job'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slips_downloaded_by_id'], ['user.id'],
                            name=op.f('fk_roster_import_slips_downloaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import')),
    sa.UniqueConstraint('job_id', name=op.f('uq_roster_import_job_id'))
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_import_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('roster_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('worker_number', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('area_label', sa.Text(), nullable=False),
    sa.Column('created_areas', sa.JSON(), nullable=False),
    sa.Column('messages', sa.JSON(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'], name=op.f('fk_roster_import_row_import_id_roster_import'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_roster_import_row_user_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import_row')),
    sa.UniqueConstraint('import_id', 'line', name=op.f('uq_roster_import_row_import_id_line'))
    )
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_row_import_id'), ['import_id'], unique=False)


def downgrade():
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_import_row_import_id'))
    op.drop_table('roster_import_row')
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_import_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_roster_import_area_id'))
    op.drop_table('roster_import')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_created_by_id'))
    op.drop_table('job')
