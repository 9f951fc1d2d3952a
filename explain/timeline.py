"""A timeline a job seeker reads at a glance: a calendar strip from the interview to the day
to follow up, with their decision date, earlier follow-ups, today and days off, in words.

The rule graph is for coaches and auditors; this picture is for the person who asked. It is
drawn by Graphviz (neato) with every box pinned in place, so svg, png and pdf come from one
description and Graphviz escapes every label. Graphviz loads only when a picture is drawn.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from engine.answer import Answer
from engine.dates import WEEKDAYS, WEEKEND, Calendar
from engine.facts import case_calendar
from engine.model import RuleBase
from engine.templates import render_with

from .dpi import TIMELINE_DPI
from .render import PICTURE_FORMATS, graphviz_format, quiet_graphviz, set_dpi

# The strip's geometry, in points (1/72 inch).
DAY_WIDTH = 30
DAY_HEIGHT = 34
LABEL_STEP = 30
# About the width of a character of the 12-point labels, to size their boxes.
CHARACTER_WIDTH = 6.3
# Beyond this many days the strip would be unreadable: it starts later.
MOST_DAYS = 63
ADVISED_FILL = "#1b7837"
DAY_OFF_FILL = "#d9d9d9"
WORKING_FILL = "#ffffff"


@dataclass(frozen=True)
class Mark:
    """One day named on the strip: which, and what happens on it."""

    day: datetime.date
    words: str
    advised: bool = False
    today: bool = False


def marks(rule_base: RuleBase, answer: Answer) -> list[Mark]:
    """The days worth naming, in order: those the rule base's timeline names (interview,
    follow-ups sent, decision), today, and the advised day, in the rule base's words."""
    values = answer.outcome.values
    timeline = rule_base.timeline
    found = [
        Mark(day, words)
        for name, words in timeline.days
        if isinstance(day := values.get(name), datetime.date)
    ]
    found.append(Mark(answer.today, timeline.today, today=True))
    if answer.follow_up_on is not None:
        action = rule_base.actions[answer.action]
        words = action.timeline_label or rule_base.facts[rule_base.goal].value_words(answer.action)
        found.append(Mark(answer.follow_up_on, words, advised=True))
    return sorted(found, key=lambda mark: mark.day)


def timeline_picture(
    rule_base: RuleBase, answer: Answer, fmt: str, dpi: int = TIMELINE_DPI
) -> bytes:
    """The timeline drawn as svg, png (at `dpi` pixels per inch) or pdf."""
    if fmt not in PICTURE_FORMATS:
        raise ValueError(f"not a picture format: {fmt}")
    drawing = _drawing(rule_base, case_calendar(rule_base, answer.outcome.values), answer)
    set_dpi(drawing, fmt, dpi)
    with quiet_graphviz():
        data = drawing.draw(format=graphviz_format(fmt), prog="neato")
    return bytes(data)


def _days(found: list[Mark]) -> list[datetime.date]:
    first, last = found[0].day, found[-1].day
    first = max(first, last - datetime.timedelta(days=MOST_DAYS - 1))
    # A day either side, so the first and last marks are not at the very edge.
    first -= datetime.timedelta(days=1)
    last += datetime.timedelta(days=1)
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _drawing(rule_base: RuleBase, calendar: Calendar, answer: Answer) -> Any:
    import pygraphviz  # noqa: PLC0415 - Graphviz loads only when a picture is asked for

    found = marks(rule_base, answer)
    days = _days(found)
    drawing = pygraphviz.AGraph(directed=False, name="timeline")
    drawing.graph_attr.update(
        fontname="Helvetica", outputorder="edgesfirst", splines="line", pad="0.3", overlap="true"
    )
    drawing.node_attr.update(fontname="Helvetica", fontsize="11", fixedsize="true")
    lowest = _strip(drawing, days, calendar, found)
    holidays = [
        Mark(day, render_with(rule_base.timeline.holiday, {"holiday": why}))
        for day in days
        if (why := calendar.day_off(day)) is not None and why != WEEKEND
    ]
    shown = sorted(
        [mark for mark in found if days[0] <= mark.day <= days[-1]] + holidays,
        key=lambda mark: mark.day,
    )
    _labels(drawing, days[0], shown, lowest)
    _title(
        drawing, answer, rule_base.timeline.key, len(days), lowest - 10 - len(shown) * LABEL_STEP
    )
    return drawing


def _pos(x: float, y: float) -> str:
    """A pinned position: Graphviz takes it in inches; this module works in points."""
    return f"{x / 72:.3f},{y / 72:.3f}!"


def _x(start: datetime.date, day: datetime.date) -> float:
    return (day - start).days * DAY_WIDTH + DAY_WIDTH / 2


def _strip(drawing: Any, days: list[datetime.date], calendar: Calendar, found: list[Mark]) -> int:
    """One box a day, days off shaded, the advised day filled; month names above."""
    advised = {mark.day for mark in found if mark.advised}
    today = {mark.day for mark in found if mark.today}
    y = 0
    for day in days:
        fill = DAY_OFF_FILL if calendar.day_off(day) is not None else WORKING_FILL
        attributes = {
            "shape": "box",
            "style": "filled",
            "fillcolor": fill,
            "color": "#777777",
            "width": str(DAY_WIDTH / 72),
            "height": str(DAY_HEIGHT / 72),
            "label": f"{WEEKDAYS[day.weekday()][:2].capitalize()}\\n{day.day}",
            "fontsize": "10",
            "pos": _pos(_x(days[0], day), y),
        }
        if day in advised:
            attributes.update(fillcolor=ADVISED_FILL, fontcolor="white", penwidth="2")
        if day in today:
            attributes.update(color="#08306b", penwidth="3")
        drawing.add_node(f"day{day.isoformat()}", **attributes)
        if day.day == 1 or day == days[0]:
            drawing.add_node(
                f"month{day.isoformat()}",
                shape="plaintext",
                label=f"{day:%B %Y}",
                width="1.4",
                height="0.25",
                fontsize="11",
                pos=_pos(_x(days[0], day) - DAY_WIDTH / 2 + 50, y + DAY_HEIGHT),
            )
    return y - DAY_HEIGHT


def _labels(drawing: Any, start: datetime.date, found: list[Mark], top: int) -> None:
    """Each mark in words under its day, stepped down so neighbours never overlap."""
    for row, mark in enumerate(found):
        name = f"mark{row}"
        x = _x(start, mark.day)
        y = top - 10 - row * LABEL_STEP
        when = f"{WEEKDAYS[mark.day.weekday()].capitalize()} {mark.day.day} {mark.day:%B}"
        label = f"{mark.words}: {when}"
        width = len(label) * CHARACTER_WIDTH + 8
        drawing.add_node(
            name,
            shape="plaintext",
            style="filled",
            fillcolor="white",
            label=label,
            fixedsize="false",  # grows, rather than clips, where the estimate falls short
            width=str(width / 72),
            height="0.3",
            fontsize="12",
            fontcolor=ADVISED_FILL if mark.advised else "#1d2430",
            pos=_pos(x + 6 + width / 2, y),
        )
        drawing.add_node(f"{name}dot", shape="point", width="0.08", pos=_pos(x, y))
        drawing.add_edge(f"{name}dot", f"day{mark.day.isoformat()}", color="#777777")
        drawing.add_edge(f"{name}dot", name, style="invis")


def _title(drawing: Any, answer: Answer, key: str, count: int, bottom: int) -> None:
    drawing.add_node(
        "title",
        shape="plaintext",
        label=answer.headline,
        fixedsize="false",
        width=str(max(count * DAY_WIDTH, 400) / 72),
        height="0.35",
        fontsize="15",
        pos=_pos(max(count * DAY_WIDTH, 400) / 2, DAY_HEIGHT + 40),
    )
    if not key:
        return
    drawing.add_node(
        "key",
        shape="plaintext",
        label=key,
        fixedsize="false",
        width="4.5",
        height="0.3",
        fontsize="10",
        fontcolor="#5b6472",
        pos=_pos(162, bottom),
    )
