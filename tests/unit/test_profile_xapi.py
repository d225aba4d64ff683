"""xAPI 1.0.3 statements: what we build passes the spec's requirements (xAPI-Data.md, Part Two) and
the key rule of Elasticsearch-backed stores, actors are pseudonymous unless personal data may travel,
ids are stable (also when the base changes), and the validator catches each rule broken on its own."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.profile import xapi
from app.profile.xapi import (
    STATEMENT_NAMESPACE, XapiConfig, activity, activity_for_ref, actor_id, agent, build_statement, is_duration,
    iso_duration, iso_timestamp, key_problems, note, parse_timestamp, result, statement_id, validate_statement, verb,
    outcome_verb,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)
CONFIG = XapiConfig(actor_key="unit-test-actor-key")


def answered(**overrides) -> dict:
    oid, kind, parent = activity_for_ref(CONFIG, "quiz:policy-basics:q12")
    args = dict(actor=agent(42, CONFIG), verb_key="answered", obj=activity(oid, "第12题 <民生>", kind),
                timestamp=NOW - timedelta(minutes=5), source_ref="quiz_answer:812",
                result=result(80, success=True, duration=90),
                parent=activity(parent, "政策基础测验", "assessment"), content_version="3f2a9c",
                indicator_scores={"policy.accuracy": 80.0})
    args.update(overrides)
    return build_statement(CONFIG, **args)


def test_a_built_statement_is_valid_and_complete():
    stmt = answered()
    assert validate_statement(stmt, now=NOW) == []
    assert json.loads(json.dumps(stmt, ensure_ascii=False)) == stmt       # plain JSON
    assert stmt["actor"] == {"objectType": "Agent",
                             "account": {"homePage": "https://gridacademy.example/xapi",
                                         "name": actor_id(CONFIG, 42)}}
    assert stmt["verb"] == {"id": "http://adlnet.gov/expapi/verbs/answered",
                            "display": {"en-US": "answered", "zh-CN": "回答了"}}
    assert stmt["object"]["id"] == "https://gridacademy.example/xapi/activities/quiz/policy-basics/question/q12"
    assert stmt["object"]["definition"] == {"name": {"zh-CN": "第12题 <民生>"},
                                            "type": "http://adlnet.gov/expapi/activities/question"}
    assert stmt["result"]["score"] == {"scaled": 0.8, "raw": 80, "min": 0, "max": 100}
    assert stmt["result"]["success"] is True and stmt["result"]["duration"] == "PT1M30S"
    assert stmt["result"]["extensions"] == {"https://gridacademy.example/xapi/extensions/indicator-scores": [
        {"indicator": "https://gridacademy.example/xapi/activities/indicator/policy.accuracy", "score": 80.0}]}
    context = stmt["context"]
    assert context["contextActivities"]["parent"] == [{
        "objectType": "Activity", "id": "https://gridacademy.example/xapi/activities/quiz/policy-basics",
        "definition": {"name": {"zh-CN": "政策基础测验"}, "type": "http://adlnet.gov/expapi/activities/assessment"}}]
    assert context["extensions"] == {"https://gridacademy.example/xapi/extensions/content-version": "3f2a9c"}
    assert context["language"] == "zh-CN" and context["platform"]
    assert stmt["timestamp"] == "2025-06-15T11:55:00.000+00:00"
    assert "version" not in stmt and "stored" not in stmt   # the LRS sets these (§2.4.8, §2.4.10)


def test_statement_ids_are_deterministic_uuid5():
    first, again = answered(), answered()
    assert first["id"] == again["id"]
    parsed = uuid.UUID(first["id"])
    assert parsed.version == 5 and parsed.variant == uuid.RFC_4122
    assert answered(source_ref="quiz_answer:813")["id"] != first["id"]
    assert answered(verb_key="passed")["id"] != first["id"]
    assert answered(actor=agent(43, CONFIG))["id"] != first["id"]
    assert CONFIG.namespace == STATEMENT_NAMESPACE


def test_changing_the_base_keeps_statement_ids():
    """Ids come from a fixed namespace, the source and the opaque actor: a new base (the city moves
    the site) gives the LRS the same ids again - duplicates, not a second copy of history."""
    moved = XapiConfig(base="https://training.city.gov.cn/xapi", actor_key=CONFIG.actor_key)
    stmt = build_statement(moved, actor=agent(42, moved), verb_key="answered", obj=activity(moved.activity_id("x")),
                           timestamp=NOW, source_ref="quiz_answer:812")
    assert stmt["id"] == answered()["id"]
    assert statement_id(moved, "quiz_answer:812") == statement_id(CONFIG, "quiz_answer:812")
    assert stmt["actor"]["account"] == {"homePage": "https://training.city.gov.cn/xapi", "name": actor_id(CONFIG, 42)}
    other_site = XapiConfig(actor_key="another-installation")   # another city's site: other actors, other ids
    assert agent(42, other_site) != agent(42, CONFIG)
    assert build_statement(other_site, actor=agent(42, other_site), verb_key="answered", obj=activity("https://a.b/c"),
                           timestamp=NOW, source_ref="quiz_answer:812")["id"] != answered()["id"]


def test_actors_are_pseudonymous_unless_personal_data_may_travel():
    """account.name is an HMAC of the user id: opaque, stable, 32 hex digits, not the id, the name or
    the login; the name and a free-text note travel only with XAPI_SEND_PERSONAL_DATA."""
    actor = agent(42, CONFIG, name="张三")
    assert actor == {"objectType": "Agent",
                     "account": {"homePage": "https://gridacademy.example/xapi", "name": actor_id(CONFIG, 42)}}
    name = actor["account"]["name"]
    assert len(name) == 32 and int(name, 16) >= 0 and "42" != name and agent(42, CONFIG)["account"]["name"] == name
    assert actor_id(CONFIG, 43) != name
    assert actor_id(XapiConfig(actor_key="other"), 42) != name
    assert note(CONFIG, "他和居民沟通耐心") is None
    stmt = answered(actor=actor)
    assert "张三" not in json.dumps(stmt, ensure_ascii=False)
    personal = XapiConfig(actor_key=CONFIG.actor_key, personal_data=True)
    assert agent(42, personal, name="张三")["name"] == "张三"
    assert agent(42, personal, name="张三")["account"]["name"] == name   # the same actor either way
    assert note(personal, "他和居民沟通耐心") == {"https://gridacademy.example/xapi/extensions/note": "他和居民沟通耐心"}
    with pytest.raises(ValueError, match="actor key"):
        agent(42, XapiConfig())


@pytest.mark.parametrize("key", sorted(xapi.VERBS))
def test_every_verb_is_an_adl_iri_with_two_displays(key):
    value = verb(key)
    assert value["id"] == f"http://adlnet.gov/expapi/verbs/{key}"
    assert set(value["display"]) == {"zh-CN", "en-US"} and value["display"]["en-US"] == key


def test_unknown_verb_is_refused():
    with pytest.raises(ValueError, match="unknown verb"):
        verb("liked")


@pytest.mark.parametrize("outcome, expected", [
    ("success", "passed"), ("failure", "failed"), ("partial", "completed"), (None, "completed"),
])
def test_outcome_verb(outcome, expected):
    assert outcome_verb(outcome) == expected


def test_activity_ids_for_source_refs():
    base = "https://gridacademy.example/xapi/activities"
    assert activity_for_ref(CONFIG, "quiz:daily:q7") == (
        f"{base}/quiz/daily/question/q7", "question", f"{base}/quiz/daily")
    assert activity_for_ref(CONFIG, "drill:gas-leak:v3:arrive:ventilate") == (
        f"{base}/drill/gas-leak/node/arrive", "interaction", f"{base}/drill/gas-leak")
    assert activity_for_ref(CONFIG, "drill:gas-leak:v3:success") == (f"{base}/drill/gas-leak", "simulation", None)
    assert activity_for_ref(CONFIG, "course:onboarding-policy") == (f"{base}/course/onboarding-policy", "course", None)
    assert activity_for_ref(CONFIG, "mentor:12:note 3") == (f"{base}/mentor/12/note%203", None, None)
    chinese, _kind, _parent = activity_for_ref(CONFIG, "quiz:政策:q/1")
    assert chinese == f"{base}/quiz/%E6%94%BF%E7%AD%96/question/q%2F1"
    assert xapi.is_iri(chinese)


def test_other_objects_get_a_valid_statement_too():
    drill_id, kind, _ = activity_for_ref(CONFIG, "drill:gas-leak:v3:success")
    stmt = build_statement(CONFIG, actor=agent("u-7", CONFIG, name="张三"), verb_key=outcome_verb("success"),
                           obj=activity(drill_id, "小区燃气泄漏", kind), timestamp=NOW, source_ref="drill_ending:55",
                           result=result(72.5, success=True, completion=True, duration=timedelta(minutes=4, seconds=3)))
    assert validate_statement(stmt, now=NOW) == []
    assert stmt["verb"]["id"].endswith("/passed") and stmt["result"]["duration"] == "PT4M3S"
    assert "contextActivities" not in stmt["context"] and "extensions" not in stmt["context"]
    assert "name" not in stmt["actor"]   # no personal data by default
    bare = build_statement(CONFIG, actor=agent(1, CONFIG), verb_key="experienced",
                           obj=activity(CONFIG.activity_id("course", "x")), timestamp=NOW, source_ref="course:1")
    assert "result" not in bare and "definition" not in bare["object"] and validate_statement(bare) == []


@pytest.mark.parametrize("seconds, expected", [
    (90, "PT1M30S"), (0, "PT0S"), (3723.5, "PT1H2M3.5S"), (59.999, "PT1M"), (0.004, "PT0S"),
    (7200, "PT2H"), (3600.25, "PT1H0.25S"), (timedelta(minutes=2), "PT2M"), (100000, "PT27H46M40S"),
])
def test_iso_durations(seconds, expected):
    assert iso_duration(seconds) == expected
    assert is_duration(expected)


def test_bad_durations_are_refused():
    with pytest.raises(ValueError):
        iso_duration(-1)
    with pytest.raises(ValueError):
        iso_duration(float("nan"))


def test_timestamps_are_utc_with_milliseconds():
    shanghai = timezone(timedelta(hours=8))
    assert iso_timestamp(datetime(2025, 6, 15, 20, 0, 0, 123456, tzinfo=shanghai)) == "2025-06-15T12:00:00.123+00:00"
    with pytest.raises(ValueError, match="naive"):
        iso_timestamp(datetime(2025, 6, 15))


def test_result_helper():
    assert result() is None
    assert result(7, minimum=0, maximum=10) == {"score": {"scaled": 0.7, "raw": 7, "min": 0, "max": 10}}
    assert result(scaled=-0.5) == {"score": {"scaled": -0.5}}
    assert result(completion=True, response="B") == {"completion": True, "response": "B"}


@pytest.mark.parametrize("value", ["PT4H35M59.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT1234S", "P1D",
                                   "PT0.5S", "P1DT2H"])
def test_spec_durations_are_accepted(value):
    assert is_duration(value)


@pytest.mark.parametrize("value", ["P4W1D", "PT", "P", "1M", "PT1M30", "P1.5", "PT-1S", "pt1s", "", "P1H", 90])
def test_malformed_durations_are_rejected(value):
    assert not is_duration(value)


@pytest.mark.parametrize("value", ["2015-11-18T12:17:00+00:00", "2015-11-18T12:17:00Z", "2015-11-18T12:17:00.123+08:00",
                                   "2015-11-18T12:17Z", "2015-11-18T12:17:00-0500"])
def test_spec_timestamps_parse(value):
    assert parse_timestamp(value) is not None and parse_timestamp(value).tzinfo is not None


def test_the_specs_own_examples_are_valid():
    simplest = {"id": "12345678-1234-5678-1234-567812345678", "actor": {"mbox": "mailto:xapi@adlnet.gov"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
                "object": {"id": "http://example.adlnet.gov/xapi/example/activity"}}
    assert validate_statement(simplest) == []
    attempted = {
        "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119", "timestamp": "2015-12-18T12:17:00+00:00",
        "actor": {"objectType": "Agent", "name": "Example Learner", "mbox": "mailto:example.learner@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}},
        "object": {"id": "http://example.adlnet.gov/xapi/example/simpleCBT",
                   "definition": {"name": {"en-US": "simple CBT course"},
                                  "description": {"en-US": "A fictitious example CBT course."}}},
        "result": {"score": {"scaled": 0.95}, "success": True, "completion": True, "duration": "PT1234S"}}
    assert validate_statement(attempted) == []
    voiding = {"actor": {"objectType": "Agent", "name": "Example Admin", "mbox": "mailto:admin@example.adlnet.gov"},
               "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
               "object": {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"}}
    assert validate_statement(voiding) == []


def _set(stmt: dict, path: str, value) -> None:
    keys = path.split(".")
    target = stmt
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value


DELETE = object()
GOOD_ID = "e05aa883-acaf-40ad-bf54-02c8ce485fb0"

# (path to change, new value, text the problem must contain): one broken rule each.
BROKEN = [
    ("actor", DELETE, "statement.actor: required"),                             # §2.2.s2.b3
    ("verb", DELETE, "statement.verb: required"),
    ("object", DELETE, "statement.object: required"),
    ("id", "812", "statement.id: must be a UUID"),                              # §2.4.1, §4.4
    ("id", "e05aa883acaf40adbf5402c8ce485fb0", "statement.id: must be a UUID"),   # no hyphens
    ("id", "urn:uuid:e05aa883-acaf-40ad-bf54-02c8ce485fb0", "statement.id: must be a UUID"),
    ("id", "{e05aa883-acaf-40ad-bf54-02c8ce485fb0}", "statement.id: must be a UUID"),  # not the standard form
    ("actor.account", DELETE, "statement.actor: an Agent needs exactly one identifier"),  # §2.4.2.1
    ("actor.mbox", "mailto:a@example.com", "statement.actor: an Agent needs exactly one identifier"),
    ("actor.account.homePage", DELETE, "statement.actor.account.homePage: required"),     # §2.4.2.4
    ("actor.account.homePage", "gridacademy.example", "statement.actor.account.homePage"),
    ("actor.account.name", "", "statement.actor.account.name: required"),
    ("actor.objectType", "Person", "statement.actor.objectType"),
    ("actor", {"objectType": "Agent", "mbox": "a@example.com"}, "statement.actor.mbox: must be a mailto IRI"),
    ("actor", {"objectType": "Group", "name": "第三网格"}, "statement.actor.member: an anonymous Group"),  # §2.4.2.2
    ("verb.id", "answered", "statement.verb.id: must be an IRI"),               # §2.4.3
    ("verb.id", "http://adlnet.gov/expapi/verbs/answered now", "statement.verb.id: must be an IRI"),
    ("verb.display", "answered", "statement.verb.display: must be a language map"),  # §4.2
    ("verb.display", {"zh_CN": "回答了"}, "statement.verb.display.zh_CN: key is not an RFC 5646"),
    ("verb.display", {"en-US": 5}, "statement.verb.display.en-US: value must be text"),
    ("verb.name", {"en-US": "x"}, "statement.verb.name: property not allowed"),
    ("object.id", DELETE, "statement.object.id: must be an IRI"),               # §2.4.4.1
    ("object.id", "quiz/policy-basics/q12", "statement.object.id: must be an IRI"),
    ("object.objectType", "Thing", "statement.object.objectType: unknown objectType"),
    ("object.definition.type", "question", "statement.object.definition.type: must be an IRI"),
    ("object.definition.name", {"chinese simplified": "题"}, "statement.object.definition.name.chinese simplified"),
    ("object", {"objectType": "StatementRef", "id": "abc"}, "statement.object.id: a StatementRef needs the UUID"),
    ("result.score.scaled", 1.5, "statement.result.score.scaled: must lie between -1 and 1"),  # §2.4.5.1
    ("result.score.scaled", -1.01, "statement.result.score.scaled: must lie between -1 and 1"),
    ("result.score.scaled", "0.8", "statement.result.score.scaled: must be a number"),  # §2.2.s4.b1.b2
    ("result.score.raw", True, "statement.result.score.raw: must be a number"),
    ("result.score.raw", 101, "statement.result.score.raw: must lie between min and max"),
    ("result.score.raw", -1, "statement.result.score.raw: must lie between min and max"),
    ("result.score.min", 100, "statement.result.score.min: must be less than max"),
    ("result.score.best", 100, "statement.result.score.best: property not allowed"),
    ("result.success", "true", "statement.result.success: must be true or false"),  # §2.2.s4.b1.b3
    ("result.completion", 1, "statement.result.completion: must be true or false"),
    ("result.duration", "1:30", "statement.result.duration: not an ISO 8601 duration"),  # §4.6
    ("result.duration", "PT1M30", "statement.result.duration: not an ISO 8601 duration"),
    ("result.duration", 90, "statement.result.duration: not an ISO 8601 duration"),
    ("result.response", None, "statement.result.response: null value"),           # §2.2.s4.b1.b1
    ("result.extensions", {"indicator-scores": {}}, "statement.result.extensions.indicator-scores: extension key"),
    # The Elasticsearch key rule (Ralph 5.1 answers 422): dotted keys that are not IRIs, and any dot
    # inside an extension's value - the old indicator scores {"policy.accuracy": 80} broke it.
    ("result.extensions", {"https://gridacademy.example/xapi/extensions/indicator-scores": {"policy.accuracy": 80}},
     "indicator-scores.policy.accuracy: key contains '.' (Elasticsearch key rule)"),
    ("result.extensions", {"https://x.example/e": [{"a": {"b.c": 1}}]}, "key contains '.' (Elasticsearch key rule)"),
    ("context.extensions", {"": 1}, "statement.context.extensions: empty key (Elasticsearch key rule)"),
    ("context.contextActivities.parents", [], "statement.context.contextActivities.parents: must be parent"),
    ("context.contextActivities.parent", "https://x.example/a",
     "statement.context.contextActivities.parent: must be an Activity or a list"),
    ("context.contextActivities.parent.0.id", "quiz",
     "statement.context.contextActivities.parent[0].id: must be an IRI"),
    ("context.extensions", {"content-version": "3f"}, "statement.context.extensions.content-version: extension key"),
    ("context.registration", "1", "statement.context.registration: must be a UUID"),
    ("context.language", "chinese simplified", "statement.context.language: must be an RFC 5646"),
    ("context.platform", 3, "statement.context.platform: must be text"),
    ("context.team", {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "1"}},
     "statement.context.team: must be a Group"),
    ("context.statement", {"id": GOOD_ID}, "statement.context.statement: must be a StatementRef"),
    ("context.mood", "good", "statement.context.mood: property not allowed"),
    ("timestamp", "2025-06-15 11:55:00+00:00", "statement.timestamp: not an ISO 8601 timestamp"),  # §4.5
    ("timestamp", "2025-13-15T11:55:00Z", "statement.timestamp: not an ISO 8601 timestamp"),
    ("timestamp", "2025-06-15T11:55:00.000", "statement.timestamp: must include a time zone"),
    ("timestamp", "2025-06-16T00:00:00.000+00:00", "statement.timestamp: lies in the future"),  # §2.4.7.s3.b4
    ("stored", "yesterday", "statement.stored: not an ISO 8601 timestamp"),
    ("version", "2.0.0", "statement.version: must be a 1.0.x version"),
    ("score", 80, "statement.score: property not allowed"),                      # §2.2.s3.b6
]


@pytest.mark.parametrize("path, value, expected", BROKEN, ids=[f"{p}={v!r}"[:60] for p, v, _ in BROKEN])
def test_each_broken_rule_is_reported(path, value, expected):
    stmt = answered()
    assert validate_statement(stmt, now=NOW) == []
    _set(stmt, path, value)
    problems = validate_statement(stmt, now=NOW)
    assert any(expected in problem for problem in problems), problems
    assert all("(xAPI 1.0.3 Data §" in problem or "(Elasticsearch key rule)" in problem for problem in problems)


def test_platform_only_for_an_activity_object():
    stmt = answered(obj={"objectType": "Agent", "account": {"homePage": "https://gridacademy.example", "name": "7"}})
    assert "platform" not in stmt["context"]
    assert validate_statement(stmt) == []
    stmt["context"]["platform"] = "GridAcademy"
    stmt["context"]["revision"] = "2"
    problems = validate_statement(stmt)
    assert any("context.platform: only allowed when the object is an Activity" in p for p in problems)
    assert any("context.revision: only allowed when the object is an Activity" in p for p in problems)


def test_nulls_inside_extensions_are_allowed():
    stmt = answered()
    stmt["context"]["extensions"][CONFIG.extension("note")] = None
    assert validate_statement(stmt) == []


def test_substatements():
    inner = {"objectType": "SubStatement", "actor": agent(1, CONFIG), "verb": verb("attempted"),
             "object": activity(CONFIG.activity_id("drill", "gas-leak")), "timestamp": "2030-01-01T00:00:00Z"}
    stmt = answered(obj=copy.deepcopy(inner))
    assert validate_statement(stmt, now=NOW) == []   # a SubStatement may lie in the future (§2.4.7.s3.b5)
    stmt["context"]["platform"] = "x"  # the object is a SubStatement, not an Activity
    problems = validate_statement(stmt, now=NOW)
    assert problems == [p for p in problems if "context.platform" in p] and len(problems) == 1
    with_id = answered(obj={**inner, "id": GOOD_ID})
    assert any("statement.object.id: not allowed in a SubStatement" in p for p in validate_statement(with_id))
    nested = answered(obj={**inner, "object": copy.deepcopy(inner)})
    assert any("cannot contain a SubStatement" in p for p in validate_statement(nested))


def test_not_a_statement_at_all():
    assert validate_statement(None) and validate_statement([]) and validate_statement("{}")
    assert validate_statement({}) == [
        "statement.actor: required (xAPI 1.0.3 Data §2.2)", "statement.verb: required (xAPI 1.0.3 Data §2.2)",
        "statement.object: required (xAPI 1.0.3 Data §2.2)"]


def test_the_elasticsearch_key_rule_allows_iri_keys_with_dots():
    stmt = answered()
    assert key_problems(stmt) == []
    assert any("." in key for key in stmt["result"]["extensions"])   # IRI keys carry the host's dots
    stmt["context"]["extensions"]["comm.residents"] = 1               # a dotted key that is no IRI
    assert key_problems(stmt) == ["statement.context.extensions.comm.residents: key contains '.' "
                                  "(Elasticsearch key rule)"]
