from django.db.models import Prefetch

from apa.errors import ApaError, NotFound, Problem

from .models import Area, Framework


def framework_list():
    return Framework.objects.prefetch_related("areas", "grades").order_by("first_year", "code")


def framework_get(*, code: str) -> Framework:
    framework = (
        Framework.objects.prefetch_related(
            Prefetch("areas", queryset=Area.objects.select_related("continues__framework")), "grades",
            "national_publications",
        )
        .filter(code=code)
        .first()
    )
    if framework is None:
        known = ", ".join(Framework.objects.order_by("code").values_list("code", flat=True))
        raise NotFound(Problem(f"no framework {code!r}; known frameworks: {known}"))
    return framework


def score_areas(*, framework: Framework, score: str | None) -> list[Area]:
    """Parse 'area+area' into the framework's areas, or its default score when none is named."""
    codes = [c.strip() for c in (score or framework.default_score).split("+") if c.strip()]
    if not codes:
        raise ApaError(Problem(f"a score names at least one area of framework {framework.code}, joined by +"))
    areas = {a.code: a for a in framework.areas.all()}
    unknown = [c for c in codes if c not in areas]
    if unknown:
        raise ApaError(
            Problem(
                f"framework {framework.code} has no area {', '.join(unknown)}; its areas are "
                + ", ".join(areas)
            )
        )
    return [areas[c] for c in codes]


def grade_label(*, framework: Framework, value: int | None) -> str:
    if value is None:
        return ""
    for g in framework.grades.all():
        if g.value == value:
            return g.label
    return str(value)


def grade_value(framework: Framework, grade) -> int | None:
    """A grade given as text or number, checked against the framework's scale (empty: no grade)."""
    if grade in (None, ""):
        return None
    values = {g.value for g in framework.grades.all()}
    try:
        value = int(grade)
    except (TypeError, ValueError):
        value = None
    if value not in values:
        raise ApaError(Problem(f"{grade!r} is not a grade of {framework.code}; use {', '.join(map(str, sorted(values)))}"))
    return value
