"""Joint Area Review outcomes: public once their publication date has come, on a result version that is or was
public (jars_visible). The risk assessment behind them is not public and is not here."""

from ninja import Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.filters import results_filtered
from apa.api.links import authority_ref, result_link
from apa.api.paging import Mapped, Paged
from apa.publication.jar import jar_outcome
from apa.publication.selectors import jars_visible

from . import responses

router = Router(tags=["joint area reviews"])


def serialise(request, review) -> dict:
    r = review.result
    return {"authority": authority_ref(request, r.authority), "framework": r.framework.code, "year": r.year,
            "key": r.key, "result": result_link(request, r), "fieldwork_from": review.fieldwork_from,
            "fieldwork_to": review.fieldwork_to, "publication_date": review.publication_date, "note": review.note,
            "grades": [{"code": o.code, "title": o.title, "grade": o.grade, "label": o.label}
                       for o in jar_outcome(review=review)]}


@router.get("", response=responses(list[s.JarOutcome]), url_name="jar_outcomes", summary="List JAR outcomes")
@paginate(Paged)
def jar_outcomes(request, framework: s.FrameworkCode | None = None, year: s.Year | None = None,
                 authority: s.AuthorityText | None = None):
    """Every published Joint Area Review: its fieldwork, publication date and grade for each JAR core area."""
    items = results_filtered(jars_visible(), framework=framework, year=year, authority=authority, through="result__")
    items = items.select_related("result__authority", "result__framework").prefetch_related(
        "result__framework__grades").order_by("result__authority__dfe_code", "result__framework__first_year",
                                              "result__key", "pk")
    return Mapped(items, lambda page: [serialise(request, review) for review in page])
