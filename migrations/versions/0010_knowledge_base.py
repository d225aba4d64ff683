"""knowledge base: entries, cases written in the app and their review, the assistant's questions, the
search index and its version stamp (issue 16)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 14:00:00

``kb_entry`` holds the library (FAQ entries and cases from ``knowledge/``, promoted answers, approved
field cases); ``kb_case_submission`` and ``kb_case_comment`` a worker's case and its review;
``kb_question`` what was asked of the assistant and its hand-off to a person; ``kb_document`` the
segmented search index every process ranks from, and ``kb_index_state`` its version stamp.
"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('gate', sa.String(length=64), nullable=False),
    sa.Column('title_tokens', sa.Text(), nullable=False),
    sa.Column('body_tokens', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_document')),
    sa.UniqueConstraint('key', name=op.f('uq_kb_document_key'))
    )
    op.create_table('kb_index_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('built_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_index_state'))
    )
    op.create_table('kb_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('phrasings', sa.JSON(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('laws', sa.JSON(), nullable=False),
    sa.Column('local_rules', sa.Boolean(), nullable=False),
    sa.Column('lessons', sa.JSON(), nullable=False),
    sa.Column('drills', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('faq', 'case')", name=op.f('ck_kb_entry_kind')),
    sa.CheckConstraint("origin IN ('file', 'promoted', 'field')", name=op.f('ck_kb_entry_origin')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_kb_entry_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_entry')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_entry_slug'))
    )
    op.create_table('kb_case_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('lessons_learned', sa.Text(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'changes_requested', 'approved')", name=op.f('ck_kb_case_submission_status')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_kb_case_submission_author_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['kb_entry.id'], name=op.f('fk_kb_case_submission_entry_id_kb_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_kb_case_submission_reviewer_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_case_submission'))
    )
    with op.batch_alter_table('kb_case_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_case_submission_author_id'), ['author_id'], unique=False)

    op.create_table('kb_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('llm', sa.Boolean(), nullable=False),
    sa.Column('local_rules', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('replied_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('promoted_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('answered', 'unsure', 'waiting', 'replied')", name=op.f('ck_kb_question_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_kb_question_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['promoted_entry_id'], ['kb_entry.id'], name=op.f('fk_kb_question_promoted_entry_id_kb_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user.id'], name=op.f('fk_kb_question_replied_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kb_question_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_question'))
    )
    with op.batch_alter_table('kb_question', schema=None) as batch_op:
        batch_op.create_index('ix_kb_question_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_question_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_question_user_id'), ['user_id'], unique=False)

    op.create_table('kb_case_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('comment', 'changes', 'approve', 'submit')", name=op.f('ck_kb_case_comment_action')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_kb_case_comment_author_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['kb_case_submission.id'], name=op.f('fk_kb_case_comment_submission_id_kb_case_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_case_comment'))
    )
    with op.batch_alter_table('kb_case_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_case_comment_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('kb_case_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_case_comment_submission_id'))

    op.drop_table('kb_case_comment')
    with op.batch_alter_table('kb_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_question_user_id'))
        batch_op.drop_index(batch_op.f('ix_kb_question_created_at'))
        batch_op.drop_index('ix_kb_question_assignee_status')

    op.drop_table('kb_question')
    with op.batch_alter_table('kb_case_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_case_submission_author_id'))

    op.drop_table('kb_case_submission')
    op.drop_table('kb_entry')
    op.drop_table('kb_index_state')
    op.drop_table('kb_document')
