"""Cases from the field: a worker writes a case in four parts, their mentor or an organizer of their
area reviews it (comment, ask for changes, approve); an approved case joins the library with the author
credited, is found by search and becomes evidence on its indicators. Nobody else sees a draft."""
from sqlalchemy import func, select

from app.extensions import db
from app.kb import index
from app.models import CaseSubmission, EvidenceRecord, KbEntry, Notification
from tests.conftest import csrf_from
from tests.views.kb_support import kb, kb_knowledge, pair, visitor  # noqa: F401  (fixtures)

PARTS = {
    "description": "独居的刘奶奶家水管半夜爆裂，水漫到楼下邻居家。",
    "handling": "网格员先关闭总阀，联系物业维修，协调楼下邻居的损失赔偿。",
    "lessons_learned": "老旧小区要提前排查水管，独居老人家要留紧急联系人。",
    "feedback": "楼下邻居接受了协商结果，刘奶奶很感激。",
}


def write(client, action="save", **changes):
    data = {"csrf_token": csrf_from(client, "/kb/cases/new"), "title": "半夜水管爆裂漫到楼下", "category": "dispute",
            "tags": "漏水，独居老人", "indicators": ["handling.detection", "comm.residents"], "action": action,
            **PARTS, **changes}
    return client.post("/kb/cases/new", data=data)


def test_the_whole_review_and_the_case_in_the_library(app, client, kb, people, login):
    worker, mentor = people["worker"], people["mentor"]
    pair(mentor, worker)
    login("worker")
    response = write(client)
    assert response.status_code == 302
    case = db.session.scalar(select(CaseSubmission))
    assert case.status == "draft" and case.tags == ["漏水", "独居老人"]
    assert visitor(app, "mentor").get(f"/kb/cases/{case.id}").status_code == 404        # a draft is the author's
    assert visitor(app, "organizer").get(f"/kb/cases/{case.id}").status_code == 404

    token = csrf_from(client, f"/kb/cases/{case.id}/edit")
    client.post(f"/kb/cases/{case.id}/edit", data={"csrf_token": token, "title": case.title, "category": "dispute",
                                                   "indicators": ["comm.residents"], "action": "submit", **PARTS})
    db.session.refresh(case)
    assert case.status == "submitted"
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == mentor.id)) == "kb_case_submitted"

    mentor_client = visitor(app, "mentor")
    assert case.title in mentor_client.get("/kb/inbox").get_data(as_text=True)
    assert case.title in mentor_client.get("/mentoring").get_data(as_text=True)
    token = csrf_from(mentor_client, f"/kb/cases/{case.id}")
    mentor_client.post(f"/kb/cases/{case.id}/review", data={"csrf_token": token, "action": "changes",
                                                             "text": "处置过程写清楚先关哪个阀门。"})
    db.session.refresh(case)
    assert case.status == "changes_requested"
    assert "先关哪个阀门" in client.get(f"/kb/cases/{case.id}").get_data(as_text=True)

    token = csrf_from(client, f"/kb/cases/{case.id}/edit")
    client.post(f"/kb/cases/{case.id}/edit", data={
        "csrf_token": token, "title": case.title, "category": "dispute", "indicators": ["comm.residents"],
        "action": "submit", **{**PARTS, "handling": "网格员先关闭入户总阀，联系物业维修，协调楼下邻居的损失赔偿。"}})
    db.session.refresh(case)
    assert case.status == "submitted" and "入户总阀" in case.handling

    organizer = visitor(app, "organizer")
    token = csrf_from(organizer, f"/kb/cases/{case.id}")
    organizer.post(f"/kb/cases/{case.id}/review", data={"csrf_token": token, "action": "approve", "text": "写得好。"})
    db.session.refresh(case)
    assert case.status == "approved" and case.reviewer_id == people["organizer"].id
    entry = db.session.get(KbEntry, case.entry_id)
    assert entry.slug == f"field-{case.id}" and entry.origin == "field" and entry.author_id == worker.id
    page = client.get(f"/kb/entries/{entry.slug}").get_data(as_text=True)
    assert "张晓梅" in page and "入户总阀" in page
    assert visitor(app, "linhu1").get(f"/kb/entries/{entry.slug}").status_code == 200   # the library is everyone's
    assert index.current().search("水管爆裂漫到楼下")[0].document.key == f"case:{entry.slug}"
    records = db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.source_kind == "kb_case")).all()
    assert [(r.user_id, r.indicator, r.score) for r in records] == [(worker.id, "comm.residents", 100.0)]
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == worker.id)
                             .order_by(Notification.id.desc())) == "kb_case_approved"
    profile = client.get(f"/profile/{worker.id}").get_data(as_text=True)
    assert f"/kb/entries/field-{case.id}" in profile
    # approved: no more changes, no second approval
    assert client.get(f"/kb/cases/{case.id}/edit").status_code == 302
    organizer.post(f"/kb/cases/{case.id}/review", data={"csrf_token": token, "action": "approve"})
    assert db.session.scalar(select(func.count(KbEntry.id)).where(KbEntry.origin == "field")) == 1


def test_submitting_needs_every_part_and_an_indicator(client, kb, people, login):
    pair(people["mentor"], people["worker"])
    login("worker")
    response = write(client, action="submit", feedback="")
    assert response.status_code == 200 and db.session.scalar(select(func.count(CaseSubmission.id))) == 0
    response = write(client, action="submit", indicators=[])
    assert response.status_code == 200 and db.session.scalar(select(func.count(CaseSubmission.id))) == 0
    assert write(client, action="submit").status_code == 302


def test_who_sees_and_reviews_a_submitted_case(app, client, kb, people, login, make_user, areas):
    pair(people["mentor"], people["worker"])
    other_mentor = make_user("mentor2", ("mentor", "worker"), areas["grid2"])
    pair(other_mentor, people["other_worker"])
    login("worker")
    write(client, action="submit")
    case = db.session.scalar(select(CaseSubmission))
    statuses = {username: visitor(app, username).get(f"/kb/cases/{case.id}").status_code
                for username in ("worker", "mentor", "organizer", "admin", "linhu1", "linhu_org", "mentor2")}
    assert statuses == {"worker": 200, "mentor": 200, "organizer": 200, "admin": 200, "linhu1": 404,
                        "linhu_org": 404, "mentor2": 404}
    for username in ("mentor2", "linhu_org", "linhu1"):
        other = visitor(app, username)
        response = other.post(f"/kb/cases/{case.id}/review", data={"csrf_token": csrf_from(other, "/kb/cases"),
                                                                    "action": "approve"})
        assert response.status_code == 404, username
    # the author cannot approve their own case
    client.post(f"/kb/cases/{case.id}/review", data={"csrf_token": csrf_from(client, "/kb/cases"), "action": "approve"})
    db.session.refresh(case)
    assert case.status == "submitted"
    # nor can anyone else change it while it is under review
    assert client.post(f"/kb/cases/{case.id}/edit", data={"csrf_token": csrf_from(client, "/kb/cases"),
                                                            "title": "改标题", "action": "save"}).status_code == 302
    db.session.refresh(case)
    assert case.title == "半夜水管爆裂漫到楼下"
    assert visitor(app, "mentor").get(f"/kb/cases/{case.id}/edit").status_code == 404


def test_a_worker_sees_only_their_own_cases(app, client, kb, people, login):
    other = visitor(app, "linhu1")
    write(other)
    login("worker")
    assert "半夜水管爆裂" not in client.get("/kb/cases").get_data(as_text=True)
    case = db.session.scalar(select(CaseSubmission))
    assert client.get(f"/kb/cases/{case.id}").status_code == 404
    assert client.get(f"/kb/cases/{case.id}/edit").status_code == 404
