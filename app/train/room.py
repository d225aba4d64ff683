"""A classroom drill (课堂演练), the rules (pure: the drill engine and the standard library).

The room walks one play of a drill: at each node every attendee picks a choice on their phone; the
projector shows how the room chose (counts, no names); the instructor moves the room on, by the
room's most common choice (ties: the first in the node's order) or by a choice they pick to discuss.
Afterwards each attendee's own result: at every node the room visited, how their choice scored on
each indicator between the worst and the best choice offered there (0-100), and the red lines they
would have crossed.

Choices reach the phones as opaque tokens (HMAC of the room, the step and the choice id), so a page
carries no cue of the file order or of the choice ids' words.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..drill import engine

TOKEN_LENGTH = 10


def choice_token(secret: str | bytes, room_id: int, step: int, choice_id: str) -> str:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, f"room:{room_id}:{step}:{choice_id}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:TOKEN_LENGTH]


def choice_of(secret: str | bytes, room_id: int, step: int, choices: Sequence[engine.Choice],
              token: object) -> str | None:
    """The id of the offered choice ``token`` stands for at this step; None for anything else."""
    if not isinstance(token, str) or not token.isascii():
        return None
    return next((c.id for c in choices if hmac.compare_digest(choice_token(secret, room_id, step, c.id), token)),
                None)


def tally(choices: Sequence[engine.Choice], votes: Sequence[str]) -> list[tuple[engine.Choice, int]]:
    """Each offered choice with how many chose it, in the node's order."""
    counts = Counter(votes)
    return [(choice, counts.get(choice.id, 0)) for choice in choices]


def room_choice(choices: Sequence[engine.Choice], votes: Sequence[str], follow: str | None = None) -> str | None:
    """The choice the room moves on by: ``follow`` if it is offered, else the most chosen (ties: the
    first offered); None when nobody chose and nothing is followed."""
    offered = [c.id for c in choices]
    if follow is not None:
        return follow if follow in offered else None
    counted = tally(choices, votes)
    best = max((n for _c, n in counted), default=0)
    return next((c.id for c, n in counted if n == best), None) if best else None


@dataclass(frozen=True)
class OwnResult:
    """One attendee's result over the nodes the room visited."""

    shares: dict[str, float]          # indicator → 0-100
    answered: int                     # steps at which they chose
    steps: int                        # steps the room took
    red_lines: list[str]              # rules their choices would have broken
    matched: int                      # steps where their choice was the room's


def own_result(drill: engine.Drill, path: Sequence[tuple[str, str | None]], votes: Mapping[int, str]) -> OwnResult:
    """``path`` is the room's steps (node id, choice id); ``votes`` step index → the attendee's choice id."""
    state = engine.initial_state(drill)
    low: dict[str, float] = dict.fromkeys(drill.indicators, 0.0)
    high: dict[str, float] = dict.fromkeys(drill.indicators, 0.0)
    mine: dict[str, float] = dict.fromkeys(drill.indicators, 0.0)
    red, answered, matched = [], 0, 0
    for index, (node_id, choice_id) in enumerate(path):
        offered = engine.available_choices(drill, state)
        chosen = next((c for c in offered if c.id == votes.get(index)), None)
        if chosen is not None:
            answered += 1
            matched += chosen.id == choice_id
            if chosen.red_line:
                red.append(chosen.red_line)
            for indicator in drill.indicators:
                values = [c.score.get(indicator, 0) for c in offered]
                low[indicator] += min(values)
                high[indicator] += max(values)
                mine[indicator] += chosen.score.get(indicator, 0)
        state = engine.choose(drill, state, choice_id).state if choice_id is not None \
            else engine.timeout(drill, state).state
    shares = {i: round(100 * (mine[i] - low[i]) / (high[i] - low[i]), 1) for i in drill.indicators
              if high[i] > low[i]}
    return OwnResult(shares, answered, len(path), red, matched)
