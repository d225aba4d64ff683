"""The quiz pages as a learner reads them (issue 15, item 3): options lettered A, B, C … while the form
still posts the per-attempt tokens; true/false as 正确/错误 buttons; an answer sheet (答题卡) with the
answered count and a confirmation naming the blanks; the result saying how many were left blank; the
review marking the learner's own choice right or wrong beside the key with full-width separators; a
competition round's result reading as a competition (本轮得分, no 及格, no 错题本) and sealed while it runs."""
import re

from app.extensions import db
from app.models import QuizAttempt
from app.quiz import service
from app.quiz.questions import POSITIONAL_IDS
from tests.conftest import csrf_from
from tests.views.test_compete import as_user, competition, take_quiz  # noqa: F401  (fixture)
from tests.views.test_compete_sealing import close_all, publish
from tests.views.test_quiz_take import begin, right_answer, save, wrong_answer  # noqa: F401  (fixture)


def test_options_are_lettered_but_post_tokens_and_truefalse_are_buttons(client, begin):
    attempt = begin()
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    for row in attempt.answers:
        block = page.split(f'data-answer-id="{row.id}" id="question-')[1].split("</fieldset>")[0]
        if row.spec["type"] in ("single", "multiple"):
            letters = re.findall(r'<span class="option-letter">([A-H])\.</span>', block)
            assert letters == list("ABCDEFGH"[:len(row.spec["options"])])
            values = re.findall(r'value="([^"]*)"', block)
            assert set(values[1:]) == set(service.row_tokens(row).values())  # [0] is the sequence number
            assert not set(values[1:]) & set(POSITIONAL_IDS) and not set(values[1:]) & set("ABCDEFGH")
        elif row.spec["type"] == "truefalse":
            assert 'class="tf-choices"' in block
            assert re.findall(r'class="option tf">.*?\s(正确|错误)</label>', block, re.S)
            assert sorted(re.findall(r"(正确|错误)</label>", block)) == ["正确", "错误"]


def test_answer_sheet_counts_answers_and_the_confirmation_names_the_blanks(client, begin):
    attempt = begin()
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    sheet = page.split('id="answer-sheet"')[1].split("</nav>")[0]
    assert "答题卡" in sheet and "已答 0 / 10 题" in sheet
    assert re.findall(r'href="#question-(\d+)"', sheet) == [str(n) for n in range(1, 11)]
    assert sheet.count("（未答）") == 10 and 'class="sheet-box answered"' not in sheet
    assert 'data-confirm="还有{n}道题未作答，确定交卷吗？"' in page  # quiz.js fills in the count
    assert "<script>" not in page and "onclick" not in page  # CSP: the script is a static file
    for row in attempt.answers[:2]:
        assert save(client, attempt, row.id, right_answer(row)).json["ok"]
    sheet = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True).split('id="answer-sheet"')[1]
    assert "已答 2 / 10 题" in sheet and sheet.count('class="sheet-box answered"') == 2
    assert f'class="sheet-box answered" data-answer-id="{attempt.answers[0].id}"' in sheet


def test_result_says_how_many_were_left_blank(client, begin):
    attempt = begin()
    token = csrf_from(client, "/quizzes")
    form = {"csrf_token": token}
    form.update({f"q-{row.id}": right_answer(row) for row in attempt.answers[:7]})
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "共10题，其中3题未作答。" in page
    assert "及格" in page and "错题本" in page  # an ordinary quiz keeps its pass mark and book


def test_review_marks_the_learners_own_choice_beside_the_key(client, begin):
    attempt = begin()
    form = {"csrf_token": csrf_from(client, "/quizzes")}
    form.update({f"q-{row.id}": wrong_answer(row) for row in attempt.answers})
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    sections = page.split('<section class="card question')[1:]
    assert len(sections) == 10
    for row, section in zip(attempt.answers, sections):
        if row.spec["type"] == "fill":
            assert "你的答案：" in section and "✗ 错误" in section
            continue
        assert section.count("✗ 你的选择，错误") == 1 and "✓ 正确答案" in section
        assert "你的选择，正确" not in section
        if row.spec["type"] == "multiple":
            key = section.split('class="correct-answer"')[1].split("</p>")[0]
            right = sum(1 for o in row.spec["options"] if o.get("correct"))
            assert key.count("；") == right - 1 and ";" not in key
            assert re.search(r"[A-H]\. ", key)
    assert "您的选择" not in page


def test_a_competition_result_reads_as_a_competition_and_stays_sealed(client, competition, login):
    as_user(client, login, "worker")
    attempt = take_quiz(client, competition, right=True)
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert 'id="sealed"' in page and "2026年下半年网格员技能比武" in page.split("<h1>")[0]  # crumbs
    assert "及格" not in page and "错题本" not in page and "/quizzes/book" not in page
    assert 'class="correct-answer"' not in page and "✓" not in page and "你的选择" not in page  # sealed
    assert f'/compete/{competition.id}"' in page  # back to the competition, not to the quiz list
    close_all(competition)
    publish(client, login, competition)
    as_user(client, login, "worker")
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "本轮得分：100.0%" in page and "✓ 你的选择，正确" in page
    assert "及格" not in page and "错题本" not in page and "测验成绩" not in page


def test_a_competition_paper_is_taken_as_a_competition(client, competition, login):
    as_user(client, login, "worker")
    token = csrf_from(client, f"/compete/{competition.id}")
    response = client.post(f"/compete/{competition.id}/rounds/{competition.rounds[0].id}/start",
                           data={"csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    crumbs = page.split('class="crumbs">')[1].split("</p>")[0]
    assert "比赛答题" in crumbs and "/quizzes\"" not in crumbs
    db.session.rollback()


def test_quiz_list_is_ordered_by_tier_and_course_with_consistent_names(client, content, people, login):
    from sqlalchemy import select

    from app.models import Course, Quiz

    login("worker")
    page = client.get("/quizzes").get_data(as_text=True)
    sections = re.findall(r'<h2 class="quiz-section" id="section-(\w+)">([^<]+)</h2>', page)
    assert [s for s, _ in sections] == ["onboarding", "annual", "topical", "practice"]
    assert [t for _, t in sections][:3] == ["入职培训", "年度轮训", "专题培训"]
    shown = re.findall(r'<article class="card" id="quiz-([\w-]+)">', page)
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.kind != "competition"))}
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    tiers = ("onboarding", "annual", "topical")
    keys = [(tiers.index(courses[quizzes[s].course_slug].tier), courses[quizzes[s].course_slug].sort_order)
            for s in shown if quizzes[s].course_slug]
    assert keys and keys == sorted(keys)
    assert shown[len(keys):][0] == "daily"  # practice after the course tests, 每日一练 first
    ending = {"onboarding": "结业测验", "annual": "年度测验", "topical": "专题测验"}
    for slug in shown[:len(keys)]:
        quiz = quizzes[slug]
        assert quiz.title.endswith(ending[courses[quiz.course_slug].tier]) and " " not in quiz.title, quiz.title


def test_a_fill_in_typed_with_punctuation_and_spaces_counts_as_right(client, begin):
    from app.quiz.questions import build_question

    attempt = begin(slug="emergency-drill-quiz")
    for _ in range(12):  # the practice quiz (unlimited attempts) draws 8: find a paper with a blank
        fill = next((r for r in attempt.answers if r.spec["type"] == "fill"), None)
        if fill is not None:
            break
        client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": csrf_from(client, "/quizzes")})
        started = client.post("/quizzes/emergency-drill-quiz/start", data={"csrf_token": csrf_from(client, "/quizzes")})
        attempt = db.session.get(QuizAttempt, int(started.headers["Location"].rsplit("/", 1)[1]))
    assert fill is not None
    key = build_question(fill.spec).correct_answer()[0]
    typed = f" {key[:1]} {key[1:]}。"  # a space inside, a full stop after
    form = {"csrf_token": csrf_from(client, "/quizzes"), f"q-{fill.id}": typed}
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    db.session.refresh(fill)
    assert fill.score == 1.0
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    section = page.split('<section class="card question')[fill.position]
    assert "你的答案：" in section and "✓ 正确" in section.split("你的答案：")[1].split("</p>")[0]
