from django import template
from django.utils.html import format_html

from apa.indicators.charts import sparkline as draw_sparkline
from apa.indicators.selectors import value_text

register = template.Library()

BAND_COLOURS = {"A": "green", "B": "turquoise", "C": "yellow", "D": "red"}


@register.simple_tag
def band(letter):
    """A quartile band as a tag: its letter is the information, the colour only repeats it."""
    if not letter:
        return ""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', BAND_COLOURS[letter], letter)


@register.simple_tag
def number(value, decimal_places=None, missing=""):
    return value_text(value, missing, decimal_places)


@register.simple_tag
def sparkline(points, decimal_places=None):
    return draw_sparkline(points, decimal_places)


@register.simple_tag(takes_context=True)
def sort_link(context, key, label, default="rank"):
    """A column heading that sorts the table by `key` (again to reverse); a plain link, so no JavaScript."""
    request = context["request"]
    current = request.GET.get("sort") or default
    params = request.GET.copy()
    params["sort"] = f"-{key}" if current == key else key
    params.pop("format", None)
    state = "none" if current.lstrip("-") != key else ("descending" if current.startswith("-") else "ascending")
    return format_html('<th scope="col" class="govuk-table__header" aria-sort="{}"><a class="govuk-link" '
                       'href="?{}">{}</a></th>', state, params.urlencode(), label)


def indicator_url(code: str, prefix: str | None = None) -> str:
    """The indicator page's address, as reverse() would build it (quoted the same way) but without a reverse
    per row: the profile page lists hundreds. `prefix` is reverse("indicator_list"), when already known."""
    from urllib.parse import quote

    from django.urls import reverse

    return (prefix or reverse("indicator_list")) + quote(code, safe="/~:@!$&'()*+,;=") + "/"


@register.simple_tag
def profile_table(caption, rows, authority, can_flag):
    """The rows of an authority's profile for one topic, written out in Python: the page has several hundred
    rows and the template language took most of its time. The markup is the same GOV.UK table."""
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from apa.indicators.charts import sparkline as draw

    dfe = escape(authority.dfe_code)
    prefix = reverse("indicator_list")
    flag_base = reverse("indicator_flag_new", kwargs={"dfe_code": authority.dfe_code}) if can_flag else ""
    head = ('<th scope="col" class="govuk-table__header">Indicator</th><th scope="col" class="govuk-table__header">'
            'Period</th><th scope="col" class="govuk-table__header apa-numeric">Value</th><th scope="col" '
            'class="govuk-table__header">Band</th><th scope="col" class="govuk-table__header">Rank</th><th '
            'scope="col" class="govuk-table__header apa-numeric">Neighbours</th><th scope="col" '
            'class="govuk-table__header apa-numeric">England</th><th scope="col" class="govuk-table__header">'
            'Change</th><th scope="col" class="govuk-table__header">Trend</th>')
    if can_flag:
        head += '<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Flag</span></th>'
    out = [f'<div class="apa-table-scroll"><table class="govuk-table govuk-body-s"><caption class="govuk-table__'
           f'caption govuk-table__caption--m">{escape(caption)}</caption><thead class="govuk-table__head"><tr '
           f'class="govuk-table__row">{head}</tr></thead><tbody class="govuk-table__body">']
    for r in rows:
        dps = r.indicator.decimal_places
        title = escape(r.indicator.title)
        change = ""
        if r.direction:
            change = f"{escape(r.direction.capitalize())} ({escape(value_text(r.change, '', dps, True))} since " \
                     f"{escape(r.previous_period)})"
        cells = [
            f'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="'
            f'{escape(indicator_url(r.indicator.code, prefix))}?authority={dfe}">{title}</a></th>',
            f'<td class="govuk-table__cell">{escape(r.period)}</td>',
            f'<td class="govuk-table__cell apa-numeric">{escape(r.value_text)}</td>',
            f'<td class="govuk-table__cell">{band(r.band)}</td>',
            f'<td class="govuk-table__cell">{f"{r.rank} of {r.ranked}" if r.rank else ""}</td>',
            f'<td class="govuk-table__cell apa-numeric">{escape(value_text(r.neighbour_average, "", dps, True))}</td>',
            f'<td class="govuk-table__cell apa-numeric">{escape(value_text(r.england, "", dps))}</td>',
            f'<td class="govuk-table__cell">{change}</td>',
            f'<td class="govuk-table__cell">{draw(r.trend, dps)}</td>',
        ]
        if can_flag:
            if r.flagged:
                cells.append('<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--orange">Flagged'
                             '</strong></td>')
            else:
                from urllib.parse import urlencode

                query = escape(urlencode({"indicator": r.indicator.code, "period": r.period}))
                cells.append(f'<td class="govuk-table__cell"><a class="govuk-link" href="{flag_base}?{query}">Flag'
                             f'<span class="govuk-visually-hidden"> {title}, {escape(r.period)}, as wrong</span></a>'
                             '</td>')
        out.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))
