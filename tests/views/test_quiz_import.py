"""GIFT/Aiken import through the CLI and the organizers' upload page (the same decoding, checks and
report, in Chinese, counting questions), idempotent re-imports, bank pages with GIFT and Moodle XML
downloads, and per-answer feedback shown only to the learner who chose the answer."""
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Question, QuestionBank, Quiz
from tests.conftest import csrf_from

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"

GIFT = """// 两道好题、一道语法错误、一道不支持的题型
::Q1:: 发生火灾应拨打哪个电话？{=119 ~110 ~120 #火警电话是119。}

::Q2:: 燃气泄漏时可以开灯查看。{F #开关电器可能产生电火花。}

::Q3:: 坏题 {=对 ~错

::Q4:: 数字题 {#3:1}
"""

AIKEN = """网格员发现独居老人倒地无反应、无正常呼吸，首先应？
A. 扶老人坐起来
B. 立即呼救、拨打120并开始心肺复苏
C. 先联系家属
ANSWER: B
"""


def bank_keys(slug):
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == slug))
    return sorted(q.key for q in bank.questions) if bank else None


def cli_import(runner, path, *extra, bank="fire-import", indicator="handling.emergency"):
    return runner.invoke(args=["quiz", "import", str(path), "--bank", bank, "--indicator", indicator, *extra])


def test_cli_import_reports_lines_in_chinese_and_reimport_changes_nothing(runner, tmp_path, content):
    path = tmp_path / "fire.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = cli_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "文件中共 4 道题：新增 2 道到题库 fire-import，更新 0 道，0 道已在题库中，0 道在文件中重复，2 道未导入。" in result.output
    assert "第6行：“{”没有对应的“}”" in result.output
    assert "暂不支持数值题（{#...}）：1道（第 8 行）" in result.output
    assert bank_keys("fire-import") == ["q1", "q2"]
    q1 = db.session.scalar(select(Question).where(Question.key == "q1"))
    assert q1.spec["options"][2]["feedback"] == "火警电话是119。" and q1.spec["explanation"].startswith("正确答案：119")

    result = cli_import(runner, path)  # the same file again: nothing added, nothing duplicated
    assert "新增 0 道" in result.output and "2 道已在题库中" in result.output
    assert bank_keys("fire-import") == ["q1", "q2"]

    path.write_text(GIFT.replace("可以开灯查看", "可以开灯查看吗"), encoding="utf-8")
    result = cli_import(runner, path)  # a changed question keeps its id and is updated in place
    assert "更新 1 道" in result.output and bank_keys("fire-import") == ["q1", "q2"]
    db.session.expire_all()
    assert "开灯查看吗" in db.session.scalar(select(Question).where(Question.key == "q2")).spec["text"]


def test_cli_reads_gbk_bom_and_cr_files_as_the_page_does(runner, tmp_path, content):
    for name, data in (("gbk.txt", AIKEN.encode("gbk")), ("bom.txt", b"\xef\xbb\xbf" + AIKEN.encode("utf-8")),
                       ("cr.txt", AIKEN.replace("\n", "\r").encode("gb18030")),
                       ("crlf.txt", AIKEN.replace("\n", "\r\n").encode("utf-8"))):
        path = tmp_path / name
        path.write_bytes(data)
        result = cli_import(runner, path, bank="aiken-cli")
        assert result.exit_code == 0 and "Traceback" not in result.output, (name, result.output)
    assert len(bank_keys("aiken-cli")) == 1  # four encodings of one question: one question
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\xff\xfe\x00\xd8\x00")
    result = cli_import(runner, path, bank="aiken-cli")
    assert result.exit_code == 1 and "既不是 UTF-8 也不是 GBK" in result.output and "Traceback" not in result.output


def test_cli_checks_bank_ids_and_indicators_as_the_form_does(runner, tmp_path, content):
    path = tmp_path / "a.txt"
    path.write_text(AIKEN, encoding="utf-8")
    result = cli_import(runner, path, bank="Street Bank")
    assert result.exit_code == 1 and "题库编号“Street Bank”：只能用小写字母、数字和连字符" in result.output
    result = cli_import(runner, path, bank="x", indicator="handling.unknown")
    assert result.exit_code == 1 and "未知的能力指标 handling.unknown" in result.output
    assert db.session.scalar(select(QuestionBank).where(QuestionBank.slug.in_(["x", "Street Bank"]))) is None
    result = cli_import(runner, path, bank="emergency")
    assert result.exit_code == 1 and "questions/emergency.yaml" in result.output


def test_moodle_examples_import_without_flags_and_count_questions(runner, content):
    result = cli_import(runner, FIXTURES / "examples.txt", bank="moodle-examples")
    assert result.exit_code == 0, result.output
    assert "文件中共 43 道题：新增 24 道到题库 moodle-examples，更新 0 道，0 道已在题库中，8 道在文件中重复，11 道未导入。" \
        in result.output
    assert "暂不支持数值题（{#...}）：8道（第 16, 70, 72, 74, 76, 85, 175, 203 行）" in result.output
    assert "暂不支持匹配题（=项目 -> 对应项）：3道（第 56, 62, 178 行）" in result.output
    result = cli_import(runner, FIXTURES / "questions.aiken.txt", bank="moodle-aiken")
    assert "新增 2 道" in result.output
    result = cli_import(runner, FIXTURES / "examples.txt", "--explanation", "见教材。", bank="moodle-examples")
    assert "更新 24 道" in result.output and len(bank_keys("moodle-examples")) == 24


def test_an_aiken_file_with_braces_is_detected_as_aiken(runner, tmp_path, content):
    path = tmp_path / "braces.txt"
    path.write_text("居民问{低保}怎么申请，网格员应？\nA. 承诺一定能批\nB. 讲清条件并协助申请\nANSWER: B\n", encoding="utf-8")
    result = cli_import(runner, path, bank="braces")
    assert result.exit_code == 0 and "(aiken)" in result.output and len(bank_keys("braces")) == 1


def test_upload_page_gbk_file_chinese_report(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/quizzes/import")
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "auto", "bank": "street-gift", "bank_title": "街道自编题",
        "indicators": ["handling.emergency"], "difficulty": "2",
        "file": (io.BytesIO(GIFT.encode("gbk")), "fire.txt"),
    }, content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="report"' in page
    assert "文件中共 4 道题：新增 2 道到题库 street-gift，更新 0 道，0 道已在题库中，0 道在文件中重复，2 道未导入。" in page
    assert "第6行：“{”没有对应的“}”" in page and "暂不支持数值题" in page
    for english in ("line 6", "not supported", "Rejected", "imported into"):
        assert english not in page
    question = db.session.scalar(select(Question).join(QuestionBank).where(QuestionBank.slug == "street-gift",
                                                                          Question.key == "q1"))
    assert question.type == "single" and question.difficulty == 2


def test_upload_page_refuses_unknown_encodings_and_requires_indicators(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/quizzes/import")
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "gift", "bank": "x", "difficulty": "1",
        "file": (io.BytesIO(GIFT.encode()), "a.gift")}, content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="report"' not in page and "请至少选择一个能力指标" in page
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "gift", "bank": "x", "difficulty": "1", "indicators": ["handling.emergency"],
        "file": (io.BytesIO(b"\xff\xfe\x00\xd8\x00"), "a.gift")}, content_type="multipart/form-data").get_data(as_text=True)
    assert "既不是 UTF-8 也不是 GBK" in page
    assert db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "x")) is None


def _upload(client, bank: str, title: str, text: str = AIKEN):
    token = csrf_from(client, "/quizzes/import")
    return client.post("/quizzes/import", data={
        "csrf_token": token, "format": "aiken", "bank": bank, "bank_title": title,
        "indicators": ["handling.emergency"], "difficulty": "2", "explanation": "先呼救、打120，再心肺复苏。",
        "file": (io.BytesIO(text.encode()), "aiken.txt"),
    }, content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)


def test_an_imported_bank_belongs_to_the_importers_area(client, content, people, login, areas):
    """Issue 13 item 7: 长青街道's imported bank is visible at and below 长青街道 and editable only there;
    临湖街道's organizer can neither add to it nor retitle it (refused, nothing changed)."""
    from app.scope import bank_filter, can_edit_bank

    login("organizer")
    _upload(client, "street-aiken", "长青自编题")
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert bank.area_id == areas["changqing"].id and len(bank.questions) == 1
    assert 'value="street-aiken"' in client.get("/quizzes/import").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})

    login("linhu_org")
    assert 'value="street-aiken"' not in client.get("/quizzes/import").get_data(as_text=True)
    assert client.get("/quizzes/banks/street-aiken").status_code == 404
    assert client.get("/quizzes/banks/street-aiken/export.gift").status_code == 404
    page = _upload(client, "street-aiken", "临湖改的标题")
    assert "题库 street-aiken 属于其他区域" in page  # the refusal, in zh_CN (the default locale)
    db.session.expire_all()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert bank.title == "长青自编题" and len(bank.questions) == 1
    _upload(client, "emergency", "改掉发布的题库")  # a shipped bank stays read-only
    db.session.expire_all()
    assert db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "emergency")).title != "改掉发布的题库"
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})

    login("organizer")  # the importer adds to and retitles their own bank
    page = _upload(client, "street-aiken", "长青自编题（修订）", AIKEN + "\n" + AIKEN.replace("首先应", "第一步应"))
    assert "新增 1 道" in page and "1 道已在题库中" in page
    db.session.expire_all()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert bank.title == "长青自编题（修订）" and len(bank.questions) == 2

    visible = {who: set(db.session.scalars(select(QuestionBank.slug).where(bank_filter(people[who]))))
               for who in ("organizer", "admin", "other_organizer", "worker")}
    assert "street-aiken" in visible["organizer"] and "street-aiken" in visible["worker"]  # at and below
    assert "street-aiken" not in visible["other_organizer"] and "street-aiken" not in visible["admin"]
    assert "emergency" in visible["other_organizer"]  # shipped banks are global
    assert can_edit_bank(people["organizer"], bank) and not can_edit_bank(people["admin"], bank)


def test_bank_page_exports_gift_and_moodle_xml_that_round_trip(client, runner, content, people, login):
    cli_import(runner, FIXTURES / "questions.gift.txt", bank="moodle-fixture")
    login("organizer")
    page = client.get("/quizzes/banks").get_data(as_text=True)
    assert "moodle-fixture" in page and "emergency" in page
    page = client.get("/quizzes/banks/moodle-fixture").get_data(as_text=True)
    assert "导出为 GIFT" in page and "导出为 Moodle XML" in page and "right; good!" in page
    response = client.get("/quizzes/banks/moodle-fixture/export.gift")
    assert response.status_code == 200 and "moodle-fixture.gift.txt" in response.headers["Content-Disposition"]
    gift = response.get_data()
    assert b"::colours::[markdown]" in gift and b"~%-100%red#wrong" in gift
    xml = client.get("/quizzes/banks/moodle-fixture/export.xml").get_data()
    types = [q.get("type") for q in ET.fromstring(xml).findall("question")]
    assert types == ["category", "truefalse", "multichoice", "truefalse", "multichoice", "shortanswer"]
    assert client.get("/quizzes/banks/moodle-fixture/export.pdf").status_code == 404

    # the download imported into another bank gives the same questions
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    path = Path(runner.app.instance_path) / "roundtrip.gift.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gift)
    try:
        result = cli_import(runner, path, bank="moodle-copy", indicator="policy.learning")
    finally:
        path.unlink()
    assert "新增 5 道" in result.output
    specs = {q.key: q.spec
             for q in db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "moodle-fixture")).questions}
    copies = {q.key: q.spec
              for q in db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "moodle-copy")).questions}
    assert copies == specs  # indicators and difficulty too: the export's Moodle tags carry them


def test_cli_export(runner, tmp_path, content):
    out = tmp_path / "emergency.xml"
    result = runner.invoke(args=["quiz", "export", "emergency", "--format", "xml", "--out", str(out)])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count()).select_from(Question).join(QuestionBank)
                              .where(QuestionBank.slug == "emergency", Question.active))
    assert len(ET.parse(out).getroot().findall("question")) == count + 1  # and the category
    result = runner.invoke(args=["quiz", "export", "no-such-bank"])
    assert result.exit_code == 1 and "没有题库 no-such-bank" in result.output


def test_per_answer_feedback_is_shown_only_to_who_chose_it(client, runner, content, people, login):
    from app.clock import utcnow
    from app.quiz import service

    cli_import(runner, FIXTURES / "questions.gift.txt", bank="moodle-fixture")
    quiz = Quiz(slug="moodle-feedback", title="反馈", kind="practice", content_hash="x",
                selection={"fixed": ["moodle-fixture/q1", "moodle-fixture/q2"]}, shuffle_questions=False)
    db.session.add(quiz)
    db.session.commit()
    answers = {"worker": {"q1": "true", "q2": "b"}, "mentor": {"q1": "false", "q2": "a"}}
    pages = {}
    for who, chosen in answers.items():
        attempt = service.start_attempt(people[who], quiz, "Asia/Shanghai")
        by_key = {row.question.key: row.id for row in attempt.answers}
        service.submit(people[who], attempt, "Asia/Shanghai", utcnow(),
                       answers={by_key[k]: v for k, v in chosen.items()})
        db.session.commit()
        login(who)
        pages[who] = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    worker, mentor = (feedback_blocks(pages[who]) for who in ("worker", "mentor"))
    assert worker == ["正确：42 is the Ultimate Answer.", "red：wrong, it's yellow"]
    assert mentor == ["错误：You gave the right answer.", "yellow：right; good!"]


def feedback_blocks(page: str) -> list[str]:
    """The items of each "对你所选答案的反馈" block of a review page, as text."""
    import re

    blocks = re.findall(r'<div class="answer-feedback prose">(.*?)</div>', page, re.DOTALL)
    return [re.sub(r"<[^>]+>", "", item).replace("&#39;", "'").strip()
            for block in blocks for item in re.findall(r"<li>(.*?)</li>", block, re.DOTALL)]


def test_a_contestant_never_reads_the_bank_of_a_running_round(client, content, people, login, monkeypatch):
    from app import sealing

    login("organizer")
    assert client.get("/quizzes/banks/emergency").status_code == 200
    monkeypatch.setattr(sealing, "practice_blocked", lambda user, kind, ref, now=None: ref == "emergency")
    assert client.get("/quizzes/banks/emergency").status_code == 404
    assert client.get("/quizzes/banks/emergency/export.gift").status_code == 404
    assert "/quizzes/banks/emergency" not in client.get("/quizzes/banks").get_data(as_text=True)
