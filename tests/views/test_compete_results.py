"""Results, awards and certificates are published, not computed on demand: after every round has
closed the organizer reviews the final ranking and publishes it; the board, Excel and certificates read
what was published, certificates are byte-identical on every download and carry a readable number."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.clock import local
from app.extensions import db
from app.models import Certificate, Entry, RoundResult
from app.models.base import utcnow
from tests.views.test_compete import as_user, competition, take_quiz  # noqa: F401  (fixture)
from tests.views.test_compete_sealing import close_all

NUMBER = re.compile(r"^(\d{4})-长青街道-比武-(\d{3})$")


def pdf_text(data: bytes, tmp_path) -> str:
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) not installed")
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


def tables(page: str) -> list[str]:
    """The boards and awards of a leaderboard page (not its CSRF tokens)."""
    return re.findall(r'<table class="leaderboard".*?</table>|<section class="card" id="awards">.*?</section>', page,
                      re.S)


def judge(client, comp, user, points, token):
    entry = db.session.scalar(select(Entry).where(Entry.user_id == user.id))
    return client.post(f"/compete/{comp.id}/rounds/{comp.rounds[1].id}/judge/{entry.id}",
                       data={"csrf_token": token, "c0": points[0], "c1": points[1]}, follow_redirects=True)


@pytest.fixture
def finished(client, competition, login, people):
    """The worker answered the paper right and was judged 9/9, the mentor left the paper blank and was
    judged 0/0; every round has closed; nothing is published."""
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    as_user(client, login, "mentor")
    take_quiz(client, competition, right=False)
    token = as_user(client, login, "organizer")
    judge(client, competition, people["worker"], ("9", "9"), token)
    judge(client, competition, people["mentor"], ("0", "0"), token)
    close_all(competition)
    return competition


def publish(client, comp, token):
    return client.post(f"/compete/{comp.id}/publish", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)


def test_publishing_is_refused_while_a_round_is_open(client, competition, login):
    token = as_user(client, login, "organizer")
    page = publish(client, competition, token)
    assert "flash-error" in page
    db.session.refresh(competition)
    assert competition.published_at is None and db.session.scalar(select(func.count(Certificate.id))) == 0


def test_only_organizers_publish(client, finished, login):
    token = as_user(client, login, "worker")
    assert client.post(f"/compete/{finished.id}/publish", data={"csrf_token": token}).status_code in (403, 404)
    db.session.refresh(finished)
    assert finished.published_at is None


def test_before_publication_no_certificate_and_the_organizer_sees_a_preview(client, finished, login, tmp_path):
    as_user(client, login, "worker")
    assert client.get(f"/compete/{finished.id}/certificates.pdf").status_code == 404
    assert "certificates.pdf" not in client.get(f"/compete/{finished.id}").get_data(as_text=True)
    as_user(client, login, "organizer")
    page = client.get(f"/compete/{finished.id}/results").get_data(as_text=True)
    assert 'id="unpublished"' in page and "张晓梅" in page
    preview = client.get(f"/compete/{finished.id}/certificates.pdf")
    assert preview.status_code == 200 and "未发布" in pdf_text(preview.data, tmp_path)
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_publish_then_certificates_are_identical_and_do_not_follow_later_results(client, finished, login, people,
                                                                                tmp_path):
    token = as_user(client, login, "organizer")
    assert "flash-success" in publish(client, finished, token)
    db.session.refresh(finished)
    assert finished.published_at is not None
    assert "flash-error" in publish(client, finished, token)  # once

    as_user(client, login, "worker")
    first = client.get(f"/compete/{finished.id}/certificates.pdf")
    second = client.get(f"/compete/{finished.id}/certificates.pdf")
    assert first.status_code == 200 and first.data == second.data
    text = pdf_text(first.data, tmp_path)
    published = local(finished.published_at)
    assert f"{published.year}年{published.month}月{published.day}日" in text
    assert "GA-" not in text and re.search(r"\d{4}-长青街道-比武-\d{3}", text)

    board = tables(client.get(f"/compete/{finished.id}/leaderboard").get_data(as_text=True))
    assert "张晓梅" in board[0] and "95.0" in board[0] and "一等奖" in board[0]
    # a later result (a late judge, a corrected score ...) changes nothing that was published
    for result in db.session.scalars(select(RoundResult)):
        result.score = 1.0
    db.session.commit()
    assert client.get(f"/compete/{finished.id}/certificates.pdf").data == first.data
    assert tables(client.get(f"/compete/{finished.id}/leaderboard").get_data(as_text=True)) == board
    as_user(client, login, "organizer")
    book = load_workbook(io.BytesIO(client.get(f"/compete/{finished.id}/results.xlsx").data))
    assert book.worksheets[0]["B2"].value == "张晓梅" and book.worksheets[0]["A2"].value == 1
    totals = [row[-1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if row[1] == "张晓梅"]
    assert totals == [95.0]


def test_certificate_numbers_are_readable_and_continue_across_competitions(client, finished, login):
    token = as_user(client, login, "organizer")
    publish(client, finished, token)
    numbers = db.session.scalars(select(Certificate.number).order_by(Certificate.id)).all()
    assert numbers and all(NUMBER.match(n) for n in numbers), numbers
    assert [int(NUMBER.match(n).group(2)) for n in numbers] == list(range(1, len(numbers) + 1))
    assert NUMBER.match(numbers[0]).group(1) == str(local(finished.published_at).year)


def test_no_award_for_a_zero_score_and_participation_only_with_a_scored_round(client, finished, login, people,
                                                                              make_user, areas):
    idle = make_user("idle", ("worker",), areas["grid2"], name="缺考选手")
    db.session.add(Entry(competition_id=finished.id, user_id=idle.id))
    db.session.commit()
    token = as_user(client, login, "organizer")
    publish(client, finished, token)
    certificates = db.session.scalars(select(Certificate)).all()
    by_name = {}
    for cert in certificates:
        by_name.setdefault(cert.name, []).append(cert)
    assert "缺考选手" not in by_name  # no scored round: no certificate at all
    mentor = by_name["李建国"]  # 0 on the paper and 0/0 in the practical
    assert [c.kind for c in mentor] == ["participation"]
    worker = by_name["张晓梅"]
    assert {c.kind for c in worker} == {"award", "participation"}
    awards = finished.results["awards"]
    for award in awards:
        assert all(name != "李建国" for name in award["winners"])


def test_ranking_prizes_by_share_set_on_the_competition(client, finished, login):
    token = as_user(client, login, "organizer")
    page = client.post(f"/compete/{finished.id}/settings", data={
        "csrf_token": token, "prize_mode": "share", "prize_first": "50", "prize_second": "0", "prize_third": "50"},
        follow_redirects=True).get_data(as_text=True)
    assert "flash-success" in page
    db.session.refresh(finished)
    assert finished.prize_mode == "share" and finished.prize_first == 50
    publish(client, finished, token)
    prizes = {row["name"]: row["prize"] for row in finished.results["overall"]}
    assert prizes == {"张晓梅": 1, "李建国": None}  # a 0 total wins no prize
    page = client.get(f"/compete/{finished.id}/leaderboard?public=1").get_data(as_text=True)
    assert "一等奖" in page


def test_the_public_board_stays_frozen_until_publication(client, competition, login, people):
    competition.freeze_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    as_user(client, login, "worker")
    take_quiz(client, competition, right=True)
    close_all(competition)
    competition.freeze_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="frozen"' in page and "100.0" not in page and 'id="awards"' not in page
    token = as_user(client, login, "organizer")
    review = client.get(f"/compete/{competition.id}/results").get_data(as_text=True)
    assert "100.0" in review or "50.0" in review  # the organizer reviews the truth
    publish(client, competition, token)
    as_user(client, login, "worker")
    page = client.get(f"/compete/{competition.id}/leaderboard").get_data(as_text=True)
    assert 'id="frozen"' not in page and 'id="published"' in page and "50.0" in page


def test_projector_view_shows_title_and_podium_and_no_links(client, finished, login):
    token = as_user(client, login, "organizer")
    publish(client, finished, token)
    page = client.get(f"/compete/{finished.id}/leaderboard?screen=1&public=1").get_data(as_text=True)
    board = page.split('id="board"', 1)[1]
    assert f'id="projector-title">{finished.title}<' in board
    podium = re.search(r'<ol class="podium" id="podium">(.*?)</ol>', board, re.S).group(1)
    assert podium.index("张晓梅") < podium.index("李建国")  # the top three in order, the winner first
    assert "<a " not in board  # nothing to click on a hall's screen


def test_ties_read_as_bingli(client, finished, login, people):
    """Two contestants with the same total share a place, written 并列1 (never "1=")."""
    token = as_user(client, login, "organizer")
    judge(client, finished, people["mentor"], ("9", "9"), token)
    results = db.session.scalars(select(RoundResult).join(Entry).where(Entry.competition_id == finished.id)).all()
    by_round = {}
    for result in results:
        by_round.setdefault(result.round_id, []).append(result)
    for same in by_round.values():
        best = max(r.score or 0 for r in same)
        for r in same:
            r.score, r.finished_at = best, same[0].finished_at
    db.session.commit()
    page = client.get(f"/compete/{finished.id}/leaderboard").get_data(as_text=True)
    board = "".join(tables(page))
    assert "并列1" in board and "1=" not in board


def test_certificates_are_signed_by_the_street_office(client, finished, login, tmp_path):
    token = as_user(client, login, "organizer")
    publish(client, finished, token)
    assert {c.issuer for c in db.session.scalars(select(Certificate))} == {"长青街道办事处"}
