"""Load framework data files into the database, idempotently."""

import hashlib
import tomllib
from pathlib import Path

from django.db import transaction

from apa.errors import ApaError, Problem

from .models import JUDGING_RANK, Area, AreaKind, Framework, GradeLevel, NationalPublication

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(path: Path) -> tuple[dict, str]:
    raw = path.read_bytes()
    try:
        return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
    except tomllib.TOMLDecodeError as exc:
        raise ApaError(Problem(f"{path.name} is not valid TOML: {exc}")) from None


def _validate(data: dict, name: str) -> list[Problem]:
    problems = []
    for key in ("code", "title", "grades", "areas", "default_score"):
        if key not in data:
            problems.append(Problem(f"{name}: '{key}' is missing"))
    if problems:
        return problems
    values = [g["value"] for g in data["grades"]]
    if len(set(values)) != len(values):
        problems.append(Problem(f"{name}: grade values repeat"))
    codes = [a["code"] for a in data["areas"]]
    if len(set(codes)) != len(codes):
        problems.append(Problem(f"{name}: area codes repeat"))
    for area in data["areas"]:
        if area.get("kind") not in AreaKind.values:
            problems.append(Problem(f"{name}: area {area['code']} has unknown kind {area.get('kind')!r}"))
    for part in data["default_score"].split("+"):
        if part not in codes:
            problems.append(Problem(f"{name}: default_score names unknown area {part!r}"))
    problems.extend(_validate_jar(data.get("jar"), codes, name))
    return problems


def _validate_jar(jar, codes: list[str], name: str) -> list[Problem]:
    """The [jar] table: core areas, each with a code, a title and the judgement areas that feed it."""
    if jar is None:
        return []
    if not isinstance(jar, dict) or set(jar) != {"core_areas"} or not isinstance(jar["core_areas"], list):
        return [Problem(f"{name}: the [jar] table holds one list, [[jar.core_areas]]")]
    problems = []
    seen = set()
    for i, core in enumerate(jar["core_areas"], start=1):
        code = core.get("code") if isinstance(core, dict) else None
        label = f"{name}: JAR core area {code or i}"
        if not isinstance(code, str) or not code or not code.replace("_", "").isalnum():
            problems.append(Problem(f"{label} needs a code of letters, digits and underscores"))
        elif code in seen:
            problems.append(Problem(f"{name}: JAR core area {code} repeats"))
        seen.add(code)
        if not isinstance(core, dict):
            continue
        if not str(core.get("title", "")).strip():
            problems.append(Problem(f"{label} needs a title"))
        feeds = core.get("areas")
        if not isinstance(feeds, list) or not feeds:
            problems.append(Problem(f"{label} needs the judgement areas that feed it (areas = [...])"))
            continue
        for area in feeds:
            if area not in codes:
                problems.append(Problem(f"{label} names unknown area {area!r}"))
        extra = set(core) - {"code", "title", "areas"}
        if extra:
            problems.append(Problem(f"{label} has unknown keys {', '.join(sorted(extra))}"))
    return problems


def _jar_core_areas(data: dict) -> list[dict]:
    return [{"code": c["code"], "title": c["title"], "areas": list(c["areas"])}
            for c in data.get("jar", {}).get("core_areas", [])]


def _content(data: dict, judging: dict[str, int]) -> dict:
    """What loading a file writes, apart from its JAR table: to tell whether a framework that results use
    would change."""
    return {
        "framework": (data["title"], data.get("description", ""), data.get("yearly", True), data.get("first_year"),
                      data.get("last_year"), data["default_score"], data.get("source", "")),
        "grades": sorted((g["value"], g["label"], g.get("descriptor", "")) for g in data["grades"]),
        "areas": sorted((a["code"], a["title"], a.get("short_title", a["title"]), a["kind"], a["display_order"],
                         judging[a["code"]], a.get("required", True), a.get("graded_from"), a.get("continues") or "",
                         a.get("description", "")) for a in data["areas"]),
        "national": sorted((n["year"], n["date"], n.get("source", "")) for n in data.get("national_publications", [])),
    }


def _stored_content(framework: Framework) -> dict:
    """`_content` as the database holds it."""
    return {
        "framework": (framework.title, framework.description, framework.yearly, framework.first_year,
                      framework.last_year, framework.default_score, framework.source),
        "grades": sorted((g.value, g.label, g.descriptor) for g in framework.grades.all()),
        "areas": sorted((a.code, a.title, a.short_title, a.kind, a.display_order, a.judging_order, a.required,
                         a.graded_from, f"{a.continues.framework.code}:{a.continues.code}" if a.continues else "",
                         a.description) for a in framework.areas.select_related("continues__framework")),
        "national": sorted((n.year, n.date, n.source) for n in framework.national_publications.all()),
    }


def _judging_orders(areas: list[dict]) -> dict[str, int]:
    ordered = sorted(areas, key=lambda a: (JUDGING_RANK[a["kind"]], a["display_order"]))
    return {a["code"]: a.get("judging_order", i + 1) for i, a in enumerate(ordered)}


@transaction.atomic
def frameworks_load(*, directory: Path = DATA_DIR) -> dict[str, str]:
    """Create or update every framework in `directory`. Returns {code: 'created'|'updated'|'unchanged'}.

    A framework that results already use is never changed: its file must stay as it was loaded.
    """
    files = sorted(directory.glob("*.toml"))
    parsed = [(path, *_read(path)) for path in files]
    problems = [p for path, data, _ in parsed for p in _validate(data, path.name)]
    if problems:
        raise ApaError(problems)

    outcome: dict[str, str] = {}
    # Areas may continue areas of earlier frameworks; load in year order so those exist first.
    parsed.sort(key=lambda item: (item[1].get("first_year") or 0, item[1]["code"]))
    for path, data, checksum in parsed:
        existing = Framework.objects.filter(code=data["code"]).first()
        if existing and existing.checksum == checksum:
            outcome[data["code"]] = "unchanged"
            continue
        judging = _judging_orders(data["areas"])
        if existing and existing.results.exists():
            if _stored_content(existing) != _content(data, judging):
                raise ApaError(
                    Problem(
                        f"{path.name}: framework {data['code']} is used by published results and cannot change; "
                        "add a new framework file instead"
                    )
                )
            # Only the JAR table (or a comment) changed: it says how published results are read for a Joint
            # Area Review, and changes no published grade, so it may be added or amended.
            existing.jar_core_areas, existing.checksum = _jar_core_areas(data), checksum
            existing.save(update_fields=["jar_core_areas", "checksum"])
            outcome[data["code"]] = "updated"
            continue
        framework, created = Framework.objects.update_or_create(
            code=data["code"],
            defaults=dict(
                title=data["title"],
                description=data.get("description", ""),
                yearly=data.get("yearly", True),
                first_year=data.get("first_year"),
                last_year=data.get("last_year"),
                default_score=data["default_score"],
                source=data.get("source", ""),
                checksum=checksum,
                jar_core_areas=_jar_core_areas(data),
            ),
        )
        framework.grades.all().delete()
        GradeLevel.objects.bulk_create(
            GradeLevel(framework=framework, value=g["value"], label=g["label"], descriptor=g.get("descriptor", ""))
            for g in data["grades"]
        )
        keep = []
        for spec in data["areas"]:
            continues = None
            if spec.get("continues"):
                fw_code, area_code = spec["continues"].split(":")
                continues = Area.objects.filter(framework__code=fw_code, code=area_code).first()
                if continues is None:
                    raise ApaError(Problem(f"{path.name}: area {spec['code']} continues unknown {spec['continues']}"))
            area, _ = Area.objects.update_or_create(
                framework=framework,
                code=spec["code"],
                defaults=dict(
                    title=spec["title"],
                    short_title=spec.get("short_title", spec["title"]),
                    kind=spec["kind"],
                    display_order=spec["display_order"],
                    judging_order=judging[spec["code"]],
                    required=spec.get("required", True),
                    graded_from=spec.get("graded_from"),
                    continues=continues,
                    description=spec.get("description", ""),
                ),
            )
            keep.append(area.pk)
        framework.areas.exclude(pk__in=keep).delete()
        framework.national_publications.all().delete()
        NationalPublication.objects.bulk_create(
            NationalPublication(framework=framework, year=n["year"], date=n["date"], source=n.get("source", ""))
            for n in data.get("national_publications", [])
        )
        outcome[framework.code] = "created" if created else "updated"
    return outcome
