"""training classes (培训班): classes, timetable sessions, enrolment with a waiting list, attendance
(QR sign-in/out or by hand), leave requests and ratings (issue 17)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 16:35:52.274565

"""
from alembic import op
import sqlalchemy as sa

import app.models.base  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('min_attendance', sa.Float(), nullable=False),
    sa.Column('final_quiz_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("tier IN ('onboarding', 'annual', 'topical')", name=op.f('ck_training_class_tier')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_training_class_capacity')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_class_dates')),
    sa.CheckConstraint('min_attendance > 0 AND min_attendance <= 1', name=op.f('ck_training_class_min_attendance')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_training_class_area_id_area')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_training_class_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['final_quiz_id'], ['quiz.id'], name=op.f('fk_training_class_final_quiz_id_quiz'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_class'))
    )
    with op.batch_alter_table('training_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_class_area_id'), ['area_id'], unique=False)

    op.create_table('class_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('placed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('certificate_serial', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('enrolled', 'waiting')", name=op.f('ck_class_enrolment_status')),
    sa.ForeignKeyConstraint(['class_id'], ['training_class.id'], name=op.f('fk_class_enrolment_class_id_training_class'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_enrolment_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_enrolment')),
    sa.UniqueConstraint('certificate_serial', name=op.f('uq_class_enrolment_certificate_serial')),
    sa.UniqueConstraint('class_id', 'user_id', name=op.f('uq_class_enrolment_class_id_user_id'))
    )
    with op.batch_alter_table('class_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_enrolment_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_enrolment_user_id'), ['user_id'], unique=False)

    op.create_table('class_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('starts_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('instructor_id', sa.Integer(), nullable=True),
    sa.Column('instructor_name', sa.String(length=64), nullable=False),
    sa.Column('instructor_unit', sa.String(length=100), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('requires_sign_out', sa.Boolean(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('drill_slug', sa.String(length=64), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_class_session_times')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_class_session_hours')),
    sa.ForeignKeyConstraint(['class_id'], ['training_class.id'], name=op.f('fk_class_session_class_id_training_class'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_class_session_course_id_course'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instructor_id'], ['user.id'], name=op.f('fk_class_session_instructor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_class_session_quiz_id_quiz'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_session'))
    )
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_session_class_id'), ['class_id'], unique=False)

    op.create_table('class_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('signed_in_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_out_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late_minutes', sa.Integer(), nullable=False),
    sa.Column('early_minutes', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('qr', 'manual')", name=op.f('ck_class_attendance_method')),
    sa.CheckConstraint("status IN ('present', 'absent')", name=op.f('ck_class_attendance_status')),
    sa.CheckConstraint('hours >= 0', name=op.f('ck_class_attendance_hours')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name=op.f('fk_class_attendance_marked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_attendance_session_id_class_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_attendance_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_class_attendance_session_id_user_id'))
    )
    with op.batch_alter_table('class_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('class_leave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_class_leave_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_class_leave_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_leave_session_id_class_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_leave_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_leave')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_class_leave_session_id_user_id'))
    )
    with op.batch_alter_table('class_leave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_leave_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_leave_user_id'), ['user_id'], unique=False)

    op.create_table('class_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_score', sa.Integer(), nullable=False),
    sa.Column('instructor_score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('instructor_score BETWEEN 1 AND 5', name=op.f('ck_class_rating_instructor_score')),
    sa.CheckConstraint('session_score BETWEEN 1 AND 5', name=op.f('ck_class_rating_session_score')),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_rating_session_id_class_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_rating_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_rating')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_class_rating_session_id_user_id'))
    )
    with op.batch_alter_table('class_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_rating_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_rating_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('class_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_rating_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_rating_session_id'))

    op.drop_table('class_rating')
    with op.batch_alter_table('class_leave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_leave_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_leave_session_id'))

    op.drop_table('class_leave')
    with op.batch_alter_table('class_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_attendance_session_id'))

    op.drop_table('class_attendance')
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_session_class_id'))

    op.drop_table('class_session')
    with op.batch_alter_table('class_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_enrolment_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_enrolment_class_id'))

    op.drop_table('class_enrolment')
    with op.batch_alter_table('training_class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_class_area_id'))

    op.drop_table('training_class')
