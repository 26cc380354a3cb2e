"""Read indicator data: the catalogue, periods, values and their history, imports, and flags.

The benchmarks are read in benchmark.py; the pages built on them in pages.py; the evidence for judgements in
evidence.py.
"""

import math

from django.db.models import Count, Max, Q, QuerySet

from apa.accounts.permissions import has_perm, require, require_visible
from apa.authorities.models import Authority
from apa.errors import NotFound, PermissionDenied, Problem

from .models import (
    AreaValue,
    Flag,
    FlagStatus,
    Import,
    Indicator,
    IndicatorOutcome,
    IndicatorPeriod,
    Topic,
    Value,
    ValueChange,
)

# ----------------------------------------------------------------------------------------------------------
# What a cached public page of indicators is keyed on (apa.ui.cache)


def indicators_state() -> str:
    """The data release as stored: every import that changed anything (an import that changes nothing leaves
    no Import row; the catalogue, periods and values change only through one), the indicators' outcomes, and
    the flags, whose open ones the pages mark. Any of those changing changes it."""
    imports = Import.objects.aggregate(n=Count("pk"), last=Max("pk"), at=Max("imported_at"))
    outcomes = IndicatorOutcome.objects.aggregate(n=Count("pk"), last=Max("pk"))
    flags = Flag.objects.aggregate(n=Count("pk"), last=Max("pk"), open=Count("pk", filter=Q(status=FlagStatus.OPEN)),
                                   closed=Max("closed_at"))
    return "|".join(str(part) for part in (*imports.values(), *outcomes.values(), *flags.values()))


# ----------------------------------------------------------------------------------------------------------
# Catalogue


def indicators_counts() -> dict[str, int]:
    return {
        "indicators": Indicator.objects.count(),
        "periods": IndicatorPeriod.objects.count(),
        "values": Value.objects.count() + AreaValue.objects.count(),
    }


def indicator_list(*, topic: str = "", outcome: str = "", query: str = "") -> QuerySet[Indicator]:
    items = Indicator.objects.prefetch_related("topics", "outcomes").order_by("title", "code")
    if topic:
        items = items.filter(topics__name=topic)
    if outcome == "none":
        items = items.filter(outcomes__isnull=True)
    elif outcome:
        items = items.filter(outcomes__outcome=outcome)
    if query:
        for word in query.split():
            items = items.filter(Q(code__icontains=word) | Q(title__icontains=word))
    return items.distinct()


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.annotate(n=Count("indicators")).filter(n__gt=0).order_by("name")


def indicator_get(*, code: str) -> Indicator:
    indicator = Indicator.objects.prefetch_related("topics", "outcomes").filter(code=code).first()
    if indicator is None:
        near = list(Indicator.objects.filter(code__iexact=code.strip()).values_list("code", flat=True)[:1]) or list(
            Indicator.objects.filter(Q(code__icontains=code.strip()) | Q(title__icontains=code.strip()))
            .values_list("code", flat=True)[:5]
        )
        hint = f"; did you mean {', '.join(repr(c) for c in near)}?" if near else "; see `apa indicators list`"
        raise NotFound(Problem(f"no indicator with code {code!r}{hint}"))
    return indicator


def indicator_periods(*, indicator: Indicator) -> list[IndicatorPeriod]:
    return list(IndicatorPeriod.objects.filter(indicator=indicator).defer("packed").order_by("sort_key", "label"))


def period_get(*, indicator: Indicator, label: str | None) -> IndicatorPeriod:
    """The period with this label as published, or the latest that has any value."""
    periods = indicator_periods(indicator=indicator)
    if not periods:
        raise NotFound(Problem(f"{indicator.code} has no data yet"))
    if label is None:
        chosen = [p for p in periods if p.authority_values] or [
            p for p in periods if p.pk in set(AreaValue.objects.filter(period__indicator=indicator, value__isnull=False)
                                              .values_list("period_id", flat=True))]
        return (chosen or periods)[-1]
    for p in periods:
        if p.label == label:
            return p
    for p in periods:
        if p.label.strip().lower() == label.strip().lower():
            return p
    raise NotFound(Problem(f"{indicator.code} has no period {label!r}; its periods are "
                           + ", ".join(p.label for p in periods)))


def value_text(value, missing: str = "", decimal_places: int | None = None, computed: bool = False) -> str:
    """A value as a person reads it: to the indicator's decimal places when it has them, else as published.
    A computed figure (an average, a change) of an indicator without decimal places shows at most two."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing or ""
    if decimal_places is not None:
        return f"{value:,.{decimal_places}f}"
    if computed:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}".removesuffix(".0") if float(value).is_integer() else f"{value:,}"


def import_list() -> QuerySet[Import]:
    return Import.objects.order_by("-imported_at", "-pk")


def value_changes(*, indicator=None, authority=None, period: str | None = None, limit: int = 200):
    changes = ValueChange.objects.select_related("source", "period__indicator", "authority")
    if indicator is not None:
        changes = changes.filter(period__indicator=indicator)
    if authority is not None:
        changes = changes.filter(authority=authority)
    if period:
        changes = changes.filter(period__label=period)
    return list(changes.order_by("-source__imported_at", "-pk")[:limit])


def value_history(*, value: Value) -> list[ValueChange]:
    return list(ValueChange.objects.select_related("source").filter(period_id=value.period_id,
                                                                    authority_id=value.authority_id)
                .order_by("-source__imported_at", "-pk"))


def value_get(*, indicator: Indicator, authority: Authority, label: str) -> Value:
    value = (Value.objects.select_related("period__indicator", "authority", "source")
             .filter(period__indicator=indicator, authority=authority, period__label=label).first())
    if value is None:
        raise NotFound(Problem(f"{authority.name} has no value for {indicator.code} in {label!r}"))
    return value


def flag_list(*, authority: Authority | None = None, status: str | None = "open") -> list[Flag]:
    flags = Flag.objects.select_related("value__period__indicator", "value__authority", "raised_by", "closed_by")
    if authority is not None:
        flags = flags.filter(value__authority=authority)
    if status:
        flags = flags.filter(status=status)
    return list(flags.order_by("-raised_at", "-pk"))


def flags_for_user(*, user, authority: Authority | None = None, status: str | None = "open") -> list[Flag]:
    """The flags the user may list (indicators.view_flags), each one it may open (indicators.view_flag): an
    officer sees only its own authority's, and naming another authority is refused."""
    require("indicators.view_flags", user)
    if authority is not None and not has_perm("indicators.view_flag", user, authority):
        raise PermissionDenied(Problem(f"you may list only your own authority's flags, not {authority.name}'s"))
    return [f for f in flag_list(authority=authority, status=status) if has_perm("indicators.view_flag", user, f)]


def flag_for_user(*, user, pk: int) -> Flag:
    """A flag the user may open (indicators.view_flag). Another authority's answers exactly as a missing one,
    so that the answer says nothing about which flags exist."""
    flag = Flag.objects.select_related("value__period__indicator", "value__authority", "raised_by").filter(
        pk=pk).first()
    require_visible("indicators.view_flag", user, flag, f"flag {pk}")
    return flag


def outcomes_of(*, indicator_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for indicator_id, outcome in IndicatorOutcome.objects.filter(indicator_id__in=indicator_ids).values_list(
        "indicator_id", "outcome"
    ):
        found.setdefault(indicator_id, []).append(outcome)
    return found


# ----------------------------------------------------------------------------------------------------------
# Periods, read in bulk


PERIOD_FIELDS = ("pk", "indicator_id", "label", "status", "sort_key", "authority_values")


def period_rows() -> list[tuple]:
    """Every period (PERIOD_FIELDS, without the packed values), indicator by indicator in period order."""
    return sql_rows(f"SELECT id, indicator_id, label, status, sort_key, authority_values FROM "
                    f"{IndicatorPeriod._meta.db_table} ORDER BY indicator_id, sort_key, label")


def latest_periods(periods: list | None = None) -> dict[int, int]:
    """Indicator id → its latest period with authority values (from period_rows(), read here if not given)."""
    latest: dict[int, int] = {}
    for pk, indicator_id, _label, _status, _key, with_values in periods if periods is not None else period_rows():
        if with_values:
            latest[indicator_id] = pk  # rows come in period order, so the last one wins
    return latest


def latest_period_labels() -> dict[int, str]:
    """Indicator id → the label of its latest period with authority values."""
    latest: dict[int, str] = {}
    for _pk, indicator_id, label, _status, _key, with_values in period_rows():
        if with_values:
            latest[indicator_id] = label
    return latest


def sql_rows(sql: str, params=()) -> list[tuple]:
    """One plain query. The pages that benchmark read thousands of rows, where the ORM costs more than the
    reading."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

