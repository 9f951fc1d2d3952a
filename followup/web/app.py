"""The web app: pages and API over the same library calls as the command line."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import api, audit_pages, editor_api, editor_pages, pages, rule_builder, rules_page
from .security import SecurityMiddleware
from .settings import STATIC, Settings


def create_app(settings: Settings) -> FastAPI:
    """A FastAPI app serving the consultation, the answer, the API and the static files."""
    app = FastAPI(
        title="followup",
        summary="When and how to follow up after a job interview, and why.",
        version="1",
        docs_url=None,  # the interactive docs need inline scripts, which the policy forbids
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(pages.router)
    app.include_router(audit_pages.router)
    app.include_router(editor_pages.router)
    app.include_router(rule_builder.router)
    app.include_router(rules_page.router)
    app.include_router(api.router)
    app.include_router(editor_api.router)
    app.add_exception_handler(StarletteHTTPException, editor_api.unreadable_body)
    app.add_exception_handler(RequestValidationError, editor_api.malformed_body)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityMiddleware)
    return app
