"""Proofs kept: whether the compiled evaluator was shown to agree with durable_rules.

engine/proof.py works a proof out; this module keeps it, in the user cache folder
(FOLLOWUP_CACHE_DIR overrides) by the rule base's sha256, the proof's format and durable_rules'
version, and in memory for the process. Reading a kept proof imports neither durable_rules nor
the proof's enumeration: a run that finds its proof kept starts without them.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import platformdirs

from .cache import CACHE_ENV
from .model import RuleBase

# Bump when the evaluator or the enumeration changes: older proofs are then ignored.
PROOF_FORMAT = 3
_MEMO: dict[str, Proof] = {}


@dataclass(frozen=True)
class Disagreement:
    """A case on which the two engines differ: its facts, and what each concluded."""

    case: dict[str, Any]
    durable: str
    compiled: str


@dataclass(frozen=True)
class Proof:
    """How many distinct cases both engines ran, and the first disagreement, if any."""

    version: str
    cases: int
    complete: bool
    disagreement: Disagreement | None = None

    @property
    def proven(self) -> bool:
        return self.complete and self.disagreement is None


def known_proof(rule_base: RuleBase) -> Proof | None:
    """The proof kept in memory or in the cache folder, if there is one."""
    key = _key(rule_base)
    if key not in _MEMO:
        proof = _read(proof_path(rule_base), rule_base.version)
        if proof is None:
            return None
        _MEMO[key] = proof
    return _MEMO[key]


def proof_path(rule_base: RuleBase) -> Path:
    """The file that keeps the proof of this rule base (on these engines)."""
    return cache_dir() / f"{_key(rule_base)}.json"


def cache_dir() -> Path:
    """Where proofs are kept: FOLLOWUP_CACHE_DIR, else the platform's user cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return platformdirs.user_cache_path("followup") / "proofs"


def remember(rule_base: RuleBase, proof: Proof) -> None:
    """Keep a proof just worked out, on disk and for the process."""
    _write(proof_path(rule_base), proof)
    _MEMO[_key(rule_base)] = proof


def _key(rule_base: RuleBase) -> str:
    return f"{rule_base.version}-{PROOF_FORMAT}-{_durable_version()}"


@functools.cache
def _durable_version() -> str:
    """durable_rules' installed version, read from its dist-info folder's name when it sits
    beside the package: found without importing durable_rules (a tenth of the start-up), nor
    importlib.metadata (20 ms more)."""
    spec = find_spec("durable")
    if spec is not None and spec.origin is not None:
        beside = Path(spec.origin).resolve().parent.parent
        for info in beside.glob("durable_rules-*.dist-info"):
            return info.name.removeprefix("durable_rules-").removesuffix(".dist-info")
    import importlib.metadata  # noqa: PLC0415 - the slow way, for an unusual install

    return importlib.metadata.version("durable_rules")


def _read(path: Path, version: str) -> Proof | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        disagreement = stored.get("disagreement")
        proof = Proof(
            version=str(stored["version"]),
            cases=int(stored["cases"]),
            complete=bool(stored["complete"]),
            disagreement=Disagreement(**disagreement) if disagreement else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no proof, or one that cannot be read: work it out again
    return proof if proof.version == version else None


def _write(path: Path, proof: Proof) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(proof), default=str), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a cache that cannot be written costs time, not correctness
