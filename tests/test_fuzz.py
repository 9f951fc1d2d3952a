"""Fuzzing the facts reader, the batch reader and the rule loader (hypothesis).

The contract every input must keep: it is answered, or refused with an AdvisorError whose
message is at most 3 lines with no raw control character (a batch line: an error record and
the run goes on); no other exception, bounded time (a deadline per input) and memory.

`make test` runs a few hundred inputs with a fixed seed; `make fuzz` runs the same properties
with the `fuzz` profile (FOLLOWUP_FUZZ=fuzz, FOLLOWUP_FUZZ_EXAMPLES inputs per property).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import resource
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from engine import Advisor, AdvisorError, Case, RuleBase, read_case
from engine.loader import inspect_rule_base
from followup.batch import json_line, run_batch
from followup.cli import main
from followup.inputs import read_batch, read_facts_file
from followup.render import print_answer

from .conftest import EXAMPLES, RULES, TODAY
from .test_properties import valid_cases

# A failing example's report shows the rule base fixture; its size must not hide the failure.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

settings.register_profile(
    "quick",
    derandomize=True,  # a fixed seed: `make test` fuzzes the same inputs every time
    deadline=datetime.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
settings.register_profile(
    "fuzz",
    deadline=datetime.timedelta(seconds=5),
    suppress_health_check=list(HealthCheck),
)
PROFILE_NAME = os.environ.get("FOLLOWUP_FUZZ", "quick")
# How many inputs a run generates in all, shared among the properties below.
TOTAL = int(
    os.environ.get("FOLLOWUP_FUZZ_EXAMPLES", "200" if PROFILE_NAME == "quick" else "100000")
)


def share(part: float) -> settings:
    """The profile, with `part` of the run's inputs (the CLI runs, slower, get a small part)."""
    return settings(settings.get_profile(PROFILE_NAME), max_examples=max(5, int(TOTAL * part)))


MEMORY_LIMIT_KIB = 2 * 1024 * 1024  # the whole test process, peak resident
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
TODAY_DATE = datetime.date.fromisoformat(TODAY)

# Characters and tokens that have broken readers before, mixed into generated text.
HOSTILE_CHARACTERS = ["\x00", "\x1b", "\x9b", "\x07", "\r", "\t", "\u202e", "\u2028", "\ufeff"]
HOSTILE_CHARACTERS += ["\ud800", "\udcff", "²", "\x85", "é", "🙂"]
TOKENS = [
    *("&a ", "*a", "!!python/name:os.system ", "!custom ", "!!int ", "<<: ", "? ", "--- ", "..."),
    *("[", "]", "{", "}", ": ", "- ", "\n  ", "\n", "#", "'", '"', "\\", "|\n  ", ">\n  "),
    *("1:00", "--1", "²", "010", "0x1F", "1_000", ".inf", ".nan", "9" * 60, "-" * 5),
    *("9999-12-31", "9999-12-20", "0001-01-01", "2026-02-30", "yes", "No", "~", "null"),
    *('"\\ud800"', '"\\e[2J"', '"\\x9b"', '"\\N"', "\x1b[31m", "interview_date: ", "today: "),
    *("[" * 40, "]" * 40, "- " * 30),
]
FACT_NAMES = [
    *("interview_date", "timeline_given", "decision_date", "competing_offer", "offer_deadline"),
    *("has_update", "culture", "followups_sent", "last_followup_date", "country", "today"),
    *("candidate_name", "interviewer_name", "company", "role", "discussed_points"),
    *("update_text", "action", "follow_up_on"),
]
EXAMPLE_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.yaml"))]
RULE_FILES = ("facts.yaml", "advice.yaml", "messages.yaml")
RULE_TEXTS = {name: (RULES / name).read_text(encoding="utf-8") for name in RULE_FILES}

hostile_text = st.text(
    st.one_of(st.characters(), st.sampled_from(HOSTILE_CHARACTERS)), max_size=40
) | st.sampled_from(TOKENS)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.floats(),
    hostile_text,
    st.dates().map(datetime.date.isoformat),
    st.dates(datetime.date(9999, 1, 1)).map(datetime.date.isoformat),
    st.sampled_from(["yes", "no", "proactive", "laid_back", "unsure", "US", "GB-ENG"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def hostile_facts(draw: st.DrawFn) -> tuple[dict[str, Any], datetime.date]:
    """A valid case with a few facts replaced, added or renamed by hostile ones."""
    facts, today = draw(valid_cases())
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(FACT_NAMES) | hostile_text)
        facts[name] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        today = draw(st.dates(datetime.date(9999, 12, 1)))
    return facts, today


def mutate(text: str, draw: st.DrawFn) -> str:
    """`text` with a few tokens inserted, spans deleted or duplicated, characters replaced."""
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        step = draw(st.integers(0, 3))
        if step == 0:
            text = text[:at] + draw(st.sampled_from(TOKENS) | hostile_text) + text[at:]
        elif step == 1:
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif step == 2:
            end = at + draw(st.integers(1, 80))
            text = text[:end] + text[at:end] * draw(st.integers(1, 30)) + text[end:]
        else:
            text = text[:at] + draw(st.sampled_from(HOSTILE_CHARACTERS)) + text[at + 1 :]
    return text


@st.composite
def facts_file_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A facts file: a mutated example, hostile facts as JSON, or bytes of any kind."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        text = mutate(draw(st.sampled_from(EXAMPLE_TEXTS)), draw)
    elif kind == 1:
        facts, _today = draw(hostile_facts())
        text = mutate(json.dumps(facts), draw) if draw(st.booleans()) else json.dumps(facts)
    elif kind == 2:
        nesting = draw(st.integers(1, 3000))
        text = "interview_date: 2026-11-20\nrole: " + "[" * nesting + "]" * nesting
    else:
        return draw(st.sampled_from(["facts.yaml", "facts.json"])), draw(st.binary(max_size=200))
    name = draw(st.sampled_from(["facts.yaml", "facts.json"]))
    return name, text.encode("utf-8", "surrogatepass")


def assert_clean_refusal(error: AdvisorError) -> None:
    """An error as the CLI prints it: at most 3 lines, no raw control character."""
    for message in (error.one_line(), error.detailed()):
        lines = message.splitlines()
        assert 1 <= len(lines) <= 3, message
        assert RAW_CONTROL.search(message) is None, message


def assert_bounded_memory() -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak < MEMORY_LIMIT_KIB, f"peak memory {peak} KiB"


def assert_shown_safely(advisor: Advisor, case: Case) -> None:
    """Answer a case (or refuse it cleanly); the answer prints and serialises without raw codes."""
    try:
        answer = advisor.advise(case)
    except AdvisorError as error:
        assert_clean_refusal(error)
        return
    output = io.StringIO()
    print_answer(Console(file=output, width=80, highlight=False), answer)
    assert RAW_CONTROL.search(output.getvalue()) is None, output.getvalue()
    assert RAW_CONTROL.search(json_line(answer.to_json()).rstrip("\n")) is None
    if answer.message is not None:
        assert "\n" not in answer.message.subject


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="followup-fuzz-"))
    shutil.copytree(RULES, folder / "rules", ignore=shutil.ignore_patterns("tests"))
    yield folder
    shutil.rmtree(folder)


@share(0.30)
@given(facts_file_bytes(), st.lists(st.tuples(hostile_text, hostile_text), max_size=2))
def test_facts_reader_keeps_the_contract(
    advisor: Advisor,
    rule_base: RuleBase,
    scratch: Path,
    file: tuple[str, bytes],
    overrides: list[tuple[str, str]],
) -> None:
    name, data = file
    path = scratch / name
    path.write_bytes(data)
    sets = [f"{key}={value}" for key, value in overrides]
    try:
        facts, origin = read_facts_file(str(path), sets)
        case = read_case(facts, rule_base, today=TODAY_DATE, origin=origin)
    except AdvisorError as error:
        assert_clean_refusal(error)
    else:
        assert_shown_safely(advisor, case)
    assert_bounded_memory()


@share(0.30)
@given(hostile_facts())
def test_facts_values_keep_the_contract(
    advisor: Advisor, rule_base: RuleBase, case: tuple[dict[str, Any], datetime.date]
) -> None:
    facts, today = case
    # A JSON line carries any value, lone surrogates included (as \ud800 escapes).
    line = json.dumps({**facts, "today": today.isoformat()}).encode() + b"\n"
    (read,) = read_batch(io.BytesIO(line), rule_base, TODAY_DATE)
    if read.case is None:
        assert read.error is not None and RAW_CONTROL.search(read.error) is None, read.error
    else:
        assert_shown_safely(advisor, read.case)
    assert_bounded_memory()


@st.composite
def batch_lines(draw: st.DrawFn) -> list[bytes]:
    """Lines of a batch: good cases, hostile ones, mutated JSON, bad bytes, odd line ends."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        facts, _today = draw(hostile_facts())
        text = json.dumps(facts)
        kind = draw(st.integers(0, 4))
        if kind == 0:
            line = mutate(text, draw).encode("utf-8", "surrogatepass")
        elif kind == 1:
            line = draw(st.binary(max_size=80))
        elif kind == 2:
            nesting = draw(st.integers(1, 5000))
            line = ("[" * nesting + "]" * nesting).encode()
        else:
            line = text.encode()
        lines.append(line.replace(b"\n", b" ") + draw(st.sampled_from([b"\n", b"\r\n"])))
    return lines


def non_blank(lines: list[bytes]) -> list[int]:
    """The numbers of the lines that must get a record (a blank line gets none)."""
    numbers = []
    for number, line in enumerate(lines, start=1):
        try:
            blank = not line.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            blank = False
        if not blank:
            numbers.append(number)
    return numbers


@share(0.20)
@given(batch_lines())
def test_batch_reader_keeps_the_contract(advisor: Advisor, lines: list[bytes]) -> None:
    output = io.StringIO()
    failures = run_batch(io.BytesIO(b"".join(lines)), advisor, TODAY_DATE, output)
    records = output.getvalue().splitlines()
    assert RAW_CONTROL.search(output.getvalue().replace("\n", "")) is None
    parsed = [json.loads(record) for record in records]
    errors = [record for record in parsed if "error" in record]
    assert failures == len(errors)
    for record in errors:
        assert set(record) in ({"error", "line"}, {"error", "line", "fact"})
        assert "\n" not in record["error"]
    # One record per line that is not blank, in order: a bad line costs only itself.
    assert len(parsed) == len(non_blank([line.rstrip(b"\r\n") for line in lines]))
    assert [record["line"] for record in errors] == sorted(record["line"] for record in errors)
    assert_bounded_memory()


@st.composite
def mutated_rule_base(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(RULE_FILES))
    return name, mutate(RULE_TEXTS[name], draw)


@share(0.19)
@given(mutated_rule_base())
def test_rule_loader_keeps_the_contract(scratch: Path, rule_file: tuple[str, str]) -> None:
    name, text = rule_file
    folder = scratch / "rules"
    for other in RULE_FILES:
        (folder / other).write_text(RULE_TEXTS[other], encoding="utf-8")
    (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))
    inspection = inspect_rule_base(folder)
    for problem in inspection.problems:
        assert isinstance(problem, AdvisorError)
        assert_clean_refusal(problem)
    assert_bounded_memory()


def cli_contract(run: Callable[[], Any]) -> None:
    """A CLI run: exit 0, 1 (a batch with bad lines) or 2 with at most 3 lines on stderr."""
    result = run()
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert RAW_CONTROL.search(result.stdout.replace("\n", "")) is None
    assert RAW_CONTROL.search(result.stderr.replace("\n", "")) is None
    if result.exit_code == 2:
        assert result.stdout == ""
        assert 1 <= len(result.stderr.splitlines()) <= 3


@share(0.005)
@given(facts_file_bytes())
def test_advise_command_keeps_the_contract(scratch: Path, file: tuple[str, bytes]) -> None:
    name, data = file
    path = scratch / name
    path.write_bytes(data)
    for args in (["advise", str(path)], ["advise", "-"], ["explain", str(path)]):
        cli_contract(
            lambda args=args: CliRunner().invoke(
                main,
                [*args, "--today", TODAY, *(["--no-audit"] if args[0] == "advise" else [])],
                input=data,
                catch_exceptions=False,
            )
        )


@share(0.005)
@given(batch_lines())
def test_batch_command_keeps_the_contract(lines: list[bytes]) -> None:
    cli_contract(
        lambda: CliRunner().invoke(
            main,
            ["advise", "--batch", "-", "--today", TODAY, "--no-audit"],
            input=b"".join(lines),
            catch_exceptions=False,
        )
    )
