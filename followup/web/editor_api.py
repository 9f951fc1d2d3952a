"""The rule editor's JSON API: read the rules, preview a change, save it, the history, restore.

Behind the same login as the audit records (`Authorization: Bearer TOKEN`). A save names the
version it was made on; when the files were saved since, it is refused with 409 and both sets
of changes in words, never silently written over.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from pydantic import Field as Shape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.editing import AddRule, Edit, RemoveRule, RuleDraft, SetValue
from engine.fields import EditError, Field
from engine.model import CompareOp
from engine.source import parse_document

from ..rule_review import Review, scenario_where
from ..rule_saving import Outcome, Refused, Saved, Stale, restore, save_edits
from ..rule_versions import HistoryError, current_texts
from .api import Refusal, refusal
from .rule_folder import editor_folder, preview, saving_for
from .settings import settings_of

router = APIRouter(prefix="/api/rules")
LOG_IN = "log in first (the token printed when the server started)"
Text = Annotated[str, Shape(max_length=10_000)]
Name = Annotated[str, Shape(max_length=200)]
# Whole numbers as large as a rule file could mean (the check bounds each kind further).
Whole = Annotated[int, Shape(ge=-1_000_000_000, le=1_000_000_000)]
Scalar = Annotated[str, Shape(max_length=10_000)] | Whole | bool | None


class FieldChange(BaseModel):
    """One value given a new one: `rule/two_weeks_when_unsure/priority` and its value."""

    field: Annotated[str, Shape(max_length=300, examples=["rule/reach_out_sooner/priority"])]
    value: Scalar


class ConditionIn(BaseModel):
    """One condition of a new rule: the fact, how it is compared, and with what."""

    fact: Name
    op: CompareOp
    value: Scalar | Annotated[list[Name], Shape(max_length=50)]


class ConclusionIn(BaseModel):
    """What a new rule concludes: a fact and its value, or a day counted from a date fact."""

    fact: Name
    value: Scalar = None
    date: Name | None = None
    plus_days: Whole | None = None


class NewRule(BaseModel):
    id: Name
    priority: Whole
    when: Annotated[list[ConditionIn], Shape(max_length=20)] = []
    then: Annotated[list[ConclusionIn], Shape(max_length=10)] = []
    reason: Text = ""
    source: Text = ""


class Edits(BaseModel):
    """Values changed, rules added, rules removed: applied in that order."""

    changes: Annotated[list[FieldChange], Shape(max_length=200)] = []
    add_rules: Annotated[list[NewRule], Shape(max_length=20)] = []
    remove_rules: Annotated[list[Name], Shape(max_length=100)] = []


class SaveRequest(Edits):
    based_on: Annotated[
        str, Shape(max_length=64, description="The version the change was made on.")
    ]
    author: Annotated[str, Shape(max_length=100)] = ""


class RestoreRequest(BaseModel):
    version_id: Annotated[int, Shape(ge=1, le=2**62)]
    based_on: Annotated[str, Shape(max_length=64)]
    author: Annotated[str, Shape(max_length=100)] = ""


class ProblemJson(BaseModel):
    message: str
    field: str | None = None
    where: str | None = None
    warning: bool = False


class ScenarioJson(BaseModel):
    name: str
    where: str
    differences: list[str]


class CaseJson(BaseModel):
    label: str
    before: str
    after: str
    rule: str | None = None


class ImpactJson(BaseModel):
    compared: int
    changed: int
    in_words: str
    examples: list[CaseJson]


class ReviewJson(BaseModel):
    """What the change would do: `sound` when `rules check` finds no problem."""

    sound: bool
    problems: list[ProblemJson]
    changes: list[str]
    scenarios: list[ScenarioJson]
    scenario_problem: str | None = None
    impact: ImpactJson | None = None


class RuleBaseJson(BaseModel):
    """The rule files as read: their version, and rules, facts, messages as written."""

    version: str
    rules: list[dict[str, Any]]
    facts: dict[str, Any]
    messages: dict[str, Any]
    actions: dict[str, Any]


class SavedJson(BaseModel):
    id: int
    version: str
    changes: list[str]


class StaleJson(BaseModel):
    error: str
    current: str
    theirs: list[str]
    yours: list[str]


class RefusedJson(BaseModel):
    """Why nothing was saved: an edit naming nothing (`where` names it), or the check's
    problems (in `review`)."""

    error: str
    where: str | None = None
    review: ReviewJson | None = None


class VersionJson(BaseModel):
    id: int
    version: str
    based_on: str | None
    author: str
    saved_at: str
    changes: list[str]


NEEDS_LOGIN: dict[int | str, dict[str, Any]] = {
    401: {"description": "Log in first, or send Authorization: Bearer TOKEN.", "model": Refusal},
    404: {"description": "The server has no rule folder to edit.", "model": Refusal},
    413: {"description": "The body is larger than the limit."},
}
SAVE_REFUSALS: dict[int | str, dict[str, Any]] = {
    **NEEDS_LOGIN,
    400: {
        "description": "Not saved: an edit names nothing in the files, or `rules check` finds "
        "problems in the result (they are in `review`).",
        "model": RefusedJson,
    },
    409: {"description": "Saved by someone else since: both changes to merge.", "model": StaleJson},
}


def _refused_entry(request: Request) -> JSONResponse | None:
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return refusal(401, LOG_IN)
    if editor_folder(settings) is None:
        return refusal(404, "this server edits no rule folder (start it with --rules DIR)")
    return None


@router.get("", response_model=RuleBaseJson, responses=NEEDS_LOGIN, summary="The rule files")
def rule_files(request: Request) -> Any:
    """The rules, facts, messages and actions as the files write them, with their version."""
    refused = _refused_entry(request)
    if refused is not None:
        return refused
    folder = editor_folder(settings_of(request))
    assert folder is not None
    try:
        texts = current_texts(folder)
        values = {name: parse_document(text, name).value for name, text in texts.items()}
    except EditError as error:
        return refusal(404, error.one_line())
    except Exception as error:  # noqa: BLE001 - any unreadable file is said in words
        return refusal(404, f"the rule files cannot be read: {error}")
    from engine.loader import RULE_FILES, rule_base_version  # noqa: PLC0415

    advice, facts, messages = (values[RULE_FILES[kind]] for kind in ("advice", "facts", "messages"))
    return RuleBaseJson(
        version=rule_base_version(texts),
        rules=list(advice.get("rules", [])),
        facts={**facts.get("given", {}), **facts.get("derived", {})},
        messages=dict(messages.get("messages", {})),
        actions=dict(messages.get("actions", {})),
    )


@router.post(
    "/preview",
    response_model=ReviewJson,
    responses={**NEEDS_LOGIN, 400: {"description": "An edit names nothing.", "model": Refusal}},
    summary="What a change would do",
)
async def preview_change(request: Request, edits: Edits) -> Any:
    """Every problem `rules check` finds (at its field), the scenarios that now fail, and the
    past answers that would change; nothing is written."""
    refused = _refused_entry(request)
    if refused is not None:
        return refused
    settings = settings_of(request)
    try:
        found = await run_in_threadpool(preview, settings, to_edits(edits))
    except EditError as error:
        return refusal(400, error.one_line(), where=error.field_key)
    return review_json(found)


@router.post("/save", response_model=SavedJson, responses=SAVE_REFUSALS, summary="Save a change")
async def save_change(request: Request, body: SaveRequest) -> Any:
    """Save the change as a new version of the files, made on version `based_on`."""
    refused = _refused_entry(request)
    if refused is not None:
        return refused
    saving = saving_for(settings_of(request), body.author)
    try:
        outcome = await run_in_threadpool(save_edits, saving, to_edits(body), body.based_on)
    except EditError as error:
        refused_edit = RefusedJson(error=error.one_line(), where=error.field_key)
        return JSONResponse(refused_edit.model_dump(), 400)
    except HistoryError as error:
        return refusal(404, error.one_line())
    return outcome_json(outcome)


@router.get(
    "/history", response_model=list[VersionJson], responses=NEEDS_LOGIN, summary="Saved versions"
)
def history(request: Request) -> Any:
    """Every saved version, newest first: who saved it, when, and what changed in words."""
    refused = _refused_entry(request)
    if refused is not None:
        return refused
    saving = saving_for(settings_of(request), "")
    try:
        versions = saving.history.versions()
    except HistoryError as error:
        return refusal(404, error.one_line())
    return [
        VersionJson(
            id=v.id,
            version=v.version,
            based_on=v.based_on,
            author=v.author,
            saved_at=v.saved_at,
            changes=list(v.changes),
        )
        for v in versions
    ]


@router.post(
    "/restore", response_model=SavedJson, responses=SAVE_REFUSALS, summary="Restore a version"
)
async def restore_version(request: Request, body: RestoreRequest) -> Any:
    """Save the files of an earlier version again, as a new version made on `based_on`."""
    refused = _refused_entry(request)
    if refused is not None:
        return refused
    saving = saving_for(settings_of(request), body.author)
    try:
        old = saving.history.get(body.version_id)
        if old is None:
            return refusal(404, f"there is no saved version {body.version_id}")
        outcome = await run_in_threadpool(restore, saving, old.files, body.based_on)
    except HistoryError as error:
        return refusal(404, error.one_line())
    return outcome_json(outcome)


async def unreadable_body(request: Request, error: Exception) -> Response:
    """A body FastAPI cannot parse (400) refused as every refusal is: `{"error": ...}`."""
    if isinstance(error, StarletteHTTPException) and error.status_code == 400:
        return refusal(400, f"the request body cannot be read: {error.detail}")
    assert isinstance(error, StarletteHTTPException)
    return await http_exception_handler(request, error)


async def malformed_body(_request: Request, error: Exception) -> Response:
    """FastAPI's 422 for a body of the wrong shape, without echoing the input: a body may hold
    text that cannot even be written back (half a character)."""
    assert isinstance(error, RequestValidationError)
    found = [
        {"loc": list(item.get("loc", ())), "msg": str(item.get("msg", "")), "type": item["type"]}
        for item in error.errors()
    ]
    return JSONResponse({"detail": found}, 422)


# -- between JSON and the library ------------------------------------------------------------------


def to_edits(edits: Edits) -> list[Edit]:
    """The body's edits as the library's, in order: values, added rules, removed rules."""
    found: list[Edit] = [SetValue(Field.parse(c.field), c.value) for c in edits.changes]
    found += [AddRule(_draft(rule).written()) for rule in edits.add_rules]
    found += [RemoveRule(rule_id) for rule_id in edits.remove_rules]
    return found


def _draft(rule: NewRule) -> RuleDraft:
    return RuleDraft(
        rule.id,
        rule.priority,
        [(c.fact, c.op, c.value) for c in rule.when],
        [(c.fact, _concluded(c)) for c in rule.then],
        rule.reason,
        rule.source,
    )


def _concluded(conclusion: ConclusionIn) -> Any:
    if conclusion.date is not None:
        return {"date": conclusion.date, "plus_days": conclusion.plus_days or 0}
    return conclusion.value


def review_json(review: Review) -> ReviewJson:
    impact = review.impact
    return ReviewJson(
        sound=review.sound,
        problems=[
            ProblemJson(
                message=finding.in_words,
                field=finding.field.key if finding.field else None,
                where=str(finding.location) if finding.location else None,
                warning=finding.warning,
            )
            for finding in review.findings
        ],
        changes=review.changes,
        scenarios=[
            ScenarioJson(
                name=result.scenario.name,
                where=scenario_where(result),
                differences=list(result.differences),
            )
            for result in review.failing
        ],
        scenario_problem=review.scenario_problem,
        impact=None
        if impact is None
        else ImpactJson(
            compared=impact.compared,
            changed=impact.changed,
            in_words=impact.in_words,
            examples=[
                CaseJson(label=c.label, before=c.before, after=c.after, rule=c.responsible)
                for c in impact.examples
            ],
        ),
    )


def outcome_json(outcome: Outcome) -> Any:
    if isinstance(outcome, Saved):
        return SavedJson(id=outcome.id, version=outcome.version, changes=list(outcome.changes))
    if isinstance(outcome, Stale):
        body = StaleJson(
            error="the rules were saved by someone else since you opened them: merge and "
            "save again",
            current=outcome.current,
            theirs=list(outcome.theirs),
            yours=list(outcome.yours),
        )
        return JSONResponse(body.model_dump(), 409)
    assert isinstance(outcome, Refused)
    body_refused = RefusedJson(
        error="not saved: the check finds problems in the change",
        review=review_json(outcome.review),
    )
    return JSONResponse(body_refused.model_dump(), 400)
