"""Deterministic generator of valid advice cases for benchmarking and cross-checking."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from pathlib import Path

CULTURES = ("proactive", "laid_back", "unsure")

_FIRST_TODAY = datetime.date(2025, 1, 1)
_TODAY_SPAN = (datetime.date(2027, 12, 31) - _FIRST_TODAY).days

_NAMES = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivo", "Jun")
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark Labs")
_ROLES = ("Data Analyst", "Backend Engineer", "Product Manager", "Designer", "QA Lead")
_POINTS = (
    "the migration project",
    "team structure",
    "on-call rotation",
    "remote work policy",
    "the quarterly roadmap",
    "mentoring juniors",
    "the testing strategy",
)


def _days(d: datetime.date, n: int) -> datetime.date:
    return d + datetime.timedelta(days=n)


def _followups_sent(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.60:
        return 0
    if roll < 0.85:
        return 1
    return rng.randint(2, 4)


def _case(rng: random.Random) -> tuple[dict[str, object], datetime.date]:
    today = _days(_FIRST_TODAY, rng.randint(0, _TODAY_SPAN))
    interview = _days(today, -rng.randint(0, 60))
    facts: dict[str, object] = {"interview_date": interview.isoformat()}

    timeline = rng.random() < 0.35
    if timeline:
        facts["timeline_given"] = True
        facts["decision_date"] = _days(interview, rng.randint(0, 30)).isoformat()
    elif rng.random() < 0.5:
        facts["timeline_given"] = False

    competing = rng.random() < 0.10
    if competing:
        facts["competing_offer"] = True
        if rng.random() < 0.6:
            facts["offer_deadline"] = _days(today, rng.randint(1, 21)).isoformat()
    elif rng.random() < 0.5:
        facts["competing_offer"] = False

    has_update = rng.random() < 0.10
    if has_update:
        facts["has_update"] = True
        if rng.random() < 0.5:
            facts["update_text"] = "I have completed a relevant certification."
    elif rng.random() < 0.5:
        facts["has_update"] = False

    if rng.random() < 0.8:
        facts["culture"] = rng.choice(CULTURES)

    sent = _followups_sent(rng)
    if sent or rng.random() < 0.5:
        facts["followups_sent"] = sent
    if sent:
        span = (today - interview).days
        facts["last_followup_date"] = _days(interview, rng.randint(0, span)).isoformat()

    if rng.random() < 0.3:
        facts["candidate_name"] = rng.choice(_NAMES)
        facts["interviewer_name"] = rng.choice(_NAMES)
        facts["company"] = rng.choice(_COMPANIES)
        facts["role"] = rng.choice(_ROLES)
        facts["discussed_points"] = rng.sample(_POINTS, rng.randint(1, 3))

    return facts, today


def generate_cases(count: int, seed: int = 0) -> Iterator[tuple[dict[str, object], datetime.date]]:
    """Yield ``count`` valid ``(facts, today)`` cases, reproducibly for a given ``seed``."""
    rng = random.Random(seed)
    for _ in range(count):
        yield _case(rng)


def write_jsonl(path: str | Path, count: int, seed: int = 0) -> None:
    """Write ``count`` cases to ``path`` as JSON lines, each with its ``today`` included."""
    with Path(path).open("w", encoding="utf-8") as out:
        for facts, today in generate_cases(count, seed):
            out.write(json.dumps({**facts, "today": today.isoformat()}) + "\n")
