"""What the job seeker reads: reasons, guidance and drafts in words, ready to use."""

from __future__ import annotations

import email
import json
from email.message import Message
from pathlib import Path

import pytest

from engine import RuleBase
from followup.audit import AuditStore

from .conftest import EXAMPLES, RULES, TODAY, RunCli


def advise_json(run_cli: RunCli, *sets: str) -> dict[str, object]:
    args = [arg for item in sets for arg in ("--set", item)]
    result = run_cli("advise", *args, "--today", TODAY, "--format", "json", "--no-audit")
    assert result.exit_code == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def body(answer: dict[str, object]) -> str:
    message = answer["message"]
    assert isinstance(message, dict)
    return str(message["body"])


def test_laid_back_and_unsure_have_reasons_of_their_own(run_cli: RunCli) -> None:
    laid_back = advise_json(run_cli, "interview_date=2026-11-18", "culture=laid_back")
    unsure = advise_json(run_cli, "interview_date=2026-11-18", "culture=unsure")
    assert laid_back["fired_rules"] == [
        "two_weeks_for_a_laid_back_culture",
        "first_followup_not_yet_due",
    ]
    assert unsure["fired_rules"] == ["two_weeks_when_unsure", "first_followup_not_yet_due"]
    assert isinstance(laid_back["reasons"], list) and isinstance(unsure["reasons"], list)
    assert "set its own pace" in laid_back["reasons"][0]
    assert "unsure" not in laid_back["reasons"][0]
    assert "no clear sense" in unsure["reasons"][0]


def test_move_on_has_guidance_of_its_own(run_cli: RunCli, rule_base: RuleBase) -> None:
    result = run_cli("advise", str(EXAMPLES / "several-followups.yaml"), "--today", TODAY)
    assert result.exit_code == 0
    assert "say again that you want the role" not in result.stdout
    assert "\nWhat to do now\n" in result.stdout and "How to write it" not in result.stdout
    for point in rule_base.actions["move_on"].guidance:
        assert point in " ".join(result.stdout.split())
    waiting = run_cli("advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY)
    assert "Thank them for the interview and say again that you want the role." in waiting.stdout


@pytest.mark.parametrize(
    ("points", "joined"),
    [
        ("the data migration project", "the data migration project"),
        ("the data migration; the on-call rota", "the data migration and the on-call rota"),
        ("A; B; C", "A, B and C"),
    ],
)
def test_offer_and_reminder_drafts_join_the_discussed_points_as_people_write(
    run_cli: RunCli, points: str, joined: str
) -> None:
    offer = advise_json(
        run_cli, "interview_date=2026-11-20", "competing_offer=yes", f"discussed_points={points}"
    )
    reminder = advise_json(
        run_cli,
        "interview_date=2026-11-02",
        "followups_sent=1",
        "last_followup_date=2026-11-17",
        f"discussed_points={points}",
    )
    assert f"I enjoyed our conversation about {joined}, and" in body(offer)
    assert f"I still think often about {joined} from our conversation, and" in body(reminder)


@pytest.mark.parametrize("news", ["I passed the AWS exam", "I passed the AWS exam."])
def test_news_ends_with_one_full_stop_and_no_also_without_an_offer(
    run_cli: RunCli, news: str
) -> None:
    answer = advise_json(
        run_cli, "interview_date=2026-11-20", "has_update=yes", f"update_text={news}"
    )
    text = body(answer)
    assert "I have news that may be useful to you: I passed the AWS exam.\n" in text
    assert "exam.." not in text
    assert " also " not in text


def test_news_after_an_offer_says_also(run_cli: RunCli) -> None:
    answer = advise_json(
        run_cli,
        "interview_date=2026-11-20",
        "has_update=yes",
        "competing_offer=yes",
        "update_text=I passed the AWS exam",
    )
    assert "I also have news that may be useful to you: I passed the AWS exam." in body(answer)


def test_the_draft_prints_flush_left_and_unwrapped(run_cli: RunCli) -> None:
    result = run_cli("advise", str(EXAMPLES / "competing-offer.yaml"), "--today", TODAY)
    draft = result.stdout.split("Draft message\n")[1]
    assert draft.startswith("Subject: Update on my application for the Data Analyst role\n\n")
    lines = draft.splitlines()
    assert "Dear Ms Rivera," in lines
    assert all(not line.startswith(" ") for line in lines)
    # A paragraph stays one line, so it pastes into an email as one paragraph.
    assert any(line.startswith("Thank you again") and line.endswith("informed.") for line in lines)


def test_draft_writes_an_eml_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "message.eml"
    result = run_cli(
        "advise", str(EXAMPLES / "competing-offer.yaml"), "--today", TODAY, "--draft", str(path)
    )
    assert result.exit_code == 0
    assert f"wrote the draft message to {path}" in result.stderr
    parsed: Message = email.message_from_bytes(path.read_bytes())
    assert parsed["Subject"] == "Update on my application for the Data Analyst role"
    text = parsed.get_payload(decode=True)
    assert isinstance(text, bytes)
    assert text.decode().startswith("Dear Ms Rivera,\n\nThank you again for interviewing me")


def test_draft_when_no_message_is_due(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "message.eml"
    result = run_cli(
        "advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "--draft", str(path)
    )
    assert result.exit_code == 0
    assert "no message is due" in result.stderr
    assert not path.exists()


def test_draft_into_a_missing_folder_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "nope" / "message.eml"
    result = run_cli("advise", str(EXAMPLES / "timeline.yaml"), "--draft", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: --draft: the folder {path.parent} does not exist\n"


def test_a_draft_that_cannot_be_written_is_refused_unrecorded(
    run_cli: RunCli, tmp_path: Path, audit_db: Path
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file, where the draft's folder should be")
    path = not_a_folder / "message.eml"
    result = run_cli(
        "advise", str(EXAMPLES / "competing-offer.yaml"), "--today", TODAY, "--draft", str(path)
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --draft: cannot write {path}: ")
    assert len(result.stderr.splitlines()) == 1
    assert not audit_db.exists() or list(AuditStore(audit_db).records()) == []


def test_draft_is_for_one_case_not_a_batch(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("advise", "--batch", "-", "--draft", str(tmp_path / "m.eml"), input="")
    assert result.exit_code == 2
    assert "drop FILE/--set/--draft" in result.stderr


def test_explain_refuses_an_unknown_picture_format(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "x.jpg"
    result = run_cli("explain", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: -o {out}: cannot write .jpg; the formats are .txt, .svg, .png, .pdf, .dot, "
        ".json (or give --format)\n"
    )
    assert not out.exists()


def test_a_label_for_a_value_that_does_not_exist_is_refused(
    run_cli: RunCli, rules_copy: Path
) -> None:
    path = rules_copy / "facts.yaml"
    path.write_text(path.read_text().replace("laid_back: laid-back", "laidback: laid-back"))
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "`laidback` is not a value of `culture`" in result.stdout
    assert "(did you mean `laid_back`?)" in result.stdout


def test_list_words_and_value_labels_come_from_the_rules(run_cli: RunCli, rules_copy: Path) -> None:
    messages = rules_copy / "messages.yaml"
    messages.write_text(messages.read_text().replace("  and: and", "  and: as well as"))
    advice = rules_copy / "advice.yaml"
    advice.write_text(
        advice.read_text().replace(
            "a company that prefers to set its own pace", "a {culture} company"
        )
    )
    offer = run_cli(
        "advise",
        "--rules",
        str(rules_copy),
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "competing_offer=yes",
        "--set",
        "discussed_points=A; B; C",
        "--today",
        TODAY,
    )
    assert "about A, B as well as C, and" in offer.stdout
    laid_back = run_cli(
        "advise",
        "--rules",
        str(rules_copy),
        "--set",
        "interview_date=2026-11-18",
        "--set",
        "culture=laid_back",
        "--today",
        TODAY,
    )
    assert "a laid-back company" in laid_back.stdout


def test_rules_diff_names_reworded_action_guidance(run_cli: RunCli, rules_copy: Path) -> None:
    messages = rules_copy / "messages.yaml"
    messages.write_text(
        messages.read_text().replace("answer warmly.", "answer them warmly and promptly.")
    )
    result = run_cli("rules", "diff", str(RULES), str(rules_copy))
    assert result.exit_code == 0, result.stderr
    assert "guidance reworded: move_on" in result.stdout.splitlines()


def test_a_choice_may_be_given_by_its_label(run_cli: RunCli) -> None:
    by_label = advise_json(run_cli, "interview_date=2026-11-18", "culture=laid-back")
    assert by_label["fired_rules"] == [
        "two_weeks_for_a_laid_back_culture",
        "first_followup_not_yet_due",
    ]
