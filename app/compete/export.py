"""A competition's results as Excel (per contestant, per round, per criterion) and its certificates
as one printable PDF (award winners, then every participant)."""
from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..certificates import render_many
from ..clock import local, naive_local
from ..extensions import db
from ..models import Competition, Entry, JudgeScore, RoundResult, User
from . import service


def results_workbook(competition: Competition) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: it takes a quarter second to load

    overall, _brackets, _frozen = service.leaderboard(competition, truth=True)
    book = Workbook()
    ranking = book.active
    ranking.title = _("Ranking")
    ranking.append([_("Rank"), _("Name"), _("Bracket"), *[r.title for r in competition.rounds], _("Total")])
    for row in overall:
        ranking.append([row.rank, row.entry.name, row.entry.bracket or "",
                        *[row.entry.round_scores.get(r.id) for r in competition.rounds], row.total])
    per_round = book.create_sheet(_("Rounds"))
    per_round.append([_("Round"), _("Name"), _("Worker number"), _("Score"), _("Started"), _("Finished")])
    rows = db.session.execute(
        select(RoundResult, User).join(Entry, Entry.id == RoundResult.entry_id).join(User, User.id == Entry.user_id)
        .where(Entry.competition_id == competition.id).order_by(RoundResult.round_id, User.name)).all()
    titles = {r.id: r.title for r in competition.rounds}
    for result, user in rows:
        per_round.append([titles.get(result.round_id, ""), user.name, user.worker_number or user.username,
                          result.score, naive_local(result.started_at), naive_local(result.finished_at)])
    criteria = book.create_sheet(_("Criteria"))
    criteria.append([_("Round"), _("Name"), _("Judge"), _("Criterion"), _("Points"), _("Max")])
    for round_ in (r for r in competition.rounds if r.kind == "practical"):
        for sheet, user, judge in _judge_rows(round_.id):
            for criterion, points in zip(round_.rubric, sheet.points):
                criteria.append([round_.title, user.name, judge.name, criterion["name"], points, criterion["max"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _judge_rows(round_id: int):
    judge = aliased(User)
    return db.session.execute(
        select(JudgeScore, User, judge).join(Entry, Entry.id == JudgeScore.entry_id)
        .join(User, User.id == Entry.user_id).join(judge, judge.id == JudgeScore.judge_id)
        .where(JudgeScore.round_id == round_id).order_by(User.name, judge.name)).all()


def certificates_pdf(competition: Competition, only: int | None = None) -> bytes:
    """Award certificates for the single-award winners, and a participation certificate for everyone
    who took part (``only``: one entry's certificates)."""
    last = max((r.closes_at for r in competition.rounds), default=competition.created_at)
    date_text = _chinese_date(local(last))
    issuer = competition.area.name
    entries = db.session.execute(select(Entry.id, User.name).join(User, User.id == Entry.user_id)
                                 .where(Entry.competition_id == competition.id).order_by(User.name)).all()
    taken = set(db.session.scalars(select(RoundResult.entry_id).join(Entry, Entry.id == RoundResult.entry_id)
                                   .where(Entry.competition_id == competition.id, RoundResult.score.is_not(None))))
    pages = []
    for award in service.awards(competition):
        for entry_id, name in zip(award.winner_ids, award.winners):
            if only is None or only == entry_id:
                pages.append({"kind": "award", "name": name, "issuer": issuer, "date_text": date_text,
                              "title": _("won the single award “%(award)s” in %(competition)s",
                                         award=award.title, competition=competition.title),
                              "serial": f"GA-{competition.id}-{award.key}-{entry_id}"})
    for entry_id, name in entries:
        if entry_id in taken and (only is None or only == entry_id):
            pages.append({"kind": "participation", "name": name, "issuer": issuer, "date_text": date_text,
                          "title": _("took part in %(competition)s", competition=competition.title),
                          "serial": f"GA-{competition.id}-P-{entry_id}"})
    if not pages:
        pages.append({"kind": "participation", "name": "—", "issuer": issuer, "date_text": date_text,
                      "title": _("No one has a result in %(competition)s yet.", competition=competition.title),
                      "serial": f"GA-{competition.id}-0"})
    return render_many(pages)


def _chinese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"
