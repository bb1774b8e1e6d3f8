"""Membership chart of a leading body: one row per person, sorted by entry, a bar per spell (`timeline --body`).

Full and candidate spells (secretaries and members of the Secretariat) in two shades of one colour, spells no
source ends drawn to the member's death or the body's end and hatched, the party leader's terms outlined on the
leader's row, the congresses as ticks. A4 landscape in width, as tall as the body's membership needs; the SVG keeps
every name as text. Everything drawn comes from stored queries (queries/timeline/body-spells.rq,
top-office-tenures.rq and queries/congresses.rq).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg.errors import InputError
from kg.paths import QUERIES_DIR
from kg.query import get_query, run
from kg.timeline import TIMELINE_QUERIES_DIR, check_window, day, new_figure, output_format, save_figure, slug

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BODIES = ("politburo", "secretariat", "orgburo")
WIDTH = 11.69  # inches: A4 landscape
NAMES, RIGHT, TOP, BOTTOM = 1.7, 0.25, 0.75, 0.55  # margins, inches
ROW = 7.5  # points per person
NAME_SIZE = 5.5
ROLE_COLOURS = {"full": "#8c1c13", "candidate": "#f1a7a0", "secretary": "#1f4e79",
                "member of the Secretariat": "#9dc3e6"}
LEADER_EDGE, CONGRESS_COLOUR = "#111111", "#bbbbbb"


@dataclass(frozen=True)
class Spell:
    """One bar: a person's spell in the body, with its role and whether a source dates its end."""

    spell: str
    person: str
    name: str
    role: str
    start: datetime.date
    end: datetime.date
    documented_end: bool


def body_spells(store: pyoxigraph.Store, body: str) -> tuple[str, list[Spell]]:
    """The body's English name and every spell in it, from the stored query."""
    if body not in BODIES:
        raise InputError(f"--body expects one of {', '.join(BODIES)}, got {body!r}")
    rows = run(get_query("body-spells", TIMELINE_QUERIES_DIR), store, {"body": body}).dicts()
    spells = [Spell(slug(row["spell"]), str(row["person"]), str(row["personLabel"]), str(row["role"]),
                    day(row["start"]), day(row["end"], last=True), bool(row["documentedEnd"])) for row in rows]
    return (str(rows[0]["bodyLabel"]) if rows else body), spells


def people_by_entry(spells: list[Spell]) -> list[tuple[str, str]]:
    """The persons of the body as (IRI, name), by their first day in it, then by name."""
    first: dict[str, tuple[datetime.date, str]] = {}
    for spell in spells:
        if spell.person not in first or spell.start < first[spell.person][0]:
            first[spell.person] = (spell.start, spell.name)
    return [(person, name) for person, (_, name) in sorted(first.items(), key=lambda item: (item[1][0], item[1][1]))]


def congress_days(store: pyoxigraph.Store) -> dict[int, datetime.date]:
    """The opening day of each congress, by number."""
    rows = run(get_query("congresses", QUERIES_DIR), store).dicts()
    return {int(row["ordinal"]): day(row["start"]) for row in rows if row["start"] is not None}


def _x(date: datetime.date) -> float:
    return date.toordinal()


def _bar(ax: Axes, start: datetime.date, end: datetime.date, row: int, gid: str, **style: object) -> None:
    from matplotlib.patches import Rectangle

    width = max(_x(end) - _x(start) + 1, 20)  # at least three weeks wide, so a short spell still shows
    bar = Rectangle((_x(start), row - 0.38), width, 0.76, **style)
    bar.set_gid(gid)
    ax.add_patch(bar)


def draw_body(ax: Axes, spells: list[Spell], rows: dict[str, int], leaders: list[dict],
              congresses: dict[int, datetime.date]) -> None:
    """The bars, the leader's outlines and the congress ticks."""
    for opened in congresses.values():
        ax.axvline(_x(opened), color=CONGRESS_COLOUR, linewidth=0.4, zorder=0)
    for spell in spells:
        _bar(ax, spell.start, spell.end, rows[spell.person], f"spell-{spell.spell}", facecolor=ROLE_COLOURS[spell.role],
             edgecolor="none", hatch=None if spell.documented_end else "////", zorder=2)
    for term in leaders:
        holder = str(term["holder"])
        if holder in rows:
            _bar(ax, day(term["start"]), day(term["end"], last=True), rows[holder], f"leader-{slug(term['tenure'])}",
                 facecolor="none", edgecolor=LEADER_EDGE, linewidth=0.9, zorder=3)


def style_body_axes(ax: Axes, people: list[tuple[str, str]], window: tuple[int, int],
                    congresses: dict[int, datetime.date]) -> None:
    """Names on the left, years below, congress numbers above."""
    ax.set_xlim(_x(datetime.date(window[0], 1, 1)), _x(datetime.date(window[1], 12, 31)))
    ax.set_ylim(len(people) - 0.5, -0.5)
    ax.set_yticks(range(len(people)), [name for _, name in people], fontsize=NAME_SIZE)
    years = range(window[0] - window[0] % 5 + 5 if window[0] % 5 else window[0], window[1] + 1, 5)
    ax.set_xticks([_x(datetime.date(year, 1, 1)) for year in years], [str(year) for year in years], fontsize=7)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    top = ax.secondary_xaxis("top")
    shown = {number: opened for number, opened in congresses.items() if window[0] <= opened.year <= window[1]}
    top.set_xticks([_x(opened) for opened in shown.values()], [str(number) for number in shown], fontsize=5.5)
    top.tick_params(length=2, colors="#777777")
    top.spines["top"].set_visible(False)


def draw_legend(figure: Figure, roles: list[str], leader: bool, body_name: str, window: tuple[int, int]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=ROLE_COLOURS[role], label=role) for role in roles]
    handles.append(Patch(facecolor="#cccccc", hatch="////", label="no source dates the end: drawn to death"))
    if leader:
        handles.append(Patch(facecolor="none", edgecolor=LEADER_EDGE, label="leading the party (top office)"))
    height = figure.get_figheight()
    figure.legend(handles=handles, loc="upper left", ncol=len(handles), fontsize=6, frameon=False,
                  bbox_to_anchor=(NAMES / WIDTH - 0.01, 1 - 0.3 / height))
    figure.text(NAMES / WIDTH, 1 - 0.12 / height,
                f"{body_name}: members {window[0]}–{window[1]} (ticks above: party congresses)", fontsize=9,
                va="top")


def body_figure(store: pyoxigraph.Store, body: str, year_from: int = 1917, year_to: int = 1991) -> Figure:
    """The membership chart of a body over year_from..year_to, as a matplotlib figure."""
    check_window(year_from, year_to)
    body_name, everything = body_spells(store, body)
    first, last = datetime.date(year_from, 1, 1), datetime.date(year_to, 12, 31)
    spells = [spell for spell in everything if spell.start <= last and spell.end >= first]
    if not spells:
        raise InputError(f"the register has no member of the {body} between {year_from} and {year_to}")
    people = people_by_entry(spells)
    rows = {person: row for row, (person, _) in enumerate(people)}
    leaders = run(get_query("top-office-tenures", TIMELINE_QUERIES_DIR), store).dicts()
    congresses = congress_days(store)
    figure = new_figure()
    height = len(people) * ROW / 72 + TOP + BOTTOM
    figure.set_size_inches(WIDTH, height)
    box = (NAMES / WIDTH, BOTTOM / height, (WIDTH - NAMES - RIGHT) / WIDTH, len(people) * ROW / 72 / height)
    ax = figure.add_axes(box)
    draw_body(ax, spells, rows, leaders, congresses)
    style_body_axes(ax, people, (year_from, year_to), congresses)
    roles = [role for role in ROLE_COLOURS if any(spell.role == role for spell in spells)]
    draw_legend(figure, roles, any(str(term["holder"]) in rows for term in leaders), body_name, (year_from, year_to))
    return figure


def draw_body_timeline(store: pyoxigraph.Store, body: str, path: Path, year_from: int = 1917,
                       year_to: int = 1991) -> Path:
    """Draw a body's membership chart; write SVG or PNG by the path's suffix."""
    path = Path(path)
    output_format(path)
    return save_figure(body_figure(store, body, year_from, year_to), path)
