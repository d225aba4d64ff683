"""xAPI 1.0.3 statements for the records a person leaves, and a validator for them (pure: standard
library only).

Section numbers below refer to Part Two of the specification, "Experience API (xAPI) Data"
(https://github.com/adlnet/xAPI-Spec/blob/master/xAPI-Data.md, version 1.0.3).

Building:

- ``agent``: the actor, an Agent identified by an ``account`` {homePage: the configured base,
  name: an opaque id} (§2.4.2.4). The id is an HMAC-SHA256 of the user id under a secret key
  (``actor_id``): stable, the same person always gets the same id, but nobody without the key can
  tell who it is, and it is neither the name nor the login. The person's name travels only when the
  configuration allows personal data (``XapiConfig.personal_data``).
- ``verb``: ADL verbs (``http://adlnet.gov/expapi/verbs/<verb>``) with a zh-CN and en-US display.
- ``activity`` and ``activity_for_ref``: Activities with IRIs under a configurable base, e.g.
  ``https://gridacademy.example/xapi/activities/quiz/<slug>/question/<id>``, segments
  percent-encoded by ``urllib.parse.quote`` (§2.2.s3.b3: build IRIs with a library). Activity ids are
  made of content ids (quiz and course slugs, drill and node ids), which do not change.
- ``result``: score (scaled −1..1 computed from raw/min/max), success, completion, duration.
- ``build_statement``: id, actor, verb, object, result, context (parent activity, platform,
  language, the content version as an extension under an IRI key), indicator scores (a list of
  {indicator IRI, score} under an IRI key) and timestamp.

Statement ids are UUID 5 of a fixed namespace (``STATEMENT_NAMESPACE``, the same in every
installation and independent of the base) and of the source reference, the actor's opaque id and
the verb. So the same result always gets the same id: exporting it again, or changing the base
later, gives an LRS a duplicate, never a new fact; two installations differ by their actor keys.

Checking: ``validate_statement`` returns a list of problems (empty when the statement is fine),
each naming the property path, the problem and the rule it comes from: the xAPI 1.0.3
requirements, and the key rule of Elasticsearch-backed stores (``key_problems``).
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

XAPI_VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

#: The verbs we use, all from the ADL vocabulary: key → (en-US, zh-CN) display.
VERBS: dict[str, tuple[str, str]] = {
    "answered": ("answered", "回答了"),
    "attempted": ("attempted", "尝试了"),
    "completed": ("completed", "完成了"),
    "experienced": ("experienced", "体验了"),
    "failed": ("failed", "未通过"),
    "passed": ("passed", "通过了"),
    "scored": ("scored", "获得评分"),
}

#: Activity types from the ADL vocabulary.
ACTIVITY_TYPES = {kind: ADL_ACTIVITIES + kind for kind in
                  ("assessment", "question", "course", "lesson", "simulation", "interaction", "performance")}

#: The namespace of every statement id (UUID 5), fixed once for GridAcademy: ids never depend on
#: the configured base, so changing the base does not re-send history under new ids.
STATEMENT_NAMESPACE = uuid.UUID("e88573e0-040f-427d-b10e-a76622906561")


@dataclass(frozen=True)
class XapiConfig:
    """Where our IRIs live and what may travel.

    ``base``: the stable https address our activity IRIs and extension keys live under, also the
    ``homePage`` of actor accounts. ``actor_key``: the secret behind the actors' opaque ids (keep it
    for good: a new key makes everybody a new actor). ``personal_data``: when true, statements also
    carry people's names and free-text notes (off by default)."""

    base: str = "https://gridacademy.example/xapi"
    actor_key: str = ""
    personal_data: bool = False
    platform: str = "GridAcademy 网格学院"
    language: str = "zh-CN"
    namespace: uuid.UUID = STATEMENT_NAMESPACE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    @property
    def home_page(self) -> str:
        return self.base

    def activity_id(self, *segments: Any) -> str:
        return f"{self.base}/activities/" + "/".join(quote(str(seg), safe="") for seg in segments)

    def extension(self, name: str) -> str:
        return f"{self.base}/extensions/{quote(name, safe='')}"

    def indicator_iri(self, indicator: str) -> str:
        """The IRI of a competency indicator (``comm.residents`` → ``…/activities/indicator/comm.residents``)."""
        return self.activity_id("indicator", indicator)

    @property
    def content_version_key(self) -> str:
        return self.extension("content-version")

    @property
    def indicator_scores_key(self) -> str:
        return self.extension("indicator-scores")

    @property
    def note_key(self) -> str:
        return self.extension("note")


# ---------------------------------------------------------------------------------------------
# Building


def actor_id(config: XapiConfig, user_id: Any) -> str:
    """The opaque, stable account name of a user: HMAC-SHA256 of the user id under the actor key
    (32 hex digits). Raises ValueError without a key (an unkeyed hash of a small number is no secret)."""
    if not config.actor_key:
        raise ValueError("an actor key is needed to make opaque actor ids")
    digest = hmac.new(config.actor_key.encode("utf-8"), f"gridacademy-xapi-actor:{user_id}".encode(),
                      hashlib.sha256)
    return digest.hexdigest()[:32]


def agent(user_id: Any, config: XapiConfig, name: str | None = None) -> dict:
    """An Agent with exactly one identifier, a pseudonymous account (§2.4.2.1, §2.4.2.4); the name
    only when the configuration allows personal data."""
    actor: dict[str, Any] = {"objectType": "Agent",
                             "account": {"homePage": config.home_page, "name": actor_id(config, user_id)}}
    if name and config.personal_data:
        actor["name"] = name
    return actor


def note(config: XapiConfig, text: str | None) -> dict | None:
    """Free text someone wrote (e.g. a mentor's note) as a result extension, only when the
    configuration allows personal data; None otherwise or when there is no text."""
    if not text or not config.personal_data:
        return None
    return {config.note_key: text}


def verb(key: str) -> dict:
    """An ADL verb with its display in en-US and zh-CN (§2.4.3). Raises ValueError if unknown."""
    if key not in VERBS:
        raise ValueError(f"unknown verb {key!r} (use {', '.join(VERBS)})")
    english, chinese = VERBS[key]
    return {"id": ADL_VERBS + key, "display": {"en-US": english, "zh-CN": chinese}}


def outcome_verb(outcome: str | None) -> str:
    """The verb for a finished play by its outcome: success → passed, failure → failed, else completed.
    (Each evidence source registers its own verb with the evidence hub.)"""
    return {"success": "passed", "failure": "failed"}.get(outcome or "", "completed")


def activity(activity_id: str, name: str | None = None, activity_type: str | None = None,
             description: str | None = None, language: str = "zh-CN") -> dict:
    """An Activity (§2.4.4.1); the definition is left out when there is nothing to put in it
    (§2.2.s2.b1: no empty objects). ``activity_type`` is a key of ACTIVITY_TYPES or an IRI."""
    obj: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    definition: dict[str, Any] = {}
    if name:
        definition["name"] = {language: name}
    if description:
        definition["description"] = {language: description}
    if activity_type:
        definition["type"] = ACTIVITY_TYPES.get(activity_type, activity_type)
    if definition:
        obj["definition"] = definition
    return obj


def activity_for_ref(config: XapiConfig, source_ref: str) -> tuple[str, str | None, str | None]:
    """(activity id, activity type key, parent activity id or None) for an evidence ``source_ref``:

    - ``quiz:<slug>:<question>`` → the question, under the quiz (an assessment);
    - ``drill:<id>:v<n>:<node>:<choice>`` → the decision node, under the drill (a simulation);
    - ``drill:<id>:v<n>:<outcome>`` → the drill itself;
    - ``course:<slug>`` → the course; anything else ``<kind>:<rest>`` → ``activities/<kind>/<rest…>``.
    """
    parts = source_ref.split(":")
    if parts[0] == "quiz" and len(parts) == 3:
        return (config.activity_id("quiz", parts[1], "question", parts[2]), "question",
                config.activity_id("quiz", parts[1]))
    if parts[0] == "drill" and len(parts) == 5:
        return (config.activity_id("drill", parts[1], "node", parts[3]), "interaction",
                config.activity_id("drill", parts[1]))
    if parts[0] == "drill" and len(parts) in (3, 4):
        return config.activity_id("drill", parts[1]), "simulation", None
    if parts[0] == "course" and len(parts) == 2:
        return config.activity_id("course", parts[1]), "course", None
    return config.activity_id(*parts), None, None


def iso_duration(value: float | timedelta) -> str:
    """A duration in ISO 8601 (§4.6), hours/minutes/seconds to 0.01 s: 90 → ``PT1M30S``."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError("a duration must be a finite number of seconds, not negative")
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    whole, frac = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if rest or text == "PT":
        text += f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "S"
    return text


def iso_timestamp(value: datetime) -> str:
    """An ISO 8601 timestamp in UTC with milliseconds and its offset (§4.5). Naive values raise."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime given; use a timezone-aware datetime")
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def result(raw: float | None = None, minimum: float = 0, maximum: float = 100, scaled: float | None = None,
           success: bool | None = None, completion: bool | None = None,
           duration: float | timedelta | None = None, response: str | None = None,
           extensions: Mapping[str, Any] | None = None) -> dict | None:
    """A Result (§2.4.5); ``scaled`` defaults to (raw − min) / (max − min). None when empty."""
    out: dict[str, Any] = {}
    if raw is not None or scaled is not None:
        score: dict[str, Any] = {}
        if scaled is None and maximum > minimum:
            scaled = (raw - minimum) / (maximum - minimum)
        if scaled is not None:
            score["scaled"] = round(scaled, 4)
        if raw is not None:
            score.update(raw=raw, min=minimum, max=maximum)
        out["score"] = score
    if success is not None:
        out["success"] = bool(success)
    if completion is not None:
        out["completion"] = bool(completion)
    if response is not None:
        out["response"] = response
    if duration is not None:
        out["duration"] = iso_duration(duration)
    if extensions:
        out["extensions"] = dict(extensions)
    return out or None


def statement_id(config: XapiConfig, source_ref: str, *qualifiers: str) -> str:
    """UUID 5 (RFC 4122 variant, §2.4.1) of the namespace and the reference: stable across exports."""
    return str(uuid.uuid5(config.namespace, "|".join((source_ref, *qualifiers))))


def build_statement(config: XapiConfig, *, actor: dict, verb_key: str, obj: dict, timestamp: datetime,
                    source_ref: str, result: dict | None = None, parent: dict | Sequence[dict] | None = None,
                    grouping: dict | Sequence[dict] | None = None, content_version: str | None = None,
                    indicator_scores: Mapping[str, float] | None = None) -> dict:
    """One statement. ``source_ref`` must name the reported result uniquely and stably (e.g.
    ``quiz_answer:812``: source kind and row id); with the actor and verb it makes the id.

    ``indicator_scores`` ({indicator id: 0-100}) go into a result extension as a list of
    {"indicator": IRI, "score": number} (indicator ids contain dots, which Elasticsearch-backed
    stores refuse as keys); ``content_version`` into a context extension (§4.1: extension keys are IRIs).
    """
    stmt: dict[str, Any] = {
        "id": statement_id(config, source_ref, actor.get("account", {}).get("name", ""), verb_key),
        "actor": actor, "verb": verb(verb_key), "object": obj,
    }
    if indicator_scores:
        result = dict(result or {})
        result["extensions"] = {**result.get("extensions", {}), config.indicator_scores_key: [
            {"indicator": config.indicator_iri(indicator), "score": float(score)}
            for indicator, score in sorted(indicator_scores.items())]}
    if result:
        stmt["result"] = result
    context: dict[str, Any] = {}
    activities: dict[str, list[dict]] = {}
    for key, value in (("parent", parent), ("grouping", grouping)):
        if value:  # always arrays (§2.4.6.2.s4.b5)
            activities[key] = [value] if isinstance(value, Mapping) else list(value)
    if activities:
        context["contextActivities"] = activities
    if obj.get("objectType", "Activity") == "Activity":  # §2.4.6.s4.b2: platform only for Activities
        context["platform"] = config.platform
    context["language"] = config.language
    if content_version:
        context["extensions"] = {config.content_version_key: content_version}
    stmt["context"] = context
    stmt["timestamp"] = iso_timestamp(timestamp)
    return stmt


# ---------------------------------------------------------------------------------------------
# Checking

# §4.4: the standard string form is a MUST; the RFC 4122 variant only recommended (the spec's own
# example id 12345678-1234-5678-1234-567812345678 is not of it), so only the form is checked.
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
IRL_RE = re.compile(r"^https?://[^\s/?#<>\"]+[^\s<>\"]*$")
# RFC 5646 language tag, best effort (§2.2.s4.b7): language, script, region, variants, extensions, private use.
LANG_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?|x(?:-[A-Za-z0-9]{1,8})+)$")
_NUM = r"\d+(?:[.,]\d+)?"
DURATION_RE = re.compile(  # §4.6: ISO 8601:2004 4.4.3.2 format (not the alternative format)
    rf"^P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)$")
TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")

STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                  "authority", "version", "attachments"}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
CONTEXT_KEYS = {"registration", "instructor", "team", "contextActivities", "revision", "platform",
                "language", "statement", "extensions"}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
OBJECT_TYPES = {"Activity", "Agent", "Group", "SubStatement", "StatementRef"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(IRI_RE.match(value))


def is_duration(value: Any) -> bool:
    return isinstance(value, str) and bool(DURATION_RE.match(value))


def parse_timestamp(value: Any) -> datetime | None:
    """The moment an ISO 8601 timestamp names (naive when it has no zone), or None if malformed."""
    if not isinstance(value, str) or not TIMESTAMP_RE.match(value):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, problem: str, section: str) -> None:
        self.problems.append(f"{path}: {problem} (xAPI 1.0.3 Data §{section})")

    def nulls(self, value: Any, path: str) -> None:
        """§2.2.s4.b1.b1: no null values anywhere except inside extensions."""
        if value is None:
            self.add(path, "null value", "2.2")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if key != "extensions":
                    self.nulls(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.nulls(item, f"{path}[{i}]")

    def unknown(self, value: Mapping, allowed: set[str], path: str) -> None:
        for key in sorted(set(value) - allowed, key=str):
            self.add(f"{path}.{key}", "property not allowed here", "2.2")

    def iri(self, value: Any, path: str, section: str) -> None:
        if not is_iri(value):
            self.add(path, f"must be an IRI with a scheme, not {value!r}", section)

    def language_map(self, value: Any, path: str) -> None:
        if not isinstance(value, Mapping) or not value:
            self.add(path, "must be a language map {tag: text}", "4.2")
            return
        for tag, text in value.items():
            if not isinstance(tag, str) or not LANG_RE.match(tag):
                self.add(f"{path}.{tag}", "key is not an RFC 5646 language tag", "4.2")
            if not isinstance(text, str):
                self.add(f"{path}.{tag}", "value must be text", "4.2")

    def extensions(self, value: Any, path: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an object", "4.1")
            return
        for key in value:
            if not is_iri(key):
                self.add(f"{path}.{key}", "extension key must be an IRI", "4.1")

    def agent_or_group(self, value: Any, path: str, section: str = "2.4.2") -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an Agent or Group object", section)
            return
        kind = value.get("objectType", "Agent")
        if kind not in ("Agent", "Group"):
            self.add(f"{path}.objectType", f"must be Agent or Group, not {kind!r}", section)
            return
        ifis = [key for key in IFI_KEYS if key in value]
        if kind == "Agent" and len(ifis) != 1:
            self.add(path, f"an Agent needs exactly one identifier of {', '.join(IFI_KEYS)}, has {len(ifis)}",
                     "2.4.2.1")
        if kind == "Group":
            if len(ifis) > 1:
                self.add(path, "an identified Group has exactly one identifier", "2.4.2.2")
            members = value.get("member")
            if not ifis and not isinstance(members, list):
                self.add(f"{path}.member", "an anonymous Group must list its members", "2.4.2.2")
            for i, member in enumerate(members if isinstance(members, list) else []):
                if isinstance(member, Mapping) and member.get("objectType") == "Group":
                    self.add(f"{path}.member[{i}]", "a Group cannot contain a Group", "2.4.2.2")
                else:
                    self.agent_or_group(member, f"{path}.member[{i}]", "2.4.2.2")
        if "name" in value and not isinstance(value["name"], str):
            self.add(f"{path}.name", "must be text", section)
        if "mbox" in value and not (isinstance(value["mbox"], str) and value["mbox"].startswith("mailto:")):
            self.add(f"{path}.mbox", "must be a mailto IRI", "2.4.2.3")
        if "account" in value:
            account = value["account"]
            if not isinstance(account, Mapping):
                self.add(f"{path}.account", "must be an object {homePage, name}", "2.4.2.4")
            else:
                if not (isinstance(account.get("homePage"), str) and IRL_RE.match(account["homePage"])):
                    self.add(f"{path}.account.homePage", "required, an IRL (http or https)", "2.4.2.4")
                if not isinstance(account.get("name"), str) or not account["name"]:
                    self.add(f"{path}.account.name", "required text", "2.4.2.4")
                self.unknown(account, {"homePage", "name"}, f"{path}.account")

    def activity(self, value: Any, path: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an Activity object", "2.4.4.1")
            return
        if value.get("objectType", "Activity") != "Activity":
            self.add(f"{path}.objectType", "must be Activity", "2.4.4.1")
        self.iri(value.get("id"), f"{path}.id", "2.4.4.1")
        definition = value.get("definition")
        if definition is None:
            return
        if not isinstance(definition, Mapping):
            self.add(f"{path}.definition", "must be an object", "2.4.4.1")
            return
        for key in ("name", "description"):
            if key in definition:
                self.language_map(definition[key], f"{path}.definition.{key}")
        for key in ("type", "moreInfo"):
            if key in definition:
                self.iri(definition[key], f"{path}.definition.{key}", "2.4.4.1")
        if "extensions" in definition:
            self.extensions(definition["extensions"], f"{path}.definition.extensions")

    def object(self, value: Any, path: str, nested: bool) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an object", "2.4.4")
            return
        kind = value.get("objectType", "Activity")
        if kind not in OBJECT_TYPES:
            self.add(f"{path}.objectType", f"unknown objectType {kind!r}", "2.4.4")
        elif kind == "Activity":
            self.activity(value, path)
        elif kind in ("Agent", "Group"):
            self.agent_or_group(value, path, "2.4.4.2")
        elif kind == "StatementRef":
            if not is_uuid(value.get("id")):
                self.add(f"{path}.id", "a StatementRef needs the UUID of a statement", "2.4.4.3")
        elif nested:
            self.add(path, "a SubStatement cannot contain a SubStatement", "2.4.4.3")
        else:
            for key in ("id", "stored", "version", "authority"):
                if key in value:
                    self.add(f"{path}.{key}", "not allowed in a SubStatement", "2.4.4.3")
            self.statement(value, path, nested=True)

    def result(self, value: Any, path: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an object", "2.4.5")
            return
        self.unknown(value, RESULT_KEYS, path)
        score = value.get("score")
        if score is not None:
            if not isinstance(score, Mapping):
                self.add(f"{path}.score", "must be an object", "2.4.5.1")
            else:
                self.score(score, f"{path}.score")
        for key in ("success", "completion"):
            if key in value and not isinstance(value[key], bool):
                self.add(f"{path}.{key}", "must be true or false", "2.4.5")
        if "response" in value and not isinstance(value["response"], str):
            self.add(f"{path}.response", "must be text", "2.4.5")
        if "duration" in value and not is_duration(value["duration"]):
            self.add(f"{path}.duration", f"not an ISO 8601 duration: {value['duration']!r}", "4.6")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def score(self, score: Mapping, path: str) -> None:
        self.unknown(score, SCORE_KEYS, path)
        numbers = {}
        for key in ("scaled", "raw", "min", "max"):
            if key in score:
                if _number(score[key]):
                    numbers[key] = score[key]
                else:
                    self.add(f"{path}.{key}", "must be a number", "2.4.5.1")
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            self.add(f"{path}.scaled", "must lie between -1 and 1", "2.4.5.1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and not low < high:
            self.add(f"{path}.min", "must be less than max", "2.4.5.1")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            self.add(f"{path}.raw", "must lie between min and max", "2.4.5.1")

    def context(self, value: Any, path: str, object_kind: str) -> None:
        if not isinstance(value, Mapping):
            self.add(path, "must be an object", "2.4.6")
            return
        self.unknown(value, CONTEXT_KEYS, path)
        if "registration" in value and not is_uuid(value["registration"]):
            self.add(f"{path}.registration", "must be a UUID", "2.4.6")
        for key in ("revision", "platform"):
            if key in value:
                if object_kind != "Activity":
                    self.add(f"{path}.{key}", "only allowed when the object is an Activity", "2.4.6")
                if not isinstance(value[key], str):
                    self.add(f"{path}.{key}", "must be text", "2.4.6")
        if "language" in value and not (isinstance(value["language"], str) and LANG_RE.match(value["language"])):
            self.add(f"{path}.language", "must be an RFC 5646 language tag", "2.4.6")
        if "instructor" in value:
            self.agent_or_group(value["instructor"], f"{path}.instructor", "2.4.6")
        if "team" in value:
            team = value["team"]
            if not (isinstance(team, Mapping) and team.get("objectType") == "Group"):
                self.add(f"{path}.team", "must be a Group", "2.4.6")
            else:
                self.agent_or_group(team, f"{path}.team", "2.4.6")
        if "statement" in value:
            ref = value["statement"]
            if not (isinstance(ref, Mapping) and ref.get("objectType") == "StatementRef" and is_uuid(ref.get("id"))):
                self.add(f"{path}.statement", "must be a StatementRef with a UUID id", "2.4.6")
        if "contextActivities" in value:
            activities = value["contextActivities"]
            where = f"{path}.contextActivities"
            if not isinstance(activities, Mapping):
                self.add(where, "must be an object", "2.4.6.2")
            else:
                for key, items in activities.items():
                    if key not in CONTEXT_ACTIVITY_KEYS:
                        self.add(f"{where}.{key}", "must be parent, grouping, category or other", "2.4.6.2")
                        continue
                    if isinstance(items, Mapping):
                        self.activity(items, f"{where}.{key}")
                    elif isinstance(items, list):
                        for i, item in enumerate(items):
                            self.activity(item, f"{where}.{key}[{i}]")
                    else:
                        self.add(f"{where}.{key}", "must be an Activity or a list of Activities", "2.4.6.2")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}.extensions")

    def statement(self, stmt: Any, path: str = "statement", nested: bool = False, now: datetime | None = None) -> None:
        if not isinstance(stmt, Mapping):
            self.add(path, "must be a JSON object", "2.2")
            return
        self.unknown(stmt, STATEMENT_KEYS | ({"objectType"} if nested else set()), path)
        for key in ("actor", "verb", "object"):  # §2.2.s2.b3
            if key not in stmt:
                self.add(f"{path}.{key}", "required", "2.2")
        if "id" in stmt and not is_uuid(stmt["id"]):
            self.add(f"{path}.id", f"must be a UUID in standard string form, not {stmt['id']!r}",
                     "2.4.1, 4.4")
        if "actor" in stmt:
            self.agent_or_group(stmt["actor"], f"{path}.actor")
        if "verb" in stmt:
            value = stmt["verb"]
            if not isinstance(value, Mapping):
                self.add(f"{path}.verb", "must be an object {id, display}", "2.4.3")
            else:
                self.iri(value.get("id"), f"{path}.verb.id", "2.4.3")
                if "display" in value:
                    self.language_map(value["display"], f"{path}.verb.display")
                self.unknown(value, {"id", "display"}, f"{path}.verb")
        if "object" in stmt:
            self.object(stmt["object"], f"{path}.object", nested)
        if "result" in stmt:
            self.result(stmt["result"], f"{path}.result")
        if "context" in stmt:
            kind = stmt["object"].get("objectType", "Activity") if isinstance(stmt.get("object"), Mapping) else ""
            self.context(stmt["context"], f"{path}.context", kind)
        for key in ("timestamp", "stored"):
            if key not in stmt:
                continue
            moment = parse_timestamp(stmt[key])
            if moment is None:
                self.add(f"{path}.{key}", f"not an ISO 8601 timestamp: {stmt[key]!r}", "4.5")
            elif moment.tzinfo is None:  # a SHOULD* (§4.5.s1.b4) that we hold ourselves to
                self.add(f"{path}.{key}", "must include a time zone", "4.5")
            elif key == "timestamp" and now is not None and not nested and moment > now:
                self.add(f"{path}.timestamp", "lies in the future", "2.4.7")
        version = stmt.get("version")
        if "version" in stmt and not (isinstance(version, str) and re.match(r"^1\.0(\.\d+)?$", version)):
            self.add(f"{path}.version", "must be a 1.0.x version", "2.4.10")


def key_problems(stmt: Any) -> list[str]:
    """Object keys an Elasticsearch-backed store refuses (Ralph 5.1's ``es_key_validation``, answered
    with HTTP 422): an empty key anywhere, a key with a "." anywhere unless it is an IRI, and, stricter
    (Elasticsearch reads dots as paths), any key with a "." inside an extension's value."""
    problems: list[str] = []

    def walk(value: Any, path: str, inside_extension: bool) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                where = f"{path}.{key}"
                if not isinstance(key, str) or key == "":
                    problems.append(f"{path}: empty key (Elasticsearch key rule)")
                elif "." in key and (inside_extension or not is_iri(key)):
                    problems.append(f"{where}: key contains '.' (Elasticsearch key rule)")
                walk(item, where, inside_extension or path.endswith(".extensions"))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]", inside_extension)

    walk(stmt, "statement", False)
    return problems


def validate_statement(stmt: Any, now: datetime | None = None) -> list[str]:
    """Problems with a statement against the xAPI 1.0.3 requirements (empty list when fine).

    Checked: actor, verb and object present; no null values outside extensions; no properties the
    spec does not allow; id a UUID; the actor an Agent/Group with exactly one identifier (account
    {homePage, name}); verb id an IRI and display a language map with RFC 5646 keys; Activity ids
    and types IRIs; score numbers with scaled in [-1, 1], min < max and raw within them;
    success/completion booleans; duration ISO 8601; contextActivities keys and values; extension
    keys IRIs; timestamp ISO 8601 with a time zone (and not after ``now`` when given). Then the key
    rule of Elasticsearch-backed stores (``key_problems``).
    """
    checker = _Checker()
    checker.nulls(stmt, "statement")
    checker.statement(stmt, now=now)
    return checker.problems + key_problems(stmt)
