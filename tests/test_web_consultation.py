"""The consultation's stateless steps, shared by `followup ask` and the web pages."""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import pytest

from engine import Advisor
from followup.audit import AuditStore
from followup.consultation import Consultation, Prompt

from .web_support import DAY, NO_TIMELINE, NO_TIMELINE_HEADLINE, reply, web_client


def _unused(_prompt: object) -> str:
    raise AssertionError("advance never asks")


def consultation(advisor: Advisor) -> Consultation:
    return Consultation(advisor, DAY, _unused, lambda _text: None)


def test_advance_asks_the_first_question_of_the_tree(advisor: Advisor) -> None:
    step = consultation(advisor).advance({})
    assert step.pending is not None and step.pending.spec.name == "interview_date"
    assert step.answer is None


def test_advance_skips_questions_that_cannot_change_the_advice(advisor: Advisor) -> None:
    replies = {"interview_date": "2026-11-20", "competing_offer": "yes"}
    step = consultation(advisor).advance(replies)
    assert step.answer is not None
    assert step.answer.headline == "Follow up now — today, Thursday 26 November 2026"


def test_advance_reads_phrases_and_says_how(advisor: Advisor) -> None:
    ongoing = consultation(advisor)
    step = ongoing.advance({"interview_date": "6 days ago", "timeline_given": "yes"})
    assert ongoing.answers["interview_date"] == datetime.date(2026, 11, 20)
    assert step.pending is not None and step.pending.spec.name == "competing_offer"


def test_advance_refuses_a_bad_reply_with_the_words_ask_uses(advisor: Advisor) -> None:
    step = consultation(advisor).advance({"interview_date": "next year sometime"})
    assert step.reading is not None and step.reading.error is not None
    assert step.reading.error.startswith("cannot read 'next year sometime' as a date")
    assert step.pending is not None and step.pending.spec.name == "interview_date"


def test_advance_offers_both_readings_of_an_ambiguous_date(advisor: Advisor) -> None:
    step = consultation(advisor).advance({"interview_date": "5/11/2026"})
    assert step.reading is not None and step.reading.ambiguous is not None
    assert len(step.reading.ambiguous.readings) == 2


def test_again_asks_a_fact_anew_offering_the_earlier_reply(advisor: Advisor) -> None:
    replies = {"interview_date": "2026-11-16", "competing_offer": "yes"}
    step = consultation(advisor).advance(replies, again="competing_offer")
    assert step.prompt is not None and step.prompt.fact == "competing_offer"
    assert step.prompt.default == "yes"


def answer_by_pages(advisor: Advisor, audit_db: Path | None, replies: list[str]) -> str:
    client = web_client(advisor, audit_db)
    page = client.get("/").text
    for text in replies:
        status, location, body = reply(client, page, text)
        assert status == 303, body
        response = client.get(location)
        page = response.text
    return page


def test_pages_lead_through_a_consultation_to_the_recorded_answer(
    advisor: Advisor, audit_db: Path
) -> None:
    page = answer_by_pages(advisor, audit_db, NO_TIMELINE)
    assert NO_TIMELINE_HEADLINE in html.unescape(page)
    assert "Recorded in the audit trail as record 1." in page
    assert [r.source for r in AuditStore(audit_db).records()] == ["web"]


def test_pages_show_each_date_as_it_was_understood(advisor: Advisor) -> None:
    client = web_client(advisor)
    _status, location, _body = reply(client, client.get("/").text, "10 days ago")
    assert "Monday 16 November 2026" in client.get(location).text


def test_a_refused_reply_is_shown_in_words_and_nothing_recorded(
    advisor: Advisor, audit_db: Path
) -> None:
    client = web_client(advisor, audit_db)
    status, _location, body = reply(client, client.get("/").text, "2026-12-25")
    assert status == 422
    assert "Sorry: The interview date" in html.unescape(body)
    assert not audit_db.exists()


@pytest.mark.parametrize("missing_token", [True, False])
def test_a_form_without_its_csrf_token_is_refused(advisor: Advisor, missing_token: bool) -> None:
    client = web_client(advisor)
    token = "" if missing_token else "forged"
    data = {"fact": "interview_date", "reply": "2026-11-16", "csrf_token": token}
    response = client.post("/", data=data, follow_redirects=False)
    assert response.status_code == 403


def test_the_answer_page_fills_names_into_the_draft(advisor: Advisor) -> None:
    client = web_client(advisor)
    page = client.get(
        "/answer?interview_date=2026-11-20&competing_offer=yes&candidate_name=Ada+Lovelace"
    ).text
    assert "Ada Lovelace" in page
    assert 'id="copy"' in page


def test_the_pictures_come_with_their_words(advisor: Advisor) -> None:
    replies = {
        "interview_date": "2026-11-16",
        "competing_offer": "no",
        "has_update": "no",
        "followups_sent": "0",
        "timeline_given": "no",
        "culture": "unsure",
        "country": "",
    }
    page = web_client(advisor).get("/answer", params=replies).text
    assert 'aria-describedby="timeline-words"' in page
    assert "<li>Your interview: Monday 16 November 2026</li>" in page
    assert "<li>Follow up on: Monday 30 November 2026</li>" in page
    assert 'aria-describedby="reasoning-words"' in page
    steps = re.findall(r'<ul id="reasoning-words" class="steps">(.*?)</ul>', page, re.DOTALL)
    assert steps and "1. two_weeks_when_unsure applied because" in steps[0]


def test_ask_and_advance_take_the_same_path(advisor: Advisor) -> None:
    """The terminal (one reply at a time through `ask`) and a page (all replies at once)."""
    replies = ["2026-11-16", "no", "no", "1", "2026-11-17", ""]  # no country given
    typed = iter(replies)
    asked: list[str] = []

    def ask(prompt: Prompt) -> str:
        asked.append(prompt.fact)
        return next(typed)

    at_terminal = Consultation(advisor, DAY, ask, lambda _text: None).run()
    stateless = consultation(advisor)
    step = stateless.advance(dict(zip(asked, replies, strict=True)))
    assert step.answer is not None
    assert step.answer.to_json() == at_terminal.to_json()
    assert stateless.order == asked
