"""Authorities: codes, names, reorganisations and statistical neighbours."""

from typing import Literal

from ninja import Query, Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.links import api_link, authority_ref
from apa.api.paging import Mapped, Paged
from apa.authorities.selectors import authority_detail, authority_list, neighbour_set_years, neighbours_of

from . import responses

router = Router(tags=["authorities"])


def summary(request, a) -> dict:
    return {"dfe_code": a.dfe_code, "name": a.name, "region": a.region, "london_area": a.london_area or None,
            "type": a.dfe_type or None, "type_label": a.type_label, "start_date": a.start_date,
            "end_date": a.end_date, "current": a.is_current, "ons_code": a.current_ons_code or None,
            "url": api_link(request, "authority", dfe_code=a.dfe_code)}


def _neighbours(request, rows) -> list[dict]:
    return [{"rank": n.rank, "authority": authority_ref(request, n.neighbour), "closeness": n.closeness.strip()}
            for n in rows]


@router.get("", response=responses(list[s.AuthoritySummary]), url_name="authorities", summary="List authorities")
@paginate(Paged)
def authorities(request, q: s.Text = "", region: s.Text = "", type: s.Text = "",
                status: Literal["current", "former"] | None = None):
    """Authorities by name, with filters: `q` (words of a name, or an ONS code), `region` (a region, or Inner or
    Outer London), `type` (SC, UA, MD, ILB, OLB) and `status` (current or former)."""
    items = authority_list(query=q, region=region, dfe_type=type, status=status or "").order_by("name", "dfe_code")
    return Mapped(items, lambda page: [summary(request, a) for a in page])


@router.get("/{dfe_code}", response=responses(s.Authority), url_name="authority", summary="An authority")
def authority(request, dfe_code: s.DfeCode):
    """An authority with every ONS code and other name it has had, the authorities it replaced and those that
    replaced it, and its statistical neighbours from the latest set that lists it."""
    a = authority_detail(dfe_code=dfe_code)
    neighbours = neighbours_of(authority=a)
    return {
        **summary(request, a),
        "ons_codes": [{"code": c.code, "current": c.current} for c in a.ons_codes.all()],
        "other_names": [n.name for n in a.names.all() if n.name != a.name],
        "predecessors": [{"authority": authority_ref(request, x.predecessor), "date": x.date}
                         for x in a.predecessions.all()],
        "successors": [{"authority": authority_ref(request, x.successor), "date": x.date}
                       for x in a.successions.all()],
        "neighbour_set": neighbours[0].set_year if neighbours else None,
        "neighbours": _neighbours(request, neighbours),
        "neighbour_sets": neighbour_set_years(),
    }


SET_YEAR = Query(None, description="the neighbour set (its year); default the latest that lists the authority")


@router.get("/{dfe_code}/neighbours", response=responses(s.Neighbours), url_name="neighbours",
            summary="An authority's statistical neighbours")
def neighbours(request, dfe_code: s.DfeCode, set_year: s.Year | None = SET_YEAR):
    """The ten statistical neighbours, ranked closest first, of one neighbour set."""
    a = authority_detail(dfe_code=dfe_code)
    rows = neighbours_of(authority=a, set_year=set_year)
    return {"authority": authority_ref(request, a), "set_year": rows[0].set_year if rows else set_year,
            "neighbours": _neighbours(request, rows)}
