"""The rule editor in pages, behind the login: change values, check the change, save, restore.

One form holds every card. "Check the change" shows, on the same page, each problem `rules
check` finds at the field it concerns, the scenarios that now expect otherwise and the past
answers that would change; "Save" writes the files as a new version. Forms post and redirect
or answer with the page itself, so the editor works without scripts too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from engine import AdvisorError
from engine.fields import EditError, Field
from engine.loader import rule_base_version

from ..rule_review import Finding, Review, problem_count, scenario_where
from ..rule_saving import Outcome, Refused, Saved, Stale, restore, save_edits
from ..rule_versions import HistoryError, current_texts
from .editor_forms import REMOVE, WAS, Cards, FormField, cards, read_form, with_typed
from .pages import page
from .rule_folder import editor_folder, preview, saving_for
from .security import CSRF_FIELD, csrf_ok
from .settings import settings_of

router = APIRouter(include_in_schema=False)
EDITOR = "/rules/edit"
HISTORY = "/rules/history"
_QUOTED_KEY = re.compile(r"`([a-z_]+)`")


def _closed(request: Request) -> Response | None:
    """The login page for a visitor not logged in; a word when there is nothing to edit."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return RedirectResponse(f"/login?next={EDITOR}", status_code=303)
    if editor_folder(settings) is None:
        return page(
            request,
            "message.html",
            404,
            title="No rules to edit",
            text="This server was started without a rule folder to edit.",
        )
    return None


@dataclass
class Shown:
    """Everything the editor page shows besides the cards."""

    based_on: str
    author: str = ""
    review: Review | None = None
    general: list[Finding] = field(default_factory=list)
    stale: Stale | None = None
    notice: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


@router.get(EDITOR)
def editor(request: Request, saved: str = "") -> Response:
    closed = _closed(request)
    if closed is not None:
        return closed
    try:
        found, version = _current_cards(request, {})
    except AdvisorError as error:
        return _unreadable(request, error)
    notice = ""
    if saved:
        notice = f"Saved as version {saved[:12]}. The advice uses it from now on."
    return _editor_page(request, found, Shown(version, notice=notice))


def _unreadable(request: Request, error: AdvisorError) -> Response:
    """The files on disk were broken by hand: say where, and offer the saved versions."""
    return page(
        request,
        "message.html",
        503,
        title="The rule files cannot be read",
        text=f"{error.one_line()}. Fix it in a text editor (followup rules check shows every "
        "problem), or restore a saved version.",
        link=HISTORY,
        link_text="Versions and undo",
    )


def _current_cards(request: Request, typed: Mapping[str, str]) -> tuple[Cards, str]:
    settings = settings_of(request)
    folder = editor_folder(settings)
    assert folder is not None
    texts = current_texts(folder)
    found = cards(texts, settings.advisor.rule_base)
    return with_typed(found, typed), rule_base_version(texts)


@router.post(EDITOR)
async def editor_post(request: Request) -> Response:
    """Check the change (the same page, with what it would do), or save it."""
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    based_on, author = _text(form.get("based_on")), _text(form.get("author"))[:100]
    removed = [value for value in form.getlist(REMOVE) if isinstance(value, str)]
    try:
        shown, version = _current_cards(request, {})
        posted = read_form(form, shown, removed)
        found, _ = _current_cards(request, posted.changed)
    except AdvisorError as error:
        return _unreadable(request, error)
    state = Shown(based_on or version, author)
    if posted.refused:
        state.errors = {key: [message] for key, message in posted.refused.items()}
        return _editor_page(request, found, state, 422)
    if not posted.edits:
        state.notice = "Nothing was changed: change a value first."
        return _editor_page(request, found, state)
    settings = settings_of(request)
    if form.get("action") == "save":
        saving = saving_for(settings, author)
        try:
            outcome = await run_in_threadpool(save_edits, saving, posted.edits, state.based_on)
        except (EditError, HistoryError) as error:
            state.notice = f"Not saved: {error.one_line()}"
            return _editor_page(request, found, state, 400)
        return _after_save(request, outcome, found, state)
    try:
        state.review = await run_in_threadpool(preview, settings, posted.edits)
    except EditError as error:
        state.notice = f"This change cannot be made: {error.one_line()}"
        return _editor_page(request, found, state, 400)
    return _editor_page(request, found, state, 200 if state.review.sound else 422)


def _after_save(request: Request, outcome: Outcome, found: Cards, state: Shown) -> Response:
    if isinstance(outcome, Saved):
        return RedirectResponse(f"{EDITOR}?saved={outcome.version}", status_code=303)
    if isinstance(outcome, Stale):
        # The form now builds on the newest files; the coach's own changes stay typed in.
        state.stale, state.based_on = outcome, outcome.current
        return _editor_page(request, found, state, 409)
    assert isinstance(outcome, Refused)
    state.review = outcome.review
    return _editor_page(request, found, state, 422)


def _editor_page(request: Request, found: Cards, state: Shown, status: int = 200) -> Response:
    if state.review is not None:
        state.general = _place_findings(found, state.review.findings, state.errors)
    problems = problem_count(state.review.findings) if state.review else 0
    return page(
        request,
        "editor.html",
        status,
        title="Edit the rules",
        cards=found,
        shown=state,
        errors=state.errors,
        problems=problems,
        was=WAS,
        remove=REMOVE,
        failing=[(r, scenario_where(r)) for r in state.review.failing] if state.review else [],
    )


def _place_findings(
    found: Cards, findings: list[Finding], errors: dict[str, list[str]]
) -> list[Finding]:
    """Each finding at the field it concerns (or the nearest one shown, or its card); the
    findings no card shows are returned, for the top of the page."""
    shown = {item.key: item for item in found.fields()}
    card_keys = {card.target.key: card for card in found.all()}
    unplaced = []
    for finding in findings:
        placed = False
        target = finding.field
        while target is not None and not placed:
            if target.key in shown:
                words = _in_field_words(finding, shown[target.key])
                errors.setdefault(target.key, []).append(words)
                placed = True
            elif target.key in card_keys:
                card_keys[target.key].problems.append(finding.in_words)
                placed = True
            target = _parent(target)
        if not placed:
            unplaced.append(finding)
    return unplaced


def _parent(target: Field) -> Field | None:
    return Field(target.kind, target.name, target.keys[:-1]) if target.keys else None


def _in_field_words(finding: Finding, item: FormField) -> str:
    """The problem as read beside its field: the field's key in the files named by its label."""
    key = str(item.field.keys[-1]) if item.field.keys else ""
    label = item.label.split(": ")[-1]
    words = finding.in_words
    if key and f"`{key}`" in words:
        words = words.replace(f"`{key}`", f"“{label}”", 1)
    return _QUOTED_KEY.sub(lambda match: f"“{match.group(1)}”", words)


# -- the history -----------------------------------------------------------------------------------


@router.get(HISTORY)
def history_page(request: Request, restored: str = "") -> Response:
    closed = _closed(request)
    if closed is not None:
        return closed
    settings = settings_of(request)
    folder = editor_folder(settings)
    assert folder is not None
    try:
        versions = saving_for(settings, "").history.versions()
    except HistoryError as error:
        return page(request, "message.html", 503, title="No history", text=error.one_line())
    current = rule_base_version(current_texts(folder))
    notice = f"Restored: the rules are now version {restored[:12]}." if restored else ""
    return page(
        request,
        "editor_history.html",
        title="Versions of the rules",
        versions=versions,
        current=current,
        notice=notice,
    )


@router.post(HISTORY)
async def restore_post(request: Request) -> Response:
    """Restore a version: its files saved again as the newest version."""
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    saving = saving_for(settings_of(request), _text(form.get("author")))
    number = _text(form.get("version_id"))
    try:
        old = saving.history.get(int(number)) if number.isdigit() else None
        if old is None:
            text = "There is no such version."
            return page(request, "message.html", 404, title="No such version", text=text)
        outcome = await run_in_threadpool(restore, saving, old.files, _text(form.get("based_on")))
    except HistoryError as error:
        return page(request, "message.html", 503, title="Not restored", text=error.one_line())
    if isinstance(outcome, Saved):
        return RedirectResponse(f"{HISTORY}?restored={outcome.version}", status_code=303)
    return page(request, "message.html", 409, title="Not restored", text=_why_not(outcome))


def _why_not(outcome: Outcome) -> str:
    if isinstance(outcome, Stale):
        return (
            "The rules were saved by someone else since this page was opened: reload the "
            "history and choose again."
        )
    assert isinstance(outcome, Refused)
    found = "; ".join(finding.in_words for finding in outcome.review.findings[:3])
    return f"That version no longer passes the check: {found}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


async def _posted_form(request: Request) -> FormData | Response:
    """A posted form from a logged-in coach with its CSRF token, else the page to show."""
    closed = _closed(request)
    if closed is not None:
        return closed
    form = await request.form()
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))):
        return _expired(request)
    return form


def _expired(request: Request) -> Response:
    return page(
        request,
        "message.html",
        403,
        title="This form has expired",
        text="The page was open too long or came from elsewhere. Go back, reload it and try again.",
    )
