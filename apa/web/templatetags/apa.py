from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def grade(framework, value):
    """A grade with its label, e.g. '3 Good', styled by value."""
    if value is None:
        return format_html('<span class="govuk-hint">not graded</span>')
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


@register.simple_tag(takes_context=True)
def sort_link(context, key, label):
    """A column heading that sorts by `key`, toggling direction; works without JavaScript."""
    request = context["request"]
    current = request.GET.get("sort", "")
    params = request.GET.copy()
    params["sort"] = f"-{key}" if current == key else key
    params.pop("format", None)
    state = "ascending" if current == f"-{key}" else "descending" if current == key else "none"
    return format_html('<a class="govuk-link" href="?{}" aria-sort="{}">{}</a>', params.urlencode(), state, label)
