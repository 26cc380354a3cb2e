"""The list of authorities past and present (published data, no account needed)."""

from django.shortcuts import render

from apa.ui.access import public
from apa.ui.responses import csv_response

from .forms import AuthoritySearchForm
from .selectors import authority_list as authorities_filtered


@public
def authority_list(request):
    form = AuthoritySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = list(
        authorities_filtered(
            query=filters.get("q", ""), region=filters.get("region", ""), dfe_type=filters.get("type", ""),
            status=filters.get("status", ""),
        )
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            "authorities.csv",
            ["dfe_code", "name", "ons_code", "region", "london_area", "type", "start_date", "end_date"],
            [[a.dfe_code, a.name, a.current_ons_code, a.region, a.london_area, a.dfe_type,
              a.start_date or "", a.end_date or ""] for a in items],
        )
    return render(request, "authorities/authority_list.html", {"form": form, "authorities": items,
                                                          "query_string": request.GET.urlencode()})
