"""The audit trail (工作留痕, issue 13 item 8): every change an organizer, an admin (or a judge, or the
system) makes to people, roles, areas, pairings, rounds, scores, published results, banks and passwords
is recorded with who, when and the changed fields before → after, in the change's own transaction;
admins list, filter and export the records; nothing in the app changes or deletes one."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select, update

from app import audit
from app.accounts.service import update_account
from app.clock import local_today
from app.extensions import db
from app.labels import KB_CATEGORY_NAMES
from app.models import AuditRecord, AuditRecordImmutable, CompetitionRound, Mentorship, User
from app.mentor.rules import add_months
from app.models.base import utcnow
from tests.conftest import csrf_from
from tests.views.test_compete import as_user, competition, local  # noqa: F401  (fixture)
from tests.views.test_compete_results import finished, judge, publish  # noqa: F401  (fixture)
from tests.views.kb_support import kb, kb_knowledge  # noqa: F401  (fixtures)


def records(action: str | None = None) -> list[AuditRecord]:
    db.session.expire_all()
    query = select(AuditRecord).order_by(AuditRecord.id)
    if action:
        query = query.where(AuditRecord.action == action)
    return db.session.scalars(query).all()


def edit_form(client, user, **changes) -> dict:
    data = {"csrf_token": csrf_from(client, f"/manage/users/{user.id}"), "name": user.name,
            "worker_number": user.worker_number or "", "phone": user.phone or "", "area": user.area_id,
            "roles": sorted(user.roles), "active": "y", **changes}
    return {k: v for k, v in data.items() if v is not None}


def test_person_edit_records_only_the_changed_fields(client, people, login):
    worker = people["worker"]
    login("organizer")
    client.post(f"/manage/users/{worker.id}", data=edit_form(client, worker, phone="13800000001"))
    [row] = records()
    assert row.action == "person.edit" and row.target_kind == "person" and row.target_id == str(worker.id)
    assert row.actor_id == people["organizer"].id and row.actor_name == "王立新（organizer）"
    assert row.target_label == "张晓梅（worker）" and row.area_path == worker.area.path
    assert row.before == {"phone": None} and row.after == {"phone": "13800000001"}
    assert datetime.now(timezone.utc) - row.at < timedelta(minutes=1)
    client.post(f"/manage/users/{worker.id}", data=edit_form(client, worker, phone="13800000001"))
    assert len(records()) == 1  # saving without a change records nothing


def test_role_change_area_move_and_deactivation_are_recorded_apart(client, people, login, areas):
    worker = people["worker"]
    login("admin")
    client.post(f"/manage/users/{worker.id}", data=edit_form(
        client, worker, roles=["mentor", "worker"], area=areas["grid2"].id, active=None))
    by_action = {row.action: row for row in records()}
    assert set(by_action) == {"person.roles", "person.move", "person.deactivate"}
    assert by_action["person.roles"].before == {"roles": ["worker"]}
    assert by_action["person.roles"].after == {"roles": ["mentor", "worker"]}
    assert by_action["person.move"].before == {"area": "滨江区 / 长青街道 / 幸福社区 / 第一网格"}
    assert by_action["person.move"].after == {"area": "滨江区 / 长青街道 / 幸福社区 / 第二网格"}
    assert by_action["person.deactivate"].before == {"active": True}
    assert by_action["person.deactivate"].after == {"active": False}
    page = client.get("/audit/?action=person.roles").get_data(as_text=True)
    table = page.split('id="audit-count"', 1)[1]
    assert "修改角色" in table and "张晓梅（worker）" in table and "<del>网格员</del> → 导师、网格员" in table
    assert "调整所属区域" not in table


def test_password_reset_by_an_organizer_is_recorded(client, people, login):
    worker = people["worker"]
    login("organizer")
    token = csrf_from(client, f"/manage/users/{worker.id}")
    client.post(f"/manage/users/{worker.id}/reset-password", data={"csrf_token": token})
    [row] = records("password.reset")
    assert row.actor_id == people["organizer"].id and row.target_id == str(worker.id)
    assert row.after == {"must_change_password": True}
    assert "password_hash" not in str(row.after) and worker.password_hash[:20] not in str(row.after)


def test_area_changes_are_recorded(client, people, login, areas):
    login("admin")
    client.post(f"/manage/areas/{areas['grid2'].id}/rename", data={
        "csrf_token": csrf_from(client, "/manage/areas"), "name": "第二网格（新）"})
    [row] = records("area.rename")
    assert row.before == {"name": "第二网格"} and row.after == {"name": "第二网格（新）"}


def test_pairing_create_and_end_are_recorded(client, content, people, login):
    token = as_user(client, login, "organizer")
    start = local_today()
    client.post("/mentoring/new", data={"csrf_token": token, "mentor": people["mentor"].id,
                                        "mentees": [people["worker"].id], "start": start.isoformat(),
                                        "planned_end": add_months(start, 4).isoformat()})
    pairing = db.session.scalar(select(Mentorship))
    [created] = records("pairing.create")
    assert created.target_label == "李建国 → 张晓梅" and created.after["mentee"] == "张晓梅"
    assert created.area_path == people["worker"].area.path
    client.post(f"/mentoring/{pairing.id}/end", data={"csrf_token": token, "reason": "导师调岗"})
    [ended] = records("pairing.end")
    assert ended.before == {"status": "active"}
    assert ended.after == {"status": "ended", "end": start.isoformat(), "reason": "导师调岗"}
    as_user(client, login, "admin")
    page = client.get("/audit/?kind=pairing").get_data(as_text=True)
    assert "结束师徒结对" in page and "<del>进行中</del> → 已结束" in page and "导师调岗" in page


def test_a_rolled_back_change_leaves_no_record(client, content, people, login, make_user, areas):
    """The organizer pairs the mentor with two mentees, the second of whom already has a mentor: the
    first pairing (and its record) is rolled back with the refusal."""
    other_mentor = make_user("mentor2", ("mentor", "worker"), areas["grid1"], name="赵敏")
    newcomer = make_user("newbie", ("worker",), areas["grid1"], name="孙磊")
    start = local_today()
    db.session.add(Mentorship(mentor_id=other_mentor.id, mentee_id=newcomer.id, start_date=start,
                              planned_end=start + timedelta(days=120), status="active"))
    db.session.commit()
    login("organizer")
    token = csrf_from(client, "/mentoring/new")
    page = client.post("/mentoring/new", data={
        "csrf_token": token, "mentor": people["mentor"].id, "mentees": [people["worker"].id, newcomer.id],
        "start": start.isoformat(), "planned_end": add_months(start, 4).isoformat()},
        follow_redirects=True).get_data(as_text=True)
    assert "孙磊" in page and "flash-error" in page
    assert db.session.scalar(select(func.count(Mentorship.id))) == 1
    assert records("pairing.create") == []

    update_account(people["admin"], people["worker"], name="改名", area=people["worker"].area, roles={"worker"},
                   phone=None, hire_date=None, active=True, worker_number="CQ001")
    assert db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "person.edit")) == 1
    db.session.rollback()
    assert records("person.edit") == []


def test_round_edit_is_recorded_before_and_after(client, competition):  # noqa: F811
    now = utcnow()
    token = csrf_from(client, f"/compete/{competition.id}")
    client.post(f"/compete/{competition.id}/rounds", data={
        "csrf_token": token, "kind": "quiz", "title": "加赛", "weight": "1", "opens_at": local(now + timedelta(days=1)),
        "closes_at": local(now + timedelta(days=1, hours=2)), "banks": ["emergency"], "count": "3",
        "time_limit_min": "10"})
    new = db.session.scalar(select(CompetitionRound).where(CompetitionRound.position == 3))
    assert records("round.create")[-1].target_id == str(new.id)
    client.post(f"/compete/{competition.id}/rounds/{new.id}/edit", data={
        "csrf_token": token, "title": "加赛（改）", "weight": "2", "opens_at": local(now + timedelta(days=1)),
        "closes_at": local(now + timedelta(days=1, hours=2)), "time_limit_min": "15"})
    [row] = records("round.edit")
    assert row.before == {"title": "加赛", "weight": 1.0, "time_limit_min": 10.0}
    assert row.after == {"title": "加赛（改）", "weight": 2.0, "time_limit_min": 15.0}
    assert row.target_label == "2026年下半年网格员技能比武 · 加赛（改）"
    client.post(f"/compete/{competition.id}/rounds/{new.id}/delete", data={"csrf_token": token})
    [deleted] = records("round.delete")
    assert deleted.before["title"] == "加赛（改）" and deleted.after is None


def test_prize_settings_are_recorded_in_words(competition, people):  # noqa: F811
    from app.compete import service

    service.set_prizes(people["organizer"], competition, "share", (10, 20, 30))
    db.session.commit()
    [row] = records("competition.edit")
    assert row.before == {"prize_mode": "count", "prizes": [1.0, 2.0, 3.0]}
    assert row.after == {"prize_mode": "share", "prizes": [10.0, 20.0, 30.0]}
    assert audit.changes(row)[0][1:] == ("按名额", "按比例")


def test_scores_entered_and_changed_are_recorded(client, competition, login, people, make_user, areas):  # noqa: F811
    second = make_user("judge2", ("worker",), areas["grid2"], name="钱进")
    token = as_user(client, login, "organizer")
    practical = competition.rounds[1]
    client.post(f"/compete/{competition.id}/rounds/{practical.id}/judges",
                data={"csrf_token": token, "judges": [people["organizer"].id, second.id]})
    judges = records("judge.assign")[-1]
    assert judges.before == {"judges": ["王立新"]} and judges.after == {"judges": ["王立新", "钱进"]}
    judge(client, competition, people["worker"], ("8", "8"), token)
    [entered] = records("score.enter")
    assert entered.actor_id == people["organizer"].id and entered.before == {"score": None}
    assert entered.after == {"contestant": "张晓梅", "judge": "王立新", "points": [8.0, 8.0], "score": 80.0}
    token = as_user(client, login, "judge2")
    judge(client, competition, people["worker"], ("6", "6"), token)
    [changed] = records("score.change")
    assert changed.actor_id == second.id
    assert changed.before == {"score": 80.0} and changed.after["score"] == 70.0 and changed.after["judge"] == "钱进"


def test_publishing_results_is_recorded(client, finished, login, people):  # noqa: F811
    token = as_user(client, login, "organizer")
    publish(client, finished, token)
    [row] = records("results.publish")
    assert row.actor_id == people["organizer"].id and row.target_kind == "competition"
    assert row.before == {"published": False} and row.after == {"published": True, "ranked": 2}
    assert row.area_path == people["organizer"].area.path


GIFT = "::q1:: 发生火灾应拨打哪个电话？ {=119 ~110 ~120}\n\n::q2:: 燃气泄漏时可以开灯查看。 {F}\n"


def test_a_bank_import_is_recorded(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/quizzes/import")
    client.post("/quizzes/import", data={
        "csrf_token": token, "format": "auto", "bank": "street-gift", "bank_title": "街道自编题",
        "indicators": ["handling.emergency"], "difficulty": "2",
        "file": (io.BytesIO(GIFT.encode()), "fire.gift")}, content_type="multipart/form-data")
    [row] = records("bank.import")
    assert row.actor_id == people["organizer"].id and row.target_label == "街道自编题"
    assert row.before is None and row.after == {"title": "街道自编题", "questions": 2, "questions_added": 2,
                                                 "questions_updated": 0}
    assert row.area_path == people["organizer"].area.path
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "auto", "bank": "street-gift", "bank_title": "街道消防题",
        "indicators": ["handling.emergency"], "difficulty": "2",
        "file": (io.BytesIO(GIFT.encode()), "fire.gift")}, content_type="multipart/form-data")
    retitled = records("bank.import")[-1]
    assert retitled.before == {"title": "街道自编题"} and retitled.after == {"title": "街道消防题", "questions_added": 0,
                                                                       "questions_updated": 0}


def test_a_roster_import_records_each_person_and_the_import(people):
    from tests.views.test_roster import HEADER, run

    run(people["organizer"], HEADER + "王小明,CQ100,13800000001,长青街道,幸福社区,第一网格,2025-03-01\n"
                                      "李四,CQ101,12345,长青街道,幸福社区,第一网格,\n", filename="九月名单.csv")
    [created] = records("person.create")
    assert created.actor_id == people["organizer"].id and created.target_label == "王小明（CQ100）"
    assert created.after["phone"] == "13800000001" and created.after["roles"] == ["worker"]
    assert created.after["area"] == "滨江区 / 长青街道 / 幸福社区 / 第一网格" and "password" not in created.after
    [imported] = records("person.import")
    assert imported.target_kind == "roster" and imported.target_label == "九月名单.csv"
    assert imported.after == {"created": 1, "rejected": 1}


def test_content_sync_is_recorded_as_the_system(content):
    [row] = records("content.sync")
    assert row.actor_id is None and row.actor_name == "" and row.area_path == ""
    assert row.after["version"] == content.content_hash[:12] and row.after["courses_added"] > 0
    assert audit.changes(row)[1][0] == "新增课程"


def test_knowledge_base_answers_promoted_and_cases_approved_are_recorded(app, client, kb, people, login):  # noqa: F811
    from app.kb import service as kb_service
    from app.models import CaseSubmission
    from tests.views.test_kb import UNANSWERABLE
    from tests.views.test_kb_cases import write

    worker = people["worker"]
    question = kb_service.ask(worker, UNANSWERABLE, app.config)
    kb_service.send_to_person(worker, question)
    kb_service.reply(people["organizer"], question, "带上身份证，到社保卡服务网点或银行网点挂失补办。")
    db.session.commit()
    as_user(client, login, "organizer")
    token = csrf_from(client, f"/kb/questions/{question.id}")
    client.post(f"/kb/questions/{question.id}/promote", data={
        "csrf_token": token, "title": "社保卡丢了怎么补办？", "category": "policy", "indicators": ["policy.accuracy"],
        "answer": "带上身份证，到社保卡服务网点或银行网点挂失补办。"})
    [promoted] = records("kb.promote")
    assert promoted.target_kind == "kb_entry" and promoted.target_label == "社保卡丢了怎么补办？"
    assert promoted.after == {"question": UNANSWERABLE, "category": "policy"}

    as_user(client, login, "worker")
    write(client, action="submit")
    case = db.session.scalar(select(CaseSubmission))
    token = as_user(client, login, "organizer")
    client.post(f"/kb/cases/{case.id}/review", data={"csrf_token": csrf_from(client, f"/kb/cases/{case.id}"),
                                                     "action": "approve", "text": "写得好"})
    [approved] = records("case.approve")
    assert approved.actor_id == people["organizer"].id and approved.target_label == "半夜水管爆裂漫到楼下"
    assert approved.after == {"author": "张晓梅", "category": "dispute"} and approved.area_path == worker.area.path
    assert audit.changes(approved)[1][2] == str(KB_CATEGORY_NAMES["dispute"]) != "dispute"


@pytest.mark.parametrize("who", ["worker", "mentor", "organizer"])
def test_only_admins_open_the_trail_and_its_export(client, people, login, who):
    login(who)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403
    assert "/audit/" not in client.get("/").get_data(as_text=True)


def test_no_route_changes_a_record_and_the_model_refuses(app, people):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/audit") or rule.endpoint.startswith("auditlog."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    row = audit.record(people["admin"], "person.edit", people["worker"], {"phone": None}, {"phone": "1"})
    db.session.commit()
    row.after = {"phone": "2"}
    with pytest.raises(AuditRecordImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(AuditRecordImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditRecordImmutable):
        db.session.execute(update(AuditRecord).values(actor_name="x"))
    with pytest.raises(AuditRecordImmutable):
        db.session.execute(delete(AuditRecord))
    db.session.rollback()
    assert records()[0].after == {"phone": "1"}


def _seed(admin, worker):
    """Three records on different days, one of them by the system, one of them with a formula-like label."""
    with db.session.no_autoflush:  # the times are set before the rows are inserted: they never change after
        rows = [audit.record(admin, "person.edit", worker, {"phone": None}, {"phone": "13800000001"}),
                audit.record(admin, "bank.import", audit.Target("bank", 7, "=HYPERLINK(\"http://x\",\"点我\")"),
                             after={"title": "+1+1", "questions": 3}),
                audit.record(None, "content.sync", audit.Target("content", "", "abc123"), after={"version": "abc123"})]
        days = [datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc), datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc),
                datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)]  # the last is 11-21 01:00 in Beijing
        for row, day in zip(rows, days):
            row.at = day
    db.session.commit()


def test_filters(client, people, login):
    _seed(people["admin"], people["worker"])
    login("admin")

    def count(query: str) -> str:
        page = client.get("/audit/" + query).get_data(as_text=True)
        return page.split('id="audit-count">', 1)[1].split("<", 1)[0]

    assert count("") == "3条记录"
    assert count(f"?actor={people['admin'].id}") == "2条记录"
    assert count("?actor=system") == "1条记录"
    assert count("?action=bank.import") == "1条记录"
    assert count("?kind=person") == "1条记录"
    assert count("?q=张晓梅") == "1条记录"
    assert count("?q=%25") == "0条记录"  # a LIKE wildcard is searched as typed
    assert count("?since=2026-11-05&until=2026-11-20") == "1条记录"
    assert count("?since=2026-11-21") == "1条记录"  # Beijing days, not UTC days
    page = client.get("/audit/?since=2026-13-45").get_data(as_text=True)
    assert "开始日期：请输入日期，例如 2026-11-30。" in page
    page = client.get("/audit/?since=2026-11-20&until=2026-11-01").get_data(as_text=True)
    assert "结束日期：结束日期早于开始日期。" in page
    page = client.get("/audit/").get_data(as_text=True)
    assert "系统" in page and "内容同步" in page and "导入题库" in page


def test_export_is_inert_filtered_and_in_beijing_time(client, people, login):
    _seed(people["admin"], people["worker"])
    login("admin")
    response = client.get("/audit/export.xlsx?since=2026-11-05")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "北京时间" in rows[0][0]
    assert len(rows) == 3  # the header and the two records since 11-05
    assert rows[1][0] == datetime(2026, 11, 21, 1, 0) and rows[1][1] == "系统"
    assert rows[2][4] == "'=HYPERLINK(\"http://x\",\"点我\")"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))
    everything = load_workbook(io.BytesIO(client.get("/audit/export.xlsx").data)).active
    assert everything.max_row == 4


def test_unknown_actions_and_targets_are_refused(people):
    with pytest.raises(ValueError):
        audit.record(people["admin"], "person.eat", people["worker"])
    with pytest.raises(ValueError):
        audit.record(people["admin"], "person.edit", object())
    assert db.session.scalar(select(func.count(AuditRecord.id))) == 0
    assert db.session.get(User, people["worker"].id) is not None
