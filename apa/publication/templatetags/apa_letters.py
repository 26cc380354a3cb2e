"""The letter template's helpers: its layout and title, worked out from the letter's data."""

from django import template

from apa.publication.letters import letter_heading
from apa.publication.letters import letter_layout as _letter_layout

register = template.Library()


@register.simple_tag
def letter_layout(letter: dict) -> dict:
    """{% letter_layout letter as doc %}: heading, summary, sections with evidence references, areas for focus."""
    return _letter_layout(letter)


@register.filter
def letter_title(letter: dict) -> str:
    """The letter's title in its framework's form (no database)."""
    return letter_heading(letter)["title"]
