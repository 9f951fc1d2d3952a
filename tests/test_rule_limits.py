"""What a rule base may ask for: each bound is refused by `rules check` and by `advise`, at its
place, in bounded time, never with a traceback."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest

from engine import limits, schema

from .conftest import ROOT, RunCli, edit, line_of

# Each message of docs/rules.md's "Limits", as written there (N stands for a number).
LIMIT_MESSAGES = (
    "`plus_days` is at most 365, not N",
    "`plus_days` is at least 0, not N",
    "the weekend cannot hold every day of the week",
    "`priority` is at most 1000000, not N",
    "conditions nested too deeply: at most 8 levels of all/any/not",
    "not valid YAML or JSON: nested more than 40 levels deep",
    "too many different paths through the rules to check: more than 5000",
    "too many different tests after the same conditions: the rule engine holds at most 500",
    "too many rules with the same conditions: the rule engine holds at most 250",
    "too many rules with the same any/one_of after the same conditions: "
    "the rule engine holds at most 120",
    "too many `known: false` tests after the same conditions: the rule engine holds at most 120",
    "too many tests with alternatives (any, one_of, not) in one rule: "
    "the rule engine holds at most 14",
)

ADVISE = ("--set", "interview_date=2026-11-20", "--today", "2026-11-26", "--no-audit")
NEW_RULES_AT = "  - id: move_on_after_several_attempts"


def _check(run_cli: RunCli, rules: Path) -> list[str]:
    result = run_cli("rules", "check", str(rules))
    assert result.exit_code == 1, result.stdout
    assert result.stdout.splitlines()[-1].endswith(f"in {rules}")
    return result.stdout.splitlines()


def _refused_by_advise(run_cli: RunCli, rules: Path, message: str) -> None:
    result = run_cli("advise", "--rules", str(rules), *ADVISE)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr.splitlines()[0]


def _add_rules(rules: Path, text: str) -> None:
    edit(rules / "advice.yaml", NEW_RULES_AT, text + NEW_RULES_AT)


def _rule(rule_id: str, when: str, then: str = "action: wait", priority: int = 95) -> str:
    return (
        f"  - id: {rule_id}\n    priority: {priority}\n    when:\n{when}"
        f"    then:\n      {then}\n    reason: Wait.\n    source: nowhere\n\n"
    )


# (file, text, replacement, message, text of the line pointed at, column text)
EVERY_DAY = "monday, tuesday, wednesday, thursday, friday, saturday, sunday"
HUGE = "99999999999999999999"
# fmt: off
BOUNDS = [
    ("advice.yaml", "  plus_days: 14", "  plus_days: 3000000",
     "`plus_days` is at most 365, not 3000000", "plus_days: 3000000", "3000000"),
    ("advice.yaml", "  plus_days: 14", "  plus_days: -1",
     "`plus_days` is at least 0, not -1", "plus_days: -1", "-1"),
    ("advice.yaml", "weekend: [saturday, sunday]", f"weekend: [{EVERY_DAY}]",
     "the weekend cannot hold every day of the week", "weekend: [monday", "["),
    ("advice.yaml", "    priority: 90", f"    priority: {HUGE}",
     f"`priority` is at most 1000000, not {HUGE}", "priority: 9999", "9999"),
]
# fmt: on


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "line_text", "column_text"),
    BOUNDS,
    ids=[b[3] for b in BOUNDS],
)
def test_each_bound_is_refused_at_its_place(
    run_cli: RunCli,
    rules_copy: Path,
    file: str,
    old: str,
    new: str,
    message: str,
    line_text: str,
    column_text: str,
) -> None:
    path = rules_copy / file
    edit(path, old, new)
    lines = _check(run_cli, rules_copy)
    line = line_of(path, line_text)
    column = path.read_text().splitlines()[line - 1].index(column_text) + 1
    assert lines[0].startswith(f"{path}:{line}:{column}: {message}"), lines
    _refused_by_advise(run_cli, rules_copy, message)


def test_the_schema_states_the_same_bounds() -> None:
    advice = schema.schema("advice")
    plus_days = advice["$defs"]["date_expr"]["properties"]["plus_days"]
    assert plus_days["maximum"] == limits.MAX_PLUS_DAYS
    assert advice["properties"]["calendar"]["properties"]["weekend"]["maxItems"] == (
        limits.MAX_WEEKEND_DAYS
    )
    priority = advice["$defs"]["rule"]["properties"]["priority"]
    assert (priority["minimum"], priority["maximum"]) == (-limits.MAX_PRIORITY, limits.MAX_PRIORITY)


def _nested(kind: str, depth: int) -> str:
    opening, closing = {"not": ("not: {", "}"), "any": ("any: [", "]"), "list": ("[", "]")}[kind]
    return "      - " + opening * depth + "followups_sent: 1" + closing * depth + "\n"


DEEP_CONDITIONS = "conditions nested too deeply: at most 8 levels of all/any/not"
DEEP_FILE = "not valid YAML or JSON: nested more than 40 levels deep"


@pytest.mark.parametrize(
    ("kind", "depth", "message"),
    [
        ("not", 9, DEEP_CONDITIONS),
        ("any", 9, DEEP_CONDITIONS),
        ("list", 9, DEEP_CONDITIONS),
        ("not", 300, DEEP_FILE),  # the schema validator's stack
        ("any", 3000, DEEP_FILE),  # the YAML parser's stack
    ],
)
def test_deep_nesting_is_refused_at_its_place(
    run_cli: RunCli, rules_copy: Path, kind: str, depth: int, message: str
) -> None:
    path = rules_copy / "advice.yaml"
    edit(path, "      - followups_sent:\n          at_least: 2\n", _nested(kind, depth))
    lines = _check(run_cli, rules_copy)
    assert lines[0].startswith(f"{path}:{line_of(path, 'followups_sent: 1')}:"), lines[0]
    assert message in lines[0]
    _refused_by_advise(run_cli, rules_copy, message)


def test_nesting_within_the_bound_is_checked(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "      - followups_sent:\n          at_least: 2\n",
        _nested("not", 6) + "      - followups_sent:\n          at_least: 2\n",
    )
    lines = _check(run_cli, rules_copy)
    assert any("can never fire: its conditions contradict each other" in line for line in lines)


def test_a_deep_json_facts_file_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text('{"discussed_points": ' + "[" * 5000 + "]" * 5000 + "}")
    result = run_cli("advise", str(facts), "--today", "2026-11-26", "--no-audit")
    assert result.exit_code == 2
    assert "nested more than 40 levels deep" in result.stderr


def test_a_deep_scenario_file_is_refused(run_cli: RunCli, rules_copy: Path) -> None:
    (rules_copy / "tests" / "deep.yaml").write_text("scenarios: " + "[" * 5000 + "]" * 5000)
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 2
    assert "nested more than 40 levels deep" in result.stderr


def test_many_date_tests_in_a_rule_cost_one_pass(run_cli: RunCli, rules_copy: Path) -> None:
    tests = "".join(
        f"      - interview_date:\n          after: 2026-01-{day:02d}\n" for day in range(1, 25)
    )
    contradiction = "      - followups_sent: 0\n      - followups_sent:\n          at_least: 2\n"
    _add_rules(rules_copy, _rule("never_applies", tests + contradiction))
    start = time.perf_counter()
    lines = _check(run_cli, rules_copy)
    assert time.perf_counter() - start < 3
    assert any(
        "`never_applies` can never fire: its conditions contradict" in line for line in lines
    )


def test_too_many_independent_rules_are_refused_in_bounded_time(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # Each rule may apply or not, whatever the others did: 2**20 paths to explore.
    rules = "".join(
        _rule(
            f"early_{n}",
            f"      - interview_date:\n          before: 2026-01-{n:02d}\n",
            "follow_up_on: today",
        )
        for n in range(1, 21)
    )
    _add_rules(rules_copy, rules)
    start = time.perf_counter()
    lines = _check(run_cli, rules_copy)
    assert time.perf_counter() - start < 3
    assert "too many different paths through the rules to check: more than 5000" in lines[0]
    assert lines[0].startswith(f"{rules_copy / 'advice.yaml'}:")


def _dated_rules(count: int) -> str:
    start = datetime.date(2020, 1, 1)
    return "".join(
        _rule(
            f"before_{n}",
            f"      - interview_date:\n          before: {start + datetime.timedelta(days=n)}\n",
        )
        for n in range(count)
    )


def test_more_distinct_dates_than_the_engine_holds_are_refused(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # durable_rules loops for ever compiling a 513th different test after the same conditions.
    _add_rules(rules_copy, _dated_rules(520))
    path = rules_copy / "advice.yaml"
    lines = _check(run_cli, rules_copy)
    message = (
        "too many different tests after the same conditions: the rule engine holds at most 500"
    )
    where, said = lines[0].split(": ", 1)
    line = int(where.split(":")[-2])
    assert where.startswith(f"{path}:") and said.startswith(message), lines[0]
    # The rule that crosses the limit, after the shipped rules' own tests at that point.
    assert path.read_text().splitlines()[line - 1].startswith("  - id: before_4")
    _refused_by_advise(run_cli, rules_copy, message)


def test_the_same_conditions_in_too_many_rules_are_refused(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # durable_rules refuses a 257th rule ending at one point with a bare error number.
    same = "      - interview_date:\n          before: 2020-01-01\n"
    _add_rules(rules_copy, "".join(_rule(f"same_{n}", same) for n in range(260)))
    lines = _check(run_cli, rules_copy)
    assert "too many rules with the same conditions: the rule engine holds at most 250" in lines[0]
    _refused_by_advise(run_cli, rules_copy, "too many rules with the same conditions")


def test_the_guide_lists_every_limit() -> None:
    limits_section = (ROOT / "docs" / "rules.md").read_text().split("## Limits")[1]
    for message in LIMIT_MESSAGES:
        assert f" {message} `" in limits_section or f"`{message}`" in limits_section, message


def test_too_many_rules_through_one_any_are_refused(run_cli: RunCli, rules_copy: Path) -> None:
    # durable_rules refuses a 129th rule through the same `any` with a bare error number.
    rules = "".join(
        _rule(
            f"sooner_{n}",
            "      - any:\n          - competing_offer: true\n          - has_update: true\n"
            f"      - followups_sent: {n}\n",
        )
        for n in range(130)
    )
    _add_rules(rules_copy, rules)
    lines = _check(run_cli, rules_copy)
    assert LIMIT_MESSAGES[9] in lines[0]
    _refused_by_advise(run_cli, rules_copy, LIMIT_MESSAGES[9])


def test_too_many_tests_of_missing_facts_are_refused(run_cli: RunCli, rules_copy: Path) -> None:
    facts = "".join(
        f"  extra_{n}:\n    type: date\n    optional: true\n    question: When?\n"
        for n in range(130)
    )
    edit(rules_copy / "facts.yaml", "\nderived:", "\n" + facts + "\nderived:")
    rules = "".join(
        _rule(f"missing_{n}", f"      - extra_{n}:\n          known: false\n") for n in range(130)
    )
    _add_rules(rules_copy, rules)
    lines = _check(run_cli, rules_copy)
    assert LIMIT_MESSAGES[10] in lines[0]
    _refused_by_advise(run_cli, rules_copy, LIMIT_MESSAGES[10])


def test_gaps_on_many_date_facts_get_an_example_in_bounded_time(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # An example used to try every combination of days: 11 ** 7 for these seven dates.
    facts = "".join(
        f"  day_{n}:\n    type: date\n    optional: true\n    question: When?\n" for n in range(6)
    )
    edit(rules_copy / "facts.yaml", "\nderived:", "\n" + facts + "\nderived:")
    tests = "".join(f"      - day_{n}:\n          after: 2026-01-01\n" for n in range(6))
    edit(
        rules_copy / "advice.yaml",
        "      - culture: proactive\n",
        "      - culture: proactive\n" + tests,
    )
    start = time.perf_counter()
    lines = _check(run_cli, rules_copy)
    assert time.perf_counter() - start < 3
    gap = next(index for index, line in enumerate(lines) if "a gap:" in line)
    example = lines[gap + 1]
    assert example.startswith("  for example: ") and "culture: proactive" in example, example
    assert "2025-12-31" in example  # the day before the one the rule compares with


@pytest.mark.parametrize("test", ["before: 0001-01-01", "after: 9999-12-31"])
def test_days_at_the_ends_of_the_calendar_are_checked(
    run_cli: RunCli, rules_copy: Path, test: str
) -> None:
    edit(
        rules_copy / "advice.yaml",
        "      - culture: proactive\n",
        f"      - culture: proactive\n      - interview_date:\n          {test}\n",
    )
    lines = _check(run_cli, rules_copy)
    assert any("a gap: no rule decides the action" in line for line in lines), lines


def _choices(count: int) -> str:
    return "".join(
        f"      - any:\n          - interview_date:\n"
        f"              after: 2026-01-{n % 28 + 1:02d}\n"
        f"          - today:\n              after: 2026-02-{n % 28 + 1:02d}\n"
        for n in range(count)
    )


CONTRADICTION = "      - followups_sent: 0\n      - followups_sent:\n          at_least: 2\n"


def test_too_many_alternatives_in_one_rule_are_refused(run_cli: RunCli, rules_copy: Path) -> None:
    # durable_rules refuses a 15th `$or` in one rule with a bare error number.
    _add_rules(rules_copy, _rule("choosy", _choices(15)))
    path = rules_copy / "advice.yaml"
    lines = _check(run_cli, rules_copy)
    assert lines[0].startswith(f"{path}:{line_of(path, 'id: choosy')}:5: {LIMIT_MESSAGES[11]}")
    _refused_by_advise(run_cli, rules_copy, LIMIT_MESSAGES[11])


def test_a_contradiction_among_many_alternatives_is_found(
    run_cli: RunCli, rules_copy: Path
) -> None:
    _add_rules(rules_copy, _rule("never_applies", CONTRADICTION + _choices(14)))
    lines = _check(run_cli, rules_copy)
    assert any(
        "`never_applies` can never fire: its conditions contradict" in line for line in lines
    )


def test_a_rule_with_thousands_of_tests_is_checked(run_cli: RunCli, rules_copy: Path) -> None:
    tests = "".join(
        f"      - interview_date:\n          after: 2026-01-{n % 28 + 1:02d}\n" for n in range(2000)
    )
    _add_rules(rules_copy, _rule("never_applies", tests + CONTRADICTION))
    start = time.perf_counter()
    lines = _check(run_cli, rules_copy)
    assert time.perf_counter() - start < 3
    assert any(
        "`never_applies` can never fire: its conditions contradict" in line for line in lines
    )
