"""What the shipped drills teach: each drill's best path is the standard, safe way (named here step by
step, so a change of scores that makes another play the best one fails a test), the new drills have
the size the issue asks for, and no drill in scenarios/ lets a red-line move end in success.

Pure: reads the drill files with the engine; no app, no database.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.drill import engine

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

#: The expected best path of each drill: drill id -> [(node id, choice id), ...], start to ending.
#: Add an entry here for every drill whose best path you have reviewed (the corrected shipped drills
#: too): the test below plays ``engine.best_path`` and compares it step by step.
EXPECTED_BEST: dict[str, list[tuple[str, str]]] = {
    # 小区燃气泄漏 (a strong, choking smell): stay out of the stairwell and call 119 and the gas company
    # from outside first, warn the residents by shouting from outside, stop the man at the window from
    # switching on the hood and report him to 119, cordon, hand over, 120 for the dizzy, all-clear, report.
    "gas-leak": [
        ("arrive", "withdraw-call"),
        ("called", "shout-warn"),
        ("window", "shout-stop"),
        ("cordon", "hold-line"),
        ("wait_pros", "brief-full"),
        ("rescue", "care-120"),
        ("inspection", "wait-all-clear"),
        ("follow_up", "report-and-prevent"),
    ],
    # 居民投诉噪音扰民: listen and keep the husband downstairs, record in 403, ask 503 to stop without
    # naming the complainant, firm but friendly, plan mediation, hear both sides apart first, mediate
    # (needs, not positions), written agreement and follow-up visits.
    "noise-complaint": [
        ("call", "calm-listen"),
        ("arrive", "record-first"),
        ("upstairs", "polite-explain"),
        ("negotiation", "firm-friendly"),
        ("music_off", "plan-mediation"),
        ("next_day", "visit-both"),
        ("both_sides", "mediate-both"),
        ("mediation", "reframe"),
        ("agreement", "written-followup"),
    ],
    # 独居老人突发疾病: go at once and call the daughter, 120 then the spare key with consent, check
    # before touching, tell 120 it looks like a stroke, keep her on her side under a blanket (never
    # lift her to the bed), stay with her, CPR at the agonal gasp, AED, hand over, aftercare.
    "elderly-emergency": [
        ("alert", "go-and-call-family"),
        ("door", "spare-key-120"),
        ("entry", "check-response"),
        ("assess", "update-120"),
        ("comfort", "cover-side"),
        ("waiting", "prepare"),
        ("collapse", "start-cpr"),
        ("cpr", "correct-cpr"),
        ("aed", "use-aed"),
        ("handover", "brief-doctor"),
        ("aftercare", "follow-up"),
    ],
    # 疑似传销窝点: ask and warn the informant, check records and watch from public areas only, record
    # objectively, take the girl somewhere safe and call 110, report to 12315 as well, never tackle the
    # runaways (note and tell the police), keep the people involved private, prevention.
    "pyramid-selling": [
        ("tip", "ask-details"),
        ("observe_plan", "records-and-public-areas"),
        ("observe", "record-objectively"),
        ("girl_help", "safe-and-110"),
        ("report_decide", "report-amr-too"),
        ("joint_action", "note-and-tell"),
        ("aftermath", "protect-privacy"),
        ("prevention", "campaign"),
    ],
    # 高空抛物: have 120 called on the way, stop the bleeding and clear the area, protect the scene,
    # call 110 and the property manager, clear the children from under the falling tile, support the
    # police, explain the law to the parents without absolutes, report a throw that hurt nobody too,
    # prevention from the data.
    "high-altitude-throwing": [
        ("call", "tell-120-go"),
        ("scene", "aid"),
        ("evidence", "protect-scene"),
        ("report", "police-and-pm"),
        ("second_object", "clear-area"),
        ("investigation", "support-police"),
        ("identified", "explain-law-mediate"),
        ("no_injury", "report-no-injury"),
        ("prevention", "data-and-measures"),
    ],
    # 台风暴雨天气的防汛转移: check the list and report needs, keep people out of the flooded garage,
    # notify and register door to door, stretcher for the bedridden, car for the wheelchair user,
    # persuade (never drag) the refuser, sweep the building, detour round the fallen line,
    # count at the shelter, call 119 for the trapped, care, nobody home before the all-clear, report.
    "flood-evacuation": [
        ("warning", "check-list"),
        ("garage", "stop-chen"),
        ("door", "knock-all"),
        ("bedridden", "stretcher-team"),
        ("wheelchair", "car"),
        ("refuser", "listen"),
        ("refuser_worry", "pack-and-go"),
        ("sweep", "sweep"),
        ("power_line", "stop-detour"),
        ("shelter", "count-register"),
        ("missing", "call-119-yang"),
        ("yang_rescued", "calm-care"),
        ("return_home", "hold-on"),
        ("wrap", "report-full"),
    ],
    # 家庭矛盾调解 (domestic violence): go with a colleague, call 110 while violence is going on, keep
    # distance and take the child out, tell the police what you saw, talk to the victim alone,
    # report the child, explain the law's protections, plan tonight's safety, keep it private,
    # record truthfully, call 110 at the next threat, help with the protection order, follow up.
    "family-conflict": [
        ("call", "ask-and-go"),
        ("arrive", "call-110"),
        ("door_open", "hold-partner"),
        ("police_arrive", "brief"),
        ("private_talk", "support"),
        ("child", "child-care"),
        ("options", "explain-law"),
        ("tonight", "safety-plan"),
        ("followup", "privacy"),
        ("report", "record-true"),
        ("threat", "call-110-again"),
        ("protection", "help-apply"),
        ("close", "keep-following"),
    ],
    # 困难家庭帮扶: visit quietly the same day, listen first, explain 临时救助 and 低保 without
    # deciding for the authorities, take the suicidal remark seriously, prepare documents truthfully,
    # report and help submit, stop the public fundraising post, link the other aid with consent,
    # decline the gift, explain the 公示 without disclosing, follow up.
    "hardship-family": [
        ("signal", "visit-today"),
        ("visit", "listen"),
        ("needs", "explain-check"),
        ("despair", "take-seriously"),
        ("documents", "honest"),
        ("submit", "accompany"),
        ("fundraise", "stop-and-channel"),
        ("links", "link-all"),
        ("gift", "decline"),
        ("publicity", "explain-publicity"),
        ("result", "follow"),
    ],
}

#: The drills issue 12 added (Deliver item 3); they must meet its size and safety minimums.
NEW_DRILLS = ("flood-evacuation", "family-conflict", "hardship-family")

#: Telephone numbers the new drills may name: the national emergency numbers and the national
#: women's rights hotline. Local hotlines differ by city and are never written as figures.
NATIONAL_NUMBERS = {"110", "119", "120", "12338"}


def load(drill_id: str) -> engine.Drill:
    return engine.load_drill_file(SCENARIOS / f"{drill_id}.yaml")


def every_drill_file() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("drill_id", sorted(EXPECTED_BEST))
def test_the_best_path_is_the_expected_safe_one(drill_id):
    drill = load(drill_id)
    path = engine.best_path(drill)
    assert [tuple(step) for step in path] == EXPECTED_BEST[drill_id]
    final = engine.replay(drill, path)
    assert final.outcome == "success"
    assert engine.red_lines_crossed(drill, path) == []


@pytest.mark.parametrize("drill_id", NEW_DRILLS)
def test_new_drills_are_big_enough_and_mark_real_red_lines(drill_id):
    drill = load(drill_id)
    nodes = list(drill.nodes.values())
    endings = {node.ending for node in nodes if node.is_ending}
    red_lines = [choice.red_line for node in nodes for choice in node.choices if choice.red_line]
    red_lines += [node.on_timeout.red_line for node in nodes if node.on_timeout and node.on_timeout.red_line]
    assert len(nodes) >= 12
    assert sum(node.is_ending for node in nodes) >= 3
    assert endings == {"success", "partial", "failure"}
    assert sum(node.is_urgent for node in nodes) >= 2
    assert len(red_lines) >= 3
    assert any(choice.required_step for node in nodes for choice in node.choices)
    assert drill.version == 1 and 2 <= drill.difficulty <= 3


@pytest.mark.parametrize("drill_id", NEW_DRILLS)
def test_new_drills_invent_no_local_figures(drill_id):
    """Allowance amounts and local hotlines differ by city: the drills say 以当地规定为准 instead."""
    text = (SCENARIOS / f"{drill_id}.yaml").read_text(encoding="utf-8")
    assert not re.search(r"\d\s*(?:元|块钱)", text), "an amount of money is named"
    named = set(re.findall(r"(?:拨打|打|热线|电话)\s*(\d{3,})", text))
    assert named <= NATIONAL_NUMBERS, f"numbers other than the national ones: {named - NATIONAL_NUMBERS}"


@pytest.mark.parametrize("path", every_drill_file(), ids=lambda path: path.stem)
def test_no_red_line_can_end_in_success(path):
    """Every drill in scenarios/, the corrected shipped ones included: no red-line play reaches
    success, none scores as much as the best safe play, and a required step never pays less now."""
    drill = engine.load_drill_file(path)
    assert engine.safety_problems(drill) == []


@pytest.mark.parametrize("path", every_drill_file(), ids=lambda p: p.stem)
def test_every_node_has_an_authored_title(path):
    """Maps and phone step lists show node titles: every shipped node names its moment in Chinese, and
    no two nodes of one drill share a title."""
    from app.content.yamlfile import load_yaml

    nodes = load_yaml(path)["nodes"]
    missing = [node_id for node_id, spec in nodes.items() if not spec.get("title")]
    assert not missing, f"{path.name}: nodes without a title: {missing}"
    titles = [spec["title"] for spec in nodes.values()]
    assert len(set(titles)) == len(titles), f"{path.name}: repeated titles"
    assert all(re.search(r"[\u4e00-\u9fff]", t) and not re.search(r"[a-z_]{3,}", t) for t in titles)
