"""Councils' published decisions on APA results: drafts, and decisions on exempt reports, are never listed."""

from django.contrib.auth.models import AnonymousUser
from ninja import Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.links import api_link, authority_ref, link
from apa.api.paging import Mapped, Paged
from apa.authorities.selectors import authority_resolve
from apa.councils.selectors import decision_for_user, decisions_for

from . import responses

router = Router(tags=["decisions"])

# The API answers everyone alike: as the public, whoever is signed in to the site in the same browser.
PUBLIC = AnonymousUser()


def summary(request, d) -> dict:
    return {"id": d.pk, "url": api_link(request, "decision", id=d.pk), "authority": authority_ref(request, d.authority),
            "title": d.title, "decision_date": d.decision_date, "publication_date": d.publication_date,
            "key_decision": d.key_decision, "callin_deadline": d.callin_deadline, "effective_from": d.effective_from,
            "page": link(request, "decision_detail", pk=d.pk)}


@router.get("", response=responses(list[s.DecisionSummary]), url_name="decisions",
            summary="An authority's published decisions")
@paginate(Paged)
def decisions(request, authority: s.AuthorityText):
    """The decisions the authority's council has published, newest first."""
    a = authority_resolve(text=authority)
    items = decisions_for(user=PUBLIC, authority=a).select_related("authority").order_by("-decision_date", "-pk")
    return Mapped(items, lambda page: [summary(request, d) for d in page])


@router.get("/{id}", response=responses(s.Decision), url_name="decision", summary="A published decision")
def decision(request, id: s.Id):
    d = decision_for_user(user=PUBLIC, pk=id)
    return {**summary(request, d), "decision": d.decision, "reasons": d.reasons,
            "alternatives_rejected": d.alternatives_rejected, "conflicts": d.conflicts,
            "dispensations": d.dispensations, "urgent": d.urgent, "urgent_reason": d.urgent_reason,
            "deadline_as_given": d.deadline_as_given,
            "callins": [{"date": c.date, "members": [m.strip() for m in c.members.splitlines() if m.strip()],
                         "reason": c.reason, "outcome": c.outcome or None, "outcome_date": c.outcome_date}
                        for c in d.callins.all()]}
