"""Letters as documents: a published result version's letter as a page, as a PDF, and as files for a cycle.

One template makes the page and the PDF (`publication/_letter_body.html`, wrapped by `letter.html` for the
page and by `letter_print.html`, given to WeasyPrint with the print CSS `static/publication/letter.css`). The
letter is read from the version's frozen snapshot (`Result.letter`, made by the assessment cycle); an
imported result has none and gets a grades-only letter that says so. Results are found only through the one
visibility rule (`selectors.results_visible` / `versions_visible`), so nothing unpublished is ever written.

`letter_file_write` is one letter as a PDF file, the unit of work of `apa letters build` (letter_build.py),
callable on its own.
"""

import hashlib
import json
import os
import time
import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apa.errors import NotFound, Problem
from apa.frameworks.models import Area, AreaKind

from .selectors import successor_of, versions_visible

HERE = Path(__file__).resolve().parent
TITLES = HERE / "data" / "letter_titles.toml"
LETTER_CSS = HERE / "static" / "publication" / "letter.css"
RELEASES = {"provisional": "provisional", "revised": "revised", "final": "final", "other": "other release"}


# ---- what a letter says -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _titles() -> dict:
    with TITLES.open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def letter_css() -> str:
    """The print CSS, given to WeasyPrint beside the print template (which has no <style>), so that every
    PDF of a letter (published, draft or built to files) has it without fetching anything."""
    return LETTER_CSS.read_text(encoding="utf-8")


def letter_of(result) -> dict:
    """The letter of a result version as plain data: its snapshot, or for an imported result (which has no
    findings) its grades alone, marked `grades_only`, with the sources the grades were read from."""
    if result.letter is not None:
        return result.letter
    labels = {g.value: g.label for g in result.framework.grades.all()}
    grades = list(result.grades.select_related("area").prefetch_related("sources").order_by("area__display_order"))
    sources = []
    for grade in grades:
        for source in grade.sources.all():
            if source.source not in sources:
                sources.append(source.source)
    return {
        "authority": {"dfe_code": result.authority.dfe_code, "name": result.authority.name},
        "framework": {"code": result.framework.code, "title": result.framework.title},
        "year": result.year,
        "inspection_date": result.inspection_date.isoformat() if result.inspection_date else None,
        "sections": [{"area": g.area.code, "title": g.area.title, "grade": g.grade, "label": labels.get(g.grade, ""),
                      "rationale": "", "findings": {}} for g in grades],
        "strengths": 0, "developments": 0, "focus": 0, "ratio": None,
        "grades_only": True, "sources": sources,
    }


def _inspection_date(letter: dict) -> str:
    text = letter.get("inspection_date")
    if not text:
        return ""
    day = datetime.strptime(text, "%Y-%m-%d").date()
    return f"{day.day} {day:%B %Y}"


def letter_heading(letter: dict) -> dict:
    """The title in the form the framework's letters used (data/letter_titles.toml), and the caption."""
    spec = _titles().get(letter["framework"]["code"], {})
    values = {"authority": letter["authority"]["name"], "year": letter.get("year") or "",
              "inspection_date": _inspection_date(letter)}
    title = spec.get("title", "{framework}: {authority}").format(framework=letter["framework"]["title"], **values)
    caption = letter["framework"]["title"]
    if letter.get("year") and str(letter["year"]) not in caption:
        caption = f"{caption}, {letter['year']}"
    return {"title": " ".join(title.split()), "subtitle": spec.get("subtitle", "").format(**values),
            "caption": caption, "when": values["year"] or values["inspection_date"],
            "focus": spec.get("focus", "Areas for focus for the next assessment")}


def _number(value, places) -> str:
    if value is None:
        return "no value"
    if places is not None:
        return f"{value:,.{places}f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def evidence_row(evidence: dict) -> dict:
    """One piece of indicator evidence with its benchmark as frozen when the finding was made: the figures
    (value, quartile band, rank of N) and when they are from (period, data release)."""
    b = evidence.get("benchmark") or {}
    period = b.get("period") or evidence.get("period") or ""
    if "value" in b:
        rank = f"rank {b['rank']} of {b['ranked']}" if b.get("rank") else "not ranked"
        band = f"band {b['quartile_band']}" if b.get("quartile_band") else "no band"
        figures = f"{_number(b.get('value'), b.get('decimal_places'))} · {band} · {rank}"
        release = b.get("release") or RELEASES.get(b.get("period_status") or "", "as published")
        when = f"{period} · {release}" if period else release
    else:
        figures, when = "no figures for this period", period
    return {
        "indicator": evidence.get("indicator") or b.get("indicator", ""),
        "title": b.get("indicator_title") or evidence.get("indicator") or "",
        "unit": b.get("unit") or "",
        "benchmark": figures,
        "when": when,
    }


def _overall_areas(framework_code: str) -> set[str]:
    return set(Area.objects.filter(framework__code=framework_code, kind=AreaKind.OVERALL).values_list("code", flat=True))


def letter_layout(letter: dict) -> dict:
    """What the letter template lays out, worked out once from the letter's data: the heading, the overall
    grades for the summary, each area's findings with numbered references to its evidence table, and every
    area for focus gathered at the end. Evidence is numbered once across the letter: the same indicator with
    the same frozen benchmark has one number wherever it is cited."""
    numbers: dict[str, int] = {}
    rows: dict[int, dict] = {}
    sections, focus = [], []
    overall = _overall_areas(letter["framework"]["code"])
    for s in letter["sections"]:
        kinds, cited = {}, []
        for kind in ("strength", "development", "focus"):
            items = []
            for f in (s.get("findings") or {}).get(kind, []):
                refs = []
                for e in f.get("evidence", []):
                    key = json.dumps([e.get("indicator"), e.get("period"), e.get("benchmark")], sort_keys=True)
                    if key not in numbers:
                        numbers[key] = len(numbers) + 1
                        rows[numbers[key]] = {"number": numbers[key], **evidence_row(e)}
                    if numbers[key] not in refs:
                        refs.append(numbers[key])
                    if numbers[key] not in cited:
                        cited.append(numbers[key])
                items.append({**f, "refs": sorted(refs)})
            kinds[kind] = items
        focus += [{**item, "area": s["title"]} for item in kinds["focus"]]
        sections.append({**s, "strengths": kinds["strength"], "developments": kinds["development"],
                         "focus_items": kinds["focus"], "evidence": [rows[n] for n in sorted(cited)]})
    return {
        **letter_heading(letter),
        "grades_only": bool(letter.get("grades_only")),
        "sources": letter.get("sources", []),
        "overall": [s for s in letter["sections"] if s["area"] in overall],
        "sections": sections,
        "focus_items": focus,
        "ratio": letter.get("ratio"),
    }


# ---- finding a public letter and rendering it ---------------------------------------------------------------


def letter_links(result) -> dict:
    args = [result.authority.dfe_code, result.framework.code, result.key, result.version]
    return {"permalink": reverse("letter_version", args=args), "pdf_url": reverse("letter_version_pdf", args=args)}


def letter_context(result, *, at=None) -> dict:
    """The template context of a public version's letter, for the page and the PDF alike."""
    return {"letter": letter_of(result), "draft": False, "result": result,
            "superseded_by": None if result.is_current else successor_of(result=result, at=at),
            "site_url": settings.SITE_URL.rstrip("/"), **letter_links(result)}


def letter_file_name(result) -> str:
    return f"apa-letter-{result.authority.dfe_code}-{result.framework.code}-{result.key}-v{result.version}.pdf"


@lru_cache(maxsize=1)
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()  # one per process: finding the fonts is the slow part of a small document


def letter_document(result, *, at=None):
    """The letter laid out in pages by WeasyPrint. The same version always gives the same bytes: nothing in
    it depends on the request or the moment (links are absolute only when SITE_URL is set)."""
    from weasyprint import CSS, HTML

    html = render_to_string("publication/letter_print.html", letter_context(result, at=at))
    return HTML(string=html, base_url=settings.SITE_URL or None).render(
        font_config=_fonts(), stylesheets=[CSS(string=letter_css(), font_config=_fonts())])


def letter_pdf(result, *, at=None) -> bytes:
    return letter_document(result, at=at).write_pdf()


# ---- letters to files -----------------------------------------------------------------------------------------


def moment_of(at):
    if at is None:
        return timezone.now()
    return datetime.fromisoformat(at) if isinstance(at, str) else at


def letter_file_write(*, result_id: int, directory: str | Path, at: str | datetime | None = None) -> dict:
    """Write one public letter version's PDF into `directory` and return its index row (with the pages and
    seconds it took): the unit of work of `apa letters build`, callable on its own (a job per letter).
    Refused with NotFound unless the version is public at `at` (default now), so a job queued before a
    change can never write what is not public."""
    start = time.perf_counter()
    moment = moment_of(at)
    result = versions_visible(at=moment).filter(pk=result_id).select_related("framework", "authority").first()
    if result is None:
        raise NotFound(Problem(f"result {result_id} has no public letter"))
    document = letter_document(result, at=moment)
    pdf = document.write_pdf()
    name = letter_file_name(result)
    path = Path(directory) / name
    partial = path.with_name(f".{name}.part")
    partial.write_bytes(pdf)
    os.replace(partial, path)  # a reader never sees half a file
    return {
        "dfe_code": result.authority.dfe_code, "authority": result.authority.name, "framework": result.framework.code,
        "key": result.key, "version": result.version,
        "published": result.publication_date.isoformat() if result.publication_date else "",
        "file": name, "sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": len(document.pages), "seconds": time.perf_counter() - start,
    }
