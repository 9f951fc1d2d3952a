"""The audit trail in pages, behind the login: list, record, replay, verify, redact.

Everything goes through the audit store's public methods and the same replay and redaction
helpers as `followup audit`.
"""

from __future__ import annotations

import datetime
import itertools
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ..audit import AuditError, AuditRecord, AuditStore
from ..replay import Replay, fields_to_redact, replay, stored_answer, stored_rule_base
from .pages import page
from .security import CSRF_FIELD, SESSION_COOKIE, csrf_ok
from .settings import Settings, settings_of

router = APIRouter(include_in_schema=False)
LOGIN = "/login"
# Records on one page of the list; the next page starts below the last id shown.
AUDIT_PAGE = 50
# A record id in an address: larger ones are no record (ids are 64-bit in either store).
MAX_ID_DIGITS = 18


def _to_login() -> Response:
    return RedirectResponse(LOGIN, status_code=303)


# -- logging in -------------------------------------------------------------------------------


# The pages a login may lead back to (any other `next` is ignored: never another site).
AFTER_LOGIN = frozenset({"/audit", "/rules/edit", "/rules/new", "/rules/history"})


def _after_login(offered: str) -> str:
    return offered if offered in AFTER_LOGIN else "/audit"


@router.get("/login")
def login_page(request: Request, token: str = "", next: str = "") -> Response:
    """The login form; the address printed at start (with ?token=) logs in at once."""
    gate = settings_of(request).gate
    if token and not gate.from_password_file and gate.matches(token[:200]):
        return _logged_in(request, _after_login(next))
    return page(
        request,
        "login.html",
        status=401 if token else 200,
        title="Log in to the audit trail",
        password=gate.from_password_file,
        refused=bool(token),
        after=_after_login(next),
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    offered = form.get("secret")
    gate = settings_of(request).gate
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))):
        return page(request, "login.html", 403, title="Log in", password=gate.from_password_file)
    after = _after_login(_text(form.get("next")))
    if isinstance(offered, str) and gate.matches(offered[:200]):
        return _logged_in(request, after)
    return page(
        request,
        "login.html",
        status=401,
        title="Log in to the audit trail",
        password=gate.from_password_file,
        refused=True,
        after=after,
    )


def _logged_in(request: Request, after: str = "/audit") -> Response:
    response = RedirectResponse(after, status_code=303)
    session = settings_of(request).gate.open_session()
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request, _text(form.get(CSRF_FIELD))):
        settings_of(request).gate.close_session(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# -- the list ---------------------------------------------------------------------------------


@router.get("/audit")
def audit_list(
    request: Request, since: str = "", action: str = "", version: str = "", before: str = ""
) -> Response:
    """Recorded advice, newest first, filtered by day, advice and rule version, a page at a
    time (`before`: the id the page starts below)."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return _to_login()
    problem = None
    day = None
    if since:
        try:
            day = datetime.date.fromisoformat(since)
        except ValueError:
            problem = f"The day {since!r} is not a date written YYYY-MM-DD."
    below = int(before) if before.isdigit() and len(before) <= MAX_ID_DIGITS else None
    records: list[AuditRecord] = []
    store = settings.store
    if problem is None and store is not None and store.exists():
        try:
            matching = (
                record
                for record in store.records(day, action or None, before=below, newest_first=True)
                if (record.rule_base_version or "").startswith(version.strip())
            )
            # One more than a page tells whether there is a next one.
            records = list(itertools.islice(matching, AUDIT_PAGE + 1))
        except AuditError as error:
            problem = error.one_line()
    more = len(records) > AUDIT_PAGE
    records = records[:AUDIT_PAGE]
    goal = settings.advisor.rule_base.facts[settings.advisor.rule_base.goal]
    filters = {"since": since, "action": action, "version": version}
    return page(
        request,
        "audit_list.html",
        status=422 if problem and since else 200,
        title="Audit trail",
        records=records,
        problem=problem,
        **filters,
        actions=[(value, goal.value_words(value)) for value in goal.values],
        recording=store is not None,
        older=_query({**filters, "before": str(records[-1].id)}) if more else None,
        newer=_query(filters) if below is not None else None,
    )


def _query(fields: dict[str, str]) -> str:
    """A list address with its filters (the empty ones left out)."""
    return "/audit?" + urllib.parse.urlencode({k: v for k, v in fields.items() if v})


# -- one record -------------------------------------------------------------------------------


@router.get("/audit/{record_id}")
def audit_record(request: Request, record_id: int) -> Response:
    """One record: facts, answer, reasons, the stored reasoning graph, replay and verify."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return _to_login()
    store = settings.store
    try:
        if store is None:
            raise AuditError("nothing is recorded: the server runs with --no-audit")
        record = store.get(record_id)
    except AuditError as error:
        return page(request, "message.html", 404, title="No such record", text=error.one_line())
    replayed, replay_problem = _replay(store, record, settings)
    return page(
        request,
        "audit_record.html",
        title=f"Record {record.id}",
        record=record,
        graph=_stored_graph(store, record),
        replayed=replayed,
        replay_problem=replay_problem,
        verification=store.verify(),
        redacted=request.query_params.get("redacted", ""),
    )


def _replay(
    store: AuditStore, record: AuditRecord, settings: Settings
) -> tuple[Replay | None, str | None]:
    if record.kind != "advice":
        return None, None
    try:
        return replay(store, record, settings.advisor.rule_base), None
    except AuditError as error:
        return None, error.one_line()


def _stored_graph(store: AuditStore, record: AuditRecord) -> Markup | str:
    """The reasoning graph from the stored trace and rules, or why it cannot be drawn."""
    if record.kind != "advice":
        return ""
    from explain.graph import reasoning_graph  # noqa: PLC0415 - Graphviz loads on demand
    from explain.render import render_picture  # noqa: PLC0415

    try:
        answer = stored_answer(store, record)
        rule_base = stored_rule_base(store, str(record.rule_base_version))
    except AuditError as error:
        return error.one_line()
    svg = render_picture(reasoning_graph(rule_base, answer), "svg").decode()
    # Graphviz escapes every label it writes; the SVG is inlined without its XML prologue.
    return Markup(svg[svg.find("<svg") :])  # noqa: S704


@router.post("/audit/{record_id}/redact")
async def redact(request: Request, record_id: int) -> Response:
    """Blank the record's personal facts, as `followup audit redact` does."""
    settings = settings_of(request)
    if not settings.gate.allows(request):
        return _to_login()
    form = await request.form()
    if not csrf_ok(request, _text(form.get(CSRF_FIELD))) or settings.store is None:
        return page(
            request,
            "message.html",
            403,
            title="This form has expired",
            text="Reload the record's page and try again.",
        )
    store = settings.store
    try:
        record = store.get(record_id)
        if record.kind != "advice" or record.rule_base_version is None:
            raise AuditError(f"record {record_id} is not advice and holds nothing personal")
        fields, _note = fields_to_redact(store, record)
        done = store.redact(record_id, fields)
    except AuditError as error:
        return page(request, "message.html", 409, title="Not redacted", text=error.one_line())
    summary = ", ".join(done.fields) or "nothing left to blank"
    query = urllib.parse.urlencode({"redacted": summary})
    return RedirectResponse(f"/audit/{record_id}?{query}", status_code=303)
