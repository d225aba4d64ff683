"""The assistant's answer (pure: no Flask, no database): from the search hits to a reply with its
sources and a confidence, and the optional LLM that only rephrases what was retrieved.

**Confidence** (0-1) is a logistic model of the chance that the best entry answers the question, from
four signals of its hit: how close the question is to the entry's closest title line (its question or
one phrasing), how much of the question its title holds, its margin over the runner-up (a clear winner
is surer than one of several near-equal entries; a case right behind the best FAQ entry tells the same
topic and does not count against it) and its word BM25 evidence, saturated. The weights
were fitted on batches 1 and 2 of ``scripts/kb_benchmark.yaml`` (answerable and unanswerable) and the
threshold (``KB_CONFIDENCE_THRESHOLD``, 0.70) hands off 90 % of their unanswerable questions (0.66 did
before the knowledge base had three times as many phrasings: a richer title lifts every confidence);
batch 3 was never used to set them.

**Reply.** Only FAQ entries and cases answer (lessons and question explanations are for search). At or
above ``threshold`` the reply is the best entry's answer (an FAQ's answer; a case's handling and lessons
learned, as the caller composes them in ``Entry.answer``) with up to three sources; below it the reply
has no text, says it is not sure (the page offers to ask a person) and lists the entries that came
closest.

**LLM** (optional). ``LlmConfig`` names an OpenAI-compatible chat completions API (DeepSeek, a local
server ...). ``rephrase`` sends the question and the retrieved entries, with an instruction to answer from
them only and never to add local figures, and returns the reply with the model's text; the sources stay
the same. Any error (network, timeout, HTTP status, malformed JSON, empty answer) leaves the retrieved
answer as it was. Standard library HTTP client (``urllib``); loopback addresses bypass any proxy.
"""
from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

#: Kinds of documents the assistant answers from.
ANSWER_KINDS = ("faq", "case")
MAX_SOURCES = 3
#: A further source is listed when its confidence is at least this share of the best one's.
SOURCE_SHARE = 0.5
MAX_LLM_CHARS = 4000

SYSTEM_PROMPT = (
    "你是社区网格员的知识库助手。只能根据用户消息中“资料”部分的内容回答，不得加入资料以外的信息；"
    "尤其不要编造当地的标准、金额、电话、地址或办理时限，资料里写“以当地规定为准”的要照样提醒。"
    "资料不足以回答时，直接说明资料中没有相关内容。用简洁的中文分点回答，适合在手机上阅读。"
)


@dataclass(frozen=True)
class Entry:
    """What the assistant may answer from: one FAQ entry or case."""

    key: str
    kind: str
    title: str
    url: str
    answer: str                  # Markdown: an FAQ's answer, or a case's handling and lessons learned
    local_rules: bool = False


@dataclass(frozen=True)
class Reply:
    text: str                    # Markdown answer; "" when not sure
    sources: list[dict]          # {"key", "kind", "title", "url", "confidence"}
    confidence: float
    sure: bool
    local_rules: bool = False
    llm: bool = False            # the text was phrased by the LLM
    keys: list[str] = field(default_factory=list)   # the entries the text was made from


#: The confidence is a logistic model of the chance that the best entry answers the question, fitted by
#: logistic regression on batches 1 and 2 of ``scripts/kb_benchmark.yaml`` (the right entry first: yes;
#: a wrong one or a question nothing answers: no, the latter weighted 3 times): weights of how close the
#: question is to the entry's closest title line (``Hit.line``), how much of it the entry's title holds
#: (``Hit.title_coverage``), the margin over the runner-up (``(s1 - s2) / s1`` of the ranking scores;
#: cases behind an FAQ entry are no runners-up, see ``_margin``)
#: and the entry's word BM25 evidence, saturated (``bm25 / (bm25 + EVIDENCE_HALF)``).
WEIGHTS = {"line": 1.6, "title": 1.5, "margin": 1.6, "evidence": 1.8}
BIAS = -1.8
EVIDENCE_HALF = 20.0


def confidence(hit, margin: float = 0.0) -> float:
    """How sure an answer from ``hit`` (an ``app.kb.search.Hit``) is, 0-1, given its ``margin`` over the
    next entry (0-1; 0 for an entry that is not the first)."""
    evidence = hit.bm25 / (hit.bm25 + EVIDENCE_HALF) if hit.bm25 > 0 else 0.0
    z = (BIAS + WEIGHTS["line"] * hit.line + WEIGHTS["title"] * hit.title_coverage
         + WEIGHTS["margin"] * max(0.0, min(1.0, margin)) + WEIGHTS["evidence"] * evidence)
    return round(1 / (1 + math.exp(-z)), 3)


def _answering(hits: Iterable, entries: Mapping[str, Entry] | None = None) -> list:
    return [hit for hit in hits if hit.document.kind in ANSWER_KINDS
            and (entries is None or hit.document.key in entries)]


def _margin(candidates: list) -> float:
    """How far the first candidate's ranking score is ahead of its first rival, as a share of it. A case
    tells the story of an FAQ entry's topic, so a case right behind the best FAQ entry is the same answer
    told twice, not a rival: an FAQ entry's rivals are the other entries. A case that leads is rivalled by
    whatever follows (an entry just behind it may answer the question as well)."""
    if not candidates or candidates[0].score <= 0:
        return 0.0
    rivals = [hit for hit in candidates[1:] if candidates[0].document.kind != "faq" or hit.document.kind == "faq"]
    if not rivals:
        return 1.0
    return (candidates[0].score - rivals[0].score) / candidates[0].score


def assess(hits) -> float:
    """The confidence of answering from the first of ``hits`` (best first), 0 when there is none."""
    candidates = _answering(hits)
    return confidence(candidates[0], _margin(candidates)) if candidates else 0.0


def reply(hits: Iterable, entries: Mapping[str, Entry], threshold: float) -> Reply:
    """The reply to a question from its search ``hits`` (best first) and the answerable ``entries`` by key."""
    candidates = _answering(hits, entries)
    if not candidates:
        return Reply(text="", sources=[], confidence=0.0, sure=False)
    best = candidates[0]
    best_confidence = confidence(best, _margin(candidates))
    scored = [(best, best_confidence)] + [(h, confidence(h)) for h in candidates[1:]]
    chosen = [scored[0]] + [(h, c) for h, c in scored[1:] if c >= SOURCE_SHARE * best_confidence]
    chosen = chosen[:MAX_SOURCES]
    sources = [{"key": h.document.key, "kind": h.document.kind, "title": entries[h.document.key].title,
                "url": entries[h.document.key].url, "confidence": c} for h, c in chosen]
    top = entries[best.document.key]
    sure = best_confidence >= threshold
    return Reply(text=top.answer if sure else "", sources=sources, confidence=best_confidence, sure=sure,
                 local_rules=sure and top.local_rules, keys=[top.key] if sure else [])


class LlmError(RuntimeError):
    """The LLM could not phrase an answer (the retrieved answer is shown instead)."""


@dataclass(frozen=True)
class LlmConfig:
    base_url: str = ""
    api_key: str = ""
    model: str = ""
    timeout: float = 15.0

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


def messages(question: str, entries: Iterable[Entry]) -> list[dict]:
    """The chat messages: the instruction, then the retrieved entries and the question."""
    material = "\n\n".join(f"[{n}] {entry.title}\n{entry.answer}" + ("\n（以当地规定为准）" if entry.local_rules else "")
                           for n, entry in enumerate(entries, start=1))
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"资料：\n{material}\n\n问题：{question}"}]


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urlsplit(url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def complete(config: LlmConfig, question: str, entries: Iterable[Entry]) -> str:
    """The model's answer to ``question`` from ``entries``; raises LlmError on any failure."""
    body = json.dumps({"model": config.model, "messages": messages(question, entries), "temperature": 0.2,
                       "stream": False}).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    if urlsplit(config.endpoint).scheme not in ("http", "https"):
        raise LlmError(f"KB_LLM_BASE_URL must be an http(s) address, not {config.base_url!r}")
    request = urllib.request.Request(config.endpoint, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) checked above)
    try:
        with _opener(config.endpoint).open(request, timeout=config.timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:   # HTTPError is a URLError; JSON errors ValueError
        raise LlmError(f"LLM request failed: {exc}") from exc
    try:
        text = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LlmError("LLM answer has no choices[0].message.content") from exc
    if not isinstance(text, str) or not text.strip():
        raise LlmError("LLM answer is empty")
    return text.strip()[:MAX_LLM_CHARS]


def rephrase(answer: Reply, config: LlmConfig, question: str, entries: Mapping[str, Entry]) -> Reply:
    """``answer`` with its text phrased by the LLM from the sources' entries; unchanged when the LLM is
    not configured, the answer is not sure, or anything goes wrong."""
    if not config.configured or not answer.sure:
        return answer
    used = [entries[s["key"]] for s in answer.sources if s["key"] in entries]
    try:
        text = complete(config, question, used)
    except LlmError:
        return answer
    return replace(answer, text=text, llm=True, keys=[e.key for e in used])
