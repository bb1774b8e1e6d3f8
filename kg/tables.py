"""Spreadsheets for the export stage: one tidy CSV per kind of entity and a Frictionless Data Package describing them.

Each table is the result of a stored query in queries/tables/. The data package descriptor is written here as plain
JSON in the fixed shape the Data Package standard gives: the `frictionless` library (a large dependency) is the
checker, in the tests, as pyld is for the JSON-LD.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph

from kg.paths import QUERIES_DIR
from kg.query import Rows, list_queries, run

TABLES_DIR = QUERIES_DIR / "tables"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENCE = {"name": "CC-BY-SA-4.0", "path": "https://creativecommons.org/licenses/by-sa/4.0/",
           "title": "Creative Commons Attribution-ShareAlike 4.0"}
# A column of dates of mixed precision (a day, a month or a year, as the sources give it).
PARTIAL_DATE = {"type": "string", "constraints": {"pattern": r"\d{4}(-\d{2}(-\d{2})?)?"},
                "description": "a date (YYYY-MM-DD), or only a month (YYYY-MM) or a year (YYYY) where the sources "
                               "give no more; Gregorian"}
FIELD_TYPES = {f"{XSD}date": "date", f"{XSD}gYearMonth": "yearmonth", f"{XSD}gYear": "year",
               f"{XSD}integer": "integer", f"{XSD}boolean": "boolean"}
# (table, column) -> (table, column) it refers to, checked by frictionless.
FOREIGN_KEYS = {
    ("tenures", "person_id"): ("persons", "person_id"),
    ("tenures", "office_id"): ("offices", "office_id"),
    ("memberships", "person_id"): ("persons", "person_id"),
    ("memberships", "body_id"): ("bodies", "organisation_id"),
}


@dataclass(frozen=True)
class Table:
    """One spreadsheet: its name (the file is csv/<name>.csv), what it holds, and its rows."""

    name: str
    description: str
    rows: Rows

    @property
    def path(self) -> str:
        return f"csv/{self.name}.csv"


def tables(store: pyoxigraph.Store) -> list[Table]:
    """Every table of queries/tables/, run on the register's store (asserted and inferred graphs)."""
    return [Table(query.name, query.summary, run(query, store)) for query in list_queries(TABLES_DIR)]


# Columns that list several values (a GROUP_CONCAT in the query, whose order SPARQL leaves open), by separator.
LIST_SEPARATORS = {"source_urls": " ", "places": "; "}


def _cell(column: str, term: pyoxigraph.Literal | pyoxigraph.NamedNode | None) -> str:
    if term is None:
        return ""
    if column in LIST_SEPARATORS:
        separator = LIST_SEPARATORS[column]
        return separator.join(sorted(term.value.split(separator)))
    return term.value


def csv_text(table: Table) -> str:
    """The table as CSV (RFC 4180, UTF-8): a header row, then one row per result."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.rows.variables)
    for row in table.rows.rows:
        writer.writerow([_cell(column, term) for column, term in zip(table.rows.variables, row, strict=True)])
    return out.getvalue()


def field(column: str, values: Iterable[pyoxigraph.Literal | pyoxigraph.NamedNode | None]) -> dict:
    """The Table Schema field of a column, its type read from the datatypes of its values."""
    datatypes = {value.datatype.value for value in values if isinstance(value, pyoxigraph.Literal)}
    described = {"name": column}
    if column == "source_urls":
        return {**described, "type": "string", "description": "the URLs of the sources, separated by spaces"}
    if column == "places":
        return {**described, "type": "string", "description": "the places, separated by '; '"}
    if len(datatypes) == 1 and (kind := FIELD_TYPES.get(datatypes.pop())):
        return {**described, "type": kind}
    if datatypes and datatypes <= {f"{XSD}date", f"{XSD}gYearMonth", f"{XSD}gYear"}:
        return {**described, **PARTIAL_DATE}
    return {**described, "type": "string"}


def table_schema(table: Table) -> dict:
    """The Table Schema of a table: its fields, its first column as the primary key, and its foreign keys."""
    columns = table.rows.variables
    schema = {
        "fields": [field(column, [row[i] for row in table.rows.rows]) for i, column in enumerate(columns)],
        "primaryKey": [columns[0]],
    }
    keys = [{"fields": [column], "reference": {"resource": target, "fields": [target_column]}}
            for (name, column), (target, target_column) in FOREIGN_KEYS.items() if name == table.name]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def datapackage(all_tables: list[Table], version: str) -> str:
    """The Frictionless Data Package descriptor (datapackage.json) of the tables."""
    descriptor = {
        "name": "cpsu-kg",
        "title": "cpsu-kg: the leadership of the Communist Party of the Soviet Union, 1917-1991",
        "description": "Tidy tables of the cpsu-kg knowledge graph: persons, terms of office, memberships of the "
                       "party's leading bodies, offices, bodies, congresses, plenums and the sources of each.",
        "version": version,
        "homepage": "https://w3id.org/cpsu-kg/",
        "licenses": [LICENCE],
        "resources": [
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.description,
                "schema": table_schema(table),
            }
            for table in all_tables
        ],
    }
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
