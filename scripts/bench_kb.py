#!/usr/bin/env python3
"""Benchmark: the assistant's accuracy on held-out questions (``scripts/kb_benchmark.yaml``).

Builds a throwaway database (SQLite in a temp folder, or ``--database-url``) through the real
migrations, syncs the shipped content and knowledge base (``flask content sync``), then asks every
question the way the assistant does (segmentation, BM25 over FAQ entries and cases, confidence) and
prints, per batch of the file and for all, top-1 and top-3 accuracy on the answerable questions, the
hand-off rate (confidence below ``KB_CONFIDENCE_THRESHOLD``) on answerable and unanswerable ones, the
share of answerable questions answered with a wrong entry (not handed off), and the time per question. ``--batches 1,2`` keeps to some batches (the development set; batch 3 is the
held-out one); ``--sweep`` also prints the hand-off rates at other thresholds; ``--misses`` lists what
went wrong.
Goal (issue 16): top-1 ≥ 90 %, ≥ 90 % of the unanswerable handed off, under 50 ms a question.

    .venv/bin/python scripts/bench_kb.py [--questions scripts/kb_benchmark.yaml] [--batches 1,2] [--sweep] [--misses]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402


def load_questions(path: Path, batches: set[int] | None = None) -> tuple[list[dict], list[dict]]:
    """The answerable ({q, answers, batch}) and unanswerable ({q, batch}) questions, of ``batches`` only
    when given (a question without ``batch`` is of the first)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answerable = [{**item, "batch": int(item.get("batch", 1))} for item in data.get("answerable") or []]
    unanswerable = [{"q": item, "batch": 1} if isinstance(item, str) else {**item, "batch": int(item.get("batch", 1))}
                    for item in data.get("unanswerable") or []]
    if batches:
        answerable = [item for item in answerable if item["batch"] in batches]
        unanswerable = [item for item in unanswerable if item["batch"] in batches]
    return answerable, unanswerable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(ROOT / "scripts" / "kb_benchmark.yaml"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sweep", action="store_true", help="hand-off rates at thresholds 0.3 … 0.8")
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrongly or handed off")
    parser.add_argument("--batches", default="", help="only these batches, e.g. 1,2 (the development set)")
    args = parser.parse_args()
    batches = {int(b) for b in args.batches.split(",") if b.strip()} if args.batches else None
    answerable, unanswerable = load_questions(Path(args.questions), batches)
    folder = tempfile.mkdtemp(prefix="bench-kb-")
    try:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            from flask_migrate import upgrade

            from app.content.sync import check_content, sync_content
            from app.kb import assistant, index

            upgrade()
            cfg = app.config
            report = check_content(cfg["CONTENT_DIR"], cfg["SCENARIOS_DIR"], cfg["QUESTIONS_DIR"], cfg["KNOWLEDGE_DIR"])
            if report.errors:
                print("\n".join(report.errors), file=sys.stderr)
                return 1
            sync_content(report, cfg["SCENARIOS_DIR"])
            db.session.commit()
            found = index.current()
            threshold = float(cfg["KB_CONFIDENCE_THRESHOLD"])

            def ask(text: str):
                start = time.perf_counter()
                hits = found.search(text, kinds=assistant.ANSWER_KINDS, limit=10)
                conf = assistant.assess(hits)
                return hits, conf, time.perf_counter() - start

            times, misses = [], []
            results: dict[int, dict[str, list]] = {}
            for item in answerable:
                hits, conf, elapsed = ask(item["q"])
                times.append(elapsed)
                keys = [h.document.key.split(":", 1)[1] for h in hits]
                wanted = set(item["answers"])
                row = results.setdefault(item["batch"], {"answerable": [], "unanswerable": []})
                right = bool(keys[:1] and keys[0] in wanted)
                row["answerable"].append((right, bool(wanted & set(keys[:3])), conf))
                if not right or conf < threshold:
                    misses.append(f"  [{item['batch']}] answerable {item['q']!r}: got {keys[:3]} at {conf:.2f}, "
                                  f"want {sorted(wanted)}")
            for item in unanswerable:
                hits, conf, elapsed = ask(item["q"])
                times.append(elapsed)
                results.setdefault(item["batch"], {"answerable": [], "unanswerable": []})["unanswerable"].append(conf)
                if conf >= threshold:
                    misses.append(f"  [{item['batch']}] unanswerable {item['q']!r}: answered {hits[0].document.key} "
                                  f"at {conf:.2f}")
            print(f"knowledge base: {found.size} documents; {len(answerable)} answerable and "
                  f"{len(unanswerable)} unanswerable questions; threshold {threshold:.2f}")

            def pct(count: int, total: int) -> str:
                return f"{100 * count / total:5.1f} %" if total else "    –  "

            print(f"{'batch':<10} {'answerable':>10} {'top-1':>8} {'top-3':>8} {'handed off':>10} {'wrong':>8} "
                  f"{'unanswerable':>12} {'handed off':>10}")
            groups = [(str(b), results[b]) for b in sorted(results)]
            if len(groups) > 1:
                groups.append(("all", {"answerable": [r for _b, g in groups for r in g["answerable"]],
                                       "unanswerable": [c for _b, g in groups for c in g["unanswerable"]]}))
            for name, group in groups:
                rows, refused = group["answerable"], group["unanswerable"]
                print(f"{name:<10} {len(rows):>10} {pct(sum(r[0] for r in rows), len(rows)):>8} "
                      f"{pct(sum(r[1] for r in rows), len(rows)):>8} "
                      f"{pct(sum(r[2] < threshold for r in rows), len(rows)):>10} "
                      f"{pct(sum(not r[0] and r[2] >= threshold for r in rows), len(rows)):>8} {len(refused):>12} "
                      f"{pct(sum(c < threshold for c in refused), len(refused)):>10}")
            print(f"time per question: {1000 * statistics.mean(times):.2f} ms mean, "
                  f"{1000 * sorted(times)[int(0.95 * (len(times) - 1))]:.2f} ms 95th percentile, "
                  f"{1000 * max(times):.2f} ms worst")
            if args.sweep:
                confident = [r[2] for _b, g in groups[-1:] for r in g["answerable"]]
                refused = [c for _b, g in groups[-1:] for c in g["unanswerable"]]
                n, m = len(confident) or 1, len(refused) or 1
                for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
                    print(f"  threshold {t:.2f}: handed off {100 * sum(c < t for c in confident) / n:5.1f} % of "
                          f"answerable, {100 * sum(c < t for c in refused) / m:5.1f} % of unanswerable")
            if args.misses and misses:
                print("misses:\n" + "\n".join(misses))
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
