"""Published letters: metadata and the permalinks of every public version's page and PDF."""

from ninja import Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.filters import results_filtered
from apa.api.links import api_link, authority_ref, letter_links, result_link
from apa.api.paging import Mapped, Paged
from apa.authorities.selectors import authority_detail
from apa.errors import NotFound, Problem
from apa.publication.selectors import published_letter, successor_of, versions_visible

from . import responses

router = Router(tags=["letters"])


def serialise(request, r) -> dict:
    successor = None if r.is_current else successor_of(result=r)
    return {
        "url": api_link(request, "letter_version", dfe_code=r.authority.dfe_code, code=r.framework.code, key=r.key,
                        version=r.version),
        "authority": authority_ref(request, r.authority), "framework": r.framework.code, "year": r.year,
        "key": r.key, "version": r.version, "current": r.is_current, "published_at": r.published_at,
        "publication_date": r.publication_date, "correction_note": r.correction_note, "title": r.label,
        **letter_links(request, r), "result": result_link(request, r),
        "superseded_by": api_link(request, "letter_version", dfe_code=r.authority.dfe_code, code=r.framework.code,
                                  key=r.key, version=successor.version) if successor else None,
    }


def _cycle_letter(result):
    """The API's letters are the cycle's, with their content; an imported result's page letter has grades only."""
    if result.letter is None:
        raise NotFound(Problem("no published letter"))
    return result


@router.get("", response=responses(list[s.Letter]), url_name="letters", summary="List published letters")
@paginate(Paged)
def letters(request, framework: s.FrameworkCode | None = None, year: s.Year | None = None,
            authority: s.AuthorityText | None = None):
    """Every public version of every published letter (a corrected letter keeps its earlier versions), by
    authority, framework, key and version. Imported results have no letter."""
    items = results_filtered(versions_visible().filter(letter__isnull=False), framework=framework, year=year,
                             authority=authority)
    items = items.select_related("authority", "framework").defer("letter").order_by(
        "authority__dfe_code", "framework__first_year", "framework__code", "key", "version")
    return Mapped(items, lambda page: [serialise(request, r) for r in page])


@router.get("/{dfe_code}/{code}/{key}", response=responses(s.Letter), url_name="letter",
            summary="A published letter (its current version)")
def letter(request, dfe_code: s.DfeCode, code: s.FrameworkCode, key: s.ResultKey):
    return serialise(request, _cycle_letter(published_letter(authority=authority_detail(dfe_code=dfe_code),
                                                             framework_code=code, key=key)))


@router.get("/{dfe_code}/{code}/{key}/versions/{version}", response=responses(s.Letter),
            url_name="letter_version", summary="One version of a published letter")
def letter_version(request, dfe_code: s.DfeCode, code: s.FrameworkCode, key: s.ResultKey, version: s.Version):
    return serialise(request, _cycle_letter(published_letter(authority=authority_detail(dfe_code=dfe_code),
                                                             framework_code=code, key=key, version=version)))
