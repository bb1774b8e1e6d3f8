"""Synthetic prosopography: a register of the same shape as data/*.ttl at any size, for the benchmarks.

    python benchmarks/generate.py --triples 10000 --seed 1 [--violations N] [--report planted.json] -o out.ttl

The output uses the ontology's classes and properties and passes the project's SHACL shapes and its
data-quality checks (validate it together with ontology/*.ttl). Sizes grow by adding offices, tenures,
persons, plenums, troikas and sources; the 28 congresses, 5 party names and 6 places stay fixed (the shapes cap
congress ordinals at 28). The party's top office gets a share of the tenures, up to TOP_LINE_MAX of them:
history bounds the number of its leaders, not the size of the register. Succession chains are at most MAX_CHAIN
tenures long, because cpsu:succeededBy is transitive and its closure grows with the square of a chain's length.
With --violations N it plants exactly N shape violations, each of which the validator reports as one
(node, rule) result, and lists them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.paths import ID  # noqa: E402
from kg.terms import CPSU, bind_prefixes  # noqa: E402

SCHEMA = Namespace("http://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
Date = datetime.date
DAY = datetime.timedelta(days=1)

TOP_SHARE = 0.15  # share of tenures in the party's top office (one line of succession across its titles)
TOP_LINE_MAX = 250  # at most this many: one leader at a time over TOP_LINE_DAYS; a larger register has more
# officials (every Central Committee member, sibling parties), not more leaders of this party
MAX_CHAIN = 12  # longest replaces/replacedBy chain
TROIKA_EVERY = 40  # one collective leadership per this many tenures
TRIPLES_PER_TENURE = 25  # rough cost of a tenure with its share of persons, sources and plenums (for durations)
TOP_LINE_START = Date(1900, 1, 1)
TOP_LINE_DAYS = 250 * 365  # the top line spans at most about 250 years, whatever the size
OFFICE_LINE_YEARS = (1880, 2080)  # other offices start somewhere in this window
ORGANISATION_EVERY = 10  # one more party organ or state body per this many offices
ORDINARY_END_CAUSES = ("Removal", "Resignation", "Promotion", "Reassignment", "Undocumented")

GIVEN_NAMES = (
    ("Ivan", "Иван", False), ("Pyotr", "Пётр", False), ("Nikolai", "Николай", False), ("Sergei", "Сергей", False),
    ("Mikhail", "Михаил", False), ("Alexei", "Алексей", False), ("Dmitry", "Дмитрий", False),
    ("Andrei", "Андрей", False), ("Boris", "Борис", False), ("Grigory", "Григорий", False), ("Yuri", "Юрий", False),
    ("Viktor", "Виктор", False), ("Anna", "Анна", True), ("Elena", "Елена", True), ("Maria", "Мария", True),
    ("Olga", "Ольга", True), ("Nadezhda", "Надежда", True), ("Vera", "Вера", True),
)  # fmt: skip
SURNAMES = (
    ("Ivanov", "Иванов"), ("Petrov", "Петров"), ("Sidorov", "Сидоров"), ("Smirnov", "Смирнов"),
    ("Kuznetsov", "Кузнецов"), ("Popov", "Попов"), ("Sokolov", "Соколов"), ("Lebedev", "Лебедев"),
    ("Kozlov", "Козлов"), ("Novikov", "Новиков"), ("Morozov", "Морозов"), ("Volkov", "Волков"), ("Orlov", "Орлов"),
    ("Zaitsev", "Зайцев"), ("Pavlov", "Павлов"), ("Semyonov", "Семёнов"), ("Golubev", "Голубев"),
    ("Vinogradov", "Виноградов"), ("Bogdanov", "Богданов"), ("Fyodorov", "Фёдоров"),
)  # fmt: skip
TOP_TITLES = (
    ("chairman-of-the-secretariat", "Chairman of the Secretariat", "Председатель Секретариата"),
    ("responsible-secretary", "Responsible Secretary", "Ответственный секретарь"),
    ("general-secretary", "General Secretary", "Генеральный секретарь"),
    ("first-secretary", "First Secretary", "Первый секретарь"),
)
PLACES = (
    ("minsk", "Minsk", "Минск"), ("brussels", "Brussels", "Брюссель"), ("london", "London", "Лондон"),
    ("stockholm", "Stockholm", "Стокгольм"), ("petrograd", "Petrograd", "Петроград"), ("moscow", "Moscow", "Москва"),
)  # fmt: skip
PARTY_NAMES = (  # slug, English, Russian, abbreviations, the congress that adopted it
    ("rsdlp", "Russian Social Democratic Labour Party", "Российская социал-демократическая рабочая партия",
     "RSDLP", "РСДРП", 1),
    ("rsdlp-b", "Russian Social Democratic Labour Party (Bolsheviks)",
     "Российская социал-демократическая рабочая партия (большевиков)", "RSDLP(b)", "РСДРП(б)", 6),
    ("rcp-b", "Russian Communist Party (Bolsheviks)", "Российская коммунистическая партия (большевиков)",
     "RCP(b)", "РКП(б)", 7),
    ("vkp-b", "All-Union Communist Party (Bolsheviks)", "Всесоюзная коммунистическая партия (большевиков)",
     "AUCP(b)", "ВКП(б)", 14),
    ("cpsu", "Communist Party of the Soviet Union", "Коммунистическая партия Советского Союза", "CPSU", "КПСС", 19),
)  # fmt: skip
CONGRESSES = 28
LATIN_TO_CYRILLIC = (
    ("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"),
    ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("f", "ф"), ("c", "к"), ("h", "х"), ("w", "в"), ("x", "кс"), ("j", "дж"), ("q", "к"),
)  # fmt: skip


def to_cyrillic(text: str) -> str:
    """A rough Latin-to-Cyrillic transliteration, for the Russian names of persons named by a slug."""
    out, i, lower = [], 0, text.lower()
    while i < len(lower):
        for latin, cyrillic in LATIN_TO_CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyrillic.upper() if text[i].isupper() else cyrillic)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def english_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def iri(kind: str, slug: str) -> URIRef:
    """The register IRI of an entity of a kind (person, office, tenure, ...) with a slug."""
    return URIRef(f"{ID}{kind}/{slug}")


def date_literal(day: Date) -> Literal:
    """A day as an xsd:date literal."""
    return Literal(day.isoformat(), datatype=XSD.date)


def short(term: URIRef) -> str:
    """A term in the prefixed form the validator's report uses (tenure:x, person:y)."""
    return term.n3(bind_prefixes(Graph()).namespace_manager)


def anchor_person_slugs() -> list[str]:
    """The person ids the stored queries take as #+ defaults, so every stored query runs on a synthetic register."""
    from kg.query import list_queries

    prefix, slugs = f"{ID}person/", []
    for query in list_queries():
        for _, value in query.defaults:
            if value.startswith(prefix) and value[len(prefix) :] not in slugs:
                slugs.append(value[len(prefix) :])
    return slugs


@dataclass(frozen=True)
class PlantedViolation:
    """One planted shape violation: its kind, and the (node, rule) result the validator must report for it."""

    kind: str
    node: str
    rule: str
    detail: str


class SyntheticGraph(Graph):
    """An rdflib graph of a synthetic register, with the violations planted in it (if any)."""

    planted: tuple[PlantedViolation, ...] = ()


@dataclass(eq=False)
class Person:
    """A generated person and the lifetime every tenure of theirs must fit in."""

    node: URIRef
    name_en: str
    name_ru: str
    birth: Date
    death: Date | None

    def covers(self, start: Date, end: Date) -> bool:
        """True when the person was born before start and still alive on end."""
        return self.birth < start and (self.death is None or end <= self.death)


@dataclass(eq=False)
class Office:
    """A generated office: its kind (top, party or state) and its tenures in order."""

    node: URIRef
    slug: str
    label_en: str
    label_ru: str
    kind: str
    tenures: list[Tenure] = field(default_factory=list)


@dataclass(eq=False)
class Tenure:
    """A generated tenure with its place in its line of succession."""

    node: URIRef
    office: Office
    holder: Person
    start: Date
    end: Date
    acting: bool
    predecessor: Tenure | None = None
    successor: Tenure | None = None


@dataclass(eq=False)
class Troika:
    """A generated collective leadership and its three memberships."""

    node: URIRef
    memberships: list[URIRef]


@dataclass
class Line:
    """Where a line of succession stands: its current office, last tenure and next start day."""

    office: Office | None = None
    office_left: int = 0
    chain_left: int = 0
    last: Tenure | None = None
    cursor: Date = TOP_LINE_START


class Builder:
    """Builds a synthetic register triple by triple, keeping what the shapes need to know on the side."""

    def __init__(self, target: int, seed: int) -> None:
        self.target, self.rng = target, random.Random(seed)
        self.graph = bind_prefixes(SyntheticGraph())
        self.counts: dict[str, int] = {}
        self.persons: list[Person] = []
        self.sources: list[URIRef] = []
        self.offices: list[Office] = []
        self.tenures: list[Tenure] = []
        self.troikas: list[Troika] = []
        self.top_tenures: list[Tenure] = []
        self.second_secretary: int | None = None  # index in self.offices
        self.organisations: dict[str, list[URIRef]] = {"party": [], "state": []}
        self.anchors = list(anchor_person_slugs())
        self.anchor_nodes: set[URIRef] = set()
        self.top, self.other = Line(), Line()
        self.qid = 1_000_000
        expected_top = max(1.0, min(TOP_LINE_MAX, target * TOP_SHARE / TRIPLES_PER_TENURE))
        self.top_days = int(max(30, min(1500, TOP_LINE_DAYS / expected_top)))

    # ------------------------------------------------------------ small helpers

    def add(self, subject: URIRef, predicate: URIRef, obj: URIRef | Literal) -> None:
        """Add one triple."""
        self.graph.add((subject, predicate, obj))

    def number(self, kind: str) -> int:
        """The next running number of a kind of entity (from 1)."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    def between(self, low: int, high: int) -> int:
        """A random whole number from low to high."""
        return self.rng.randint(low, high)

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.rng.random() < probability

    def typed(self, node: URIRef, cls: URIRef, en: str | None = None, ru: str | None = None) -> URIRef:
        """Type a node and, when given, add its English and Russian labels."""
        self.add(node, RDF.type, cls)
        if en is not None and ru is not None:
            self.add(node, RDFS.label, Literal(en, lang="en"))
            self.add(node, RDFS.label, Literal(ru, lang="ru"))
        return node

    def dated(self, node: URIRef, start: Date, end: Date) -> None:
        """Give a node its start and end dates."""
        self.add(node, CPSU.startDate, date_literal(start))
        self.add(node, CPSU.endDate, date_literal(end))

    def wikidata(self, node: URIRef, predicate: URIRef = SCHEMA.sameAs) -> None:
        """Link a node to a Wikidata item of its own (a fictitious QID no other node uses)."""
        self.qid += 1
        self.add(node, predicate, WD[f"Q{self.qid}"])

    def new_source(self) -> URIRef:
        """A new cited source with a title and an address."""
        n = self.number("source")
        node = self.typed(iri("source", f"archive-{n}"), CPSU.Source)
        # a path no page has, on a domain of the source policy, so that the policy's checks run as on real data
        self.add(node, DCTERMS.title, Literal(f"Synthetic archive file {n} — archontology.org"))
        self.add(node, CPSU.url, Literal(f"https://www.archontology.org/synthetic/file/{n}", datatype=XSD.anyURI))
        self.add(node, CPSU.tier, CPSU.Tier1)
        self.sources.append(node)
        return node

    def cite(self, node: URIRef, most: int = 2) -> None:
        """Cite one to `most` sources for a node, reusing existing sources more often than not."""
        for _ in range(self.between(1, most)):
            reuse = len(self.sources) > 1 and self.chance(0.6)
            source = self.sources[self.rng.randrange(1, len(self.sources))] if reuse else self.new_source()
            self.add(node, DCTERMS.source, source)

    # ------------------------------------------------------------ the fixed part

    def add_seed_source(self) -> None:
        """The seed article, which every node with cpsu:evidence cites."""
        node = self.typed(iri("source", "seed-article"), CPSU.Source)
        self.add(node, DCTERMS.title, Literal("Synthetic seed article"))
        self.add(node, CPSU.url, Literal("https://en.wikipedia.org/wiki/Synthetic_seed_article", datatype=XSD.anyURI))
        self.add(node, CPSU.tier, CPSU.Tier2)
        self.sources.append(node)

    def add_places(self) -> list[URIRef]:
        """The cities where congresses meet."""
        places = []
        for slug, en, ru in PLACES:
            node = self.typed(iri("place", slug), CPSU.Place, en, ru)
            self.cite(node, 1)
            places.append(node)
        return places

    def new_organisation(self, kind: str, cls: URIRef, en: str, ru: str, parent: URIRef | None) -> URIRef:
        """A party organ, state body or party, optionally part of a parent organisation."""
        n = self.number("organisation")
        node = self.typed(iri("organisation", f"{kind}-body-{n}"), cls, en, ru)
        if parent is not None:
            self.add(node, CPSU.subOrganisationOf, parent)
        if self.chance(0.5):
            self.wikidata(node)
        self.cite(node, 1)
        self.organisations.setdefault(kind, []).append(node)
        return node

    def add_organisations(self) -> URIRef:
        """The party, its Central Committee and Secretariat, and a first state body; returns the party."""
        party = self.new_organisation("root", CPSU.PoliticalParty, "The Party", "Партия", None)
        committee = self.new_organisation("root", CPSU.PartyOrgan, "Central Committee", "Центральный комитет", party)
        self.secretariat = self.new_organisation("party", CPSU.PartyOrgan, "Secretariat", "Секретариат", committee)
        self.committee = committee
        self.new_organisation("state", CPSU.StateBody, "Council of Ministers", "Совет министров", None)
        return party

    def congress_dates(self) -> list[tuple[Date, Date]]:
        """Opening and closing days of the 28 congresses, in order."""
        dates, day = [], Date(1898, 3, 13)
        for _ in range(CONGRESSES):
            end = day + self.between(2, 20) * DAY
            dates.append((day, end))
            day = end + self.between(400, 2000) * DAY
        return dates

    def add_party_names(self, party: URIRef, congresses: list[URIRef], dates: list[tuple[Date, Date]]) -> list:
        """The party's five names, each adopted by a congress; returns (node, from, until) per name."""
        names = []
        for i, (slug, en, ru, abbr_en, abbr_ru, adopted) in enumerate(PARTY_NAMES):
            node = self.typed(iri("partyname", slug), CPSU.PartyName, en, ru)
            self.add(node, CPSU.abbreviation, Literal(abbr_en, lang="en"))
            self.add(node, CPSU.abbreviation, Literal(abbr_ru, lang="ru"))
            self.add(node, CPSU.adoptedAt, congresses[adopted - 1])
            start = dates[0][0] if i == 0 else dates[adopted - 1][1]
            self.add(node, CPSU.startDate, date_literal(start))
            self.add(party, CPSU.partyName, node)
            self.cite(node, 1)
            if names:
                self.add(names[-1][0], CPSU.followedBy, node)
                self.add(names[-1][0], CPSU.endDate, date_literal(start))
                names[-1] = (names[-1][0], names[-1][1], start)
            names.append((node, start, None))
        return names

    def add_congresses(self, party: URIRef, places: list[URIRef]) -> None:
        """The 28 congresses with dates (Old Style before 1918), place and the party's name at the time."""
        dates = self.congress_dates()
        nodes = [iri("congress", str(n)) for n in range(1, CONGRESSES + 1)]
        names = self.add_party_names(party, nodes, dates)
        for n, (node, (start, end)) in enumerate(zip(nodes, dates, strict=True), start=1):
            self.typed(node, CPSU.PartyCongress, f"{english_ordinal(n)} Congress of the Party", f"{n}-й съезд партии")
            self.add(node, CPSU.ordinal, Literal(n))
            self.dated(node, start, end)
            if start < Date(1918, 2, 14):
                self.add(node, CPSU.startDateOldStyle, Literal((start - 13 * DAY).isoformat()))
                self.add(node, CPSU.endDateOldStyle, Literal((end - 13 * DAY).isoformat()))
            self.add(node, CPSU.place, self.rng.choice(places))
            name = next(name for name, since, until in names if since <= start and (until is None or start <= until))
            self.add(node, CPSU.partyNameAtTime, name)
            self.add(node, CPSU.organisedBy, party)
            self.cite(node)

    # ------------------------------------------------------------ persons

    def person_name(self, anchor: str | None) -> tuple[str, str, str]:
        """A slug and English and Russian names: from the anchor slug when given, else drawn from the name lists."""
        if anchor is not None:
            en = " ".join(part.capitalize() for part in anchor.split("-"))
            return anchor, en, to_cyrillic(en)
        given_en, given_ru, female = self.rng.choice(GIVEN_NAMES)
        family_en, family_ru = self.rng.choice(SURNAMES)
        if female:
            family_en, family_ru = family_en + "a", family_ru + "а"
        slug = f"{given_en}-{family_en}-{self.number('person')}".lower()
        return slug, f"{given_en} {family_en}", f"{given_ru} {family_ru}"

    def new_person(self, start: Date, end: Date, dies_at_end: bool = False, anchor: str | None = None) -> Person:
        """A person old enough to take office on start and alive on end (dying on end when asked)."""
        birth = start - self.between(25 * 365, 60 * 365) * DAY
        death = end if dies_at_end else (end + self.between(1, 40 * 365) * DAY if self.chance(0.75) else None)
        slug, en, ru = self.person_name(anchor)
        node = self.typed(iri("person", slug), CPSU.Person, en, ru)
        self.add(node, CPSU.birth, self.life_event("birth", slug, birth))
        if death is not None:
            self.add(node, CPSU.death, self.life_event("death", slug, death))
        if self.chance(0.3):
            self.wikidata(node)
        self.cite(node)
        person = Person(node, en, ru, birth, death)
        self.persons.append(person)
        if anchor is not None:
            self.anchor_nodes.add(node)
        return person

    def life_event(self, kind: str, slug: str, day: Date) -> URIRef:
        """A person's birth or death as a statement node with its date and sources."""
        node = self.typed(iri(kind, slug), CPSU.BirthEvent if kind == "birth" else CPSU.DeathEvent)
        self.add(node, CPSU.date, date_literal(day))
        self.cite(node)
        return node

    def existing_person(self, start: Date, end: Date, pool: list[Person] | None = None) -> Person | None:
        """A person already in the register (or in pool) who could hold an office from start to end, if found."""
        pool = self.persons if pool is None else pool
        for _ in range(4 if pool else 0):
            person = self.rng.choice(pool)
            if person.covers(start, end):
                return person
        return None

    def former_second_secretaries(self, office: Office) -> list[Person] | None:
        """For a top-office tenure, now and then, the Second Secretaries so far (a pool to draw the holder from)."""
        if office.kind != "top" or not self.chance(0.3):
            return None
        second = self.offices[self.second_secretary] if self.second_secretary is not None else None
        return [tenure.holder for tenure in second.tenures] if second else None

    # ------------------------------------------------------------ offices and tenures

    def new_office(self, kind: str) -> Office:
        """A new office of a kind: top (a title of the party's top office), party or state."""
        n = self.number(f"{kind}-office")
        if kind == "top":  # the first of each title keeps the ontology's own id (office:general-secretary, ...)
            slug, en, ru = TOP_TITLES[(n - 1) % len(TOP_TITLES)]
            suffix = "" if n <= len(TOP_TITLES) else f"-{n}"
            slug, en, ru = f"{slug}{suffix}", f"{en} of the Central Committee ({n})", f"{ru} ЦК ({n})"
            cls, organisation = CPSU.TopPartyOffice, self.secretariat
        elif kind == "party" and n == 1:  # office:second-secretary, as the ontology names it
            slug, en, ru = "second-secretary", "Second Secretary of the Central Committee", "Второй секретарь ЦК"
            cls, organisation = CPSU.PartyOffice, self.secretariat
        elif kind == "party":
            slug, en, ru = f"department-secretary-{n}", f"Secretary of Department {n}", f"Секретарь отдела № {n}"
            cls, organisation = CPSU.PartyOffice, self.organisation_for("party", n)
        else:
            slug, en, ru = f"state-chairman-{n}", f"Chairman of State Body {n}", f"Председатель госоргана № {n}"
            cls, organisation = CPSU.TopStateOffice, self.organisation_for("state", n)
        node = self.typed(iri("office", slug), cls, en, ru)
        self.add(node, CPSU.postIn, organisation)
        if self.chance(0.3):
            self.wikidata(node, SKOS.exactMatch)
        self.cite(node)
        office = Office(node, slug, en, ru, kind)
        if slug == "second-secretary":
            self.second_secretary = len(self.offices)
        self.offices.append(office)
        return office

    def organisation_for(self, kind: str, n: int) -> URIRef:
        """The organisation a new party or state office belongs to (a new one every ORGANISATION_EVERY offices)."""
        if n % ORGANISATION_EVERY == 0:
            if kind == "party":
                return self.new_organisation(kind, CPSU.PartyOrgan, f"Department {n}", f"Отдел № {n}", self.committee)
            return self.new_organisation(kind, CPSU.StateBody, f"State Committee {n}", f"Госкомитет № {n}", None)
        return self.organisations[kind][-1]

    def end_cause(self, holder_dies: bool, last_in_office: bool, kind: str) -> URIRef:
        """How a tenure ends: death, a rename of the office, or an ordinary cause."""
        if holder_dies:
            return CPSU.Death
        if last_in_office and kind == "top":
            return CPSU.OfficeRenamed
        return CPSU[self.rng.choice(ORDINARY_END_CAUSES)]

    def add_tenure(self, office: Office, start: Date, end: Date, predecessor: Tenure | None, last: bool) -> Tenure:
        """A tenure of an office from start to end, replacing predecessor (if any), with a fitting holder."""
        anchor = self.anchors.pop(0) if office.kind == "top" and self.anchors else None
        pool = self.former_second_secretaries(office)
        holder = self.existing_person(start, end, pool) if anchor is None and (pool or self.chance(0.4)) else None
        dies = holder is None and self.chance(0.12)
        holder = holder or self.new_person(start, end, dies_at_end=dies, anchor=anchor)
        position = len(office.tenures) + 1
        node = iri("tenure", f"{office.slug}-{position}")
        acting = self.chance(0.05)
        title = f"{office.label_en}{' (acting)' if acting else ''}"
        self.typed(
            node,
            CPSU.Tenure,
            f"{holder.name_en}, {title} ({start.year}–{end.year})",
            f"{holder.name_ru}, {office.label_ru}{' (и. о.)' if acting else ''} ({start.year}–{end.year})",
        )
        self.add(node, CPSU.holder, holder.node)
        self.add(node, CPSU.office, office.node)
        self.dated(node, start, end)
        if office.kind != "party":
            self.add(node, CPSU.ordinal, Literal(position))
        self.add(node, CPSU.acting, Literal(acting))
        self.add(node, CPSU.endCause, self.end_cause(dies, last, office.kind))
        tenure = Tenure(node, office, holder, start, end, acting, predecessor)
        if predecessor is not None:
            self.add(node, CPSU.replaces, predecessor.node)
            self.add(predecessor.node, CPSU.replacedBy, node)
            predecessor.successor = tenure
        self.cite(node, 3)
        office.tenures.append(tenure)
        self.tenures.append(tenure)
        return tenure

    def new_plenum(self, day: Date) -> URIRef:
        """A one-day Central Committee plenum."""
        node = iri("plenum", f"{day.isoformat()}-{self.number('plenum')}")
        self.typed(
            node, CPSU.Plenum, f"Plenum of the Central Committee, {day.isoformat()}", f"Пленум ЦК, {day.isoformat()}"
        )
        self.dated(node, day, day)
        self.cite(node, 1)
        return node

    def add_office_change(self, previous: Office | None, office: Office, day: Date, decided_at: URIRef) -> None:
        """The event that established a title of the top office, or renamed the previous title to it."""
        n = self.number("event")
        node = iri("event", f"{day.isoformat()}-office-change-{n}")
        verb_en, verb_ru = ("renamed", "переименована") if previous else ("established", "учреждена")
        self.typed(
            node,
            CPSU.OfficeChange,
            f"Top office {verb_en}: {office.label_en}",
            f"Высшая должность {verb_ru}: {office.label_ru}",
        )
        self.dated(node, day, day)
        self.add(node, CPSU.changeKind, CPSU.Renamed if previous else CPSU.Established)
        self.add(node, CPSU.affectedOffice, (previous or office).node)
        self.add(node, CPSU.resultingOffice, office.node)
        self.add(node, CPSU.decidedAt, decided_at)
        self.cite(node, 1)
        if previous is not None:
            self.add(previous.node, CPSU.renamedTo, office.node)

    def extend_top_line(self) -> None:
        """One more tenure in the party's top office: under a new title now and then, after a vacancy at times."""
        line = self.top
        if line.chain_left == 0:  # a vacancy breaks the chain of succession
            line.cursor += (self.between(1, max(2, self.top_days // 4)) if line.last else 0) * DAY
            line.chain_left, line.last = self.between(2, MAX_CHAIN), None
        previous = line.office
        if line.office_left == 0:
            line.office, line.office_left = self.new_office("top"), self.between(2, 6)
        start = line.cursor
        end = start + self.between(max(1, self.top_days // 3), max(2, self.top_days * 5 // 3)) * DAY
        line.office_left, line.chain_left = line.office_left - 1, line.chain_left - 1
        tenure = self.add_tenure(line.office, start, end, line.last, last=line.office_left == 0)
        plenum = self.new_plenum(start)
        self.add(tenure.node, CPSU.startedBy, plenum)
        if line.last is not None and line.last.end == start:
            self.add(line.last.node, CPSU.endedBy, plenum)
        if len(line.office.tenures) == 1:
            self.add_office_change(previous, line.office, start, plenum)
        if not self.top_tenures or self.chance(0.1):  # the first one makes sure the seed article is cited
            self.add(tenure.node, CPSU.evidence, Literal(f"{tenure.holder.name_en} led the party.", lang="en"))
            self.add(tenure.node, DCTERMS.source, self.sources[0])
        line.last, line.cursor = tenure, end
        self.top_tenures.append(tenure)

    def extend_office_line(self) -> None:
        """One more tenure of a party or state office, opening a new office when the current one is full."""
        line = self.other
        if line.office_left == 0:
            line.office = self.new_office(("party", "state")[len(self.offices) % 2])
            line.office_left, line.last = self.between(2, min(10, MAX_CHAIN, 3 + len(self.offices) // 2)), None
            line.cursor = Date(self.between(*OFFICE_LINE_YEARS), self.between(1, 12), self.between(1, 28))
        start = line.cursor + (self.between(1, 30) if line.last and self.chance(0.3) else 0) * DAY
        end = start + self.between(180, 3650) * DAY
        line.office_left -= 1
        assert line.office is not None
        line.last = self.add_tenure(line.office, start, end, line.last, last=line.office_left == 0)
        line.cursor = end

    # ------------------------------------------------------------ troikas

    def troika_members(self, leader: Person, start: Date, end: Date) -> list[Person]:
        """The leader and two other persons alive from start to end (found in the register or new)."""
        members = [leader]
        for _ in range(30):
            candidate = self.rng.choice(self.persons)
            if candidate not in members and candidate.covers(start, end):
                members.append(candidate)
            if len(members) == 3:
                return members
        while len(members) < 3:
            members.append(self.new_person(start, end))
        return members

    def date_or_year(self, node: URIRef, start: Date, end: Date, by_year: bool) -> None:
        """Date a troika or membership exactly or, when by_year, by its years only."""
        if by_year:
            self.add(node, CPSU.startDate, Literal(str(start.year), datatype=XSD.gYear))
            self.add(node, CPSU.endDate, Literal(str(end.year), datatype=XSD.gYear))
        else:
            self.dated(node, start, end)

    def add_troika(self) -> None:
        """A collective leadership of three around a holder of the top office, dated exactly or by year."""
        tenure = self.rng.choice(self.top_tenures)
        start, end = tenure.start, min(tenure.end, tenure.start + self.between(30, 700) * DAY)
        members = self.troika_members(tenure.holder, start, end)
        n, by_year = self.number("troika"), self.chance(0.25)
        node = iri("troika", f"{start.year}-{n}")
        names_en = ", ".join(member.name_en.split()[-1] for member in members)
        names_ru = ", ".join(member.name_ru.split()[-1] for member in members)
        self.typed(
            node,
            CPSU.CollectiveLeadership,
            f"Troika of {start.year} ({names_en})",
            f"Тройка {start.year} года ({names_ru})",
        )
        self.date_or_year(node, start, end, by_year)
        self.cite(node)
        troika = Troika(node, [])
        for member in members:
            membership = iri("troika", f"{start.year}-{n}-{member.node.split('/')[-1]}")
            self.typed(membership, CPSU.LeadershipMembership)
            self.add(membership, CPSU.member, member.node)
            self.add(membership, CPSU.role, Literal("Member of the collective leadership", lang="en"))
            self.add(membership, CPSU.role, Literal("Член коллективного руководства", lang="ru"))
            if member is tenure.holder:
                self.add(membership, CPSU.roleOffice, tenure.office.node)
            self.date_or_year(membership, start, end, by_year)
            self.cite(membership, 1)
            self.add(node, CPSU.hasMembership, membership)
            troika.memberships.append(membership)
        self.troikas.append(troika)

    # ------------------------------------------------------------ the whole register

    def next_step(self) -> Callable[[], None]:
        """What to add next, keeping the shares of top-office tenures and troikas."""
        if len(self.top_tenures) < 2 or len(self.top_tenures) < min(TOP_LINE_MAX, TOP_SHARE * len(self.tenures)):
            return self.extend_top_line
        if len(self.troikas) < 1 + len(self.tenures) // TROIKA_EVERY:
            return self.add_troika
        return self.extend_office_line

    def build(self) -> SyntheticGraph:
        """Add the fixed part, then tenures, persons and troikas until the graph reaches the target size."""
        self.add_seed_source()
        places = self.add_places()
        party = self.add_organisations()
        self.add_congresses(party, places)
        while len(self.graph) < self.target:
            self.next_step()()
        while self.anchors:  # a register too small to give each default person a top-office term still has them
            self.new_person(Date(1930, 1, 1), Date(1960, 1, 1), anchor=self.anchors.pop(0))
        return self.graph


# ---------------------------------------------------------------- planted violations


class Planter:
    """Breaks a built register in known ways, each giving exactly one (node, rule) result of the validator."""

    def __init__(self, builder: Builder, seed: int) -> None:
        self.builder, self.graph, self.rng = builder, builder.graph, random.Random(seed * 7919 + 1)
        self.touched: set[URIRef] = set()
        self.tenures = [t for t in builder.tenures if t.holder.node not in builder.anchor_nodes]
        self.kinds: dict[str, Callable[[], PlantedViolation | None]] = {
            "overlapping-successor": self.overlapping_successor,
            "outside-lifetime": self.outside_lifetime,
            "missing-russian-label": self.missing_russian_label,
            "unmirrored-succession": self.unmirrored_succession,
            "duplicate-start-date": self.duplicate_start_date,
            "troika-of-two": self.troika_of_two,
            "missing-source": self.missing_source,
        }

    def pick(self, candidates: list, touches: Callable[[object], list[URIRef]]) -> object | None:
        """A random candidate none of whose nodes a planted violation touches yet; marks its nodes as touched."""
        free = [c for c in candidates if not any(node in self.touched for node in touches(c))]
        if not free:
            return None
        chosen = self.rng.choice(free)
        self.touched.update(touches(chosen))
        return chosen

    @staticmethod
    def pair_nodes(tenure: Tenure) -> list[URIRef]:
        """The nodes a change to a tenure and its successor can affect."""
        assert tenure.successor is not None
        return [tenure.node, tenure.successor.node, tenure.holder.node, tenure.successor.holder.node]

    def overlapping_successor(self) -> PlantedViolation | None:
        """An acting successor who takes office the day before the predecessor leaves."""
        candidates = [
            t for t in self.tenures
            if t.successor is not None and (t.end - t.start).days >= 2 and t.successor.holder.birth < t.end - DAY
        ]  # fmt: skip
        tenure = self.pick(candidates, self.pair_nodes)
        if not isinstance(tenure, Tenure) or tenure.successor is None:
            return None
        successor, early = tenure.successor, tenure.end - DAY
        self.graph.set((successor.node, CPSU.startDate, date_literal(early)))
        self.graph.set((successor.node, CPSU.acting, Literal(True)))
        detail = f"{short(successor.node)} (now acting) starts {early}, before {short(tenure.node)} ends {tenure.end}"
        return PlantedViolation("overlapping-successor", short(tenure.node), "shape:SuccessorStartsAfterEnd", detail)

    def outside_lifetime(self) -> PlantedViolation | None:
        """A tenure handed to a new person born the day after it began."""
        tenure = self.pick(self.tenures, lambda t: [t.node, t.holder.node])
        if not isinstance(tenure, Tenure):
            return None
        born = tenure.start + DAY
        person = self.builder.new_person(born + DAY, born + DAY)
        self.graph.set((self.graph.value(person.node, CPSU.birth), CPSU.date, date_literal(born)))
        self.graph.remove((person.node, CPSU.death, None))
        self.graph.set((tenure.node, CPSU.holder, person.node))
        self.touched.add(person.node)
        detail = f"holder {short(person.node)} born {born}, after the tenure began on {tenure.start}"
        return PlantedViolation("outside-lifetime", short(tenure.node), "shape:TenureWithinLifetime", detail)

    def missing_russian_label(self) -> PlantedViolation | None:
        """A person whose Russian name is removed."""
        persons = [p for p in self.builder.persons if p.node not in self.builder.anchor_nodes]
        person = self.pick(persons, lambda p: [p.node])
        if not isinstance(person, Person):
            return None
        self.graph.remove((person.node, RDFS.label, Literal(person.name_ru, lang="ru")))
        return PlantedViolation("missing-russian-label", short(person.node), "shape:RussianLabel", "no @ru label")

    def unmirrored_succession(self) -> PlantedViolation | None:
        """A successor that no longer names its predecessor back (replacedBy without the mirroring replaces)."""
        tenure = self.pick([t for t in self.tenures if t.successor is not None], self.pair_nodes)
        if not isinstance(tenure, Tenure) or tenure.successor is None:
            return None
        self.graph.remove((tenure.successor.node, CPSU.replaces, tenure.node))
        detail = f"{short(tenure.successor.node)} does not name it in cpsu:replaces"
        return PlantedViolation("unmirrored-succession", short(tenure.node), "shape:SuccessionLinksAgree", detail)

    def duplicate_start_date(self) -> PlantedViolation | None:
        """A tenure with a second start date (the day after the first)."""
        tenure = self.pick([t for t in self.tenures if (t.end - t.start).days >= 1], lambda t: [t.node])
        if not isinstance(tenure, Tenure):
            return None
        self.graph.add((tenure.node, CPSU.startDate, date_literal(tenure.start + DAY)))
        detail = f"start dates {tenure.start} and {tenure.start + DAY}"
        return PlantedViolation("duplicate-start-date", short(tenure.node), "shape:StartDate", detail)

    def troika_of_two(self) -> PlantedViolation | None:
        """A troika with one of its three memberships unlinked."""
        troika = self.pick(self.builder.troikas, lambda t: [t.node])
        if not isinstance(troika, Troika):
            return None
        self.graph.remove((troika.node, CPSU.hasMembership, troika.memberships[-1]))
        detail = f"{short(troika.memberships[-1])} unlinked"
        return PlantedViolation("troika-of-two", short(troika.node), "shape:TroikaMembers", detail)

    def missing_source(self) -> PlantedViolation | None:
        """An office that cites no source."""
        office = self.pick(self.builder.offices, lambda o: [o.node])
        if not isinstance(office, Office):
            return None
        self.graph.remove((office.node, DCTERMS.source, None))
        return PlantedViolation("missing-source", short(office.node), "shape:HasSource", "no dcterms:source")

    def plant(self, count: int) -> tuple[PlantedViolation, ...]:
        """Plant count violations, taking the kinds in turn and skipping a kind that has no candidate left."""
        planted: list[PlantedViolation] = []
        kinds, exhausted = list(self.kinds.values()), 0
        while len(planted) < count:
            violation = kinds[(len(planted) + exhausted) % len(kinds)]()
            if violation is None:
                exhausted += 1
                if exhausted > len(kinds) * (count + 1):
                    raise ValueError(f"cannot plant {count} violations in a register this small")
                continue
            planted.append(violation)
        return tuple(planted)


def generate(target_triples: int, seed: int, planted_violations: int = 0) -> SyntheticGraph:
    """A synthetic register of about target_triples triples for a seed, with planted_violations shape violations."""
    if target_triples < 1 or planted_violations < 0:
        raise ValueError("target_triples must be positive and planted_violations not negative")
    builder = Builder(target_triples, seed)
    graph = builder.build()
    graph.planted = Planter(builder, seed).plant(planted_violations) if planted_violations else ()
    return graph


def summary(graph: Graph) -> dict[str, int]:
    """How many triples, persons, offices, tenures, troikas and sources a register holds."""
    classes = ("Person", "Office", "Tenure", "CollectiveLeadership", "PartyCongress", "Source")
    offices = {CPSU.TopPartyOffice, CPSU.PartyOffice, CPSU.TopStateOffice}
    counts = {"triples": len(graph)}
    for cls in classes:
        members = (
            {s for o in offices for s in graph.subjects(RDF.type, o)}
            if cls == "Office"
            else set(graph.subjects(RDF.type, CPSU[cls]))
        )
        counts[cls] = len(members)
    return counts


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic register as Turtle and say what it holds and what was planted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="target size in triples (hit within 10%%)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations", type=int, default=0, help="plant this many shape violations")
    parser.add_argument("--report", type=Path, help="write the planted violations here as JSON")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the Turtle file to write")
    args = parser.parse_args(argv)
    graph = generate(args.triples, args.seed, args.violations)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(args.output, format="turtle", encoding="utf-8")
    counts = ", ".join(f"{value} {name}" for name, value in summary(graph).items())
    print(f"wrote {args.output}: {counts}", file=sys.stderr)
    for violation in graph.planted:
        print(f"planted {violation.kind}: {violation.node} {violation.rule} ({violation.detail})", file=sys.stderr)
    if args.report:
        args.report.write_text(json.dumps([vars(v) for v in graph.planted], ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
