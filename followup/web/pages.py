"""The consultation and the answer as pages: one question at a time, then the advice.

Every step goes through `Consultation.advance`, the path `followup ask` takes too: this module
only turns it into pages. The answers so far travel in the address (fact=reply), so a page
can be reloaded, bookmarked or gone back to; forms post and redirect, and htmx (when scripts
run) swaps the page in place.
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from engine import Answer
from engine.conditions import evaluate
from engine.dates import long_date
from engine.model import FactSpec
from explain.timeline import marks
from explain.why import how, why_not

from ..audit import AuditError, Entry
from ..consultation import Consultation, Step
from ..reminder import no_reminder_reason, reminder_event
from ..render import draft_text
from .security import CSRF_FIELD, csrf_ok, csrf_token
from .settings import HTMX, TEMPLATES, settings_of

AGAIN = "_again"
RECORD = "_record"
WHY_NOT = "_why_not"
RESERVED = frozenset({AGAIN, RECORD, WHY_NOT, CSRF_FIELD, "fact", "reply"})
MAX_REPLY = 500

router = APIRouter(include_in_schema=False)


def _consultation(request: Request) -> Consultation:
    settings = settings_of(request)
    return Consultation(settings.advisor, settings.day(), _no_ask, _no_say)


def _no_ask(_prompt: object) -> str:
    raise AssertionError("a page never asks by itself")


def _no_say(_text: str) -> None:
    """Pages show readings and refusals themselves."""


def replies_in(fields: Mapping[str, Any]) -> dict[str, str]:
    """The answers carried by a form or an address: fact name -> reply as typed."""
    return {
        name: str(value)[:MAX_REPLY]
        for name, value in fields.items()
        if name not in RESERVED and isinstance(value, str)
    }


def answers_query(consultation: Consultation, **extra: str) -> str:
    """The answers taken so far, in order, as an address's query."""
    # A question passed over stays in the address, empty, so it is not asked again.
    pairs = [
        (name, consultation.as_reply(consultation.facts[name], consultation.answers[name]))
        if name in consultation.answers
        else (name, "")
        for name in consultation.order
    ]
    pairs += [(key, value) for key, value in extra.items() if value]
    return urllib.parse.urlencode(pairs)


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    context.update(csrf_field=CSRF_FIELD, csrf_token=csrf_token(request), htmx=HTMX)
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


# -- the consultation ---------------------------------------------------------------------------


@router.get("/")
def consult_page(request: Request) -> Response:
    """The next question for the answers in the address (the first one on a fresh visit)."""
    replies = replies_in(request.query_params)
    consultation = _consultation(request)
    step = consultation.advance(replies, again=request.query_params.get(AGAIN))
    if step.answer is not None:
        return RedirectResponse(f"/answer?{answers_query(consultation)}", status_code=303)
    return _question(request, step, status=422 if step.reading else 200)


@router.post("/")
async def consult_reply(request: Request) -> Response:
    """Take one reply; on to the next question, or to the answer (recorded) once settled."""
    form = await request.form()
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))):
        return _stale_form(request)
    replies = replies_in(form)
    fact = _text(form.get("fact"))
    if fact and fact not in RESERVED:
        replies[fact] = _text(form.get("reply"))[:MAX_REPLY]
    consultation = _consultation(request)
    step = consultation.advance(replies)
    if step.answer is None:
        if step.reading is not None:
            return _question(request, step, status=422)
        return RedirectResponse(f"/?{answers_query(consultation)}", status_code=303)
    record = _record(request, step.answer, consultation)
    query = answers_query(consultation, **{RECORD: record})
    return RedirectResponse(f"/answer?{query}", status_code=303)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _stale_form(request: Request) -> Response:
    return page(
        request,
        "message.html",
        status=403,
        title="This form has expired",
        text="The page was open too long or came from elsewhere. Go back, reload it and "
        "answer again.",
    )


def _record(request: Request, answer: Answer, consultation: Consultation) -> str:
    """Record the advice as `ask` does; the record's id, or empty when not recorded."""
    store = settings_of(request).store
    if store is None:
        return ""
    entry = Entry(answer, consultation.case(), consultation.rule_base, "web")
    try:
        return str(store.record(entry))
    except AuditError:
        return "unrecorded"


def _question(request: Request, step: Step, status: int) -> Response:
    consultation = step.consultation
    assert step.pending is not None and step.prompt is not None
    spec = step.pending.spec
    reading = step.reading
    ambiguous = reading.ambiguous if reading else None
    choices = [(label, label) for label in step.prompt.choices]
    if ambiguous is not None:
        choices = [(day.isoformat(), long_date(day)) for day in ambiguous.readings]
    back = ""
    if consultation.order:
        back = "/?" + answers_query(consultation, **{AGAIN: consultation.order[-1]})
    return page(
        request,
        "question.html",
        status=status,
        title=step.prompt.text,
        prompt=step.prompt,
        spec=spec,
        number=len(consultation.order) + 1,
        why=spec.why,
        why_rules=_why_rules(consultation, step),
        choices=choices,
        ambiguous=ambiguous,
        error=reading.error if reading else None,
        reply=_previous_reply(request, spec.name),
        answered=_answered(consultation),
        hidden=urllib.parse.parse_qsl(answers_query(consultation), keep_blank_values=True),
        back=back,
    )


def _why_rules(consultation: Consultation, step: Step) -> str:
    """What `why` says at a terminal prompt after the fact's own reason: the rule and what
    each answer leads to (for whoever checks the reasoning)."""
    assert step.pending is not None
    lines = consultation.why(step.pending).splitlines()
    return "\n".join(lines[1:] if step.pending.spec.why else lines)


def _previous_reply(request: Request, fact: str) -> str:
    """What was typed before a refusal, so it can be corrected rather than retyped."""
    return str(request.query_params.get(fact, ""))[:MAX_REPLY]


def _answered(consultation: Consultation) -> list[tuple[str, str]]:
    """Each answer so far in words; dates as they were understood."""
    shown = []
    for name in consultation.order:
        if name not in consultation.answers:
            continue
        spec = consultation.facts[name]
        value = consultation.answers[name]
        words = long_date(value) if isinstance(value, datetime.date) else None
        shown.append((spec.question, words or consultation.as_reply(spec, value)))
    return shown


# -- the answer ---------------------------------------------------------------------------------


@router.get("/answer")
def answer_page(request: Request) -> Response:
    """The advice for the answers in the address, with the message's names filled in."""
    params = request.query_params
    consultation = _consultation(request)
    step = consultation.advance(replies_in(params))
    if step.answer is None:
        return RedirectResponse(f"/?{answers_query(consultation)}", status_code=303)
    decision_query = answers_query(consultation)
    names, problems = _message_facts(consultation, replies_in(params))
    answer = consultation.answer()
    return page(
        request,
        "answer.html",
        status=422 if problems else 200,
        title=answer.headline,
        answer=answer,
        draft=draft_text(answer.message) if answer.message else "",
        record=params.get(RECORD, ""),
        names=names,
        problems=problems,
        decision_hidden=urllib.parse.parse_qsl(decision_query, keep_blank_values=True),
        reminder_query=urllib.parse.urlencode(
            [(spec.name, value) for spec, value in names if value]
            + urllib.parse.parse_qsl(decision_query, keep_blank_values=True)
        ),
        back="/?" + answers_query(consultation, **{AGAIN: _last_decision_fact(consultation)}),
        reasoning=_reasoning_svg(consultation, answer),
        # The pictures' words, for screen readers and for whoever prefers text.
        reasoning_words=how(consultation.rule_base, answer),
        timeline=_timeline_svg(consultation, answer),
        timeline_words=[
            (mark.words, long_date(mark.day)) for mark in marks(consultation.rule_base, answer)
        ],
        actions=_other_actions(consultation, answer),
        why_not=_why_not(consultation, answer, params.get(WHY_NOT, "")),
        why_not_action=params.get(WHY_NOT, ""),
    )


@router.get("/answer.ics")
def reminder(request: Request) -> Response:
    """The calendar reminder of the advice, as `followup advise --ics` writes it."""
    consultation = _consultation(request)
    step = consultation.advance(replies_in(request.query_params))
    if step.answer is None:
        return RedirectResponse(f"/?{answers_query(consultation)}", status_code=303)
    _message_facts(consultation, replies_in(request.query_params))
    answer = consultation.answer()
    event = reminder_event(consultation.advisor, consultation.case(), answer)
    if event is None:
        reason = no_reminder_reason(consultation.rule_base, answer)
        return page(request, "message.html", 404, title="No reminder", text=reason)
    return Response(
        event,
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="followup-reminder.ics"'},
    )


def _last_decision_fact(consultation: Consultation) -> str:
    decided = [n for n in consultation.order if not consultation.facts[n].for_message_only]
    return decided[-1] if decided else ""


def _message_facts(
    consultation: Consultation, replies: Mapping[str, str]
) -> tuple[list[tuple[FactSpec, str]], dict[str, str]]:
    """The names and details the drafted message uses, as given, and any refused."""
    values = consultation.known_values()
    specs = [
        spec
        for spec in consultation.rule_base.given_facts()
        if spec.for_message_only
        and (spec.needed_when is None or evaluate(spec.needed_when, values))
    ]
    problems: dict[str, str] = {}
    for spec in specs:
        reply = replies.get(spec.name, "").strip()
        if reply:
            reading = consultation.take(spec, reply)
            if reading.error is not None:
                problems[spec.name] = f"Sorry: {reading.error}."
    return [(spec, replies.get(spec.name, "")) for spec in specs], problems


def _reasoning_svg(consultation: Consultation, answer: Answer) -> Markup:
    # Graphviz escapes every label it writes; the SVG is inlined without its XML prologue.
    from explain.graph import reasoning_graph  # noqa: PLC0415 - Graphviz loads on demand
    from explain.render import render_picture  # noqa: PLC0415

    svg = render_picture(reasoning_graph(consultation.rule_base, answer), "svg").decode()
    return Markup(svg[svg.find("<svg") :])  # noqa: S704 - Graphviz output, escaped by Graphviz


def _timeline_svg(consultation: Consultation, answer: Answer) -> Markup:
    from explain.timeline import timeline_picture  # noqa: PLC0415 - Graphviz loads on demand

    svg = timeline_picture(consultation.rule_base, answer, "svg").decode()
    return Markup(svg[svg.find("<svg") :])  # noqa: S704 - Graphviz output, escaped by Graphviz


def _other_actions(consultation: Consultation, answer: Answer) -> list[tuple[str, str]]:
    goal = consultation.facts[consultation.rule_base.goal]
    return [(value, goal.value_words(value)) for value in goal.values if value != answer.action]


def _why_not(consultation: Consultation, answer: Answer, action: str) -> list[str]:
    if action not in consultation.facts[consultation.rule_base.goal].values:
        return []
    return why_not(consultation.advisor, consultation.case(), action).lines()
