"""Scenario tests, rule diffs, the schemas, and a new rule added the way docs/rules.md says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine import load_rule_base, parse_document
from engine.schema import FILE_KINDS, schema

from .conftest import EXAMPLES, ROOT, RULES, SHIPPED, TODAY, RunCli, edit


def test_shipped_scenarios_pass_and_cover_every_rule(run_cli: RunCli) -> None:
    result = run_cli("rules", "test")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "20 passed, 0 failed"
    assert "not fired by any scenario" not in result.stdout


def test_scenarios_cover_every_example_of_the_readme(rule_base: object) -> None:
    scenarios = yaml.safe_load((RULES / "tests" / "advice.yaml").read_text())["scenarios"]
    actions = {scenario["expect"]["action"] for scenario in scenarios}
    assert actions == {"wait", "follow_up_now", "send_reminder", "move_on"}
    examples = {path.stem for path in EXAMPLES.glob("*.yaml")}
    assert len(examples) == 9


def test_a_failing_scenario_shows_the_difference(run_cli: RunCli, rules_copy: Path) -> None:
    edit(rules_copy / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    failed = lines.index(
        next(line for line in lines if line.startswith("FAIL no timeline and an unsure"))
    )
    assert lines[failed].endswith(f"({rules_copy / 'tests' / 'advice.yaml'}:10:5)")
    assert lines[failed + 1] == "     action: expected wait, got follow_up_now"
    assert lines[failed + 2] == "     follow_up_on: expected 2026-11-30, got 2026-11-26"
    assert lines[failed + 3].startswith("     fired: expected two_weeks_when_unsure")
    assert lines[-1] == "18 passed, 2 failed"


def test_a_scenario_with_refused_facts(run_cli: RunCli, rules_copy: Path) -> None:
    (rules_copy / "tests" / "extra.yaml").write_text(
        "scenarios:\n  - name: in the future\n    today: 2026-11-26\n    facts:\n"
        "      interview_date: 2026-12-01\n    expect:\n      action: wait\n"
    )
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 1
    assert (
        f"     the advisor refused it: {rules_copy / 'tests' / 'extra.yaml'}:5:23: "
        "The interview date, Tuesday 1 December 2026, is after today, Thursday 26 November 2026"
        in result.stdout
    )


def test_a_misspelt_rule_in_fired(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "tests" / "advice.yaml",
        "      fired: [reach_out_sooner]\n",
        "      fired: [reach_out_soon]\n",
    )
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 1
    assert (
        "     unknown rule `reach_out_soon` in fired (did you mean `reach_out_sooner`?)"
        in result.stdout.splitlines()
    )


def test_a_scenario_file_with_a_bad_today(run_cli: RunCli, rules_copy: Path) -> None:
    (rules_copy / "tests" / "extra.yaml").write_text(
        "scenarios:\n  - name: x\n    today: soon\n    facts: {}\n    expect:\n      action: wait\n"
    )
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {rules_copy / 'tests' / 'extra.yaml'}:3:12: today must be a date written "
        "YYYY-MM-DD, not 'soon'"
    )


def test_diff_in_words_with_cases_from_a_file(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    edit(rules_copy / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    edit(rules_copy / "advice.yaml", "    priority: 90", "    priority: 95")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"interview_date": "2026-11-16", "today": "2026-11-26"}\n'
        '{"interview_date": "2026-11-02", "culture": "proactive", "today": "2026-11-26"}\n'
    )
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", str(cases))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "rule changed: move_on_after_several_attempts: priority 90 → 95",
        "rule changed: two_weeks_when_unsure: first_followup_day = "
        "interview_date + 14 days → interview_date + 10 days",
        # The reason says the rule's number, so it follows the new one.
        "rule changed: two_weeks_when_unsure: reason 'With no timeline named and no clear sense "
        "of how they like to be contacted, take the conservative end: a full two weeks after "
        "the interview ({first_followup_day}).' → 'With no timeline named and no clear sense "
        "of how they like to be contacted, take the conservative end: a full ten days after "
        "the interview ({first_followup_day}).'",
        f"1 of 2 cases from {cases} would get other advice",
        "  line 1: wait on 2026-11-30 → follow_up_now on 2026-11-26 (rule two_weeks_when_unsure)",
    ]


def test_diff_uses_the_audit_trail_by_default(run_cli: RunCli, rules_copy: Path) -> None:
    run_cli("advise", str(EXAMPLES / "no-timeline.yaml"), "--today", TODAY)
    run_cli("advise", str(EXAMPLES / "one-followup.yaml"), "--today", TODAY)
    edit(
        rules_copy / "advice.yaml",
        "        plus_days: 7\n    reason: >-\n      One",
        "        plus_days: 10\n    reason: >-\n      One",
    )
    result = run_cli("rules", "diff", str(RULES), str(rules_copy))
    assert "2 cases from the audit trail" in result.stdout
    assert (
        "  record 2: send_reminder on 2026-11-26 → wait on 2026-11-27 "
        "(rule reminder_a_week_after_last_followup)"
    ) in result.stdout


def test_diff_of_identical_rules(run_cli: RunCli, rules_copy: Path) -> None:
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", "/dev/null")
    assert result.stdout.splitlines()[0] == "no change in the rules"


def test_adding_a_culture_value_and_rule_as_the_guide_says(
    run_cli: RunCli, rules_copy: Path
) -> None:
    guide = (Path(__file__).parent.parent / "docs" / "rules.md").read_text()
    new_rule = guide.split("## Adding a rule")[1].split("```yaml\n")[1].split("```")[0]
    scenario = guide.split("## Writing a scenario test")[1].split("```yaml\n")[1].split("```")[0]
    edit(
        rules_copy / "facts.yaml",
        "values: [proactive, laid_back, unsure]",
        "values: [proactive, laid_back, unsure, formal]",
    )
    advice = rules_copy / "advice.yaml"
    advice.write_text(advice.read_text().rstrip("\n") + "\n\n" + new_rule)
    (rules_copy / "tests" / "formal.yaml").write_text(scenario)

    check = run_cli("rules", "check", str(rules_copy))
    assert check.exit_code == 0, check.stdout
    assert "14 rules, no gaps, no conflicts" in check.stdout
    tested = run_cli("rules", "test", str(rules_copy))
    assert tested.exit_code == 0, tested.stdout
    assert tested.stdout.splitlines()[-1] == "21 passed, 0 failed"
    advised = run_cli(
        "advise",
        "--rules",
        str(rules_copy),
        "--set",
        "interview_date=2026-11-16",
        "--set",
        "culture=formal",
        "--today",
        TODAY,
        "--format",
        "json",
    )
    answer = json.loads(advised.stdout)
    assert answer["fired_rules"] == ["ten_days_for_a_formal_culture", "first_followup_is_due"]
    diff = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", "/dev/null")
    assert "rule added: ten_days_for_a_formal_culture" in diff.stdout
    assert "fact changed: culture: new values formal" in diff.stdout


def test_without_the_new_rule_the_new_value_is_a_gap(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "facts.yaml",
        "values: [proactive, laid_back, unsure]",
        "values: [proactive, laid_back, unsure, formal]",
    )
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "a gap: no rule decides the action for some cases" in result.stdout
    assert "culture: formal" in result.stdout


@pytest.mark.conformance
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_shipped_files_name_their_schema_and_meet_it(kind: str) -> None:
    text = (SHIPPED / f"{kind}.yaml").read_text()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=schema/{kind}.schema.json"
    # The full schema, conditions included, as an editor applies it.
    jsonschema.Draft202012Validator(schema(kind)).validate(yaml.safe_load(text))


@pytest.mark.conformance
def test_scenario_files_name_their_schema() -> None:
    for path in (SHIPPED / "tests").glob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/scenarios.schema.json"
        # YAML 1.2, as editors read it: dates stay text.
        data = parse_document(path.read_text(), path.name).value
        jsonschema.Draft202012Validator(schema("scenarios")).validate(data)


def test_editor_schema_rejects_what_the_loader_rejects(rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "      - culture: unsure",
        "      - culture:\n          oneof: [laid_back, unsure]",
    )
    data = yaml.safe_load((rules_copy / "advice.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema("advice")).validate(data)
    with pytest.raises(Exception, match="unknown test `oneof`"):
        load_rule_base(rules_copy)


def test_a_copied_rule_folder_still_finds_its_schemas(tmp_path: Path) -> None:
    # A coach copies the folder anywhere (`cp -r rules my-rules`): each file's schema comment
    # names a schema inside the folder, the very one the checker uses.
    copy = tmp_path / "elsewhere" / "my-rules"
    shutil.copytree(ROOT / "rules", copy)
    files = [*(copy / f"{kind}.yaml" for kind in FILE_KINDS), *(copy / "tests").glob("*.yaml")]
    for path in files:
        first = path.read_text().splitlines()[0]
        named = path.parent / first.split("$schema=")[1]
        kind = named.name.removesuffix(".schema.json")
        assert json.loads(named.read_text()) == schema(kind), f"{path}: {named} differs"
