"""The order and tokens of a drill's choices per attempt (``app.drill.tokens``, pure)."""
from collections import Counter

from app.drill.tokens import choice_of, node_tokens, ordered

SECRET = "a secret of the server"
CHOICES = ["withdraw-call", "knock-ventilate", "bell-and-light", "call-in-stairwell", "ask-group"]


def test_the_order_is_a_permutation_fixed_per_attempt_and_node():
    first = ordered(SECRET, 17, "arrive", CHOICES)
    assert sorted(first) == sorted(CHOICES)
    assert ordered(SECRET, 17, "arrive", list(reversed(CHOICES))) == first  # whatever order the file has
    assert ordered(SECRET, 17, "arrive", CHOICES) == first  # the same on every reload


def test_the_order_varies_between_attempts_and_secrets():
    leaders = Counter(ordered(SECRET, attempt, "arrive", CHOICES)[0] for attempt in range(1, 501))
    assert set(leaders) == set(CHOICES) and max(leaders.values()) < 150  # about 100 each
    assert any(ordered("another secret", a, "arrive", CHOICES) != ordered(SECRET, a, "arrive", CHOICES)
               for a in range(1, 4))


def test_tokens_map_back_within_their_attempt_and_node_only():
    tokens = node_tokens(SECRET, 17, "arrive", CHOICES)
    assert len(set(tokens.values())) == len(CHOICES)
    assert all(choice_of(tokens, token) == choice for choice, token in tokens.items())
    assert not set(CHOICES) & set(tokens.values())
    elsewhere = [node_tokens(SECRET, 18, "arrive", CHOICES), node_tokens(SECRET, 17, "called", CHOICES),
                 node_tokens("another secret", 17, "arrive", CHOICES)]
    for other in elsewhere:
        assert all(choice_of(tokens, token) is None for token in other.values())
    for forged in ("withdraw-call", "", None, 3, "é" * 10):
        assert choice_of(tokens, forged) is None


def test_the_order_does_not_follow_the_tokens():
    """Sorting the tokens a page shows does not give the page's order (different keys)."""
    same = 0
    for attempt in range(1, 201):
        tokens = node_tokens(SECRET, attempt, "arrive", CHOICES)
        same += sorted(CHOICES, key=tokens.get) == ordered(SECRET, attempt, "arrive", CHOICES)
    assert same < 20  # 1 in 120 by chance
