"""The assistant's reply: the best entry with its sources when sure, nothing but the closest entries
when not; the optional LLM phrases only from the retrieved entries (a fake OpenAI-compatible server on
loopback) and any failure leaves the retrieved answer."""
import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.kb import assistant
from app.kb.assistant import Entry, LlmConfig, confidence, rephrase, reply
from app.kb.search import Document, Hit

ENTRIES = {
    "faq:dibao": Entry("faq:dibao", "faq", "低保怎么申请？", "/kb/entries/dibao", "向街道办事处提出书面申请。", local_rules=True),
    "case:gas": Entry("case:gas", "case", "深夜闻到燃气味", "/kb/entries/gas", "**处置过程**\n\n敲门叫人。"),
}


THRESHOLD = 0.66


def hit(key, line, title_coverage, kind=None, score=None, bm25=20.0):
    doc = Document(key=key, kind=kind or key.split(":")[0], title=key, text="", title_tokens=(), body_tokens=())
    return Hit(document=doc, score=line + title_coverage if score is None else score, matched=frozenset(),
               coverage=title_coverage, title_coverage=title_coverage, bm25=bm25, line=line)


def test_confidence_grows_with_each_signal_and_stays_between_0_and_1():
    base = confidence(hit("faq:dibao", 0.2, 0.2, bm25=5.0), margin=0.1)
    assert 0 < base < 1
    assert confidence(hit("faq:dibao", 0.8, 0.2, bm25=5.0), margin=0.1) > base        # closer to a title line
    assert confidence(hit("faq:dibao", 0.2, 0.8, bm25=5.0), margin=0.1) > base        # more of it in the title
    assert confidence(hit("faq:dibao", 0.2, 0.2, bm25=40.0), margin=0.1) > base       # more BM25 evidence
    assert confidence(hit("faq:dibao", 0.2, 0.2, bm25=5.0), margin=0.6) > base        # a clearer winner
    assert confidence(hit("faq:dibao", 0, 0, bm25=0), margin=0) == pytest.approx(1 / (1 + math.exp(-assistant.BIAS)), abs=1e-3)
    assert confidence(hit("faq:dibao", 1, 1, bm25=1e9), margin=5) < 1


def test_a_clear_winner_is_surer_than_one_of_two_near_equal_entries():
    close = assistant.assess([hit("faq:dibao", 0.6, 0.6, score=2.0), hit("faq:tekun", 0.6, 0.6, score=1.9)])
    clear = assistant.assess([hit("faq:dibao", 0.6, 0.6, score=2.0), hit("faq:tekun", 0.2, 0.2, score=0.8)])
    assert clear > close


def test_a_case_close_behind_an_entry_is_no_rival_but_another_entry_is():
    """A case tells the story of an FAQ entry's topic: right behind the entry it is the same answer told
    twice; an entry's margin is taken over the next entry. A case that leads has every follower as rival."""
    alone = assistant.assess([hit("faq:dibao", 0.6, 0.6, score=2.0), hit("faq:tekun", 0.2, 0.2, score=0.8)])
    with_case = assistant.assess([hit("faq:dibao", 0.6, 0.6, score=2.0), hit("case:dibao-family", 0.6, 0.6, score=1.95),
                                  hit("faq:tekun", 0.2, 0.2, score=0.8)])
    assert with_case == alone
    crowded = assistant.assess([hit("faq:dibao", 0.6, 0.6, score=2.0), hit("faq:tekun", 0.6, 0.6, score=1.95)])
    assert crowded < alone
    led_by_case = assistant.assess([hit("case:gas", 0.6, 0.6, score=2.0), hit("faq:gas-smell", 0.6, 0.6, score=1.95)])
    assert led_by_case < assistant.assess([hit("case:gas", 0.6, 0.6, score=2.0), hit("faq:gas-smell", 0.2, 0.2, score=0.8)])
    assert assistant.assess([hit("lesson:x", 1, 1)]) == 0.0 and assistant.assess([]) == 0.0   # lessons never answer


def test_sure_reply_is_the_best_entry_with_its_sources():
    answer = reply([hit("lesson:x", 1, 1), hit("faq:dibao", 0.9, 0.9), hit("case:gas", 0.8, 0.8)], ENTRIES, THRESHOLD)
    assert answer.sure and answer.text == "向街道办事处提出书面申请。" and answer.local_rules
    assert [s["key"] for s in answer.sources] == ["faq:dibao", "case:gas"]     # lessons never answer
    assert answer.sources[0]["url"] == "/kb/entries/dibao" and answer.keys == ["faq:dibao"]


def test_weak_sources_are_left_out():
    answer = reply([hit("faq:dibao", 0.9, 0.9), hit("case:gas", 0.2, 0.0, bm25=2.0)], ENTRIES, THRESHOLD)
    assert [s["key"] for s in answer.sources] == ["faq:dibao"]


def test_not_sure_below_the_threshold_shows_no_text_but_the_closest_entries():
    answer = reply([hit("case:gas", 0.1, 0.0, bm25=0.0)], ENTRIES, THRESHOLD)
    assert not answer.sure and answer.text == "" and answer.confidence < THRESHOLD
    assert [s["key"] for s in answer.sources] == ["case:gas"] and not answer.local_rules


def test_nothing_found():
    answer = reply([], ENTRIES, THRESHOLD)
    assert not answer.sure and answer.sources == [] and answer.confidence == 0


class FakeOpenAI(BaseHTTPRequestHandler):
    """POST /v1/chat/completions: records the request; the reply depends on ``FakeOpenAI.mode``."""

    mode = "ok"
    requests: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        FakeOpenAI.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if FakeOpenAI.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        if FakeOpenAI.mode == "garbage":
            payload = b"not json"
        elif FakeOpenAI.mode == "empty":
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": "  "}}]}).encode()
        else:
            payload = json.dumps({"choices": [{"message": {"role": "assistant",
                                                           "content": "您可以向街道办事处书面申请低保。"}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_llm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOpenAI.mode, FakeOpenAI.requests = "ok", []
    yield LlmConfig(base_url=f"http://127.0.0.1:{server.server_port}/v1", api_key="sk-test", model="fake-chat",
                    timeout=5)
    server.shutdown()
    server.server_close()


def test_the_llm_phrases_from_the_retrieved_entries_only(fake_llm):
    sure = reply([hit("faq:dibao", 1, 1), hit("case:gas", 0.9, 0.9)], ENTRIES, THRESHOLD)
    phrased = rephrase(sure, fake_llm, "低保咋办", ENTRIES)
    assert phrased.text == "您可以向街道办事处书面申请低保。" and phrased.llm
    assert phrased.sources == sure.sources and phrased.keys == ["faq:dibao", "case:gas"]
    (request,) = FakeOpenAI.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "fake-chat" and body["messages"][0]["role"] == "system"
    assert "只能根据" in body["messages"][0]["content"]
    user = body["messages"][1]["content"]
    assert "向街道办事处提出书面申请。" in user and "敲门叫人" in user and "以当地规定为准" in user and "低保咋办" in user


@pytest.mark.parametrize("mode", ["error", "garbage", "empty"])
def test_any_llm_failure_keeps_the_retrieved_answer(fake_llm, mode):
    FakeOpenAI.mode = mode
    sure = reply([hit("faq:dibao", 1, 1)], ENTRIES, THRESHOLD)
    assert rephrase(sure, fake_llm, "低保咋办", ENTRIES) == sure


def test_unreachable_llm_keeps_the_retrieved_answer():
    sure = reply([hit("faq:dibao", 1, 1)], ENTRIES, THRESHOLD)
    closed = LlmConfig(base_url="http://127.0.0.1:9/v1", model="x", timeout=2)
    assert rephrase(sure, closed, "低保", ENTRIES) == sure


def test_no_llm_when_not_configured_or_not_sure(fake_llm):
    sure = reply([hit("faq:dibao", 1, 1)], ENTRIES, THRESHOLD)
    assert rephrase(sure, LlmConfig(), "低保", ENTRIES) == sure
    unsure = reply([hit("faq:dibao", 0.1, 0, bm25=0.0)], ENTRIES, THRESHOLD)
    assert rephrase(unsure, fake_llm, "低保", ENTRIES) == unsure
    assert FakeOpenAI.requests == []


def test_endpoint_joins_the_base_url():
    assert LlmConfig(base_url="https://api.deepseek.com/", model="m").endpoint == "https://api.deepseek.com/chat/completions"
    assert assistant.messages("问", [ENTRIES["faq:dibao"]])[1]["content"].startswith("资料：\n[1] 低保怎么申请？")
