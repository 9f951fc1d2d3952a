"""A rule that moves a day another rule worked out, a rule's own writing tips, and a fact's
text that says a rule's number: on a small made-up rule base (tests/tiny), not the advice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import RunCli, edit, line_of

TODAY = "2026-11-26"  # a Thursday
# Messages of the checker about such rules, each tested below and listed in docs/rules.md.
ADJUSTMENT_MESSAGES = {
    "a rule that moves `NAME` concludes nothing else",
    "a rule that moves `NAME` applies whenever another rule works it out, so its conditions "
    "cannot test `NAME` itself",
    "no rule works out `NAME` for this rule to move",
    "rule `ID` never moves `NAME`: it never applies together with a rule that works `NAME` out",
    "more than N rules move `NAME`; every mix of them becomes a rule of its own",
    "moving `NAME` by N more days counts N days, over the limit of N",
    "`TEXT`: there is no rule `ID`",
    "`TEXT`: rule `ID` counts no days",
}


@pytest.fixture
def tiny(tiny_copy: Path) -> Path:
    return tiny_copy


def advice(
    run_cli: RunCli, rules: Path, tmp_path: Path, engine: str = "auto", **facts: object
) -> dict[str, object]:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"title": "Dune", **facts}))
    result = run_cli(
        "advise", str(case), "--rules", str(rules), "--today", TODAY, "--format", "json",
        "--no-audit", "--engine", engine,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_a_rule_that_moves_a_day_is_not_circular(run_cli: RunCli, tiny: Path) -> None:
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"ok: {tiny}: 6 rules, no gaps, no conflicts, every rule can fire\n"


@pytest.mark.parametrize("engine", ["durable", "compiled"])
@pytest.mark.parametrize(
    ("popular", "rare", "fired", "follow_up_on"),
    [
        (False, False, "ask_after_a_week", TODAY),  # 23 November has passed: ask today
        (False, True, "ask_after_a_week+rare_editions_take_longer", TODAY),  # 26: today
        (True, False, "ask_after_two_weeks", "2026-11-30"),
        (True, True, "ask_after_two_weeks+rare_editions_take_longer", "2026-12-03"),
    ],
)
def test_the_moved_day_counts_both_rules_days(
    run_cli: RunCli,
    tiny: Path,
    tmp_path: Path,
    engine: str,
    popular: bool,
    rare: bool,
    fired: str,
    follow_up_on: str,
) -> None:
    # Reserved on Monday 16 November: 7, 10, 14 and 17 days later are all weekdays.
    answer = advice(
        run_cli, tiny, tmp_path, engine, reserved_on="2026-11-16", popular=popular, rare=rare
    )
    assert answer["fired_rules"][0] == fired  # type: ignore[index]
    assert answer["follow_up_on"] == follow_up_on


def test_both_reasons_are_given_with_their_own_numbers(
    run_cli: RunCli, tiny: Path, tmp_path: Path
) -> None:
    answer = advice(run_cli, tiny, tmp_path, reserved_on="2026-11-20", popular="yes", rare="yes")
    assert answer["reasons"][0] == (  # type: ignore[index]
        "A popular book takes two weeks. A rare edition comes from the stacks, three days more."
    )
    assert answer["follow_up_on"] == "2026-12-07"


def test_two_rules_that_move_one_day_both_move_it(
    run_cli: RunCli, tiny: Path, tmp_path: Path
) -> None:
    edit(
        tiny / "advice.yaml",
        "  - id: ask_now\n",
        "  - id: holidays_take_longer\n    when:\n      - popular: true\n    then:\n"
        "      ask_day:\n        date: ask_day\n        plus_days: 1\n"
        "    reason: One more day.\n    source: Guide, part 6\n\n  - id: ask_now\n",
    )
    assert run_cli("rules", "check", str(tiny)).exit_code == 0
    answer = advice(run_cli, tiny, tmp_path, reserved_on="2026-11-20", popular="yes", rare="yes")
    assert answer["fired_rules"][0] == (  # type: ignore[index]
        "ask_after_two_weeks+rare_editions_take_longer+holidays_take_longer"
    )
    assert answer["follow_up_on"] == "2026-12-08"  # 14 + 3 + 1 days after a Friday


def test_a_rules_own_tips_come_first_and_only_when_it_applies(
    run_cli: RunCli, tiny: Path, tmp_path: Path
) -> None:
    popular = advice(run_cli, tiny, tmp_path, reserved_on="2026-11-20", popular="yes")
    assert popular["guidance"] == ["Ask whether you have moved up the queue.", "Be brief."]
    quiet = advice(run_cli, tiny, tmp_path, reserved_on="2026-11-20", popular="no")
    assert quiet["guidance"] == ["Be brief."]


def test_a_facts_why_says_the_rules_numbers(run_cli: RunCli, tiny: Path) -> None:
    edit(tiny / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    result = run_cli(
        "ask", "--rules", str(tiny), "--today", TODAY, "--no-audit", input="why\nquit\n"
    )
    assert "one week after it, or ten days when the book is popular." in result.output
    assert "{" not in result.output


@pytest.mark.parametrize(
    ("message", "old", "new", "line_text", "column_text"),
    [
        (
            "a rule that moves `ask_day` concludes nothing else",
            "        plus_days: 3\n",
            "        plus_days: 3\n      follow_up_on: today\n",
            "  - id: rare_editions_take_longer",
            "id",
        ),
        (
            "a rule that moves `ask_day` applies whenever another rule works it out, so its "
            "conditions cannot test `ask_day` itself",
            "      - rare: true\n",
            "      - rare: true\n      - ask_day:\n          after: today\n",
            "          after: today\n    then:\n      ask_day:\n        date: ask_day",
            "today",
        ),
        (
            "`{ask_after_a_wek.plus_days_in_words}`: there is no rule `ask_after_a_wek`",
            "{ask_after_a_week.plus_days_in_words}",
            "{ask_after_a_wek.plus_days_in_words}",
            "{ask_after_a_wek",
            "{",
        ),
        (
            "`{ask_now.plus_days}`: rule `ask_now` counts no days",
            "{ask_after_a_week.plus_days_in_words}",
            "{ask_now.plus_days}",
            "{ask_now",
            "{",
        ),
    ],
)
def test_each_mistake_at_its_place(
    run_cli: RunCli,
    tiny: Path,
    message: str,
    old: str,
    new: str,
    line_text: str,
    column_text: str,
) -> None:
    path = tiny / ("facts.yaml" if "{" in old else "advice.yaml")
    edit(path, old, new)
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 1
    found = next((line for line in result.stdout.splitlines() if message in line), None)
    assert found is not None, result.stdout
    text = path.read_text()
    line = text.count("\n", 0, text.index(line_text)) + 1
    column = text.splitlines()[line - 1].index(column_text) + 1
    assert found.startswith(f"{path}:{line}:{column}: "), found


def test_too_many_rules_moving_one_day_are_refused(run_cli: RunCli, tiny: Path) -> None:
    more = "".join(
        f"  - id: later_{n}\n    when:\n      - rare: true\n    then:\n      ask_day:\n"
        f"        date: ask_day\n        plus_days: {n}\n    reason: Later.\n    source: x\n\n"
        for n in range(1, 5)
    )
    path = tiny / "advice.yaml"
    edit(path, "  - id: ask_now\n", more + "  - id: ask_now\n")
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, 'id: later_4')}:5: more than 4 rules move `ask_day`" in (
        result.stdout
    )


def test_a_rule_moving_a_day_no_rule_works_out(run_cli: RunCli, tiny: Path) -> None:
    edit(tiny / "facts.yaml", "  ask_day:\n", "  pickup_day:\n    type: date\n  ask_day:\n")
    path = tiny / "advice.yaml"
    edit(
        path,
        "      ask_day:\n        date: ask_day\n",
        "      pickup_day:\n        date: pickup_day\n",
    )
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 1
    line = line_of(path, "id: rare_editions_take_longer")
    assert f"{path}:{line}:5: no rule works out `pickup_day` for this rule to move" in result.stdout


def test_a_rule_that_never_meets_the_rules_it_moves(run_cli: RunCli, tiny: Path) -> None:
    path = tiny / "advice.yaml"
    edit(
        path,
        "      - rare: true\n",
        "      - rare: true\n      - popular: true\n      - popular: false\n",
    )
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 1
    line = line_of(path, "id: rare_editions_take_longer")
    assert (
        f"{path}:{line}:5: rule `rare_editions_take_longer` never moves `ask_day`: it never "
        "applies together with a rule that works `ask_day` out"
    ) in result.stdout


def test_a_helper_rule_that_moves_a_day_keeps_its_reason_unshown(
    run_cli: RunCli, tiny: Path, tmp_path: Path
) -> None:
    edit(
        tiny / "advice.yaml",
        "    source: Guide, part 3\n",
        "    source: Guide, part 3\n    shown: false\n",
    )
    answer = advice(run_cli, tiny, tmp_path, reserved_on="2026-11-20", popular="yes", rare="yes")
    assert answer["reasons"][0] == "A popular book takes two weeks."  # type: ignore[index]
    assert answer["follow_up_on"] == "2026-12-07"


def test_rules_diff_names_the_rule_that_moved_the_day(
    run_cli: RunCli, tiny: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "changed"
    shutil.copytree(tiny, changed)
    edit(changed / "advice.yaml", "        plus_days: 3", "        plus_days: 5")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"reserved_on": "2026-11-20", "popular": true, "rare": true}\n'
        '{"reserved_on": "2026-11-20", "popular": true}\n'
    )
    result = run_cli(
        "rules", "diff", str(tiny), str(changed), "--cases", str(cases), "--today", TODAY
    )
    assert result.stdout.splitlines() == [
        "rule changed: rare_editions_take_longer: ask_day = ask_day + 3 days → ask_day + 5 days",
        "rule changed: rare_editions_take_longer: reason 'A rare edition comes from the stacks, "
        "three days more.' → 'A rare edition comes from the stacks, five days more.'",
        f"1 of 2 cases from {cases} would get other advice",
        "  line 1: wait on 2026-12-07 → wait on 2026-12-09 (rule rare_editions_take_longer)",
    ]


def test_scenarios_name_the_rules_as_written(run_cli: RunCli, tiny: Path) -> None:
    result = run_cli("rules", "test", str(tiny))
    assert result.exit_code == 0, result.stdout
    assert "not fired by any scenario" not in result.stdout
    scenarios = tiny / "tests" / "reservations.yaml"
    edit(scenarios, "fired: [ask_after_two_weeks, rare_", "fired: [ask_after_two_weeks, rarer_")
    result = run_cli("rules", "test", str(tiny))
    assert result.exit_code == 1
    assert "unknown rule `rarer_editions_take_longer` in fired" in result.stdout
    edit(scenarios, "rarer_editions_take_longer, wait", "wait")
    result = run_cli("rules", "test", str(tiny))
    assert (
        "fired: expected ask_after_two_weeks, wait_for_the_day; got ask_after_two_weeks, "
        "rare_editions_take_longer, wait_for_the_day"
    ) in result.stdout


def test_a_move_past_a_year_is_refused(run_cli: RunCli, tiny: Path) -> None:
    path = tiny / "advice.yaml"
    edit(path, "        plus_days: 3", "        plus_days: 360")
    result = run_cli("rules", "check", str(tiny))
    assert result.exit_code == 1
    line = line_of(path, "id: rare_editions_take_longer")
    assert (
        f"{path}:{line}:5: moving `ask_day` by 360 more days counts 367 days, over the limit of 365"
    ) in result.stdout
