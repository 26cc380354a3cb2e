"""Reading what a form posted outside its form (a button's action, a record's id or version), so that no value
of it can become a server error: an id that is not a whole number is no id, an unknown button a 400."""

from django.shortcuts import render

from apa.errors import ApaError, Problem
from apa.ui.forms import INTEGER_LIMIT, TEXTAREA_LIMIT


def posted_int(request, name: str) -> int | None:
    """The whole number posted as `name`, or None when it is missing, not a whole number or out of range."""
    value = request.POST.get(name, "").strip()
    if not value.isascii() or not value.isdigit() or int(value) > INTEGER_LIMIT:
        return None
    return int(value)


def bad_request(request, message: str = "The form sent was not one this page knows. Go back and try again."):
    """A post this page cannot read (an unknown button): 400, with the service's error page."""
    return render(request, "ui/error.html", {"title": "Sorry, that could not be done", "message": message},
                  status=400)


def posted_text(request, name: str, label: str, limit: int = TEXTAREA_LIMIT) -> str:
    """A text posted outside a form (a one-button form's note), refused as a form field would refuse it."""
    value = request.POST.get(name, "")
    if len(value) > limit:
        raise ApaError(Problem(f"{label}: keep it to {limit:,} characters or fewer", column=name))
    if "\x00" in value:
        raise ApaError(Problem(f"{label}: null characters are not allowed", column=name))
    return value
