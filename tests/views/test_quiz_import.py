"""GIFT/Aiken import: the CLI and the organizers' upload page report each question by line."""
import io

from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionBank
from tests.conftest import csrf_from

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


def test_cli_import_creates_the_bank_and_reports_lines(runner, tmp_path, content):
    path = tmp_path / "fire.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(args=["quiz", "import", str(path), "--bank", "fire-import", "--indicator",
                                 "handling.emergency"])
    assert result.exit_code == 0, result.output
    assert "2 imported into fire-import, 2 rejected" in result.output
    assert "line 6: " in result.output and "line 8: numerical questions" in result.output
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "fire-import"))
    assert bank.origin == "import" and sorted(q.key for q in bank.questions) == ["q1", "q2"]
    result = runner.invoke(args=["quiz", "import", str(path), "--bank", "fire-import", "--indicator",
                                 "handling.emergency"])
    assert {q.key for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))} == \
        {"q1", "q2", "q1-2", "q2-2"}  # a second import adds, never overwrites


def test_cli_refuses_to_import_into_a_file_bank(runner, tmp_path, content):
    path = tmp_path / "a.txt"
    path.write_text(AIKEN, encoding="utf-8")
    result = runner.invoke(args=["quiz", "import", str(path), "--bank", "emergency", "--indicator",
                                 "handling.emergency", "--explanation", "先呼救、打120，再心肺复苏。"])
    assert result.exit_code == 1 and "questions/emergency.yaml" in result.output


def test_upload_page(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/quizzes/import")
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "auto", "bank": "street-aiken", "bank_title": "街道自编题",
        "indicators": ["handling.emergency"], "difficulty": "2", "explanation": "先呼救、打120，再心肺复苏。",
        "file": (io.BytesIO(AIKEN.encode()), "aiken.txt"),
    }, content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="report"' in page and "street-aiken" in page
    question = db.session.scalar(select(Question).join(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert question.type == "single" and question.difficulty == 2


def test_upload_page_requires_indicators(client, content, people, login):
    login("organizer")
    token = csrf_from(client, "/quizzes/import")
    page = client.post("/quizzes/import", data={
        "csrf_token": token, "format": "gift", "bank": "x", "difficulty": "1",
        "file": (io.BytesIO(GIFT.encode()), "a.gift")}, content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="report"' not in page
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
    page = _upload(client, "street-aiken", "临湖改的标题")
    assert "题库 street-aiken 属于其他区域" in page  # the refusal, in zh_CN (the default locale)
    db.session.expire_all()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert bank.title == "长青自编题" and len(bank.questions) == 1
    page = _upload(client, "emergency", "改掉发布的题库")  # a shipped bank stays read-only
    db.session.expire_all()
    assert db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "emergency")).title != "改掉发布的题库"
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})

    login("organizer")  # the importer adds to and retitles their own bank
    _upload(client, "street-aiken", "长青自编题（修订）", AIKEN.replace("首先应", "第一步应"))
    db.session.expire_all()
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == "street-aiken"))
    assert bank.title == "长青自编题（修订）" and len(bank.questions) == 2

    visible = {who: set(db.session.scalars(select(QuestionBank.slug).where(bank_filter(people[who]))))
               for who in ("organizer", "admin", "other_organizer", "worker")}
    assert "street-aiken" in visible["organizer"] and "street-aiken" in visible["worker"]  # at and below
    assert "street-aiken" not in visible["other_organizer"] and "street-aiken" not in visible["admin"]
    assert "emergency" in visible["other_organizer"]  # shipped banks are global
    assert can_edit_bank(people["organizer"], bank) and not can_edit_bank(people["admin"], bank)
