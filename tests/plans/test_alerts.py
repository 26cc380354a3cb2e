"""Alerts: who is told what, on which day, and the daily digest sent once per alert through Django's email
backend (mail.outbox). Dates are worked out by hand from a calendar."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail

from apa.assessments.models import Assessment, Cycle, State
from apa.calendar import LONDON
from apa.cli import main
from apa.councils.models import CallIn, ClosureDay, DecisionRecord
from apa.frameworks.models import Framework
from apa.plans.alerts import alerts_for_user, alerts_send
from apa.plans.models import AlertSent

from .fixtures import *  # noqa: F403 (the fixtures)
from .fixtures import london, update_action

# Thursday 17 April 2025: Good Friday (18) and Easter Monday (21) are bank holidays, so the next working day
# is Tuesday 22 April.
MAUNDY_THURSDAY = date(2025, 4, 17)


def keys(user, today, **kwargs) -> list[str]:
    return [a.key for a in alerts_for_user(user=user, today=today, **kwargs)]


def decision(authority, deadline: datetime, **fields) -> DecisionRecord:
    values = dict(authority=authority, title="Annual performance assessment 2025", decision="Noted",
                  decision_date=deadline.date() - timedelta(days=8), publication_date=deadline.date() - timedelta(days=7),
                  status=DecisionRecord.Status.PUBLISHED, callin_deadline=deadline)
    values.update(fields)
    return DecisionRecord.objects.create(**values)


def test_callin_closing_by_the_end_of_the_next_working_day(plan_users, kent_authority):
    midnight = time(23, 59, 59)
    tuesday = decision(kent_authority, datetime.combine(date(2025, 4, 22), midnight, tzinfo=LONDON))
    wednesday = decision(kent_authority, datetime.combine(date(2025, 4, 23), midnight, tzinfo=LONDON))
    this_morning = decision(kent_authority, london(MAUNDY_THURSDAY, time(10, 0)))
    passed = decision(kent_authority, datetime.combine(date(2025, 4, 16), midnight, tzinfo=LONDON))
    urgent = decision(kent_authority, datetime.combine(date(2025, 4, 22), midnight, tzinfo=LONDON), urgent=True,
                      urgent_reason="Safeguarding")
    draft = decision(kent_authority, datetime.combine(date(2025, 4, 22), midnight, tzinfo=LONDON),
                     status=DecisionRecord.Status.DRAFT)
    called_in = decision(kent_authority, datetime.combine(date(2025, 4, 22), midnight, tzinfo=LONDON))
    CallIn.objects.create(decision=called_in, members="Cllr A\nCllr B", reason="Scrutiny", date=MAUNDY_THURSDAY,
                          recorded_by=plan_users["kent_clerk"])
    expected = [f"callin-closing:{this_morning.pk}:2025-04-17T10:00:00+01:00",
                f"callin-closing:{tuesday.pk}:2025-04-22T23:59:59+01:00"]
    for who in ("kent_clerk", "kent_officer"):
        assert keys(plan_users[who], MAUNDY_THURSDAY) == expected, who
    for who in ("surrey_officer", "publisher", "inspector", "admin"):
        assert keys(plan_users[who], MAUNDY_THURSDAY) == [], who
    # At 11:00 this morning's deadline has passed.
    assert keys(plan_users["kent_clerk"], MAUNDY_THURSDAY, now=london(MAUNDY_THURSDAY, time(11, 0))) == expected[1:]
    # A council closure day on Tuesday makes Wednesday the next working day.
    ClosureDay.objects.create(authority=kent_authority, date=date(2025, 4, 22))
    assert keys(plan_users["kent_clerk"], MAUNDY_THURSDAY)[-1] == f"callin-closing:{wednesday.pk}:2025-04-23T23:59:59+01:00"
    text = alerts_for_user(user=plan_users["kent_clerk"], today=MAUNDY_THURSDAY)[1].text
    assert text == "Call-in for “Annual performance assessment 2025” closes at midnight on Tuesday 22 April 2025."
    assert {passed.pk, urgent.pk, draft.pk, called_in.pk}.isdisjoint(
        int(k.split(":")[1]) for k in keys(plan_users["kent_clerk"], MAUNDY_THURSDAY))


def test_actions_overdue_or_due_this_week_go_to_the_authoritys_officers(kent_plan, plan_users):
    today = kent_plan["today"]
    overdue, soon = kent_plan["overdue"], kent_plan["soon"]
    expected = [f"action-overdue:{overdue.pk}:{overdue.due_date.isoformat()}",
                f"action-due:{soon.pk}:{soon.due_date.isoformat()}"]
    assert keys(plan_users["kent_officer"], today) == expected
    assert keys(plan_users["kent_officer_2"], today) == expected
    texts = [a.text for a in alerts_for_user(user=plan_users["kent_officer_2"], today=today)]
    assert texts[0].startswith("“Run the sexual health campaign” (your action) was due on")
    assert texts[1].startswith("“Audit repeat referrals” (owner: Jo Bloggs, Head of Safeguarding) is due on")
    for who in ("surrey_officer", "kent_clerk", "admin", "publisher"):
        assert keys(plan_users[who], today) == [], who
    # Seven days from today: an action due in 7 days is not yet "this week"; one due in 6 is.
    update_action(soon, actor=kent_plan["officer"], due_date=today + timedelta(days=7), reason="Later")
    assert keys(plan_users["kent_officer"], today) == expected[:1]
    update_action(soon, actor=kent_plan["officer"], due_date=today + timedelta(days=6), reason="Sooner")
    assert keys(plan_users["kent_officer"], today)[1] == f"action-due:{soon.pk}:{(today + timedelta(days=6)).isoformat()}"


def _cycle(year: int, **fields) -> Cycle:
    values = dict(framework=Framework.objects.get(code="apa-2008"), year=year, self_assessment_due=date(year, 5, 30),
                  data_lock=date(year, 6, 30), visits_from=date(year, 7, 1), visits_to=date(year, 7, 31),
                  moderation_by=date(year, 10, 31))
    values.update(fields)
    return Cycle.objects.create(**values)


def test_self_assessment_due_within_fourteen_days_or_overdue(plan_users, kent_authority):
    cycle = _cycle(2027, self_assessment_due=date(2027, 5, 28))
    kent = Assessment.objects.create(cycle=cycle, authority=kent_authority, state=State.NOT_STARTED)
    officer = plan_users["kent_officer"]
    assert keys(officer, date(2027, 5, 13)) == []  # 15 days before
    assert keys(officer, date(2027, 5, 14)) == [f"self-assessment-due:{kent.pk}:2027-05-28"]
    assert keys(officer, date(2027, 5, 28)) == [f"self-assessment-due:{kent.pk}:2027-05-28"]
    assert keys(officer, date(2027, 5, 29)) == [f"self-assessment-overdue:{kent.pk}:2027-05-28"]
    assert keys(plan_users["surrey_officer"], date(2027, 5, 20)) == []
    assert keys(plan_users["kent_clerk"], date(2027, 5, 20)) == []
    Assessment.objects.filter(pk=kent.pk).update(state=State.SUBMITTED)
    assert keys(officer, date(2027, 5, 29)) == []


def test_publication_tomorrow_for_publishers_and_the_authorities_published(plan_users, kent_authority):
    today = date(2027, 11, 18)
    # 00:30 on 19 November in London; the cycle publishes tomorrow.
    cycle = _cycle(2027, publish_at=london(date(2027, 11, 19), time(0, 30)))
    Assessment.objects.create(cycle=cycle, authority=kent_authority, state=State.MODERATED)
    Assessment.objects.create(cycle=cycle, authority=plan_users["surrey_officer"].authority, state=State.REPRESENTATION)
    key = f"publication:{cycle.pk}:2027-11-19T00:30:00+00:00"
    assert keys(plan_users["publisher"], today) == [key]
    assert keys(plan_users["kent_officer"], today) == [key]
    assert keys(plan_users["surrey_officer"], today) == []
    assert keys(plan_users["kent_clerk"], today) == []
    assert keys(plan_users["publisher"], today - timedelta(days=1)) == []
    assert keys(plan_users["publisher"], today + timedelta(days=1)) == []
    text = alerts_for_user(user=plan_users["publisher"], today=today)[0].text
    assert text.endswith("is published tomorrow, Friday 19 November 2027, at 00:30: 1 moderated assessment.")
    Cycle.objects.filter(pk=cycle.pk).update(published_at=london(today))
    assert keys(plan_users["publisher"], today) == []


def test_the_digest_is_sent_once_and_skips_people_without_an_email(kent_plan, plan_users, settings):
    settings.SITE_URL = "https://apa.example"
    today = kent_plan["today"]
    officer, officer_2 = plan_users["kent_officer"], plan_users["kent_officer_2"]
    assert officer.email == ""

    run = alerts_send(today=today)
    assert (run.emails, run.alerts, run.skipped_without_email, run.waiting) == (1, 2, ["kent_officer"], 2)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["officer2@kent.example"]
    assert email.subject == f"APA: 2 things due, {today:%-d %B %Y}"
    assert "Run the sexual health campaign" in email.body and "Audit repeat referrals" in email.body
    assert f"https://apa.example/plan/actions/{kent_plan['overdue'].pk}/" in email.body
    assert "https://apa.example/alerts/" in email.body
    assert AlertSent.objects.filter(user=officer_2).count() == 2

    again = alerts_send(today=today)
    assert (again.emails, again.alerts, len(mail.outbox)) == (0, 0, 1)

    officer.email = "officer@kent.example"
    officer.save()
    third = alerts_send(today=today)
    assert (third.emails, third.alerts, third.skipped_without_email) == (1, 2, [])
    assert mail.outbox[-1].to == ["officer@kent.example"]

    # A moved due date is a new alert, for each officer.
    update_action(kent_plan["soon"], actor=officer, due_date=today + timedelta(days=5), reason="Slipped")
    fourth = alerts_send(today=today)
    assert (fourth.emails, fourth.alerts) == (2, 2)
    assert all("Audit repeat referrals" in m.body and "sexual health" not in m.body for m in mail.outbox[-2:])
    assert alerts_send(today=today).emails == 0


def test_a_failed_email_records_nothing(kent_plan, settings):
    settings.EMAIL_BACKEND = "tests.plans.test_alerts.FailingBackend"
    with pytest.raises(ConnectionError):
        alerts_send(today=kent_plan["today"])
    assert not AlertSent.objects.exists()


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")


def test_alerts_commands(kent_plan, plan_users, capsys):
    today = kent_plan["today"].isoformat()
    assert main(["alerts", "send", "--date", today]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{today}: sent 1 email with 2 new alerts; skipped 1 person without an email address (2 alerts waiting): "
        "kent_officer")
    assert main(["alerts", "send", "--date", today]) == 0
    assert "sent 0 emails with 0 new alerts" in capsys.readouterr().out
    assert main(["alerts", "list", "--as", "kent_officer", "--date", today, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["kind"] for a in listed] == ["action_overdue", "action_due"]
    assert main(["alerts", "list", "--as", "nobody"]) == 2
    assert "no active account named 'nobody'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["alerts", "send", "--date", "17/13/2025"])
    assert refused.value.code == 2 and "is not a date" in capsys.readouterr().err
