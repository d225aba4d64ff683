"""The audit trail (工作留痕): every change an organizer, an admin or the system makes is recorded.

One call beside the change, in the same transaction (the caller commits; a rolled-back change
leaves no record)::

    audit.record(actor, "person.edit", user, before={"phone": old}, after={"phone": new})

- ``actor``: the person acting (``current_user`` or a ``User``), or ``None`` for the system
  (``flask content sync``, CLI imports);
- ``action``: a code from ``ACTIONS`` (features may add theirs with ``register_action``);
- ``target``: a model instance (``User``, ``Area``, ``Mentorship``, ``Competition``,
  ``CompetitionRound``, ``QuestionBank``, ``Course``, ``Quiz``) or a ``Target(kind, id, label)``;
- ``before``/``after``: the changed fields only, as a person reads them (names, not ids); equal
  keys are dropped, and a change that changes nothing is not recorded;
- ``area``: the area the change belongs to (its path is stored, so records can be scoped by subtree
  like every other list); by default the target's area when it has one, else the actor's.

Admins read the records on ``/audit`` (``app.auditlog``), filtered, and export them to Excel.

Records are never changed or deleted in the app: ``app.models.audit`` refuses it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .extensions import db
from .labels import KB_CATEGORY_NAMES, ROLE_NAMES, ROUND_KINDS, STATUS_NAMES
from .models.audit import AuditRecord


@dataclass(frozen=True)
class Target:
    """What a change was made to: a kind from ``TARGET_KINDS``, an id and what a person reads."""

    kind: str
    id: Any = ""
    label: str = ""


#: What can be changed, by code; ``register_action`` adds more.
ACTIONS: dict[str, Any] = {
    "person.create": _l("Person created"),
    "person.edit": _l("Person edited"),
    "person.roles": _l("Roles changed"),
    "person.move": _l("Moved to another area"),
    "person.deactivate": _l("Account deactivated"),
    "person.activate": _l("Account reactivated"),
    "person.import": _l("Roster imported"),
    "password.reset": _l("Password reset"),
    "area.create": _l("Area created"),
    "area.rename": _l("Area renamed"),
    "area.delete": _l("Area deleted"),
    "pairing.create": _l("Mentor pairing created"),
    "pairing.end": _l("Mentor pairing ended"),
    "pairing.extend": _l("Mentor pairing extended"),
    "pairing.confirm": _l("Independence confirmed"),
    "assignment.create": _l("Course required"),
    "assignment.delete": _l("Course requirement withdrawn"),
    "competition.create": _l("Competition created"),
    "competition.edit": _l("Competition edited"),
    "competition.enrol": _l("Contestants enrolled"),
    "round.create": _l("Round created"),
    "round.edit": _l("Round edited"),
    "round.delete": _l("Round deleted"),
    "judge.assign": _l("Judges assigned"),
    "judge.swap": _l("Judge replaced"),
    "score.enter": _l("Score entered"),
    "score.change": _l("Score changed"),
    "results.publish": _l("Results published"),
    "bank.import": _l("Question bank imported"),
    "content.sync": _l("Content synced"),
    "kb.promote": _l("Answer promoted to the FAQ"),
    "case.approve": _l("Field case approved into the library"),
}

#: What a change can be made to, by kind; ``register_target`` adds more.
TARGET_KINDS: dict[str, Any] = {
    "person": _l("Person"),
    "area": _l("Area"),
    "pairing": _l("Mentor pairing"),
    "assignment": _l("Course requirement"),
    "course": _l("Course"),
    "quiz": _l("Quiz"),
    "competition": _l("Competition"),
    "round": _l("Competition round"),
    "bank": _l("Question bank"),
    "content": _l("Content"),
    "roster": _l("Roster"),
    "kb_entry": _l("Knowledge base entry"),
}

#: The two ways of handing out ranking prizes (``app.compete.rules.PRIZE_MODES``).
PRIZE_MODES = {"count": _l("by number of places"), "share": _l("by share of contestants")}

#: What a person reads for a field name in before/after; ``register_field`` adds more.
FIELD_LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "username": _l("Login name"),
    "worker_number": _l("Worker number"),
    "phone": _l("Phone"),
    "area": _l("Area"),
    "hire_date": _l("Hire date"),
    "roles": _l("Roles"),
    "active": _l("Account active"),
    "mentor_capacity": _l("Mentees at most"),
    "password": _l("Password"),
    "must_change_password": _l("Must change password at next login"),
    "level": _l("Level"),
    "parent": _l("Parent area"),
    "mentor": _l("Mentor"),
    "mentee": _l("Mentee"),
    "status": _l("Status"),
    "start": _l("Start"),
    "end": _l("End"),
    "ends_on": _l("Term ends"),
    "reason": _l("Reason"),
    "course": _l("Course"),
    "due": _l("Due"),
    "role": _l("Role"),
    "people": _l("People"),
    "title": _l("Title"),
    "description": _l("Description"),
    "kind": _l("Kind"),
    "opens_at": _l("Opens"),
    "closes_at": _l("Closes"),
    "weight": _l("Weight"),
    "time_limit_min": _l("Time limit (minutes)"),
    "state": _l("State"),
    "judges": _l("Judges"),
    "judge": _l("Judge"),
    "contestant": _l("Contestant"),
    "score": _l("Score"),
    "published": _l("Published"),
    "ranked": _l("Contestants ranked"),
    "prize_mode": _l("Prize rule"),
    "prizes": _l("Prizes (first, second, third)"),
    "freeze_at": _l("Board frozen from"),
    "brackets": _l("Brackets"),
    "bracket": _l("Bracket"),
    "points": _l("Points per criterion"),
    "questions": _l("Questions"),
    "rejected": _l("Rejected"),
    "file": _l("File"),
    "added": _l("Newly enrolled"),
    "count": _l("Count"),
    "version": _l("Version"),
    "question": _l("Question asked"),
    "category": _l("Category"),
    "author": _l("Author"),
}


def register_action(code: str, label) -> None:
    """Add an action a feature records (at start-up, from its hooks)."""
    ACTIONS[code] = label


def register_target(kind: str, label) -> None:
    TARGET_KINDS[kind] = label


def register_field(name: str, label) -> None:
    FIELD_LABELS[name] = label


def describe(obj) -> Target:
    """The ``Target`` of a model instance (or a ``Target`` as it is)."""
    if isinstance(obj, Target):
        return obj
    kind = type(obj).__name__
    if kind == "User":
        return Target("person", obj.id, f"{obj.name}（{obj.username}）")
    if kind == "Area":
        return Target("area", obj.id, obj.name)
    if kind == "Mentorship":
        mentor, mentee = getattr(obj, "mentor", None), getattr(obj, "mentee", None)
        return Target("pairing", obj.id, f"{getattr(mentor, 'name', '')} → {getattr(mentee, 'name', '')}")
    if kind == "CompetitionRound":
        competition = getattr(obj, "competition", None)
        prefix = f"{competition.title} · " if competition is not None else ""
        return Target("round", obj.id, f"{prefix}{obj.title}")
    kinds = {"Competition": "competition", "QuestionBank": "bank", "Course": "course", "Quiz": "quiz",
             "CourseAssignment": "assignment"}
    if kind in kinds:
        return Target(kinds[kind], obj.id, getattr(obj, "title", "") or "")
    raise ValueError(f"no audit target for {kind}; pass app.audit.Target(kind, id, label)")


def _plain(value):
    """A JSON-safe value as a person reads it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if type(value).__name__ == "Area":
        return value.name
    if type(value).__name__ == "User":
        return value.name
    return str(value)


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields that changed: keys with equal values on both sides are dropped."""
    before = {k: _plain(v) for k, v in (before or {}).items()} if before is not None else None
    after = {k: _plain(v) for k, v in (after or {}).items()} if after is not None else None
    if before is not None and after is not None:
        same = {k for k in before.keys() & after.keys() if before[k] == after[k]}
        before = {k: v for k, v in before.items() if k not in same}
        after = {k: v for k, v in after.items() if k not in same}
    return before, after


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of ``obj``, for a before/after pair."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(actor, action: str, target, before: dict | None = None, after: dict | None = None, *,
           area=None) -> AuditRecord | None:
    """Add one audit record to the current transaction (the caller commits); returns it, or None
    when before and after are given and nothing in them differs."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: register it in app.audit")
    subject, target = target, describe(target)
    if target.kind not in TARGET_KINDS:
        raise ValueError(f"unknown audit target kind {target.kind!r}: register it in app.audit")
    before, after = diff(before, after)
    if before is not None and after is not None and not before and not after:
        return None
    if area is None and type(subject).__name__ == "Area":
        area = subject
    if area is None:
        area = getattr(subject, "area", None)
    if area is None and actor is not None:
        area = getattr(actor, "area", None)
    actor_id = getattr(actor, "id", None) if actor is not None else None
    actor_name = f"{actor.name}（{actor.username}）" if actor_id is not None else ""
    row = AuditRecord(actor_id=actor_id, actor_name=actor_name[:140], action=action, target_kind=target.kind,
                      target_id=str(target.id if target.id is not None else "")[:64],
                      target_label=(target.label or "")[:255], area_path=getattr(area, "path", "") or "",
                      before=before or None, after=after or None)
    db.session.add(row)
    return row


def action_text(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def target_kind_text(kind: str) -> str:
    label = TARGET_KINDS.get(kind)
    return str(label) if label is not None else kind


#: Content sync counts read "<things>_<what happened>" (``lessons_updated``).
COUNT_THINGS = {"courses": _l("courses"), "lessons": _l("lessons"), "drills": _l("drills"),
                "banks": _l("question banks"), "questions": _l("questions"), "quizzes": _l("quizzes"),
                "faq": _l("FAQ entries"),
                "cases": _l("field cases"), "index": _l("search index entries")}
COUNT_VERBS = {"added": _l("%(things)s added"), "updated": _l("%(things)s updated"),
               "deactivated": _l("%(things)s withdrawn"), "removed": _l("%(things)s removed")}


def field_text(name: str) -> str:
    label = FIELD_LABELS.get(name)
    if label is not None:
        return str(label)
    things, _sep, verb = name.rpartition("_")
    if things in COUNT_THINGS and verb in COUNT_VERBS:
        return str(COUNT_VERBS[verb]) % {"things": COUNT_THINGS[things]}
    return name


def value_text(value, field: str = "") -> str:
    """A stored value as a person reads it: 是/否, roles by name, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(value_text(v, field) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{field_text(k)}：{value_text(v, k)}" for k, v in value.items())
    names = {"roles": ROLE_NAMES, "role": ROLE_NAMES, "status": STATUS_NAMES, "kind": ROUND_KINDS,
             "prize_mode": PRIZE_MODES, "category": KB_CATEGORY_NAMES}.get(field, {})
    if isinstance(value, str) and value in names:
        return str(names[value])
    return str(value)


def changes(row: AuditRecord) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field a record names, in a stable order."""
    before, after = row.before or {}, row.after or {}
    names = list(before) + [k for k in after if k not in before]
    return [(field_text(n), value_text(before.get(n), n) if n in before else "—",
             value_text(after.get(n), n) if n in after else "—") for n in names]
