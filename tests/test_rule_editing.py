"""Changing the rule files' text from the editor: round-trip edits, review, versions, saves."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from engine import RuleBase, load_rule_base
from engine.editing import AddRule, RemoveRule, RuleDraft, SetValue, apply_edits
from engine.fields import EditError, Field
from engine.loader import RULE_FILES, rule_base_version
from followup.rule_review import inspect_texts, review
from followup.rule_saving import Refused, Saved, Saving, Stale, restore, save_edits
from followup.rule_versions import FOUND, History, current_texts

from .conftest import SHIPPED

PLUS_DAYS = Field("rule", "two_weeks_when_unsure", ("then", "first_followup_day", "plus_days"))
TEN_DAYS = SetValue(PLUS_DAYS, 10)


def _diff(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("folder", [SHIPPED], ids=["shipped"])
def test_the_fourteen_to_ten_edit_changes_one_line(folder: Path) -> None:
    texts = current_texts(folder)
    new = apply_edits(texts, [TEN_DAYS])
    advice = RULE_FILES["advice"]
    assert _diff(texts[advice], new[advice]) == ["-        plus_days: 14", "+        plus_days: 10"]
    assert {name for name in texts if new[name] != texts[name]} == {advice}


def test_comments_and_layout_stay(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    new = apply_edits(texts, [SetValue(Field("fact", "interview_date", ("help",)), "A day.")])
    facts = RULE_FILES["facts"]
    comments = [line for line in texts[facts].splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in new[facts].splitlines() for line in comments)
    assert len(_diff(texts[facts], new[facts])) == 2


def test_a_long_reason_is_folded_as_the_files_fold_it(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    reason = "Wait a little: " + "they are busy people and read many messages a day. " * 3
    new = apply_edits(texts, [SetValue(Field("rule", "reminder_is_due", ("reason",)), reason)])
    lines = new[RULE_FILES["advice"]].splitlines()
    at = lines.index("    reason: >-", lines.index("  - id: reminder_is_due"))
    assert lines[at + 1].startswith("      Wait a little:")
    assert all(len(line) <= 96 for line in lines[at : at + 4])
    assert load_rule_base_from(new).rule("reminder_is_due").reason == " ".join(reason.split())


def load_rule_base_from(texts: dict[str, str]) -> RuleBase:
    rule_base = inspect_texts(texts).rule_base
    assert rule_base is not None
    return rule_base


def test_add_a_rule_in_priority_order_and_remove_one(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    draft = RuleDraft(
        "move_on_after_three",
        95,
        [("followups_sent", "at_least", 3)],
        [("action", "move_on"), ("follow_up_on", None)],
        "Three messages without a reply are enough.",
        "The Art of the Follow-Up, paragraph 6",
    )
    added = apply_edits(texts, [AddRule(draft.written())])
    rule_base = load_rule_base_from(added)
    ids = [rule.id for rule in rule_base.rules]
    assert ids.index("move_on_after_three") == 1  # after priority 100, before 90
    assert "          at_least: 3" in added[RULE_FILES["advice"]]
    removed = apply_edits(added, [RemoveRule("move_on_after_three")])
    assert removed[RULE_FILES["advice"]] == texts[RULE_FILES["advice"]]


def test_edits_that_cannot_be_made_say_so_in_words(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    with pytest.raises(EditError, match="there is no rule 'two_weeks'"):
        apply_edits(texts, [SetValue(Field("rule", "two_weeks", ("priority",)), 1)])
    with pytest.raises(EditError, match="there is already a rule"):
        apply_edits(texts, [AddRule({"id": "reach_out_sooner", "priority": 1})])
    with pytest.raises(EditError, match="names no field"):
        Field.parse("priority")


def test_problems_are_placed_at_their_field(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    before = load_rule_base(rules_copy)
    negative = review(rules_copy, apply_edits(texts, [SetValue(PLUS_DAYS, -3)]), before, None)
    assert not negative.sound
    [finding] = negative.findings
    assert finding.field == PLUS_DAYS
    assert "at least 0, not -3" in finding.in_words
    base = Field("rule", "two_weeks_when_unsure", ("then", "first_followup_day", "date"))
    misspelt = review(
        rules_copy, apply_edits(texts, [SetValue(base, "interveiw_date")]), before, None
    )
    [finding] = misspelt.findings
    assert finding.field == base
    assert "did you mean `interview_date`?" in finding.in_words


def test_a_review_names_the_scenarios_that_now_fail(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    before = load_rule_base(rules_copy)
    found = review(rules_copy, apply_edits(texts, [TEN_DAYS]), before, None)
    assert found.sound
    assert any("14 days → interview_date + 10 days" in line for line in found.changes)
    assert found.failing and all(result.differences for result in found.failing)


def test_a_save_is_a_version_and_a_stale_save_is_refused(rules_copy: Path) -> None:
    saving = Saving(rules_copy, "Dana")
    first = rule_base_version(current_texts(rules_copy))
    saved = save_edits(saving, [TEN_DAYS], first)
    assert isinstance(saved, Saved)
    assert load_rule_base(rules_copy).version == saved.version
    stale = save_edits(saving, [SetValue(PLUS_DAYS, 12)], first)
    assert isinstance(stale, Stale)
    assert stale.current == saved.version
    assert any("10 days" in line for line in stale.theirs)
    assert "plus days set to 12" in stale.yours[0]
    versions = History(rules_copy).versions()
    assert [(v.author, v.version) for v in versions] == [("Dana", saved.version), (FOUND, first)]


def test_a_broken_save_is_refused_and_nothing_written(rules_copy: Path) -> None:
    before = current_texts(rules_copy)
    refused = save_edits(
        Saving(rules_copy, "Dana"), [SetValue(PLUS_DAYS, -1)], rule_base_version(before)
    )
    assert isinstance(refused, Refused)
    assert current_texts(rules_copy) == before
    assert History(rules_copy).versions() == []


def test_restore_writes_the_old_files_back_as_a_new_version(rules_copy: Path) -> None:
    saving = Saving(rules_copy, "Dana")
    original = current_texts(rules_copy)
    saved = save_edits(saving, [TEN_DAYS], rule_base_version(original))
    assert isinstance(saved, Saved)
    found = History(rules_copy).versions()[-1]
    restored = restore(saving, found.files, saved.version)
    assert isinstance(restored, Saved)
    assert current_texts(rules_copy) == original
    assert len(History(rules_copy).versions()) == 3


def test_the_general_guidance_is_a_field_too(rules_copy: Path) -> None:
    texts = current_texts(rules_copy)
    point = Field("guidance", "general", ("points", 0))
    new = apply_edits(texts, [SetValue(point, "Keep it short.")])
    messages = RULE_FILES["messages"]
    assert _diff(texts[messages], new[messages]) == [
        "-    - Keep it short, professional and polite.",
        "+    - Keep it short.",
    ]
    assert load_rule_base_from(new).guidance[0] == "Keep it short."
