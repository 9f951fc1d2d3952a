"""The compiled evaluator: the same answers as durable_rules, used only once shown to agree."""

from __future__ import annotations

import datetime
import json
import typing
from pathlib import Path

import pytest

from bench.cases import generate_cases, write_jsonl
from bench.reference import reference_advice
from engine import Advisor, EngineError, RuleBase, load_rule_base, read_case, session
from engine.closures import compile_condition, compile_test, holds
from engine.conditions import compare, evaluate
from engine.errors import Location
from engine.model import AllOf, AnyOf, Compare, CompareOp, FactRef, Not
from engine.proof import distinct_cases
from engine.proof_cache import proof_path

from .conftest import TODAY, RunCli

# The full 100,000 run in `make bench` (python -m bench.advise --equal 100000).
EQUAL_CASES = 20_000
# As docs/rules.md lists it (WHAT stands for what each engine concluded).
DISAGREEMENT = (
    "the compiled evaluator and durable_rules disagree on a case: durable_rules gives WHAT; "
    "the compiled evaluator gives WHAT"
)


def test_compiled_gives_durables_answers_and_the_references_decisions(
    advisor: Advisor, rule_base: RuleBase
) -> None:
    compiled = Advisor(rule_base, "compiled")
    assert compiled.engine == "compiled" and advisor.engine == "durable"
    differences, mismatches = [], []
    for facts, today in generate_cases(EQUAL_CASES, seed=7):
        case = read_case(facts, rule_base, today=today)
        expected = advisor.advise(case)
        answer = compiled.advise(case)
        if answer.to_json() != expected.to_json():
            differences.append((facts, today))
        if (expected.action, expected.follow_up_on) != reference_advice(facts, today):
            mismatches.append((facts, today))
    assert differences == []
    assert mismatches == []


def test_batch_on_each_engine_prints_the_same_lines(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    write_jsonl(path, 300, seed=3)
    outputs = {
        engine: run_cli("advise", "--batch", str(path), "--engine", engine).stdout
        for engine in ("durable", "compiled", "auto")
    }
    assert len(outputs["durable"].splitlines()) == 300
    assert outputs["compiled"] == outputs["durable"] == outputs["auto"]


def test_both_alternatives_holding_run_the_rule_twice_on_both_engines(run_cli: RunCli) -> None:
    # durable_rules matches a rule once through each alternative of an `any` that holds.
    args = ["--set", "interview_date=2026-11-20", "--set", "competing_offer=yes"]
    args += ["--set", "has_update=yes", "--today", TODAY, "--format", "json", "--no-audit"]
    traces = {
        engine: json.loads(run_cli("advise", *args, "--engine", engine).stdout)["trace"]
        for engine in ("durable", "compiled")
    }
    assert traces["compiled"] == traces["durable"]
    assert [(step["rule"], step["status"], step["by"]) for step in traces["compiled"][:2]] == [
        ("reach_out_sooner", "fired", None),
        ("reach_out_sooner", "pre-empted", "reach_out_sooner"),
    ]


def test_rules_check_keeps_the_proof_in_the_cache(
    run_cli: RunCli, rules_copy: Path, proof_cache: Path
) -> None:
    _make_unique(rules_copy)
    rule_base = load_rule_base(rules_copy)
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 0, result.stdout
    path = proof_path(rule_base)
    assert path.parent == proof_cache
    stored = json.loads(path.read_text())
    assert stored["complete"] is True and stored["disagreement"] is None
    assert stored["version"] == rule_base.version and stored["cases"] > 1_000


def test_a_disagreement_is_reported_and_advise_falls_back(
    run_cli: RunCli, rules_copy: Path
) -> None:
    _make_unique(rules_copy)
    rule_base = load_rule_base(rules_copy)
    case = {"interview_date": "2026-11-02", "today": TODAY}
    path = proof_path(rule_base)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": rule_base.version,
                "cases": 12,
                "complete": True,
                "disagreement": {"case": case, "durable": "wait", "compiled": "follow_up_now"},
            }
        )
    )
    check = run_cli("rules", "check", str(rules_copy))
    assert check.exit_code == 1
    shown = DISAGREEMENT.replace("WHAT", "wait", 1).replace("WHAT", "follow_up_now")
    assert shown in check.stdout
    assert "for example: interview_date: 2026-11-02, today: 2026-11-26" in check.stdout
    advise = ["advise", "--set", "interview_date=2026-11-02", "--today", TODAY, "--no-audit"]
    fallback = run_cli(*advise, "--rules", str(rules_copy), "--format", "json")
    assert fallback.exit_code == 0
    assert "using durable_rules" in fallback.stderr
    assert json.loads(fallback.stdout)["action"] == "follow_up_now"
    refused = run_cli(*advise, "--rules", str(rules_copy), "--engine", "compiled")
    assert refused.exit_code == 1
    assert "disagrees with durable_rules" in refused.stderr


def test_the_proof_covers_holidays_and_days_off(rule_base: RuleBase) -> None:
    advisor = Advisor(rule_base, "compiled")
    moved_by_holiday = day_off = working_day = 0
    for raw, case in distinct_cases(rule_base):
        outcome = advisor.evaluate(case.values)
        day_off += outcome.values["today_is_day_off"] is True
        working_day += outcome.values["today_is_day_off"] is False
        moves = [move for firing in outcome.trace for move in firing.moved.values()]
        moved_by_holiday += any(move.holiday for move in moves) and "country" in raw
    assert moved_by_holiday and day_off and working_day


def test_a_case_durable_fails_once_is_retried_on_a_fresh_host_and_counted(
    rule_base: RuleBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    advisor = Advisor(rule_base, "durable")
    original = session._Host.assert_fact
    failures = iter([True])

    def flaky(host: session._Host, *args: object) -> object:
        if next(failures, False):
            raise RuntimeError("a passing failure of the library")
        return original(host, *args)

    monkeypatch.setattr(session._Host, "assert_fact", flaky)
    case = read_case({"interview_date": "2026-11-02"}, rule_base, today=_day(TODAY))
    assert advisor.advise(case).action == "follow_up_now"
    assert advisor.recovered == 1


def test_a_case_that_fails_twice_is_refused_and_not_counted(rules_copy: Path) -> None:
    text = (rules_copy / "advice.yaml").read_text()
    (rules_copy / "advice.yaml").write_text(
        text.replace("culture: proactive\n", "culture: laid_back\n", 1)
    )
    advisor = Advisor(load_rule_base(rules_copy), "durable")
    facts = {"interview_date": "2026-11-20", "culture": "proactive"}
    with pytest.raises(EngineError, match="no rule decided the action"):
        advisor.evaluate(read_case(facts, advisor.rule_base, today=_day(TODAY)).values)
    assert advisor.recovered == 0


def _make_unique(rules: Path) -> None:
    """A rule base of its own version, so that no proof of an earlier test applies to it."""
    path = rules / "advice.yaml"
    path.write_text(path.read_text() + f"\n# {rules}\n")


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_compiled_tests_decide_as_compare_does() -> None:
    day = datetime.date(2026, 11, 26)
    operands: list[object] = [
        True,
        False,
        0,
        1,
        2,
        "a",
        "b",
        ("a", "b"),
        day,
        day + datetime.timedelta(days=1),
    ]
    known: list[object] = [None, *operands[:7], *operands[8:]]
    where = Location("advice.yaml", 1, 1)
    for op in typing.get_args(CompareOp):
        for operand in [*operands, FactRef("other")]:
            test = Compare("fact", op, operand, where)
            compiled = compile_test(test)
            for actual in known:
                for other in (None, 1, day):
                    values = {"fact": actual, "other": other}
                    try:
                        expected: object = compare(test, values)
                    except TypeError:
                        expected = TypeError
                    try:
                        got: object = compiled(values)
                    except TypeError:
                        got = TypeError
                    assert got == expected, (op, operand, actual, other)


def test_compiled_conditions_decide_as_evaluate_does() -> None:
    where = Location("advice.yaml", 1, 1)
    yes, small = Compare("a", "equals", True, where), Compare("n", "at_most", 1, where)
    known = Compare("d", "known", True, where)
    conditions = [
        AllOf((yes, small), where),
        AnyOf((yes, small), where),
        Not(AllOf((yes, Not(small, where)), where), where),
        Not(AnyOf((Not(yes, where), known), where), where),
        AllOf((Not(Not(known, where), where), AnyOf((small, Not(yes, where)), where)), where),
    ]
    for condition in conditions:
        compiled = compile_condition(condition)
        for a in (None, True, False):
            for n in (None, 0, 2):
                for d in (None, _day("2026-11-26")):
                    values = {"a": a, "n": n, "d": d}
                    assert compiled(values) == evaluate(condition, values), (condition, values)
                    assert holds(condition, values) == evaluate(condition, values)
