"""Saves that cannot lose another person's change. A form carries the version of the record it was opened at;
a save claims the next version with one conditional UPDATE (`version_claim`), so of two saves from the same
version only the first wins. The second is refused with `conflict`, naming who changed what since (read from
the history rows that carry the version they made), and writes nothing. Used by the council side, the
improvement plan and the Joint Area Review record."""

from collections.abc import Callable

from django.utils import timezone

from apa.errors import ApaError, Problem


def _version(version) -> int:
    try:
        return int(version)
    except (TypeError, ValueError):
        raise ApaError(Problem("this form is out of date: reload the page and make the change again"),
                       code="conflict") from None


def version_expect(record, version, refuse) -> int:
    """Refuse (`refuse()`) unless the record, as read in the save's transaction, is still at `version`."""
    version = _version(version)
    if record.version != version:
        raise refuse()
    return version


def version_claim(model, *, pk: int, version, refuse) -> int:
    """Take the record's next version if it is still at `version` (one conditional UPDATE, so of two saves
    from the same version only one wins), else raise `refuse()`. Call it in the save's transaction, before
    writing anything else; a save that changes nothing need not claim."""
    version = _version(version)
    if not model.objects.filter(pk=pk, version=version).update(version=version + 1):
        raise refuse()
    return version + 1


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(at) -> str:
    at = timezone.localtime(at)
    return f"{at:%H:%M}" if at.date() == timezone.localdate() else f"{at:%H:%M} on {at:%-d %B %Y}"


def conflict(*, what: str, rows, since, labels: dict[str, str] | None = None,
             who: Callable = lambda row: row.actor_label) -> ApaError:
    """The refusal of a save opened at version `since`: who changed `what` after it, when, and to what.
    `rows` are the record's history rows (a queryset of rows with at, field, after, action and version);
    `who` names a row's actor."""
    rows = list(rows.filter(version__gt=int(since)).order_by("at", "pk"))
    labels = labels or {}
    if not rows:
        return ApaError(Problem(f"{what} was changed by someone else since you opened it; nothing was saved. "
                                "Reload to see the changes"), code="conflict")
    by = []
    for row in rows:
        text = f"{who(row)} at {_when(row.at)}"
        if text not in by:
            by.append(text)
    changes: dict[str, str] = {}
    for row in rows:
        if row.field:
            label = labels.get(row.field, row.field.replace("_", " "))
            changes[label] = f"{label} now {_short(row.after)!r}" if row.after else f"{label} now empty"
        else:
            changes[f"{row.pk}"] = f"{labels.get(row.action, row.action.replace('_', ' '))} {_short(row.after)!r}"
    return ApaError(Problem(f"{what} was changed by {' and '.join(by)} since you opened it: "
                            f"{', '.join(changes.values())}; nothing was saved. Reload to see the changes"),
                    code="conflict")
