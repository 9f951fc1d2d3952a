"""The stored rows are pinned byte for byte: recording may get faster, never different.

With the random source and the clock fixed, a set of answers is recorded and every column
of every row (and each rule base stored) is compared with tests/audit_golden.json, written
by the code as it stood before recording was made faster. Regenerate it only for a change
of format that is meant: `.venv/bin/python -m tests.test_audit_format`.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.cases import generate_cases
from engine import Advisor, RuleBase, load_rule_base, read_case
from followup import audit
from followup.audit import AuditStore, Entry

from .conftest import RULES, Trail

GOLDEN = Path(__file__).with_name("audit_golden.json")
# Batches of different sizes, a single record after them, then a redaction.
BATCHES = (12, 1, 20)
# Free text a JSON writer may get wrong: quotes, backslashes, controls, non-ASCII, U+2028.
AWKWARD = {
    "interview_date": "2026-11-16",
    "candidate_name": 'Zoë "Q" \\ O\'Neil\u2028',
    "company": "Ünïcode\x1b GmbH\t",
    "discussed_points": ["a\nb", "€ pricing", ""],
    "has_update": True,
    "update_text": "I passed the ✓ exam\x7f",
}


def fake_random() -> Callable[[int], bytes]:
    """os.urandom's stand-in: one fixed stream, read in order however it is split."""
    stream = hashlib.shake_256(b"followup audit golden").digest(1 << 16)
    read = [0]

    def urandom(size: int) -> bytes:
        start = read[0]
        read[0] += size
        return stream[start : start + size]

    return urandom


def fake_clock() -> Callable[[], str]:
    ticks = itertools.count(1)
    start = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.timezone.utc)

    def now() -> str:
        moment = start + datetime.timedelta(milliseconds=next(ticks))
        return moment.isoformat(timespec="microseconds")

    return now


def entries(rule_base: RuleBase) -> list[Entry]:
    advisor = Advisor(rule_base)
    cases = [read_case(AWKWARD, rule_base, today=datetime.date(2026, 11, 26))]
    cases += [
        read_case(facts, rule_base, today=today)
        for facts, today in generate_cases(sum(BATCHES), seed=11)
    ]
    return [Entry(advisor.advise(case), case, rule_base, "golden") for case in cases]


def record(store: AuditStore, rule_base: RuleBase) -> None:
    """The recordings pinned: batches, one record, and a redaction of the awkward one."""
    pending = iter(entries(rule_base))
    store.record(next(pending))
    for size in BATCHES:
        store.record_many(itertools.islice(pending, size))
    store.redact(1, ["facts.candidate_name", "facts.discussed_points"])


def stored(store: AuditStore) -> dict[str, Any]:
    """Every column of every record, and each rule base (its files as their hash)."""
    records = [{k: v for k, v in row.items() if k != "seq"} for row in store.backend.rows()]
    rule_bases = [
        {"version": version, "files_sha256": _sha256(files), "stored_at": stored_at}
        for version, files, stored_at in store.backend.rule_bases()
    ]
    return {"records": records, "rule_bases": rule_bases}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def fixed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(os, "urandom", fake_random())
    monkeypatch.setattr(audit, "_now", fake_clock())
    yield


@pytest.mark.usefixtures("fixed")
def test_rows_are_byte_for_byte_as_pinned(trail: Trail, rule_base: RuleBase) -> None:
    store = AuditStore(trail.place)
    record(store, rule_base)
    assert store.verify().ok
    expected = json.loads(GOLDEN.read_text())
    found = stored(store)
    assert found["rule_bases"] == expected["rule_bases"]
    assert len(found["records"]) == len(expected["records"])
    for row, pinned in zip(found["records"], expected["records"], strict=True):
        assert row == pinned, f"record {pinned['id']} differs"


@pytest.mark.usefixtures("fixed")
def test_the_pin_fails_on_a_changed_nonce(tmp_path: Path, rule_base: RuleBase) -> None:
    # The comparison above can fail: the same recording with one nonce byte changed does.
    store = AuditStore(tmp_path / "other.sqlite3")
    original = os.urandom

    def skewed(size: int) -> bytes:
        data = bytearray(original(size))
        data[0] ^= 1
        return bytes(data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "urandom", skewed)
        record(store, rule_base)
    assert stored(store) != json.loads(GOLDEN.read_text())


def write_golden() -> None:
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        patch.setattr(os, "urandom", fake_random())
        patch.setattr(audit, "_now", fake_clock())
        store = AuditStore(Path(folder) / "golden.sqlite3")
        record(store, load_rule_base(RULES))
        assert store.verify().ok
        GOLDEN.write_text(json.dumps(stored(store), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write_golden()
