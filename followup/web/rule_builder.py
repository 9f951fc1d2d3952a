"""Adding a rule in the browser: conditions and conclusions built from the facts' own domains.

A coach never types YAML here: a condition is a fact chosen from the list, a comparison its
type offers and a value from its domain (its answers, yes/no, a number, a date or another
date fact); a conclusion is a fact the rules conclude and one of its values, or a day counted
from a date. The rule being built travels in the address (`when=fact|op|value`), so every
step is a plain form and works without scripts.
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from engine import RuleBase
from engine.editing import AddRule, RuleDraft
from engine.fields import EditError
from engine.loader import rule_base_version
from engine.model import FactSpec
from explain.words import OPERATOR_WORDS

from ..rule_review import Finding, problem_count, scenario_where
from ..rule_saving import Refused, Saved, Stale, save_edits
from ..rule_versions import HistoryError, current_texts
from .editor_pages import EDITOR, Shown
from .pages import page
from .rule_folder import editor_folder, preview, saving_for
from .security import CSRF_FIELD, csrf_ok
from .settings import settings_of

router = APIRouter(include_in_schema=False)
BUILDER = "/rules/new"
SEPARATOR = "|"
# The comparisons each type of fact offers, in the order they are listed.
OPERATORS: dict[str, tuple[str, ...]] = {
    "yes_no": ("equals", "known"),
    "choice": ("equals", "known"),
    "whole_number": ("equals", "at_least", "at_most", "known"),
    "date": ("on_or_before", "before", "on_or_after", "after", "known"),
}
OPERATOR_LABELS = {**OPERATOR_WORDS, "known": "is known (yes) or not known (no)"}
ABOUT = ("id", "priority", "reason", "source")
MAX_PARTS = 20
MAX_TEXT = 2000


@dataclass
class Draft:
    """The rule being built: its conditions and conclusions as the address carries them."""

    when: list[tuple[str, str, str]] = field(default_factory=list)
    then: list[tuple[str, str]] = field(default_factory=list)
    about: dict[str, str] = field(default_factory=dict)

    def hidden(self) -> list[tuple[str, str]]:
        """The draft as hidden fields, for every form on the page to carry it on."""
        pairs = [("when", SEPARATOR.join(item)) for item in self.when]
        pairs += [("then", SEPARATOR.join(item)) for item in self.then]
        return pairs

    def query(self) -> str:
        return urllib.parse.urlencode(self.hidden())


def _draft(fields: Mapping[str, Any], lists: Mapping[str, list[str]]) -> Draft:
    draft = Draft()
    for text in lists.get("when", [])[:MAX_PARTS]:
        parts = text.split(SEPARATOR)
        if len(parts) == 3:
            draft.when.append((parts[0], parts[1], parts[2]))
    for text in lists.get("then", [])[:MAX_PARTS]:
        fact, _, value = text.partition(SEPARATOR)
        if fact:
            draft.then.append((fact, value))
    draft.about = {name: str(fields.get(name, ""))[:MAX_TEXT] for name in ABOUT if fields.get(name)}
    return draft


@router.get(BUILDER)
def builder(request: Request) -> Response:
    """The rule so far, and the next step: choose a fact, then its comparison and value."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return RedirectResponse(f"/login?next={EDITOR}", status_code=303)
    if editor_folder(settings) is None:
        return RedirectResponse(EDITOR, status_code=303)
    params = request.query_params
    draft = _draft(params, {key: params.getlist(key) for key in ("when", "then")})
    rule_base = settings.advisor.rule_base
    problem = ""
    if params.get("add") == "when":
        problem = _add_condition(draft, rule_base, params)
    elif params.get("add") == "then":
        problem = _add_conclusion(draft, rule_base, params)
    if params.get("add") and not problem:
        return RedirectResponse(f"{BUILDER}?{draft.query()}", status_code=303)
    status = 422 if problem else 200
    return _builder_page(request, draft, rule_base, params, problem, status=status)


def _add_condition(draft: Draft, rule_base: RuleBase, params: Mapping[str, str]) -> str:
    spec = rule_base.facts.get(params.get("fact", ""))
    op = params.get("op", "")
    if spec is None or op not in _operators(spec):
        return "Choose a fact and how it is compared."
    value = params.get("value", "").strip()
    if _condition_value(spec, op, value, rule_base) is None:
        return _value_hint(spec, op)
    draft.when.append((spec.name, op, value))
    return ""


def _add_conclusion(draft: Draft, rule_base: RuleBase, params: Mapping[str, str]) -> str:
    spec = rule_base.facts.get(params.get("fact", ""))
    if spec is None or not spec.derived:
        return "Choose what the rule concludes."
    if spec.type == "date":
        base, days = params.get("base", ""), params.get("days", "0").strip() or "0"
        if base == "":
            draft.then.append((spec.name, ""))  # no day: the advice has none
            return ""
        if not days.isdigit() or rule_base.facts.get(base, spec).type != "date":
            return "Choose a date to count from, and a whole number of days (0 or more)."
        draft.then.append((spec.name, f"{base}+{int(days)}"))
        return ""
    value = params.get("value", "")
    if spec.values and value not in spec.values or spec.type == "message" and not value:
        return "Choose one of the values offered."
    draft.then.append((spec.name, value))
    return ""


def _operators(spec: FactSpec) -> tuple[str, ...]:
    return OPERATORS.get(spec.type, ("known",))


def _condition_value(spec: FactSpec, op: str, value: str, rule_base: RuleBase) -> Any:
    """The value as the files write it, or None when it is not one the fact can take."""
    if op == "known" or spec.type == "yes_no":
        return {"yes": True, "no": False}.get(value)
    if spec.type == "whole_number":
        return int(value) if value.lstrip("-").isdigit() and len(value) < 10 else None
    if spec.type == "date":
        other = rule_base.facts.get(value)
        if other is not None and other.type == "date":
            return value
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return None
        return value
    if spec.type == "choice":
        return value if value in spec.values else None
    return None


def _value_hint(spec: FactSpec, op: str) -> str:
    if op == "known" or spec.type == "yes_no":
        return "Choose yes or no."
    if spec.type == "whole_number":
        return "Write a whole number, such as 2."
    if spec.type == "date":
        return "Choose a date fact, or write a day as YYYY-MM-DD."
    return "Choose one of the values offered."


def _conclusion_value(spec: FactSpec, value: str) -> Any:
    if spec.type == "date":
        if not value:
            return None
        base, _, days = value.rpartition("+")
        if days.isdigit():
            return {"date": base, "plus_days": int(days)} if int(days) else base
        return value
    return value


def _written(draft: Draft, rule_base: RuleBase) -> RuleDraft:
    about = draft.about
    priority = about.get("priority", "").strip()
    when = []
    for fact, op, value in draft.when:
        spec = rule_base.facts.get(fact)
        taken = _condition_value(spec, op, value, rule_base) if spec else value
        when.append((fact, op, taken))
    then = []
    for fact, value in draft.then:
        spec = rule_base.facts.get(fact)
        then.append((fact, _conclusion_value(spec, value) if spec else value))
    return RuleDraft(
        " ".join(about.get("id", "").split()).replace(" ", "_"),
        int(priority) if priority.lstrip("-").isdigit() and len(priority) < 10 else 0,
        when,
        then,
        " ".join(about.get("reason", "").split()),
        " ".join(about.get("source", "").split()),
    )


@router.post(BUILDER)
async def builder_post(request: Request) -> Response:
    """Check the new rule with the others, or add it (a new version of the files)."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return RedirectResponse(f"/login?next={EDITOR}", status_code=303)
    folder = editor_folder(settings)
    if folder is None:
        return RedirectResponse(EDITOR, status_code=303)
    form = await request.form()
    lists = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in ("when", "then")}
    draft = _draft(form, lists)
    rule_base = settings.advisor.rule_base
    if not csrf_ok(request, str(form.get(CSRF_FIELD, ""))):
        return page(request, "message.html", 403, title="This form has expired", text=_EXPIRED)
    about_problems = _about_problems(draft)
    if about_problems:
        return _builder_page(request, draft, rule_base, {}, "", about_problems, status=422)
    edit = AddRule(_written(draft, rule_base).written())
    based_on = str(form.get("based_on", ""))
    state = Shown(based_on)
    try:
        if form.get("action") == "save":
            saving = saving_for(settings, str(form.get("author", "")))
            outcome = await run_in_threadpool(save_edits, saving, [edit], based_on)
            if isinstance(outcome, Saved):
                return RedirectResponse(f"{EDITOR}?saved={outcome.version}", status_code=303)
            if isinstance(outcome, Stale):
                state.stale = outcome
                state.based_on = outcome.current
                return _builder_page(request, draft, rule_base, {}, "", {}, state, 409)
            assert isinstance(outcome, Refused)
            state.review = outcome.review
        else:
            state.review = await run_in_threadpool(preview, settings, [edit])
    except (EditError, HistoryError) as error:
        about_problems = {"id": error.one_line()}
        return _builder_page(request, draft, rule_base, {}, "", about_problems, state, 400)
    status = 200 if state.review is not None and state.review.sound else 422
    return _builder_page(request, draft, rule_base, {}, "", {}, state, status)


_EXPIRED = "The page was open too long or came from elsewhere. Go back, reload it and try again."


def _about_problems(draft: Draft) -> dict[str, str]:
    problems = {}
    if not draft.about.get("id", "").strip():
        problems["id"] = "Give the rule a name, such as three_weeks_for_a_slow_company."
    if not draft.about.get("priority", "").strip().lstrip("-").isdigit():
        problems["priority"] = "Write a whole number, such as 70."
    if not draft.then:
        problems["then"] = "Add what the rule concludes."
    return problems


def _builder_page(
    request: Request,
    draft: Draft,
    rule_base: RuleBase,
    params: Mapping[str, str],
    problem: str,
    about_problems: Mapping[str, str] | None = None,
    state: Shown | None = None,
    status: int = 200,
) -> Response:
    settings = settings_of(request)
    folder = editor_folder(settings)
    assert folder is not None
    state = state or Shown(rule_base_version(current_texts(folder)))
    placed = dict(about_problems or {})
    general: list[Finding] = []
    if state.review is not None:
        general = _place(state.review.findings, draft, placed)
    state.general = general
    picked = rule_base.facts.get(params.get("fact", ""))
    step = params.get("step") or params.get("add", "")  # a refused step is offered again
    return page(
        request,
        "editor_new.html",
        status,
        title="Add a rule",
        draft=draft,
        conditions=list(_condition_words(draft, rule_base)),
        conclusions=list(_conclusion_words(draft, rule_base)),
        facts=_askable(rule_base),
        concluded=[
            spec for spec in rule_base.facts.values() if spec.derived and spec.name != "today"
        ],
        date_facts=[spec for spec in rule_base.facts.values() if spec.type == "date"],
        messages=sorted(rule_base.messages),
        picked=picked if step == "when" else None,
        picked_then=picked if step == "then" and picked is not None and picked.derived else None,
        operators=[(op, OPERATOR_LABELS[op]) for op in _operators(picked)] if picked else [],
        problem=problem,
        about_problems=placed,
        shown=state,
        problems=problem_count(state.review.findings) if state.review else 0,
        failing=[(r, scenario_where(r)) for r in state.review.failing] if state.review else [],
    )


def _place(findings: list[Finding], draft: Draft, placed: dict[str, str]) -> list[Finding]:
    """The new rule's problems beside its parts: its name, priority, a condition, a conclusion."""
    rule_id = _written_id(draft)
    general = []
    for finding in findings:
        target = finding.field
        if target is None or target.kind != "rule" or target.name != rule_id:
            general.append(finding)
            continue
        keys = target.keys
        part = str(keys[0]) if keys else "id"
        if part == "when" and len(keys) > 1:
            part = f"when-{keys[1]}"
        if part == "then" and len(keys) > 1:
            part = f"then-{keys[1]}"
        placed[part] = "; ".join(filter(None, [placed.get(part), finding.in_words]))
    return general


def _written_id(draft: Draft) -> str:
    return " ".join(draft.about.get("id", "").split()).replace(" ", "_")


def _concluded(rule_base: RuleBase) -> list[FactSpec]:
    """The facts a rule may conclude: the derived ones, but the day itself."""
    return [
        s for s in rule_base.facts.values() if s.derived and s.name != "today" and not s.computed
    ]


def _askable(rule_base: RuleBase) -> list[FactSpec]:
    """The facts a condition may test: every fact but the texts of the message."""
    return [
        spec
        for spec in rule_base.facts.values()
        if spec.type in OPERATORS or not spec.derived and not spec.for_message_only
    ]


def _condition_words(draft: Draft, rule_base: RuleBase) -> Iterator[str]:
    for fact, op, value in draft.when:
        spec = rule_base.facts.get(fact)
        name = spec.words if spec else fact
        if op == "known":
            yield f"{name} is {'known' if value == 'yes' else 'not known'}"
        else:
            shown = spec.value_words(value) if spec else value
            yield f"{name} {OPERATOR_WORDS.get(op, op)} {shown}"


def _conclusion_words(draft: Draft, rule_base: RuleBase) -> Iterator[str]:
    for fact, value in draft.then:
        spec = rule_base.facts.get(fact)
        if spec is not None and spec.type == "date":
            base, _, days = value.rpartition("+")
            if not value:
                yield f"{fact}: no day"
            elif days.isdigit():
                yield f"{fact}: {days} days after {base}"
            else:
                yield f"{fact}: {value}"
        else:
            yield f"{fact} = {spec.value_words(value) if spec else value}"
