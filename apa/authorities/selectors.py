"""Find authorities: by DfE code, any ONS code it has had, or a name or alternative name."""

from datetime import date

from django.db.models import Q, QuerySet

from apa.errors import ApaError, NotFound, Problem

from .models import Authority, Neighbour
from .services import normalise_name


def authority_resolve(*, text: str, on: date | None = None) -> Authority:
    """One authority for `text`, or a refusal that says why. A name two authorities share is settled by
    `on` (the one that existed that day) when given; otherwise it is an error listing the candidates."""
    text = (text or "").strip()
    if not text:
        raise ApaError(Problem("no authority given"))
    base = Authority.objects.prefetch_related("ons_codes")
    if text.isdigit():
        found = base.filter(dfe_code=text).first()
        if found:
            return found
    found = base.filter(ons_codes__code__iexact=text).first()
    if found:
        return found
    key = normalise_name(text)
    candidates = list(base.filter(Q(names__normalised=key) | Q(pk__in=_pks_named(key))).distinct())
    if len(candidates) > 1 and on is not None:
        living = [a for a in candidates if a.existed_on(on)]
        if len(living) == 1:
            return living[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(Problem(f"no authority matches {text!r}; use a DfE code, an ONS code or a name"))
    listed = "; ".join(f"{a.dfe_code} {a.name}" for a in sorted(candidates, key=lambda a: a.dfe_code))
    raise ApaError(Problem(f"{text!r} could be more than one authority: {listed}"), code="ambiguous")


def _pks_named(key: str) -> list[int]:
    return [a.pk for a in Authority.objects.only("pk", "name") if normalise_name(a.name) == key]


def authority_list(
    *, query: str = "", region: str = "", dfe_type: str = "", status: str = ""
) -> QuerySet[Authority]:
    items = Authority.objects.all().prefetch_related("ons_codes")
    if query:
        key = normalise_name(query)
        items = items.filter(Q(search_text__contains=key) | Q(ons_codes__code__iexact=query.strip()))
    if region:
        items = items.filter(Q(region=region) | Q(london_area=region))
    if dfe_type:
        items = items.filter(dfe_type=dfe_type)
    if status == "current":
        items = items.filter(end_date__isnull=True)
    elif status == "former":
        items = items.filter(end_date__isnull=False)
    return items.distinct().order_by("name")


def neighbour_set_years() -> list[int]:
    return sorted(set(Neighbour.objects.values_list("set_year", flat=True).distinct()))


def neighbours_of(*, authority: Authority, set_year: int | None = None) -> list[Neighbour]:
    """Ranked statistical neighbours, from the latest set that lists the authority unless a set is named."""
    rows = Neighbour.objects.filter(authority=authority).select_related("neighbour")
    if set_year is None:
        years = sorted(set(rows.values_list("set_year", flat=True)))
        if not years:
            return []
        set_year = years[-1]
    return list(rows.filter(set_year=set_year).order_by("rank"))


def authority_detail(*, dfe_code: str) -> Authority:
    authority = (
        Authority.objects.prefetch_related(
            "ons_codes", "names", "successions__successor", "predecessions__predecessor"
        )
        .filter(dfe_code=dfe_code)
        .first()
    )
    if authority is None:
        raise NotFound(Problem(f"no authority with DfE code {dfe_code}"))
    return authority
