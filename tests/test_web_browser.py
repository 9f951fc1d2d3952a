"""The web app in a real browser: Debian's Chromium, driven by Playwright, headless.

Set FOLLOWUP_SCREENSHOTS=docs to refresh the README's pictures.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from engine import Advisor
from followup.web import Gate, Settings, create_app

from .web_support import DAY

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "browser tests need Chromium at /usr/bin/chromium: apt-get install -y chromium"
if not CHROMIUM.exists():
    # .ci/run installs Chromium, so in CI a missing browser is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail(NO_CHROMIUM, pytrace=False)
    pytest.skip(NO_CHROMIUM, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-test-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app served for real on a free loopback port, in a thread; its address."""
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def server(advisor: Advisor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    audit_db = tmp_path_factory.mktemp("web") / "audit.sqlite3"
    with served(create_app(Settings(advisor, Gate(TOKEN), audit_db, DAY))) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # launch() starts Chromium on a fresh, temporary user-data folder of its own.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server,
        viewport={"width": 1000, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    # Generous: a loaded CI machine can take seconds to render a page; a real failure still fails.
    context.set_default_timeout(30_000)
    opened = context.new_page()
    problems: list[str] = []
    # A page that breaks its Content-Security-Policy or fails to load a file says so here.
    opened.on("console", lambda message: problems.extend(_problem(message.type, message.text)))
    yield opened
    context.close()
    assert problems == []


def _problem(kind: str, text: str) -> list[str]:
    # A refused answer is a 422 on purpose: Chromium logs that too, and it is no problem.
    expected = "the server responded with a status of 422" in text
    return [text] if kind == "error" and not expected else []


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("FOLLOWUP_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 10_000


def test_a_whole_consultation_by_clicking_and_typing(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    page.get_by_label("When was your interview").fill("10 days ago")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Monday 16 November 2026")).to_be_visible()
    for _question in ("offer", "news"):
        page.get_by_label("no", exact=True).check()
        page.get_by_role("button", name="Next").click()
    page.get_by_role("textbox").fill("0")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("no", exact=True).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("How does the company")).to_be_visible()
    page.get_by_text("Why we ask").click()
    expect(page.get_by_text("decides between waiting one week and two")).to_be_visible()
    screenshot(page, "web-consultation.png", tmp_path)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("In which country do you work")).to_be_visible()
    page.get_by_role("button", name="Next").click()  # optional: left empty, passed over
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wait — follow up on Monday 30 November 2026, in 4 days"
    )
    expect(page.get_by_text("Recorded in the audit trail as record")).to_be_visible()


def test_the_answer_page_copies_the_message_with_the_names(page: Page, tmp_path: Path) -> None:
    page.goto("/?interview_date=2026-11-20&competing_offer=no&has_update=yes")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow up now")
    page.get_by_label("Your name").fill("Ada <Lovelace>")  # shown as typed, never as markup
    page.get_by_label("The company's name").fill("Analytical Engines")
    page.get_by_label("Your news").fill("I have just finished my certification")
    page.get_by_role("button", name="Update the message").click()
    expect(page.locator("#draft")).to_contain_text("Ada <Lovelace>")
    page.get_by_text("The reasoning graph").click()
    expect(page.locator(".reasoning .graph svg")).to_be_visible()
    expect(page.get_by_role("region", name="Your timeline")).to_contain_text("Follow up")
    screenshot(page, "web-answer.png", tmp_path)
    page.get_by_role("button", name="Copy the message").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Subject: ") and "Ada <Lovelace>" in copied


def test_keyboard_only_through_a_consultation(page: Page) -> None:
    page.goto("/")
    # The first question has the focus once the page is ready: typing earlier loses keys.
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'INPUT'")
    page.keyboard.type("next year")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Sorry: cannot read 'next year' as a date")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026-11-20")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Do you hold another job offer?")).to_be_visible()
    expect(page.get_by_label("no", exact=True)).to_be_focused()  # the default, ready for keys
    page.keyboard.press("ArrowUp")  # from the default "no" to "yes"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow up now")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused


def test_the_audit_record_page_after_logging_in(page: Page, tmp_path: Path) -> None:
    page.goto("/audit")
    expect(page.get_by_role("heading", name="Log in to the audit trail")).to_be_visible()
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_text("Chain intact")).to_be_visible()
    expect(page.get_by_text("On the stored rules: same answer")).to_be_visible()
    screenshot(page, "web-audit-record.png", tmp_path)
