"""Every bound the advisor puts on what it reads, in one place.

Two kinds of input are bounded here. Files and lines of facts (and the rule files, read by the
same reader) are bounded in size, values, nesting, text and number length, so that each read
stays bounded in time and memory and Python's own limits (recursion, integer size) never
surface as a traceback; docs/security.md explains each. What a rule base may ask for (day
offsets, weekends, priorities, condition nesting, paths to check, what durable_rules can
compile) is bounded below that; docs/rules.md lists those bounds with their messages, and the
schema (engine/schema/*.json) repeats the first ones so that editors underline them too.
Every refusal names the bound it hit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import Location, RuleFileError, escape_character

# -- what is read: facts files, batch lines, rule files ---------------------------------------

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """The bounds for one kind of input file."""

    kind: str
    file_bytes: int
    nodes: int
    depth: int
    text_chars: int
    # Facts keep control characters (escaped on screen, intact in JSON); rules never need one.
    controls: bool


FACTS = Limits(
    kind="a facts file",
    file_bytes=256 * KIB,
    nodes=10_000,
    depth=16,
    text_chars=10_000,
    controls=True,
)
RULES = Limits(
    kind="a rule file",
    file_bytes=4 * MIB,
    nodes=250_000,
    depth=64,
    text_chars=100_000,
    controls=False,
)

# One batch line (or a line of `rules diff --cases`) holds one case: as much as a facts file.
BATCH_LINE_BYTES = FACTS.file_bytes
# The largest request body the web app accepts: a facts file, a batch of some thousand lines, or
# an edit of the rules is far smaller.
WEB_BODY_BYTES = 1_000_000
# A login to the audit pages lasts a working day, then asks for the token or password again.
WEB_SESSION_HOURS = 12
# A number in a file is at most this many digits (Python refuses past 4,300 with a traceback).
NUMBER_DIGITS = 30
# Fact names are single words; a longer "name" is shown cut, never whole.
FACT_NAME_CHARS = 64
# No count of follow-ups comes near this; a larger one is a typing mistake.
LARGEST_WHOLE_NUMBER = 1_000_000


def size(count: int) -> str:
    """A byte count as people read it: '256 KiB', '4 MiB'."""
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB} MiB"
    if count >= KIB and count % KIB == 0:
        return f"{count // KIB} KiB"
    return f"{count:,} bytes"


_SURROGATE = re.compile("[\ud800-\udfff]")
# What a rule file cannot hold: the characters `visible` escapes, but line breaks and tabs.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def text_problem(text: str, limits: Limits) -> str | None:
    """Why a piece of text cannot be taken (too long, not Unicode), or None.

    The answer is a predicate, to follow what it is about: "company" + " is 20,000 ...".
    """
    if len(text) > limits.text_chars:
        return (
            f"is {len(text):,} characters long, over the limit of {limits.text_chars:,} "
            f"for {limits.kind}"
        )
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # A lone surrogate (an escape such as \ud800, or a byte that is not UTF-8 in an
        # argument) cannot be printed or stored.
        return f"contains an invalid character ({escape_character(surrogate)})"
    control = None if limits.controls else _CONTROL.search(text)
    if control is not None:
        shown = escape_character(control)
        return f"contains a control character ({shown}), which {limits.kind} cannot hold"
    return None


def value_problem(value: Any, limits: Limits, depth: int = 1) -> str | None:
    """The first reason a parsed value breaks `limits` (nesting, text), or None, as a predicate.

    The walk never goes deeper than the limit, so it is bounded by the limit and the value.
    """
    if depth > limits.depth:
        return nesting_problem(limits)
    if isinstance(value, str):
        return text_problem(value, limits)
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        problem = value_problem(item, limits, depth + 1)
        if problem is not None:
            return problem
    return None


def nesting_problem(limits: Limits) -> str:
    """The words for nesting past the limit (a predicate, like the others)."""
    return f"nests lists or mappings more than {limits.depth} deep, the limit for {limits.kind}"


def digits_problem(digits: int) -> str:
    """The words for a number with too many digits (a predicate)."""
    return f"is a number of {digits:,} digits, over the limit of {NUMBER_DIGITS}"


# -- what a rule base may ask for -----------------------------------------------------------


# A day is counted at most a year after another: enough for any follow-up advice, and far
# from the end of the calendar (year 9999), where counting would fail for every case.
MAX_PLUS_DAYS = 365
# Rules that move one day another rule worked out: every mix of them becomes a rule of its
# own (2 to the power of this, less one, for each rule that works the day out).
MAX_ADJUSTMENTS_OF_ONE_DAY = 4
# A weekend of every day would leave no working day to move a computed day to.
MAX_WEEKEND_DAYS = 6
# Priorities stay ordinary numbers: the engine orders rules by a 32-bit difference of them.
MAX_PRIORITY = 1_000_000
# Levels of all/any/not (and lists) inside one condition.
MAX_CONDITION_DEPTH = 8
# Paths through the rules that `rules check` explores (the leaves of the decision tree): rules
# that may each apply or not, independently, double them. 1,000 rules in 100 tracks need 1,100.
MAX_TREE_PATHS = 5_000
# Combinations of days `rules check` tries, at most, to build the example case of one conflict
# or gap (trying them all would be exponential in the number of date facts).
MAX_EXAMPLE_TRIES = 2_000
# Steps of the search for a case that meets a rule's conditions (it branches at each `any`).
MAX_SEARCH_STEPS = 20_000
MAX_SEARCH_BRANCHES = 100
# Distinct cases both engines run to show that the compiled evaluator agrees with durable_rules
# (engine/proof.py); a rule base with more is evaluated on durable_rules only.
MAX_PROOF_CASES = 20_000
# Steps of the paths the compiled evaluator remembers (engine/paths.py), about 300 bytes each:
# at most some 15 MiB for one rule base. The shipped rules need about 230; past the bound,
# cases are evaluated as before, unremembered.
MAX_REMEMBERED_STEPS = 50_000

# durable_rules keeps the tests that follow one point of its network (the same tests before
# them) in a table of 512: a 513th makes it loop for ever while compiling, so we stop short.
ENGINE_MAX_NEXT_TESTS = 500
# ... and at most 256 rules may end at one point (it refuses more with error 108) ...
ENGINE_MAX_RULES_AT_ONE_POINT = 250
# ... and at most 128 rules may share one `$or` (any, one_of) at one point (error 107) ...
ENGINE_MAX_RULES_THROUGH_ONE_ANY = 120
# ... and a rule may hold at most 14 `$or` (any, one_of, and each negated test) (error 113) ...
ENGINE_MAX_ANY_IN_ONE_RULE = 14
# ... and at most 128 tests of a missing value (`known: false`) may follow one point.
ENGINE_MAX_ABSENT_TESTS = 120


GROUP_RULES = (
    "group the rules under a first condition they share, or merge rules that conclude the same"
)


@dataclass
class _Point:
    """One point of durable_rules' network: the tests that follow it, and the rules ending at it."""

    next: dict[str, _Point] = field(default_factory=dict)
    absent: int = 0
    rules: int = 0
    # Where the tests after an `$or` continue, and how many rules pass through each `$or`.
    after_or: dict[str, _Point] = field(default_factory=dict)
    or_uses: dict[str, int] = field(default_factory=dict)


def check_engine_capacity(
    definitions: Mapping[str, Mapping[str, Any]], locations: Mapping[str, Location]
) -> None:
    """Refuse rules that durable_rules could not compile, naming the rule that crosses a limit.

    The network is rebuilt as durable_rules builds it: each pattern is a chain of tests from
    one root, shared while the tests are the same; every alternative of an `$or` follows the
    point where the `$or` stands.
    """
    root = _Point()
    for rule_id, definition in definitions.items():
        network = _Network(rule_id, locations.get(rule_id))
        for pattern in definition["all"]:
            for expression in pattern.values():
                point = network.walk(root, [expression])
                point.rules += 1
                network.within(
                    point.rules, ENGINE_MAX_RULES_AT_ONE_POINT, "rules with the same conditions"
                )


@dataclass
class _Network:
    rule_id: str
    location: Location | None
    alternatives: int = 0

    def walk(self, point: _Point, terms: Sequence[Any]) -> _Point:
        """The point where a chain of terms ends, starting from `point`.

        A loop over the chain (a rule may test thousands of things); only the alternatives
        of an `$or`, nested no deeper than the conditions, recurse.
        """
        stack = list(reversed(terms))
        while stack:
            term = stack.pop()
            if isinstance(term, dict) and "$and" in term:
                stack.extend(reversed(term["$and"]))
            elif isinstance(term, dict) and "$or" in term:
                point = self._alternatives(point, term)
            else:
                point = self._follow(point, term)
        return point

    def _alternatives(self, point: _Point, term: dict[str, Any]) -> _Point:
        # Each alternative follows `point`; what comes after the `$or` is not repeated under
        # each of them (durable_rules does not expand it, and neither may we: that could be
        # exponential), but continues from one point of its own.
        self.alternatives += 1
        self.within(
            self.alternatives,
            ENGINE_MAX_ANY_IN_ONE_RULE,
            "tests with alternatives (any, one_of, not) in one rule",
            "split the rule in two, or join its one_of tests where they test the same fact",
        )
        for option in term["$or"]:
            self.walk(point, [option])
        key = repr(term)
        point.or_uses[key] = point.or_uses.get(key, 0) + 1
        self.within(
            point.or_uses[key],
            ENGINE_MAX_RULES_THROUGH_ONE_ANY,
            "rules with the same any/one_of after the same conditions",
        )
        return point.after_or.setdefault(key, _Point())

    def _follow(self, point: _Point, term: Any) -> _Point:
        key = repr(term)
        if key not in point.next:
            point.next[key] = _Point()
            if isinstance(term, dict) and "$nex" in term:
                point.absent += 1
                self.within(
                    point.absent,
                    ENGINE_MAX_ABSENT_TESTS,
                    "`known: false` tests after the same conditions",
                )
            else:
                plain = len(point.next) - point.absent
                self.within(
                    plain, ENGINE_MAX_NEXT_TESTS, "different tests after the same conditions"
                )
        return point.next[key]

    def within(self, count: int, limit: int, what: str, suggestion: str = GROUP_RULES) -> None:
        if count > limit:
            raise RuleFileError(
                f"too many {what}: the rule engine holds at most {limit}",
                rule_id=self.rule_id,
                location=self.location,
                suggestion=suggestion,
            )
