"""Timeline: the party's top office, its vacancies, the Second Secretaries, the troikas and the congresses in one chart.

Everything drawn comes from stored queries (queries/timeline/*.rq and queries/congresses.rq) run on the register;
matplotlib is imported only when a chart is drawn, so importing this module is cheap.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import InputError
from kg.query import QUERIES_DIR, get_query, run

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

TIMELINE_QUERIES_DIR = QUERIES_DIR / "timeline"
FIRST_YEAR, LAST_YEAR = 1898, 1991  # the register's span: the 1st Congress to the party's suspension
SUFFIXES = {".svg": "svg", ".png": "png"}
PNG_DPI = 150

# Sizes: inches for the figure, points for everything inside the axes (whose y axis counts points).
FIGURE_WIDTH = 16.0
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 1.25, 0.3, 0.75, 1.0
TOP_BAR, SECOND_BAR, TICK = 22.0, 16.0, 7.0
ROW, SMALL_ROW = 12.5, 11.0  # height of one row of labels outside the bars
PAD, LANE_GAP, ZONE_GAP = 3.0, 16.0, 10.0
GAP = 2.5  # between a leader line and its text, and between two texts in a row
INNER_PAD = 4.0  # a name goes inside its bar only with this much room on each side
MIN_BAR = 2.0  # the narrowest bar drawn, so that five days (Ivashko, 1991) still show
NAME_SIZE, SMALL_SIZE = 8.5, 7.5
MIN_LABELLED_VACANCY = 30  # days; shorter vacancies (a day or two between a death and a plenum) are drawn unlabelled

TITLE_COLOURS = ("#7b3294", "#1b7837", "#b2182b", "#2166ac", "#e08214", "#542788")  # by first appearance
SECOND_COLOUR, SECOND_TEXT = "#b4bec8", "#1a1a1a"
VACANT_FACE, VACANT_HATCH = "#f2f2f2", "#8c8c8c"
TROIKA_COLOUR, LEADER_COLOUR, GRID_COLOUR = "#f2b701", "#7a7a7a", "#e6e6e6"


@dataclass(frozen=True)
class Span:
    """Something with a first and a last day: a tenure, a vacancy, a troika, or a congress (drawn at its start)."""

    key: str
    text: str
    start: datetime.date
    end: datetime.date
    kind: str = ""  # the title in force, for a top-office tenure
    acting: bool = False


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
        """A day as the x coordinate of the chart: days since the window's first day."""
        return float((day - self.start).days)

    def clip(self, span: Span) -> Span | None:
        """The span cut to the window, or None when no day of it is shown."""
        if span.end < self.start or span.start >= self.end:
            return None
        return replace(span, start=max(span.start, self.start), end=min(span.end, self.end))


@dataclass(frozen=True)
class TimelineData:
    """What the chart shows, as the stored queries return it, in order of start."""

    tenures: list[Span]
    vacancies: list[Span]
    seconds: list[Span]
    troikas: list[Span]
    congresses: list[Span]

    def clipped(self, window: Window) -> TimelineData:
        """Only what intersects the window, cut to it."""

        def keep(spans: list[Span]) -> list[Span]:
            return [clipped for clipped in (window.clip(span) for span in spans) if clipped is not None]

        return TimelineData(
            *(keep(spans) for spans in (self.tenures, self.vacancies, self.seconds, self.troikas, self.congresses))
        )


@dataclass
class Label:
    """A text outside a bar or tick; the leader line runs at anchor (points from the axes' left edge)."""

    key: str
    text: str
    anchor: float
    width: float
    align: str = "left"  # left: the text starts right of the anchor; right: it ends left of it; center
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
    def troika_base(self) -> float:
        """The baseline of the first row of troika labels."""
        return self.top_bottom + TOP_BAR + PAD + self.top_rows * ROW + ZONE_GAP

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
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"cannot write a timeline to {path}: the file name must end in .svg or .png")
    return SUFFIXES[suffix]


def slug(iri: object) -> str:
    """The last segment of an IRI: general-secretary-1 for .../tenure/general-secretary-1."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def day(text: str, last: bool = False) -> datetime.date:
    """A day from an xsd:date, or from a bare year: its first day (its last when last is true)."""
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31) if last else datetime.date(int(text), 1, 1)
    return datetime.date.fromisoformat(text)


def _rows(graph: Graph, name: str, directory: Path = TIMELINE_QUERIES_DIR) -> list[dict[str, object]]:
    return run(get_query(name, directory), graph).dicts()


def query_timeline(graph: Graph) -> TimelineData:
    """Run the timeline's stored queries on the register (asserted and inferred triples)."""
    tenures = [
        Span(slug(r["tenure"]), str(r["holderLabel"]), r["start"], r["end"], str(r["title"]), bool(r["acting"]))
        for r in _rows(graph, "top-office-tenures")
    ]
    vacancies = [
        Span(f"vacancy-{r['start']}", "vacant", r["start"], r["end"]) for r in _rows(graph, "top-office-vacancies")
    ]
    seconds = [
        Span(slug(r["tenure"]), str(r["holderLabel"]), r["start"], r["end"], acting=bool(r["acting"]))
        for r in _rows(graph, "second-secretary-tenures")
    ]
    troikas = [
        Span(f"troika-{slug(r['troika'])}", str(r["troikaLabel"]), day(str(r["start"])), day(str(r["end"]), True))
        for r in _rows(graph, "troikas")
    ]
    congresses = [
        Span(f"congress-{r['ordinal']}", str(r["ordinal"]), r["start"], r["start"])
        for r in _rows(graph, "congresses", QUERIES_DIR)
    ]
    return TimelineData(tenures, vacancies, seconds, troikas, congresses)


def title_colours(tenures: list[Span]) -> dict[str, str]:
    """A colour for each title of the top office, in the order the titles first came into use."""
    titles = dict.fromkeys(tenure.kind for tenure in tenures)
    return {title: TITLE_COLOURS[i % len(TITLE_COLOURS)] for i, title in enumerate(titles)}


def name_of(span: Span) -> str:
    """The text shown for a tenure: the holder, marked when acting."""
    return f"{span.text} (acting)" if span.acting else span.text


# ---------------------------------------------------------------- label placement


def text_width(renderer: RendererBase, text: str, size: float, dpi: float) -> float:
    """The width of a text in points, as the renderer measures it."""
    from matplotlib.font_manager import FontProperties

    width, _height, _descent = renderer.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return width * 72.0 / dpi


def aligned(label: Label, axes_width: float) -> Label:
    """The label left-aligned at its anchor, or right-aligned when it would run past the axes' right edge."""
    if label.align == "left" and label.extent()[1] > axes_width:
        label.align = "right"
    return label


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] + GAP and b[0] < a[1] + GAP


def _crosses(anchor: float, extent: tuple[float, float]) -> bool:
    return extent[0] - GAP <= anchor <= extent[1] + GAP


def fits(label: Label, row: int, placed: list[Label]) -> bool:
    """Whether the label can take this row: no text overlaps its text, and no leader line crosses a text."""
    for other in placed:
        if other.row == row and _overlap(label.extent(), other.extent()):
            return False
        if other.row >= row and _crosses(other.anchor, label.extent()):
            return False
        if other.row <= row and _crosses(label.anchor, other.extent()):
            return False
    return True


def runs_under(lower: Label, upper: Label) -> bool:
    """Whether lower's leader line would run through upper's text, so that lower needs the nearer row."""
    return lower is not upper and _crosses(lower.anchor, upper.extent())


def stacking_order(labels: list[Label]) -> list[Label]:
    """The labels, each after those whose leader lines run under its text; right to left otherwise."""
    pending = sorted(labels, key=lambda label: -label.anchor)
    order = []
    while pending:
        free = (label for label in pending if not any(runs_under(other, label) for other in pending))
        label = next(free, pending[0])  # two labels facing each other: the rightmost goes first
        order.append(label)
        pending.remove(label)
    return order


def place_in_rows(labels: list[Label]) -> int:
    """Give each label the nearest row where it fits (a new row if none); return the number of rows used."""
    placed: list[Label] = []
    for label in stacking_order(labels):
        rows = range(max((other.row + 1 for other in placed), default=0))
        label.row = next((row for row in rows if fits(label, row, placed)), len(rows))
        placed.append(label)
    return max((label.row + 1 for label in placed), default=0)


def outside_labels(
    spans: list[Span], window: Window, scale: float, measure: dict[str, float], axes_width: float
) -> list[Label]:
    """Labels for the bars too narrow to hold their name, anchored at the middle of the bar."""
    labels = []
    for span in spans:
        width = measure[span.key]
        if bar_width(span, window, scale) >= width + 2 * INNER_PAD:
            continue
        middle = (window.x(span.start) + window.x(span.end)) / 2 * scale
        labels.append(aligned(Label(span.key, name_of(span), middle, width), axes_width))
    return labels


def bar_width(span: Span, window: Window, scale: float) -> float:
    """The drawn width of a bar in points (at least MIN_BAR)."""
    return max((window.x(span.end) - window.x(span.start)) * scale, MIN_BAR)


# ---------------------------------------------------------------- drawing


def new_figure() -> Figure:
    """An empty figure on the Agg canvas (no pyplot, so nothing is kept in a global figure registry)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(FIGURE_WIDTH, 6.0), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def draw_bars(
    ax: Axes, spans: list[Span], window: Window, bottom: float, height: float, colours: dict[str, str]
) -> None:
    """One bar per tenure, coloured by title, hatched when acting, with the gid tenure-<id>."""
    from matplotlib.patches import Rectangle

    scale = points_per_day(window)
    for span in spans:
        colour = colours.get(span.kind, SECOND_COLOUR)
        width = bar_width(span, window, scale) / scale
        bar = Rectangle(
            (window.x(span.start), bottom),
            width,
            height,
            facecolor=colour,
            edgecolor="white",
            linewidth=0.6,
            hatch="////" if span.acting else None,
            zorder=2,
        )
        bar.set_gid(f"tenure-{span.key}")
        ax.add_patch(bar)


def draw_vacancies(ax: Axes, spans: list[Span], window: Window, bottom: float, height: float) -> None:
    """A hatched grey bar for each time the top office had no holder."""
    from matplotlib.patches import Rectangle

    scale = points_per_day(window)
    for span in spans:
        width = bar_width(span, window, scale) / scale
        bar = Rectangle(
            (window.x(span.start), bottom),
            width,
            height,
            facecolor=VACANT_FACE,
            edgecolor=VACANT_HATCH,
            hatchcolor=VACANT_HATCH,
            linewidth=0.6,
            hatch="xxx",
            zorder=2,
        )
        bar.set_gid(span.key)
        ax.add_patch(bar)


def draw_inside_names(
    ax: Axes, spans: list[Span], window: Window, middle: float, colour: str, outside: set[str]
) -> None:
    """The holder's name centred in each bar wide enough to hold it."""
    for span in spans:
        if span.key in outside:
            continue
        x = (window.x(span.start) + window.x(span.end)) / 2
        text = ax.text(x, middle, name_of(span), ha="center", va="center", fontsize=NAME_SIZE, color=colour, zorder=3)
        text.set_gid(f"name-{span.key}")


def draw_outside_labels(
    ax: Axes,
    labels: list[Label],
    scale: float,
    edge: float,
    first_row: float,
    step: float,
    style: dict[str, object],
    prefix: str = "name-",
    leaders: bool = True,
) -> None:
    """Labels on staggered rows beside a lane (step > 0: above it, < 0: below), with leader lines to the lane."""
    for label in labels:
        base = first_row + label.row * step
        x0, x1 = label.extent()
        left = (x0 + x1) / 2 if label.align == "center" else (x0 if label.align == "left" else x1)
        text = ax.text(
            left / scale, base, label.text, ha=label.align, va="bottom" if step > 0 else "top", zorder=3, **style
        )
        text.set_gid(f"{prefix}{label.key}")
        if leaders and (label.row > 0 or label.align != "center"):
            tip = base + (0.4 * abs(step) if step > 0 else -0.4 * abs(step))
            ax.plot([label.anchor / scale] * 2, [edge, tip], color=LEADER_COLOUR, linewidth=0.6, zorder=2.5)


def draw_troikas(
    ax: Axes, spans: list[Span], labels: list[Label], window: Window, bottom: float, label_base: float
) -> None:
    """A translucent band across the lanes for each troika, its label above the bands."""
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


def points_per_day(window: Window) -> float:
    """How many points of the axes' width one day takes."""
    return axes_width() / window.days


def axes_width() -> float:
    """The width of the axes in points."""
    return (FIGURE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) * 72.0


def year_step(window: Window) -> int:
    """The years between two labelled ticks: more labels for narrower windows."""
    span = window.year_to - window.year_from
    return 10 if span > 80 else 5 if span > 30 else 2 if span > 12 else 1


def style_axes(ax: Axes, window: Window, layout: Layout, lanes: dict[str, float]) -> None:
    """Year ticks and grid on x, the lanes' names on y, no frame but the time axis."""
    step = year_step(window)
    years = range(window.year_from, window.year_to + 2)
    major = [year for year in years if year % step == 0]
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


def draw_legend(figure: Figure, colours: dict[str, str], has_troikas: bool) -> None:
    """The legend below the chart: the titles of the top office, then what the other marks mean."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=colour, label=title) for title, colour in colours.items()]
    handles += [
        Patch(facecolor="white", edgecolor="#555555", hatch="////", label="acting"),
        Patch(facecolor=VACANT_FACE, edgecolor=VACANT_HATCH, hatch="xxx", label="vacant (no holder)"),
        Patch(facecolor=SECOND_COLOUR, label="Second Secretary"),
    ]
    if has_troikas:
        handles.append(Patch(facecolor=TROIKA_COLOUR, alpha=0.3, label="troika (collective leadership)"))
    handles.append(
        Line2D([], [], color="#333333", marker="|", linestyle="none", markersize=8, label="party congress (ordinal)")
    )
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
    figure.text(
        left,
        1 - 0.22 / height,
        f"Leaders of the Communist Party of the Soviet Union, {window.year_from}\u2013{window.year_to}",
        fontsize=12.5,
        fontweight="bold",
        va="top",
    )
    figure.text(
        left,
        1 - 0.45 / height,
        "The party's top office under each of its titles, the Second Secretaries, "
        "the troikas and the congresses \u2014 from the cpsu-kg register",
        fontsize=8.5,
        color="#555555",
        va="top",
    )


def timeline_figure(graph: Graph, year_from: int = 1917, year_to: int = 1991) -> Figure:
    """The timeline of the years year_from..year_to as a matplotlib figure, drawn from the register's queries."""
    window = check_window(year_from, year_to)
    everything = query_timeline(graph)
    colours = title_colours(everything.tenures)
    data = everything.clipped(window)
    figure = new_figure()
    renderer = figure.canvas.get_renderer()
    scale, width = points_per_day(window), axes_width()

    def measured(spans: list[Span], size: float) -> dict[str, float]:
        return {span.key: text_width(renderer, name_of(span), size, figure.dpi) for span in spans}

    top_labels = outside_labels(data.tenures, window, scale, measured(data.tenures, NAME_SIZE), width)
    long_vacancies = [span for span in data.vacancies if (span.end - span.start).days >= MIN_LABELLED_VACANCY]
    top_labels += outside_labels(long_vacancies, window, scale, measured(long_vacancies, NAME_SIZE), width)
    second_labels = outside_labels(data.seconds, window, scale, measured(data.seconds, NAME_SIZE), width)
    troika_widths = measured(data.troikas, SMALL_SIZE)
    troika_labels = [
        aligned(Label(span.key, span.text, window.x(span.start) * scale, troika_widths[span.key]), width)
        for span in data.troikas
    ]
    congress_widths = measured(data.congresses, SMALL_SIZE)
    congress_labels = [
        Label(span.key, span.text, window.x(span.start) * scale, congress_widths[span.key], "center")
        for span in data.congresses
    ]
    layout = Layout(
        place_in_rows(congress_labels),
        place_in_rows(second_labels),
        place_in_rows(top_labels),
        place_in_rows(troika_labels),
    )

    height = layout.height / 72.0 + MARGIN_TOP + MARGIN_BOTTOM
    figure.set_size_inches(FIGURE_WIDTH, height)
    ax = figure.add_axes(
        (MARGIN_LEFT / FIGURE_WIDTH, MARGIN_BOTTOM / height, width / 72.0 / FIGURE_WIDTH, layout.height / 72.0 / height)
    )
    lanes = {
        "Top office": layout.top_bottom + TOP_BAR / 2,
        "Second Secretary": layout.second_bottom + SECOND_BAR / 2,
        "Congresses": layout.congress_line + TICK / 2,
    }
    if data.troikas:
        lanes["Troikas"] = layout.troika_base + SMALL_ROW / 2
    style_axes(ax, window, layout, lanes)

    draw_troikas(ax, data.troikas, troika_labels, window, layout.congress_line + TICK + PAD, layout.troika_base)
    draw_vacancies(ax, data.vacancies, window, layout.top_bottom, TOP_BAR)
    draw_bars(ax, data.tenures, window, layout.top_bottom, TOP_BAR, colours)
    draw_bars(ax, data.seconds, window, layout.second_bottom, SECOND_BAR, {})
    draw_congresses(ax, data.congresses, window, layout.congress_line)

    outside = {label.key for label in top_labels + second_labels}
    draw_inside_names(ax, data.tenures, window, layout.top_bottom + TOP_BAR / 2, "white", outside)
    draw_inside_names(ax, data.seconds, window, layout.second_bottom + SECOND_BAR / 2, SECOND_TEXT, outside)
    name_style = {"fontsize": NAME_SIZE, "color": "#1a1a1a"}
    top_edge = layout.top_bottom + TOP_BAR
    draw_outside_labels(
        ax,
        [label for label in top_labels if not label.key.startswith("vacancy-")],
        scale,
        top_edge,
        top_edge + PAD,
        ROW,
        name_style,
    )
    draw_outside_labels(
        ax,
        [label for label in top_labels if label.key.startswith("vacancy-")],
        scale,
        top_edge,
        top_edge + PAD,
        ROW,
        {"fontsize": NAME_SIZE, "color": "#555555", "fontstyle": "italic"},
        prefix="label-",
    )
    draw_outside_labels(ax, second_labels, scale, layout.second_bottom, layout.second_bottom - PAD, -ROW, name_style)
    draw_outside_labels(
        ax,
        troika_labels,
        scale,
        layout.troika_base,
        layout.troika_base,
        SMALL_ROW,
        {"fontsize": SMALL_SIZE, "color": "#6b5200"},
        prefix="label-",
        leaders=False,
    )
    draw_outside_labels(
        ax,
        congress_labels,
        scale,
        layout.congress_line,
        layout.congress_line - GAP,
        -SMALL_ROW,
        {"fontsize": SMALL_SIZE, "color": "#333333"},
        prefix="label-",
    )
    draw_titles(figure, window)
    draw_legend(
        figure, {title: colours[title] for title in dict.fromkeys(t.kind for t in data.tenures)}, bool(data.troikas)
    )
    return figure


def draw_timeline(graph: Graph, path: Path, year_from: int = 1917, year_to: int = 1991) -> Path:
    """Draw the timeline of the years year_from..year_to from the register and write it as SVG or PNG (by suffix)."""
    path = Path(path)
    image_format = output_format(path)
    figure = timeline_figure(graph, year_from, year_to)
    import matplotlib

    path.parent.mkdir(parents=True, exist_ok=True)
    # svg.fonttype none keeps names as searchable <text>; the salt and the missing date make the SVG reproducible
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cpsu-kg"}):
        metadata = {"Date": None} if image_format == "svg" else {"Software": None}
        figure.savefig(path, format=image_format, dpi=PNG_DPI, metadata=metadata)
    return path
