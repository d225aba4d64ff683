"""The sums the evidence hub keeps per person × indicator (``app.evidence_sums``) give the same levels
as the scoring rule on the rows, through every way records are written or replaced; they are rebuilt
when the half-life changes; cohort views read them with a constant number of queries."""
from __future__ import annotations

import io
import random
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from app import competency, evidence, evidence_sums
from app.clock import utcnow
from app.extensions import db
from app.models import EvidenceRecord, IndicatorSums, IndicatorSumsState, User
from app.profile.scoring import score_profile
from app.profile.service import evidence_by_user, profiles_for, settings
from tests.views.test_profile import count_queries

INDICATORS = ["policy.learning", "policy.accuracy", "comm.residents", "comm.departments", "handling.detection",
              "handling.emergency", "info.collection", "info.analysis", "resilience.stress", "resilience.emotion"]


def row_rule(user_ids, now=None):
    """The scoring rule on every row, as {person: (indicator levels, group levels)}: what the pages
    showed before the sums."""
    now = now or utcnow()
    rows = evidence_by_user(user_ids)
    return levels_of({uid: score_profile(rows.get(uid, []), competency.model(), now, settings()) for uid in user_ids})


def levels_of(profiles):
    return {uid: (profile.indicators, profile.groups) for uid, profile in profiles.items()}


def from_sums(user_ids, now=None):
    return levels_of(profiles_for(user_ids, now))


def random_evidence(people, rng, batches=60):
    """Batches through the hub: answers (add), judged scores (replace), course completions (skip),
    repeated refs, records without a ref, over two years."""
    now = utcnow()
    for _n in range(batches):
        kind = rng.choice(["quiz_answer", "drill_decision", "mentor_observation", "competition_judging",
                           "course_completion"])
        person = rng.choice(people)
        items = []
        for _k in range(rng.randrange(1, 6)):
            ref = rng.choice(["", f"{kind}:1", f"{kind}:2", f"{kind}:{rng.randrange(1000)}"])
            items.append(evidence.Item(user_id=person.id, indicator=rng.choice(INDICATORS[:4]),
                                       score=float(rng.choice([0, 35, 72.5, 100, rng.uniform(0, 100)])),
                                       weight=rng.choice([1.0, 2.0, 0.5]), source_ref=ref,
                                       at=now - timedelta(days=rng.uniform(0, 730))))
        evidence.record_all(kind, items)
        if rng.random() < 0.3:
            db.session.commit()
    db.session.commit()


def test_sums_kept_by_the_hub_give_the_row_rules_levels(app, people, make_user, areas):
    rng = random.Random(14)
    crowd = [people["worker"]] + [make_user(f"sums{i}", ("worker",), areas["grid1"]) for i in range(5)]
    random_evidence(crowd, rng)
    ids = [p.id for p in crowd]
    # the hub kept them: nothing rebuilt them
    assert db.session.get(IndicatorSumsState, 1).built_at is not None
    stored = {(s.user_id, s.indicator): s for s in db.session.scalars(select(IndicatorSums))}
    rows = db.session.execute(select(EvidenceRecord.user_id, EvidenceRecord.indicator, func.count())
                              .group_by(EvidenceRecord.user_id, EvidenceRecord.indicator)).all()
    assert {(u, i): n for u, i, n in rows} == {key: s.records for key, s in stored.items() if s.records}
    expected = row_rule(ids)
    assert from_sums(ids) == expected
    assert any(level.level is not None for levels, _groups in expected.values() for level in levels.values())
    assert any(level.sources < level.records for levels, _groups in expected.values() for level in levels.values())


def test_a_replaced_judged_score_and_a_skipped_repeat_keep_the_sums_exact(app, people):
    worker = people["worker"]
    at = utcnow() - timedelta(days=3)
    judged = evidence.Item(user_id=worker.id, indicator="comm.residents", score=40.0, weight=3.0,
                           source_ref="competition:1:round:1", at=at)
    evidence.record_all("competition_judging", [judged])
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker.id, indicator="comm.residents", score=90.0,
                                                      source_ref="q:7", at=at)])
    evidence.record_all("competition_judging", [evidence.Item(**{**judged.__dict__, "score": 70.0})])
    for _again in range(2):
        evidence.record_all("course_completion", [evidence.Item(user_id=worker.id, indicator="comm.residents",
                                                                score=100.0, source_ref="course:a", at=at)])
    db.session.commit()
    sums = db.session.get(IndicatorSums, (worker.id, "comm.residents"))
    assert (sums.records, sums.sources) == (3, 3)
    assert set(sums.kinds.strip("|").split("|")) == {"competition_judging", "quiz_answer", "course_completion"}
    assert from_sums([worker.id]) == row_rule([worker.id])
    assert profiles_for([worker.id])[worker.id].level("comm.residents") == round((70 * 3 + 90 + 100) / 5, 1)


def test_a_record_dated_after_the_moment_scored_is_scored_from_rows(app, people):
    worker, other = people["worker"], people["mentor"]
    now = utcnow()
    for person in (worker, other):
        evidence.record_all("quiz_answer", [
            evidence.Item(user_id=person.id, indicator="comm.residents", score=60.0 + i, source_ref=f"q:{i}",
                          at=now - timedelta(days=i)) for i in range(4)])
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker.id, indicator="comm.residents", score=0.0,
                                                      weight=5.0, source_ref="q:future", at=now + timedelta(hours=1))])
    db.session.commit()
    ids = [worker.id, other.id]
    _sums, from_rows = evidence_sums.sums_for(ids, now, settings())
    assert from_rows == [worker.id]
    assert from_sums(ids, now) == row_rule(ids, now)
    # three months ago (the mentor dashboard's second radar): nobody's sums apply, rows do
    before = now - timedelta(days=91)
    assert from_sums(ids, before) == row_rule(ids, before)
    later = now + timedelta(hours=2)
    assert from_sums(ids, later) == row_rule(ids, later)
    assert profiles_for(ids, later)[worker.id].indicators["comm.residents"].records == 5


def test_a_changed_half_life_rebuilds_the_sums(app, people, monkeypatch):
    worker = people["worker"]
    now = utcnow()
    evidence.record_all("quiz_answer", [
        evidence.Item(user_id=worker.id, indicator="policy.learning", score=20.0 + 10 * i, source_ref=f"q:{i}",
                      at=now - timedelta(days=60 * i)) for i in range(6)])
    db.session.commit()
    first = profiles_for([worker.id])[worker.id].level("policy.learning")
    monkeypatch.setitem(app.config, "EVIDENCE_HALF_LIFE_DAYS", 30.0)
    assert db.session.get(IndicatorSumsState, 1).half_life_days == 180.0
    second = from_sums([worker.id])
    db.session.expire_all()
    assert db.session.get(IndicatorSumsState, 1).half_life_days == 30.0
    assert second == row_rule([worker.id])
    assert second[worker.id][0]["policy.learning"].level != first
    # too short a half-life to keep sums for: rows, still the same levels
    monkeypatch.setitem(app.config, "EVIDENCE_HALF_LIFE_DAYS", 7.0)
    assert from_sums([worker.id]) == row_rule([worker.id])
    monkeypatch.setitem(app.config, "EVIDENCE_HALF_LIFE_DAYS", None)
    assert from_sums([worker.id]) == row_rule([worker.id])


def test_records_loaded_around_the_hub_are_counted_after_rebuild_sums(app, runner, people):
    worker = people["worker"]
    db.session.add_all([EvidenceRecord(user_id=worker.id, indicator="info.analysis", score=80.0, weight=2.0,
                                       source_kind="quiz_answer", source_ref=f"import:{i}",
                                       created_at=utcnow() - timedelta(days=i)) for i in range(3)])
    db.session.commit()
    # a fresh database: the first reader builds the sums from the records
    assert profiles_for([worker.id])[worker.id].level("info.analysis") == 80.0
    db.session.add(EvidenceRecord(user_id=worker.id, indicator="info.analysis", score=20.0, weight=6.0,
                                  source_kind="quiz_answer", source_ref="import:late", created_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["evidence", "rebuild-sums"])
    assert result.exit_code == 0, result.output
    assert "rebuilt 1 person × indicator sums" in result.output
    db.session.expire_all()
    assert from_sums([worker.id]) == row_rule([worker.id])
    assert profiles_for([worker.id])[worker.id].indicators["info.analysis"].records == 4


def test_a_deleted_account_takes_its_sums_with_it(app, people, make_user, areas):
    gone = make_user("gone", ("worker",), areas["grid1"])
    evidence.record_all("quiz_answer", [evidence.Item(user_id=gone.id, indicator="comm.residents", score=50.0)])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(IndicatorSums)) == 1
    db.session.delete(db.session.get(User, gone.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(IndicatorSums)) == 0




def test_cohort_levels_on_the_page_and_in_excel_equal_the_row_rule(client, content, people, login, make_user,
                                                                   areas):
    rng = random.Random(7)
    crowd = [make_user(f"c{i:02d}", ("worker",), areas["grid1"], name=f"队员{i:02d}") for i in range(12)]
    random_evidence(crowd, rng, batches=120)
    expected = {uid: {key: value.level for key, value in levels.items()}
                for uid, (levels, _groups) in row_rule([p.id for p in crowd]).items()}
    login("organizer")
    page = client.get("/profile/cohort").get_data(as_text=True)
    for person in crowd:
        row = re.search(rf'user_id={person.id}"|/profile/{person.id}">{person.name}</a></td>(.*?)</tr>', page, re.S)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
        levels = expected[person.id]
        assert cells == [str(round(levels[i])) if levels[i] is not None else "·" for i in competency.indicators()]
    book = load_workbook(io.BytesIO(client.get("/profile/cohort/records.xlsx").data))
    sheet = book.worksheets[0]
    by_name = {row[0]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for person in crowd:
        assert list(by_name[person.name]) == [expected[person.id][i] for i in competency.indicators()]


def test_pairing_suggestions_make_as_many_queries_for_many_people_as_for_few(client, content, people, login,
                                                                            make_user, areas):
    login("organizer")
    counts = []
    for size in (2, 40):
        for i in range(size):
            user = make_user(f"new{size}-{i}", ("worker",), areas["grid1"])
            evidence.record_all("quiz_answer", [
                evidence.Item(user_id=user.id, indicator=INDICATORS[k], score=50.0, source_ref=f"q:{k}")
                for k in range(10)])
        db.session.commit()
        assert client.get("/mentoring/suggestions").status_code == 200
        with count_queries() as counter:
            assert client.get("/mentoring/suggestions").status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


def test_a_judged_score_replaced_on_another_indicator_leaves_nothing_behind(app, people):
    worker = people["worker"]
    first = evidence.Item(user_id=worker.id, indicator="comm.residents", score=40.0, weight=3.0,
                          source_ref="competition:2:round:1")
    evidence.record_all("competition_judging", [first])
    evidence.record_all("competition_judging", [evidence.Item(**{**first.__dict__, "indicator": "comm.departments"})])
    db.session.commit()
    assert db.session.get(IndicatorSums, (worker.id, "comm.residents")) is None
    assert db.session.get(IndicatorSums, (worker.id, "comm.departments")).records == 1
    assert from_sums([worker.id]) == row_rule([worker.id])


def test_concurrent_writers_of_the_same_source_count_it_once(app, people):
    """Two requests at once (own sessions and connections) write records of one person and indicator,
    some with the same source ref: the kept counts equal the rows'."""
    import threading

    worker_id = people["worker"].id
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker_id, indicator="info.collection", score=50.0,
                                                      source_ref="q:seed")])
    db.session.commit()
    barrier, errors = threading.Barrier(2), []

    def write(n):
        try:
            with app.app_context():
                for round_ in range(8):
                    barrier.wait(timeout=30)
                    evidence.record_all("quiz_answer", [
                        evidence.Item(user_id=worker_id, indicator="info.collection", score=10.0 * n,
                                      source_ref=ref) for ref in (f"q:shared{round_}", f"q:own{n}-{round_}", "")])
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.session.expire_all()
    sums = db.session.get(IndicatorSums, (worker_id, "info.collection"))
    assert (sums.records, sums.sources) == (1 + 2 * 8 * 3, 1 + 8 + 2 * 8 + 2 * 8)
    assert from_sums([worker_id]) == row_rule([worker_id])


def test_two_transactions_writing_batches_in_opposite_orders_do_not_deadlock(app, people):
    """PostgreSQL: two transactions (a drill ending each: decision evidence, then outcome evidence) write
    one person's sums rows in opposite orders, the second batch of each starting only when both have
    written their first. Locking the rows batch by batch made one of them fail with "deadlock
    detected"; the sums are written once per transaction at COMMIT, in one order, so both commit and
    the kept sums equal the rows'."""
    import threading

    import pytest

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time in: the two transactions cannot interleave")
    worker_id = people["worker"].id
    first, second = "comm.residents", "handling.emergency"
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker_id, indicator=indicator, score=50.0,
                                                      source_ref=f"q:seed:{indicator}") for indicator in (first, second)])
    db.session.commit()
    barrier, errors = threading.Barrier(2), []

    def write(n, order):
        try:
            with app.app_context():
                try:
                    for step, indicator in enumerate(order):
                        if step:
                            barrier.wait(timeout=30)  # both transactions hold their first batch
                        evidence.record_all(("drill_decision", "drill_ending")[step], [evidence.Item(
                            user_id=worker_id, indicator=indicator, score=20.0 * n + step,
                            source_ref=f"drill:{n}:{step}")])
                    db.session.commit()
                finally:
                    db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=write, args=(1, (first, second))),
               threading.Thread(target=write, args=(2, (second, first)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    for indicator in (first, second):
        sums = db.session.get(IndicatorSums, (worker_id, indicator))
        assert (sums.records, sums.sources) == (3, 3)
    assert from_sums([worker_id]) == row_rule([worker_id])


def test_a_reader_in_the_writing_transaction_sees_its_own_records_and_a_rollback_leaves_no_sums(app, people):
    """The sums are written at COMMIT: before it, a reader in the same transaction scores the people it
    wrote for from their rows (which hold the new records); a rollback, or a SAVEPOINT rolled back,
    takes its records' share of the sums with it."""
    worker, other = people["worker"], people["mentor"]
    now = utcnow()
    for person in (worker, other):
        evidence.record_all("quiz_answer", [evidence.Item(user_id=person.id, indicator="comm.residents", score=40.0,
                                                          source_ref=f"q:{i}", at=now - timedelta(days=i))
                                            for i in range(3)])
    db.session.commit()
    ids = [worker.id, other.id]
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker.id, indicator="comm.residents", score=100.0,
                                                      weight=4.0, source_ref="q:new", at=now)])
    _sums, from_rows = evidence_sums.sums_for(ids, now, settings())
    assert from_rows == [worker.id]
    assert from_sums(ids, now) == row_rule(ids, now)
    assert profiles_for([worker.id], now)[worker.id].level("comm.residents") == round((40 * 3 + 400) / 7, 1)
    db.session.rollback()
    assert evidence_sums.sums_for(ids, now, settings())[1] == []
    assert profiles_for([worker.id], now)[worker.id].indicators["comm.residents"].records == 3
    assert from_sums(ids, now) == row_rule(ids, now)
    # a SAVEPOINT rolled back: its batch is forgotten, the one before it and the one after are kept
    evidence.record_all("quiz_answer", [evidence.Item(user_id=worker.id, indicator="comm.residents", score=100.0,
                                                      source_ref="q:kept", at=now)])
    savepoint = db.session.begin_nested()
    evidence.record_all("quiz_answer", [evidence.Item(user_id=other.id, indicator="comm.residents", score=0.0,
                                                      weight=9.0, source_ref="q:undone", at=now)])
    inner = db.session.begin_nested()
    evidence.record_all("quiz_answer", [evidence.Item(user_id=other.id, indicator="comm.residents", score=0.0,
                                                      source_ref="q:inner", at=now)])
    inner.commit()
    savepoint.rollback()
    released = db.session.begin_nested()
    evidence.record_all("quiz_answer", [evidence.Item(user_id=other.id, indicator="info.analysis", score=70.0,
                                                      source_ref="q:released", at=now)])
    released.commit()
    assert evidence_sums.sums_for(ids, now, settings())[1] == ids
    db.session.commit()
    db.session.expire_all()
    assert evidence_sums.sums_for(ids, now, settings())[1] == []
    assert db.session.get(IndicatorSums, (worker.id, "comm.residents")).records == 4
    assert db.session.get(IndicatorSums, (other.id, "comm.residents")).records == 3
    assert db.session.get(IndicatorSums, (other.id, "info.analysis")).records == 1
    assert from_sums(ids, now) == row_rule(ids, now)
