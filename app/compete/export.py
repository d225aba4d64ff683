"""A competition's results as Excel (ranking, per round, per criterion with conflicts and superseded
sheets, awards with certificate numbers) and its certificates as one printable PDF.

Once the results are published both read what was published: the ranking and awards stored on the
competition, the certificates as issued (the same bytes on every download, dated with the
publication). Before that the organizer gets a preview: the live ranking on a sheet titled as not
published, and draft certificates marked 未发布 with no number.
"""
from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..certificates import render_many
from ..clock import local, naive_local
from ..exports import finish_workbook, safe_row
from ..extensions import db
from ..labels import CONFLICT_NAMES, official_name, rank_text
from ..models import Competition, Entry, JudgeScore, RoundResult, User
from . import service


def results_workbook(competition: Competition) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: it takes a quarter second to load

    board = service.leaderboard(competition, truth=True)
    published = board.published_at is not None
    book = Workbook()
    ranking = book.active
    ranking.title = _("Ranking") if published else _("Ranking (not published)")
    ranking.append(safe_row([_("Rank"), _("Name"), _("Bracket"), *[r.title for r in competition.rounds], _("Total")]))
    for row in board.overall:
        ranking.append(safe_row([rank_text(row.rank, True) if row.tied else row.rank, row.entry.name, row.entry.bracket or "",
                                 *[row.entry.round_scores.get(r.id) for r in competition.rounds], row.total]))
    per_round = book.create_sheet(_("Rounds"))
    per_round.append(safe_row([_("Round"), _("Name"), _("Worker number"), _("Score"), _("Started (Beijing time)"),
                              _("Finished (Beijing time)")]))
    rows = db.session.execute(
        select(RoundResult, User).join(Entry, Entry.id == RoundResult.entry_id).join(User, User.id == Entry.user_id)
        .where(Entry.competition_id == competition.id).order_by(RoundResult.round_id, User.name_key, User.name)).all()
    titles = {r.id: r.title for r in competition.rounds}
    for result, user in rows:
        per_round.append(safe_row([titles.get(result.round_id, ""), user.name, user.worker_number or user.username,
                                   result.score, naive_local(result.started_at), naive_local(result.finished_at)]))
    criteria = book.create_sheet(_("Criteria"))
    criteria.append(safe_row([_("Round"), _("Name"), _("Judge"), _("Criterion"), _("Points"), _("Max"),
                              _("Conflict of interest"), _("Superseded")]))
    for round_ in (r for r in competition.rounds if r.kind == "practical"):
        for sheet, user, judge in _judge_rows(round_.id):
            conflicts = "、".join(str(CONFLICT_NAMES.get(c, c)) for c in sheet.conflicts or [])
            superseded = naive_local(sheet.superseded_at)
            for criterion, points in zip(round_.rubric, sheet.points):
                criteria.append(safe_row([round_.title, user.name, judge.name, criterion["name"], points, criterion["max"],
                                          conflicts, superseded]))
    prizes = book.create_sheet(_("Awards") if published else _("Awards (not published)"))
    prizes.append(safe_row([_("Award"), _("Name"), _("Score"), _("Certificate number")]))
    names = {row.entry.id: row.entry.name for row in board.overall}
    numbers = {(c.entry_id, c.award): c.number for c in service.certificates_of(competition)}
    for row in board.overall:
        level = board.prizes.get(row.entry.id)
        if level:
            prizes.append(safe_row([service.prize_title(level), row.entry.name, row.total,
                                    numbers.get((row.entry.id, f"prize-{level}"), "")]))
    for award in board.awards or []:
        for entry_id in award.winner_ids:
            prizes.append(safe_row([award.title, names.get(entry_id, ""), award.score, numbers.get((entry_id, award.key), "")]))
    out = io.BytesIO()
    finish_workbook(book)
    book.save(out)
    return out.getvalue()


def _judge_rows(round_id: int):
    judge = aliased(User)
    return db.session.execute(
        select(JudgeScore, User, judge).join(Entry, Entry.id == JudgeScore.entry_id)
        .join(User, User.id == Entry.user_id).join(judge, judge.id == JudgeScore.judge_id)
        .where(JudgeScore.round_id == round_id).order_by(User.name_key, User.name, judge.name_key, judge.name, JudgeScore.id)).all()


def certificates_pdf(competition: Competition, entry: Entry | None = None) -> bytes | None:
    """The published certificates (``entry``: one contestant's), the same bytes on every call; None when
    there are none (not published, or the contestant earned none)."""
    if competition.published_at is None:
        return None
    issued = service.certificates_of(competition, entry)
    if not issued:
        return None
    date_text = chinese_date(local(competition.published_at))
    return render_many([{"kind": c.kind, "name": c.name, "title": c.body, "issuer": c.issuer,
                         "date_text": date_text, "serial": c.number} for c in issued],
                       created=local(competition.published_at))


def preview_pdf(actor: User, competition: Competition) -> bytes:
    """For the organizer before publication: the certificates publishing now would issue, as drafts
    (marked 未发布, no number, no date). Raises Refusal for anyone else."""
    specs = service.preview_certificates(actor, competition)
    issuer = official_name(competition.area)
    pages = [{"kind": s.kind, "name": s.name, "title": s.body, "issuer": issuer, "date_text": "", "serial": "—"}
             for s in specs]
    if not pages:
        pages = [{"kind": "participation", "name": "—", "issuer": issuer, "serial": "—",
                  "title": _("No one has a result in %(competition)s yet.", competition=competition.title)}]
    return render_many(pages, draft=True)


def chinese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"
