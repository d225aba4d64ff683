"""SQLAlchemy models, one module per domain; imported here so Alembic sees every table."""
from .area import LEVELS, Area
from .course import TIERS, ContentSync, Course, CourseAssignment, Lesson, LessonProgress
from .user import MANAGER_ROLES, ROLES, User, UserRole

__all__ = [
    "LEVELS", "Area", "TIERS", "ContentSync", "Course", "CourseAssignment", "Lesson",
    "LessonProgress", "MANAGER_ROLES", "ROLES", "User", "UserRole",
]
