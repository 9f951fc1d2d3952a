"""The rule editor in a real browser (Debian's Chromium, headless): change the two-week wait
to ten days, see the check and the impact, save, get the new advice, and undo it.

Set FOLLOWUP_SCREENSHOTS=docs to refresh the README's picture of the editor.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry
from followup.web import Gate, Settings, create_app

from .conftest import RULES
from .test_web_browser import TOKEN, _problem, browser, served
from .web_support import DAY

# The Chromium of test_web_browser, shared: imported as a fixture, named here as used.
__all__ = ["browser"]
PLUS_DAYS = "rule/two_weeks_when_unsure/then/first_followup_day/plus_days"
DATE_BASE = "rule/two_weeks_when_unsure/then/first_followup_day/date"
UNSURE = {
    "interview_date": "2026-11-16",
    "timeline_given": False,
    "followups_sent": 0,
    "culture": "unsure",
}
# The same case as a job seeker answers it in the address.
CONSULTATION = (
    "/?interview_date=2026-11-16&competing_offer=no&has_update=no&followups_sent=0"
    "&timeline_given=no&culture=unsure&country="
)


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    place = tmp_path_factory.mktemp("editor")
    folder = place / "rules"
    shutil.copytree(RULES, folder)
    advisor = Advisor(load_rule_base(folder))
    audit_db = place / "audit.sqlite3"
    case = read_case(UNSURE, advisor.rule_base, today=DAY)
    AuditStore(audit_db).record(Entry(advisor.advise(case), case, advisor.rule_base, "web"))
    app = create_app(Settings(advisor, Gate(TOKEN), audit_db, DAY, rules_dir=folder))
    with served(app) as address:
        yield address


@pytest.fixture
def editor(browser: Browser, editor_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=editor_server, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(30_000)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: problems.extend(_problem(message.type, message.text)))
    opened.goto("/rules/edit")  # the login first, then back to the editor
    opened.get_by_label("Token").fill(TOKEN)
    opened.get_by_role("button", name="Log in").click()
    expect(opened.get_by_role("heading", name="Edit the rules")).to_be_visible()
    yield opened
    context.close()
    assert problems == []


def test_ten_days_instead_of_two_weeks_then_undo(editor: Page, tmp_path: Path) -> None:
    page = editor
    page.goto(CONSULTATION)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wait — follow up on Monday 30")
    page.goto("/rules/edit")
    days = page.locator(f'[id="f-{PLUS_DAYS}"]')
    expect(days).to_have_value("14")
    # A mistake first: a misspelt fact, and a negative number, each said at its field.
    page.locator(f'[id="f-{DATE_BASE}"]').fill("interveiw_date")
    page.get_by_role("button", name="Check the change").first.click()
    expect(page.locator(f'[id="e-{DATE_BASE}"]')).to_contain_text("did you mean “interview_date”?")
    page.locator(f'[id="f-{DATE_BASE}"]').fill("interview_date")
    days.fill("-3")
    page.get_by_role("button", name="Check the change").first.click()
    error = page.locator(f'[id="e-{PLUS_DAYS}"]')
    expect(error).to_have_text("“days after it” is at least 0, not -3")
    error.scroll_into_view_if_needed()
    card = page.locator('[id="card-rule/two_weeks_when_unsure"]')
    picture(card, "web-editor.png", tmp_path)
    # Ten days: the check passes, and the page says what it changes.
    days.fill("10")
    page.get_by_label("Your name").fill("Dana (career coach)")
    page.get_by_role("button", name="Check the change").first.click()
    expect(page.locator("#check-result")).to_contain_text("The check finds no problem")
    expect(page.get_by_text("now expect otherwise")).to_be_visible()
    expect(page.locator("#impact")).to_have_text("1 past answer would change (of 1 compared).")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved as version")
    page.goto(CONSULTATION)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow up now")
    # Undo: the version before the save, restored from the history.
    page.goto("/rules/history")
    expect(page.get_by_text("Dana (career coach)")).to_be_visible()
    page.get_by_role("button", name=re.compile("Restore version")).click()
    expect(page.get_by_role("status")).to_contain_text("Restored")
    page.goto(CONSULTATION)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wait — follow up on Monday 30")


def picture(locator: Locator, name: str, tmp_path: Path) -> None:
    """One part of the page, for the README. The caret stays as it is: hiding it takes an
    inline style, which the pages' Content-Security-Policy refuses (and logs)."""
    folder = Path(os.environ.get("FOLLOWUP_SCREENSHOTS") or tmp_path)
    locator.screenshot(path=str(folder / name), caret="initial")
    assert (folder / name).stat().st_size > 10_000


def test_an_answer_a_condition_asks_for_is_picked_from_a_list(editor: Page) -> None:
    page = editor
    page.goto("/rules/edit")
    culture = page.locator('[id="f-rule/one_week_for_a_proactive_culture/when/2/culture"]')
    expect(culture).to_have_value("proactive")
    culture.select_option(label="laid-back")
    page.get_by_role("button", name="Check the change").first.click()
    # Two rules now work the day out for a laid-back company, and none for a proactive one.
    report = page.locator("#report")
    expect(report).to_contain_text("problems found")
    expect(culture).to_have_value("laid_back")  # what was chosen stays, to be corrected
