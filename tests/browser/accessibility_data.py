"""The data behind every page type for the accessibility test, built through the services on the database of
the accessibility server (run as a script after `apa init` and `apa demo`; prints one JSON object).

On top of the demo cycle (2025: an assessment in every state) it publishes a second cycle (2024) for Stockton,
and from that published result makes what the other page types show: a correction waiting for a second
moderator, a Joint Area Review, an improvement plan with an action, a clinic and a progress report, a cabinet
report on a meeting's agenda, a published decision with a call-in, and a raised indicator flag."""

import json
import os
from datetime import timedelta

CORES = ["safeguarding", "looked_after_children", "learning_difficulties_and_disabilities", "service_management",
         "capacity_to_improve"]


def build() -> dict:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from apa.accounts.models import Role, User
    from apa.accounts.services import user_add
    from apa.assessments.demo import DEMO_PASSWORD, _accounts, _advance
    from apa.assessments.models import Cycle, State
    from apa.assessments.services import cycle_assign, cycle_open, cycle_publish
    from apa.authorities.models import Authority
    from apa.councils import services as councils
    from apa.indicators.models import Import, Value
    from apa.indicators.services import flag_raise
    from apa.jobs.models import Job
    from apa.plans import services as plans
    from apa.publication import jar
    from apa.publication.models import Result
    from apa.publication.services import result_correction_propose

    users = _accounts()
    today = timezone.localdate()
    stockton = Authority.objects.get(dfe_code="808")
    clerk, _ = user_add(username="demo-democratic-stockton", role=Role.DEMOCRATIC_SERVICES, authority="808",
                        password=DEMO_PASSWORD, email="democratic@stockton.example")
    officer = users["demo-officer-stockton"]

    cycle = cycle_open(framework_code="apa-2008", year=2024, actor=users["demo-admin"])
    assessment = cycle_assign(cycle=cycle, authority=stockton, inspector=users["demo-inspector"],
                              actor=users["demo-admin"])
    _advance(assessment, State.MODERATED, users)
    cycle_publish(cycle=cycle, actor=users["demo-publisher"])
    result = Result.objects.get(authority=stockton, framework__code="apa-2008", year=2024)

    healthy = result.grades.get(area__code="being_healthy").grade
    correction = result_correction_propose(result=result, grades={"being_healthy": healthy % 4 + 1},
                                           actor=users["demo-moderator"],
                                           note="Health data were mis-keyed")
    jar.jar_record(result=result, actor=users["demo-moderator"], fieldwork_from=today - timedelta(days=20),
                   fieldwork_to=today - timedelta(days=10), publication_date=today + timedelta(days=30),
                   grades=dict.fromkeys(CORES, 3), note="A joint area review of Stockton-on-Tees.")

    lines = plans.plan_lines_from_result(result=result, actor=officer)
    line = lines[0] if lines else plans.plan_line_add(authority=stockton, actor=officer, text="Reduce repeat referrals")
    line.refresh_from_db()
    action = plans.action_add(line=line, actor=officer, version=line.version, description="Audit repeat referrals",
                              due_date=today + timedelta(days=3), owner_name="Jo Bloggs, Head of Safeguarding",
                              status="amber")
    plans.progress_note_add(action=action, actor=officer, text="Audit of the first quarter done.")
    plans.clinic_record(authority=stockton, actor=officer, held_on=today - timedelta(days=7), notes="First clinic.")

    report = councils.report_draft(result=result, layout="cabinet", actor=officer)
    report = councils.report_issue(report=report, actor=officer, version=report.version)
    meeting = councils.meeting_create(authority=stockton, actor=clerk, committee="Cabinet", date=today + timedelta(days=14),
                                      location="Municipal Buildings")
    councils.agenda_item_add(meeting=meeting, actor=clerk, version=meeting.version, title=report.title, report=report)
    decision = councils.decision_save(authority=stockton, actor=clerk, title="Annual Performance Assessment 2024",
                                      decision="Cabinet noted the outcome of the assessment.",
                                      reasons="It must be reported to Cabinet.", decision_date=today, report=report)
    decision = councils.decision_publish(decision=decision, actor=clerk, version=decision.version, publication_date=today)
    councils.callin_record(decision=decision, actor=clerk, members=["Cllr A Smith", "Cllr B Jones"],
                           reason="The plan needs scrutiny.", on=today)

    value = Value.objects.filter(authority__dfe_code="886", value__isnull=False).select_related("period__indicator")
    value = value.order_by("pk").first()
    if value is None:
        raise SystemExit("no indicator value for Kent: import the LAIT sample first")
    flag = flag_raise(user=users["demo-officer-kent"], value=value, comment="This figure looks too high for our area.")

    # For the keyboard journey: Surrey's officer starts, writes and submits its self-assessment.
    demo = Cycle.objects.get(framework__code="apa-2008", year=2025)
    surrey = cycle_assign(cycle=demo, authority=Authority.objects.get(dfe_code="936"), inspector=users["demo-inspector"],
                          actor=users["demo-admin"])
    user_add(username="demo-officer-surrey", role=Role.AUTHORITY_OFFICER, authority="936", password=DEMO_PASSWORD,
             email="officer@surrey.example")
    by_state = {a.state: a.pk for a in demo.assessments.exclude(state=State.NOT_STARTED)}
    by_state[State.NOT_STARTED] = surrey.pk
    reset_user = User.objects.get(username="demo-inspector")
    job = Job.objects.create(kind=Job.Kind.LETTERS, label="Letters of Annual performance assessment 2008, 2024",
                             started_by=users["demo-publisher"], status=Job.Status.RUNNING, total=40, done=12)
    return {
        "cycle": demo.pk,
        "surrey": surrey.pk,
        "assessments": by_state,
        "correction": correction.pk,
        "result": {"dfe": "808", "framework": "apa-2008", "key": result.key, "version": result.version},
        "line": line.pk,
        "action": action.pk,
        "report": report.pk,
        "meeting": meeting.pk,
        "decision": decision.pk,
        "flag": flag.pk,
        "job": job.pk,
        "indicator": value.period.indicator.code,
        "period": value.period.label,
        "import": Import.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "reset": f"{urlsafe_base64_encode(force_bytes(reset_user.pk))}/{default_token_generator.make_token(reset_user)}",
    }


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    django.setup()
    from django.db import transaction

    with transaction.atomic():
        print(json.dumps(build()))
