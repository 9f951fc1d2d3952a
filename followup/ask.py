"""`followup ask`: the consultation from first question to saved facts."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import yaml

from engine import Advisor, Answer, FactError, Origin, RuleBase
from engine.facts import parse_value
from explain.why import how

from . import settings
from .audit import AuditError, AuditStore, Entry
from .consultation import Consultation, Interrupted, Prompt, Quit, facts_to_save
from .output import OutputError, write_atomically
from .render import print_answer

if TYPE_CHECKING:
    from rich.console import Console

NEXT_STEPS = ("how", "explain", "save", "reminder", "done")
STOPPED = "Stopped: nothing was saved."
INTERRUPTED = 130  # the shell's status for a program stopped by Ctrl-C


class Frontend(Protocol):
    def ask(self, prompt: Prompt) -> str: ...

    def say(self, text: str) -> None: ...


def consult(
    advisor: Advisor,
    today: datetime.date,
    frontend: Frontend,
    console: Console,
    store: AuditStore | None = None,
    country: str | None = None,
) -> int:
    """Run one consultation; the exit status (0; 1 for input that ended early or advice left
    unrecorded; 130 for Ctrl-C).

    `country` (from --country) or the remembered one spares the country question.
    """
    consultation = Consultation(advisor, today, frontend.ask, frontend.say)
    _preset_country(consultation, country)
    shown = _Shown(consultation, frontend, console, store)
    frontend.say("A few questions about your interview (type help at any question).")
    try:
        while True:
            answer = consultation.run()
            _remember_country(consultation)
            answer = shown.show(answer)
            if answer.message is not None:
                reply = _confirm(frontend, "Fill in names and details for the message?")
                if reply == "back":
                    consultation.undo_last()
                    continue
                if reply == "yes":
                    consultation.fill_in_message()
                    answer = shown.show(consultation.answer())
            if _next_steps(consultation, answer, frontend) != "back":
                break
            consultation.undo_last()
    except Quit:
        frontend.say(shown.stopped())
        return 0
    except EOFError:
        if consultation.order and consultation.next_question() is not None:
            frontend.say("The input ended before the advice was settled. " + shown.stopped())
            return 1
        return 0
    except (KeyboardInterrupt, Interrupted):
        frontend.say(shown.stopped())
        return INTERRUPTED
    return 1 if shown.unrecorded else 0


class _Shown:
    """Shows each answer and records it at once: stopping later must not lose it."""

    def __init__(
        self,
        consultation: Consultation,
        frontend: Frontend,
        console: Console,
        store: AuditStore | None,
    ) -> None:
        self.consultation = consultation
        self.frontend = frontend
        self.console = console
        self.store = store
        self.records: list[int] = []
        self.unrecorded = False

    def show(self, answer: Answer) -> Answer:
        self.console.print()
        print_answer(self.console, answer)
        if self.store is not None:
            self._record(
                Entry(answer, self.consultation.case(), self.consultation.rule_base, "ask")
            )
        return answer

    def _record(self, entry: Entry) -> None:
        """Record the advice (the database is created now, not before); say what happened."""
        assert self.store is not None
        try:
            self.records.append(self.store.record(entry))
        except AuditError as error:
            self.unrecorded = True
            self.frontend.say(
                f"\n(The advice could not be recorded in the audit trail: {error.one_line()})"
            )
            return
        self.frontend.say(f"\n(Recorded in the audit trail as record {self.records[-1]}.)")

    def stopped(self) -> str:
        if self.records:
            return f"Stopped: the advice shown is record {self.records[-1]} of the audit trail."
        return STOPPED


def country_option(rule_base: RuleBase, country: str) -> tuple[str, str]:
    """--country read as the rule base's country fact: (fact name, normalised code)."""
    fact = rule_base.country_fact
    if fact is None:
        raise FactError("--country: the rule base has no fact of type country in facts.yaml")
    try:
        value = parse_value(rule_base.facts[fact], country, Origin("--country"))
    except FactError as error:
        raise FactError(
            f"--country: {error.message}", fact=fact, suggestion=error.suggestion
        ) from None
    return fact, str(value)


def _preset_country(consultation: Consultation, country: str | None) -> None:
    """Give the country fact from --country, else from the user's remembered settings."""
    if country is not None:
        given, code = country_option(consultation.rule_base, country)
        consultation.answers[given] = code
        return
    fact = consultation.rule_base.country_fact
    if fact is None:
        return
    spec = consultation.rule_base.facts[fact]
    kept = settings.remembered().get(fact)
    if kept == "":
        consultation.skipped.add(fact)  # asked before and left empty: weekends only
    elif isinstance(kept, str):
        try:
            consultation.answers[fact] = parse_value(spec, kept, Origin("settings"))
        except FactError:
            return  # no longer a known code: ask again


def _remember_country(consultation: Consultation) -> None:
    """Keep the country answered in this consultation, so it is asked only once."""
    fact = consultation.rule_base.country_fact
    if fact is not None and fact in consultation.order:
        settings.remember(fact, consultation.answers.get(fact, ""))


def _confirm(frontend: Frontend, question: str) -> str:
    """yes, no, or back (to change the last answer); quit stops."""
    prompt = Prompt("confirm", question, "yes_no", ("yes", "no"), "no", offers_commands=False)
    while True:
        reply = frontend.ask(prompt).strip().lower() or "no"
        if reply == "quit":
            raise Quit
        if reply in ("yes", "y", "no", "n", "back"):
            return {"y": "yes", "n": "no"}.get(reply, reply)
        frontend.say("Please answer yes or no.")


def _yes(frontend: Frontend, question: str) -> bool:
    return _confirm(frontend, question) == "yes"


def _next_steps(consultation: Consultation, answer: Answer, frontend: Frontend) -> str:
    """Offer how / explain / save until done; returns the last reply (done or back)."""
    prompt = Prompt(
        "next",
        "What next?",
        "choice",
        NEXT_STEPS,
        "done",
        hint="how: the reasoning; explain: draw it; save: keep your answers; "
        "reminder: a calendar event on the follow-up day",
        offers_commands=False,
    )
    while True:
        reply = frontend.ask(prompt).strip().lower() or "done"
        if reply == "quit":
            raise Quit
        if reply in ("done", "back"):
            return reply
        if reply == "how":
            frontend.say("\n".join(how(consultation.rule_base, answer)))
        elif reply == "explain":
            _explain(consultation, answer, frontend)
        elif reply == "save":
            _save(consultation, frontend)
        elif reply == "reminder":
            _reminder(consultation, answer, frontend)
        else:
            frontend.say(f"Please answer one of: {', '.join(NEXT_STEPS)}.")


def _file_name(frontend: Frontend, question: str, default: str) -> Path | None:
    prompt = Prompt("file", question, "text", default=default, offers_commands=False)
    reply = frontend.ask(prompt).strip() or default
    path = Path(reply).expanduser()
    if not path.parent.exists():
        frontend.say(f"The folder {path.parent} does not exist; nothing was written.")
        return None
    if path.exists() and not _yes(frontend, f"{path} exists. Replace it?"):
        return None
    return path


def _explain(consultation: Consultation, answer: Answer, frontend: Frontend) -> None:
    path = _file_name(
        frontend, "Write the reasoning graph to (.svg, .png or .pdf)", "followup-reasoning.svg"
    )
    if path is None:
        return
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        frontend.say("Please name a .svg, .png or .pdf file.")
        return
    # networkx and Graphviz load only when a picture is asked for.
    from explain.graph import reasoning_graph  # noqa: PLC0415
    from explain.render import render_picture  # noqa: PLC0415

    picture = render_picture(reasoning_graph(consultation.rule_base, answer), fmt)
    _write(frontend, path, picture, f"Wrote {path}.")


def _reminder(consultation: Consultation, answer: Answer, frontend: Frontend) -> None:
    # icalendar loads only when a reminder is asked for.
    from .reminder import no_reminder_reason, reminder_event  # noqa: PLC0415

    content = reminder_event(consultation.advisor, consultation.case(), answer)
    if content is None:
        frontend.say(no_reminder_reason(consultation.rule_base, answer))
        return
    path = _file_name(frontend, "Write the reminder to (.ics)", "followup-reminder.ics")
    if path is None:
        return
    _write(frontend, path, content, f"Wrote {path}.")


def _save(consultation: Consultation, frontend: Frontend) -> None:
    path = _file_name(frontend, "Save your answers to", "followup-facts.yaml")
    if path is None:
        return
    text = yaml.safe_dump(facts_to_save(consultation.answers), sort_keys=False, allow_unicode=True)
    done = f"Saved {path}: `followup advise {path}` gives this advice again."
    _write(frontend, path, text.encode(), done)


def _write(frontend: Frontend, path: Path, content: bytes, done: str) -> None:
    try:
        write_atomically(path, content)
    except OutputError as error:
        frontend.say(error.one_line())
        return
    frontend.say(done)
