"""Bar charts of published results drawn on the server as SVG: no JavaScript, printable, each with a <title> and
<desc> read by assistive technology (role="img"), and always shown beside a table of the same numbers. Every bar
segment is labelled with its number where it fits, and the legend follows the segments' order, so colour is
never the only way to tell them apart."""

from datetime import date

from django.utils.html import escape
from django.utils.safestring import mark_safe

INK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
WHITE = "#ffffff"
# Grades, best first: GOV.UK green, turquoise, yellow, red; text on each chosen for contrast.
GRADE_COLOURS = [("#00703c", WHITE), ("#28a197", INK), ("#ffdd00", INK), ("#d4351c", WHITE)]
CHANGE_COLOURS = {"better": ("#00703c", WHITE), "same": (LIGHT, INK), "worse": ("#d4351c", WHITE),
                  "no earlier grade": ("#f3f2f1", INK)}
BAR_COLOUR = "#1d70b8"


def grade_colours(count: int) -> list[tuple[str, str]]:
    """Fill and text colours for a framework's grades, best first."""
    return [GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)] for i in range(count)]


def _svg(chart_id: str, title: str, description: str, width: int, height: int, parts: list[str]) -> str:
    return mark_safe(
        f'<svg class="apa-chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>{"".join(parts)}</svg>'
    )


def stacked_bars(*, chart_id: str, title: str, rows: list[tuple[str, list[int]]], segments: list[str],
                 colours: list[tuple[str, str]], width: int = 660, label_width: int = 190) -> str:
    """One horizontal bar per row, split into its segments (e.g. the grades of an area), each bar the full width
    of the plot: the shares are what is compared; the numbers are printed on the segments and in the table."""
    if not rows:
        return ""
    bar, gap = 22, 10
    plot = width - label_width - 60
    parts = []
    x, line = 10, 0
    for name, (fill, _text) in zip(segments, colours, strict=False):  # the legend, in the segments' order
        needed = 26 + 7 * len(name)
        if x > 10 and x + needed > width:
            x, line = 10, line + 1
        parts.append(f'<rect x="{x}" y="{6 + 20 * line}" width="14" height="14" fill="{fill}" stroke="{GREY}" '
                     f'stroke-width="0.5"/><text x="{x + 18}" y="{18 + 20 * line}" font-size="12" fill="{INK}">'
                     f'{escape(name)}</text>')
        x += needed
    top = 34 + 20 * line
    height = top + len(rows) * (bar + gap) + 10
    for i, (label, values) in enumerate(rows):
        y = top + i * (bar + gap)
        total = sum(values)
        parts.append(f'<text x="{label_width - 8}" y="{y + bar / 2 + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{INK}">{escape(label)}</text>')
        left = float(label_width)
        for value, (fill, text) in zip(values, colours, strict=False):
            if not value:
                continue
            w = plot * value / total
            parts.append(f'<rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{fill}" '
                         f'stroke="{WHITE}" stroke-width="1"/>')
            if w >= 18:
                parts.append(f'<text x="{left + w / 2:.1f}" y="{y + bar / 2 + 4:.1f}" font-size="12" '
                             f'text-anchor="middle" fill="{text}">{value}</text>')
            left += w
        if not total:
            parts.append(f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar}" fill="none" '
                         f'stroke="{LIGHT}"/>')
        parts.append(f'<text x="{label_width + plot + 6}" y="{y + bar / 2 + 4:.1f}" font-size="12" '
                     f'fill="{INK}">{total}</text>')
    description = "; ".join(
        f"{label}: " + ", ".join(f"{n} {s}" for s, n in zip(segments, values, strict=False)) for label, values in rows
    ) + ". The table beside the chart gives the same numbers."
    return _svg(chart_id, title, description, width, height, parts)


def bars(*, chart_id: str, title: str, rows: list[tuple[str, int]], width: int = 660, label_width: int = 190) -> str:
    """One horizontal bar per row, its length the row's number (e.g. how many authorities have each score)."""
    if not rows:
        return ""
    bar, gap, top = 20, 8, 8
    plot = width - label_width - 60
    most = max(v for _, v in rows) or 1
    height = top + len(rows) * (bar + gap) + 6
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar + gap)
        w = plot * value / most
        parts.append(f'<text x="{label_width - 8}" y="{y + bar / 2 + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{INK}">{escape(label)}</text><rect x="{label_width}" y="{y}" width="{w:.1f}" '
                     f'height="{bar}" fill="{BAR_COLOUR}"/><text x="{label_width + w + 6:.1f}" y="{y + bar / 2 + 4:.1f}" '
                     f'font-size="12" fill="{INK}">{value}</text>')
    description = "; ".join(f"{label}: {value}" for label, value in rows) + \
        ". The table beside the chart gives the same numbers."
    return _svg(chart_id, title, description, width, height, parts)


def cumulative(*, chart_id: str, title: str, points: list[tuple[date, int]], width: int = 660,
               height: int = 200) -> str:
    """How many had been published by each day: a step up on each publication day (date, number that day)."""
    if not points:
        return ""
    left, right, top, bottom = 50, width - 20, 16, height - 36
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    total = sum(n for _, n in points)

    def x(day: date) -> float:
        if first == last:
            return (left + right) / 2
        return left + (day - first).days / span * (right - left)

    def y(n: int) -> float:
        return bottom - n / (total or 1) * (bottom - top)

    path, running = [f"M{left} {bottom}", f"L{x(first):.1f} {bottom}"], 0
    for day, n in points:
        running += n
        path.append(f"L{x(day):.1f} {y(running - n):.1f} L{x(day):.1f} {y(running):.1f}")
    path.append(f"L{right} {y(running):.1f}")
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{GREY}"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{GREY}"/>',
             f'<text x="{left - 6}" y="{bottom + 4}" font-size="11" text-anchor="end" fill="{INK}">0</text>',
             f'<text x="{left - 6}" y="{top + 4}" font-size="11" text-anchor="end" fill="{INK}">{total}</text>',
             f'<path d="{" ".join(path)}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2.5"/>',
             f'<text x="{x(first):.1f}" y="{bottom + 18}" font-size="11" text-anchor="middle" fill="{INK}">'
             f'{first:%-d %b %Y}</text>']
    if last != first:
        parts.append(f'<text x="{x(last):.1f}" y="{bottom + 18}" font-size="11" text-anchor="end" fill="{INK}">'
                     f'{last:%-d %b %Y}</text>')
    description = (f"{total} published on {len(points)} day{'s' if len(points) != 1 else ''}, from "
                   f"{first:%-d %B %Y} to {last:%-d %B %Y}. The table beside the chart lists every day.")
    return _svg(chart_id, title, description, width, height, parts)


def release_charts(release, area) -> dict[str, str]:
    """The national release's charts (apa.publication.release.Release), each beside its table on the page;
    `area` is the area the region and type charts show."""
    grade_names = [f"{g.value} {g.label}" for g in release.grades]
    colours = grade_colours(len(release.grades))
    change_names = list(CHANGE_COLOURS)
    return {
        "publications": cumulative(chart_id="chart-publications", title="Results published so far, by day",
                                   points=[(d.day, d.published) for d in release.publications]),
        "distribution": stacked_bars(chart_id="chart-distribution", title="Grades by area, nationally",
                                     rows=[(d["area"].short_title, d["counts"]) for d in release.distribution],
                                     segments=grade_names, colours=colours),
        "regions": stacked_bars(chart_id="chart-regions", title=f"{area.short_title}: grades by region",
                                rows=[(g.label, d["counts"]) for g, d in release.by_group("regions", area)],
                                segments=grade_names, colours=colours),
        "types": stacked_bars(chart_id="chart-types", title=f"{area.short_title}: grades by type of authority",
                              rows=[(g.label, d["counts"]) for g, d in release.by_group("types", area)],
                              segments=grade_names, colours=colours),
        "scores": bars(chart_id="chart-scores", title=f"Authorities by score ({release.score_label})",
                       rows=[(f"Score {score}", n) for score, n, _rank in release.scores]),
        "changes": stacked_bars(chart_id="chart-changes", title="Change since the previous result, by area",
                                rows=[(c["area"].short_title, [c["counts"][d] for d in change_names])
                                      for c in release.changes],
                                segments=change_names, colours=[CHANGE_COLOURS[d] for d in change_names]),
    }
