"""The JSON API: exactly what `followup advise --format json` prints, and the audit records.

Bodies are read raw (not through FastAPI's models) so that a refusal is the CLI's own:
422 with `{"error", "fact", "where"}`, the same words `advise --format json` writes on stderr.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from engine import AdvisorError, Answer, Case, EngineError, read_case

from ..audit import AuditError, Entry
from ..batch import run_batch
from ..inputs import read_facts_text
from .security import MAX_BODY_BYTES
from .settings import Settings, settings_of

BODY_LABEL = "the request body"
RECORD_HEADER = "X-Followup-Record"
# A \u escape not itself escaped: an even number of backslashes (maybe none) before it.
_UNESCAPED = r"(?<!\\)((?:\\\\)*)"
SURROGATE_PAIR = re.compile(_UNESCAPED + r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.I)
LONE_SURROGATE = re.compile(_UNESCAPED + r"\\ud[89a-f][0-9a-f]{2}", re.I)


class Refusal(BaseModel):
    """Why the input was refused, naming the fact (as `advise --format json` does)."""

    error: str
    fact: str | None = None
    where: str | None = None


class AnswerJson(BaseModel):
    """The machine-readable answer of ADVICE.md (more keys may come)."""

    model_config = {"extra": "allow"}
    action: str
    follow_up_on: str | None
    today: str
    headline: str
    reasons: list[str]
    fired_rules: list[str]
    rule_base: dict[str, str]
    message: dict[str, str] | None
    guidance: list[str]
    trace: list[dict[str, Any]]


FACTS_BODY = {
    "requestBody": {
        "required": True,
        "description": "The facts, as in a facts file: interview_date and the others.",
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": True},
                "example": {"interview_date": "2026-11-20", "timeline_given": False},
            }
        },
    }
}
LINES_BODY = {
    "requestBody": {
        "required": True,
        "description": "One JSON object of facts per line (a line may carry its own today).",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
}
REFUSALS: dict[int | str, dict[str, Any]] = {
    413: {"description": "The body is larger than the limit."},
    415: {"description": "The body is not JSON.", "model": Refusal},
    422: {
        "description": "The facts were refused; `fact` names the one at fault.",
        "model": Refusal,
    },
}
LOGIN_NEEDED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Log in first, or send Authorization: Bearer TOKEN.", "model": Refusal},
    404: {"description": "No such record.", "model": Refusal},
    409: {"description": "The audit trail cannot be read.", "model": Refusal},
}

router = APIRouter(prefix="/api")


def refusal(
    status: int, message: str, fact: str | None = None, where: str | None = None
) -> JSONResponse:
    return JSONResponse(Refusal(error=message, fact=fact, where=where).model_dump(), status)


async def _text_body(request: Request) -> str | JSONResponse:
    """The body as JSON text, or the refusal: not JSON, not UTF-8, or text no answer can
    carry (JSON escapes of lone surrogates)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return refusal(415, "send the facts as JSON (Content-Type: application/json)")
    body = await request.body()
    try:
        text = body.decode("utf-8")
        json.dumps(json.loads(text), ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        return refusal(422, f"{BODY_LABEL} holds text that is not valid UTF-8")
    except json.JSONDecodeError as error:
        where = f"{BODY_LABEL}:{error.lineno}:{error.colno}"
        return refusal(422, f"{where}: not valid JSON: {error.msg}", where=where)
    # The YAML reader keeps the two halves of an escaped pair (Python's json.dumps writes an
    # emoji as one) as two broken characters: join them first.
    text = SURROGATE_PAIR.sub(_joined, text)
    if LONE_SURROGATE.search(text):
        return refusal(422, f"{BODY_LABEL} holds a \\u escape that is half a character")
    return text


def _joined(match: re.Match[str]) -> str:
    high, low = int(match[2], 16), int(match[3], 16)
    return match[1] + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


@router.post(
    "/advice",
    response_model=AnswerJson,
    responses=REFUSALS,
    openapi_extra=FACTS_BODY,
    summary="Advise on one case",
)
async def advice(request: Request) -> Any:
    """The answer `followup advise --format json` prints for these facts (recorded only under
    `serve --record-api`, its record's id then in the X-Followup-Record header)."""
    text = await _text_body(request)
    if isinstance(text, JSONResponse):
        return text
    settings = settings_of(request)
    try:
        raw, origin = read_facts_text(text, BODY_LABEL)
        case = read_case(raw, settings.advisor.rule_base, today=settings.day(), origin=origin)
        answer = settings.advisor.advise(case)
    except EngineError as error:
        return refusal(500, error.one_line())
    except AdvisorError as error:
        where = str(error.location) if error.location else None
        return refusal(422, error.one_line(), error.fact, where)
    if not settings.record_api:
        return JSONResponse(answer.to_json())
    # `serve --record-api`: recorded before it is sent (in a worker thread: a store keeps one
    # connection per thread), its id in a header; an answer not recorded is not sent.
    try:
        record = await run_in_threadpool(_record, settings, answer, case)
    except AuditError as error:
        return refusal(503, f"the answer was not recorded: {error.one_line()}")
    return JSONResponse(answer.to_json(), headers={RECORD_HEADER: str(record)})


def _record(settings: Settings, answer: Answer, case: Case) -> int:
    store = settings.store
    if store is None:
        raise AuditError("the server runs with --no-audit")
    return store.record(Entry(answer, case, settings.advisor.rule_base, "api"))


@router.post(
    "/batch",
    responses={
        200: {
            "description": "One JSON answer per line, in order; a bad line gives "
            '{"error": ..., "line": N}.',
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
        413: REFUSALS[413],
    },
    openapi_extra=LINES_BODY,
    summary="Advise on many cases",
)
async def batch(request: Request) -> Response:
    """What `followup advise --batch` prints for these JSON lines (nothing recorded)."""
    body = await request.body()
    settings = settings_of(request)
    output = io.StringIO()
    # Bytes, as from a file: a line that is not UTF-8 gets its own error, the others go on.
    run_batch(io.BytesIO(body), settings.advisor, settings.day(), output)
    return Response(output.getvalue(), media_type="application/x-ndjson")


@router.get("/audit/records", responses=LOGIN_NEEDED, summary="List recorded advice")
def audit_records(
    request: Request,
    since: Annotated[
        datetime.date | None, Query(description="Only records made on or after.")
    ] = None,
    action: Annotated[str | None, Query(max_length=50, description="Only this advice.")] = None,
) -> Any:
    """Recorded advice, oldest first, as `followup audit list --format json` prints it."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return refusal(401, "log in first (the token printed when the server started)")
    if settings.store is None or not settings.store.exists():
        return []
    try:
        return [record.to_json() for record in settings.store.records(since, action)]
    except AuditError as error:
        return refusal(409, error.one_line())


@router.get("/audit/records/{record_id}", responses=LOGIN_NEEDED, summary="One record")
def audit_record(request: Request, record_id: int) -> Any:
    """One record, as `followup audit export` writes it."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return refusal(401, "log in first (the token printed when the server started)")
    if settings.store is None or not settings.store.exists():
        return refusal(404, f"no audit record {record_id}")
    try:
        return settings.store.get(record_id).to_json()
    except AuditError as error:
        status = 404 if error.message.startswith("no audit record") else 409
        return refusal(status, error.one_line())


__all__ = ["MAX_BODY_BYTES", "router"]
