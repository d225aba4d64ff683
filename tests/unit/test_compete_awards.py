"""Single awards (单项奖): 政策通, 调解能手, 服务之星 from indicator groups, evidence minimum, tie-breaks."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.compete.rules import (
    AWARD_RULES, AwardRule, award_indicators, groups_from_indicators, single_awards,
)
from app.refusal import RuleBroken

CST = timezone(timedelta(hours=8))
GROUPS = {  # courses/competency-model.yaml
    "policy": ("policy.learning", "policy.accuracy"),
    "comm": ("comm.residents", "comm.departments"),
    "handling": ("handling.detection", "handling.emergency"),
    "info": ("info.collection", "info.analysis"),
    "resilience": ("resilience.stress", "resilience.emotion"),
}
SCORES = {
    "p1": {"policy.learning": 90, "policy.accuracy": 80,                          # policy 85
           "comm.residents": 70, "comm.departments": 60, "resilience.emotion": 80,  # mediation 70
           "handling.detection": 90, "handling.emergency": 95},                   # service (70+90+95)/3 = 85
    "p2": {"policy.learning": 100,                                                # policy 100 on 1 of 2: enough
           "comm.residents": 90, "comm.departments": 90},                         # mediation 90 on 2 of 3: enough
                                                                                  # service: 1 of 3, not enough
    "p3": {"policy.learning": 85, "policy.accuracy": 85,                          # policy 85; mediation 80 on 1 of 3
           "comm.residents": 80, "handling.detection": 90, "handling.emergency": 85},  # service 85
    "p5": {"resilience.emotion": 100},                                            # mediation: 1 of 3, not enough
}


def by_key(awards):
    return {award.key: award for award in awards}


def test_rules_and_indicators_used():
    assert [(rule.key, rule.title) for rule in AWARD_RULES] == [
        ("policy_expert", "政策通"), ("mediator", "调解能手"), ("service_star", "服务之星")]
    awards = by_key(single_awards(SCORES, GROUPS))
    assert awards["policy_expert"].indicators == ("policy.learning", "policy.accuracy")
    assert awards["mediator"].indicators == ("comm.residents", "comm.departments", "resilience.emotion")
    assert awards["service_star"].indicators == ("comm.residents", "handling.detection", "handling.emergency")
    assert [award.min_indicators for award in awards.values()] == [1, 2, 2]


def test_winners_with_the_evidence_minimum():
    awards = by_key(single_awards(SCORES, GROUPS))
    assert awards["policy_expert"].winners == ("p2",) and awards["policy_expert"].score == 100
    assert awards["mediator"].winners == ("p2",) and awards["mediator"].score == 90   # p5's 100 is on 1 of 3 only


def test_one_person_may_win_several_awards():
    won = [award.key for award in single_awards(SCORES, GROUPS) if "p2" in award.winners]
    assert won == ["policy_expert", "mediator"]


def test_exact_tie_gives_joint_winners():
    service = by_key(single_awards(SCORES, GROUPS))["service_star"]
    assert service.winners == ("p1", "p3") and service.score == 85


def test_tie_goes_to_the_earlier_finish():
    finished = {"p1": datetime(2024, 5, 10, 11, 0, tzinfo=CST), "p3": datetime(2024, 5, 10, 10, 59, tzinfo=CST)}
    service = by_key(single_awards(SCORES, GROUPS, finished_at=finished))["service_star"]
    assert service.winners == ("p3",)
    finished["p3"] = None                                        # no finish time: after any time
    assert by_key(single_awards(SCORES, GROUPS, finished_at=finished))["service_star"].winners == ("p1",)


def test_tie_then_goes_to_more_indicators_scored():
    scores = {"p1": SCORES["p1"], "p4": {"comm.residents": 80, "handling.detection": 90}}   # 85 on 2 of 3
    assert by_key(single_awards(scores, GROUPS))["service_star"].winners == ("p1",)


def test_mean_rounds_half_up_to_two_decimals():
    scores = {"x": {"comm.residents": 80, "handling.detection": 80, "handling.emergency": 80.01}}  # 80.00333…
    assert by_key(single_awards(scores, GROUPS))["service_star"].score == 80
    scores = {"x": {"policy.learning": 80.01, "policy.accuracy": 80}}                                # 80.005
    assert by_key(single_awards(scores, GROUPS))["policy_expert"].score == 80.01


def test_nobody_qualifying_means_no_winner():
    awards = by_key(single_awards({"p": {"policy.learning": 60, "info.collection": 90}}, GROUPS))
    assert awards["policy_expert"].winners == ("p",)
    assert awards["mediator"].winners == () and awards["mediator"].score is None
    assert single_awards({}, GROUPS)[0].winners == ()


def test_a_city_model_without_some_indicators():
    variant = {"comm": ("comm.residents", "comm.departments"), "handling": ("handling.emergency",)}
    awards = by_key(single_awards({"p": {"comm.departments": 70}}, variant))
    assert "policy_expert" not in awards                        # no policy indicators at all: no award
    assert awards["mediator"].indicators == ("comm.residents", "comm.departments")
    assert awards["mediator"].min_indicators == 1 and awards["mediator"].winners == ("p",)
    assert awards["service_star"].indicators == ("comm.residents", "handling.emergency")


def test_unknown_indicators_and_none_scores_are_ignored():
    scores = {"p": {"policy.learning": 70, "policy.accuracy": None, "policy.other": 100}}
    assert by_key(single_awards(scores, GROUPS))["policy_expert"].score == 70


@pytest.mark.parametrize("bad", [-1, 101, "good", float("nan")])
def test_bad_indicator_scores(bad):
    with pytest.raises(RuleBroken) as error:
        single_awards({"p": {"policy.learning": bad}}, GROUPS)
    assert error.value.key == "award.bad_score"
    assert error.value.params["entry"] == "p" and error.value.params["indicator"] == "policy.learning"


def test_custom_rules_and_groups_from_model_indicators():
    model = [SimpleNamespace(id=i, group_id=g) for g, ids in GROUPS.items() for i in ids]
    assert groups_from_indicators(model) == {g: ids for g, ids in GROUPS.items()}
    data_star = AwardRule("data_star", "数据之星", groups=("info",), indicators=("policy.learning", "info.analysis"))
    assert award_indicators(data_star, GROUPS) == ("info.collection", "info.analysis", "policy.learning")
    (award,) = single_awards({"p": {"info.collection": 90, "policy.learning": 60}}, GROUPS, rules=[data_star])
    assert award.winners == ("p",) and award.score == 75 and award.min_indicators == 2


def test_groups_must_map_to_indicator_ids():
    with pytest.raises(RuleBroken) as error:
        single_awards(SCORES, {1: "张伟", 2: "王芳"})                  # entry names, not groups
    assert error.value.key == "award.bad_groups"
