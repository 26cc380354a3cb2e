"""A Frictionless Data Package written byte for byte the same every time: tables as CSV through the one writer
(apa.tabular.write_csv), and a datapackage.json with each table's schema, size and hash.

Nothing here reads the database: a package is made from Table values (tables.py, indicators.py say what each
holds), so the bytes depend only on the rows given, their order and the release's own moment."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apa.tabular import FORMULA_START, csv_text

# What this code writes. Change it with any change to the bytes a package is written as (columns, order,
# descriptions): a release first built in another format is then refused a rebuild instead of failing its hashes.
PACKAGE_FORMAT = 1
OGL = {"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
       "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
MIT = {"name": "MIT", "title": "MIT License", "path": "https://opensource.org/license/mit"}
MISSING = [""]
_NAMED = {"\t": "a tab", "\r": "a carriage return"}
_STARTS = [_NAMED.get(c, c) for c in FORMULA_START]
SAFE_TEXT = ("Written by APA's one CSV writer (docs/design.md, 'Safe CSV'): a text that begins with "
             + ", ".join(_STARTS[:-1]) + " or " + _STARTS[-1] + " has an apostrophe (') put in front, so that a "
             "spreadsheet shows it as text instead of running it as a formula (OWASP's advice on CSV injection); "
             "numbers, negative ones included, are written as they are. Remove one leading apostrophe from such a "
             "cell to recover the text as published.")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime
    description: str
    required: bool = False
    enum: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    free_text: bool = False  # text written by people: the CSV-injection prefix may apply

    def descriptor(self) -> dict:
        out = {"name": self.name, "type": self.type,
               "description": self.description + (" " + SAFE_TEXT if self.free_text else "")}
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass
class Table:
    name: str  # the resource name and file name (name.csv)
    title: str
    description: str
    fields: list[Field]
    primary_key: list[str]
    rows: list[tuple]  # in field order; sorted by the builder
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)  # fields, resource, fields
    licenses: list[dict] = field(default_factory=lambda: [OGL])
    sources: list[dict] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value):
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def table_bytes(table: Table) -> bytes:
    return csv_text(([_cell(v) for v in row] for row in table.rows),
                    header=[f.name for f in table.fields]).encode("utf-8")


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def package_files(*, tables: list[Table], meta: dict) -> dict[str, bytes]:
    """{file name: bytes}: each table's CSV and the datapackage.json describing them. `meta` gives the
    package's name, title, description, version, created (the release's moment), licenses, sources and any
    other properties, in the order they are to be written."""
    files: dict[str, bytes] = {}
    resources = []
    for table in tables:
        for row in table.rows:
            if len(row) != len(table.fields):
                raise ValueError(f"{table.name}: a row has {len(row)} cells for {len(table.fields)} fields")
        data = table_bytes(table)
        files[table.path] = data
        schema = {"fields": [f.descriptor() for f in table.fields], "missingValues": MISSING,
                  "primaryKey": table.primary_key}
        if table.foreign_keys:
            schema["foreignKeys"] = [{"fields": own, "reference": {"resource": resource, "fields": theirs}}
                                     for own, resource, theirs in table.foreign_keys]
        resource = {"name": table.name, "path": table.path, "profile": "tabular-data-resource",
                    "title": table.title, "description": table.description, "format": "csv",
                    "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data), "hash": _sha256(data),
                    "licenses": table.licenses}
        if table.sources:
            resource["sources"] = table.sources
        resource["schema"] = schema
        resources.append(resource)
    descriptor = {"profile": "tabular-data-package", **meta, "resources": resources}
    files["datapackage.json"] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return files


def hashes_of(files: dict[str, bytes]) -> dict[str, str]:
    return {name: _sha256(data) for name, data in sorted(files.items())}
