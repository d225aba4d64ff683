"""The projector's sign-in codes (app/train/tokens.py): bound to a session, a purpose and a 30 s window."""
import pytest

from app.train.tokens import GRACE, WINDOW, TokenRefused, check_token, make_token, seconds_left, window_of

SECRET = "a-test-secret-of-some-length"
T0 = 1_800_000_000.0 - (1_800_000_000 % WINDOW)  # the start of a window


def refused(*args, **kwargs) -> str:
    with pytest.raises(TokenRefused) as info:
        check_token(*args, **kwargs)
    return info.value.reason


def test_a_fresh_token_signs_in_its_window_and_the_next():
    token = make_token(SECRET, 7, "in", T0 + 3)
    assert check_token(SECRET, 7, "in", token, T0 + 3) == window_of(T0)
    assert check_token(SECRET, 7, "in", token, T0 + WINDOW - 0.01) == window_of(T0)
    assert check_token(SECRET, 7, "in", token, T0 + WINDOW * (1 + GRACE) - 0.01) == window_of(T0)


def test_the_code_changes_every_window():
    assert make_token(SECRET, 7, "in", T0) == make_token(SECRET, 7, "in", T0 + WINDOW - 1)
    assert make_token(SECRET, 7, "in", T0) != make_token(SECRET, 7, "in", T0 + WINDOW)
    assert seconds_left(T0 + 10) == WINDOW - 10


def test_a_replayed_code_is_useless_after_its_window():
    """A photo of the code sent to someone at home: fine within the minute, refused after."""
    token = make_token(SECRET, 7, "in", T0)
    assert check_token(SECRET, 7, "in", token, T0 + 5) == check_token(SECRET, 7, "in", token, T0 + 40)
    assert refused(SECRET, 7, "in", token, T0 + WINDOW * (1 + GRACE)) == "expired"
    assert refused(SECRET, 7, "in", token, T0 + 3600) == "expired"


def test_a_token_from_the_future_is_refused():
    token = make_token(SECRET, 7, "in", T0 + WINDOW)
    assert refused(SECRET, 7, "in", token, T0) == "future"


def test_wrong_session_purpose_or_key_is_a_bad_signature():
    token = make_token(SECRET, 7, "in", T0)
    assert refused(SECRET, 8, "in", token, T0) == "signature"
    assert refused(SECRET, 7, "out", token, T0) == "signature"
    assert refused("another-secret-entirely", 7, "in", token, T0) == "signature"


def test_a_forged_signature_or_window_is_refused():
    token = make_token(SECRET, 7, "in", T0)
    index, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert refused(SECRET, 7, "in", f"{index}.{flipped}", T0) == "signature"
    assert refused(SECRET, 7, "in", f"{int(index) + 1}.{signature}", T0 + WINDOW) == "signature"


@pytest.mark.parametrize("token", ["", "abc", "12.", ".abc", "x1.aaaaaaaaaaaaaaaa", None, 12, "1." + "a" * 40,
                                   "１２.aaaaaaaaaaaaaaaa"])
def test_unreadable_tokens_are_malformed(token):
    assert refused(SECRET, 7, "in", token, T0) == "malformed"


def test_only_known_purposes():
    with pytest.raises(ValueError):
        make_token(SECRET, 7, "maybe", T0)
