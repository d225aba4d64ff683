"""Pairing suggestions and cohort assignment against hand-computed scores and brute force."""
import itertools
import random

import pytest

from app.mentor.pairing import (
    DEFAULT_WEIGHTS, REASON_TEXT, MentorCandidate, Mentee, PairingError, Weights, assign_cohort, suggest,
    suggestion_score, weakest_indicators,
)

# Area ids: city 1 → district 2 → street 3 → community 4 → grids 5 and 6; community 7 in street 3;
# street 8 in district 2; district 9 in city 1.
GRID5 = (1, 2, 3, 4, 5)


def mentor(id=100, path=GRID5, years=5.0, current=0, capacity=1, levels=None, name="导师"):
    return MentorCandidate(id, name, path, years, current, capacity, levels or {})


def mentee(id=1, path=GRID5, levels=None, name="新网格员"):
    return Mentee(id, name, path, levels or {})


def test_hand_computed_score():
    # proximity: grids 5 and 6 share the community (4 leading ids) → 0.75 × 35 = 26.25
    # experience: 3 years → (3 − 1) / 4 = 0.5 → × 20 = 10
    # complementarity: the mentee's 3 weakest are a 40, b 50, c 60 (d 90 is not among them);
    #   the mentor knows a (80 − 40 = 40 → 0.40) and b (45 − 50 < 0 → 0); c unknown, left out;
    #   mean(0.40, 0) = 0.20 → × 30 = 6
    # load: capacity 2, 1 mentee → 1/2 free → 0.5 × 15 = 7.5
    # total = 26.25 + 10 + 6 + 7.5 = 49.75
    m = mentor(path=GRID5, years=3, current=1, capacity=2, levels={"a": 80, "b": 45, "c": None, "d": 100})
    e = mentee(path=(1, 2, 3, 4, 6), levels={"a": 40, "b": 50, "c": 60, "d": 90})
    score = suggestion_score(m, e)
    assert score.eligible
    assert [(p.name, p.value) for p in score.parts] == [
        ("proximity", 0.75), ("experience", 0.5), ("complementarity", pytest.approx(0.2)), ("load", 0.5)]
    assert [p.points for p in score.parts] == pytest.approx([26.25, 10, 6, 7.5])
    assert score.total == pytest.approx(49.75)
    assert [r.key for r in score.reasons] == [
        "same_community", "experience_some", "covers_weakness", "no_edge", "mentor_level_unknown", "free_places"]
    assert score.reasons[2].params == {"indicator": "a", "mentor": 80, "mentee": 40}
    assert all(r.key in REASON_TEXT for r in score.reasons)


@pytest.mark.parametrize(("path", "value", "key"), [
    (GRID5, 1.0, "same_grid"),
    ((1, 2, 3, 4, 6), 0.75, "same_community"),
    ((1, 2, 3, 4), 0.75, "same_community"),     # placed at the community itself
    ((1, 2, 3, 7, 10), 0.5, "same_street"),
    ((1, 2, 8, 11, 12), 0.25, "same_district"),
    ((1, 9, 13, 14, 15), 0.0, "far"),
    ((20, 21, 22, 23, 24), 0.0, "far"),
    ((), 0.0, "area_unknown"),
])
def test_proximity(path, value, key):
    score = suggestion_score(mentor(path=path), mentee(path=GRID5))
    assert score.part("proximity").value == value
    assert score.reasons[0].key == key


@pytest.mark.parametrize(("years", "value", "key"), [
    (0, 0.0, "experience_new"), (0.9, 0.0, "experience_new"), (1, 0.0, "experience_new"),
    (2, 0.25, "experience_some"), (4.6, 0.9, "experience_some"), (5, 1.0, "experience_full"),
    (12, 1.0, "experience_full"),
])
def test_experience(years, value, key):
    score = suggestion_score(mentor(years=years), mentee())
    assert score.part("experience").value == pytest.approx(value)
    assert score.reasons[1].key == key


def test_complementarity_neutral_and_ties():
    # Mentee without levels: nothing to compare → 0.5 for every mentor.
    assert suggestion_score(mentor(levels={"a": 90}), mentee()).part("complementarity").value == 0.5
    assert suggestion_score(mentor(levels={"a": 90}), mentee(levels={"a": None})).part("complementarity").value == 0.5
    # Mentor without a level on any of the mentee's weakest → 0.5.
    weak = {"a": 10, "b": 20, "c": 30, "d": 40}
    assert suggestion_score(mentor(levels={"d": 100}), mentee(levels=weak)).part("complementarity").value == 0.5
    # Ties among the weakest go by indicator id: x, y, z all 50 and w 50 → w, x, y.
    assert weakest_indicators({"z": 50, "y": 50, "x": 50, "w": 50, "v": None}) == ["w", "x", "y"]
    # Fewer than three known: mean over those. (100 − 0)/100 and (50 − 60 → 0): mean 0.5.
    score = suggestion_score(mentor(levels={"a": 100, "b": 50}), mentee(levels={"a": 0, "b": 60}))
    assert score.part("complementarity").value == pytest.approx(0.5)
    # Full cover: (100 − 10 + 100 − 20 + 100 − 30) / 3 / 100 = 0.8
    strong = {"a": 100, "b": 100, "c": 100, "d": 0}
    score = suggestion_score(mentor(levels=strong), mentee(levels=weak))
    assert score.part("complementarity").value == pytest.approx(0.8)


def test_load_and_eligibility():
    assert suggestion_score(mentor(capacity=1, current=0), mentee()).part("load").value == 1.0
    assert suggestion_score(mentor(capacity=2, current=0), mentee()).part("load").value == 1.0
    assert suggestion_score(mentor(capacity=2, current=1), mentee()).part("load").value == 0.5
    full = suggestion_score(mentor(capacity=2, current=2), mentee())
    assert not full.eligible and full.total == 0 and full.part("load").value == 0
    assert full.reasons[-1].key == "full" and full.reasons[-1].params == {"current": 2, "capacity": 2}
    over = suggestion_score(mentor(capacity=1, current=3), mentee())      # older data over capacity
    assert not over.eligible
    me = suggestion_score(mentor(id=1), mentee(id=1))
    assert not me.eligible and me.reasons[-1].key == "self"


def test_best_possible_and_weights():
    m = mentor(years=6, levels={"a": 100})
    e = mentee(levels={"a": 0})
    assert suggestion_score(m, e).total == pytest.approx(100)
    # Only ratios matter: proximity alone, same street → 0.5 → 50 points.
    only_place = Weights(proximity=2, experience=0, complementarity=0, load=0)
    assert suggestion_score(mentor(path=(1, 2, 3, 7, 10)), e, only_place).total == pytest.approx(50)
    with pytest.raises(PairingError):
        Weights(0, 0, 0, 0)
    with pytest.raises(PairingError):
        Weights(proximity=-1)
    assert sum(getattr(DEFAULT_WEIGHTS, n) for n in ("proximity", "experience", "complementarity", "load")) == 100


@pytest.mark.parametrize("kwargs", [
    {"capacity": 3}, {"capacity": 0}, {"capacity": True}, {"current": -1}, {"years": -0.5},
    {"levels": {"a": 101}}, {"levels": {"a": -1}}, {"path": (1, 2, 3, 4, 5, 6)},
])
def test_invalid_mentor(kwargs):
    with pytest.raises(PairingError):
        mentor(**kwargs)


def test_invalid_mentee_and_duplicates():
    with pytest.raises(PairingError):
        mentee(levels={"a": 150})
    with pytest.raises(PairingError, match="mentor 100 appears twice"):
        suggest([mentee()], [mentor(), mentor()])
    with pytest.raises(PairingError, match="mentee 1 appears twice"):
        assign_cohort([mentee(), mentee()], [mentor()])
    with pytest.raises(PairingError):
        suggest([mentee()], [mentor()], top=0)


def test_suggest_ranks_and_excludes_full_mentors():
    e = mentee(id=1, path=GRID5, levels={"a": 30, "b": 60})
    mentors = [
        # same grid 35 + 5 y 20 + mean(a (90 − 30)/100 = 0.6, b 60 − 60 → 0) = 0.3 × 30 = 9 + free 15 → 79
        mentor(id=101, path=GRID5, years=5, levels={"a": 90, "b": 60}),
        # same street 17.5 + 3 y 10 + a (100−30)=.7, b (100−60)=.4 → .55 × 30 = 16.5 + 1 of 2 free 7.5 → 51.5
        mentor(id=102, path=(1, 2, 3, 7, 10), years=3, current=1, capacity=2, levels={"a": 100, "b": 100}),
        # full: excluded even though it would score highest
        mentor(id=103, path=GRID5, years=9, current=1, capacity=1, levels={"a": 100, "b": 100}),
        # same community 26.25 + 0.5 y 0 + no levels → neutral 0.5 → 15 + free 15 → 56.25
        mentor(id=104, path=(1, 2, 3, 4, 6), years=0.5),
        # the same scores as 104 with a higher id: ranks after it
        mentor(id=105, path=(1, 2, 3, 4, 6), years=0.5),
    ]
    ranked = suggest([e], mentors)[1]
    assert [(s.mentor_id, round(s.total, 2)) for s in ranked] == [(101, 79.0), (104, 56.25), (105, 56.25)]
    everyone = suggest([e], list(reversed(mentors)), top=None)[1]
    assert [s.mentor_id for s in everyone] == [101, 104, 105, 102]
    assert suggest([e], [mentors[2]]) == {1: []}


def test_suggest_keeps_mentee_order():
    result = suggest([mentee(id=3), mentee(id=1), mentee(id=2)], [mentor()])
    assert list(result) == [3, 1, 2]


# --- cohort assignment -------------------------------------------------------------------------

def brute_force(mentees, mentors, weights=DEFAULT_WEIGHTS):
    """Best (pairs, total) over every pairing that respects free places, by enumeration."""
    options = []
    for e in mentees:
        options.append([None] + [m for m in mentors if m.free_places > 0 and m.id != e.id])
    best = (-1, -1.0)
    for choice in itertools.product(*options):
        used = {}
        for m in choice:
            if m is not None:
                used[m.id] = used.get(m.id, 0) + 1
        if any(used[m.id] > m.free_places for m in mentors if m.id in used):
            continue
        total = sum(suggestion_score(m, e, weights).total for e, m in zip(mentees, choice) if m is not None)
        count = sum(m is not None for m in choice)
        if (count, round(total, 9)) > (best[0], round(best[1], 9)):
            best = (count, total)
    return best


def check_valid(result, mentees, mentors):
    by_id = {m.id: m for m in mentors}
    load = {}
    for pair in result.pairs:
        assert pair.eligible and pair.mentor_id != pair.mentee_id
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    assert all(load[i] <= by_id[i].free_places for i in load)
    assigned = [p.mentee_id for p in result.pairs] + [u.mentee_id for u in result.unassigned]
    assert sorted(assigned) == sorted(e.id for e in mentees)


def random_case(rng):
    paths = [(1, 2, 3, 4, 5), (1, 2, 3, 4, 6), (1, 2, 3, 7, 8), (1, 2, 9, 10, 11), (1, 12, 13, 14, 15), ()]
    indicators = ["comm.residents", "handling.emergency", "policy.accuracy", "resilience.emotion"]

    def levels():
        return {i: rng.choice([None, rng.randint(0, 100)]) for i in rng.sample(indicators, rng.randint(0, 4))}

    mentees = [Mentee(i, f"e{i}", rng.choice(paths), levels()) for i in range(1, rng.randint(1, 6) + 1)]
    mentors = []
    for j in range(rng.randint(1, 4)):
        capacity = rng.choice([1, 2])
        # Now and then a mentor id equal to a mentee id: that person cannot mentor themselves.
        mentor_id = rng.choice([1, 2]) if rng.random() < 0.15 and j == 0 else 100 + j
        mentors.append(MentorCandidate(mentor_id, f"m{j}", rng.choice(paths), rng.choice([0.5, 2, 3.5, 7]),
                                       rng.randint(0, capacity), capacity, levels()))
    return mentees, mentors


@pytest.mark.parametrize("seed", range(60))
def test_assignment_matches_brute_force(seed):
    rng = random.Random(seed)
    mentees, mentors = random_case(rng)
    result = assign_cohort(mentees, mentors)
    check_valid(result, mentees, mentors)
    count, total = brute_force(mentees, mentors)
    assert len(result.pairs) == count
    assert result.total == pytest.approx(total, abs=1e-9)
    # The same cohort in another order gives the same pairs.
    again = assign_cohort(list(reversed(mentees)), list(reversed(mentors)))
    assert [(p.mentee_id, p.mentor_id) for p in again.pairs] == [(p.mentee_id, p.mentor_id) for p in result.pairs]


def test_capacity_two_respected():
    # Mentor 100 is everyone's best (same grid, 10 years) but has 2 places; 101 is far and new.
    star = mentor(id=100, years=10, capacity=2)
    other = mentor(id=101, path=(1, 9, 13, 14, 15), years=0.5, capacity=2)
    mentees = [mentee(id=i) for i in (1, 2, 3)]
    result = assign_cohort(mentees, [star, other])
    assert sorted(p.mentor_id for p in result.pairs) == [100, 100, 101]
    assert not result.unassigned
    # With one mentee already, the star has one place left.
    busy_star = mentor(id=100, years=10, capacity=2, current=1)
    result = assign_cohort(mentees, [busy_star, other])
    assert sorted(p.mentor_id for p in result.pairs) == [100, 101, 101]


def test_unassignable_mentees_reported():
    full = mentor(id=100, capacity=1, current=1)
    result = assign_cohort([mentee(id=1), mentee(id=2)], [full])
    assert result.pairs == () and result.total == 0
    assert [(u.mentee_id, u.reason) for u in result.unassigned] == [(1, "no_eligible_mentor"),
                                                                     (2, "no_eligible_mentor")]
    # One place for two: the closer mentee gets it, the other ran out of places.
    one = mentor(id=100, capacity=1)
    result = assign_cohort([mentee(id=1, path=(1, 9, 13, 14, 15)), mentee(id=2)], [one])
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(2, 100)]
    assert [(u.mentee_id, u.reason) for u in result.unassigned] == [(1, "no_place_left")]
    # Only candidate is the mentee themselves.
    result = assign_cohort([mentee(id=5)], [mentor(id=5)])
    assert [(u.mentee_id, u.reason) for u in result.unassigned] == [(5, "no_eligible_mentor")]
    assert assign_cohort([], [one]).pairs == ()
    assert assign_cohort([mentee()], []).unassigned[0].reason == "no_eligible_mentor"


def test_pairs_as_many_as_possible_before_total():
    # Proximity only. Mentee 10 is in mentor 1's grid (100) and far from mentor 20 (0); mentee 20
    # can only have mentor 1 (mentor 20 is the same person), scoring 0. Highest total alone would
    # give 10 → 1 (100) and leave 20 without a mentor; pairing both is preferred (total 0).
    weights = Weights(proximity=1, experience=0, complementarity=0, load=0)
    m1 = mentor(id=1, path=GRID5)
    m20 = mentor(id=20, path=(20, 21, 22, 23, 24))
    e10 = mentee(id=10, path=GRID5)
    e20 = mentee(id=20, path=(30, 31, 32, 33, 34))
    result = assign_cohort([e10, e20], [m1, m20], weights)
    assert [(p.mentee_id, p.mentor_id) for p in result.pairs] == [(10, 20), (20, 1)]
    assert brute_force([e10, e20], [m1, m20], weights) == (2, 0.0)
    assert result.mentor_of(20) == 1 and result.mentor_of(99) is None


def test_larger_cohort_is_valid_and_not_beaten_by_greedy():
    rng = random.Random(7)
    paths = [(1, 2, 3, 4, g) for g in range(5, 15)] + [(1, 2, 3, c, 50 + c) for c in range(20, 25)]
    mentees = [Mentee(i, f"e{i}", rng.choice(paths), {"a": rng.randint(0, 100), "b": rng.randint(0, 100)})
               for i in range(1, 41)]
    mentors = [MentorCandidate(100 + j, f"m{j}", rng.choice(paths), rng.uniform(0, 10), 0, rng.choice([1, 2]),
                               {"a": rng.randint(0, 100), "b": rng.randint(0, 100)}) for j in range(25)]
    result = assign_cohort(mentees, mentors)
    check_valid(result, mentees, mentors)
    places = sum(m.free_places for m in mentors)
    assert len(result.pairs) == min(places, len(mentees))
    # Greedy (best remaining pair first) is a feasible pairing, so the optimum is at least as good.
    free = {m.id: m.free_places for m in mentors}
    greedy_total, taken = 0.0, set()
    pairs = sorted(((suggestion_score(m, e).total, e.id, m.id) for e in mentees for m in mentors), reverse=True)
    for total, e_id, m_id in pairs:
        if e_id not in taken and free[m_id] > 0:
            taken.add(e_id)
            free[m_id] -= 1
            greedy_total += total
    if len(taken) == len(result.pairs):
        assert result.total >= greedy_total - 1e-9
