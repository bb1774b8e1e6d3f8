"""Timeline: the party's top office, its vacancies, the Second Secretaries, the troikas and the congresses in one chart.

Everything drawn comes from stored queries (queries/timeline/*.rq and queries/congresses.rq) run on the register;
matplotlib is imported only when a chart is drawn, so importing this module is cheap.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import InputError
from kg.paths import QUERIES_DIR
from kg.query import get_query, run

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TIMELINE_QUERIES_DIR = QUERIES_DIR / "timeline"
FIRST_YEAR, LAST_YEAR = 1898, 1991  # the register's span: the 1st Congress to the party's suspension
SUFFIXES = {".svg": "svg", ".png": "png"}
PNG_DPI = 150

# Sizes: inches for the figure, points for everything inside the axes (whose y axis counts points).
FIGURE_WIDTH = 16.0
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 1.25, 0.3, 0.75, 1.0
TOP_BAR, SECOND_BAR, TICK = 22.0, 16.0, 7.0
ROW, SMALL_ROW = 12.5, 11.0  # the height of one row of labels outside the bars
PAD, LANE_GAP, ZONE_GAP = 3.0, 16.0, 10.0
GAP = 2.5  # between a leader line and its text
TEXT_GAP = 8.0  # between two names on one row
TROIKA_GAP, CONGRESS_GAP = 24.0, 3.0  # between two troika labels, two congress ordinals
INNER_PAD = 3.0  # a name goes inside its bar only with this much room on each side
MIN_BAR = 2.0  # the narrowest bar drawn, so that five days (Ivashko, 1991) still show
NAME_SIZE, SMALL_SIZE = 8.5, 7.5
MIN_LABELLED_VACANCY = 30  # days; shorter vacancies (a day or two between a death and a plenum) go unlabelled
MAX_ARRANGEMENTS = 4096  # alignments tried for one group of crowded labels

TITLE_COLOURS = ("#7b3294", "#1b7837", "#b2182b", "#2166ac", "#e08214", "#542788")  # by first appearance
SECOND_COLOUR, SECOND_TEXT = "#b4bec8", "#1a1a1a"
VACANT_FACE, VACANT_HATCH = "#f2f2f2", "#8c8c8c"
TROIKA_COLOUR, LEADER_COLOUR, GRID_COLOUR = "#f2b701", "#7a7a7a", "#e6e6e6"
LABEL_STYLES: dict[str, dict[str, object]] = {
    "name": {"fontsize": NAME_SIZE, "color": "#1a1a1a"},
    "vacancy": {"fontsize": NAME_SIZE, "color": "#555555", "fontstyle": "italic"},
    "troika": {"fontsize": SMALL_SIZE, "color": "#6b5200"},
    "congress": {"fontsize": SMALL_SIZE, "color": "#333333"},
}


@dataclass(frozen=True)
class Span:
    """Something with a first and a last day: a tenure, a vacancy, a troika, or a congress (drawn at its start)."""

    key: str
    text: str
    start: datetime.date
    end: datetime.date
    kind: str = ""  # the title in force, for a top-office tenure
    acting: bool = False
    short: str = ""  # the holder's surname, for a bar too narrow for the whole name

    @property
    def name(self) -> str:
        """The text shown for the span: a tenure's holder is marked when acting."""
        return f"{self.text} (acting)" if self.acting else self.text


@dataclass(frozen=True)
class Window:
    """The years shown: from 1 January of the first to the end of 31 December of the last."""

    year_from: int
    year_to: int

    @property
    def start(self) -> datetime.date:
        """The first day shown."""
        return datetime.date(self.year_from, 1, 1)

    @property
    def end(self) -> datetime.date:
        """The day after the last day shown."""
        return datetime.date(self.year_to + 1, 1, 1)

    @property
    def days(self) -> int:
        """The width of the window in days."""
        return (self.end - self.start).days

    def x(self, day: datetime.date) -> float:
        """A day as the chart's x coordinate: days since the window's first day."""
        return float((day - self.start).days)

    def clip(self, span: Span) -> Span | None:
        """The span cut to the window, or None when no day of it is shown."""
        if span.end < self.start or span.start >= self.end:
            return None
        return replace(span, start=max(span.start, self.start), end=min(span.end, self.end))


@dataclass(frozen=True)
class TimelineData:
    """What the chart shows, as the stored queries return it, each list in order of start."""

    tenures: list[Span]
    vacancies: list[Span]
    seconds: list[Span]
    troikas: list[Span]
    congresses: list[Span]

    def clipped(self, window: Window) -> TimelineData:
        """Only what intersects the window, cut to it."""

        def keep(spans: list[Span]) -> list[Span]:
            return [clipped for clipped in map(window.clip, spans) if clipped is not None]

        return TimelineData(
            keep(self.tenures), keep(self.vacancies), keep(self.seconds), keep(self.troikas), keep(self.congresses)
        )


@dataclass
class Label:
    """A text on a row outside its bar or tick; the leader line runs at anchor (points from the axes' left edge)."""

    key: str
    text: str
    anchor: float
    width: float
    kind: str = "name"  # a key of LABEL_STYLES
    align: str = "left"  # left: the text starts right of the anchor; right: it ends left of it; center
    fixed: bool = False  # keep the alignment given
    gap: float = TEXT_GAP  # the least room between this text and another on its row
    row: int = 0

    def extent(self) -> tuple[float, float]:
        """The horizontal extent of the text, in points from the axes' left edge."""
        if self.align == "left":
            return self.anchor + GAP, self.anchor + GAP + self.width
        if self.align == "right":
            return self.anchor - GAP - self.width, self.anchor - GAP
        return self.anchor - self.width / 2, self.anchor + self.width / 2


@dataclass(frozen=True)
class Layout:
    """Where the lanes sit, in points from the bottom of the axes, given how many rows of labels each needs."""

    congress_rows: int
    second_rows: int
    top_rows: int
    troika_rows: int

    @property
    def congress_line(self) -> float:
        """The foot of the congress ticks (their labels hang below it)."""
        return PAD + self.congress_rows * SMALL_ROW + GAP

    @property
    def second_bottom(self) -> float:
        """The bottom of the Second Secretaries' bars (their outside labels hang below it)."""
        return self.congress_line + TICK + ZONE_GAP + self.second_rows * ROW + PAD

    @property
    def top_bottom(self) -> float:
        """The bottom of the top office's bars (their outside labels stand above them)."""
        return self.second_bottom + SECOND_BAR + LANE_GAP

    @property
    def top_edge(self) -> float:
        """The top of the top office's bars."""
        return self.top_bottom + TOP_BAR

    @property
    def troika_base(self) -> float:
        """The baseline of the first row of troika labels."""
        return self.top_edge + PAD + self.top_rows * ROW + ZONE_GAP

    @property
    def height(self) -> float:
        """The height of the axes."""
        return self.troika_base + self.troika_rows * SMALL_ROW + PAD


# ---------------------------------------------------------------- the register's answers


def check_window(year_from: int, year_to: int) -> Window:
    """The window of years to show; years outside the register's span or in the wrong order raise InputError."""
    for year in (year_from, year_to):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InputError(f"timeline year {year} is outside the register's span, {FIRST_YEAR}-{LAST_YEAR}")
    if year_from > year_to:
        raise InputError(f"timeline window {year_from}-{year_to} is empty: the first year is after the last")
    return Window(year_from, year_to)


def output_format(path: Path) -> str:
    """The image format named by the path's suffix (svg or png); any other suffix raises InputError."""
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"cannot write a timeline to {path}: the file name must end in .svg or .png")
    return SUFFIXES[path.suffix.lower()]


def slug(iri: object) -> str:
    """The last segment of an IRI: general-secretary-1 for .../tenure/general-secretary-1."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def day(value: datetime.date | str, last: bool = False) -> datetime.date:
    """A day from a date known to the day, the month (YYYY-MM) or the year (YYYY): its first day, or its last when
    last is true (a span known to the month is drawn over the whole month)."""
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31) if last else datetime.date(int(text), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        return datetime.date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    return datetime.date.fromisoformat(text)


def _rows(graph: Graph, name: str, directory: Path = TIMELINE_QUERIES_DIR) -> list[dict]:
    return run(get_query(name, directory), graph).dicts()


def _tenure(row: dict, kind: str = "") -> Span:
    return Span(
        slug(row["tenure"]),
        str(row["holderLabel"]),
        day(row["start"]),
        day(row["end"], last=True),
        kind,
        bool(row["acting"]),
        str(row["surname"]),
    )


def query_timeline(graph: Graph) -> TimelineData:
    """Run the timeline's stored queries on the register (asserted and inferred triples)."""
    return TimelineData(
        tenures=[_tenure(row, str(row["title"])) for row in _rows(graph, "top-office-tenures")],
        vacancies=[
            Span(f"vacancy-{row['start']}", "vacant", row["start"], row["end"])
            for row in _rows(graph, "top-office-vacancies")
        ],
        seconds=[_tenure(row) for row in _rows(graph, "second-secretary-tenures")],
        troikas=[
            Span(f"troika-{slug(row['troika'])}", str(row["troikaLabel"]), day(row["start"]), day(row["end"], True))
            for row in _rows(graph, "troikas")
        ],
        congresses=[
            Span(f"congress-{row['ordinal']}", str(row["ordinal"]), row["start"], row["start"])
            for row in _rows(graph, "congresses", QUERIES_DIR)
        ],
    )


def title_colours(tenures: list[Span]) -> dict[str, str]:
    """A colour for each title of the top office, in the order the titles came into use."""
    titles = dict.fromkeys(tenure.kind for tenure in tenures)
    return {title: TITLE_COLOURS[i % len(TITLE_COLOURS)] for i, title in enumerate(titles)}


# ---------------------------------------------------------------- label placement


def _overlap(a: Label, b: Label) -> bool:
    gap = max(a.gap, b.gap)
    return a.extent()[0] < b.extent()[1] + gap and b.extent()[0] < a.extent()[1] + gap


def _crosses(anchor: float, extent: tuple[float, float]) -> bool:
    return extent[0] - GAP <= anchor <= extent[1] + GAP


def fits(label: Label, row: int, placed: list[Label]) -> bool:
    """Whether the label can take this row: no text near its text, no leader line through a text."""
    for other in placed:
        if other.row == row and _overlap(label, other):
            return False
        if other.row >= row and _crosses(other.anchor, label.extent()):
            return False
        if other.row <= row and _crosses(label.anchor, other.extent()):
            return False
    return True


def runs_under(lower: Label, upper: Label) -> bool:
    """Whether lower's leader line would run through upper's text, so that lower needs the nearer row."""
    return lower is not upper and _crosses(lower.anchor, upper.extent())


def stacking_order(labels: list[Label]) -> list[Label] | None:
    """The labels, each after those whose leaders run under its text, else right to left; None if none works."""
    pending = sorted(labels, key=lambda label: -label.anchor)
    order = []
    while pending:
        label = next((label for label in pending if not any(runs_under(other, label) for other in pending)), None)
        if label is None:  # two labels face each other: each leader would cross the other's text
            return None
        order.append(label)
        pending.remove(label)
    return order


def stack(order: list[Label]) -> None:
    """Put each label, in order, on the nearest row where it fits (a new row if none)."""
    placed: list[Label] = []
    for label in order:
        rows = range(max((other.row + 1 for other in placed), default=0))
        label.row = next((row for row in rows if fits(label, row, placed)), len(rows))
        placed.append(label)


def alignments(label: Label, axes_width: float) -> list[str]:
    """The alignments to try for a label: those that keep its text inside the axes, left first."""
    if label.fixed or label.align == "center":
        return [label.align]
    inside = []
    for align in ("left", "right"):
        left, right = replace(label, align=align).extent()
        if left >= 0 and right <= axes_width:
            inside.append(align)
    return inside or [label.align]


def crowds(labels: list[Label]) -> list[list[Label]]:
    """The labels in groups that could touch under some alignment; each group is arranged on its own."""
    groups: list[list[Label]] = []
    reach_end = -math.inf
    for label in sorted(labels, key=lambda label: label.anchor - label.width - label.gap):
        reach = (label.anchor - label.width - GAP - label.gap, label.anchor + label.width + GAP + label.gap)
        if groups and reach[0] <= reach_end:
            groups[-1].append(label)
            reach_end = max(reach_end, reach[1])
        else:
            groups.append([label])
            reach_end = reach[1]
    return groups


def arrange(group: list[Label], axes_width: float) -> None:
    """Choose the alignments and rows of a group: fewest rows, then nearest rows, then left-aligned."""
    options = [alignments(label, axes_width) for label in group]
    if math.prod(len(option) for option in options) > MAX_ARRANGEMENTS:
        options = [option[:1] for option in options]
    best: tuple[tuple[int, int, int], list[Label]] | None = None
    for choice in itertools.product(*options):
        trial = [replace(label, align=align) for label, align in zip(group, choice, strict=True)]
        order = stacking_order(trial)
        if order is None:
            continue
        stack(order)
        rows = [label.row for label in trial]
        score = (max(rows), sum(rows), choice.count("right"))
        if best is None or score < best[0]:
            best = (score, trial)
    if best is None:  # no alignment avoids every crossing: keep the first, leaders may cross a text
        trial = [replace(label, align=option[0]) for label, option in zip(group, options, strict=True)]
        stack(sorted(trial, key=lambda label: -label.anchor))
        best = ((0, 0, 0), trial)
    for label, chosen in zip(group, best[1], strict=True):
        label.align, label.row = chosen.align, chosen.row


def place_in_rows(labels: list[Label], axes_width: float) -> int:
    """Give every label an alignment and a row so that no two texts overlap; return the number of rows used."""
    for group in crowds(labels):
        arrange(group, axes_width)
    return max((label.row + 1 for label in labels), default=0)


# ---------------------------------------------------------------- what goes inside and outside the bars


def bar_width(span: Span, window: Window, scale: float) -> float:
    """The drawn width of a bar in points (at least MIN_BAR)."""
    return max((window.x(span.end) - window.x(span.start)) * scale, MIN_BAR)


def middle(span: Span, window: Window) -> float:
    """The x coordinate of the middle of a span."""
    return (window.x(span.start) + window.x(span.end)) / 2


def inside_text(span: Span, room: float, measure: Callable[[str, float], float]) -> str | None:
    """The holder's name if it fits in the bar, else the surname if that fits, else None."""
    for text in (span.name, span.short):
        if text and measure(text, NAME_SIZE) + 2 * INNER_PAD <= room:
            return text
    return None


def outside_labels(
    spans: list[Span], window: Window, scale: float, measure: Callable[[str, float], float], kind: str = "name"
) -> list[Label]:
    """Labels for the bars too narrow to hold even the holder's surname, anchored at the middle of the bar."""
    return [
        Label(span.key, span.name, middle(span, window) * scale, measure(span.name, NAME_SIZE), kind)
        for span in spans
        if inside_text(span, bar_width(span, window, scale), measure) is None
    ]


def point_labels(
    spans: list[Span],
    window: Window,
    scale: float,
    measure: Callable[[str, float], float],
    kind: str,
    align: str,
    gap: float,
) -> list[Label]:
    """Labels anchored at the start of each span: troikas (left-aligned) and congresses (centred)."""
    return [
        Label(span.key, span.text, window.x(span.start) * scale, measure(span.text, SMALL_SIZE), kind, align, True, gap)
        for span in spans
    ]


def keep_inside(labels: list[Label], axes_width: float) -> list[Label]:
    """Right-align fixed left-aligned labels that would run past the axes' right edge."""
    for label in labels:
        if label.align == "left" and label.extent()[1] > axes_width:
            label.align = "right"
    return labels


# ---------------------------------------------------------------- drawing


def new_figure() -> Figure:
    """An empty figure on the Agg canvas (no pyplot, so nothing is kept in a global figure registry)."""
    import matplotlib
    from pyparsing import ParserElement

    # matplotlib's mathtext turns on pyparsing's packrat memo for every grammar of the process as it is imported;
    # rdflib's SPARQL parser, a pyparsing grammar too, then parses 2.3x slower (measured: pyshacl's SPARQL-based
    # shapes 5.1 s -> 11.9 s), and `cpsu-kg docs` parses its queries after drawing. Our labels have no mathtext.
    packrat_was_on = getattr(ParserElement, "_packratEnabled", False)
    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not packrat_was_on:
        ParserElement.disable_memoization()
    figure = Figure(figsize=(FIGURE_WIDTH, 6.0), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def text_measure(figure: Figure) -> Callable[[str, float], float]:
    """A function giving the width in points of a text at a font size, as the figure's renderer draws it."""
    from matplotlib.font_manager import FontProperties

    renderer = figure.canvas.get_renderer()

    def measure(text: str, size: float) -> float:
        width, _height, _descent = renderer.get_text_width_height_descent(text, FontProperties(size=size), False)
        return width * 72.0 / figure.dpi

    return measure


def axes_width() -> float:
    """The width of the axes in points."""
    return (FIGURE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) * 72.0


def points_per_day(window: Window) -> float:
    """How many points of the axes' width one day takes."""
    return axes_width() / window.days


def add_bar(ax: Axes, span: Span, window: Window, bottom: float, height: float, gid: str, **style: object) -> None:
    """A rectangle for a span, at least MIN_BAR wide, with an id in the SVG."""
    from matplotlib.patches import Rectangle

    scale = points_per_day(window)
    bar = Rectangle((window.x(span.start), bottom), bar_width(span, window, scale) / scale, height, **style)
    bar.set_gid(gid)
    ax.add_patch(bar)


def draw_tenures(
    ax: Axes, spans: list[Span], window: Window, bottom: float, height: float, colours: dict[str, str]
) -> None:
    """One bar per tenure, coloured by the title in force, hatched when acting, with the gid tenure-<id>."""
    for span in spans:
        add_bar(
            ax,
            span,
            window,
            bottom,
            height,
            f"tenure-{span.key}",
            facecolor=colours.get(span.kind, SECOND_COLOUR),
            edgecolor="white",
            linewidth=0.6,
            hatch="////" if span.acting else None,
            zorder=2,
        )


def draw_vacancies(ax: Axes, spans: list[Span], window: Window, bottom: float, height: float) -> None:
    """A hatched grey bar for each time the top office had no holder."""
    for span in spans:
        add_bar(
            ax,
            span,
            window,
            bottom,
            height,
            span.key,
            facecolor=VACANT_FACE,
            edgecolor=VACANT_HATCH,
            linewidth=0.6,
            hatch="xxx",
            zorder=2,
        )


def draw_inside_names(
    ax: Axes,
    spans: list[Span],
    window: Window,
    centre: float,
    measure: Callable[[str, float], float],
    kind: str = "name",
    colour: str = "white",
) -> None:
    """The holder's name (or surname) centred in each bar wide enough to hold it."""
    scale = points_per_day(window)
    style = {**LABEL_STYLES[kind], "color": colour}
    for span in spans:
        text = inside_text(span, bar_width(span, window, scale), measure)
        if text is not None:
            artist = ax.text(middle(span, window), centre, text, ha="center", va="center", zorder=3, **style)
            artist.set_gid(f"{'name-' if kind == 'name' else 'label-'}{span.key}")


def draw_outside_labels(
    ax: Axes, labels: list[Label], scale: float, edge: float, first_row: float, step: float, leaders: bool = True
) -> None:
    """Labels on staggered rows beside a lane (step > 0: above it, < 0: below), with leader lines to the lane."""
    for label in labels:
        base = first_row + label.row * step
        prefix = "name-" if label.kind == "name" else "label-"
        artist = ax.text(
            label.extent()[0] / scale,
            base,
            label.text,
            ha="left",
            va="bottom" if step > 0 else "top",
            zorder=3,
            **LABEL_STYLES[label.kind],
        )
        artist.set_gid(f"{prefix}{label.key}")
        if leaders and (label.row > 0 or label.align != "center"):
            tip = base + 0.4 * step
            ax.plot([label.anchor / scale] * 2, [edge, tip], color=LEADER_COLOUR, linewidth=0.6, zorder=2.5)


def draw_troikas(
    ax: Axes, spans: list[Span], labels: list[Label], window: Window, bottom: float, label_base: float
) -> None:
    """A translucent band across the lanes for each troika, reaching up to its label."""
    from matplotlib.patches import Rectangle

    rows = {label.key: label.row for label in labels}
    for span in spans:
        top = label_base + rows[span.key] * SMALL_ROW
        band = Rectangle(
            (window.x(span.start), bottom),
            window.x(span.end) - window.x(span.start),
            top - bottom,
            facecolor=TROIKA_COLOUR,
            alpha=0.18,
            linewidth=0,
            zorder=0.5,
        )
        band.set_gid(span.key)
        ax.add_patch(band)


def draw_congresses(ax: Axes, spans: list[Span], window: Window, line: float) -> None:
    """A tick for each congress at its opening day."""
    xs = [window.x(span.start) for span in spans]
    ax.vlines(xs, line, line + TICK, color="#333333", linewidth=1.0, zorder=2, gid="congresses")


def year_step(window: Window) -> int:
    """The years between two labelled ticks: more labels for narrower windows."""
    years = window.year_to - window.year_from
    return 10 if years > 80 else 5 if years > 30 else 2 if years > 12 else 1


def style_axes(ax: Axes, window: Window, layout: Layout, lanes: dict[str, float]) -> None:
    """Year ticks and grid on x, the lanes' names on y, no frame but the time axis."""
    step = year_step(window)
    years = range(window.year_from, window.year_to + 2)  # the last tick is the end of the window
    major = [year for year in years[:-1] if year % step == 0]
    ax.set_xlim(0, window.days)
    ax.set_ylim(0, layout.height)
    ax.set_xticks([window.x(datetime.date(year, 1, 1)) for year in major], labels=[str(year) for year in major])
    ax.set_xticks([window.x(datetime.date(year, 1, 1)) for year in years], minor=True)
    ax.set_yticks(list(lanes.values()), labels=list(lanes))
    ax.tick_params(axis="y", length=0, labelsize=9)
    ax.tick_params(axis="x", labelsize=8.5)
    ax.grid(axis="x", which="major", color=GRID_COLOUR, linewidth=0.7, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def draw_legend(figure: Figure, colours: dict[str, str], data: TimelineData) -> None:
    """The legend below the chart: the titles of the top office shown, then what the other marks shown mean."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    titles = dict.fromkeys(tenure.kind for tenure in data.tenures)
    marks = [
        (
            any(span.acting for span in data.tenures + data.seconds),
            "acting",
            {"facecolor": "white", "edgecolor": "#555555", "hatch": "////"},
        ),
        (
            bool(data.vacancies),
            "vacant (no holder)",
            {"facecolor": VACANT_FACE, "edgecolor": VACANT_HATCH, "hatch": "xxx"},
        ),
        (bool(data.seconds), "Second Secretary", {"facecolor": SECOND_COLOUR}),
        (bool(data.troikas), "troika (collective leadership)", {"facecolor": TROIKA_COLOUR, "alpha": 0.3}),
    ]
    handles = [Patch(facecolor=colours[title], label=title) for title in titles]
    handles += [Patch(label=label, **style) for shown, label, style in marks if shown]
    if data.congresses:
        label = "party congress (ordinal)"
        handles.append(Line2D([], [], color="#333333", marker="|", linestyle="none", markersize=8, label=label))
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=5,
        frameon=False,
        fontsize=8,
        handlelength=2.2,
        columnspacing=1.6,
    )


def draw_titles(figure: Figure, window: Window) -> None:
    """The chart's title and subtitle, above the axes."""
    height = figure.get_figheight()
    left = MARGIN_LEFT / FIGURE_WIDTH
    title = f"Leaders of the Communist Party of the Soviet Union, {window.year_from}\u2013{window.year_to}"
    figure.text(left, 1 - 0.22 / height, title, fontsize=12.5, fontweight="bold", va="top")
    subtitle = (
        "The party's top office under each of its titles, the Second Secretaries, the troikas and the "
        "congresses \u2014 from the cpsu-kg register"
    )
    figure.text(left, 1 - 0.45 / height, subtitle, fontsize=8.5, color="#555555", va="top")


@dataclass(frozen=True)
class LabelPlan:
    """The labels outside the bars, lane by lane, with their rows and alignments chosen."""

    top: list[Label]
    second: list[Label]
    troikas: list[Label]
    congresses: list[Label]
    long_vacancies: list[Span]

    def layout(self) -> Layout:
        """Where the lanes go, given how many rows each lane's labels take."""
        width = axes_width()
        rows = (place_in_rows(labels, width) for labels in (self.congresses, self.second, self.top, self.troikas))
        return Layout(*rows)


def plan_labels(data: TimelineData, window: Window, measure: Callable[[str, float], float]) -> LabelPlan:
    """The labels that do not fit in their bars, and those of the troikas and congresses."""
    scale, width = points_per_day(window), axes_width()
    long_vacancies = [span for span in data.vacancies if (span.end - span.start).days >= MIN_LABELLED_VACANCY]
    return LabelPlan(
        top=outside_labels(data.tenures, window, scale, measure)
        + outside_labels(long_vacancies, window, scale, measure, "vacancy"),
        second=outside_labels(data.seconds, window, scale, measure),
        troikas=keep_inside(point_labels(data.troikas, window, scale, measure, "troika", "left", TROIKA_GAP), width),
        congresses=point_labels(data.congresses, window, scale, measure, "congress", "center", CONGRESS_GAP),
        long_vacancies=long_vacancies,
    )


def add_axes(figure: Figure, layout: Layout, window: Window, has_troikas: bool) -> Axes:
    """Size the figure to the layout and add the chart's axes, styled, with the lanes named."""
    height = layout.height / 72.0 + MARGIN_TOP + MARGIN_BOTTOM
    figure.set_size_inches(FIGURE_WIDTH, height)
    box = (MARGIN_LEFT / FIGURE_WIDTH, MARGIN_BOTTOM / height, axes_width() / 72.0 / FIGURE_WIDTH)
    ax = figure.add_axes((*box, layout.height / 72.0 / height))
    lanes = {
        "Top office": layout.top_bottom + TOP_BAR / 2,
        "Second Secretary": layout.second_bottom + SECOND_BAR / 2,
        "Congresses": layout.congress_line + TICK / 2,
    }
    if has_troikas:
        lanes["Troikas"] = layout.troika_base + SMALL_ROW / 2
    style_axes(ax, window, layout, lanes)
    return ax


def draw_marks(
    ax: Axes,
    data: TimelineData,
    plan: LabelPlan,
    layout: Layout,
    window: Window,
    colours: dict[str, str],
    measure: Callable[[str, float], float],
) -> None:
    """Draw the bands, bars, ticks and labels of the chart."""
    scale = points_per_day(window)
    top_middle, second_middle = layout.top_bottom + TOP_BAR / 2, layout.second_bottom + SECOND_BAR / 2
    draw_troikas(ax, data.troikas, plan.troikas, window, layout.congress_line + TICK + PAD, layout.troika_base)
    draw_vacancies(ax, data.vacancies, window, layout.top_bottom, TOP_BAR)
    draw_tenures(ax, data.tenures, window, layout.top_bottom, TOP_BAR, colours)
    draw_tenures(ax, data.seconds, window, layout.second_bottom, SECOND_BAR, {})
    draw_congresses(ax, data.congresses, window, layout.congress_line)
    draw_inside_names(ax, data.tenures, window, top_middle, measure)
    draw_inside_names(ax, plan.long_vacancies, window, top_middle, measure, "vacancy", "#444444")
    draw_inside_names(ax, data.seconds, window, second_middle, measure, colour=SECOND_TEXT)
    draw_outside_labels(ax, plan.top, scale, layout.top_edge, layout.top_edge + PAD, ROW)
    draw_outside_labels(ax, plan.second, scale, layout.second_bottom, layout.second_bottom - PAD, -ROW)
    draw_outside_labels(ax, plan.troikas, scale, layout.troika_base, layout.troika_base, SMALL_ROW, leaders=False)
    draw_outside_labels(ax, plan.congresses, scale, layout.congress_line, layout.congress_line - GAP, -SMALL_ROW)


def timeline_figure(graph: Graph, year_from: int = 1917, year_to: int = 1991) -> Figure:
    """The timeline of the years year_from..year_to as a matplotlib figure, drawn from the register's queries."""
    window = check_window(year_from, year_to)
    everything = query_timeline(graph)
    colours = title_colours(everything.tenures)  # before clipping, so that a title keeps its colour in any window
    data = everything.clipped(window)
    figure = new_figure()
    measure = text_measure(figure)
    plan = plan_labels(data, window, measure)
    layout = plan.layout()
    ax = add_axes(figure, layout, window, bool(data.troikas))
    draw_marks(ax, data, plan, layout, window, colours, measure)
    draw_titles(figure, window)
    draw_legend(figure, colours, data)
    return figure


def draw_timeline(graph: Graph, path: Path, year_from: int = 1917, year_to: int = 1991) -> Path:
    """Draw the timeline of the years year_from..year_to from the register; write SVG or PNG by the path's suffix."""
    path = Path(path)
    output_format(path)
    return save_figure(timeline_figure(graph, year_from, year_to), path)


def save_figure(figure: Figure, path: Path) -> Path:
    """Write a figure as SVG or PNG by the path's suffix, byte-stable from one run to the next."""
    import matplotlib

    image_format = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # svg.fonttype none keeps the names as searchable <text>; the salt and the missing date make the SVG reproducible
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cpsu-kg"}):
        metadata = {"Date": None} if image_format == "svg" else {"Software": None}
        figure.savefig(path, format=image_format, dpi=PNG_DPI, metadata=metadata)
    return path
