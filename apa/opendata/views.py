"""Open-data downloads at stable addresses: /open-data/ lists the releases; /open-data/<R>/<file> is release R
as first built (served from the cache under MEDIA_ROOT, built from the snapshots on first request);
/open-data/latest/<file> redirects to the latest release's file. Indicators likewise under
/open-data/indicators/<data release>/."""

import json
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apa.errors import ApaError, NotFound
from apa.ui.access import public

from .selectors import data_release_get, data_releases, release_get, release_latest, releases_public
from .services import indicators_download, release_download

TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json"}


def _or_404(find):
    try:
        return find()
    except NotFound as exc:
        raise Http404(exc.lines[0]) from None


def _files(request, build, what: str):
    """The package's files, or a page saying why they cannot be given (410: it no longer rebuilds as it was)."""
    try:
        return build(), None
    except ApaError as exc:
        return None, render(request, "ui/error.html", {
            "title": f"{what} cannot be downloaded", "message": exc.lines[0]}, status=410)


def _read(item) -> bytes:
    return item if isinstance(item, bytes) else item.read_bytes()


def _package(files: dict, url_name: str, number: int) -> dict:
    """What the package page lists: its descriptor and each file with its address."""
    descriptor = _read(files["datapackage.json"])
    package = json.loads(descriptor)
    listed = [{"name": "datapackage.json", "title": "Data Package descriptor: every table's schema, licence and "
               "sources", "url": reverse(url_name, args=[number, "datapackage.json"]), "bytes": len(descriptor)}]
    listed += [{"name": r["path"], "title": r["title"], "description": r["description"], "bytes": r["bytes"],
                "url": reverse(url_name, args=[number, r["path"]])} for r in package["resources"]]
    return {"descriptor": package, "files": listed}


def _file(files: dict, name: str):
    item = files.get(name)
    if item is None:
        raise Http404("No such file in this package")
    content_type = TYPES.get(Path(name).suffix, "application/octet-stream")
    if isinstance(item, bytes):
        response = HttpResponse(item, content_type=content_type)
    else:
        response = FileResponse(item.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "public, max-age=86400"  # a release never changes
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
def index(request):
    return render(request, "opendata/index.html", {
        "releases": list(releases_public()), "data_releases": list(data_releases())})


@public
def release_page(request, number: int):
    release = _or_404(lambda: release_get(number=number))
    files, refused = _files(request, lambda: release_download(release=release), f"Release {number}")
    if refused:
        return refused
    return render(request, "opendata/package.html", {
        "package": _package(files, "opendata_release_file", number), "release": release})


@public
def release_file(request, number: int, name: str):
    release = _or_404(lambda: release_get(number=number))
    files, refused = _files(request, lambda: release_download(release=release), f"Release {number}")
    return refused or _file(files, name)


@public
def latest(request, name: str = ""):
    release = _or_404(release_latest)
    if name:
        return redirect("opendata_release_file", release.number, name)
    return redirect("opendata_release", release.number)


@public
def indicators_page(request, number: int):
    data_release = _or_404(lambda: data_release_get(number=number))
    files, refused = _files(request, lambda: indicators_download(data_release=data_release),
                                    f"Indicator data release {number}")
    if refused:
        return refused
    return render(request, "opendata/package.html", {
        "package": _package(files, "opendata_indicators_file", number), "data_release": data_release})


@public
def indicators_file(request, number: int, name: str):
    data_release = _or_404(lambda: data_release_get(number=number))
    files, refused = _files(request, lambda: indicators_download(data_release=data_release),
                                    f"Indicator data release {number}")
    return refused or _file(files, name)


@public
def indicators_latest(request, name: str = ""):
    data_release = _or_404(data_release_get)
    if name:
        return redirect("opendata_indicators_file", data_release.pk, name)
    return redirect("opendata_indicators", data_release.pk)
