"""What is due for each signed-in person: a page (/alerts/) and a daily digest email (`apa alerts send`).

The alerts, and who gets them (each audience is a named permission of apa.accounts.permissions, asked of the
person's own authority):
- call-in closing by the end of the next working day (the council's closure days count as non-working):
  who may read the council's unpublished decisions (councils.view_draft_decision: its democratic services and
  officers); published, not urgent, no call-in recorded, the deadline still to come;
- improvement plan actions overdue, or due in the seven days from today: who may see the plan (plans.view_plan:
  the authority's officers; an action's owner is always one of them; people without an account are named and
  get no email);
- self-assessment due within 14 days, or overdue, while not yet submitted: who edits it
  (assessments.edit_self_assessment: the authority's officers);
- a publication tomorrow (Europe/London): who publishes cycles (assessments.publish_cycle), and the officers of
  an authority (assessments.edit_self_assessment) whose assessment is moderated in the cycle that publishes
  tomorrow.

Each alert has a key naming what it is about and the date it is about (a moved due date or deadline is a new
alert); the digest records AlertSent(user, key) in the same transaction as the email, so running it twice on a
day sends nothing new. People without an email address are skipped and counted; their alerts wait.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apa.accounts.models import User
from apa.accounts.permissions import has_perm
from apa.assessments.models import Assessment, Cycle, State
from apa.calendar import LONDON, next_working_day
from apa.councils.models import ClosureDay, DecisionRecord

from .models import ActionStatus, AlertSent, PlanAction
from .selectors import DUE_SOON_DAYS, is_overdue

SELF_ASSESSMENT_WARNING_DAYS = 14
NOT_SUBMITTED = (State.NOT_STARTED, State.SELF_ASSESSMENT)

KINDS = {
    "callin": "Call-in closing",
    "action_overdue": "Overdue actions",
    "action_due": "Actions due in the next seven days",
    "self_assessment": "Self-assessment due",
    "publication": "Publication tomorrow",
}


@dataclass(frozen=True)
class Alert:
    key: str  # what the alert is about and its date: sent once per person
    kind: str  # one of KINDS
    text: str  # a sentence
    url: str  # a path on the site
    when: date

    @property
    def heading(self) -> str:
        return KINDS[self.kind]


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _d(day: date) -> str:
    return f"{day:%A %-d %B %Y}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _moment(today: date, now: datetime | None) -> datetime:
    """Now, when asked about today; otherwise the start of the day asked about."""
    if now is not None:
        return now
    if today == timezone.localdate():
        return timezone.now()
    return datetime.combine(today, time.min, tzinfo=LONDON)


def _of_own_authority(name: str, user) -> bool:
    """Whether the person holds the permission for their own authority's objects."""
    return user.authority_id is not None and has_perm(name, user, user.authority)


def _callins_closing(user, today: date, now: datetime) -> list[Alert]:
    if not _of_own_authority("councils.view_draft_decision", user):
        return []
    closures = frozenset(ClosureDay.objects.filter(authority_id=user.authority_id).values_list("date", flat=True))
    last_day = next_working_day(today, closures)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=LONDON)
    decisions = DecisionRecord.objects.filter(
        authority_id=user.authority_id, status=DecisionRecord.Status.PUBLISHED, urgent=False,
        callin_deadline__gt=now, callin_deadline__lt=end, callins__isnull=True,
    ).order_by("callin_deadline", "pk")
    out = []
    for d in decisions:
        deadline = timezone.localtime(d.callin_deadline, LONDON)
        at = "midnight" if deadline.time() == time(23, 59, 59) else f"{deadline:%H:%M}"
        out.append(Alert(key=f"callin-closing:{d.pk}:{deadline.isoformat()}", kind="callin",
                         text=f"Call-in for “{d.title}” closes at {at} on {_d(deadline.date())}.",
                         url=_url("decision_detail", d.pk), when=deadline.date()))
    return out


def _actions(user, today: date) -> list[Alert]:
    if not _of_own_authority("plans.view_plan", user):
        return []
    soon = today + timedelta(days=DUE_SOON_DAYS - 1)
    actions = (PlanAction.objects.filter(line__authority_id=user.authority_id, due_date__lte=soon)
               .exclude(status=ActionStatus.COMPLETE).select_related("line", "owner").order_by("due_date", "pk"))
    out = []
    for a in actions:
        owner = "your action" if a.owner_id == user.pk else f"owner: {a.owner_label}"
        if is_overdue(a, today):
            out.append(Alert(key=f"action-overdue:{a.pk}:{a.due_date.isoformat()}", kind="action_overdue",
                             text=f"“{a.description}” ({owner}) was due on {_d(a.due_date)} and is not complete.",
                             url=_url("plan_action", a.pk), when=a.due_date))
        else:
            out.append(Alert(key=f"action-due:{a.pk}:{a.due_date.isoformat()}", kind="action_due",
                             text=f"“{a.description}” ({owner}) is due on {_d(a.due_date)}.",
                             url=_url("plan_action", a.pk), when=a.due_date))
    return out


def _self_assessments(user, today: date) -> list[Alert]:
    if not _of_own_authority("assessments.edit_self_assessment", user):
        return []
    assessments = (Assessment.objects.filter(
        authority_id=user.authority_id, state__in=NOT_SUBMITTED,
        cycle__self_assessment_due__lte=today + timedelta(days=SELF_ASSESSMENT_WARNING_DAYS))
        .select_related("cycle__framework").order_by("cycle__self_assessment_due", "pk"))
    out = []
    for a in assessments:
        due = a.cycle.self_assessment_due
        name = f"{a.cycle.framework.title}, {a.cycle.year}"
        if due < today:
            out.append(Alert(key=f"self-assessment-overdue:{a.pk}:{due.isoformat()}", kind="self_assessment",
                             text=f"The self-assessment for {name} was due on {_d(due)} and is not submitted.",
                             url=_url("self_assessment", a.pk), when=due))
        else:
            out.append(Alert(key=f"self-assessment-due:{a.pk}:{due.isoformat()}", kind="self_assessment",
                             text=f"The self-assessment for {name} is due on {_d(due)}.",
                             url=_url("self_assessment", a.pk), when=due))
    return out


def _publications(user, today: date) -> list[Alert]:
    publisher = has_perm("assessments.publish_cycle", user)
    if not publisher and not _of_own_authority("assessments.edit_self_assessment", user):
        return []
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time.min, tzinfo=LONDON)
    cycles = Cycle.objects.filter(publish_at__gte=start, publish_at__lt=start + timedelta(days=1),
                                  published_at__isnull=True).select_related("framework").order_by("publish_at")
    if not publisher:
        cycles = cycles.filter(assessments__authority_id=user.authority_id, assessments__state=State.MODERATED)
    out = []
    for c in cycles:
        at = timezone.localtime(c.publish_at, LONDON)
        if publisher:
            moderated = c.assessments.filter(state=State.MODERATED).count()
            text = (f"{c.framework.title}, {c.year} is published tomorrow, {_d(tomorrow)}, at {at:%H:%M}: "
                    f"{_count(moderated, 'moderated assessment')}.")
            url = _url("cycle_detail", c.pk)
        else:
            text = (f"Your {c.framework.title}, {c.year} result is published tomorrow, {_d(tomorrow)}, at {at:%H:%M}; "
                    "it stays under embargo until then.")
            url = _url("cycle_list")
        out.append(Alert(key=f"publication:{c.pk}:{at.isoformat()}", kind="publication", text=text, url=url,
                         when=tomorrow))
    return out


def alerts_for_user(*, user, today: date, now: datetime | None = None) -> list[Alert]:
    """Everything due for this person on `today`, earliest first."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    moment = _moment(today, now)
    found = (_callins_closing(user, today, moment) + _actions(user, today) + _self_assessments(user, today)
             + _publications(user, today))
    unique = {a.key: a for a in found}
    order = list(KINDS)
    return sorted(unique.values(), key=lambda a: (order.index(a.kind), a.when, a.key))


def alerts_sent(*, user, alerts: list[Alert]) -> set[str]:
    """The keys of these alerts already emailed to this person."""
    return set(AlertSent.objects.filter(user=user, key__in=[a.key for a in alerts]).values_list("key", flat=True))


@dataclass
class DigestRun:
    today: date
    emails: int = 0
    alerts: int = 0
    skipped_without_email: list[str] = field(default_factory=list)
    waiting: int = 0  # alerts not sent because the person has no email address

    def summary(self) -> str:
        text = f"{self.today.isoformat()}: sent {_count(self.emails, 'email')} with {_count(self.alerts, 'new alert')}"
        if self.skipped_without_email:
            skipped = len(self.skipped_without_email)
            text += (f"; skipped {skipped} {'person' if skipped == 1 else 'people'} without an email address "
                     f"({_count(self.waiting, 'alert')} waiting): {', '.join(self.skipped_without_email)}")
        return text


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"


def alerts_send(*, today: date | None = None, now: datetime | None = None) -> DigestRun:
    """Email each person one digest of their alerts not sent before. The AlertSent rows and the email are one
    transaction: if sending fails, nothing is recorded and the alerts go next time."""
    today = today or timezone.localdate()
    run = DigestRun(today=today)
    users = User.objects.filter(is_active=True).select_related("authority").order_by("username")
    for user in users:
        alerts = alerts_for_user(user=user, today=today, now=now)
        if not alerts:
            continue
        already = alerts_sent(user=user, alerts=alerts)
        new = [a for a in alerts if a.key not in already]
        if not new:
            continue
        if not user.email:
            run.skipped_without_email.append(user.username)
            run.waiting += len(new)
            continue
        body = render_to_string("plans/alerts_email.txt", {"user": user, "alerts": new, "today": today,
                                                              "site_url": _site_url()})
        subject = f"APA: {_count(len(new), 'thing')} due, {today:%-d %B %Y}"
        try:
            with transaction.atomic():
                AlertSent.objects.bulk_create([AlertSent(user=user, key=a.key) for a in new])
                send_mail(subject, body, None, [user.email], fail_silently=False)
        except IntegrityError:  # another run sent these at the same moment
            continue
        run.emails += 1
        run.alerts += len(new)
    return run
