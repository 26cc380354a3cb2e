"""The history row every change on the council side writes (reports, decisions, the call-in rule, meetings and
the improvement plan), and the refusal of a save made from a version someone else has changed since.

A form carries the version of the record it was opened at. A save claims the next version with one conditional
UPDATE (`version_claim`), so of two saves from the same version only the first wins; the second is refused,
naming who changed what since (read from the history rows that carry the version they made), and writes
nothing."""

from django.utils import timezone

from apa.errors import ApaError, Problem

from .models import CouncilLog


def log(*, authority, actor, entity: str, entity_id, action: str, field: str = "", before="", after="",
        reason: str = "", private: bool = False, version: int | None = None) -> CouncilLog:
    return CouncilLog.objects.create(
        authority=authority, actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", None) or "system", entity=entity, entity_id=entity_id,
        action=action, field=field, before="" if before is None else str(before),
        after="" if after is None else str(after), reason=reason, private=private, version=version,
    )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(at) -> str:
    at = timezone.localtime(at)
    return f"{at:%H:%M}" if at.date() == timezone.localdate() else f"{at:%H:%M} on {at:%-d %B %Y}"


def conflict(*, what: str, rows, since, labels: dict[str, str] | None = None) -> ApaError:
    """The refusal of a save opened at version `since`: who changed `what` after it, when, and to what.
    `rows` are the record's history rows (a CouncilLog queryset)."""
    rows = list(rows.filter(version__gt=int(since)).order_by("at", "pk"))
    labels = labels or {}
    if not rows:
        return ApaError(Problem(f"{what} was changed by someone else since you opened it; nothing was saved. "
                                "Reload to see the changes"), code="conflict")
    by = []
    for row in rows:
        who = f"{row.actor_label} at {_when(row.at)}"
        if who not in by:
            by.append(who)
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


def history_of(entity: str, entity_id: int):
    """The history rows of one record."""
    return CouncilLog.objects.filter(entity=entity, entity_id=entity_id)


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
