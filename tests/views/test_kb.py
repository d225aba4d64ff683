"""The knowledge base through the app: sync and index, search pages, entries, the assistant and its
hand-off to the mentor (or an organizer), promoting an answer, and who may see and answer what."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.kb import index, service
from app.models import KbDocument, KbEntry, KbIndexState, KbQuestion, Notification
from tests.conftest import csrf_from
from tests.views.kb_support import kb, kb_knowledge, pair, visitor  # noqa: F401  (fixtures)

ANSWERABLE = "楼道里闻到煤气味怎么办"
UNANSWERABLE = "社保卡丢了去哪补办"


def test_sync_loads_entries_and_indexes_lessons_and_questions(kb):
    assert db.session.scalar(select(func.count(KbEntry.id)).where(KbEntry.kind == "faq")) == len(kb.faq)
    assert db.session.scalar(select(func.count(KbEntry.id)).where(KbEntry.kind == "case")) == len(kb.cases)
    kinds = dict(db.session.execute(select(KbDocument.kind, func.count(KbDocument.id)).group_by(KbDocument.kind)).all())
    assert kinds["faq"] == len(kb.faq) and kinds["case"] == len(kb.cases) and kinds["lesson"] > 20 and kinds["question"] > 100
    stamp = db.session.scalar(select(KbIndexState.stamp))
    assert stamp and index.rebuild() == {"index_added": 0, "index_updated": 0, "index_removed": 0}
    assert db.session.scalar(select(KbIndexState.stamp)) == stamp        # nothing changed: same stamp


def test_resync_is_idempotent_and_deactivates_what_left_the_files(kb):
    from dataclasses import replace

    from app.kb.sync import load_knowledge_base

    assert not any(load_knowledge_base(kb).values())
    fewer = replace(kb, faq=kb.faq[1:])
    counts = load_knowledge_base(fewer)
    assert counts["faq_deactivated"] == 1 and counts["index_removed"] == 1
    gone = db.session.scalar(select(KbEntry).where(KbEntry.slug == kb.faq[0].slug))
    assert not gone.active
    assert load_knowledge_base(kb)["faq_updated"] == 1 and gone.active


def test_every_process_sees_a_change_through_the_stamp(kb):
    first = index.current()
    assert index.current() is first                                  # unchanged stamp: the same copy
    entry = db.session.scalar(select(KbEntry).where(KbEntry.slug == "gas-smell"))
    entry.active = False
    index.put_entry(entry)
    db.session.commit()
    second = index.current()
    assert second is not first and "faq:gas-smell" not in second.by_key


def test_search_page_highlights_escapes_and_filters(client, kb, people, login):
    login("worker")
    page = client.get("/kb/search", query_string={"q": "低保"}).get_data(as_text=True)
    assert "<mark>低保</mark>" in page and "/kb/entries/dibao-apply" in page
    only_cases = client.get("/kb/search", query_string={"q": "燃气", "kind": "case"}).get_data(as_text=True)
    assert "/kb/entries/gas-smell-at-night" in only_cases and "/kb/entries/gas-smell\"" not in only_cases
    lessons = client.get("/kb/search", query_string={"q": "燃气", "kind": "lesson"}).get_data(as_text=True)
    assert "/courses/onboarding-emergency/" in lessons
    by_category = client.get("/kb/search", query_string={"q": "申请", "category": "emergency"}).get_data(as_text=True)
    assert "dibao-apply" not in by_category
    evil = client.get("/kb/search", query_string={"q": "<script>alert(1)</script>低保"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in evil and "&lt;script&gt;" in evil


def test_search_suggests_when_nothing_matches(client, kb, people, login):
    login("worker")
    page = client.get("/kb/search", query_string={"q": "居注"}).get_data(as_text=True)   # no word of it is indexed
    assert 'id="no-results"' in page and "/kb/search?q=%E5%B1%85%E4%BD%8F" in page   # 居住


def test_entry_pages(client, kb, people, login):
    login("worker")
    faq = client.get("/kb/entries/dibao-apply").get_data(as_text=True)
    assert "以当地规定为准" in faq and "社会救助暂行办法" in faq and "/courses/onboarding-policy/" in faq
    case = client.get("/kb/entries/gas-smell-at-night").get_data(as_text=True)
    for part in ("问题描述", "处置过程", "经验教训", "群众反馈"):
        assert part in case
    assert client.get("/kb/entries/no-such-entry").status_code == 404
    assert "dibao-apply" in client.get("/kb").get_data(as_text=True)


def test_header_search_box_on_every_page(client, kb, people, login):
    login("worker")
    for path in ("/", "/courses", "/kb"):
        assert 'action="/kb/search"' in client.get(path).get_data(as_text=True), path


def ask(client, text):
    token = csrf_from(client, "/kb/assistant")
    response = client.post("/kb/assistant", data={"csrf_token": token, "question": text})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalars(select(KbQuestion).order_by(KbQuestion.id.desc())).first()


def test_the_assistant_answers_with_sources_or_says_it_is_not_sure(client, kb, people, login):
    login("worker")
    sure = ask(client, ANSWERABLE)
    assert sure.status == "answered" and sure.confidence >= 0.45 and "燃气公司" in sure.answer
    assert sure.sources[0]["url"] == "/kb/entries/gas-smell"
    unsure = ask(client, UNANSWERABLE)
    assert unsure.status == "unsure" and unsure.answer == ""
    page = client.get("/kb/assistant").get_data(as_text=True)
    assert f'id="q-{sure.id}"' in page and "/kb/entries/gas-smell" in page and "%" in page
    assert "没把握" in page or "不确定" in page
    empty = client.post("/kb/assistant", data={"csrf_token": csrf_from(client, "/kb/assistant"), "question": " "})
    assert empty.status_code == 200 and db.session.scalar(select(func.count(KbQuestion.id))) == 2


def test_hand_off_to_the_mentor_who_answers_and_the_worker_reads_it(app, client, kb, people, login):
    worker, mentor = people["worker"], people["mentor"]
    pair(mentor, worker)
    login("worker")
    question = ask(client, UNANSWERABLE)
    token = csrf_from(client, "/kb/assistant")
    assert client.post(f"/kb/questions/{question.id}/send", data={"csrf_token": token}).status_code == 302
    db.session.refresh(question)
    assert question.status == "waiting" and question.assignee_id == mentor.id
    note = db.session.scalar(select(Notification).where(Notification.user_id == mentor.id))
    assert note.kind == "kb_question" and note.link == f"/kb/questions/{question.id}"
    # sending twice changes nothing
    client.post(f"/kb/questions/{question.id}/send", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == mentor.id)) == 1

    mentor_client = visitor(app, "mentor")
    assert UNANSWERABLE[:6] in mentor_client.get("/kb/inbox").get_data(as_text=True)
    assert UNANSWERABLE[:6] in mentor_client.get("/mentoring").get_data(as_text=True)     # the dashboard lists it
    token = csrf_from(mentor_client, f"/kb/questions/{question.id}")
    mentor_client.post(f"/kb/questions/{question.id}/reply",
                       data={"csrf_token": token, "text": "带身份证到社保经办网点挂失补办。"})
    db.session.refresh(question)
    assert question.status == "replied" and question.replied_by_id == mentor.id
    assert db.session.scalar(select(Notification).where(Notification.user_id == worker.id,
                                                        Notification.kind == "kb_reply")) is not None
    again = mentor_client.post(f"/kb/questions/{question.id}/reply", data={"csrf_token": token, "text": "再答一次"})
    assert again.status_code == 200 and question.reply.startswith("带身份证")

    assert "带身份证到社保经办网点挂失补办" in client.get(f"/kb/questions/{question.id}").get_data(as_text=True)
    assert "带身份证到社保经办网点挂失补办" in client.get("/kb/assistant").get_data(as_text=True)


def test_without_a_mentor_the_question_goes_to_the_nearest_organizer(client, kb, people, login):
    login("worker")
    question = ask(client, UNANSWERABLE)
    client.post(f"/kb/questions/{question.id}/send", data={"csrf_token": csrf_from(client, "/kb/assistant")})
    db.session.refresh(question)
    assert question.assignee_id == people["organizer"].id          # 长青街道's organizer, not the city admin


def test_who_sees_and_answers_a_question(app, client, kb, people, login, make_user, areas):
    worker, mentor = people["worker"], people["mentor"]
    pair(mentor, worker)
    question = service.ask(worker, UNANSWERABLE, app.config)
    service.send_to_person(worker, question)
    other_mentor = make_user("mentor2", ("mentor", "worker"), areas["grid2"])
    pair(other_mentor, people["other_worker"])
    db.session.commit()
    statuses = {username: visitor(app, username).get(f"/kb/questions/{question.id}").status_code
                for username in ("worker", "mentor", "organizer", "admin", "linhu1", "linhu_org", "mentor2")}
    assert statuses == {"worker": 200, "mentor": 200, "organizer": 200, "admin": 200, "linhu1": 404,
                        "linhu_org": 404, "mentor2": 404}
    other = visitor(app, "mentor2")   # another worker's mentor cannot answer it, nor send it
    token = csrf_from(other, "/kb/assistant")
    assert other.post(f"/kb/questions/{question.id}/reply", data={"csrf_token": token, "text": "x答"}).status_code == 404
    assert other.post(f"/kb/questions/{question.id}/send", data={"csrf_token": token}).status_code == 404
    other = visitor(app, "linhu1")
    assert other.post(f"/kb/questions/{question.id}/send", data={"csrf_token": csrf_from(other, "/kb/assistant")}
                      ).status_code == 404
    db.session.refresh(question)
    assert question.status == "waiting" and question.reply == ""


def test_a_worker_sees_only_their_own_questions_in_the_chat(app, client, kb, people, login):
    service.ask(people["other_worker"], "周婷的私事：低保怎么申请", app.config)
    db.session.commit()
    login("worker")
    assert "周婷的私事" not in client.get("/kb/assistant").get_data(as_text=True)


def test_an_organizer_promotes_an_answer_into_the_faq(app, client, kb, people, login):
    worker = people["worker"]
    question = service.ask(worker, UNANSWERABLE, app.config)
    service.send_to_person(worker, question)
    service.reply(people["organizer"], question, "带上身份证，到社保卡服务网点或银行网点挂失补办，也可以在线上渠道办理。")
    db.session.commit()
    login("organizer")
    page = client.get(f"/kb/questions/{question.id}").get_data(as_text=True)
    assert 'id="promote"' in page
    token = csrf_from(client, f"/kb/questions/{question.id}")
    response = client.post(f"/kb/questions/{question.id}/promote", data={
        "csrf_token": token, "title": "社保卡丢了怎么补办？", "category": "policy", "indicators": ["policy.accuracy"],
        "answer": "带上身份证，到社保卡服务网点或银行网点挂失补办，也可以在线上渠道办理。"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kb/entries/promoted-{question.id}")
    entry = db.session.scalar(select(KbEntry).where(KbEntry.slug == f"promoted-{question.id}"))
    assert entry.origin == "promoted" and entry.author_id == people["organizer"].id
    hits = index.current().search("社保卡丢了怎么补办", kinds=("faq",))
    assert hits[0].document.key == f"faq:promoted-{question.id}"
    again = client.post(f"/kb/questions/{question.id}/promote", data={"csrf_token": token, "title": "社保卡丢了",
                                                                       "category": "policy", "answer": "x" * 20})
    assert again.status_code == 200 and db.session.scalar(select(func.count(KbEntry.id)).where(
        KbEntry.origin == "promoted")) == 1
    other = visitor(app, "linhu_org")
    assert other.post(f"/kb/questions/{question.id}/promote",
                      data={"csrf_token": csrf_from(other, "/kb/assistant")}).status_code == 404


def test_export_promoted_writes_the_file_format_and_the_file_then_owns_it(app, runner, kb, people, tmp_path):
    from app.kb.checker import load_knowledge
    from app.kb.sync import sync_knowledge

    worker = people["worker"]
    question = service.ask(worker, UNANSWERABLE, app.config)
    service.send_to_person(worker, question)
    service.reply(people["organizer"], question, "到社保卡服务网点挂失补办。")
    service.promote(people["organizer"], question, "社保卡丢了怎么补办？", "带身份证到社保卡服务网点挂失补办。", "policy",
                    ["policy.accuracy"], {"policy.accuracy"})
    db.session.commit()
    folder = tmp_path / "knowledge" / "faq"
    folder.mkdir(parents=True)
    result = runner.invoke(args=["kb", "export-promoted", "--out", str(folder / "promoted.yaml")])
    assert result.exit_code == 0, result.output
    knowledge, errors = load_knowledge(tmp_path / "knowledge", {"policy.accuracy"})
    assert errors == [] and knowledge.faq[0].slug == f"promoted-{question.id}"
    sync_knowledge(knowledge)
    assert db.session.scalar(select(KbEntry.origin).where(KbEntry.slug == f"promoted-{question.id}")) == "file"


def test_the_llm_phrases_answers_in_the_app_and_errors_fall_back(app, client, kb, people, login, monkeypatch):
    from app.kb import assistant

    calls = []

    def fake_complete(config, question, entries):
        calls.append((config.model, [e.key for e in entries]))
        return "根据资料：先别开灯，开窗通风，到室外打燃气公司电话。"

    monkeypatch.setitem(app.config, "KB_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setitem(app.config, "KB_LLM_MODEL", "fake")
    monkeypatch.setattr(assistant, "complete", fake_complete)
    login("worker")
    question = ask(client, ANSWERABLE)
    assert question.llm and question.answer.startswith("根据资料") and calls[0][1][0] == "faq:gas-smell"
    assert "根据资料" in client.get("/kb/assistant").get_data(as_text=True)
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "KB_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setitem(app.config, "KB_LLM_MODEL", "fake")
    question = ask(client, ANSWERABLE)                        # nothing listens on port 9: the entry as it is
    assert not question.llm and "燃气公司" in question.answer


def test_questions_from_a_bank_a_running_competition_uses_are_hidden(app, client, kb, people, login, monkeypatch):
    from app import sealing

    login("worker")
    before = client.get("/kb/search", query_string={"q": "燃气", "kind": "question"}).get_data(as_text=True)
    assert re.search(r'class="card result result-question"', before)
    monkeypatch.setattr(sealing, "practice_blocked", lambda user, kind, ref, now=None: True)
    after = client.get("/kb/search", query_string={"q": "燃气", "kind": "question"}).get_data(as_text=True)
    assert not re.search(r'class="card result result-question"', after)


def test_ranking_depends_only_on_the_stored_words(kb):
    """Every process ranks from the rows of kb_document (read in key order), so the ranking is the one
    the source texts give, whatever the database: the same keys and scores as an index segmented here."""
    from app.kb.search import Document, Index, default_segmenter

    segmenter = default_segmenter()
    direct = Index(sorted((Document(key=s.key, kind=s.kind, title=s.title, text=s.body_text,
                                    title_tokens=tuple(segmenter.title_tokens(s.title_text)),
                                    body_tokens=tuple(segmenter.tokens(s.body_text)), category=s.category, url=s.url,
                                    gate=s.gate) for s in index.sources()), key=lambda d: d.key), segmenter)
    stored = index.current()
    for question in ("低保怎么申请", "闻到煤气味", "居住证过期了", "楼上扔东西", "网格员职责", "居注", "医宝咋交", "老爷子走了办啥手续"):
        assert [(h.document.key, round(h.score, 9)) for h in stored.search(question, limit=10)] == \
               [(h.document.key, round(h.score, 9)) for h in direct.search(question, limit=10)], question


def test_no_results_offer_the_assistant_with_the_question(client, kb, people, login):
    login("worker")
    page = client.get("/kb/search", query_string={"q": "居注"}).get_data(as_text=True)
    assert "/kb/assistant?q=%E5%B1%85%E6%B3%A8" in page
    assert "居注</textarea>" in client.get("/kb/assistant", query_string={"q": "居注"}).get_data(as_text=True)
