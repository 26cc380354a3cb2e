"""The daily digest as beat runs it (apa.jobs.tasks.alerts_digest, called as the worker calls it): run twice,
or after a run that failed half-way, each person gets each alert once."""

from django.core import mail

from apa.jobs import tasks
from apa.plans.models import AlertSent

from .fixtures import *  # noqa: F403 (the fixtures)


def test_the_scheduled_digest_run_twice_emails_once(kent_plan, plan_users):
    first = tasks.alerts_digest.run()
    assert first == {"emails": 1, "alerts": 2, "waiting": 2}  # kent_officer has no email: two wait for one
    assert [m.to for m in mail.outbox] == [["officer2@kent.example"]]
    second = tasks.alerts_digest.run()
    assert second == {"emails": 0, "alerts": 0, "waiting": 2}
    assert len(mail.outbox) == 1
    assert AlertSent.objects.filter(user=plan_users["kent_officer_2"]).count() == 2
