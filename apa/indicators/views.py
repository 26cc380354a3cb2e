"""Indicator pages. Views only call selectors, pages, benchmark and services; the benchmark rules live in
ranking.py."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apa.accounts.models import Role
from apa.accounts.permissions import has_perm
from apa.authorities.models import Authority
from apa.authorities.selectors import authority_detail as authority_get
from apa.errors import ApaError, NotFound, PermissionDenied
from apa.ui.access import public, roles
from apa.ui.cache import cached_for_public
from apa.ui.posts import bad_request
from apa.ui.responses import csv_response

from . import charts
from .benchmark import BENCHMARK_COLUMNS, benchmark_rows
from .forms import FlagForm, FlagResponseForm, IndicatorFilterForm
from .pages import authority_profile, indicator_page
from .readers import outcome_codes
from .selectors import (
    flag_for_user,
    flags_for_user,
    indicator_get,
    indicator_periods,
    indicators_state,
    latest_period_labels,
    period_get,
    value_get,
    value_history,
    value_text,
)
from .selectors import indicator_list as indicators_filtered
from .services import flag_raise, flag_resolve, flag_withdraw

FLAG_ROLES = (Role.AUTHORITY_OFFICER, Role.INSPECTOR, Role.MODERATOR)  # indicators.view_flags


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def _authority_or_404(dfe_code: str) -> Authority:
    try:
        return authority_get(dfe_code=dfe_code)
    except NotFound:
        raise Http404("No authority with that DfE code") from None


@public
def indicator_list(request):
    form = IndicatorFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = list(indicators_filtered(topic=filters.get("topic", ""), outcome=filters.get("outcome", ""),
                                     query=filters.get("q", "")))
    latest = latest_period_labels()
    titles = outcome_codes()
    rows = [{"indicator": i, "latest": latest.get(i.pk, ""),
             "outcomes": [titles.get(o.outcome, o.outcome) for o in i.outcomes.all()]} for i in items]
    if request.GET.get("format") == "csv":
        return csv_response("indicators.csv", ["code", "title", "topics", "outcomes", "polarity", "unit", "year_type",
                                       "latest_period", "source"],
                    [[r["indicator"].code, r["indicator"].title, "; ".join(t.name for t in r["indicator"].topics.all()),
                      "; ".join(r["outcomes"]), r["indicator"].polarity, r["indicator"].unit,
                      r["indicator"].year_type, r["latest"], r["indicator"].source] for r in rows])
    return render(request, "indicators/indicator_list.html", {
        "form": form, "rows": rows, "query_string": request.GET.urlencode(),
    })


def _chosen_authority(request) -> Authority | None:
    code = request.GET.get("authority", "").strip()
    if code:
        return Authority.objects.filter(dfe_code=code).first()
    user = request.user
    if user.is_authenticated and getattr(user, "authority_id", None):
        return user.authority
    return None


@public
@cached_for_public(indicators_state)
def indicator_detail(request, code: str):
    try:
        indicator = indicator_get(code=code)
    except NotFound:
        raise Http404("No indicator with that code") from None
    periods = indicator_periods(indicator=indicator)
    if not periods:
        return render(request, "indicators/indicator_detail.html", {"indicator": indicator, "periods": []})
    problems = []
    try:
        period = period_get(indicator=indicator, label=request.GET.get("period") or None)
    except NotFound as exc:
        problems += exc.lines
        period = period_get(indicator=indicator, label=None)
    authority = _chosen_authority(request)
    if request.GET.get("authority") and authority is None:
        problems.append(f"No authority has DfE code {request.GET['authority']}; choose one from the list.")
    sort = request.GET.get("sort") or "rank"

    if request.GET.get("format") == "csv" and request.GET.get("table") == "all":
        return csv_response(f"{_slug(indicator.code)}-benchmarks.csv", BENCHMARK_COLUMNS,
                    benchmark_rows(indicator=indicator))
    page = indicator_page(indicator=indicator, period=period, authority=authority, sort=sort)
    if request.GET.get("format") == "csv" and request.GET.get("table") == "series" and page["series"]:
        return csv_response(f"{_slug(indicator.code)}-{authority.dfe_code}-series.csv",
                    ["period"] + [name for name, _ in page["series"]["lines"]], page["series"]["rows"])
    if request.GET.get("format") == "csv":
        return csv_response(f"{_slug(indicator.code)}-{_slug(period.label)}.csv", BENCHMARK_COLUMNS,
                    benchmark_rows(indicator=indicator, period=period.label, table=page["table"]))

    distribution = charts.distribution(
        page["values"], chosen=authority.dfe_code if authority else None,
        chosen_label=authority.name if authority else "", cuts=page["cuts"], england=page["england"],
        decimal_places=indicator.decimal_places,
        title=f"{indicator.title}, {period.label}: every authority's value",
    )
    series_chart = ""
    if page["series"]:
        series_chart = charts.time_series(
            page["series"]["periods"], page["series"]["lines"], decimal_places=indicator.decimal_places,
            title=f"{indicator.title}: {authority.name} against {authority.region}, its statistical neighbours "
                  "and England",
        )
    chosen_row = next((r for r in page["rows"] if r["chosen"]), None)
    return render(request, "indicators/indicator_detail.html", {
        "indicator": indicator, "periods": periods, "period": period, "authority": authority, "page": page,
        "chosen_row": chosen_row, "distribution": distribution, "series_chart": series_chart, "sort": sort,
        "problems": problems, "authorities": Authority.objects.only("dfe_code", "name").order_by("name"),
        "outcomes": [outcome_codes().get(o.outcome, o.outcome) for o in indicator.outcomes.all()],
        "england_text": value_text(page["england"], "", indicator.decimal_places),
        "cut_texts": [value_text(c, "", indicator.decimal_places) for c in page["cuts"]] if page["cuts"] else None,
        "can_flag": _can_flag(request.user, authority),
    })


def _can_flag(user, authority) -> bool:
    return authority is not None and has_perm("indicators.raise_flag", user, authority)


PROFILE_COLUMNS = ["indicator", "title", "period", "value", "missing_reason", "quartile_band", "rank", "ranked",
                   "neighbour_average", "england", "region", "previous_period", "change", "direction", "trend"]


@public
@cached_for_public(indicators_state)
def authority_indicators(request, dfe_code: str):
    authority = _authority_or_404(dfe_code)
    outcome = request.GET.get("outcome", "")
    profile = authority_profile(authority=authority, outcome=outcome)
    if request.GET.get("format") == "csv":
        return csv_response(f"{authority.dfe_code}-indicator-profile.csv", PROFILE_COLUMNS, [
            [r.indicator.code, r.indicator.title, r.period, "" if r.value is None else r.value, r.missing,
             r.band, r.rank or "", r.ranked, _blank(r.neighbour_average), _blank(r.england), _blank(r.region),
             r.previous_period or "", _blank(r.change), r.direction or "",
             "; ".join(f"{label}: {'' if v is None else v}" for label, v in r.trend)]
            for r in profile["rows"]
        ])
    return render(request, "indicators/authority_profile.html", {
        "authority": authority, "profile": profile, "outcome": outcome,
        "can_flag": _can_flag(request.user, authority), "query_string": request.GET.urlencode(),
    })


def _blank(x):
    return "" if x is None else x


@roles(Role.AUTHORITY_OFFICER)
def flag_new(request, dfe_code: str):
    authority = _authority_or_404(dfe_code)  # public, as are its values: refusing says nothing hidden
    if not _can_flag(request.user, authority):
        raise HttpForbidden("You can flag only your own authority's values.")
    try:
        indicator = indicator_get(code=request.GET.get("indicator", ""))
        value = value_get(indicator=indicator, authority=authority, label=request.GET.get("period", ""))
    except NotFound:
        raise Http404("No such value") from None
    form = FlagForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            flag_raise(user=request.user, value=value, comment=form.cleaned_data["comment"])
        except PermissionDenied as exc:
            raise HttpForbidden(exc.lines[0]) from None
        except ApaError as exc:
            problems = exc.lines
        else:
            messages.success(request, f"You flagged {indicator.title}, {value.period.label}. An inspector will "
                                      "answer; the flag is listed on your flags page.")
            return redirect(reverse("authority_indicators", kwargs={"dfe_code": authority.dfe_code}))
    return render(request, "indicators/flag_form.html", {
        "authority": authority, "indicator": indicator, "value": value, "form": form, "problems": problems,
        "history": value_history(value=value),
        "value_text": value_text(value.value, value.missing, indicator.decimal_places),
    })


@roles(*FLAG_ROLES)
def flag_list(request):
    user = request.user
    status = request.GET.get("status", "open")
    status = status if status in {"open", "resolved", "withdrawn", "all"} else "open"
    flags = flags_for_user(user=user, status=None if status == "all" else status)
    # An officer's list holds its own authority's flags only (indicators.view_flag); say whose in the heading.
    authority = user.authority if user.authority_id and not has_perm("indicators.view_flag", user, None) else None
    if request.GET.get("format") == "csv":
        return csv_response("indicator-flags.csv", ["flag", "status", "raised_at", "raised_by", "authority", "indicator",
                                            "period", "value", "comment", "response"],
                    [[f.pk, f.status, f.raised_at.isoformat(timespec="seconds"), f.raised_by.username,
                      f.value.authority.dfe_code, f.value.period.indicator.code, f.value.period.label,
                      value_text(f.value.value, f.value.missing), f.comment, f.response] for f in flags])
    return render(request, "indicators/flag_list.html", {"flags": flags, "status": status, "authority": authority})


@roles(*FLAG_ROLES)
def flag_detail(request, pk: int):
    try:
        flag = flag_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such flag") from None  # the same for another authority's flag as for a missing one
    form = FlagResponseForm(request.POST or None) if request.POST.get("action") == "resolve" else FlagResponseForm()
    problems = []
    if request.method == "POST":
        if request.POST.get("action") not in ("withdraw", "resolve"):
            return bad_request(request)
        try:
            if request.POST.get("action") == "withdraw":
                flag_withdraw(user=request.user, flag=flag)
                messages.success(request, "You withdrew the flag.")
                return redirect(reverse("indicator_flag", kwargs={"pk": flag.pk}))
            if request.POST.get("action") == "resolve" and form.is_valid():
                flag_resolve(user=request.user, flag=flag, response=form.cleaned_data["response"])
                messages.success(request, "You answered the flag.")
                return redirect(reverse("indicator_flag", kwargs={"pk": flag.pk}))
        except PermissionDenied as exc:
            raise HttpForbidden(exc.lines[0]) from None
        except ApaError as exc:
            problems = exc.lines
    return render(request, "indicators/flag_detail.html", {
        "flag": flag, "form": form, "problems": problems,
        "value_text": value_text(flag.value.value, flag.value.missing, flag.value.period.indicator.decimal_places),
        "flagged_text": value_text(flag.value_when_flagged, flag.value.missing,
                                   flag.value.period.indicator.decimal_places),
    })
