"""The interactive consultation: only the questions that matter, in the decision tree's order.

The consultation never prints or reads by itself: it is given `ask` and `say` callables, so
a terminal, piped input or a test can drive it alike.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import Advisor, Answer, Case, EngineError, FactError, Origin, read_case
from engine.answer import FOLLOW_UP_ON
from engine.conditions import compare, evaluate
from engine.dates import long_date
from engine.facts import add_computed, case_calendar, check_dates, parse_value
from engine.model import DateExpr, FactSpec, RuleBase
from engine.phrases import AmbiguousDate, PhraseError, parse_date, short_date
from engine.tree import DecisionTree, Leaf, Question, build_tree, date_definition
from explain.words import say_question, say_rule, say_value, short_value

COMMANDS = ("why", "back", "help", "quit")
NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?")
YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false"})


class Quit(Exception):
    """The person asked to stop (quit, Ctrl-C or end of input)."""


class Interrupted(Exception):
    """The person pressed Ctrl-C or Ctrl-D at a terminal."""


class Back(Exception):
    """The person asked to change the previous answer."""


@dataclass(frozen=True)
class Prompt:
    """One question as a front end shows it."""

    fact: str
    text: str
    kind: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    hint: str = ""
    can_go_back: bool = False
    offers_commands: bool = True


Ask = Callable[[Prompt], str]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Pending:
    """The next fact to ask for, and what in the rules needs it."""

    spec: FactSpec
    question: Question | None = None
    needed_for: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class Reading:
    """What one reply says: a checked value, why it cannot count, or two readings to pick from.

    `note` says how a date was read, so a misreading is caught before it counts.
    """

    value: Any = None
    error: str | None = None
    ambiguous: AmbiguousDate | None = None
    note: str = ""

    @property
    def accepted(self) -> bool:
        return self.error is None and self.ambiguous is None


@dataclass(frozen=True)
class Step:
    """Where a consultation stands after the replies given so far: the next question (with
    why the reply to it was refused, if it was), or the answer once the advice is settled."""

    consultation: Consultation
    pending: Pending | None = None
    prompt: Prompt | None = None
    reading: Reading | None = None
    answer: Answer | None = None


@dataclass
class Consultation:
    """Ask for facts one at a time until the advice is settled, then answer."""

    advisor: Advisor
    today: datetime.date
    ask: Ask
    say: Say
    answers: dict[str, Any] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    previous: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rule_base: RuleBase = self.advisor.rule_base
        self.facts = self.rule_base.facts
        self.tree: DecisionTree = build_tree(self.rule_base)

    # -- the questions ----------------------------------------------------------------------

    def run(self) -> Answer:
        """Ask what the advice needs, then return the answer."""
        while (pending := self.next_question()) is not None:
            try:
                self._ask_and_record(pending, optional=pending.optional)
            except Back:
                continue
        return self.answer()

    def advance(self, replies: Mapping[str, str], again: str | None = None) -> Step:
        """Take the replies given so far (fact name -> text as typed), in the tree's order,
        and say what comes next: the stateless path a web page or a test drives.

        `again` names a fact to ask anew (after `back`), its reply offered as the default.
        """
        while (pending := self.next_question()) is not None:
            name = pending.spec.name
            reply = replies.get(name)
            if name == again and reply is not None:
                self.previous[name] = self._parse_quietly(pending.spec, reply)
                reply = None
            prompt = self.prompt_for(pending.spec, can_go_back=bool(self.order))
            if reply is None:
                return Step(self, pending, prompt)
            if pending.optional and not reply.strip() and prompt.default is None:
                # An optional question left empty is passed over, as at a terminal.
                self.skipped.add(name)
                self.order.append(name)
                continue
            reading = self.take(pending.spec, reply, prompt.default)
            if not reading.accepted:
                return Step(self, pending, prompt, reading)
        return Step(self, answer=self.answer())

    def take(self, spec: FactSpec, reply: str, default: str | None = None) -> Reading:
        """Read one reply (empty means the default) and keep the value if it counts."""
        reply = reply.strip() or (default or "")
        reading = self.read(spec, reply)
        if reading.accepted:
            self.answers[spec.name] = reading.value
            self.order.append(spec.name)
        return reading

    def _parse_quietly(self, spec: FactSpec, reply: str) -> Any:
        reading = self.read(spec, reply)
        return reading.value if reading.accepted else reply

    def fill_in_message(self) -> None:
        """Ask the optional facts that fill in the drafted message; `back` stays among them."""
        floor = len(self.order)
        while specs := self.message_questions():
            try:
                self._ask_and_record(Pending(specs[0]), optional=True, floor=floor)
            except Back:
                continue

    def answer(self) -> Answer:
        return self.advisor.advise(self.case())

    def case(self) -> Case:
        return read_case(
            dict(self.answers), self.rule_base, today=self.today, origin=Origin("your answers")
        )

    def next_question(self) -> Pending | None:
        """The first fact the advice still depends on, or None when it is settled."""
        for spec in self.rule_base.given_facts():
            if self._always_needed(spec) and spec.name not in self.answers:
                return Pending(spec)
        pending = self._walk_tree()
        if pending is not None:
            return pending
        for spec in self.rule_base.given_facts():
            if self._required_now(spec) and spec.name not in self.answers:
                return Pending(spec)
        return self._country_question()

    def _country_question(self) -> Pending | None:
        """The country, once the advice is settled, if a public holiday could move its day."""
        fact = self.rule_base.country_fact
        if fact is None or fact in self.answers or fact in self.skipped:
            return None
        try:
            outcome = self.advisor.evaluate(self.case().values)
        except (FactError, EngineError):
            return None
        if not calendar_matters(self.rule_base, outcome.fired_rules):
            return None
        return Pending(self.rule_base.facts[fact], optional=True)

    def message_questions(self) -> list[FactSpec]:
        """The facts that only fill in the drafted message and apply to this case."""
        values = self.known_values()
        return [
            spec
            for spec in self.rule_base.given_facts()
            if spec.for_message_only
            and spec.name not in self.answers
            and spec.name not in self.skipped
            and (spec.needed_when is None or evaluate(spec.needed_when, values))
        ]

    def known_values(self) -> dict[str, Any]:
        """The answers so far, with defaults for facts not asked, and today."""
        values = {
            spec.name: spec.default
            for spec in self.rule_base.given_facts()
            if spec.has_default and not spec.for_message_only
        }
        values.update(self.answers)
        values["today"] = self.today
        add_computed(self.rule_base, values)
        return values

    def undo_last(self) -> None:
        """Forget the latest answer, so it is asked again."""
        if self.order:
            previous = self.order.pop()
            if previous in self.answers:
                self.previous[previous] = self.answers.pop(previous)
            self.skipped.discard(previous)

    def _always_needed(self, spec: FactSpec) -> bool:
        return not (
            spec.optional
            or spec.has_default
            or spec.needed_when
            or spec.never_asked
            or spec.for_message_only
        )

    def _required_now(self, spec: FactSpec) -> bool:
        if spec.optional or spec.for_message_only or spec.never_asked or spec.has_default:
            return False
        return spec.needed_when is not None and evaluate(spec.needed_when, self.known_values())

    def _walk_tree(self) -> Pending | None:
        node = self.tree.root
        values = self.known_values()
        while isinstance(node, Question):
            fact = node.test.fact
            spec = self.rule_base.facts[fact]
            if spec.derived:
                definition = date_definition(self.rule_base, node)
                if definition is None:
                    return None
                base = self.rule_base.facts[definition.base]
                if definition.base not in values:
                    return Pending(base, node, needed_for=fact)
                values[fact], _move = case_calendar(self.rule_base, values).days_after(
                    values[definition.base], definition.plus_days
                )
            elif fact not in self.answers and not spec.never_asked:
                return Pending(spec, node)
            node = node.yes if compare(node.test, values) else node.no
        return None

    # -- one question -------------------------------------------------------------------------

    def _ask_and_record(self, pending: Pending, optional: bool = False, floor: int = 0) -> None:
        spec = pending.spec
        prompt = self.prompt_for(spec, can_go_back=len(self.order) > floor)
        while True:
            reply = self.ask(prompt).strip()
            command = reply.lower()
            if command == "quit":
                raise Quit
            if command in ("help", "why"):
                self.say(self._help(spec) if command == "help" else self.why(pending))
                continue
            if command == "back":
                if len(self.order) > floor:
                    self.undo_last()
                    raise Back
                self.say("This is the first question: there is nothing to go back to.")
                continue
            if not reply and optional and prompt.default is None:
                self.skipped.add(spec.name)
                self.order.append(spec.name)
                return
            reading = self.take(spec, reply, prompt.default)
            if reading.ambiguous is not None:
                day = self._which_date(spec, reading.ambiguous)
                reading = self.take(spec, day.isoformat())
            if reading.error is not None:
                self.say(f"Sorry: {reading.error}. Please try again (or type help).")
            elif reading.accepted:
                if reading.note:
                    self.say(reading.note)
                return

    def read(self, spec: FactSpec, reply: str) -> Reading:
        """The reply as a checked value, or what is wrong with it; nothing is kept."""
        try:
            value = self._parse(spec, reply)
            origin = Origin("your answer")
            check_dates(spec, {**self.known_values(), spec.name: value}, origin, self.facts)
        except AmbiguousDate as ambiguous:
            return Reading(ambiguous=ambiguous)
        except (FactError, PhraseError) as error:
            return Reading(error=str(error))
        # Always say how a date was read, so a misreading is caught before it counts.
        note = self._read_as(spec, value, reply) if spec.type == "date" else ""
        return Reading(value, note=note)

    def _parse(self, spec: FactSpec, reply: str) -> Any:
        if spec.type == "date":
            return parse_date(reply, self.today, self._reference(spec))
        if spec.type == "yes_no":
            word = reply.lower()
            if word not in YES | NO:
                raise FactError("please answer yes or no")
            return word in YES
        if spec.type == "choice":
            return self._choice(spec, reply)
        return parse_value(spec, reply, Origin("your answer"))

    def _reference(self, spec: FactSpec) -> datetime.date | None:
        """The day a date phrase counts from, when the fact names one (else today)."""
        return self.answers.get(spec.relative_to) if spec.relative_to else None

    def _which_date(self, spec: FactSpec, ambiguous: AmbiguousDate) -> datetime.date:
        """Ask which of two readings of a numeric date was meant."""
        readings = ambiguous.readings
        words = tuple(short_date(day) for day in readings)
        prompt = Prompt(
            spec.name,
            f"{ambiguous.text}: {words[0]} or {words[1]}?",
            "choice",
            words,
            offers_commands=False,
        )
        while True:
            reply = self.ask(prompt).strip().lower()
            if reply == "quit":
                raise Quit
            for index, (word, day) in enumerate(zip(words, readings, strict=True), start=1):
                if reply and (reply == str(index) or word.lower().startswith(reply)):
                    return day
            self.say(f"Please answer {words[0]} or {words[1]}.")

    def _read_as(self, spec: FactSpec, day: datetime.date, reply: str) -> str:
        reference = self._reference(spec)
        if reference is None or spec.relative_to is None or NUMERIC_DATE.fullmatch(reply.strip()):
            return f"Read as {long_date(day)}."
        base = self.facts[spec.relative_to].words
        return f"Read as {long_date(day)} (counted from {base}, {long_date(reference)})."

    def _choice(self, spec: FactSpec, reply: str) -> str:
        word = _plain(reply)
        if word.isdigit() and 1 <= int(word) <= len(spec.values):
            return spec.values[int(word) - 1]
        matches = [
            value
            for value in spec.values
            if word and (value.startswith(word) or _plain(spec.value_words(value)).startswith(word))
        ]
        if len(matches) == 1:
            return matches[0]
        labels = ", ".join(spec.value_words(value) for value in spec.values)
        raise FactError(f"please answer one of: {labels}")

    def prompt_for(self, spec: FactSpec, can_go_back: bool) -> Prompt:
        choices: tuple[str, ...] = ()
        if spec.type == "yes_no":
            choices = ("yes", "no")
        elif spec.type == "choice":
            choices = tuple(spec.value_words(value) for value in spec.values)
        default = None
        if spec.name in self.previous:
            # After `back`, the answer given before is offered again.
            default = self.as_reply(spec, self.previous[spec.name])
        elif spec.has_default and not spec.for_message_only:
            default = self.as_reply(spec, spec.default)
        return Prompt(
            fact=spec.name,
            text=spec.question,
            kind=spec.type,
            choices=choices,
            default=default,
            hint=spec.help,
            can_go_back=can_go_back,
        )

    def as_reply(self, spec: FactSpec, value: Any) -> str:
        """A value as the person would type it back."""
        if spec.type == "choice" and isinstance(value, str):
            return spec.value_words(value)
        if isinstance(value, list):
            return "; ".join(str(item) for item in value)
        return short_value(value)

    # -- explanations at a prompt -------------------------------------------------------------

    def _help(self, spec: FactSpec) -> str:
        return (
            f"{spec.help}\nAt any question you can type: why (why this is asked), back (change "
            "the previous answer), help, or quit."
        )

    def why(self, pending: Pending) -> str:
        """Why a question is asked: which rule needs the answer, and what each answer leads to,
        in the words of the facts' labels."""
        spec = pending.spec
        lines = [spec.why] if spec.why else []
        question = pending.question
        if question is None:
            if not pending.optional:  # an optional question says only its own why
                lines.append(f"{_capital(spec.words)} is needed for any advice.")
            return "\n".join(lines)
        rule = self.rule_base.rule(question.asked_by)
        asked, opposite = say_question(self.rule_base, question.test)
        if pending.needed_for is not None:
            day = self.rule_base.facts[pending.needed_for].words
            lines.append(f"It sets {day}, which the advice {say_rule(rule.id)} needs: {asked}.")
        else:
            lines.append(f"The advice {say_rule(rule.id)} needs to know {asked} ({rule.source}).")
        holds, fails = (question.no, question.yes) if opposite else (question.yes, question.no)
        lines.append(f"  If so: {self._branch(question, holds)}.")
        lines.append(f"  If not: {self._branch(question, fails)}.")
        return "\n".join(lines)

    def _branch(self, parent: Question, node: Question | Leaf) -> str:
        """What an answer leads to: the days it sets, then the advice or the next question."""
        fired = node.fired if isinstance(node, Leaf) else node.fired_before
        facts = self.rule_base.facts
        parts = [
            f"{facts[c.fact].words} is {say_value(self.rule_base, c.fact, c.value)}"
            for rule_id in fired
            if rule_id not in parent.fired_before
            for c in self.rule_base.rule(rule_id).then
            if facts[c.fact].type == "date" and c.fact != FOLLOW_UP_ON
        ]
        if isinstance(node, Leaf):
            goal = self.rule_base.goal
            action = node.decision(goal)
            parts.append(
                f"the advice is: {facts[goal].value_words(action)}" if action else "no advice"
            )
        else:
            parts.append(f"then it depends on {say_question(self.rule_base, node.test)[0]}")
        return ", ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(text: str) -> str:
    """A choice as typed, made comparable with values and labels: 'Laid back' → 'laid_back'."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def calendar_matters(rule_base: RuleBase, fired: list[str]) -> bool:
    """Whether the calendar shaped this advice: a rule counted days, or tested a day off."""
    for rule_id in fired:
        rule = rule_base.rule(rule_id)
        if any(isinstance(c.value, DateExpr) for c in rule.then):
            return True
        if any(rule_base.facts[name].computed for name in rule.when.facts()):
            return True
    return False


def facts_to_save(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as a facts file holds them: dates in ISO form."""
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in answers.items()
    }
