"""`rules check` on the shipped rule base and on one 100 times its size.

The large one is generated: 100 tracks (a new choice fact), each with a copy of every shipped
rule that also requires its track, so it checks clean too and has 1,000 rules.
Run: .venv/bin/python -m bench.rules
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

from engine.analysis import analyse
from engine.loader import DEFAULT_RULES_DIR, inspect_rule_base

COPIES = 100


def generate(target: Path, copies: int = COPIES) -> None:
    """Write a rule base with `copies` tracks of the shipped rules into `target`."""
    shutil.copytree(DEFAULT_RULES_DIR, target, ignore=shutil.ignore_patterns("tests"))
    tracks = [f"track_{number}" for number in range(copies)]
    facts = target / "facts.yaml"
    # A text that says a rule's number names the first track's copy of the rule.
    texts = re.sub(r"\{(\w+)\.(\w+)\}", rf"{{\1_{tracks[0]}.\2}}", facts.read_text())
    facts.write_text(
        texts.replace(
            "\nderived:",
            "\n  track:\n    type: choice\n    values: [" + ", ".join(tracks) + "]\n"
            f"    default: {tracks[0]}\n    question: Which track?\n\nderived:",
        )
    )
    advice = target / "advice.yaml"
    head, rules = advice.read_text().split("\nrules:\n")
    copies_text = []
    for track in tracks:
        text = re.sub(r"  - id: (\w+)", rf"  - id: \1_{track}", rules)
        text = text.replace("    when:\n", f"    when:\n      - track: {track}\n")
        copies_text.append(text)
    advice.write_text(head + "\nrules:\n" + "\n".join(copies_text))


def check_seconds(folder: Path | None) -> tuple[float, int, int]:
    start = time.perf_counter()
    inspection = inspect_rule_base(folder)
    assert inspection.rule_base is not None, inspection.problems[:3]
    problems = analyse(inspection.rule_base, inspection.documents["advice"].where(("decides",)))
    elapsed = time.perf_counter() - start
    return elapsed, len(inspection.rule_base.rules), len(problems)


def main() -> None:
    small, small_rules, small_problems = check_seconds(None)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name) / "rules"
        generate(folder)
        large, large_rules, large_problems = check_seconds(folder)
    print(f"shipped rule base: {small_rules:>5} rules, {small_problems} problems, {small:8.3f} s")
    print(
        f"generated (x{COPIES}): {large_rules:>5} rules, {large_problems} problems, "
        f"{large:8.3f} s  ({large / small:.0f}x the time for {large_rules / small_rules:.0f}x "
        "the rules)"
    )


if __name__ == "__main__":
    main()
