"""The public CPA feed page, /results/cpa/: the table, its CSV (and the disagreements' CSV), public data only."""

from django.shortcuts import render

from apa.ui.access import public
from apa.ui.responses import csv_response

from .cpa import DISAGREEMENT_COLUMNS, FEED_COLUMNS, cpa_disagreements, cpa_feed, cpa_not_placed, cpa_years


@public
def cpa_feed_page(request):
    text = request.GET.get("year", "").strip()
    year, problem = None, ""
    if text:
        if text.isdigit() and len(text) == 4:
            year = int(text)
        else:
            problem = f"{text!r} is not a year; choose one of the years listed, or all years"
    rows = cpa_feed(year=year)
    disagreements = cpa_disagreements(year=year)
    suffix = year or "all-years"
    if request.GET.get("format") == "csv":
        if request.GET.get("table") == "disagreements":
            return csv_response(f"cpa-disagreements-{suffix}.csv", DISAGREEMENT_COLUMNS,
                                ([r[c] for c in DISAGREEMENT_COLUMNS] for r in disagreements))
        return csv_response(f"cpa-children-and-young-people-{suffix}.csv", FEED_COLUMNS,
                            ([r[c] for c in FEED_COLUMNS] for r in rows))
    return render(request, "publication/cpa.html", {
        "rows": rows, "disagreements": disagreements, "not_placed": cpa_not_placed(year=year), "year": year,
        "years": cpa_years(), "problem": problem,
    })
