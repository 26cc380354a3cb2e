"""Build the authorities, their codes, names, successions and statistical neighbours from the data files."""

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from apa.errors import ApaError, Problem

from .models import AlternativeName, Authority, Neighbour, OnsCode, Succession

DATA_DIR = Path(__file__).resolve().parent / "data"
LONDON_AREAS = {"Inner London", "Outer London"}


def normalise_name(name: str) -> str:
    """Lower case, '&' as 'and', punctuation dropped: 'St. Helens' and 'st helens' match."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


@dataclass
class _Spec:
    dfe_code: str
    name: str
    region: str
    london_area: str = ""
    dfe_type: str = ""
    start_date: date | None = None
    end_date: date | None = None
    ons_codes: list[str] = field(default_factory=list)  # current first
    names: set[str] = field(default_factory=set)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]


def _specs(directory: Path) -> tuple[dict[str, _Spec], list[tuple[str, str, date]]]:
    specs: dict[str, _Spec] = {}
    for row in _csv(directory / "la_code_list_lait_dfe.csv"):
        code = row["LA Number"]
        if int(code) >= 970:  # England, regions and Inner/Outer London: not authorities
            continue
        region, london_area = row["Region"], ""
        if region in LONDON_AREAS:
            region, london_area = "London", region
        name = re.sub(r"\s*\(Pre LG\)$", "", row["LA Name"])
        specs[code] = _Spec(dfe_code=code, name=name, region=region, london_area=london_area, dfe_type=row["Type"])
        specs[code].names.add(row["LA Name"])

    # Current ONS codes and other names, from the JT-39 lookup.
    for row in _csv(directory / "la_lookup_statneighbours_jt39.csv"):
        spec = specs.get(row["la_code"])
        if not spec:
            continue
        if row["la_code_new"]:
            spec.ons_codes.insert(0, row["la_code_new"])
        for extra in (row["local_authority_ons_name"], row["ofsted_ilacs_scrape_la_name"]):
            if extra and not extra.isdigit():
                spec.names.add(extra)
        for alias in row["also_known_as"].strip("[]").split(","):
            if alias.strip():
                spec.names.add(alias.strip())

    # Every ONS code a DfE code has had, and alternative names, from mySociety's register.
    register = [r for r in _csv(directory / "uk_local_authorities_mysociety.csv") if r["nation"] == "England"]
    for row in register:
        spec = specs.get(row["old-ons-la-code"])
        if spec is None:
            for code in (row["gss-code"], *row["former-gss-codes"].split(",")):
                owner = next((s for s in specs.values() if code and code in s.ons_codes), None)
                if owner:
                    spec = owner
                    break
        if spec is None:
            continue
        for code in (row["gss-code"], *row["former-gss-codes"].split(",")):
            if code and code not in spec.ons_codes:
                spec.ons_codes.append(code)
        for name in (row["official-name"], row["nice-name"], *row["alt-names"].split(",")):
            name = name.strip()
            if len(name) > 3 and normalise_name(name) not in {"city of", "council"}:
                spec.names.add(name)

    reorganisations = tomllib.loads((directory / "reorganisations.toml").read_text(encoding="utf-8"))
    successions = []
    for item in reorganisations.get("codes", []):
        spec = specs[item["dfe_code"]]
        spec.name = item.get("name", spec.name)
        spec.start_date = item.get("start_date", spec.start_date)
        spec.end_date = item.get("end_date", spec.end_date)
        for successor in item.get("successors", []):
            successions.append((spec.dfe_code, successor, item["end_date"]))
    for item in reorganisations.get("names", []):
        specs[item["dfe_code"]].names.update(item["names"])
    for item in reorganisations.get("continuing", []):
        spec = specs[item["dfe_code"]]
        for code in item["ons_codes"]:
            if code not in spec.ons_codes:
                spec.ons_codes.append(code)
    return specs, successions


def _neighbours(directory: Path) -> dict[int, list[tuple[str, str, int, str]]]:
    sets = {2021: [], 2025: []}
    # The 2021 file repeats the column name 'SNP' for each closeness; read it positionally.
    with (directory / "stat_neighbours_2021_dfe.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            if not row or not row[0].strip():
                continue
            for rank in range(1, 11):
                code, closeness = row[5 + 2 * (rank - 1)].strip(), row[6 + 2 * (rank - 1)].strip()
                if code:
                    sets[2021].append((row[0].strip(), code, rank, closeness))
    for row in _csv(directory / "stat_neighbours_2025_dfe.csv"):
        for rank in range(1, 11):
            code = row.get(f"SN_{rank}", "")
            if code:
                sets[2025].append((row["old_la_code"], code, rank, row.get(f"SN_{rank}P", "")))
    return sets


@transaction.atomic
def authorities_load(*, directory: Path = DATA_DIR) -> dict[str, int]:
    """Create or update every authority from the data files; running it twice changes nothing."""
    specs, successions = _specs(directory)
    neighbour_sets = _neighbours(directory)
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    existing = {a.dfe_code: a for a in Authority.objects.all()}
    for spec in specs.values():
        ons_codes = list(dict.fromkeys(spec.ons_codes))
        search = " ".join(sorted({normalise_name(n) for n in spec.names | {spec.name}} | {spec.dfe_code, *ons_codes}))
        values = dict(
            name=spec.name,
            region=spec.region,
            london_area=spec.london_area,
            dfe_type=spec.dfe_type,
            start_date=spec.start_date,
            end_date=spec.end_date,
            search_text=search.lower(),
        )
        authority = existing.get(spec.dfe_code)
        if authority is None:
            authority = Authority.objects.create(dfe_code=spec.dfe_code, **values)
            existing[spec.dfe_code] = authority
            counts["created"] += 1
        elif any(getattr(authority, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(authority, k, v)
            authority.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1

        wanted_codes = {(code, i == 0) for i, code in enumerate(ons_codes)}
        have_codes = set(authority.ons_codes.values_list("code", "current"))
        if wanted_codes != have_codes:
            authority.ons_codes.all().delete()
            OnsCode.objects.bulk_create(OnsCode(authority=authority, code=c, current=cur) for c, cur in wanted_codes)
        wanted_names = {}
        for n in sorted(spec.names):  # capitalised spellings sort first and win over lower-case copies
            if normalise_name(n) != normalise_name(spec.name):
                wanted_names.setdefault(normalise_name(n), n)
        have_names = set(authority.names.values_list("normalised", "name"))
        if set(wanted_names.items()) != have_names:
            authority.names.all().delete()
            AlternativeName.objects.bulk_create(
                AlternativeName(authority=authority, name=n, normalised=k) for k, n in wanted_names.items()
            )

    wanted = {(existing[p].pk, existing[s].pk, d) for p, s, d in successions}
    have = set(Succession.objects.values_list("predecessor_id", "successor_id", "date"))
    if wanted != have:
        Succession.objects.all().delete()
        Succession.objects.bulk_create(Succession(predecessor_id=p, successor_id=s, date=d) for p, s, d in wanted)

    problems = []
    rows = set()
    for year, entries in neighbour_sets.items():
        for code, other, rank, closeness in entries:
            if code not in existing or other not in existing:
                problems.append(Problem(f"statistical neighbours {year}: unknown DfE code {code if code not in existing else other}"))
                continue
            rows.add((year, existing[code].pk, existing[other].pk, rank, closeness))
    if problems:
        raise ApaError(problems)
    have = set(Neighbour.objects.values_list("set_year", "authority_id", "neighbour_id", "rank", "closeness"))
    if rows != have:
        Neighbour.objects.all().delete()
        Neighbour.objects.bulk_create(
            Neighbour(set_year=y, authority_id=a, neighbour_id=n, rank=r, closeness=c) for y, a, n, r, c in rows
        )
    return counts
