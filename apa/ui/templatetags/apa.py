from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def grade(framework, value):
    """A grade with its label, e.g. '3 Good', styled by value."""
    if value is None:
        return mark_safe('<span class="govuk-hint">not graded</span>')
    label = next((g.label for g in framework.grades.all() if g.value == value), "")
    return format_html('<span class="apa-grade apa-grade--{}">{}</span> {}', value, value, label)


@register.filter
def ordinal(value):
    try:
        n = int(value)
    except (TypeError, ValueError):
        return value
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# Columns that sort from the start of the alphabet or calendar when chosen; grades sort best first.
ASCENDING_FIRST = {"name", "published"}
DEFAULT_SORT = "name"


@register.simple_tag(takes_context=True)
def sort_header(context, key, label):
    """A column heading that sorts by `key`, toggling direction; works without JavaScript. Its aria-sort says
    how the table is sorted now, on the <th> where assistive technology looks for it."""
    request = context["request"]
    current = request.GET.get("sort", "") or DEFAULT_SORT
    params = request.GET.copy()
    params["sort"] = f"-{key}" if current == key else key
    params.pop("format", None)
    if current.lstrip("-") != key:
        state = "none"
    else:
        first, second = ("ascending", "descending") if key in ASCENDING_FIRST else ("descending", "ascending")
        state = second if current.startswith("-") else first
    return format_html(
        '<th scope="col" class="govuk-table__header" aria-sort="{}"><a class="govuk-link" href="?{}">{}</a></th>',
        state, params.urlencode(), label,
    )


@register.simple_tag
def grade_badge(value, label):
    """A grade with its label as stored with a published letter (no framework lookup)."""
    if value is None:
        return mark_safe('<span class="govuk-hint">not graded</span>')
    return format_html('<span class="apa-grade apa-grade--{}">{}</span> {}', value, value, label)
