"""Item statistics against hand-computed values (the working is in the comments)."""
import pytest

from app.quiz.stats import AttemptRecord, correlation, quiz_statistics, upper_lower_index

# Five attempts at a four-question quiz (scores per question, 0..1):
#
#        q1   q2   q3   q4    sum   percentage
#   A1   1    1    1    0     3     75
#   A2   1    1    0    0     2     50
#   A3   1    0    0    1     2     50
#   A4   0    0.5  0    1     1.5   37.5
#   A5   1    1    1    1     4     100
ATTEMPTS = [
    {"scores": {"q1": 1, "q2": 1, "q3": 1, "q4": 0}, "choices": {"q1": ["b"], "q2": ["a", "c"]}},
    {"scores": {"q1": 1, "q2": 1, "q3": 0, "q4": 0}, "choices": {"q1": ["b"], "q2": ["a", "c"]}},
    {"scores": {"q1": 1, "q2": 0, "q3": 0, "q4": 1}, "choices": {"q1": ["b"], "q2": []}},
    {"scores": {"q1": 0, "q2": 0.5, "q3": 0, "q4": 1}, "choices": {"q1": ["a"], "q2": ["a"]}},
    AttemptRecord(scores={"q1": 1, "q2": 1, "q3": 1, "q4": 1}, choices={"q1": ["b"], "q2": ["a", "c"]}),
]


def stats(**kwargs):
    result = quiz_statistics(ATTEMPTS, **kwargs)
    return result.quiz, {q.question_id: q for q in result.questions}


def test_quiz_summary():
    quiz, _ = stats()
    assert quiz.attempts == 5
    # mean = (75 + 50 + 50 + 37.5 + 100) / 5 = 312.5 / 5 = 62.5
    assert quiz.mean == pytest.approx(62.5)
    # sorted: 37.5, 50, 50, 75, 100 → median 50
    assert quiz.median == pytest.approx(50)
    # deviations 12.5, -12.5, -12.5, -25, 37.5; squares 156.25 × 3 + 625 + 1406.25 = 2500;
    # sample variance 2500 / (5 - 1) = 625; sd = 25
    assert quiz.stdev == pytest.approx(25)
    # bins of 10 points: 37.5 → [30,40), 50 ×2 → [50,60), 75 → [70,80), 100 → last bin [90,100]
    assert quiz.histogram == (0, 0, 0, 1, 0, 2, 0, 1, 0, 1)


def test_facility_and_spread():
    _, q = stats()
    # q1: 1,1,1,0,1 → 4/5; q2: 1,1,0,0.5,1 → 3.5/5; q3: 2/5; q4: 3/5
    assert [q[i].facility for i in ("q1", "q2", "q3", "q4")] == pytest.approx([0.8, 0.7, 0.4, 0.6])
    # q2: deviations .3,.3,-.7,-.2,.3 → squares .09×3 + .49 + .04 = .8; /4 = .2; sd = √.2
    assert q["q2"].stdev == pytest.approx(0.2 ** 0.5)
    assert all(s.attempts == 5 for s in q.values())


def test_upper_lower_27_percent_discrimination():
    _, q = stats()
    # g = round(0.27 × 5) = round(1.35) = 1 attempt in each group, ranked by rest-of-test percentage.
    # q3: rest = (q1+q2+q4)/3 → A1 2/3, A2 2/3, A3 2/3, A4 1.5/3, A5 3/3;
    #     lowest A4 (q3 = 0), highest A5 (q3 = 1) → D = 1 - 0 = 1
    assert q["q3"].discrimination == pytest.approx(1.0)
    # q1: rest = (q2+q3+q4)/3 → A1 2/3, A2 1/3, A3 1/3, A4 1.5/3, A5 3/3;
    #     lowest A2 (tie with A3, attempt order keeps A2 first; q1 = 1), highest A5 (q1 = 1) → D = 0
    assert q["q1"].discrimination == pytest.approx(0.0)


def test_point_biserial_is_item_rest_correlation():
    _, q = stats()
    # q3: x = 1,0,0,0,1 (mean .4); rest sums ×2 (a linear change leaves r alone) y = 4,4,4,3,6 (mean 4.2)
    #     dx = .6,-.4,-.4,-.4,.6   dy = -.2,-.2,-.2,-1.2,1.8
    #     Σdxdy = -.12+.08+.08+.48+1.08 = 1.6; Σdx² = .36×2+.16×3 = 1.2; Σdy² = .04×3+1.44+3.24 = 4.8
    #     r = 1.6 / √(1.2 × 4.8) = 1.6 / 2.4 = 2/3
    assert q["q3"].point_biserial == pytest.approx(2 / 3)
    # q1: x = 1,1,1,0,1 (mean .8); y = 4,2,2,3,6 (mean 3.4)
    #     dx = .2,.2,.2,-.8,.2   dy = .6,-1.4,-1.4,-.4,2.6
    #     Σdxdy = .12-.28-.28+.32+.52 = .4; Σdx² = .8; Σdy² = .36+1.96+1.96+.16+6.76 = 11.2
    #     r = .4 / √8.96 = 0.133631
    assert q["q1"].point_biserial == pytest.approx(0.4 / 8.96 ** 0.5)
    # q4: x = 0,0,1,1,1 (mean .6); y = 6,4,2,1,6 (mean 3.8)
    #     dx = -.6,-.6,.4,.4,.4   dy = 2.2,.2,-1.8,-2.8,2.2
    #     Σdxdy = -1.32-.12-.72-1.12+.88 = -2.4; Σdx² = 1.2; Σdy² = 4.84+.04+3.24+7.84+4.84 = 20.8
    #     r = -2.4 / √24.96 = -0.480384
    assert q["q4"].point_biserial == pytest.approx(-2.4 / 24.96 ** 0.5)


def test_option_frequencies():
    _, q = stats()
    assert q["q1"].choices == {"b": 4, "a": 1} and q["q1"].blank == 0
    assert q["q2"].choices == {"a": 4, "c": 3} and q["q2"].blank == 1
    assert q["q3"].choices == {} and q["q3"].blank == 5


def test_flags_need_enough_attempts():
    _, q = stats()  # default: flags only from 10 attempts on
    assert all(s.flags == () for s in q.values())
    _, q = stats(min_attempts=5)
    assert q["q4"].flags == ("negative-discrimination",)  # r = -0.48
    assert q["q1"].flags == q["q3"].flags == ()


def test_too_easy_and_too_hard():
    # 10 attempts: q-easy always right (facility 1.0 > .95), q-hard always wrong (0 < .1),
    # q-mid right in half of them (no flag).
    attempts = [{"scores": {"easy": 1, "hard": 0, "mid": i % 2}} for i in range(10)]
    result = quiz_statistics(attempts, ["easy", "hard", "mid", "unused"])
    flags = {q.question_id: q.flags for q in result.questions}
    assert flags == {"easy": ("too-easy",), "hard": ("too-hard",), "mid": (), "unused": ()}
    unused = result.questions[3]
    assert (unused.attempts, unused.facility, unused.discrimination, unused.point_biserial) == (0, None, None, None)
    # easy/hard do not vary, so no correlation can be computed
    assert result.questions[0].point_biserial is None


def test_upper_lower_group_size_with_ten_attempts():
    # g = round(0.27 × 10) = round(2.7) = 3
    pairs = [(0, 10), (0, 20), (1, 30), (0, 40), (1, 50), (1, 60), (0, 70), (1, 80), (1, 90), (1, 100)]
    # lower three (rest 10, 20, 30): 0, 0, 1 → 1/3; upper three (80, 90, 100): 1, 1, 1 → 1; D = 2/3
    assert upper_lower_index(pairs) == pytest.approx(2 / 3)
    assert upper_lower_index([(1, 50)]) is None
    # two attempts: g = round(0.54) = 1
    assert upper_lower_index([(0, 10), (1, 90)]) == 1.0
    assert correlation([(1, 10), (0, 20)]) is None  # fewer than 3


def test_random_draw_attempts_hold_different_questions():
    attempts = [{"scores": {"a": 1, "b": 0}}, {"scores": {"b": 1, "c": 1}}, {"scores": {"a": 0}}]
    result = quiz_statistics(attempts)
    # percentages 50, 100, 0 → mean 50
    assert result.quiz.mean == pytest.approx(50)
    a = result.questions[0]
    # a: held by attempts 1 and 3; attempt 3 has no rest of test, so only one pair remains
    assert (a.attempts, a.facility, a.discrimination) == (2, 0.5, None)


def test_empty_and_bad_input():
    result = quiz_statistics([])
    assert (result.quiz.attempts, result.quiz.mean, result.quiz.stdev, result.questions) == (0, None, None, [])
    with pytest.raises(ValueError):
        quiz_statistics([{"scores": {"a": 1.5}}])
    with pytest.raises(ValueError):
        quiz_statistics([{"scores": {}}])
