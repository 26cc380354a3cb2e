"""The filters the list routes share: framework code, year and authority (any name or code)."""

from apa.authorities.selectors import authority_resolve
from apa.frameworks.selectors import framework_get


def results_filtered(items, *, framework=None, year=None, authority=None, on=None, through: str = ""):
    """`items` (results, or rows `through` a result: "result__") of a framework, a year and an authority as
    it was named `on` a date; each filter only when given. Unknown codes are NotFound."""
    if framework:
        items = items.filter(**{f"{through}framework": framework_get(code=framework)})
    if year is not None:
        items = items.filter(**{f"{through}year": year})
    if authority:
        items = items.filter(**{f"{through}authority": authority_resolve(text=authority, on=on)})
    return items
