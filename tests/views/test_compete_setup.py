"""A competition's setup on its page (issue 15 item 7): every round shows its kind, window in Beijing
time, weight, banks by title with their question counts, time limit, drill by title, rubric with the
indicators' titles and the judges by name; an organizer changes any of it until the round opens (clear
Chinese refusals), after which it is read-only with a note why; changes are in the audit trail."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditRecord, CompetitionRound, Quiz
from app.models.base import utcnow
from tests.conftest import csrf_from
from tests.views.test_compete import as_user, competition, local  # noqa: F401  (fixture)

pytestmark = pytest.mark.db


def _add(client, comp, **data):
    now = utcnow()
    form = {"csrf_token": csrf_from(client, f"/compete/{comp.id}"), "weight": "1",
            "opens_at": local(now + timedelta(days=1)), "closes_at": local(now + timedelta(days=1, hours=2)), **data}
    client.post(f"/compete/{comp.id}/rounds", data=form)
    return db.session.scalar(select(CompetitionRound).order_by(CompetitionRound.id.desc()))


def _edit(client, comp, round_, **data):
    now = utcnow()
    form = {"csrf_token": csrf_from(client, f"/compete/{comp.id}"), "title": round_.title, "weight": "1",
            "opens_at": local(now + timedelta(days=2)), "closes_at": local(now + timedelta(days=2, hours=2)), **data}
    page = client.post(f"/compete/{comp.id}/rounds/{round_.id}/edit", data=form, follow_redirects=True)
    db.session.expire_all()
    return page.get_data(as_text=True)


def _block(page, round_id):
    return page.split(f'id="round-{round_id}"')[1].split('class="round"')[0]


def test_every_rounds_setup_is_shown_in_words(client, competition):
    drill = _add(client, competition, kind="drill", title="情景处置", drill_id="gas-leak")
    page = client.get(f"/compete/{competition.id}").get_data(as_text=True)
    quiz = _block(page, competition.rounds[0].id)
    assert "应急处置基础题库（5 题）" in quiz and "10 分钟" in quiz and "（北京时间）" in quiz and "emergency" not in quiz
    practical = _block(page, competition.rounds[1].id)
    assert "入户沟通：满分 10 分 · 群众沟通技巧" in practical and "信息采集准确性" in practical
    assert "comm.residents" not in practical and "info.collection" not in practical
    assert "王立新" in practical.split('id="judges-of-')[1][:200]  # the judge by name
    assert "小区燃气泄漏" in _block(page, drill.id) and "gas-leak" not in _block(page, drill.id).split("<form")[0]


def test_opened_rounds_are_read_only_with_a_note(client, competition):
    page = client.get(f"/compete/{competition.id}").get_data(as_text=True)
    opened = _block(page, competition.rounds[0].id)
    assert "本轮已开始，设置只读" in opened and 'id="edit-' not in opened
    page = _edit(client, competition, competition.rounds[1], rubric="新标准 | 20 | 群众沟通技巧")
    assert "该环节已开始，不能再修改或删除" in page
    assert db.session.get(CompetitionRound, competition.rounds[1].id).rubric[0]["name"] == "入户沟通"


def test_an_upcoming_quiz_round_gets_other_banks_and_a_new_paper(client, competition):
    new = _add(client, competition, kind="quiz", title="加赛", banks=["emergency"], count="3", time_limit_min="10")
    old_quiz = new.quiz_id
    page = client.get(f"/compete/{competition.id}").get_data(as_text=True)
    assert f'id="edit-{new.id}"' in page and f'id="count-{new.id}" name="count" type="number" min="1" value="3"' in page
    page = _edit(client, competition, new, banks=["mediation"], count="6", time_limit_min="25")
    assert "flash-error" not in page, page
    round_ = db.session.get(CompetitionRound, new.id)
    refs = round_.quiz.selection["fixed"]
    assert len(refs) == 6 and {r.split("/")[0] for r in refs} == {"mediation"}
    assert round_.quiz.time_limit_s == 25 * 60 and round_.quiz_id != old_quiz
    assert db.session.get(Quiz, old_quiz) is None  # the old paper is gone
    block = _block(page, new.id)
    assert "25 分钟" in block and "矛盾纠纷调解题库（6 题）" in block and "应急处置基础题库" not in block.split("<details")[0]
    record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "round.edit")
                                .order_by(AuditRecord.id.desc())).first()
    assert "矛盾纠纷调解题库 (6)" in str(record.after) and "应急处置基础题库 (3)" in str(record.before)


def test_bad_setup_changes_are_refused_in_chinese_and_change_nothing(client, competition):
    new = _add(client, competition, kind="quiz", title="加赛", banks=["emergency"], count="3", time_limit_min="10")
    quizzes = db.session.scalar(select(func.count(Quiz.id)))
    assert "题目数量必须是 1 到" in _edit(client, competition, new, count="abc")
    assert "而试卷需要500道" in _edit(client, competition, new, count="500")
    assert db.session.get(CompetitionRound, new.id).quiz.selection["fixed"].__len__() == 3
    assert db.session.scalar(select(func.count(Quiz.id))) == quizzes
    practical = _add(client, competition, kind="practical", title="加试", rubric="沟通 | 10 | 群众沟通技巧")
    page = _edit(client, competition, practical, rubric="沟通 | 10 | 不存在的指标")
    assert "不存在的指标" in page and "flash-error" in page
    assert db.session.get(CompetitionRound, practical.id).rubric[0]["indicator"] == "comm.residents"


def test_upcoming_drill_and_rubric_changes_are_saved(client, competition):
    drill = _add(client, competition, kind="drill", title="情景处置", drill_id="gas-leak")
    page = _edit(client, competition, drill, drill_id="noise-complaint")
    assert "flash-error" not in page and db.session.get(CompetitionRound, drill.id).drill_id == "noise-complaint"
    practical = _add(client, competition, kind="practical", title="加试", rubric="沟通 | 10 | 群众沟通技巧")
    page = client.get(f"/compete/{competition.id}").get_data(as_text=True)
    assert "沟通 | 10 | 群众沟通技巧</textarea>" in page  # the form shows titles, never ids
    page = _edit(client, competition, practical, rubric="沟通 | 10 | 群众沟通技巧\n记录 | 5 | 信息采集准确性")
    rubric = db.session.get(CompetitionRound, practical.id).rubric
    assert [(c["name"], c["max"], c["indicator"]) for c in rubric] == [
        ("沟通", 10, "comm.residents"), ("记录", 5, "info.collection")]


def test_another_streets_organizer_neither_sees_nor_edits_the_setup(client, competition, login):
    new = _add(client, competition, kind="quiz", title="加赛", banks=["emergency"], count="3", time_limit_min="10")
    as_user(client, login, "linhu_org")
    assert client.get(f"/compete/{competition.id}").status_code == 404
    token = csrf_from(client, "/")
    response = client.post(f"/compete/{competition.id}/rounds/{new.id}/edit", data={
        "csrf_token": token, "title": "改", "weight": "1", "count": "4",
        "opens_at": local(utcnow() + timedelta(days=2)), "closes_at": local(utcnow() + timedelta(days=2, hours=1))})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(CompetitionRound, new.id).title == "加赛"
