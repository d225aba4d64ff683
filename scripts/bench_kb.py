#!/usr/bin/env python3
"""Benchmark: the assistant's accuracy on held-out questions (``scripts/kb_benchmark.yaml``).

Builds a throwaway database (SQLite in a temp folder, or ``--database-url``) through the real
migrations, syncs the shipped content and knowledge base (``flask content sync``), then asks every
question the way the assistant does (segmentation, BM25 over FAQ entries and cases, confidence) and
prints top-1 and top-3 accuracy on the answerable questions, the hand-off rate (confidence below
``KB_CONFIDENCE_THRESHOLD``) on answerable and unanswerable ones, and the time per question.
``--sweep`` also prints the hand-off rates at other thresholds; ``--misses`` lists what went wrong.
Goal (issue 16): top-1 ≥ 90 %, ≥ 90 % of the unanswerable handed off, under 50 ms a question.

    .venv/bin/python scripts/bench_kb.py [--questions scripts/kb_benchmark.yaml] [--sweep] [--misses]
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


def load_questions(path: Path) -> tuple[list[dict], list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data.get("answerable") or []), list(data.get("unanswerable") or [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(ROOT / "scripts" / "kb_benchmark.yaml"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sweep", action="store_true", help="hand-off rates at thresholds 0.3 … 0.8")
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrongly or handed off")
    args = parser.parse_args()
    answerable, unanswerable = load_questions(Path(args.questions))
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
                elapsed = time.perf_counter() - start
                return hits, (assistant.confidence(hits[0]) if hits else 0.0), elapsed

            times, top1, top3, confident, misses = [], 0, 0, [], []
            for item in answerable:
                hits, conf, elapsed = ask(item["q"])
                times.append(elapsed)
                keys = [h.document.key.split(":", 1)[1] for h in hits]
                wanted = set(item["answers"])
                top1 += bool(keys[:1] and keys[0] in wanted)
                top3 += bool(wanted & set(keys[:3]))
                confident.append(conf)
                if not (keys[:1] and keys[0] in wanted) or conf < threshold:
                    misses.append(f"  answerable {item['q']!r}: got {keys[:3]} at {conf:.2f}, want {sorted(wanted)}")
            refused = []
            for text in unanswerable:
                hits, conf, elapsed = ask(text)
                times.append(elapsed)
                refused.append(conf)
                if conf >= threshold:
                    misses.append(f"  unanswerable {text!r}: answered {hits[0].document.key} at {conf:.2f}")
            n, m = len(answerable) or 1, len(unanswerable) or 1
            print(f"knowledge base: {found.size} documents; {len(answerable)} answerable and "
                  f"{len(unanswerable)} unanswerable questions; threshold {threshold:.2f}")
            print(f"top-1 accuracy            {100 * top1 / n:5.1f} %")
            print(f"top-3 accuracy            {100 * top3 / n:5.1f} %")
            print(f"handed off (answerable)   {100 * sum(c < threshold for c in confident) / n:5.1f} %")
            print(f"handed off (unanswerable) {100 * sum(c < threshold for c in refused) / m:5.1f} %")
            print(f"time per question         {1000 * statistics.mean(times):5.2f} ms mean, "
                  f"{1000 * max(times):.2f} ms worst")
            if args.sweep:
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
