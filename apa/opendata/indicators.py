"""The indicators package of one data release (an applied indicator import, apa.indicators.models.Import),
read as the data stood when that import was applied.

Indicator data carry no embargo: every stored value is public. A value's state at data release N comes from
its history, which the import writes and never rewrites: a value set by import N or earlier is as stored;
one replaced later was, at N, what the first later ValueChange says it replaced; one created later did not
exist. The catalogue (titles, units, polarity) is as stored now; it changes only when a newer dictionary is
imported, and a changed byte then shows in the release's recorded hashes."""

from apa.authorities.selectors import authority_list
from apa.indicators.models import (
    AREAS,
    AreaValue,
    Import,
    Indicator,
    IndicatorPeriod,
    Polarity,
    Value,
    ValueChange,
)
from apa.indicators.readers import MISSING_CODES

from .package import OGL, Field, Table
from .tables import authorities_table

SOURCES = [{"title": "DfE Local Authority Interactive Tool (LAIT) and other indicator files imported into APA",
            "path": "https://github.com/dfe-analytical-services/local-authority-interactive-tool"}]
MISSING_NOTE = ("Why there is no value, as published: LAIT's '-' (written '-' after the apostrophe the CSV "
                "writer puts before a text beginning with '-', so: '-) or a suppression code such as "
                + ", ".join(c for c in MISSING_CODES if c != "-") + "; empty when there is a value.")


def _f(name, kind, description, **options) -> Field:
    return Field(name=name, type=kind, description=description, **options)


INDICATOR = _f("indicator", "string", "The indicator's code, exactly as published (indicators.csv).", required=True)
PERIOD = _f("period", "string", "The period's label, exactly as published (periods.csv).", required=True)


def _as_at(model, key: str, data_release: Import) -> dict[tuple, tuple]:
    """{(period id, authority id or area): (value, missing)} as at the data release."""
    n = data_release.pk
    state = {}
    later = set()
    for period, k, value, missing, source in model.objects.values_list("period_id", key, "value", "missing",
                                                                          "source_id").iterator(chunk_size=20_000):
        if source <= n:
            state[(period, k)] = (value, missing)
        else:
            later.add((period, k))
    if later:
        changes = ValueChange.objects.filter(source_id__gt=n)
        changes = changes.filter(authority__isnull=False) if key == "authority_id" else changes.exclude(area="")
        for period, k, old_value, old_missing in changes.order_by("source_id", "pk").values_list(
                "period_id", key, "old_value", "old_missing").iterator(chunk_size=20_000):
            if (period, k) in later and (period, k) not in state:
                state[(period, k)] = (old_value, old_missing)
    return state


def indicator_tables(*, data_release: Import) -> list[Table]:
    periods = {p.pk: p for p in IndicatorPeriod.objects.select_related("indicator").defer("packed")}
    codes = dict(authority_list().values_list("pk", "dfe_code"))
    values = _as_at(Value, "authority_id", data_release)
    area_values = _as_at(AreaValue, "area", data_release)
    value_rows = sorted((periods[p].indicator.code, periods[p].label, codes[a], v, m or None)
                        for (p, a), (v, m) in values.items())
    area_rows = sorted((periods[p].indicator.code, periods[p].label, area, v, m or None)
                       for (p, area), (v, m) in area_values.items())
    used = {p for p, _ in values} | {p for p, _ in area_values}
    period_rows = sorted((periods[p].indicator.code, periods[p].label, periods[p].status or None) for p in used)
    used_codes = {periods[p].indicator.code for p in used}
    indicator_rows = sorted(
        (i.code, i.title, i.unit or None, i.polarity, i.decimal_places, i.year_type or None, i.quartiles,
         i.source or None)
        for i in Indicator.objects.filter(code__in=used_codes))
    value_field = _f("value", "number", "The value as published; empty when it is missing.")
    missing_field = _f("missing", "string", MISSING_NOTE)
    period_ref = (["indicator", "period"], "periods", ["indicator", "period"])
    return [
        authorities_table(),
        Table(name="indicators", title="Indicators",
              description="The indicator catalogue: each measure's title, unit and polarity.",
              fields=[_f("indicator", "string", "The indicator's code, exactly as published.", required=True),
                      _f("title", "string", "Its title."), _f("unit", "string", "Its unit."),
                      _f("polarity", "string", "high: higher is better; low: lower is better; none: neither.",
                         enum=tuple(Polarity.values)),
                      _f("decimal_places", "integer", "The decimal places it is shown to.", minimum=0),
                      _f("year_type", "string", "What its periods are: academic year, financial year, ..."),
                      _f("quartile_bands", "boolean", "false where the publisher says quartile bands do not apply."),
                      _f("source", "string", "Who publishes it.")],
              primary_key=["indicator"], rows=indicator_rows, licenses=[OGL], sources=SOURCES),
        Table(name="periods", title="Indicator periods",
              description="Each indicator's periods with any value in this data release.",
              fields=[INDICATOR, PERIOD,
                      _f("status", "string", "provisional, revised, final or other, as the label says; empty: as "
                         "published.", enum=("provisional", "revised", "final", "other"))],
              primary_key=["indicator", "period"], rows=period_rows,
              foreign_keys=[(["indicator"], "indicators", ["indicator"])], sources=SOURCES),
        Table(name="values", title="Authorities' values",
              description="Each authority's value for each indicator and period, or the reason it has none.",
              fields=[INDICATOR, PERIOD, _f("dfe_code", "string", "The authority (authorities.csv).", required=True),
                      value_field, missing_field],
              primary_key=["indicator", "period", "dfe_code"], rows=value_rows,
              foreign_keys=[period_ref, (["dfe_code"], "authorities", ["dfe_code"])], sources=SOURCES),
        Table(name="area_values", title="England's and regions' values",
              description="England's, each region's and Inner and Outer London's values as published (never "
                          "computed from the authorities').",
              fields=[INDICATOR, PERIOD, _f("area", "string", "England, a region, Inner or Outer London.",
                                            required=True, enum=tuple(AREAS)),
                      value_field, missing_field],
              primary_key=["indicator", "period", "area"], rows=area_rows, foreign_keys=[period_ref],
              sources=SOURCES),
    ]
