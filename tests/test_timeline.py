"""The timeline chart: drawn from the stored queries, every holder named, windows respected, no label overlaps."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys

import pytest

from kg.errors import InputError
from kg.paths import PROJECT_ROOT
from kg.query import list_queries, run
from kg.timeline import (
    TIMELINE_QUERIES_DIR,
    Label,
    draw_timeline,
    place_in_rows,
    timeline_figure,
)

TOP_OFFICE_SURNAMES = [
    "Sverdlov",
    "Stasova",
    "Krestinsky",
    "Molotov",
    "Stalin",
    "Khrushchev",
    "Brezhnev",
    "Andropov",
    "Chernenko",
    "Gorbachev",
    "Ivashko",
]
SECOND_SECRETARY = "tenure-second-secretary-"


@pytest.fixture(scope="module")
def svg(queryable, tmp_path_factory) -> str:
    path = draw_timeline(queryable, tmp_path_factory.mktemp("timeline") / "timeline.svg")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def svg_1980s(queryable, tmp_path_factory) -> str:
    path = draw_timeline(queryable, tmp_path_factory.mktemp("timeline") / "timeline-1980.svg", 1980, 1991)
    return path.read_text(encoding="utf-8")


def texts(svg_text: str) -> list[str]:
    """The text of every <text> element of an SVG."""
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg_text)


def bar_ids(svg_text: str) -> list[str]:
    return re.findall(r'id="(tenure-[^"]+)"', svg_text)


def test_the_svg_names_every_top_office_holder_as_text(svg):
    shown = " ".join(texts(svg))
    assert [name for name in TOP_OFFICE_SURNAMES if name not in shown] == []
    assert "Joseph Stalin" in texts(svg)
    assert "Vladimir Ivashko (acting)" in texts(svg)


def test_the_svg_has_a_bar_for_each_of_the_12_top_office_and_14_second_secretary_tenures(svg):
    bars = bar_ids(svg)
    assert len(bars) == len(set(bars)) == 26
    assert len([bar for bar in bars if bar.startswith(SECOND_SECRETARY)]) == 14
    # the terms dated by the month (Molotov 1922-1930, Kaganovich 1930-1939) are drawn too
    assert {f"{SECOND_SECRETARY}1922-04", f"{SECOND_SECRETARY}1930-12"} <= set(bars)
    assert [bar for bar in bars if not bar.startswith(SECOND_SECRETARY)] == [
        "tenure-chairman-of-the-secretariat-1",
        "tenure-responsible-secretary-1",
        "tenure-responsible-secretary-2",
        "tenure-responsible-secretary-3",
        "tenure-general-secretary-1",
        "tenure-first-secretary-1",
        "tenure-first-secretary-2",
        "tenure-general-secretary-2",
        "tenure-general-secretary-3",
        "tenure-general-secretary-4",
        "tenure-general-secretary-5",
        "tenure-general-secretary-6",
    ]


def test_the_svg_shows_the_vacancy_troikas_congresses_and_legend(svg):
    assert 'id="vacancy-1952-10-16"' in svg and "vacant" in texts(svg)
    assert all(f'id="troika-{year}"' in svg for year in (1923, 1953, 1964))
    assert "Troika of 1923 (Stalin, Zinoviev, Kamenev)" in texts(svg)
    congresses = re.findall(r'id="label-congress-(\d+)"', svg)
    assert congresses == [str(ordinal) for ordinal in range(6, 29)]  # the 6th (August 1917) to the 28th (1990)
    assert {
        "Chairman of the Secretariat",
        "Responsible Secretary",
        "General Secretary",
        "First Secretary",
        "acting",
        "vacant (no holder)",
    } <= set(texts(svg))


def test_the_window_keeps_only_the_tenures_that_intersect_it(svg_1980s):
    shown = " ".join(texts(svg_1980s))
    assert [name for name in ("Brezhnev", "Andropov", "Chernenko", "Gorbachev", "Ivashko") if name not in shown] == []
    assert "Stalin" not in shown and "Khrushchev" not in shown
    assert bar_ids(svg_1980s) == [
        "tenure-general-secretary-2",
        "tenure-general-secretary-3",
        "tenure-general-secretary-4",
        "tenure-general-secretary-5",
        "tenure-general-secretary-6",
        "tenure-second-secretary-1965-12-06",
        "tenure-second-secretary-1982-01-25",
        "tenure-second-secretary-1982-05-24",
        "tenure-second-secretary-1982-11-10",
        "tenure-second-secretary-1984-02-09",
        "tenure-second-secretary-1985-03-10",
    ]
    assert re.findall(r'id="label-congress-(\d+)"', svg_1980s) == ["26", "27", "28"]
    assert 'id="troika-' not in svg_1980s


def test_bars_are_clipped_to_the_window(queryable):
    figure = timeline_figure(queryable, 1980, 1991)
    ax = figure.axes[0]
    bars = {patch.get_gid(): patch for patch in ax.patches}
    brezhnev = bars["tenure-general-secretary-2"]
    assert brezhnev.get_x() == 0  # began in 1966, drawn from 1 January 1980
    assert ax.get_xlim() == (0, 4383)  # 1980-01-01 to 1992-01-01
    assert all(patch.get_x() >= 0 and patch.get_x() + patch.get_width() <= 4383 for patch in bars.values())


def test_png_output(queryable, tmp_path):
    path = draw_timeline(queryable, tmp_path / "timeline.png")
    assert path == tmp_path / "timeline.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 50_000


def test_the_svg_is_reproducible(queryable, svg, tmp_path):
    assert draw_timeline(queryable, tmp_path / "again.svg").read_text(encoding="utf-8") == svg


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("timeline.pdf", "the file name must end in .svg or .png"),
        ("timeline", "the file name must end in .svg or .png"),
    ],
)
def test_an_unknown_suffix_is_rejected_before_anything_is_drawn(queryable, tmp_path, name, message):
    with pytest.raises(InputError) as error:
        draw_timeline(queryable, tmp_path / name)
    assert str(error.value) == f"cannot write a timeline to {tmp_path / name}: {message}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("year_from", "year_to", "message"),
    [
        (1990, 1980, "timeline window 1990-1980 is empty: the first year is after the last"),
        (1897, 1991, "timeline year 1897 is outside the register's span, 1898-1991"),
        (1917, 1992, "timeline year 1992 is outside the register's span, 1898-1991"),
    ],
)
def test_a_bad_window_is_rejected(queryable, tmp_path, year_from, year_to, message):
    with pytest.raises(InputError) as error:
        draw_timeline(queryable, tmp_path / "timeline.svg", year_from, year_to)
    assert str(error.value) == message


def label_boxes(figure):
    """The drawn extent of every label of the chart (names, vacancy, troika and congress labels), by gid."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    return {text.get_gid(): text.get_window_extent(renderer) for text in ax.texts if text.get_gid()}


def overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize(
    ("year_from", "year_to"), [(1917, 1991), (1898, 1991), (1950, 1970), (1980, 1991), (1991, 1991)]
)
def test_no_two_labels_overlap(queryable, year_from, year_to):
    figure = timeline_figure(queryable, year_from, year_to)
    boxes = label_boxes(figure)
    assert boxes
    clashes = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2) if overlap(box_a, box_b)]
    assert clashes == []
    canvas = figure.bbox
    assert [gid for gid, box in boxes.items() if box.x0 < canvas.x0 or box.x1 > canvas.x1] == []


def test_every_name_is_inside_its_own_bar_or_clear_of_all_bars(queryable):
    figure = timeline_figure(queryable)
    ax = figure.axes[0]
    boxes = label_boxes(figure)
    renderer = figure.canvas.get_renderer()
    bars = {
        patch.get_gid(): patch.get_window_extent(renderer)
        for patch in ax.patches
        if patch.get_gid() and not patch.get_gid().startswith("troika-")
    }
    names = {gid.removeprefix("name-"): box for gid, box in boxes.items() if gid.startswith("name-")}
    assert len(names) == 26
    inside = []
    for key, box in names.items():
        own = bars[f"tenure-{key}"]
        if own.x0 <= box.x0 and box.x1 <= own.x1 and own.y0 <= box.y0 and box.y1 <= own.y1:
            inside.append(key)
            continue
        assert [gid for gid, bar in bars.items() if overlap(box, bar)] == [], key
    # the long terms carry their names inside; the short ones of 1918-1922, 1964-66, 1982-85 and 1991 outside
    assert {"general-secretary-1", "first-secretary-1", "general-secretary-2", "general-secretary-5"} <= set(inside)
    assert not {"responsible-secretary-1", "general-secretary-3", "general-secretary-6"} & set(inside)


def test_label_placement_never_overlaps_texts_on_a_row():
    generator = random.Random(1917)
    for _ in range(200):
        labels = [Label(str(i), "x", generator.uniform(0, 600), generator.uniform(10, 120)) for i in range(8)]
        place_in_rows(labels, 600)
        for a, b in itertools.combinations(labels, 2):
            if a.row == b.row:
                (a0, a1), (b0, b1) = a.extent(), b.extent()
                assert a1 <= b0 or b1 <= a0


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, kg.timeline; print('matplotlib' in sys.modules)"
    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert finished.stdout.strip() == "False", finished.stderr


def test_drawing_leaves_pyparsing_without_the_packrat_memo_that_matplotlib_turns_on():
    # importing matplotlib enables pyparsing's packrat memo for the whole process, which made rdflib's SPARQL parser
    # (pyshacl's shapes, `cpsu-kg docs` after its charts) 2.3x slower: in a fresh process, where the import happens
    code = "import pyparsing; from kg.timeline import new_figure; new_figure(); print(pyparsing.ParserElement._packratEnabled)"
    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert finished.stdout.strip() == "False", finished.stderr


def test_the_timeline_queries_are_decorated_and_answer(queryable):
    queries = {query.name: query for query in list_queries(TIMELINE_QUERIES_DIR)}
    assert sorted(queries) == ["body-spells", "second-secretary-tenures", "top-office-tenures", "top-office-vacancies",
                               "troikas"]
    assert [name for name, query in queries.items() if not query.summary or "timeline" not in query.tags] == []
    vacancies = run(queries["top-office-vacancies"], queryable).dicts()
    assert [(str(row["start"]), str(row["end"]), row["days"]) for row in vacancies] == [
        ("1919-03-16", "1919-03-25", 9),
        ("1952-10-16", "1953-09-07", 326),
        ("1982-11-10", "1982-11-12", 2),
        ("1984-02-09", "1984-02-13", 4),
    ]
    troikas = run(queries["troikas"], queryable).dicts()
    assert [(row["start"], row["end"]) for row in troikas] == [
        ("1923", "1925"),
        ("1953-03-05", "1953-06-26"),
        ("1964-10-14", "1977-06-16"),
    ]
    titles = [row["title"] for row in run(queries["top-office-tenures"], queryable).dicts()]
    assert list(dict.fromkeys(titles)) == [
        "Chairman of the Secretariat",
        "Responsible Secretary",
        "General Secretary",
        "First Secretary",
    ]


# ---------------------------------------------------------------- a body's membership chart (timeline --body)


@pytest.fixture(scope="module")
def politburo_svg(queryable, tmp_path_factory):
    from kg.body_timeline import draw_body_timeline

    path = draw_body_timeline(queryable, "politburo", tmp_path_factory.mktemp("body") / "politburo.svg")
    return path.read_text(encoding="utf-8")


def test_the_body_chart_has_one_row_per_member_sorted_by_entry(queryable):
    from kg.body_timeline import body_spells, people_by_entry

    name, spells = body_spells(queryable, "politburo")
    people = [person_name for _, person_name in people_by_entry(spells)]
    assert (name, len(spells), len(people)) == ("Politburo of the Central Committee", 216, 149)
    assert people[:8] == ["Grigory Zinoviev", "Joseph Stalin", "Leon Trotsky", "Lev Kamenev", "Mikhail Kalinin",
                          "Nikolai Bukharin", "Nikolai Krestinsky", "Vladimir Lenin"]
    assert people[-1] == "Lembit Annus"  # 31 January 1991; Amanbayev's entry is dated by the year only
    assert [spell.name for spell in spells if not spell.documented_end] == []  # Dolgikh's candidacy ends in 1988
    _, secretariat = body_spells(queryable, "secretariat")
    assert sorted(spell.name for spell in secretariat if not spell.documented_end) == [
        "Alexander Dzasokhov", "Alexander Teplenichev", "Boris Gidaspov", "Elena Stasova", "Felix Dzerzhinsky",
        "Georgy Razumovsky", "Karl Bauman", "Nikolai Shatalin", "Vadim Medvedev"]


def test_the_body_chart_draws_every_spell_the_leaders_terms_and_names_as_text(politburo_svg):
    assert len(re.findall(r'id="spell-', politburo_svg)) == 216
    assert sorted(re.findall(r'id="leader-([a-z0-9-]+)"', politburo_svg)) == [
        "first-secretary-1", "first-secretary-2", "general-secretary-1", "general-secretary-2", "general-secretary-3",
        "general-secretary-4", "general-secretary-5", "general-secretary-6", "responsible-secretary-1",
        "responsible-secretary-2", "responsible-secretary-3"]
    for text in ("Grigory Zinoviev", "Jumgalbek Amanbayev", "Politburo of the Central Committee: members 1917–1991",
                 "no source dates the end: drawn to death"):
        assert text in politburo_svg


def test_a_body_chart_of_an_unknown_body_or_an_empty_window_is_a_clear_error(queryable, tmp_path):
    from kg.body_timeline import draw_body_timeline

    with pytest.raises(InputError, match=r"--body expects one of politburo, secretariat, orgburo, got 'cabinet'"):
        draw_body_timeline(queryable, "cabinet", tmp_path / "x.svg")
    with pytest.raises(InputError, match=r"the register has no member of the orgburo between 1917 and 1918"):
        draw_body_timeline(queryable, "orgburo", tmp_path / "x.svg", 1917, 1918)


def test_cli_timeline_body_writes_the_chart_where_asked(tmp_path):
    finished = subprocess.run([sys.executable, "-m", "kg", "timeline", "--body", "secretariat", "-o",
                               str(tmp_path / "s.png")], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
