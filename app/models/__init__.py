"""SQLAlchemy models, one module per domain; imported here so Alembic sees every table."""
from .area import LEVELS, Area
from .audit import AuditRecord, AuditRecordImmutable
from .compete import (
    Bracket, Certificate, Competition, CompetitionRound, Entry, JudgeScore, JudgeSwap, LeaderboardCache, RoundJudge,
    RoundResult,
)
from .course import TIERS, ContentSync, Course, CourseAssignment, Lesson, LessonProgress
from .drill import DrillAttempt, DrillStep, DrillVersion
from .evidence import EvidenceRecord, IndicatorSums, IndicatorSumsState
from .job import JOB_STATUSES, Job
from .login import LoginFailure
from .reset import RESET_STATUSES, PasswordResetRequest
from .kb import CaseComment, CaseSubmission, KbDocument, KbEntry, KbIndexState, KbQuestion
from .mentor import DrillComment, JointVisit, Mentorship, MentorshipEvent, Notification, Observation
from .roster import RosterImport, RosterImportRow
from .quiz import AttemptAnswer, Question, QuestionBank, Quiz, QuizAttempt, WrongAnswer
from .train import (
    ClassAttendance, ClassDrill, ClassDrillVote, ClassEnrolment, ClassSession, LeaveRequest, SessionRating, TrainingClass,
)
from .xapi import XapiOutbox
from .user import MANAGER_ROLES, ROLES, User, UserRole

__all__ = [
    "JOB_STATUSES", "Job", "RosterImport", "RosterImportRow",
    "ClassAttendance", "ClassDrill", "ClassDrillVote", "ClassEnrolment", "ClassSession", "LeaveRequest", "SessionRating", "TrainingClass",
    "LEVELS", "Area", "AuditRecord", "AuditRecordImmutable", "Bracket", "Certificate", "Competition", "CompetitionRound", "Entry", "JudgeScore", "JudgeSwap",
    "LeaderboardCache", "RoundJudge",
    "RoundResult", "TIERS", "ContentSync", "Course", "CourseAssignment", "Lesson",
    "LessonProgress", "DrillAttempt", "DrillStep", "DrillVersion", "EvidenceRecord", "IndicatorSums", "IndicatorSumsState",
    "DrillComment", "JointVisit", "Mentorship", "MentorshipEvent", "Notification", "Observation", "XapiOutbox",
    "CaseComment", "CaseSubmission", "KbDocument", "KbEntry", "KbIndexState", "KbQuestion", "LoginFailure",
    "PasswordResetRequest", "RESET_STATUSES",
    "AttemptAnswer", "Question", "QuestionBank", "Quiz", "QuizAttempt", "WrongAnswer", "MANAGER_ROLES", "ROLES", "User", "UserRole",
]
