"""Charts drawn on the server as SVG: no JavaScript, printable, and each with a text alternative. Every chart
is shown next to a table of the same numbers; colour is never the only difference between series (each has
its own dash pattern and marker)."""

import math

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

INK = "#0b0c0c"
BLUE = "#1d70b8"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
HIGHLIGHT = "#d4351c"


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _scale(low: float, high: float, start: float, end: float):
    if high == low:
        high, low = high + 1, low - 1
    return lambda v: start + (v - low) / (high - low) * (end - start)


def _fmt(value, decimal_places) -> str:
    if decimal_places is not None:
        return f"{value:,.{decimal_places}f}"
    return f"{value:,.6g}"


def sparkline(points: list[tuple[str, float | None]], decimal_places=None, width=96, height=24) -> str:
    """A small trend line of one authority's values, oldest first; its label reads every value."""
    known = [(i, v) for i, (_, v) in enumerate(points) if _finite(v)]
    label = "Trend: " + "; ".join(f"{p} {_fmt(v, decimal_places) if _finite(v) else 'no value'}" for p, v in points)
    if len(known) < 2:
        return format_html('<span class="govuk-visually-hidden">{}</span>', label)
    values = [v for _, v in known]
    x = _scale(0, max(len(points) - 1, 1), 2, width - 4)
    y = _scale(min(values), max(values), height - 3, 3)
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in known)
    last_i, last_v = known[-1]
    return mark_safe(
        f'<svg class="apa-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" focusable="false"><polyline fill="none" stroke="{BLUE}" stroke-width="1.5" '
        f'points="{line}"/><circle cx="{x(last_i):.1f}" cy="{y(last_v):.1f}" r="2.5" fill="{BLUE}"/></svg>'
    )


def distribution(values: list[tuple[str, float]], *, chosen: str | None, chosen_label: str, cuts, england,
                 decimal_places=None, title: str, width=660, height=150) -> str:
    """Every authority's value as a dot on one axis, with the quartile cut points and England's value; the
    chosen authority is a larger, outlined marker with its name."""
    numbers = [v for _, v in values]
    if not numbers:
        return ""
    extra = [c for c in (cuts or []) if _finite(c)] + ([england] if _finite(england) else [])
    low, high = min(numbers + extra), max(numbers + extra)
    x = _scale(low, high, 20, width - 20)
    parts = [f'<line x1="20" y1="{height - 30}" x2="{width - 20}" y2="{height - 30}" stroke="{GREY}"/>']
    for i, (_code, v) in enumerate(sorted(values, key=lambda item: item[1])):
        parts.append(f'<circle cx="{x(v):.1f}" cy="{height - 45 - (i % 5) * 8}" r="3" fill="{LIGHT}" '
                     f'stroke="{GREY}" stroke-width="0.5"/>')
    for name, cut in zip(("Q1", "Q2", "Q3"), cuts or [], strict=False):
        if _finite(cut):
            parts.append(f'<line x1="{x(cut):.1f}" y1="30" x2="{x(cut):.1f}" y2="{height - 25}" stroke="{GREY}" '
                         f'stroke-dasharray="4 3"/><text x="{x(cut):.1f}" y="{height - 12}" font-size="11" '
                         f'text-anchor="middle" fill="{INK}">{name}</text>')
    if _finite(england):
        parts.append(f'<line x1="{x(england):.1f}" y1="22" x2="{x(england):.1f}" y2="{height - 25}" stroke="{INK}" '
                     f'stroke-width="2"/><text x="{x(england):.1f}" y="16" font-size="11" text-anchor="middle" '
                     f'fill="{INK}">England {escape(_fmt(england, decimal_places))}</text>')
    mine = next((v for code, v in values if code == chosen), None)
    if _finite(mine):
        anchor = "start" if x(mine) < width / 2 else "end"
        shift = 8 if anchor == "start" else -8
        parts.append(f'<circle cx="{x(mine):.1f}" cy="{height - 45}" r="7" fill="{HIGHLIGHT}" stroke="{INK}" '
                     f'stroke-width="2"/><text x="{x(mine) + shift:.1f}" y="{height - 62}" font-size="12" '
                     f'font-weight="bold" text-anchor="{anchor}" fill="{INK}">{escape(chosen_label)} '
                     f'{escape(_fmt(mine, decimal_places))}</text>')
    parts.append(f'<text x="20" y="{height - 12}" font-size="11" fill="{INK}">{escape(_fmt(low, decimal_places))}'
                 f'</text><text x="{width - 20}" y="{height - 12}" font-size="11" text-anchor="end" fill="{INK}">'
                 f'{escape(_fmt(high, decimal_places))}</text>')
    return mark_safe(
        f'<svg class="apa-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="dist-title dist-desc"><title id="dist-title">{escape(title)}</title>'
        f'<desc id="dist-desc">{len(numbers)} authorities from {escape(_fmt(low, decimal_places))} to '
        f'{escape(_fmt(high, decimal_places))}; the table below lists every value.</desc>{"".join(parts)}</svg>'
    )


SERIES_STYLE = [  # colour, dash pattern, marker: never colour alone
    (HIGHLIGHT, "", "circle"),
    (BLUE, "6 3", "square"),
    (GREY, "2 3", "triangle"),
    (INK, "10 4", "diamond"),
]


def _dash(pattern: str) -> str:
    return f'stroke-dasharray="{pattern}"' if pattern else ""


def _marker(kind: str, cx: float, cy: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{cx - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{cx:.1f} {cy - 4.5:.1f} L{cx + 4.5:.1f} {cy + 3.5:.1f} L{cx - 4.5:.1f} {cy + 3.5:.1f} Z" fill="{colour}"/>'
    return f'<path d="M{cx:.1f} {cy - 5:.1f} L{cx + 5:.1f} {cy:.1f} L{cx:.1f} {cy + 5:.1f} L{cx - 5:.1f} {cy:.1f} Z" fill="{colour}"/>'


def time_series(periods: list[str], series: list[tuple[str, list]], *, decimal_places=None, title: str,
                width=660, height=280) -> str:
    """Lines over the periods, one per series (name, values aligned with periods; None for no value), with
    a legend; gaps where a value is missing."""
    numbers = [v for _, vals in series for v in vals if _finite(v)]
    if not numbers or not periods:
        return ""
    left, right, top, bottom = 70, width - 20, 20, height - 80
    x = _scale(0, max(len(periods) - 1, 1), left + 10, right - 10)
    low, high = min(numbers), max(numbers)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1
    y = _scale(low - pad, high + pad, bottom, top)
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GREY}"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{GREY}"/>']
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" fill="{INK}">'
                     f'{escape(_fmt(tick, decimal_places))}</text><line x1="{left}" x2="{right}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="{LIGHT}" stroke-width="0.5"/>')
    step = max(1, math.ceil(len(periods) / 8))
    for i, label in enumerate(periods):
        if i % step == 0 or i == len(periods) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle" '
                         f'fill="{INK}">{escape(label)}</text>')
    for (_name, values), (colour, dash, marker) in zip(series, SERIES_STYLE, strict=False):
        run: list[str] = []
        for i, v in enumerate(values + [None]):
            if _finite(v):
                run.append(f"{x(i):.1f},{y(v):.1f}")
                continue
            if len(run) > 1:
                points = " ".join(run)
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" {_dash(dash)} '
                             f'points="{points}"/>')
            run = []
        for i, v in enumerate(values):
            if _finite(v):
                parts.append(_marker(marker, x(i), y(v), colour))
    for n, ((name, _), (colour, dash, marker)) in enumerate(zip(series, SERIES_STYLE, strict=False)):
        lx, ly = left + (n % 2) * 280, bottom + 38 + (n // 2) * 18
        parts.append(f'<line x1="{lx}" x2="{lx + 30}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2.5" '
                     f'{_dash(dash)}/>{_marker(marker, lx + 15, ly, colour)}'
                     f'<text x="{lx + 38}" y="{ly + 4}" font-size="12" fill="{INK}">{escape(name)}</text>')
    return mark_safe(
        f'<svg class="apa-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="series-title series-desc"><title id="series-title">{escape(title)}</title>'
        f'<desc id="series-desc">{escape(", ".join(n for n, _ in series))} over {len(periods)} periods, '
        f'{escape(periods[0])} to {escape(periods[-1])}; the table below gives every value.</desc>'
        f'{"".join(parts)}</svg>'
    )
