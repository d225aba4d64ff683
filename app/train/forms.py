"""Forms of training classes. Views read them without ``validate()``: the service checks every value
and names the field that is wrong (``FieldRefusal``), which the page shows beside it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, StringField, TextAreaField

from ..forms import EnrolPeopleForm, FiniteFloatField, IdField
from .service import ClassFields, SessionFields


class ClassForm(FlaskForm):
    title = StringField(_l("Title"))
    tier = StringField(_l("Tier (the hours count towards)"), default="annual")
    area = IdField(_l("Area"))
    place = StringField(_l("Place"))
    starts_on = DateField(_l("First day"))
    ends_on = DateField(_l("Last day"))
    capacity = IdField(_l("Places"), default=40)
    min_attendance = FiniteFloatField(_l("Attendance needed to complete (%)"), default=80)
    final_quiz = IdField(_l("Final quiz (optional)"))
    description = TextAreaField(_l("Description"))

    def fields(self) -> ClassFields:
        return ClassFields(title=self.title.data or "", tier=self.tier.data or "", area_id=self.area.data,
                           place=self.place.data or "", starts_on=self.starts_on.data, ends_on=self.ends_on.data,
                           capacity=self.capacity.data, min_attendance_percent=self.min_attendance.data,
                           final_quiz_id=self.final_quiz.data, description=self.description.data or "")


class SessionForm(FlaskForm):
    topic = StringField(_l("Topic"))
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M")
    room = StringField(_l("Room"))
    hours = FiniteFloatField(_l("Credit hours"))
    instructor = IdField(_l("Instructor with an account"))
    instructor_name = StringField(_l("or an external expert's name"))
    instructor_unit = StringField(_l("and unit"))
    requires_sign_out = BooleanField(_l("Attendees must also sign out"))
    course = IdField(_l("Linked course (optional)"))
    quiz = IdField(_l("Linked quiz (optional)"))
    drill_slug = StringField(_l("Linked drill (optional)"))

    def fields(self) -> SessionFields:
        return SessionFields(topic=self.topic.data or "", starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                             room=self.room.data or "", hours=self.hours.data, instructor_id=self.instructor.data,
                             instructor_name=self.instructor_name.data or "",
                             instructor_unit=self.instructor_unit.data or "",
                             requires_sign_out=bool(self.requires_sign_out.data), course_id=self.course.data,
                             quiz_id=self.quiz.data, drill_slug=self.drill_slug.data or "")


class EnrolForm(EnrolPeopleForm):
    """Enrol people in a class."""


class MarkForm(FlaskForm):
    user = IdField()
    present = StringField()    # "1" present, "0" absent
    reason = StringField(_l("Reason"))


class LeaveForm(FlaskForm):
    reason = StringField(_l("Reason for leave"))


class DecideForm(FlaskForm):
    decision = StringField()   # approve / refuse


class RatingForm(FlaskForm):
    session_score = IdField(_l("The session"))
    instructor_score = IdField(_l("The instructor"))
    comment = TextAreaField(_l("Comment (optional)"))


class EmptyForm(FlaskForm):
    """A POST with only its CSRF token."""
