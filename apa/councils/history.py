"""The history row every change on the council side writes (reports, decisions, the call-in rule, meetings and
the improvement plan). Its rows carry the version they made, from which `apa.versions.conflict` names who
changed what when a save from an older version is refused."""

from .models import CouncilLog


def log(*, authority, actor, entity: str, entity_id, action: str, field: str = "", before="", after="",
        reason: str = "", private: bool = False, version: int | None = None) -> CouncilLog:
    return CouncilLog.objects.create(
        authority=authority, actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", None) or "system", entity=entity, entity_id=entity_id,
        action=action, field=field, before="" if before is None else str(before),
        after="" if after is None else str(after), reason=reason, private=private, version=version,
    )


def history_of(entity: str, entity_id: int):
    """The history rows of one record."""
    return CouncilLog.objects.filter(entity=entity, entity_id=entity_id)
