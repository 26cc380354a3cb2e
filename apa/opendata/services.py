"""Open-data releases: recorded when results are published, imported or corrected (receivers.py), built from
the snapshots as they stood at the release's moment, written to a directory, and kept on disk under
MEDIA_ROOT for download.

A release's first build records each file's hash (Release.first_build); every later build is checked against
them, so "rebuilds byte-identically" is a fact the command line proves, not a hope. The download cache
(MEDIA_ROOT/opendata/) holds each release as first built: a release never changes, so the cache is never
stale, and deleting it only means the next download builds (and checks) the release again."""

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apa.errors import ApaError, Problem
from apa.indicators.models import Import

from .indicators import indicator_tables
from .models import Release
from .package import OGL, PACKAGE_FORMAT, SAFE_TEXT, hashes_of, package_files, utc_text
from .tables import RESULT_SOURCES, release_tables

CACHE = "opendata"
KEYWORDS = ["children's services", "local authorities", "annual performance assessment", "Ofsted", "England"]


def _lock() -> None:
    """One release number at a time. On SQLite the immediate transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(3011)")


@transaction.atomic
def release_record(*, at, reason: str, label: str) -> Release:
    """The release that describes the published record at `at`. The results of one cycle published together
    share their moment and so one release; a cycle rescheduled before its moment moves its release."""
    _lock()
    same = Release.objects.filter(reason=reason, label=label)
    existing = same.filter(as_at=at).first()
    if existing is not None:
        return existing
    now = timezone.now()
    pending = same.filter(reason=Release.Reason.PUBLISHED, as_at__gt=now).first() if at > now else None
    if pending is not None:
        pending.as_at = at
        pending.save(update_fields=["as_at"])
        return pending
    number = (Release.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    return Release.objects.create(number=number, reason=reason, label=label, as_at=at)


def _release_meta(release: Release) -> dict:
    moment = utc_text(release.as_at)
    return {
        "name": "apa-published-results",
        "id": f"apa-published-results-release-{release.number}",
        "title": f"APA published results, release {release.number}",
        "description": (
            f"Release {release.number} ({release.label}) of the published results of children's services "
            f"assessments in England, as they stood at {moment}: frameworks, authorities, every published "
            "version of every result with its grades and sources, letters, comparisons, the national "
            "distribution of grades and councils' published decisions. Nothing that was not public at that "
            "moment is included. Each release can be rebuilt at any time from the published snapshots and gives "
            "the same bytes (each file's sha256 is below). An empty cell is a missing value. " + SAFE_TEXT),
        "version": f"{release.number}.0.0",
        "created": moment,
        "keywords": KEYWORDS,
        "licenses": [OGL],
        "sources": RESULT_SOURCES,
        "apa_release": {"number": release.number, "reason": release.reason, "label": release.label,
                        "as_at": moment, "package_format": PACKAGE_FORMAT},
    }


def release_files(*, release: Release) -> dict[str, bytes]:
    """The release's files, built from the snapshots as at its moment and checked against its first build
    (whose hashes the first build records)."""
    if release.as_at > timezone.now():
        raise ApaError(Problem(f"release {release.number} describes a moment still to come"))
    files = package_files(tables=release_tables(at=release.as_at), meta=_release_meta(release))
    built = {"format": PACKAGE_FORMAT, "files": hashes_of(files)}
    first = release.first_build
    if first and first.get("format") != PACKAGE_FORMAT:
        raise ApaError(Problem(
            f"release {release.number} was first built in package format {first.get('format')} and this APA "
            f"writes format {PACKAGE_FORMAT}, so it cannot rebuild it; its first build is the one /open-data/ "
            "serves while MEDIA_ROOT keeps it"))
    if first and first != built:
        differ = sorted(n for n in set(built["files"]) | set(first["files"])
                        if built["files"].get(n) != first["files"].get(n))
        raise ApaError(Problem(
            f"release {release.number} no longer rebuilds as first built: {', '.join(differ)} differ, so the "
            "record of that moment was changed in place since (e.g. an import added a source to a result "
            "already published); its first build is the one /open-data/ serves while MEDIA_ROOT keeps it"))
    if not first:
        Release.objects.filter(pk=release.pk, first_build={}).update(first_build=built)
        release.first_build = built
    return files


def _indicators_meta(data_release: Import) -> dict:
    moment = utc_text(data_release.imported_at)
    return {
        "name": "apa-indicators",
        "id": f"apa-indicators-data-release-{data_release.pk}",
        "title": f"APA indicators, data release {data_release.pk}",
        "description": (
            f"The indicator data held by APA after data release {data_release.pk} (the import applied at "
            f"{moment}): the catalogue, periods, each authority's values and England's and the regions' as "
            "published, each with the reason when there is no value. An empty cell is a missing value. "
            + SAFE_TEXT),
        "version": f"{data_release.pk}.0.0",
        "created": moment,
        "keywords": [*KEYWORDS[:2], "indicators", "LAIT"],
        "licenses": [OGL],
        "sources": [{"title": "DfE Local Authority Interactive Tool (LAIT) and the other files imported"}],
        "apa_data_release": {"number": data_release.pk, "format": data_release.format,
                             "sha256": data_release.sha256, "imported_at": moment},
    }


def indicator_files(*, data_release: Import) -> dict[str, bytes]:
    return package_files(tables=indicator_tables(data_release=data_release), meta=_indicators_meta(data_release))


def files_write(*, files: dict[str, bytes], directory: Path | str) -> Path:
    """Write a package's files into `directory` (made if missing); other files there are left alone."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ApaError(Problem(f"{directory} is a file, not a directory"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (directory / name).write_bytes(data)
    except OSError as exc:
        raise ApaError(Problem(f"cannot write to {directory}: {exc.strerror or exc}")) from None
    return directory


def _cached(kind: str, number: int, build) -> dict[str, Path | bytes]:
    """A package's files for download: {name: path} in the cache, built (into a temporary directory, then
    renamed into place, so that no reader sees half a package) when not there yet; {name: bytes} straight from
    the build when the cache cannot be written (a read-only MEDIA_ROOT still serves every release)."""
    root = Path(settings.MEDIA_ROOT) / CACHE / kind
    final = root / str(number)
    if (final / "datapackage.json").exists():
        return {p.name: p for p in sorted(final.iterdir()) if p.is_file()}
    files = build()
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{number}-", dir=root))
        for name, data in files.items():
            (scratch / name).write_bytes(data)
        try:
            os.rename(scratch, final)
        except OSError:  # built meanwhile by another request: keep that one
            shutil.rmtree(scratch, ignore_errors=True)
    except OSError:
        return files
    return {name: final / name for name in files}


def release_download(*, release: Release) -> dict[str, Path | bytes]:
    return _cached("releases", release.number, lambda: release_files(release=release))


def indicators_download(*, data_release: Import) -> dict[str, Path | bytes]:
    return _cached("indicators", data_release.pk, lambda: indicator_files(data_release=data_release))


def releases_initialise() -> Release | None:
    """For `apa init`: a database whose results were stored before open data began gets its first release."""
    if Release.objects.exists():
        return None
    return release_record(at=timezone.now(), reason=Release.Reason.IMPORTED,
                          label="Published results stored before open-data releases began")
