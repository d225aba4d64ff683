"""Opaque tokens for the choices of a question: stable within a scope, meaningless outside it."""
from app.quiz.tokens import TOKEN_LENGTH, choice_of, choice_token, choice_tokens


def test_tokens_are_stable_per_scope_and_differ_between_scopes():
    tokens = choice_tokens("secret", "17:301", ("a", "b", "c", "d"))
    assert tokens == choice_tokens("secret", "17:301", ("a", "b", "c", "d"))
    assert len(set(tokens.values())) == 4 and all(len(t) == TOKEN_LENGTH for t in tokens.values())
    assert all(t not in "abcd" and "=" not in t for t in tokens.values())
    other_attempt = choice_tokens("secret", "18:301", ("a", "b", "c", "d"))
    other_key = choice_tokens("another secret", "17:301", ("a", "b", "c", "d"))
    assert set(tokens.values()).isdisjoint(other_attempt.values())
    assert set(tokens.values()).isdisjoint(other_key.values())
    assert choice_token(b"secret", "17:301", "a") == tokens["a"]


def test_tokens_map_back_and_anything_else_is_unknown():
    tokens = choice_tokens("secret", "17:301", ("true", "false"))
    assert choice_of(tokens, tokens["false"]) == "false"
    for guess in ("true", "a", "", None, 3, "错误", tokens["true"][:-1]):
        assert choice_of(tokens, guess) is None


def test_sorting_tokens_says_nothing_about_the_file_order():
    # over many scopes the lowest token is each option about equally often
    lowest = [min((t, c) for c, t in choice_tokens("k", f"{n}:1", "abcd").items())[1] for n in range(2000)]
    for option in "abcd":
        assert 400 < lowest.count(option) < 600
