"""Outgoing requests go to http(s) addresses only (ruff's bandit rule S310): a KB_LLM_BASE_URL such as
file:///etc/passwd is refused before anything is opened, and the assistant falls back to its own answer."""
import pytest

from app.kb.assistant import LlmConfig, LlmError, complete


@pytest.mark.parametrize("base", ["file:///etc", "ftp://llm.example.cn/v1", "gopher://x"])
def test_llm_endpoint_must_be_http(base, monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("nothing may be opened")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    with pytest.raises(LlmError, match="http"):
        complete(LlmConfig(base_url=base, model="m"), "低保怎么申请", [])
